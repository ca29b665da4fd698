import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFileError } from '../../src/errors.js';
import { FORMAT_VERSION, MODEL_FORMAT } from '../../src/model-file/format.js';
import { loadModel } from '../../src/model-file/read.js';
import { saveModel } from '../../src/model-file/write.js';
import { withTmpDir } from '../helpers/tmp.js';
import { makeModel, modelJson } from './fixture.js';

function bytesOf(data: Float32Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

describe('saveModel then loadModel', () => {
  for (const cell of ['lstm', 'gru', 'rnn', 'rnn-relu'] as const) {
    it(`gives back a ${cell} model bit for bit, including -0, denormals and the largest floats`, () =>
      withTmpDir(async (dir) => {
        const model = makeModel({ cell, seed: 3 });
        const path = join(dir, 'm.json');
        await saveModel(path, model);
        const back = await loadModel(path);
        assert.deepEqual(back.config, model.config);
        assert.deepEqual(back.vocab.toJSON(), model.vocab.toJSON());
        assert.deepEqual(back.training, model.training);
        assert.deepEqual([...back.weights.keys()], [...model.weights.keys()]);
        for (const [name, t] of model.weights) {
          const got = back.weights.get(name)!;
          assert.deepEqual(got.shape, t.shape);
          assert.ok(bytesOf(got.data).equals(bytesOf(t.data)), `${name} differs`);
        }
        assert.ok(Object.is(back.weights.values().next().value!.data[0], -0));
        assert.deepEqual(back.resume!.state, model.resume!.state);
        for (const [name, t] of model.resume!.tensors) {
          assert.ok(bytesOf(back.resume!.tensors.get(name)!.data).equals(bytesOf(t.data)), `resume tensor ${name} differs`);
        }
        assert.equal(back.file?.version, FORMAT_VERSION);
      }));
  }

  it('writes the documented top-level fields in order, metadata first', () =>
    withTmpDir(async (dir) => {
      const path = join(dir, 'm.json');
      await saveModel(path, makeModel({ resume: false }));
      const text = await readFile(path, 'utf8');
      const doc = JSON.parse(text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(doc), ['format', 'version', 'createdBy', 'savedAt', 'config', 'vocab', 'training', 'weights', 'resume']);
      assert.equal(doc.format, MODEL_FORMAT);
      assert.match(String(doc.createdBy), /^charlm \d+\.\d+\.\d+/);
      assert.equal(doc.resume, null);
      assert.match(text.split('\n')[1]!, /"format": "charlm-model"/);
    }));

  it('stores a model with no training record as training: null', () =>
    withTmpDir(async (dir) => {
      const model = { ...makeModel({ resume: false }), training: null };
      await saveModel(join(dir, 'm.json'), model);
      assert.equal((await loadModel(join(dir, 'm.json'))).training, null);
    }));
});

describe('atomic save', () => {
  it('leaves the old file intact and no temporary file when serialization throws', () =>
    withTmpDir(async (dir) => {
      const path = join(dir, 'm.json');
      await saveModel(path, makeModel());
      const before = await readFile(path);
      const broken = makeModel({ seed: 9 });
      broken.weights.get('decoder.bias')!.data[1] = Number.NaN;
      await assert.rejects(saveModel(path, broken), (err: unknown) =>
        err instanceof ModelFileError && /weight "decoder.bias" has NaN at index 1/.test(err.message));
      assert.ok((await readFile(path)).equals(before));
      assert.deepEqual(await readdir(dir), ['m.json']);
    }));

  it('removes its temporary file when the final rename fails', () =>
    withTmpDir(async (dir) => {
      const path = join(dir, 'taken');
      await mkdir(path);
      await writeFile(join(path, 'inside.txt'), 'x'); // a non-empty folder cannot be replaced by a file
      await assert.rejects(saveModel(path, makeModel()), ModelFileError);
      assert.deepEqual(await readdir(dir), ['taken']);
    }));

  it('creates the missing parent folder', () =>
    withTmpDir(async (dir) => {
      const path = join(dir, 'a', 'b', 'm.json');
      await saveModel(path, makeModel());
      assert.equal((await loadModel(path)).config.cell, 'lstm');
    }));

  it('refuses to save weights whose shape disagrees with the config', async () => {
    const model = makeModel();
    model.weights.set('decoder.bias', { shape: [2], data: new Float32Array(2) });
    await assert.rejects(saveModel('/nonexistent/never-written.json', model), /has shape \[2\], expected/);
  });

  it('serializes the same model the same way twice', () => {
    const a = modelJson(makeModel());
    const b = modelJson(makeModel());
    delete a.savedAt;
    delete b.savedAt;
    assert.deepEqual(a, b);
  });
});
