// CharLM: the character-level language model (one-hot input → stacked recurrent layers → linear decoder → softmax).
// forward over a chunk returns a Pass, backward(pass) adds the gradients, step() advances decoding by one character.
// It owns the buffers and does its arithmetic through its Kernels only; it knows nothing of files, optimizers or text.

import { layerDims, outputWidth, parameterShapes, sizeOf, type Cell, type ModelConfig } from '../config/model-config.js';
import { CharlmError, ConfigError, ModelFileError } from '../errors.js';
import type { CellActivations, LayerTensors, RecurrentLayer, StateWidths } from '../nn/cell-type.js';
import { cellType } from '../nn/cells.js';
import { dropoutBackward, dropoutForward, type DropoutCache } from '../nn/dropout.js';
import { initializeParameters } from '../nn/init.js';
import { embeddingTable, type LayerInput, type LayerPacks } from '../nn/layer-io.js';
import { RowResets } from '../nn/row-resets.js';
import { linearBackward, linearForward, type LinearWeights } from '../nn/linear.js';
import { crossEntropyBackward, crossEntropyLoss } from '../nn/softmax-cross-entropy.js';
import type { Floats, Ids } from '../tensor/floats.js';
import type { Kernels, PackedB } from '../tensor/kernels.js';
import type { Rng } from '../tensor/rng.js';
import { Parameters } from './parameters.js';
import { RecurrentState, stateWidths } from './recurrent-state.js';

// T = steps, B = batch (parallel streams), O = the width of a layer's output h (the hidden size, or the LSTM's projection),
// V = vocabulary size, L = layers.

/** What one layer computed in the last forward (see CellActivations), with its cell's name. */
export interface LayerActivations extends CellActivations { readonly cell: Cell }

/** What a forward computed. Its buffers are reused: a Pass is valid until the next forward call on the same model. */
export interface Pass {
  /** Mean cross-entropy per character, in nats. */
  readonly lossNats: number;
  readonly T: number;
  readonly B: number;
  readonly training: boolean;
  /** Decoder outputs before the softmax, (T·B, V), row t·B + b. */
  readonly logits: Floats;
  /** Per layer, bottom first: gates, cells and hidden states of the chunk. */
  readonly layers: readonly LayerActivations[];
}

export interface BackwardOptions {
  /** Differentiate only the loss at the chunk's last step, summed over its rows (how far back gradients reach). */
  readonly lastStepOnly?: boolean;
}

export interface ForwardOptions {
  /** Training turns dropout on (it then needs an rng). */
  readonly training: boolean;
  readonly rng?: Rng;
  /**
   * Line mode's start symbol: a row whose input is this symbol restarts from the start state at that step, so each item
   * is read (and trained) on its own, as generation and per-line scoring read it.
   */
  readonly restartAt?: number;
  /** Where rows restart, worked out by the caller (the trainer's stream resets); replaces restartAt when given. */
  readonly restarts?: RowResets | null;
}

/**
 * A model's weights in the layout the kernels' products read fastest (CharLM.packWeights), for step() over many
 * characters: on the native kernel a copy made by the latest packWeights() call, on kernels that gain nothing from
 * packing the weights themselves.
 */
export interface PackedWeights {
  readonly model: CharLM;
  readonly layers: readonly LayerPacks[];
  /** The decoder's Wᵀ. */
  readonly decoder: PackedB;
}

/** All buffers for one (T, B), allocated on first use and reused by every later call with the same sizes. */
interface Workspace {
  readonly T: number;
  readonly B: number;
  /** Allocates every buffer of this workspace (also those made on first use) and remembers them, for release on eviction. */
  readonly kernels: Kernels;
  readonly buffers: Floats[];
  readonly layers: readonly RecurrentLayer[];
  readonly activations: readonly LayerActivations[];
  /** The input of layer 0 (its ids are set per call), then each layer's output as the input of the one above it. */
  readonly oneHot: { kind: 'one-hot'; ids: Ids; readonly vocabSize: number };
  readonly outputs: readonly (LayerInput & { kind: 'dense' })[];
  /** Per layer: its output after dropout (T·B, O) and the mask, allocated on the first training forward with dropout. */
  readonly dropout: ({ dropped: Floats } & DropoutCache | null)[];
  readonly logits: Floats;                                   // (T·B, V)
  dLogits: Floats | null;                                    // (T·B, V)
  /** Per layer: the gradient into its output (T·B, O), filled by the layer (or decoder) above. */
  dHiddens: Floats[] | null;
}

