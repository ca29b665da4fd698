import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel } from '../../src/model-file/read.js';
import { saveModel } from '../../src/model-file/write.js';
import { linesOf, runCli } from '../helpers/run-cli.js';
import { withTmpDir } from '../helpers/tmp.js';
import { tinyModel } from '../helpers/tiny-model.js';
import { makeModel } from '../model-file/fixture.js';

describe('charlm export and import', () => {
  it('round-trips a model through safetensors: same weights, same eval figure, same bytes when exported again', () =>
    withTmpDir(async (dir) => {
      const tiny = await tinyModel();
      const st = join(dir, 'm.safetensors');
      const exp = await runCli(['export', tiny.path, '-o', st]);
      assert.equal(exp.code, 0, exp.stderr);
      assert.equal(exp.stdout, '');
      assert.match(exp.stderr, /^exported 6 tensors \([\d,]+ parameters\) to .*m\.safetensors \([\d,]+ bytes\)\n$/);
      const back = join(dir, 'back.json');
      const imp = await runCli(['import', st, '-o', back, '--json']);
      assert.equal(imp.code, 0, imp.stderr);
      const report = JSON.parse(imp.stdout) as Record<string, unknown>;
      assert.deepEqual(report.dtypes, ['F32']);
      assert.equal(report.cell, 'lstm');
      const [a, b] = [await loadModel(tiny.path), await loadModel(back)];
      for (const [name, t] of a.weights) assert.deepEqual(b.weights.get(name)!.data, t.data, name);
      assert.equal(b.training, null);
      const text = join(dir, 'text.txt');
      await writeFile(text, tiny.text);
      const evals = await Promise.all([tiny.path, back].map((m) => runCli(['eval', m, text, '--json', '--streams', '1'])));
      assert.equal(JSON.parse(evals[0]!.stdout).natsPerChar, JSON.parse(evals[1]!.stdout).natsPerChar);
      const again = join(dir, 'again.safetensors');
      assert.equal((await runCli(['export', back, '-o', again])).code, 0);
      assert.deepEqual(await readFile(again), await readFile(st));
    }));

  it('refuses to replace an existing file without --force, and replaces it with --force', () =>
    withTmpDir(async (dir) => {
      const model = join(dir, 'm.json');
      await saveModel(model, makeModel());
      const st = join(dir, 'm.safetensors');
      await writeFile(st, 'precious');
      const r = await runCli(['export', model]); // the default output name is the model's with .safetensors
      assert.equal(r.code, 1);
      assert.deepEqual(linesOf(r.stderr), [`charlm: ${st} already exists (hint: use --force to replace it, or -o to choose another name)`]);
      assert.equal(await readFile(st, 'utf8'), 'precious');
      assert.equal((await runCli(['export', model, '--force'])).code, 0);
      const imp = await runCli(['import', st]);
      assert.equal(imp.code, 1);
      assert.match(imp.stderr, /m\.json already exists/);
      assert.equal((await runCli(['import', st, '--force'])).code, 0);
    }));

  it('imports a file without charlm metadata given --vocab, and says what is missing without it', () =>
    withTmpDir(async (dir) => {
      const tiny = await tinyModel();
      const st = join(dir, 'm.safetensors');
      assert.equal((await runCli(['export', tiny.path, '-o', st])).code, 0);
      // Strip "__metadata__": what PyTorch's save_file(model.state_dict()) would write.
      const bytes = await readFile(st);
      const n = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
      delete header.__metadata__;
      const h = Buffer.from(JSON.stringify(header));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(h.length));
      const bare = join(dir, 'bare.safetensors');
      await writeFile(bare, Buffer.concat([len, h, bytes.subarray(8 + n)]));
      const refused = await runCli(['import', bare, '-o', join(dir, 'x.json')]);
      assert.equal(refused.code, 1);
      assert.deepEqual(linesOf(refused.stderr), [`charlm: ${bare} has no vocabulary in its metadata ` +
        '(hint: give the training text with --vocab FILE, and --line-mode if the model was trained so)']);
      const text = join(dir, 'text.txt');
      await writeFile(text, tiny.text);
      const out = join(dir, 'x.json');
      const ok = await runCli(['import', bare, '-o', out, '--vocab', text]);
      assert.equal(ok.code, 0, ok.stderr);
      const m = await loadModel(out);
      assert.deepEqual(m.vocab.toJSON(), tiny.vocab.toJSON());
      assert.equal(m.config.hiddenSize, 16);
    }));

  it('refuses a file that is not safetensors with exit 1 and one line', () =>
    withTmpDir(async (dir) => {
      const model = join(dir, 'm.json');
      await saveModel(model, makeModel());
      const r = await runCli(['import', model, '-o', join(dir, 'x.json')]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(linesOf(r.stderr).length, 1);
      assert.match(r.stderr, /^charlm: .*m\.json is not a safetensors file \(or is truncated\): its header length \d+ is beyond the file's \d+ bytes/);
      const missing = await runCli(['import', join(dir, 'nope.safetensors')]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^charlm: .*nope\.safetensors: no such file\n$/);
    }));
});
