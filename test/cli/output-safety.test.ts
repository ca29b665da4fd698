import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../src/model-file/read.js';
import { BIN, REPO_ROOT, linesOf, runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { pseudoEnglish } from '../helpers/tiny-corpus.js';
import { tinyModel } from '../helpers/tiny-model.js';

const SMALL = ['--size', 'tiny', '--hidden-size', '16', '--seq-length', '16', '--batch-size', '4', '--eval-chars', '300',
  '--sample-length', '0', '--quiet'];

function corpusFile(dir: string): string {
  const path = join(dir, 'tiny.txt');
  writeFileSync(path, pseudoEnglish(5000));
  return path;
}

describe('training output safety', () => {
  it('trains into models/ from a folder that has none (the log is written before the first save)', async (t) => {
    const dir = await tmpDir(t);
    corpusFile(dir);
    const r = await runCli(['train', 'tiny.txt', ...SMALL, '--steps', '60', '--eval-every', '60'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await loadModel(join(dir, 'models', 'tiny.json'))).training?.steps, 60);
    assert.equal(linesOf(readFileSync(join(dir, 'models', 'tiny.log.jsonl'), 'utf8')).length, 61);
    assert.ok(!existsSync(join(dir, 'models', 'tiny.lock')), 'the lock is released');
  });

  it("refuses with exit 2 to replace another run's model, naming --resume and --force; --force replaces it", async (t) => {
    const dir = await tmpDir(t);
    const file = corpusFile(dir);
    const out = join(dir, 'm.json');
    assert.equal((await runCli(['train', file, ...SMALL, '--steps', '4', '-o', out])).code, 0);
    const before = readFileSync(out);
    const refused = await runCli(['train', file, ...SMALL, '--steps', '2', '--hidden-size', '8', '-o', out]);
    assert.equal(refused.code, 2);
    assert.equal(linesOf(refused.stderr).length, 1, refused.stderr);
    assert.match(refused.stderr, /holds a model from another training run.*--resume .*m\.latest\.json.*--force/);
    assert.deepEqual(readFileSync(out), before);
    const forced = await runCli(['train', file, ...SMALL, '--steps', '2', '--hidden-size', '8', '-o', out, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    const [best, latest] = [await loadModel(out), await loadModel(join(dir, 'm.latest.json'))];
    assert.equal(best.config.hiddenSize, 8);
    assert.equal(best.training?.startedAt, latest.training?.startedAt, 'best and latest come from the same run');
    assert.deepEqual(linesOf(readFileSync(join(dir, 'm.log.jsonl'), 'utf8')).map((l) => (JSON.parse(l) as { step: number }).step),
      [1, 2, 2], 'the new run started a new log');
  });

  it('--keep 2 keeps the models of the last two validations as NAME.step-K.json', async (t) => {
    const dir = await tmpDir(t);
    const out = join(dir, 'k.json');
    const r = await runCli(['train', corpusFile(dir), ...SMALL, '--steps', '6', '--eval-every', '2', '--keep', '2', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(dir, 'k.step-2.json')));
    assert.equal((await loadModel(join(dir, 'k.step-4.json'))).training?.steps, 4);
    assert.equal((await loadModel(join(dir, 'k.step-6.json'))).training?.steps, 6);
    // A checkpoint resumes into the run's own files (k.json, k.latest.json).
    const resumed = await runCli(['train', join(dir, 'tiny.txt'), '--resume', join(dir, 'k.step-4.json'), '--steps', '8', '--quiet',
      '--sample-length', '0']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((await loadModel(join(dir, 'k.latest.json'))).training?.steps, 8);
  });

  it('-o through a file says which file is in the way', async (t) => {
    const dir = await tmpDir(t);
    const file = corpusFile(dir);
    const r = await runCli(['train', file, ...SMALL, '--steps', '2', '-o', join(file, 'm.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /tiny\.txt is a file, not a folder/);
    assert.equal(linesOf(r.stderr).length, 1);
  });

  it('a stdout that fails for another reason than a closed pipe (a full disk) gives one line and exit 1', async (t) => {
    if (!existsSync('/dev/full')) {
      t.skip('no /dev/full on this system');
      return;
    }
    const { path } = await tinyModel();
    const full = openSync('/dev/full', 'w');
    const child = spawn(process.execPath, [BIN, 'generate', path, '--length', '100000', '--seed', '1'],
      { cwd: REPO_ROOT, stdio: ['ignore', full, 'pipe'] });
    closeSync(full);
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 1, stderr);
    assert.equal(linesOf(stderr).length, 1, stderr);
    assert.match(stderr, /cannot write .*standard output.*no space left/);
  });

  it('SIGTERM outside training (here: while reading standard input) exits with 130', async () => {
    const child = spawn(process.execPath, [BIN, 'vocab', '-'], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    // A megabyte is more than a pipe holds: once it is written, charlm is running and reading its input.
    await new Promise((resolve) => child.stdin.write(Buffer.alloc(1 << 20, 'a'), resolve));
    child.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    child.stdin.destroy();
    assert.equal(signal, null);
    assert.equal(code, 130);
  });
});
