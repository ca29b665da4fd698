// python/charlm_torch.py against charlm, when /usr/bin/python3 can import torch: a charlm model exported, trained a few
// steps with DistributedDataParallel on 2 CPU processes (gloo, the spawn launcher), imported, and scored by charlm eval.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateModelConfig } from '../../src/config/model-config.js';
import { CharLM } from '../../src/model/char-lm.js';
import { loadModel } from '../../src/model-file/read.js';
import { saveModel } from '../../src/model-file/write.js';
import { createKernels } from '../../src/tensor/create-kernels.js';
import { Rng } from '../../src/tensor/rng.js';
import { Vocab } from '../../src/text/vocab.js';
import { REPO_ROOT, runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { TINY_TEXT, tinyModel } from '../helpers/tiny-model.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(REPO_ROOT, 'python', 'charlm_torch.py');
/** One thread per process: the machine may be shared, and two processes are enough to show the streams split. */
const ENV = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', PYTHONFAULTHANDLER: '1' };

function torchMissing(): string | false {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', env: ENV, timeout: 120_000 });
  if (probe.error !== undefined) return `${PYTHON} cannot be run (${probe.error.message}): skipped the PyTorch round trip`;
  if (probe.status !== 0) return `${PYTHON} cannot import torch (install python3-torch): skipped the PyTorch round trip`;
  return false;
}

function python(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that a timeout ends the spawned training processes too.
    const child = spawn(PYTHON, [SCRIPT, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** The last JSON line the trainer printed (its summary). */
function summary(stdout: string): Record<string, any> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, any>;
}

/** The tiny test model, exported into a fresh folder. */
async function exportTiny(t: Parameters<typeof tmpDir>[0]) {
  const dir = await tmpDir(t);
  const tiny = await tinyModel();
  const exported = join(dir, 'tiny.safetensors');
  assert.equal((await runCli(['export', tiny.path, '-o', exported])).code, 0);
  return { dir, tiny, exported };
}

describe('python/charlm_torch.py with PyTorch', { skip: torchMissing() }, () => {
  it('export, DDP training on 2 processes, import: charlm eval equals PyTorch\'s validation figure within 1e-4', async (t) => {
    const { dir, tiny, exported } = await exportTiny(t);

    // export → PyTorch → export: loaded into the module and saved untouched, the bytes are the same.
    const text = join(dir, 'train.txt');
    const val = join(dir, 'val.txt');
    await writeFile(text, tiny.text);
    await writeFile(val, 'a dog sat on the mat.\nthe cat and the log.\n'.repeat(4)); // only characters the model knows
    const common = ['--val', val, '--batch-size', '4', '--seq-length', '16', '--lr', '0.01', '--schedule', 'constant',
      '--eval-every', '0', '--threads', '1', '--timeout', '120', '--steps'];
    const resaved = join(dir, 'resaved.safetensors');
    const r0 = await python(['train', exported, text, '-o', resaved, ...common, '0']);
    assert.equal(r0.code, 0, r0.stderr);
    assert.deepEqual(await readFile(resaved), await readFile(exported), 'bit-identical');

    const ddp = join(dir, 'ddp.safetensors');
    const r2 = await python(['train', exported, text, '-o', ddp, '--nproc', '2', ...common, '4']);
    assert.equal(r2.code, 0, `${r2.stdout}\n${r2.stderr}`);
    const done = summary(r2.stdout);
    assert.equal(done.processes, 2);
    assert.equal(done.steps, 4);

    const imported = join(dir, 'ddp.json');
    assert.equal((await runCli(['import', ddp, '-o', imported])).code, 0);
    const ev = await runCli(['eval', imported, val, '--streams', '1', '--json']);
    assert.equal(ev.code, 0, ev.stderr);
    const charlmLoss = (JSON.parse(ev.stdout) as { natsPerChar: number }).natsPerChar;
    assert.ok(Math.abs(charlmLoss - done.valLoss) < 1e-4, `charlm ${charlmLoss} vs PyTorch ${done.valLoss}`);

    // Training changed the weights, and one process with all 4 streams takes the same steps as two with 2 each.
    const [before, after] = [await loadModel(tiny.path), await loadModel(imported)];
    assert.notDeepEqual(after.weights.get('decoder.bias')!.data, before.weights.get('decoder.bias')!.data);
    const single = await python(['train', exported, text, '-o', join(dir, 'one.safetensors'), ...common, '4']);
    assert.equal(single.code, 0, single.stderr);
    assert.ok(Math.abs(summary(single.stdout).valLoss - done.valLoss) < 1e-5,
      `1 process ${summary(single.stdout).valLoss} vs 2 processes ${done.valLoss}`);
  });

  it('a projected LSTM, a GRU and a line-mode GRU (each item from the start state): PyTorch scores a text as charlm eval does, and saves them back bit-identically', async (t) => {
    const dir = await tmpDir(t);
    const text = join(dir, 'text.txt');
    await writeFile(text, TINY_TEXT);
    const cases = [
      { name: 'proj', lineMode: false, config: { cell: 'lstm', numLayers: 2, hiddenSize: 12, projSize: 5, dropout: 0.1 } },
      { name: 'gru', lineMode: false, config: { cell: 'gru', numLayers: 1, hiddenSize: 10, dropout: 0 } },
      { name: 'gru-lines', lineMode: true, config: { cell: 'gru', numLayers: 2, hiddenSize: 10, dropout: 0 } },
    ];
    for (const c of cases) {
      const vocab = Vocab.fromText(TINY_TEXT, { lineMode: c.lineMode });
      const config = validateModelConfig({ ...c.config, vocabSize: vocab.size });
      const model = CharLM.create(config, createKernels('f32'), Rng.fromSeed(5));
      const path = join(dir, `${c.name}.json`);
      await saveModel(path, { config, vocab, weights: model.exportWeights(), training: null, resume: null });
      const exported = join(dir, `${c.name}.safetensors`);
      assert.equal((await runCli(['export', path, '-o', exported])).code, 0);
      const scored = await python(['score', exported, text]);
      assert.equal(scored.code, 0, scored.stderr);
      const ev = await runCli(['eval', path, text, '--streams', '1', '--json']);
      const [torchLoss, charlmLoss] = [JSON.parse(scored.stdout).natsPerChar, JSON.parse(ev.stdout).natsPerChar];
      assert.ok(Math.abs(torchLoss - charlmLoss) < 1e-5, `${c.name}: PyTorch ${torchLoss} vs charlm ${charlmLoss}`);
      const resaved = join(dir, `${c.name}-resaved.safetensors`);
      const r = await python(['train', exported, text, '-o', resaved, '--steps', '0', '--batch-size', '2', '--seq-length', '8']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await readFile(resaved), await readFile(exported), `${c.name}: bit-identical`);
    }
  });

  it('refuses a text with characters outside the vocabulary, in one line', async (t) => {
    const { dir, exported } = await exportTiny(t);
    const text = join(dir, 'odd.txt');
    await writeFile(text, 'the cat sat on the mat, Zebra!\n'.repeat(20));
    const r = await python(['train', exported, text, '-o', join(dir, 'x.safetensors'), '--steps', '1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^charlm_torch: the text has \d+ characters not in the vocabulary: .*"Z"/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});