/** What backward needs to know about the last forward besides its Workspace. */
interface ForwardRecord {
  readonly pass: Pass;
  readonly ws: Workspace;
  readonly inputs: LayerInput[];
  readonly targets: Ids;
  readonly dropoutUsed: boolean;
}

/** How runLayers runs: dropout's rng (training), rows that restart, whether to return each layer's input, packed weights. */
interface RunOptions {
  readonly dropoutRng: Rng | null;
  readonly resets: RowResets | null;
  readonly wantInputs: boolean;
  readonly packed: PackedWeights | null;
}

const MAX_WORKSPACES = 8;

export class CharLM {
  readonly config: ModelConfig;
  readonly kernels: Kernels;
  readonly params: Parameters;
  private readonly weights: LayerTensors[];
  private readonly layerGrads: LayerTensors[];
  /** The widths of the state each layer carries (what a RecurrentState for this model must have). */
  private readonly stateWidths: readonly StateWidths[];
  private readonly decoder: LinearWeights;
  private readonly decoderGrads: LinearWeights;
  private readonly workspaces = new Map<string, Workspace>();
  /** The last decoding workspace, so that step() finds it without building a key (no buffer is allocated per character). */
  private stepWorkspace: Workspace | null = null;
  private last: ForwardRecord | null = null;
  /** The latest packWeights(), whose memory the next one reuses. */
  private packed: PackedWeights | null = null;

  private constructor(config: ModelConfig, kernels: Kernels) {
    this.config = config;
    this.kernels = kernels;
    this.params = Parameters.forConfig(config, kernels);
    const p = this.params;
    const type = cellType(config.cell);
    // Layer l's tensors by the keys its cell type gives them, as views into the flat parameter block.
    const layerTensors = (view: (name: string) => Floats, l: number): LayerTensors =>
      Object.fromEntries(type.params(layerDims(config, l)).map((t) => [t.key, view(`${type.module}.${t.torchName}_l${l}`)]));
    this.stateWidths = stateWidths(config);
    this.weights = [];
    this.layerGrads = [];
    for (let l = 0; l < config.numLayers; l++) {
      this.weights.push(layerTensors((n) => p.view(n), l));
      this.layerGrads.push(layerTensors((n) => p.gradView(n), l));
    }
    this.decoder = { weight: p.view('decoder.weight'), bias: p.view('decoder.bias') };
    this.decoderGrads = { weight: p.gradView('decoder.weight'), bias: p.gradView('decoder.bias') };
  }

  /** A freshly initialised model (src/nn/init.ts); the same rng state gives the same weights. */
  static create(config: ModelConfig, kernels: Kernels, rng: Rng, init: { forgetBias?: number } = {}): CharLM {
    const model = new CharLM(config, kernels);
    const targets = parameterShapes(config).map((s) => ({ shape: s.shape, values: model.params.view(s.name), init: s.init }));
    initializeParameters(targets, rng, init.forgetBias);
    return model;
  }

