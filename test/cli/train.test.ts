import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../src/model-file/read.js';
import { BIN, REPO_ROOT, linesOf, runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { pseudoEnglish } from '../helpers/tiny-corpus.js';

const SMALL = ['--size', 'tiny', '--hidden-size', '16', '--seq-length', '16', '--batch-size', '4', '--eval-chars', '300'];

function corpusFile(dir: string, chars = 5000): string {
  const path = join(dir, 'tiny.txt');
  writeFileSync(path, pseudoEnglish(chars));
  return path;
}

describe('charlm train', () => {
  it('trains, saves the best and latest models and a log, and prints a JSON summary on stdout', async (t) => {
    const dir = await tmpDir(t);
    const out = join(dir, 'm.json');
    const r = await runCli(['train', corpusFile(dir), ...SMALL, '--steps', '12', '--eval-every', '6', '-o', out, '--json',
      '--sample-length', '40']);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(summary.steps, 12);
    assert.equal(typeof summary.bestValLoss, 'number');
    assert.ok((summary.charsPerSec as number) > 0);
    assert.equal((summary.sample as string).length, 40);
    assert.ok(existsSync(join(dir, 'm.latest.json')));
    const log = readFileSync(join(dir, 'm.log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number });
    assert.equal(log.filter((l) => 'trainLoss' in l && (l as { trainLoss: unknown }).trainLoss !== null).length, 12);
    const saved = await loadModel(out);
    assert.equal(saved.config.hiddenSize, 16);
    assert.equal(saved.training?.steps, 12);
  });

  it('--forget-bias sets the initial forget-gate bias, recorded in the training config', async (t) => {
    const dir = await tmpDir(t);
    const out = join(dir, 'f.json');
    const r = await runCli(['train', corpusFile(dir), ...SMALL, '--steps', '1', '--forget-bias', '2.5', '-o', out, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const saved = await loadModel(out);
    assert.equal(saved.training?.trainConfig.forgetBias, 2.5);
    // One Adam step moves a bias by at most about the learning rate, so the forget rows still sit near 2.5.
    const bias = saved.weights.get('lstm.bias_ih_l0')!.data;
    const H = saved.config.hiddenSize;
    for (let j = H; j < 2 * H; j++) assert.ok(Math.abs(bias[j] - 2.5) < 0.05, `b_ih_f[${j - H}] = ${bias[j]}`);
  });

  it('--proj-size trains an LSTM with a projection (PyTorch names), which generates and resumes; other cells refuse it', async (t) => {
    const dir = await tmpDir(t);
    const corpus = corpusFile(dir);
    const out = join(dir, 'p.json');
    const r = await runCli(['train', corpus, ...SMALL, '--layers', '2', '--proj-size', '6', '--steps', '6', '--eval-every', '3',
      '-o', out, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const saved = await loadModel(out);
    assert.equal(saved.config.projSize, 6);
    assert.deepEqual(saved.weights.get('lstm.weight_hr_l1')!.shape, [6, 16]);
    assert.deepEqual(saved.weights.get('lstm.weight_hh_l0')!.shape, [64, 6]);
    assert.deepEqual(saved.weights.get('decoder.weight')!.shape, [saved.config.vocabSize, 6]);
    const g = await runCli(['generate', out, '--length', '30', '--seed', '1']);
    assert.equal(g.code, 0, g.stderr);
    assert.ok(g.stdout.length >= 30);
    const resumed = await runCli(['train', corpus, '--resume', join(dir, 'p.latest.json'), '--steps', '8', '-o', join(dir, 'p2.json'), '--quiet']);
    assert.equal(resumed.code, 0, resumed.stderr);
    for (const bad of [['--cell', 'gru', '--proj-size', '4'], ['--proj-size', '16']]) {
      const e = await runCli(['train', corpus, ...SMALL, ...bad, '--steps', '1', '-o', join(dir, 'x.json')]);
      assert.equal(e.code, 2, bad.join(' '));
      assert.match(e.stderr, /proj size/);
    }
  });

  it('--quiet keeps stderr empty and --json keeps stdout pure JSON', async (t) => {
    const dir = await tmpDir(t);
    const r = await runCli(['train', corpusFile(dir), ...SMALL, '--steps', '3', '-o', join(dir, 'q.json'), '--quiet', '--json']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.doesNotThrow(() => JSON.parse(r.stdout));
  });

  it('rejects nonsense flag values with exit code 2 and one line on stderr', async (t) => {
    const dir = await tmpDir(t);
    const file = corpusFile(dir, 500);
    for (const flags of [['--hidden-size', '-3'], ['--lr', 'abc'], ['--cell', 'transformer'], ['--dropout', '1'], ['--val-frac', '2'],
      ['--forget-bias', 'x'], ['--forget-bias', '99'], ['--layers', '99'], ['--lr', '1e9']]) {
      const r = await runCli(['train', file, ...flags]);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.equal(linesOf(r.stderr).length, 1);
      assert.match(r.stderr, /^charlm: /);
    }
  });

  it('refuses a missing file and a text too small for one batch with exit code 1', async (t) => {
    const dir = await tmpDir(t);
    const missing = await runCli(['train', join(dir, 'nope.txt')]);
    assert.equal(missing.code, 1);
    assert.equal(linesOf(missing.stderr).length, 1);
    const small = join(dir, 'small.txt');
    writeFileSync(small, 'abcabc');
    const r = await runCli(['train', small, '-o', join(dir, 's.json')]);
    assert.equal(r.code, 1);
    assert.equal(linesOf(r.stderr).length, 1);
    assert.match(r.stderr, /batch/);
  });

  it('refuses to change the model shape when resuming', async (t) => {
    const dir = await tmpDir(t);
    const file = corpusFile(dir);
    const out = join(dir, 'r.json');
    assert.equal((await runCli(['train', file, ...SMALL, '--steps', '4', '-o', out, '--quiet'])).code, 0);
    const r = await runCli(['train', file, '--resume', join(dir, 'r.latest.json'), '--hidden-size', '32', '--steps', '8']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--hidden-size cannot change when resuming/);
    const ok = await runCli(['train', file, '--resume', join(dir, 'r.latest.json'), '--steps', '8', '--quiet', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { steps: number }).steps, 8);
  });

  it('resumes a model saved before --forget-bias existed (its training config has no forgetBias)', async (t) => {
    const dir = await tmpDir(t);
    const file = corpusFile(dir);
    const out = join(dir, 'old.json');
    assert.equal((await runCli(['train', file, ...SMALL, '--steps', '3', '-o', out, '--quiet'])).code, 0);
    const latest = join(dir, 'old.latest.json');
    const json = JSON.parse(readFileSync(latest, 'utf8')) as { training: { trainConfig: Record<string, unknown> } };
    delete json.training.trainConfig.forgetBias;
    writeFileSync(latest, JSON.stringify(json));
    const r = await runCli(['train', file, '--resume', latest, '--steps', '5', '--quiet', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { steps: number }).steps, 5);
  });

  it('Ctrl-C finishes the step, saves the latest model and exits with code 130', async (t) => {
    const dir = await tmpDir(t);
    const file = corpusFile(dir, 20_000);
    const out = join(dir, 'i.json');
    const child = spawn(process.execPath, [BIN, 'train', file, ...SMALL, '--steps', '1000000', '--eval-every', '1000000', '-o', out],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      // The first progress line means training has started.
      if (!sent && /parameters/.test(stderr)) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 300);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 130, stderr);
    const match = /interrupted at step (\d+)/.exec(stderr);
    assert.ok(match, stderr);
    const saved = await loadModel(join(dir, 'i.latest.json'));
    assert.equal(saved.training?.steps, Number(match[1]));
    assert.ok(saved.resume !== null);
  });
});
