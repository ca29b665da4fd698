// Everything a resumed run needs to continue bit for bit: the step counters and random state as plain data, and the
// tensors (optimizer moments, carried hidden state) beside the weights. Also the in-memory snapshot used to roll back a NaN.

import { ModelFileError } from '../errors.js';
import type { CharLM } from '../model/char-lm.js';
import type { RecurrentState } from '../model/recurrent-state.js';
import type { ResumeState, Tensor } from '../model-file/format.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Floats } from '../tensor/floats.js';
import type { RngState } from '../tensor/rng.js';

/** The trainer's counters: plain JSON, stored as the model file's resume.state. */
export interface TrainProgress {
  /** Optimisation steps completed in the model's life. */
  step: number;
  epoch: number;
  /** The next chunk of the epoch to train on. */
  chunk: number;
  /** Multiplies the scheduled learning rate; halved at each NaN recovery. */
  lrScale: number;
  /** The step count the learning-rate schedule runs over (estimated once for a time-only budget). */
  scheduleTotalSteps: number | null;
  charsSeen: number;
  elapsedMs: number;
  bestValLoss: number | null;
  lastValLoss: number | null;
  lastTrainLoss: number | null;
  evalsWithoutImprovement: number;
  nanRecoveries: number;
  startedAt: string;
  rng: RngState;
  optimizer: Record<string, number>;
}

/** A copy of the training state in memory, taken every so often so a NaN can be rolled back. */
export interface Snapshot {
  readonly progress: TrainProgress;
  readonly values: Floats;
  readonly optimizer: Map<string, Floats>;
  readonly state: RecurrentState;
}

function copyProgress(p: TrainProgress): TrainProgress {
  return JSON.parse(JSON.stringify(p)) as TrainProgress;
}

export function takeSnapshot(progress: TrainProgress, model: CharLM, optimizer: Optimizer, state: RecurrentState): Snapshot {
  const copies = new Map<string, Floats>();
  for (const [name, t] of optimizer.stateTensors()) copies.set(name, t.slice());
  return { progress: copyProgress(progress), values: model.params.values.slice(), optimizer: copies, state: state.clone() };
}

export function restoreSnapshot(s: Snapshot, model: CharLM, optimizer: Optimizer, state: RecurrentState): TrainProgress {
  model.params.values.set(s.values);
  optimizer.restore(s.optimizer, s.progress.optimizer);
  state.copyFrom(s.state);
  return copyProgress(s.progress);
}

const OPTIM_PREFIX = 'optimizer.';

/** The resume section of a model file: progress as JSON, optimizer moments and hidden state as float32 tensors. */
export function toResumeState(progress: TrainProgress, optimizer: Optimizer, state: RecurrentState): ResumeState {
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of optimizer.stateTensors()) {
    tensors.set(OPTIM_PREFIX + name, { shape: [t.length], data: Float32Array.from(t) });
  }
  const B = state.batchSize;
  state.layers.forEach((layer, l) => {
    // h and c may differ in width (an LSTM with a projection).
    tensors.set(`state.h_l${l}`, { shape: [B, layer.h.length / B], data: Float32Array.from(layer.h) });
    if (layer.c !== null) tensors.set(`state.c_l${l}`, { shape: [B, layer.c.length / B], data: Float32Array.from(layer.c) });
  });
  return { state: { ...copyProgress(progress), kind: 'charlm-train-state' } as unknown as Record<string, unknown>, tensors };
}

function bad(what: string): never {
  throw new ModelFileError(`cannot resume: the model's training state is damaged (${what})`);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumOrNull = (v: unknown): boolean => v === null || isNum(v);

/** Checks the resume section of a loaded model and puts it back into the optimizer and the hidden state. */
export function fromResumeState(resume: ResumeState, optimizer: Optimizer, state: RecurrentState): TrainProgress {
  const p = resume.state as Record<string, unknown>;
  if (p.kind !== 'charlm-train-state') bad('unknown kind');
  for (const key of ['step', 'epoch', 'chunk', 'lrScale', 'charsSeen', 'elapsedMs', 'evalsWithoutImprovement', 'nanRecoveries']) {
    if (!isNum(p[key]) || (p[key] as number) < 0) bad(`"${key}" is not a non-negative number`);
  }
  for (const key of ['scheduleTotalSteps', 'bestValLoss', 'lastValLoss', 'lastTrainLoss']) {
    if (!isNumOrNull(p[key])) bad(`"${key}" is not a number or null`);
  }
  if (typeof p.startedAt !== 'string') bad('"startedAt" is missing');
  const rng = p.rng as RngState | undefined;
  if (typeof rng !== 'object' || rng === null || typeof rng.alea !== 'object' || rng.alea === null
      || !['c', 's0', 's1', 's2'].every((k) => isNum((rng.alea as unknown as Record<string, unknown>)[k]))
      || !isNumOrNull(rng.spareNormal)) bad('random state');
  if (typeof p.optimizer !== 'object' || p.optimizer === null || !Object.values(p.optimizer).every(isNum)) bad('optimizer counters');

  const optimTensors = new Map<string, { data: Float32Array }>();
  for (const [name, t] of resume.tensors) {
    if (name.startsWith(OPTIM_PREFIX)) optimTensors.set(name.slice(OPTIM_PREFIX.length), t);
  }
  for (const [name, t] of optimizer.stateTensors()) {
    const saved = optimTensors.get(name);
    if (saved === undefined || saved.data.length !== t.length) bad(`optimizer tensor "${name}" is missing or has the wrong size`);
  }
  optimizer.restore(optimTensors, p.optimizer as Record<string, number>);

  state.layers.forEach((layer, l) => {
    const h = resume.tensors.get(`state.h_l${l}`);
    if (h === undefined || h.data.length !== layer.h.length) bad(`hidden state of layer ${l}`);
    layer.h.set(h.data);
    if (layer.c !== null) {
      const c = resume.tensors.get(`state.c_l${l}`);
      if (c === undefined || c.data.length !== layer.c.length) bad(`cell state of layer ${l}`);
      layer.c.set(c.data);
    }
  });
  const { kind: _kind, ...progress } = p;
  return copyProgress(progress as unknown as TrainProgress);
}
