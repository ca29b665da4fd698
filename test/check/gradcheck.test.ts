import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GRADCHECK_THRESHOLD, isWorse } from '../../src/check/gradcheck.js';

/** The largest error of a sequence as gradCheck keeps it, element after element. */
const worstOf = (errors: number[]): number => errors.reduce((worst, e) => (isWorse(e, worst) ? e : worst), 0);

describe('gradient check bookkeeping', () => {
  it('a NaN error is never replaced by a later finite one, so the check cannot pass', () => {
    assert.ok(Number.isNaN(worstOf([1e-9, Number.NaN, 1e-8, 0.5])));
    assert.ok(Number.isNaN(worstOf([Number.NaN, 1e-12])));
    assert.ok(!(worstOf([Number.NaN, 1e-12]) < GRADCHECK_THRESHOLD));
  });

  it('otherwise keeps the largest error', () => {
    assert.equal(worstOf([1e-9, 3e-7, 2e-8]), 3e-7);
    assert.equal(worstOf([]), 0);
  });
});
