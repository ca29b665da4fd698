import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateModelConfig } from '../../src/config/model-config.js';
import { RecurrentState } from '../../src/model/recurrent-state.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { resetSomeStreams } from '../../src/train/stream-resets.js';

const config = validateModelConfig({ cell: 'lstm', numLayers: 2, hiddenSize: 3, dropout: 0, vocabSize: 5 });

function ones(B: number): RecurrentState {
  const state = RecurrentState.zeros(createReferenceKernels('f32'), config, B);
  for (const l of state.layers) { l.h.fill(1); l.c!.fill(1); }
  return state;
}

/** Which rows are back at zero, in every layer's h and c alike. */
function zeroRows(state: RecurrentState): number[] {
  const rows: number[] = [];
  for (let b = 0; b < state.batchSize; b++) {
    const zero = state.layers.map((l) => [l.h, l.c!].every((x) => x.subarray(b * 3, b * 3 + 3).every((v) => v === 0)));
    const one = state.layers.map((l) => [l.h, l.c!].every((x) => x.subarray(b * 3, b * 3 + 3).every((v) => v === 1)));
    assert.ok(zero.every(Boolean) || one.every(Boolean), `row ${b} is reset in every tensor or in none`);
    if (zero[0]) rows.push(b);
  }
  return rows;
}

describe('resetSomeStreams', () => {
  it('resets about the given share of rows, the same rows for the same seed and step', () => {
    const runs = [0, 1, 2].map((step) => { const s = ones(400); resetSomeStreams(s, 0.1, 7, step); return zeroRows(s); });
    for (const rows of runs) assert.ok(rows.length > 20 && rows.length < 60, `${rows.length} of 400 rows`);
    assert.notDeepEqual(runs[0], runs[1]);
    const again = ones(400);
    resetSomeStreams(again, 0.1, 7, 1);
    assert.deepEqual(zeroRows(again), runs[1]);
  });

  it('share 0 leaves the state alone and share 1 resets every row', () => {
    const none = ones(8);
    resetSomeStreams(none, 0, 1, 3);
    assert.deepEqual(zeroRows(none), []);
    const all = ones(8);
    resetSomeStreams(all, 1, 1, 3);
    assert.deepEqual(zeroRows(all), [0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
