// RecurrentState (src/model/recurrent-state.ts): zeros, clone, reset, copyFrom, and row selection for beam search.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecurrentState } from '../../src/model/recurrent-state.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';

const k = createReferenceKernels('f32');
const lstm = { cell: 'lstm' as const, numLayers: 2, hiddenSize: 2, dropout: 0, vocabSize: 3 };

function numbered(B: number): RecurrentState {
  const s = RecurrentState.zeros(k, lstm, B);
  s.layers.forEach((l, li) => {
    l.h.forEach((_, i) => { l.h[i] = 100 * li + i; });
    l.c!.forEach((_, i) => { l.c![i] = -(100 * li + i); });
  });
  return s;
}

describe('RecurrentState', () => {
  it('starts at zero with h and c per layer for the LSTM, h only for other cells', () => {
    const s = RecurrentState.zeros(k, lstm, 3);
    assert.equal(s.layers.length, 2);
    assert.ok(s.layers.every((l) => l.h.length === 6 && l.c !== null && l.c.every((x) => x === 0)));
    assert.equal(RecurrentState.zeros(k, { ...lstm, cell: 'gru' }, 3).layers[0].c, null);
  });

  it('clone is independent, reset zeroes, copyFrom copies', () => {
    const s = numbered(2);
    const c = s.clone();
    s.reset();
    assert.ok(s.layers[1].h.every((x) => x === 0));
    assert.equal(c.layers[1].h[3], 103);
    s.copyFrom(c);
    assert.equal(s.layers[1].c![3], -103);
    assert.throws(() => s.copyFrom(numbered(3)), /different shapes/);
  });

  it('selectRows makes row r the old row rows[r], in place, for h and c of every layer', () => {
    const s = numbered(3).selectRows([2, 2, 0]);
    assert.deepEqual(Array.from(s.layers[1].h), [104, 105, 104, 105, 100, 101]);
    assert.deepEqual(Array.from(s.layers[0].c!), [-4, -5, -4, -5, -0, -1]);
    assert.throws(() => s.selectRows([0, 1]), /3 row indices/);
    assert.throws(() => s.selectRows([0, 1, 3]), /outside/);
  });

  it('gatherRows builds a state of another batch size', () => {
    const g = numbered(2).gatherRows([1, 1, 1, 0]);
    assert.equal(g.batchSize, 4);
    assert.deepEqual(Array.from(g.layers[0].h), [2, 3, 2, 3, 2, 3, 0, 1]);
  });
});
