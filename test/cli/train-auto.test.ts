// `charlm train` without --size: the settings chosen from the text and the budget (config/auto-config.ts), said on
// stderr, recorded in the model like flags, overridden one by one by flags, and kept as they were by --resume.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS } from '../../src/config/presets.js';
import type { TrainConfig } from '../../src/config/train-config.js';
import { loadModel } from '../../src/model-file/read.js';
import { runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { pseudoEnglish } from '../helpers/tiny-corpus.js';

const CHOSE = /^chose (\d+) × (\d+) GRU, batch (\d+) × (\d+), dropout ([\d.]+), lr ([\d.e-]+), validation every (?:step|(\d+) steps) for .*$/m;

async function trainIn(dir: string, args: string[]): Promise<{ stderr: string; config: TrainConfig; stdout: string }> {
  const file = join(dir, 'text.txt');
  writeFileSync(file, pseudoEnglish(5000));
  const out = join(dir, 'm.json');
  const r = await runCli(['train', file, '--steps', '4', '-o', out, '--sample-length', '0', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return { stderr: r.stderr, stdout: r.stdout, config: (await loadModel(out)).training!.trainConfig as unknown as TrainConfig };
}

describe('charlm train chooses its settings without --size', () => {
  it('says in one line what it chose, and records exactly that in the model', async (t) => {
    const { stderr, config, stdout } = await trainIn(await tmpDir(t), ['--json']);
    const m = CHOSE.exec(stderr);
    assert.ok(m, stderr);
    const [, layers, hidden, batch, seq, dropout, lr, every] = m.map((v) => Number(v ?? 1)); // "every step": 1
    assert.deepEqual([config.model.numLayers, config.model.hiddenSize, config.batchSize, config.bpttLength, config.model.dropout,
      config.learningRate, config.evalEvery], [layers, hidden, batch, seq, dropout, lr, every]);
    assert.equal(config.budget.steps, 4);
    assert.equal((JSON.parse(stdout) as { chosen: string }).chosen, m[0]);
  });

  it('chooses the same settings for the same command and text', async (t) => {
    const a = await trainIn(await tmpDir(t), ['--quiet']);
    const b = await trainIn(await tmpDir(t), ['--quiet']);
    assert.deepEqual(a.config, b.config);
  });

  it('lets each flag override its own value and chooses the rest around it', async (t) => {
    const chosen = (await trainIn(await tmpDir(t), ['--quiet'])).config;
    const { stderr, config } = await trainIn(await tmpDir(t), ['--dropout', '0.3', '--hidden-size', '24', '--batch-size', '3']);
    assert.deepEqual([config.model.dropout, config.model.hiddenSize, config.batchSize], [0.3, 24, 3]);
    assert.equal(config.bpttLength, chosen.bpttLength);
    assert.equal(config.model.numLayers, chosen.model.numLayers);
    assert.match(stderr, /chose 1 × 24 GRU, batch 3 × \d+, dropout 0\.3,/);
    assert.equal(config.model.cell, 'gru');
    const lstm = await trainIn(await tmpDir(t), ['--cell', 'lstm']);
    assert.match(lstm.stderr, /chose \d+ × \d+ LSTM,/);
  });

  it('keeps the --size presets as they are, without a choice', async (t) => {
    const { stderr, config } = await trainIn(await tmpDir(t), ['--size', 'tiny', '--eval-chars', '300']);
    assert.doesNotMatch(stderr, /chose/);
    assert.equal(config.model.hiddenSize, PRESETS.tiny.model?.hiddenSize);
    assert.equal(config.learningRate, PRESETS.tiny.learningRate);
  });

  it('resumes with the settings it chose, choosing nothing again', async (t) => {
    const dir = await tmpDir(t);
    const first = await trainIn(dir, ['--quiet']);
    const r = await runCli(['train', join(dir, 'text.txt'), '--resume', join(dir, 'm.latest.json'), '--steps', '6',
      '--sample-length', '0']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /chose/);
    const resumed = (await loadModel(join(dir, 'm.latest.json'))).training!.trainConfig;
    assert.deepEqual(resumed, { ...first.config, budget: { ...first.config.budget, steps: 6 } });
  });
});
