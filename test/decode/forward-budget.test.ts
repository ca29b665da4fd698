import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateModelConfig } from '../../src/config/model-config.js';
import { beamSearch, MAX_BEAM_WIDTH } from '../../src/decode/beam-search.js';
import { MAX_FORWARD_LOGITS } from '../../src/decode/forward-budget.js';
import { scoreIds, scoreLines } from '../../src/decode/scoring.js';
import { ConfigError } from '../../src/errors.js';
import { CharLM } from '../../src/model/char-lm.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { Rng } from '../../src/tensor/rng.js';
import { tinyModel } from '../helpers/tiny-model.js';

/**
 * A model with a vocabulary far larger than any text needs (a file may declare up to 1,114,112 symbols) and one hidden
 * unit, whose forward refuses (instead of allocating gigabytes) any call whose logits would pass the budget.
 */
const V = 400_000;
function hugeVocabularyModel(): { model: CharLM; largest: () => number } {
  const config = validateModelConfig({ cell: 'rnn', numLayers: 1, hiddenSize: 1, dropout: 0, vocabSize: V });
  const model = CharLM.create(config, createReferenceKernels('f32'), Rng.fromSeed(1));
  let largest = 0;
  const forward = model.forward.bind(model);
  model.forward = (inputs, targets, T, B, state, opts) => {
    largest = Math.max(largest, T * B * V);
    assert.ok(T * B * V <= MAX_FORWARD_LOGITS, `a forward of ${T} steps × ${B} rows × ${V} symbols`);
    return forward(inputs, targets, T, B, state, opts);
  };
  return { model, largest: () => largest };
}

describe('memory bounded by the work, not by the declared vocabulary', () => {
  it('scoring a short text with 4 streams over 400,000 symbols keeps each forward within the budget', () => {
    const { model, largest } = hugeVocabularyModel();
    const ids = Uint32Array.from({ length: 60 }, (_, i) => (i * 7919) % V);
    const plain = scoreIds(model, ids, { streams: 1 });
    const streamed = scoreIds(model, ids, { streams: 4, warmupChars: 0 });
    assert.equal(plain.chars, 59);
    assert.equal(streamed.chars, 59);
    assert.ok(Number.isFinite(plain.nats));
    assert.ok(largest() > 0 && largest() <= MAX_FORWARD_LOGITS);
  });

  it('scoring lines over a huge vocabulary batches fewer lines per forward', () => {
    const { model } = hugeVocabularyModel();
    const vocab = { lineMode: false, idOf: () => undefined, encode: (s: string) => Uint32Array.from(s, (c) => c.codePointAt(0)!),
      unknownChars: () => new Map<string, number>() } as unknown as Parameters<typeof scoreLines>[1];
    const scores = scoreLines(model, vocab, Array.from({ length: 10 }, (_, i) => `l ${i}`));
    assert.equal(scores.length, 10);
    assert.ok(scores.every((s) => Number.isFinite(s.logProb)));
  });
});

describe('beam width', () => {
  it(`is capped at ${MAX_BEAM_WIDTH}, and width × vocabulary is bounded`, async () => {
    const { model, vocab } = await tinyModel();
    assert.throws(() => beamSearch(model, vocab, { width: MAX_BEAM_WIDTH + 1, length: 2 }), ConfigError);
    const { model: huge } = hugeVocabularyModel();
    assert.throws(() => beamSearch(huge, vocab, { width: 100, length: 2 }),
      (e: Error) => e instanceof ConfigError && /use a width of at most \d+/.test((e as ConfigError).hint ?? ''));
  });

  it('a wide beam over a small vocabulary (more beams than candidates) still finds the best hypotheses in order', async () => {
    const { model, vocab } = await tinyModel();
    const wide = beamSearch(model, vocab, { width: 2000, length: 3, nBest: 50 });
    assert.equal(wide.length, 50);
    for (let i = 1; i < wide.length; i++) assert.ok(wide[i - 1].score >= wide[i].score);
    // With width ≥ V², every 2-character prefix is kept, so the best 3-character text is the exact best of all V³.
    const V = vocab.size;
    let bestExact = -Infinity;
    const exact = beamSearch(model, vocab, { width: V * V, length: 3 });
    for (const h of wide) bestExact = Math.max(bestExact, h.logProb);
    assert.ok(Math.abs(exact[0].logProb - bestExact) < 1e-9, `${exact[0].logProb} vs ${bestExact}`);
  });
});
