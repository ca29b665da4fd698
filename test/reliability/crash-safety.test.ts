// Crash safety, kept in the suite: training killed with SIGKILL at random moments (most of them inside a save, since it
// saves at every step here), interrupted by a double Ctrl-C, and run out of file space during a save.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../src/model-file/read.js';
import { Rng } from '../../src/tensor/rng.js';
import { BIN, REPO_ROOT, linesOf, runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { pseudoEnglish } from '../helpers/tiny-corpus.js';
import { fuzzSeed } from './fuzz.js';

const QUIET = ['--sample-length', '0', '--quiet'];
const FLAGS = ['--size', 'tiny', '--hidden-size', '48', '--seq-length', '16', '--batch-size', '4', '--eval-chars', '200', ...QUIET];
/** Kills per run of the suite; CHARLM_CRASH_RUNS=200 tries more. */
const KILLS = Number(process.env.CHARLM_CRASH_RUNS) > 0 ? Number(process.env.CHARLM_CRASH_RUNS) : 6;

const temporaries = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.tmp'));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function startTraining(args: string[]): { child: ChildProcess; exited: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, 'train', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  return { child, exited };
}

/** Waits until the training child holds the lock of its output, that is, has claimed its files and is about to train. */
async function untilTraining(lockPath: string, pid: number, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => { done = true; });
  while (!done) {
    if (existsSync(lockPath) && readFileSync(lockPath, 'utf8').trim() === String(pid)) return;
    await sleep(5);
  }
}

/** Every model file in `dir` loads; the latest is never older than the best, and both come from the same run. */
async function checkModelsOnDisk(dir: string): Promise<void> {
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) await loadModel(join(dir, name));
  const [bestPath, latestPath] = [join(dir, 'c.json'), join(dir, 'c.latest.json')];
  if (existsSync(bestPath) && existsSync(latestPath)) {
    const [best, latest] = [(await loadModel(bestPath)).training!, (await loadModel(latestPath)).training!];
    assert.ok(latest.steps >= best.steps, `latest at step ${latest.steps} is older than best at ${best.steps}`);
    assert.equal(latest.startedAt, best.startedAt, 'best and latest from the same run');
  }
}