  /** A model with the given weights, which must name exactly this config's tensors with exactly their shapes. */
  static fromWeights(config: ModelConfig, kernels: Kernels,
                     weights: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array | Float64Array }>): CharLM {
    const model = new CharLM(config, kernels);
    for (const spec of model.params.specs) {
      const w = weights.get(spec.name);
      if (w === undefined) throw new ModelFileError(`the model's weights lack the tensor "${spec.name}"`);
      const same = w.shape.length === spec.shape.length && w.shape.every((d, i) => d === spec.shape[i]);
      if (!same) {
        throw new ModelFileError(`tensor "${spec.name}" has shape [${w.shape.join(', ')}], ` +
          `but the model's config needs [${spec.shape.join(', ')}]`);
      }
      if (w.data.length !== sizeOf(spec.shape)) {
        throw new ModelFileError(`tensor "${spec.name}" holds ${w.data.length} numbers for shape [${spec.shape.join(', ')}]`);
      }
      model.params.view(spec.name).set(w.data);
    }
    for (const name of weights.keys()) {
      if (!model.params.has(name)) throw new ModelFileError(`the model's weights have an unexpected tensor "${name}"`);
    }
    return model;
  }

  /** Every tensor as float32, by PyTorch name, in storage order (copies). */
  exportWeights(): Map<string, { shape: number[]; data: Float32Array }> {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const s of this.params.specs) out.set(s.name, { shape: [...s.shape], data: Float32Array.from(this.params.view(s.name)) });
    return out;
  }

  /** A zero state for `batchSize` parallel streams. */
  createState(batchSize: number): RecurrentState {
    return RecurrentState.zeros(this.kernels, this.config, batchSize);
  }

  /**
   * Teacher-forced forward over a chunk: inputs and targets are (T, B) time-major (index t·B + b) and must stay unchanged
   * until backward. `state` goes in as the carried state and comes out as the final one.
   */
  forward(inputs: Ids, targets: Ids, T: number, B: number, state: RecurrentState, opts: ForwardOptions): Pass {
    this.checkChunk(inputs, targets, T, B, state);
    const p = this.config.dropout;
    const useDropout = opts.training && p > 0;
    if (useDropout && opts.rng === undefined) throw new ConfigError('a training forward with dropout needs an rng');
    this.last = null;
    const ws = this.workspace('chunk', T, B);
    const resets = opts.restarts !== undefined ? opts.restarts
      : opts.restartAt === undefined ? null : RowResets.where(inputs, T, B, opts.restartAt);
    const { inputs: layerInputs, top } = this.runLayers(ws, inputs, state,
      { dropoutRng: useDropout ? opts.rng! : null, resets, wantInputs: true, packed: null });
    const { O, V } = this.sizes();
    linearForward(this.kernels, this.decoder, top.x, top.xOff, T * B, O, V, ws.logits, 0);
    const lossNats = crossEntropyLoss(this.kernels, ws.logits, targets, T * B, V);
    const pass: Pass = { lossNats, T, B, training: opts.training, logits: ws.logits, layers: ws.activations };
    this.last = { pass, ws, inputs: [...layerInputs, top], targets, dropoutUsed: useDropout };
    return pass;
  }

  /**
   * Adds the gradient of pass.lossNats into params.grads (with lastStepOnly: of the last step's loss summed over its rows).
   * Throws if another forward has happened since `pass`.
   */
  backward(pass: Pass, opts: BackwardOptions = {}): void {
    const last = this.last;
    if (last === null || last.pass !== pass) {
      throw new CharlmError('backward() was given a stale pass: another forward ran after it, so its buffers are gone');
    }
    const k = this.kernels;
    const { ws, inputs, targets } = last;
    const { T, B } = ws;
    const { O, V } = this.sizes();
    const rows = T * B;
    const L = this.config.numLayers;
    ws.dLogits ??= ws.kernels.alloc(rows * V);
    ws.dHiddens ??= ws.outputs.map((o) => ws.kernels.alloc(rows * o.size));
    if (opts.lastStepOnly === true) {
      ws.dLogits.fill(0);
      k.softmaxCrossEntropy(ws.logits, (T - 1) * B * V, B, V, targets, (T - 1) * B, ws.dLogits, (T - 1) * B * V, 1);
    } else {
      crossEntropyBackward(k, ws.logits, targets, rows, V, ws.dLogits);
    }
    const top = inputs[L] as LayerInput & { kind: 'dense' };
    linearBackward(k, this.decoder, top.x, top.xOff, ws.dLogits, 0, rows, O, V, this.decoderGrads, ws.dHiddens[L - 1], 0);
    for (let l = L - 1; l >= 0; l--) {
      const dHiddens = ws.dHiddens[l];
      const drop = ws.dropout[l];
      if (last.dropoutUsed && drop !== null) dropoutBackward(k, dHiddens, 0, dHiddens, 0, rows * ws.outputs[l].size, drop);
      ws.layers[l].backward(inputs[l], dHiddens, l > 0 ? ws.dHiddens[l - 1] : null);
    }
  }

  /** After backward(pass): per layer, dLoss/dh_t for t = 1 … T, (T, B, output width). Valid until the next forward. */
  outputGradients(pass: Pass): readonly Floats[] {
    if (this.last === null || this.last.pass !== pass || this.last.ws.dHiddens === null) {
      throw new CharlmError('outputGradients() needs the pass of the last forward, after its backward');
    }
    return this.last.ws.dHiddens;
  }

  /**
   * One decoding step for the B = state.batchSize rows: feeds ids[b] to row b, advances `state` in place and writes the
   * logits (B, V) into `logits`. Reuses its buffers per B, and leaves any Pass valid. With `packed` (packWeights), the
   * products read the packed weights: faster over many steps, and each row's logits are then the same bits whatever rows
   * share the step and as a forward over the same characters gives them (without, they agree within float32 rounding).
   */
  step(ids: Ids, state: RecurrentState, logits: Floats, packed: PackedWeights | null = null): void {
    const B = state.batchSize;
    const { O, V } = this.sizes();
    if (logits.length < B * V) throw new ConfigError(`step() needs a logits buffer of ${B * V} numbers (got ${logits.length})`);
    if (packed !== null && packed.model !== this) throw new ConfigError('step() was given the packed weights of another model');
    this.checkChunk(ids, null, 1, B, state);
    let ws = this.stepWorkspace;
    if (ws === null || ws.B !== B) ws = this.stepWorkspace = this.workspace('step', 1, B);
    const { top } = this.runLayers(ws, ids, state, { dropoutRng: null, resets: null, wantInputs: false, packed });
    linearForward(this.kernels, this.decoder, top.x, top.xOff, B, O, V, logits, 0, packed?.decoder);
  }

  /**
   * The weights as they are now, packed for the products of step() (PackedWeights): what sampling and beam search pass
   * to every step. The packs live in memory the model keeps: each call packs the current weights into it again (about a
   * quarter of a millisecond for two layers of 256 units; fresh memory cost fifty times that), so every PackedWeights of
   * this model reads the weights as they were at the latest call. Call it again after the weights change.
   */
  packWeights(): PackedWeights {
    const k = this.kernels;
    const type = cellType(this.config.cell);
    const reuse = this.packed;
    const layers = this.weights.map((w, l): LayerPacks => {
      const { input: D, hidden: H, proj: P } = layerDims(this.config, l);
      const G = type.gates.length * H, R = w.weightHh.length / G;
      const was = reuse?.layers[l];
      return {
        // Layer 0 reads one-hot characters: a lookup, no product.
        input: l === 0 ? null : k.packB(true, D, G, w.weightIh, 0, D, was?.input ?? null),
        embedding: l === 0 ? embeddingTable(k, w.weightIh, G, D, was?.embedding ?? null) : null,
        recurrent: k.packB(true, R, G, w.weightHh, 0, R, was?.recurrent ?? null),
        projection: P > 0 ? k.packB(true, H, P, w.weightHr, 0, H, was?.projection ?? null) : null,
      };
    });
    const { O, V } = this.sizes();
    return this.packed = { model: this, layers, decoder: k.packB(true, O, V, this.decoder.weight, 0, O, reuse?.decoder ?? null) };
  }

  /** O = the width the decoder reads, V = the vocabulary size. */
  private sizes(): { O: number; V: number } {
    return { O: outputWidth(this.config), V: this.config.vocabSize };
  }

  /**
   * Runs the recurrent stack over the chunk; returns each layer's input and the decoder's input (`top`). Without dropout
   * the inputs are the workspace's own objects (the step() path allocates no buffers); `inputs` is then built only on
   * request.
   */
  private runLayers(ws: Workspace, ids: Ids, state: RecurrentState, { dropoutRng, resets, wantInputs, packed }: RunOptions):
      { inputs: LayerInput[]; top: LayerInput & { kind: 'dense' } } {
    const { T, B } = ws;
    ws.oneHot.ids = ids;
    const inputs: LayerInput[] = [];
    let input: LayerInput = ws.oneHot;
    for (let l = 0; l < this.config.numLayers; l++) {
      if (wantInputs) inputs.push(input);
      ws.layers[l].forward(input, state.layers[l], resets, packed?.layers[l]);
      if (dropoutRng !== null) {
        const { size: O, xOff } = ws.outputs[l];
        const n = T * B * O;
        const drop = ws.dropout[l] ??= { dropped: ws.kernels.alloc(n), mask: ws.kernels.alloc(n) };
        dropoutForward(this.kernels, this.config.dropout, dropoutRng, ws.layers[l].activations.hiddens, xOff,
          drop.dropped, 0, n, drop);
        input = { kind: 'dense', x: drop.dropped, xOff: 0, size: O };
      } else {
        input = ws.outputs[l];
      }
    }
    return { inputs, top: input as LayerInput & { kind: 'dense' } };
  }

  private workspace(kind: 'chunk' | 'step', T: number, B: number): Workspace {
    const key = `${kind}:${T}x${B}`;
    let ws = this.workspaces.get(key);
    if (ws === undefined) {
      if (this.workspaces.size >= MAX_WORKSPACES) this.evictWorkspace();
      const { cell } = this.config;
      const V = this.config.vocabSize;
      const buffers: Floats[] = [];
      const k: Kernels = Object.assign(Object.create(this.kernels) as Kernels, {
        alloc: (n: number) => { const b = this.kernels.alloc(n); buffers.push(b); return b; },
      });
      const type = cellType(cell);
      const dims = this.weights.map((_, l) => layerDims(this.config, l));
      const layers = this.weights.map((w, l) => type.createLayer(k, w, this.layerGrads[l], T, B, dims[l]));
      ws = {
        T, B, kernels: k, buffers, layers, activations: layers.map((l) => ({ cell, ...l.activations })),
        dropout: layers.map(() => null),
        oneHot: { kind: 'one-hot', ids: new Uint16Array(0), vocabSize: V },
        // The output h_1 … h_T of a layer starts after its carried-in slot.
        outputs: layers.map((l, i) => {
          const O = type.outputWidth(dims[i]);
          return { kind: 'dense', x: l.activations.hiddens, xOff: B * O, size: O } as const;
        }),
        logits: k.alloc(kind === 'step' ? 0 : T * B * V), dLogits: null, dHiddens: null,
      };
      this.workspaces.set(key, ws);
    }
    return ws;
  }

  /**
   * Drops the oldest workspace and releases its buffers (the WebAssembly kernel reuses them at once), except the last
   * forward's (its Pass may still go backward) and the decoding one (step() keeps it).
   */
  private evictWorkspace(): void {
    for (const [key, ws] of this.workspaces) {
      if (ws === this.last?.ws || ws === this.stepWorkspace) continue;
      this.workspaces.delete(key);
      for (const b of ws.buffers) this.kernels.release(b);
      return;
    }
  }

  private checkChunk(inputs: Ids, targets: Ids | null, T: number, B: number, state: RecurrentState): void {
    const V = this.config.vocabSize;
    if (!Number.isInteger(T) || !Number.isInteger(B) || T < 1 || B < 1) throw new ConfigError(`bad chunk size T=${T}, B=${B}`);
    if (inputs.length < T * B || (targets !== null && targets.length < T * B)) {
      throw new ConfigError(`a chunk of T=${T} steps and B=${B} rows needs ${T * B} inputs and targets`);
    }
    if (!state.fits(this.stateWidths, B)) {
      throw new ConfigError(`the recurrent state (${state.batchSize} rows) does not fit this model and batch of ${B} rows`);
    }
    for (const ids of targets === null ? [inputs] : [inputs, targets]) {
      for (let i = 0; i < T * B; i++) {
        if (ids[i] >= V || ids[i] < 0) throw new ConfigError(`symbol id ${ids[i]} is outside the vocabulary of ${V} symbols`);
      }
    }
  }
}
