import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSampleOptions, decodingContext, logSoftmax, primeState, sample, sampleFromLogits, SamplingScratch, type GenerateOptions,
} from '../../src/decode/sampling.js';
import { VocabularyError } from '../../src/errors.js';
import { Rng } from '../../src/tensor/rng.js';
import { tinyModel } from '../helpers/tiny-model.js';

const LOGITS = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.2)]);

function frequencies(opts: Parameters<typeof checkSampleOptions>[0], draws = 20000): number[] {
  const rng = Rng.fromSeed(3);
  const scratch = new SamplingScratch(3);
  const counts = [0, 0, 0];
  for (let i = 0; i < draws; i++) counts[sampleFromLogits(LOGITS, opts, rng, scratch)]++;
  return counts.map((c) => c / draws);
}

function near(actual: number[], expected: number[], tol: number): void {
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol, `${actual} vs ${expected}`));
}

describe('sampleFromLogits', () => {
  it('at temperature 1 draws each symbol with its softmax probability', () => {
    near(frequencies({}), [0.5, 0.3, 0.2], 0.015);
  });

  it('top-k 2 never draws the third symbol and renormalises the other two', () => {
    near(frequencies({ topK: 2 }), [0.5 / 0.8, 0.3 / 0.8, 0], 0.015);
  });

  it('top-p 0.7 keeps the smallest prefix reaching 70% of the mass (the first two)', () => {
    near(frequencies({ topP: 0.7 }), [0.5 / 0.8, 0.3 / 0.8, 0], 0.015);
    near(frequencies({ topP: 0.5 }), [1, 0, 0], 0);
  });

  it('temperature 0.5 squares the probabilities before renormalising', () => {
    const z = 0.25 + 0.09 + 0.04;
    near(frequencies({ temperature: 0.5 }), [0.25 / z, 0.09 / z, 0.04 / z], 0.015);
  });

  it('greedy, temperature 0, top-k 1 and a tiny top-p all take the most likely symbol', () => {
    for (const opts of [{ greedy: true }, { temperature: 0 }, { topK: 1 }, { topP: 1e-9 }]) {
      near(frequencies(opts, 200), [1, 0, 0], 0);
    }
  });

  it('reports the model log-probability at temperature 1, whatever the rule', () => {
    const scratch = new SamplingScratch(3);
    const rng = Rng.fromSeed(1);
    for (const opts of [{}, { temperature: 0.3 }, { topK: 2 }, { greedy: true }]) {
      const id = sampleFromLogits(LOGITS, opts, rng, scratch);
      assert.ok(Math.abs(scratch.logProb - Math.log([0.5, 0.3, 0.2][id])) < 1e-6);
    }
  });

  it('a greedy draw leaves the rng untouched', () => {
    const rng = Rng.fromSeed(5);
    const before = JSON.stringify(rng.state());
    sampleFromLogits(LOGITS, { greedy: true }, rng, new SamplingScratch(3));
    assert.equal(JSON.stringify(rng.state()), before);
  });

  it('rejects a negative temperature and a top-p above 1', () => {
    assert.throws(() => checkSampleOptions({ temperature: -1 }), /temperature/);
    assert.throws(() => checkSampleOptions({ topP: 1.5 }), /top-p/);
  });
});

function run(m: Awaited<ReturnType<typeof tinyModel>>, opts: GenerateOptions, seed = 1): { text: string; logProbs: number[] } {
  const logProbs: number[] = [];
  let text = '';
  for (const c of sample(m.model, m.vocab, opts, Rng.fromSeed(seed))) {
    text += c.char;
    logProbs.push(c.logProb);
  }
  return { text, logProbs };
}

describe('sample', () => {
  it('produces exactly --length characters', async () => {
    const m = await tinyModel();
    assert.equal([...run(m, { length: 37 }).text].length, 37);
    assert.equal(run(m, { length: 0 }).text, '');
  });

  it('gives the same text for the same seed and a different text for another seed', async () => {
    const m = await tinyModel();
    const a = run(m, { length: 200, temperature: 1.5 }, 11).text;
    assert.equal(run(m, { length: 200, temperature: 1.5 }, 11).text, a);
    assert.notEqual(run(m, { length: 200, temperature: 1.5 }, 12).text, a);
  });

  it('temperature 0, top-k 1 and a tiny top-p all equal greedy decoding', async () => {
    const m = await tinyModel();
    const greedy = run(m, { length: 60, greedy: true, prime: 'the ' });
    for (const opts of [{ temperature: 0 }, { topK: 1 }, { topP: 1e-9 }]) {
      assert.deepEqual(run(m, { length: 60, prime: 'the ', ...opts }, 99), greedy);
    }
  });

  it('stops right after the stop string, which it includes', async () => {
    const m = await tinyModel();
    const free = run(m, { length: 300, prime: 'the', temperature: 0.8 }, 4).text;
    const at = free.indexOf('.');
    assert.ok(at >= 0, 'the tiny model writes full stops');
    assert.equal(run(m, { length: 300, prime: 'the', temperature: 0.8, stop: '.' }, 4).text, free.slice(0, at + 1));
  });

  it('priming with one batched forward leaves the same state as stepping through the prime', async () => {
    const m = await tinyModel();
    const context = decodingContext(m.vocab, m.vocab.encode('the cat sat on the'));
    const primed = primeState(m.model, m.vocab, context);
    const stepped = m.model.createState(1);
    const logits = m.model.kernels.alloc(m.vocab.size);
    for (const id of context.slice(0, -1)) m.model.step(Uint16Array.of(id), stepped, logits);
    const h1 = primed.layers[0].h;
    const h2 = stepped.layers[0].h;
    for (let i = 0; i < h1.length; i++) assert.ok(Math.abs(h1[i] - h2[i]) < 1e-5);
  });

  it('each yielded logProb is the model log-probability of that character after the prime', async () => {
    const m = await tinyModel();
    const { text, logProbs } = run(m, { length: 5, prime: 'the c', temperature: 1 }, 8);
    const state = m.model.createState(1);
    const logits = m.model.kernels.alloc(m.vocab.size);
    const lp = new Float64Array(m.vocab.size);
    const ids = [...m.vocab.encode('the c' + text)];
    for (let i = 0; i < ids.length - 1; i++) {
      m.model.step(Uint16Array.of(ids[i]), state, logits);
      if (i >= 4) {
        logSoftmax(logits, 0, m.vocab.size, lp);
        assert.ok(Math.abs(lp[ids[i + 1]] - logProbs[i - 4]) < 1e-5);
      }
    }
  });

  it('a prime with characters outside the vocabulary is a VocabularyError naming them, and skip drops them', async () => {
    const m = await tinyModel();
    assert.throws(() => run(m, { length: 3, prime: 'thé Q' }), (err: Error) =>
      err instanceof VocabularyError && /"é", "Q"/.test(err.message));
    const skipped = run(m, { length: 20, prime: 'thé Q', unknown: 'skip', greedy: true });
    assert.deepEqual(skipped, run(m, { length: 20, prime: 'th ', greedy: true }));
  });

  it('in line mode a sample is one line: it ends at the end symbol and holds no line break', async () => {
    const m = await tinyModel({ lineMode: true });
    let ended = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const { text } = run(m, { length: 200 }, seed);
      assert.ok(!text.includes('\n'));
      if ([...text].length < 200) ended++;
    }
    assert.ok(ended >= 4, 'most lines end well before 200 characters');
  });
});
