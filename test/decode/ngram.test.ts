import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NgramModel } from '../../src/decode/ngram.js';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

describe('NgramModel', () => {
  it('a bigram with absolute discounting d = 0.75 on "ababab" gives the hand-computed probabilities', () => {
    // a = 0, b = 1, V = 2. Unigrams: c(a) = c(b) = 3, N = 6, two types.
    const ids = NgramModel.fit([0, 1, 0, 1, 0, 1], 2, { smoothing: 'absolute', discount: 0.75, vocabSize: 2 });
    const p0 = (3 - 0.75) / 6 + (0.75 * 2) / 6 * (1 / 2); // 0.5
    // Bigrams ab ×3, ba ×2: c(a•) = 3 with one successor type, c(b•) = 2 with one successor type.
    const pBgivenA = (3 - 0.75) / 3 + (0.75 * 1) / 3 * p0; // 0.875
    const pAgivenA = 0 + (0.75 * 1) / 3 * p0;               // 0.125
    const pAgivenB = (2 - 0.75) / 2 + (0.75 * 1) / 2 * p0; // 0.8125
    const pBgivenB = 0 + (0.75 * 1) / 2 * p0;               // 0.1875
    close(Math.exp(ids.logProb([0], 1)), pBgivenA);
    close(Math.exp(ids.logProb([0], 0)), pAgivenA);
    close(Math.exp(ids.logProb([1], 0)), pAgivenB);
    close(Math.exp(ids.logProb([1], 1)), pBgivenB);
    close(Math.exp(ids.logProb([], 0)), p0);
    // "abba": the targets b|a, b|b, a|b.
    const ce = ids.crossEntropy([0, 1, 1, 0]);
    assert.equal(ce.chars, 3);
    close(ce.natsPerChar, -(Math.log(pBgivenA) + Math.log(pBgivenB) + Math.log(pAgivenB)) / 3);
  });

  it('interpolated Kneser-Ney uses continuation counts below the top order (hand-computed on "aabab")', () => {
    // ids a = 0, b = 1, and c = 2 never seen; V = 3. Bigrams: aa ×1, ab ×2, ba ×1.
    const kn = NgramModel.fit([0, 0, 1, 0, 1], 2, { smoothing: 'kneser-ney', discount: 0.75, vocabSize: 3 });
    // Continuations: a follows {a, b} → 2, b follows {a} → 1; total 3, two types.
    const p0a = (2 - 0.75) / 3 + (0.75 * 2) / 3 * (1 / 3);
    const p0b = (1 - 0.75) / 3 + (0.75 * 2) / 3 * (1 / 3);
    const p0c = (0.75 * 2) / 3 * (1 / 3);
    close(p0a + p0b + p0c, 1);
    // c(a•) = 3 with two successor types (a, b).
    close(Math.exp(kn.logProb([0], 1)), (2 - 0.75) / 3 + (0.75 * 2) / 3 * p0b);
    close(Math.exp(kn.logProb([0], 2)), (0.75 * 2) / 3 * p0c);
    // The same text with raw counts at order 0 gives a different P(b | a).
    const abs = NgramModel.fit([0, 0, 1, 0, 1], 2, { smoothing: 'absolute', discount: 0.75, vocabSize: 3 });
    const p0bRaw = (2 - 0.75) / 5 + (0.75 * 2) / 5 * (1 / 3);
    close(Math.exp(abs.logProb([0], 1)), (2 - 0.75) / 3 + (0.75 * 2) / 3 * p0bRaw);
  });

  it('every context gives a distribution that sums to 1 (orders 1 to 4, both smoothings)', () => {
    const text = 'the cat sat on the mat. the dog sat on the log.';
    for (const smoothing of ['kneser-ney', 'absolute'] as const) {
      for (let order = 1; order <= 4; order++) {
        const m = NgramModel.fit(text, order, { smoothing });
        for (const ctx of ['', 't', 'th', 'the', 'xq', ' sa', 'zzz']) {
          let sum = 0;
          for (let w = 0; w < m.vocabSize; w++) sum += Math.exp(m.logProb(ctx, w));
          close(sum, 1, 1e-9);
        }
      }
    }
  });

  it('a higher order fits its own training text better', () => {
    const text = 'the cat sat on the mat. the dog sat on the log. '.repeat(5);
    const losses = [1, 2, 3, 4].map((n) => NgramModel.fit(text, n).crossEntropy(text).natsPerChar);
    for (let i = 1; i < losses.length; i++) assert.ok(losses[i] < losses[i - 1], `order ${i + 1}: ${losses}`);
  });

  it('crossEntropy leaves out targets equal to ignoreTarget', () => {
    const m = NgramModel.fit([0, 2, 3, 1, 0, 2, 1], 2, { vocabSize: 4 });
    const all = m.crossEntropy([0, 2, 3, 1, 0, 2, 1]);
    const some = m.crossEntropy([0, 2, 3, 1, 0, 2, 1], { ignoreTarget: 0 });
    assert.equal(all.chars, 6);
    assert.equal(some.chars, 5);
    close(all.nats - some.nats, -m.logProb([1], 0));
  });
});
