import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parameterCount } from '../../src/config/model-config.js';
import { saveModel } from '../../src/model-file/write.js';
import { linesOf, runCli } from '../helpers/run-cli.js';
import { withTmpDir } from '../helpers/tmp.js';
import { makeModel, modelJson, TRAINING } from '../model-file/fixture.js';

describe('charlm info', () => {
  it('describes the network, vocabulary and training record', () =>
    withTmpDir(async (dir) => {
      const model = makeModel({ cell: 'gru', layers: 2, hiddenSize: 3 });
      const path = join(dir, 'm.json');
      await saveModel(path, model);
      const r = await runCli(['info', path]);
      assert.equal(r.code, 0);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, /gru, 2 layers × 3 hidden units/);
      assert.match(r.stdout, new RegExp(`parameters +${parameterCount(model.config)}\n`));
      assert.match(r.stdout, new RegExp(`vocabulary +${model.config.vocabSize} symbols`));
      assert.match(r.stdout, /1\.2500 nats\/char = 1\.8034 bits\/char/);
      assert.match(r.stdout, /tiny\.txt/);
    }));

  it('--json has cell, layers, hiddenSize, vocabSize, params and the training record', () =>
    withTmpDir(async (dir) => {
      const model = makeModel();
      const path = join(dir, 'm.json');
      await saveModel(path, model);
      const r = await runCli(['info', path, '--json']);
      assert.equal(r.code, 0);
      const out = JSON.parse(r.stdout) as Record<string, any>;
      assert.equal(out.cell, 'lstm');
      assert.equal(out.layers, 2);
      assert.equal(out.hiddenSize, 3);
      assert.equal(out.vocabSize, model.config.vocabSize);
      assert.equal(out.params, parameterCount(model.config));
      assert.equal(out.formatVersion, 1);
      assert.equal(out.training.steps, TRAINING.steps);
      assert.ok(Math.abs(out.training.bestValBitsPerChar - TRAINING.bestValLoss! / Math.LN2) < 1e-12);
      assert.equal(out.resumable, true);
    }));

  it('refuses a damaged model with exit 1 and one stderr line', () =>
    withTmpDir(async (dir) => {
      const doc = modelJson(makeModel());
      doc.weights['decoder.bias'].shape = [1];
      const path = join(dir, 'bad.json');
      await writeFile(path, JSON.stringify(doc));
      const r = await runCli(['info', path]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      const lines = linesOf(r.stderr);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /^charlm: .*bad\.json is damaged: weight "decoder\.bias" has shape \[1\]/);
    }));

  it('refuses a truncated model with exit 1 and one stderr line', () =>
    withTmpDir(async (dir) => {
      const path = join(dir, 'cut.json');
      await writeFile(path, '{"format": "charlm-model", "version": 1, "con');
      const r = await runCli(['info', path]);
      assert.equal(r.code, 1);
      assert.equal(linesOf(r.stderr).length, 1);
      assert.match(r.stderr, /^charlm: .*cut\.json is truncated or not JSON: /);
    }));
});

describe('charlm info --kernels', () => {
  it('names the kernel that runs and its instruction set, as text and as JSON', async () => {
    const json = await runCli(['info', '--kernels', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { chosen: string; isa: string; native: { supported: string[] } | null };
    assert.ok(['native', 'wasm', 'reference'].includes(report.chosen));
    if (report.chosen === 'native') assert.equal(report.isa, report.native!.supported[0]);
    const text = await runCli(['info', '--kernels']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, new RegExp(`^kernel +${report.chosen}, `));
  });

  it('follows CHARLM_NATIVE_ISA, and says why the native kernel did not load for a variant that does not exist', async () => {
    const portable = await runCli(['info', '--kernels', '--json'], { env: { CHARLM_NATIVE_ISA: 'portable' } });
    const report = JSON.parse(portable.stdout) as { chosen: string; isa: string };
    if (report.chosen === 'native') assert.equal(report.isa, 'portable');
    const bogus = await runCli(['info', '--kernels'], { env: { CHARLM_NATIVE_ISA: 'bogus' } });
    assert.equal(bogus.code, 0);
    assert.match(bogus.stdout, /^native +(does not load: .*bogus|not installed)/m);
  });

  it('takes no model file, and needs one without --kernels (usage errors, exit 2)', async () => {
    assert.equal((await runCli(['info', '--kernels', 'm.json'])).code, 2);
    assert.equal((await runCli(['info'])).code, 2);
  });
});
