import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { beamSearch } from '../../src/decode/beam-search.js';
import { sample } from '../../src/decode/sampling.js';
import { Rng } from '../../src/tensor/rng.js';
import { tinyModel } from '../helpers/tiny-model.js';

type Tiny = Awaited<ReturnType<typeof tinyModel>>;
const PRIMES = ['', 'the ', 'a c', 'dog', 'sat on t'];

function greedy(m: Tiny, prime: string, length: number): { text: string; logProb: number } {
  let text = '';
  let logProb = 0;
  for (const c of sample(m.model, m.vocab, { length, prime, greedy: true }, Rng.fromSeed(0))) {
    text += c.char;
    logProb += c.logProb;
  }
  return { text, logProb };
}

describe('beamSearch', () => {
  it('width 1 equals greedy decoding (text and log-probability)', async () => {
    const m = await tinyModel({ hiddenSize: 12, steps: 20 });
    for (const prime of PRIMES) {
      const [best] = beamSearch(m.model, m.vocab, { width: 1, length: 40, prime });
      const g = greedy(m, prime, 40);
      assert.equal(best.text, g.text);
      assert.equal(best.logProb, g.logProb);
    }
  });

  it('the best beam is never less probable than greedy decoding', async () => {
    const m = await tinyModel({ hiddenSize: 12, steps: 20 });
    let better = 0;
    for (const prime of PRIMES) {
      const g = greedy(m, prime, 30);
      for (const width of [2, 3, 8]) {
        const [best] = beamSearch(m.model, m.vocab, { width, length: 30, prime });
        assert.equal([...best.text].length, 30);
        assert.ok(best.logProb >= g.logProb - 1e-9, `${prime} W=${width}: ${best.logProb} < ${g.logProb}`);
        if (best.logProb > g.logProb + 1e-6) better++;
      }
    }
    assert.ok(better > 0, 'a wider beam finds something more probable than greedy at least once');
  });

  it('returns n-best hypotheses, distinct and sorted by score', async () => {
    const m = await tinyModel();
    const list = beamSearch(m.model, m.vocab, { width: 6, length: 25, nBest: 5, prime: 'the ' });
    assert.equal(list.length, 5);
    assert.equal(new Set(list.map((h) => h.text)).size, 5);
    for (let i = 1; i < list.length; i++) assert.ok(list[i - 1].score >= list[i].score);
    for (const h of list) assert.equal(h.score, h.logProb); // no length penalty: score = logProb
  });

  it('a stop string finishes a hypothesis right after it', async () => {
    const m = await tinyModel();
    const list = beamSearch(m.model, m.vocab, { width: 4, length: 80, nBest: 3, prime: 'the', stop: '.' });
    for (const h of list) {
      if (h.finish === 'stop') assert.ok(h.text.endsWith('.') && h.text.indexOf('.') === h.text.length - 1);
      else assert.equal([...h.text].length, 80);
    }
    assert.ok(list.some((h) => h.finish === 'stop'));
  });

  it('in line mode hypotheses end at the end symbol, and a length penalty favours longer lines', async () => {
    const m = await tinyModel({ lineMode: true });
    const plain = beamSearch(m.model, m.vocab, { width: 8, length: 60, nBest: 8 });
    assert.ok(plain.every((h) => h.finish === 'end' && !h.text.includes('\n')));
    const A = 1.5;
    const penalised = beamSearch(m.model, m.vocab, { width: 8, length: 60, nBest: 8, lengthPenalty: A });
    for (const h of penalised) {
      const symbols = h.length + (h.finish === 'end' ? 1 : 0); // the end symbol counts as a symbol
      assert.ok(Math.abs(h.score - h.logProb / Math.pow(symbols, A)) < 1e-12);
    }
    assert.ok(penalised[0].length >= plain[0].length);
    const longest = (hs: typeof plain): number => Math.max(...hs.slice(0, 3).map((h) => h.length));
    assert.ok(longest(penalised) >= longest(plain));
  });
});
