// PyTorch's side, checked without PyTorch: models that PyTorch initialised and saved as safetensors, and PyTorch's own
// per-character log-probabilities of a short text under each (made once by test/fixtures/torch/make_fixture.py).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CharLM } from '../../src/model/char-lm.js';
import { exportSafetensors, importSafetensors } from '../../src/model-file/exchange.js';
import { SafetensorsReader, sourceFromBytes } from '../../src/model-file/safetensors.js';
import { createKernels } from '../../src/tensor/create-kernels.js';
import { REPO_ROOT } from '../helpers/run-cli.js';

const DIR = join(REPO_ROOT, 'test', 'fixtures', 'torch');

interface Expected {
  text: string;
  torch: string;
  models: Record<string, { file: string; dtype: string; lineMode: boolean; targets: number[]; logProbs: number[] }>;
}

const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Expected;
const text = readFileSync(join(DIR, expected.text), 'utf8');

async function importFixture(file: string) {
  const reader = await SafetensorsReader.open(join(DIR, file));
  try {
    return { saved: await importSafetensors(reader), dtypes: reader.header.entries.map((e) => e.dtype) };
  } finally {
    await reader.close();
  }
}

/** ln P of each symbol after the first, the text run as one stream from the zero state; log-softmax in float64. */
function logProbs(model: CharLM, ids: ArrayLike<number>): number[] {
  const T = ids.length - 1;
  const V = model.config.vocabSize;
  const inputs = Uint32Array.from({ length: T }, (_, t) => ids[t]!);
  const targets = Uint32Array.from({ length: T }, (_, t) => ids[t + 1]!);
  const pass = model.forward(inputs, targets, T, 1, model.createState(1), { training: false });
  const out: number[] = [];
  for (let t = 0; t < T; t++) {
    const row = Array.from(pass.logits.subarray(t * V, (t + 1) * V), Number);
    const max = Math.max(...row);
    const logSum = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    out.push(row[targets[t]!]! - logSum);
  }
  return out;
}

describe(`models PyTorch ${expected.torch} saved as safetensors`, () => {
  for (const [name, m] of Object.entries(expected.models)) {
    it(`${name}: charlm's log-probabilities equal PyTorch's within 1e-5 per character`, async () => {
      const { saved, dtypes } = await importFixture(m.file);
      assert.ok(dtypes.every((d) => d === m.dtype), `stored as ${m.dtype}`);
      assert.equal(saved.vocab.lineMode, m.lineMode);
      const ids = saved.vocab.lineMode ? saved.vocab.encodeLines(text) : saved.vocab.encode(text);
      assert.deepEqual(Array.from(ids).slice(1), m.targets, 'the same encoding of the text as the PyTorch side');
      const model = CharLM.fromWeights(saved.config, createKernels('f32'), saved.weights);
      const got = logProbs(model, ids);
      let worst = 0;
      got.forEach((lp, i) => { worst = Math.max(worst, Math.abs(lp - m.logProbs[i]!)); });
      assert.ok(worst < 1e-5, `largest difference ${worst} nats`);
    });
  }

  it('importing and exporting again gives the bytes PyTorch wrote (F32), or the same float32 weights (F16, BF16)', async () => {
    for (const m of Object.values(expected.models)) {
      const { saved } = await importFixture(m.file);
      const again = Buffer.concat(exportSafetensors(saved));
      if (m.dtype === 'F32') {
        assert.deepEqual(again, readFileSync(join(DIR, m.file)), `${m.file}: bit-exact`);
      } else {
        const back = await importSafetensors(await sourceFromBytes(again, 'again'));
        for (const [k, t] of saved.weights) assert.deepEqual(back.weights.get(k)!.data, t.data, `${m.file} ${k}`);
      }
    }
  });
});
