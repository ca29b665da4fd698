// Hard and quantised gates at inference: every sigmoid gate σ(x) replaced by its value rounded to k bits (k = 1: a 0/1
// step at x = 0). Done by wrapping the kernels, not the cells: just before a cell kernel squashes its pre-activations, each
// sigmoid gate's pre-activation is replaced by one whose sigmoid is the rounded value, so the cell code is untouched.

import { scoreText, type ScoreOptions } from '../decode/scoring.js';
import { CharLM } from '../model/char-lm.js';
import type { Cell } from '../nn/cells.js';
import { UsageError } from '../errors.js';
import type { Kernels } from '../tensor/kernels.js';
import type { Vocab } from '../text/vocab.js';
import { gateNames, isSigmoidGate } from './quantities.js';

/** σ(±SATURATED) is 0 or 1 to far below float32 resolution near 1 (σ(−40) ≈ 4e−18), and finite for every kernel's exp. */
const SATURATED = 40;

/** p rounded to one of the 2^bits evenly spaced levels 0 … 1. */
export function quantizeGate(p: number, bits: number): number {
  const levels = 2 ** bits - 1;
  return Math.round(p * levels) / levels;
}

/** A pre-activation whose sigmoid is quantizeGate(σ(x), bits). */
export function quantizedPreActivation(x: number, bits: number): number {
  const q = quantizeGate(1 / (1 + Math.exp(-x)), bits);
  return q <= 0 ? -SATURATED : q >= 1 ? SATURATED : Math.log(q / (1 - q));
}

/** Offsets (in units of H) of the sigmoid gates within a cell's stacked gate rows. */
function sigmoidGateSlots(cell: Cell): number[] {
  return gateNames(cell).flatMap((g, i) => (isSigmoidGate(g) ? [i] : []));
}

/** Kernels whose LSTM and GRU cells see their sigmoid gates rounded to `bits` bits; everything else is `inner`'s. */
export function withQuantizedGates(inner: Kernels, bits: number): Kernels {
  const lstm = sigmoidGateSlots('lstm');
  const gru = sigmoidGateSlots('gru');
  const overrides: Partial<Kernels> = {
    lstmCellForward(args) {
      const { gates, gatesOff: gOff, B, H } = args;
      for (let b = 0; b < B; b++) {
        for (const slot of lstm) {
          const at = gOff + b * 4 * H + slot * H;
          for (let j = 0; j < H; j++) gates[at + j] = quantizedPreActivation(gates[at + j], bits);
        }
      }
      inner.lstmCellForward(args);
    },
    gruCellForward(args) {
      const { gx, gxOff, gh, ghOff, B, H } = args;
      // r and z are σ(gx + gh): the whole pre-activation moves into gx (gh's r and z rows serve nothing else forward).
      for (let b = 0; b < B; b++) {
        for (const slot of gru) {
          const x = gxOff + b * 3 * H + slot * H, y = ghOff + b * 3 * H + slot * H;
          for (let j = 0; j < H; j++) {
            gx[x + j] = quantizedPreActivation(gx[x + j] + gh[y + j], bits);
            gh[y + j] = 0;
          }
        }
      }
      inner.gruCellForward(args);
    },
  };
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop in overrides) return overrides[prop as keyof Kernels];
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A copy of `model` whose sigmoid gates are rounded to `bits` bits (for inference: backward would not match). */
export function withHardGates(model: CharLM, bits: number): CharLM {
  const cell = model.config.cell;
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) throw new UsageError(`--gate-bits must be an integer from 1 to 16 (got ${bits})`);
  if (sigmoidGateSlots(cell).length === 0) throw new UsageError(`a ${cell} has no gates to make hard`);
  const weights = new Map(model.params.specs.map((s) => [s.name, { shape: s.shape, data: model.params.view(s.name) }]));
  return CharLM.fromWeights(model.config, withQuantizedGates(model.kernels, bits), weights);
}

export interface GateScore {
  /** Bits per gate value: 1 is the 0/1 step. */
  readonly gateBits: number;
  readonly natsPerChar: number;
  readonly bitsPerChar: number;
  readonly perplexity: number;
}

/** The loss of `text` with the model's sigmoid gates rounded to each of `gateBits` (scored as scoreText scores it). */
export function scoreWithQuantizedGates(model: CharLM, vocab: Vocab, text: string, gateBits: readonly number[],
                                        opts: ScoreOptions = {}): GateScore[] {
  return gateBits.map((bits) => {
    const s = scoreText(withHardGates(model, bits), vocab, text, opts);
    return { gateBits: bits, natsPerChar: s.natsPerChar, bitsPerChar: s.bitsPerChar, perplexity: s.perplexity };
  });
}
