// Loss curves from a training log, and what they say: still improving, or overfitting (or no longer improving) since
// some step. Used for the chart and the advice at the end of training and by `charlm plot`.

import { CorpusError } from '../errors.js';

export interface CurvePoint {
  readonly step: number;
  readonly loss: number;
}

export interface LossCurves {
  /** The training loss of every step, in order of the log (a resumed run continues it). */
  readonly train: CurvePoint[];
  /** The validation loss at each validation. */
  readonly validation: CurvePoint[];
}

/** Lines longer than this are not log lines (our lines are about 200 characters). */
const MAX_LINE = 10_000;

/** Reads the JSON-lines log charlm train writes; `label` names the file in errors. */
export function parseTrainingLog(text: string, label: string): LossCurves {
  const train: CurvePoint[] = [];
  const validation: CurvePoint[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let entry: unknown;
    try {
      entry = line.length > MAX_LINE ? null : JSON.parse(line);
    } catch {
      entry = null;
    }
    const e = entry as { step?: unknown; trainLoss?: unknown; valLoss?: unknown } | null;
    if (typeof e !== 'object' || e === null || typeof e.step !== 'number' || !Number.isFinite(e.step)) {
      throw new CorpusError(`${label}: line ${i + 1} is not a line of a charlm training log`,
        { hint: 'plot reads the NAME.log.jsonl files that charlm train writes' });
    }
    if (typeof e.trainLoss === 'number' && Number.isFinite(e.trainLoss)) train.push({ step: e.step, loss: e.trainLoss });
    if (typeof e.valLoss === 'number' && Number.isFinite(e.valLoss)) validation.push({ step: e.step, loss: e.valLoss });
  });
  if (train.length === 0 && validation.length === 0) throw new CorpusError(`${label}: the log has no losses`);
  return { train, validation };
}

export type CurveVerdict =
  /** The last validation is the best so far. */
  | { readonly kind: 'improving'; readonly lastStep: number; readonly fellBy: number }
  /** Validation loss has risen since bestStep while the training loss kept falling. */
  | { readonly kind: 'overfitting'; readonly bestStep: number; readonly bestLoss: number; readonly lastLoss: number }
  /** Neither: validation has not beaten its best since bestStep. */
  | { readonly kind: 'stalled'; readonly bestStep: number; readonly bestLoss: number; readonly lastLoss: number }
  | { readonly kind: 'unknown' };

/** A last validation this much (relative) above the best counts as rising rather than noise. */
const RISE_THRESHOLD = 0.005;

function meanLoss(points: readonly CurvePoint[]): number {
  return points.reduce((sum, p) => sum + p.loss, 0) / points.length;
}

/** What the validation curve says, judged from its last two or more points. */
export function judgeCurves(curves: LossCurves): CurveVerdict {
  const v = curves.validation;
  if (v.length < 2) return { kind: 'unknown' };
  let best = 0;
  v.forEach((p, i) => { if (p.loss <= v[best]!.loss) best = i; });
  const last = v[v.length - 1]!;
  if (best === v.length - 1) return { kind: 'improving', lastStep: last.step, fellBy: v[v.length - 2]!.loss - last.loss };
  const bestPoint = v[best]!;
  // Training loss around the best validation against the training loss since the last-but-one validation.
  const around = curves.train.filter((p) => p.step <= bestPoint.step && p.step > bestPoint.step - Math.max(1, last.step - bestPoint.step));
  const recent = curves.train.filter((p) => p.step > v[v.length - 2]!.step);
  const trainFell = around.length > 0 && recent.length > 0 && meanLoss(recent) < meanLoss(around);
  const valRose = last.loss > bestPoint.loss * (1 + RISE_THRESHOLD);
  const verdict = { bestStep: bestPoint.step, bestLoss: bestPoint.loss, lastLoss: last.loss };
  return trainFell && valRose ? { kind: 'overfitting', ...verdict } : { kind: 'stalled', ...verdict };
}
