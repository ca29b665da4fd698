import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrainConfig } from '../../src/config/build-config.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { train } from '../../src/train/trainer.js';
import { corpusOf, pseudoEnglish } from '../helpers/tiny-corpus.js';

const corpus = corpusOf(pseudoEnglish(5000));
const fixedDate = (): Date => new Date('2026-01-01T00:00:00Z');

/** The model file with the fields that record wall-clock time blanked: the only fields allowed to differ between runs. */
function withoutTimings(path: string): string {
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
  delete json.savedAt;
  if (json.training) { json.training.elapsedMs = 0; }
  if (json.resume?.state) { json.resume.state.elapsedMs = 0; }
  return JSON.stringify(json);
}

async function run(dir: string, name: string, seed: number): Promise<string> {
  const config = buildTrainConfig('tiny', {
    model: { hiddenSize: 16, dropout: 0.2, numLayers: 2 }, bpttLength: 12, batchSize: 4, evalEvery: 6, evalChars: 300, seed,
    budget: { steps: 14 },
  });
  await train(config, corpus, {
    kernels: createReferenceKernels('f32'), modelPath: join(dir, `${name}.json`), latestPath: join(dir, `${name}.latest.json`),
    logPath: null, now: fixedDate,
  });
  return withoutTimings(join(dir, `${name}.latest.json`));
}

describe('determinism', () => {
  it('the same flags and seed give the same model file, bit for bit apart from the timing fields', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charlm-det-'));
    try {
      const a = await run(dir, 'a', 5);
      const b = await run(dir, 'b', 5);
      assert.equal(a, b);
      const c = await run(dir, 'c', 6);
      assert.notEqual(a, c, 'a different seed should give a different model');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
