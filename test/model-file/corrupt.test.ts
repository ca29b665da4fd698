import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFileError } from '../../src/errors.js';
import { loadModel } from '../../src/model-file/read.js';
import { serializeModel } from '../../src/model-file/write.js';
import { withTmpDir } from '../helpers/tmp.js';
import { base64Floats, makeModel, modelJson, writeJson } from './fixture.js';

const V = makeModel().config.vocabSize;

/** Each case damages a good model file in one way and names the message it must produce. */
interface Case {
  name: string;
  damage: (doc: Record<string, any>) => void;
  message: RegExp;
}

const cases: Case[] = [
  { name: 'a wrong format name', damage: (d) => { d.format = 'tensorflow'; }, message: /is not a charlm model file \(its "format" is "tensorflow"\)/ },
  { name: 'no format field', damage: (d) => { delete d.format; }, message: /is not a charlm model file \(it has no "format" field\)/ },
  { name: 'a newer version', damage: (d) => { d.version = 7; },
    message: /was written by a newer charlm \(format version 7; this charlm reads up to 1\)$/ },
  { name: 'an unknown version', damage: (d) => { d.version = '1'; }, message: /has an invalid format version "1"/ },
  { name: 'a missing field', damage: (d) => { delete d.vocab; }, message: /has no "vocab" field/ },
  { name: 'an unexpected field', damage: (d) => { d.extras = {}; }, message: /unexpected field "extras"/ },
  { name: 'a bad config', damage: (d) => { d.config.hiddenSize = -1; }, message: /has a bad "config": hiddenSize must be/ },
  { name: 'a bad vocabulary', damage: (d) => { d.vocab.symbols.reverse(); }, message: /has a bad vocabulary: .*sorted by code point/ },
  { name: 'a vocabulary of the wrong size', damage: (d) => { d.vocab.symbols.pop(); },
    message: new RegExp(`vocabulary has ${V - 1} symbols but "config.vocabSize" is ${V}`) },
  { name: 'a training record of the wrong type', damage: (d) => { d.training.steps = 'ten'; },
    message: /"training.steps" must be a whole number \(got "ten"\)/ },
  { name: 'a missing tensor', damage: (d) => { delete d.weights['decoder.weight']; }, message: /weight "decoder.weight" is missing/ },
  { name: 'an extra tensor', damage: (d) => { d.weights['extra.weight'] = d.weights['decoder.bias']; },
    message: /unexpected weight "extra.weight" \(not part of a 2-layer lstm\)/ },
  { name: 'a wrong shape', damage: (d) => { d.weights['decoder.bias'].shape = [V + 1]; },
    message: new RegExp(`weight "decoder.bias" has shape \\[${V + 1}\\] but the config implies \\[${V}\\]`) },
  { name: 'an absurd declared size', damage: (d) => { d.resume.tensors['state.h_l0'].shape = [1e9, 1e9]; },
    message: /resume tensor "state.h_l0" declares 1000000000000000000 values \(shape \[1000000000, 1000000000\]\), more than the whole file/ },
  { name: 'a non-integer dimension', damage: (d) => { d.resume.tensors['state.h_l0'].shape = [2.5, 3]; },
    message: /resume tensor "state.h_l0" has an invalid shape \[2.5, 3\]/ },
  { name: 'bad base64', damage: (d) => { d.weights['decoder.bias'].data = '@@@@' + d.weights['decoder.bias'].data.slice(4); },
    message: /the data of weight "decoder.bias" is not valid base64/ },
  { name: 'base64 of the wrong length', damage: (d) => { d.weights['decoder.bias'].data = base64Floats([1, 2]); },
    message: new RegExp(`the data of weight "decoder.bias" holds 8 bytes but shape \\[${V}\\] needs ${4 * V}`) },
  { name: 'a NaN weight', damage: (d) => {
    d.weights['decoder.bias'].data = base64Floats(Array.from({ length: V }, (_, i) => (i === 2 ? Number.NaN : i)));
  }, message: /weight "decoder.bias" has NaN at index 2/ },
  { name: 'an infinite weight', damage: (d) => {
    d.weights['lstm.bias_hh_l1'].data = base64Floats(Array.from({ length: 12 }, (_, i) => (i === 11 ? -Infinity : 0)));
  }, message: /weight "lstm.bias_hh_l1" has -Infinity at index 11/ },
  { name: 'a float64 tensor', damage: (d) => { d.weights['decoder.bias'].dtype = 'float64'; },
    message: /weight "decoder.bias" has dtype "float64"; only "float32" is supported/ },
  { name: 'a damaged resume section', damage: (d) => { d.resume.state = [1]; }, message: /"resume.state" must be an object/ },
];

