import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RowResets } from '../../src/nn/row-resets.js';
import { plannedRestarts, type RestartPlan } from '../../src/train/stream-resets.js';

const NL = 9;   // the line break's id in these chunks
const BOS = 8;  // line mode's start symbol

/** A (T, B) chunk whose row b reads a line break at step lineAt[b] (−1: none) and a letter (0) elsewhere. */
function chunk(T: number, lineAt: readonly number[]): Uint16Array {
  const B = lineAt.length;
  const ids = new Uint16Array(T * B);
  lineAt.forEach((t, b) => { if (t >= 0) ids[t * B + b] = NL; });
  return ids;
}

/** The restarts as (t, row) pairs, in order of t. */
function pairs(resets: RowResets | null, T: number): [number, number][] {
  const out: [number, number][] = [];
  if (resets === null) return out;
  for (let t = 0; t < T; t++) {
    const { from, to } = resets.at(t);
    for (let i = from; i < to; i++) out.push([t, resets.row(i)]);
  }
  return out;
}

const plan = (over: Partial<RestartPlan>): RestartPlan =>
  ({ share: 0.1, seed: 7, step: 0, lineStart: NL, everyItemAt: null, ...over });

describe('plannedRestarts', () => {
  it('chooses about the given share of rows, the same rows for the same seed and step', () => {
    const T = 4, ids = chunk(T, new Array<number>(400).fill(-1));
    const rowsAt = (step: number): number[] => pairs(plannedRestarts(ids, T, 400, plan({ step })), T).map(([, b]) => b);
    const runs = [0, 1, 2].map(rowsAt);
    for (const rows of runs) assert.ok(rows.length > 20 && rows.length < 60, `${rows.length} of 400 rows`);
    assert.notDeepEqual(runs[0], runs[1]);
    assert.deepEqual(rowsAt(1), runs[1]);
  });

  it('a chosen row restarts where it first reads a line break, at step 0 when it reads none', () => {
    const T = 6, lineAt = [3, -1, 0, 5];
    const got = pairs(plannedRestarts(chunk(T, lineAt), T, 4, plan({ share: 1 })), T);
    assert.deepEqual(got, [[0, 1], [0, 2], [3, 0], [5, 3]]);
    const noBreaks = pairs(plannedRestarts(chunk(T, lineAt), T, 4, plan({ share: 1, lineStart: null })), T);
    assert.deepEqual(noBreaks, [[0, 0], [0, 1], [0, 2], [0, 3]]);
  });

  it('share 0 restarts nothing outside line mode; in line mode every start symbol restarts its row', () => {
    const T = 5, ids = chunk(T, [1, 4, -1]);
    assert.equal(plannedRestarts(ids, T, 3, plan({ share: 0 })), null);
    ids[2 * 3 + 2] = BOS;
    ids[4 * 3 + 2] = BOS;
    const got = pairs(plannedRestarts(ids, T, 3, plan({ share: 0, lineStart: BOS, everyItemAt: BOS })), T);
    assert.deepEqual(got, [[2, 2], [4, 2]]);
  });
});
