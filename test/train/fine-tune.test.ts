// Fine-tuning (--init-from): a new run from a trained model's weights on another text, its vocabulary extended on request.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateModelConfig } from '../../src/config/model-config.js';
import { loadModel } from '../../src/model-file/read.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { Rng } from '../../src/tensor/rng.js';
import { fineTuningModel, fineTuningVocab } from '../../src/train/init-from.js';
import { runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { pseudoEnglish } from '../helpers/tiny-corpus.js';

const SMALL = ['--size', 'tiny', '--hidden-size', '16', '--seq-length', '16', '--batch-size', '4', '--eval-chars', '300', '--quiet'];

/** A text of another style with characters English lacks. */
function otherStyle(chars: number): string {
  const words = ['über', 'straße', 'schön', 'grüße', 'mädchen', 'fröhlich', 'und', 'die'];
  let out = '';
  for (let i = 0; out.length < chars; i++) out += words[(i * 7 + (i >> 2)) % words.length] + (i % 6 === 5 ? '!\n' : ' ');
  return out;
}

async function baseModel(dir: string): Promise<string> {
  const file = join(dir, 'base.txt');
  writeFileSync(file, pseudoEnglish(5000));
  const out = join(dir, 'base.json');
  const r = await runCli(['train', file, ...SMALL, '--steps', '6', '--eval-every', '3', '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  return out;
}

describe('fine-tuning with --init-from', () => {
  it('refuses characters the model never saw, naming them, unless --extend-vocab; then trains on the new text', async (t) => {
    const dir = await tmpDir(t);
    const base = await baseModel(dir);
    const text = join(dir, 'other.txt');
    writeFileSync(text, otherStyle(4000));
    const refused = await runCli(['train', text, ...SMALL, '--init-from', base, '--steps', '4', '-o', join(dir, 'ft.json')]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /never saw: .*ü/);
    assert.match(refused.stderr, /--extend-vocab/);

    const out = join(dir, 'ft.json');
    const r = await runCli(['train', text, '--init-from', base, '--extend-vocab', '--steps', '4', '--eval-every', '2',
      '--seq-length', '16', '--batch-size', '4', '-o', out, '--quiet', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { steps: number }).steps, 4);
    const [before, after] = [await loadModel(base), await loadModel(out)];
    assert.deepEqual([after.config.hiddenSize, after.config.numLayers, after.config.cell],
      [before.config.hiddenSize, before.config.numLayers, before.config.cell]);
    for (const c of ['ü', 'ß', 'ö', 'ä']) assert.ok(after.vocab.idOf(c) !== undefined, c);
    for (const c of before.vocab.chars()) assert.ok(after.vocab.idOf(c) !== undefined, `keeps ${JSON.stringify(c)}`);
    assert.equal(after.training?.corpus.name, 'other.txt');
    assert.equal(after.training?.steps, 4);
  });

  it('refuses an architecture flag that disagrees with the model, and --init-from with --resume', async (t) => {
    const dir = await tmpDir(t);
    const base = await baseModel(dir);
    const text = join(dir, 'base.txt');
    const shape = await runCli(['train', text, '--init-from', base, '--hidden-size', '32', '--steps', '2']);
    assert.equal(shape.code, 2, shape.stderr);
    assert.match(shape.stderr, /--hidden-size cannot differ from the model given to --init-from/);
    const both = await runCli(['train', text, '--init-from', base, '--resume', join(dir, 'base.latest.json')]);
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /--init-from cannot be used with --resume/);
  });

  it('starts from the saved weights: old symbols keep their rows and columns at their new ids, new ones start fresh', async (t) => {
    const dir = await tmpDir(t);
    const saved = await loadModel(await baseModel(dir));
    const init = { model: saved, extendVocab: true };
    const vocab = fineTuningVocab(init, otherStyle(500));
    assert.ok(vocab.size > saved.vocab.size);
    const config = validateModelConfig({ ...saved.config, vocabSize: vocab.size });
    const model = fineTuningModel(init, vocab, config, createReferenceKernels('f32'), Rng.fromSeed(1), 1);
    const H = saved.config.hiddenSize;
    const [oldDec, newDec] = [saved.weights.get('decoder.weight')!.data, model.params.view('decoder.weight')];
    const [oldIn, newIn] = [saved.weights.get('lstm.weight_ih_l0')!.data, model.params.view('lstm.weight_ih_l0')];
    for (const c of saved.vocab.chars()) {
      const [o, n] = [saved.vocab.idOf(c)!, vocab.idOf(c)!];
      for (let h = 0; h < H; h++) assert.equal(newDec[n * H + h], oldDec[o * H + h]);
      for (let g = 0; g < 4 * H; g++) assert.equal(newIn[g * vocab.size + n], oldIn[g * saved.vocab.size + o]);
    }
    const fresh = vocab.idOf('ü')!;
    assert.ok(Array.from({ length: H }, (_, h) => newDec[fresh * H + h]!).some((w) => w !== 0), 'new rows are initialised');
    for (const [name, t] of saved.weights) {
      if (t.shape.every((d, i) => d === model.params.specs.find((s) => s.name === name)!.shape[i])) {
        assert.deepEqual(Array.from(model.params.view(name)), Array.from(t.data), `${name} unchanged`);
      }
    }
  });
});
