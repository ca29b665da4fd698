// Per-row resets inside a chunk (line mode): a row whose input at step t starts a new item runs step t from the start
// state instead of the state the previous item left, forward and backward. Every cell reads the previous state of step t
// from slot t of its cache (hiddens, and cells for the LSTM), which is also the output of step t − 1. So the reset swaps
// the row of slot t with the start state just while step t reads it, and swaps it back afterwards; in the backward no
// gradient flows from step t into the reset row of step t − 1 (the start state is a constant).
//
// Shared by every cell (lstm.ts, gru.ts, rnn.ts): a cell calls enter/leave around the places that read the previous state.

import type { Floats, Ids } from '../tensor/floats.js';

/** Which rows restart at which step of a (T, B) chunk. */
export class RowResets {
  /** Rows restarting at step t: rows[first[t] … first[t+1]). */
  private readonly first: Int32Array;
  private readonly rows: Int32Array;

  private constructor(first: Int32Array, rows: Int32Array) {
    this.first = first;
    this.rows = rows;
  }

  /** The rows whose input is `symbol` (line mode's start symbol), or null when there are none. */
  static where(ids: Ids, T: number, B: number, symbol: number): RowResets | null {
    return RowResets.of(T, B, (t, b) => ids[t * B + b] === symbol);
  }

  /** The (t, b) for which `restarts` holds, or null when there are none. */
  static of(T: number, B: number, restarts: (t: number, b: number) => boolean): RowResets | null {
    const first = new Int32Array(T + 1);
    const rows: number[] = [];
    for (let t = 0; t < T; t++) {
      first[t] = rows.length;
      for (let b = 0; b < B; b++) if (restarts(t, b)) rows.push(b);
    }
    first[T] = rows.length;
    return rows.length === 0 ? null : new RowResets(first, Int32Array.from(rows));
  }

  get count(): number {
    return this.rows.length;
  }

  /** Index range of step t's resets in 0 … count. */
  at(t: number): { from: number; to: number } {
    return { from: this.first[t], to: this.first[t + 1] };
  }

  row(i: number): number {
    return this.rows[i];
  }
}

/** One state tensor's slots in a layer's cache: slot t (t = 0 … T) of `buf` starts at t·B·width (or a (B, width) buffer). */
export interface StateSlots { readonly buf: Floats; readonly width: number }

/**
 * One layer's view of the resets: swaps reset rows of its state slots with the start state (zeros) and back. A swap is its
 * own inverse, so enter and leave are the same exchange; `held` keeps whichever of the two is not in the cache.
 */
export class LayerResets {
  /** Per state tensor, (resets, width): what is swapped out; float64 holds float32 values exactly. */
  private readonly held: Float64Array[];

  constructor(readonly resets: RowResets, private readonly slots: readonly StateSlots[], private readonly B: number) {
    this.held = slots.map((s) => new Float64Array(resets.count * s.width));
  }

  /** Swaps the rows that restart at step t in slot t: the start state in, or the saved state back. */
  swap(t: number): void {
    const { from, to } = this.resets.at(t);
    if (from === to) return;
    this.slots.forEach((s, j) => {
      const held = this.held[j];
      const W = s.width;
      for (let i = from; i < to; i++) {
        const off = (t * this.B + this.resets.row(i)) * W;
        for (let u = 0; u < W; u++) {
          const x = s.buf[off + u];
          s.buf[off + u] = held[i * W + u];
          held[i * W + u] = x;
        }
      }
    });
  }

  /** swap(t) for every step: before and after reading all previous states at once (the dW_hh product). */
  swapAll(T: number): void {
    for (let t = 0; t < T; t++) this.swap(t);
  }

  /**
   * Runs `addRecurrentGradient`, which adds step t's gradient into the previous state (rows of `grads` at slot t − 1 of
   * width W; nothing at t = 0), and takes it back out of the rows that restart at step t. `carry` (B, width) buffers
   * (the LSTM's dc, already holding the gradient into c_{t−1}) are zeroed in those rows.
   */
  cutGradient(t: number, grads: Floats, W: number, carry: readonly StateSlots[], addRecurrentGradient: () => void): void {
    const { from, to } = this.resets.at(t);
    // At t = 0 the gradient would go into the carried-in state, which truncated BPTT drops anyway.
    const base = (t - 1) * this.B;
    const saved = t > 0 && from < to ? new Float64Array((to - from) * W) : null;
    for (let i = from; saved !== null && i < to; i++) {
      for (let u = 0; u < W; u++) saved[(i - from) * W + u] = grads[(base + this.resets.row(i)) * W + u];
    }
    addRecurrentGradient();
    for (let i = from; i < to; i++) {
      const b = this.resets.row(i);
      for (let u = 0; saved !== null && u < W; u++) grads[(base + b) * W + u] = saved[(i - from) * W + u];
      for (const c of carry) c.buf.fill(0, b * c.width, b * c.width + c.width);
    }
  }
}
