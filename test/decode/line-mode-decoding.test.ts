import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { beamSearch } from '../../src/decode/beam-search.js';
import { sample } from '../../src/decode/sampling.js';
import { scoreLines } from '../../src/decode/scoring.js';
import { CharLM } from '../../src/model/char-lm.js';
import { Rng } from '../../src/tensor/rng.js';
import { tinyModel } from '../helpers/tiny-model.js';

type Tiny = Awaited<ReturnType<typeof tinyModel>>;

/** A copy of the line-mode tiny model whose decoder favours the start symbol by `bias` nats everywhere. */
async function startHungry(bias: number): Promise<Tiny> {
  const m = await tinyModel({ lineMode: true });
  const model = CharLM.fromWeights(m.model.config, m.model.kernels, m.model.exportWeights());
  model.params.view('decoder.bias')[m.vocab.bos!] += bias;
  return { ...m, model };
}

function lineLogProb(m: Tiny, line: string): number {
  return scoreLines(m.model, m.vocab, [line])[0].logProb;
}

describe('line-mode decoding', () => {
  it('beam search ends a line only with the end symbol and never emits the start symbol', async () => {
    const m = await startHungry(8);
    for (const width of [1, 4]) {
      const list = beamSearch(m.model, m.vocab, { width, length: 30, nBest: 4 });
      assert.ok(list.length > 0);
      for (const h of list) {
        assert.ok(h.finish === 'end' || h.finish === 'length', h.finish);
        assert.equal(h.text.length, h.length);
        if (h.finish === 'end') assert.ok(Math.abs(h.logProb - lineLogProb(m, h.text)) < 1e-5, `${JSON.stringify(h.text)}`);
      }
    }
  });

  it('sampling never picks the start symbol, even when the model likes it best', async () => {
    const m = await startHungry(8);
    for (const greedy of [true, false]) {
      for (let seed = 0; seed < 5; seed++) {
        const items = [...sample(m.model, m.vocab, { length: 40, greedy }, Rng.fromSeed(seed))];
        assert.ok(items.every((c) => c.id !== m.vocab.bos));
        assert.ok(items.slice(0, -1).every((c) => c.end !== true && c.char !== ''), 'only the last item may be the end');
      }
    }
  });

  it('a line gets the same log-probability from beam, sampling and eval --per-line (within 1e-5)', async () => {
    const m = await tinyModel({ lineMode: true });
    const ended = beamSearch(m.model, m.vocab, { width: 6, length: 40, nBest: 6 }).filter((h) => h.finish === 'end');
    assert.ok(ended.length > 0, 'some hypotheses end by themselves');
    for (const h of ended) assert.ok(Math.abs(h.logProb - lineLogProb(m, h.text)) < 1e-5, `beam ${JSON.stringify(h.text)}`);
    let endedSamples = 0;
    for (let seed = 0; seed < 8; seed++) {
      const items = [...sample(m.model, m.vocab, { length: 60 }, Rng.fromSeed(seed))];
      if (items.at(-1)?.end !== true) continue;
      endedSamples++;
      const text = items.map((c) => c.char).join('');
      const logProb = items.reduce((sum, c) => sum + c.logProb, 0);
      assert.ok(Math.abs(logProb - lineLogProb(m, text)) < 1e-5, `sample ${JSON.stringify(text)}`);
    }
    assert.ok(endedSamples > 0, 'some samples end by themselves');
  });
});