describe('crash safety', () => {
  it(`SIGKILL at ${KILLS} random moments: models load, latest never older than best, no temporary file outlives the next run`,
    async (t) => {
      const dir = await tmpDir(t);
      const corpus = join(dir, 'c.txt');
      writeFileSync(corpus, pseudoEnglish(20_000));
      const out = join(dir, 'c.json');
      const latest = join(dir, 'c.latest.json');
      const rng = Rng.fromSeed(fuzzSeed());
      // Temporary files of earlier kills: gone once a later run has got as far as saving a model.
      let pending: string[] = [];
      let duringSave = 0;
      const latestStep = async (): Promise<number> => (existsSync(latest) ? (await loadModel(latest)).training!.steps : -1);
      for (let i = 0; i < KILLS; i++) {
        const resume = existsSync(latest) ? ['--resume', latest] : [];
        const stepBefore = await latestStep();
        const { child, exited } = startTraining([corpus, ...FLAGS, '--eval-every', '1', '--steps', '1000000', '-o', out, ...resume]);
        await untilTraining(join(dir, 'c.lock'), child.pid!, exited);
        await sleep(rng.int(400));
        child.kill('SIGKILL');
        const end = await exited;
        assert.equal(end.signal, 'SIGKILL', `the training ended on its own: ${end.stderr}`);
        await checkModelsOnDisk(dir);
        const saved = (await latestStep()) > stepBefore;
        if (saved) for (const name of pending) assert.ok(!existsSync(join(dir, name)), `${name} survived the next run`);
        const left = temporaries(dir);
        if (left.some((name) => !pending.includes(name))) duringSave++;
        pending = saved ? left : [...new Set([...pending, ...left])];
      }
      t.diagnostic(`${duringSave} of ${KILLS} kills landed inside a save (its temporary file was left for the next run)`);
      // A last run ends normally and leaves neither temporary files nor its lock.
      const steps = existsSync(latest) ? (await loadModel(latest)).training!.steps : 0;
      const resume = existsSync(latest) ? ['--resume', latest] : [];
      const last = await runCli(['train', corpus, ...FLAGS, '--eval-every', '1', '--steps', String(steps + 2), '-o', out, ...resume]);
      assert.equal(last.code, 0, last.stderr);
      assert.deepEqual(temporaries(dir), []);
      assert.ok(!existsSync(join(dir, 'c.lock')));
      await checkModelsOnDisk(dir);
    });

  it('a second training on the same output is refused while the first runs, with one line naming it', async (t) => {
    const dir = await tmpDir(t);
    const corpus = join(dir, 'c.txt');
    writeFileSync(corpus, pseudoEnglish(20_000));
    const out = join(dir, 'c.json');
    const first = startTraining([corpus, ...FLAGS, '--steps', '1000000', '-o', out]);
    try {
      await untilTraining(join(dir, 'c.lock'), first.child.pid!, first.exited);
      const second = await runCli(['train', corpus, ...FLAGS, '--steps', '2', '-o', out, '--force']);
      assert.equal(second.code, 1, second.stderr);
      assert.equal(linesOf(second.stderr).length, 1);
      assert.match(second.stderr, new RegExp(`another charlm train \\(process ${first.child.pid}\\) is writing .*c\\.json`));
    } finally {
      first.child.kill('SIGKILL'); // and wait, so that the folder is not removed while it still writes
      await first.exited;
    }
  });

  it('a double Ctrl-C exits 130 at once and leaves no temporary file', async (t) => {
    const dir = await tmpDir(t);
    const corpus = join(dir, 'c.txt');
    writeFileSync(corpus, pseudoEnglish(20_000));
    const { child, exited } = startTraining([corpus, ...FLAGS, '--eval-every', '1', '--steps', '1000000', '-o', join(dir, 'c.json')]);
    await untilTraining(join(dir, 'c.lock'), child.pid!, exited);
    await sleep(100);
    child.kill('SIGINT');
    child.kill('SIGINT');
    const end = await exited;
    assert.equal(end.code, 130, end.stderr);
    assert.deepEqual(temporaries(dir), []);
    await checkModelsOnDisk(dir);
  });

  it('a save that runs out of file space (ulimit -f) fails with one clear line and leaves the old model intact', async (t) => {
    if (process.platform === 'win32') {
      t.skip('needs a POSIX shell for ulimit -f');
      return;
    }
    const dir = await tmpDir(t);
    const corpus = join(dir, 'c.txt');
    writeFileSync(corpus, pseudoEnglish(5000));
    const out = join(dir, 'c.json');
    const latest = join(dir, 'c.latest.json');
    const first = await runCli(['train', corpus, ...FLAGS, '--hidden-size', '16', '--steps', '3', '-o', out]);
    assert.equal(first.code, 0, first.stderr);
    const before = readFileSync(latest);
    // Half the model's size, whether the shell counts ulimit -f in blocks of 512 or 1024 bytes; the log stays far below.
    const blocks = Math.floor(before.length / 2 / 1024);
    const child = spawn('sh', ['-c', `ulimit -f ${blocks} && exec "$0" "$@"`, process.execPath, BIN, 'train', corpus, ...QUIET,
      '--resume', latest, '--steps', '6'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 1, stderr);
    assert.equal(linesOf(stderr).length, 1, stderr);
    assert.match(stderr, /cannot save the model to .*c\.latest\.json: the file is larger than this system allows.*is unchanged/);
    assert.deepEqual(readFileSync(latest), before);
    assert.deepEqual(temporaries(dir), []);
    await checkModelsOnDisk(dir);
  });
});