async function messageFor(path: string): Promise<string> {
  try {
    await loadModel(path);
  } catch (err) {
    assert.ok(err instanceof ModelFileError, `expected ModelFileError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), 'the message is one line');
    return err.message;
  }
  return assert.fail(`${path} was accepted`);
}

describe('loadModel refuses a damaged file', () => {
  const messages: string[] = [];

  for (const c of cases) {
    it(`with ${c.name}, saying so`, () =>
      withTmpDir(async (dir) => {
        const doc = modelJson(makeModel());
        c.damage(doc);
        const path = join(dir, 'model.json');
        await writeJson(path, doc);
        const message = await messageFor(path);
        assert.match(message, c.message);
        assert.ok(message.startsWith(path), 'the message names the file');
        messages.push(message.slice(path.length));
      }));
  }

  it('gives each damage its own message', () => {
    assert.equal(messages.length, cases.length);
    assert.equal(new Set(messages).size, messages.length);
  });

  it('when it is truncated', () =>
    withTmpDir(async (dir) => {
      const text = serializeModel(makeModel()).join('');
      const path = join(dir, 'model.json');
      await writeFile(path, text.slice(0, Math.floor(text.length / 2)));
      assert.match(await messageFor(path), /model\.json is truncated or not JSON: /);
    }));

  it('when it holds a __proto__ key, and the prototype stays clean', () =>
    withTmpDir(async (dir) => {
      const text = serializeModel(makeModel()).join('').replace('"config": {', '"config": {"__proto__": {"polluted": true}, ');
      const path = join(dir, 'model.json');
      await writeFile(path, text);
      assert.match(await messageFor(path), /contains the key "__proto__"/);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    }));

  it('when it holds a constructor key', () =>
    withTmpDir(async (dir) => {
      const doc = modelJson(makeModel());
      doc.training.trainConfig = { constructor: { prototype: {} } };
      const path = join(dir, 'model.json');
      await writeJson(path, doc);
      assert.match(await messageFor(path), /contains the key "(constructor|prototype)"/);
    }));

  it('when it is empty, missing or a folder', () =>
    withTmpDir(async (dir) => {
      await writeFile(join(dir, 'empty.json'), '');
      await mkdir(join(dir, 'folder.json'));
      assert.match(await messageFor(join(dir, 'empty.json')), /is empty, not a charlm model file/);
      assert.match(await messageFor(join(dir, 'folder.json')), /is a directory, not a model file/);
      assert.match(await messageFor(join(dir, 'none.json')), /none\.json: no such model file/);
    }));

  it('when it is larger than 2 GiB, before reading it', () =>
    withTmpDir(async (dir) => {
      const path = join(dir, 'huge.json');
      await writeFile(path, '');
      await truncate(path, 3 * 1024 ** 3); // sparse: takes no disk space, and reading it would take seconds
      const started = performance.now();
      assert.match(await messageFor(path), /huge\.json is 3221225472 bytes, larger than the \d+ bytes charlm can read/);
      assert.ok(performance.now() - started < 1000, 'refused without reading');
    }));

  it('when it is JSON but not an object', () =>
    withTmpDir(async (dir) => {
      await writeFile(join(dir, 'list.json'), '[1, 2]');
      assert.match(await messageFor(join(dir, 'list.json')), /is not a charlm model file/);
    }));

  it('with the newer-version hint to upgrade', () =>
    withTmpDir(async (dir) => {
      const doc = modelJson(makeModel());
      doc.version = 2;
      await writeJson(join(dir, 'm.json'), doc);
      await assert.rejects(loadModel(join(dir, 'm.json')), (err: unknown) => err instanceof ModelFileError && /upgrade/.test(err.hint ?? ''));
    }));
});
