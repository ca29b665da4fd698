import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CharlmError, ModelFileError, UsageError } from '../../src/errors.js';
import { saveModel } from '../../src/model-file/write.js';
import type { SavedModel, TrainingRecord } from '../../src/model-file/format.js';
import { RunFiles, checkpointPath, lockPathFor } from '../../src/train/run-files.js';
import { RunLog } from '../../src/train/run-log.js';
import { tmpDir } from '../helpers/tmp.js';
import { tinyModel } from '../helpers/tiny-model.js';

function record(startedAt: string): TrainingRecord {
  return {
    steps: 3, charsSeen: 10, epochs: 0.1, bestValLoss: null, lastTrainLoss: null, lastValLoss: null, seed: 1,
    startedAt, updatedAt: startedAt, elapsedMs: 1, corpus: { name: 'x.txt', sha256: 'ab', chars: 10 }, trainConfig: {},
  };
}

async function savedWith(training: TrainingRecord): Promise<SavedModel> {
  const tiny = await tinyModel();
  return { config: tiny.model.config, vocab: tiny.vocab, weights: tiny.model.exportWeights(), training, resume: null };
}

function pathsIn(dir: string, name = 'm'): { modelPath: string; latestPath: string; logPath: string } {
  return { modelPath: join(dir, `${name}.json`), latestPath: join(dir, `${name}.latest.json`), logPath: join(dir, `${name}.log.jsonl`) };
}

const NEW_RUN = { resuming: null, force: false, keep: 0 } as const;

describe('the files of a training run', () => {
  it('creates a missing output folder (nested) and an empty log before training starts', async (t) => {
    const dir = await tmpDir(t);
    const paths = pathsIn(join(dir, 'a', 'b'));
    const files = await RunFiles.claim(paths, NEW_RUN);
    assert.ok(existsSync(join(dir, 'a', 'b', 'm.lock')));
    assert.equal(readFileSync(paths.logPath, 'utf8'), '');
    files.release();
    assert.ok(!existsSync(join(dir, 'a', 'b', 'm.lock')));
  });

  it('an unwritable output folder fails before training, in one sentence', async (t) => {
    if (process.getuid?.() === 0) {
      t.skip('runs as root, for whom no folder is unwritable');
      return;
    }
    const dir = await tmpDir(t);
    chmodSync(dir, 0o555);
    t.after(() => chmodSync(dir, 0o755));
    await assert.rejects(RunFiles.claim(pathsIn(dir), NEW_RUN),
      (e: Error) => e instanceof ModelFileError && /permission denied/.test(e.message));
  });

  it('a log that cannot be written is a ModelFileError saying so, not an internal error', async (t) => {
    const dir = await tmpDir(t);
    const log = new RunLog(join(dir, 'gone', 'm.log.jsonl'));
    log.write({ step: 1, epoch: 0, trainLoss: 1, valLoss: null, gradNorm: 1, learningRate: 1, charsPerSec: 1, elapsedMs: 1 });
    assert.throws(() => log.flush(), (e: Error) => e instanceof ModelFileError && /cannot write the log .*m\.log\.jsonl/.test(e.message));
  });

  it('names the file that stands where the output folder should be', async (t) => {
    const dir = await tmpDir(t);
    writeFileSync(join(dir, 'file.txt'), 'text');
    await assert.rejects(RunFiles.claim(pathsIn(join(dir, 'file.txt')), NEW_RUN),
      (e: Error) => e instanceof CharlmError && /file\.txt is a file, not a folder/.test(e.message));
  });

  it('refuses a second run on the same output while the first runs, and takes over the lock of a dead one', async (t) => {
    const dir = await tmpDir(t);
    const paths = pathsIn(dir);
    const sleeper = spawn('sleep', ['30']);
    t.after(() => sleeper.kill('SIGKILL'));
    writeFileSync(lockPathFor(paths.modelPath), `${sleeper.pid}\n`);
    await assert.rejects(RunFiles.claim(paths, NEW_RUN),
      (e: Error) => e instanceof CharlmError && !(e instanceof UsageError) && e.message.includes(`another charlm train (process ${sleeper.pid})`));
    // A process that has ended (a killed training) leaves a stale lock: the next run takes it.
    const dead = spawnSync('true').pid!;
    writeFileSync(lockPathFor(paths.modelPath), `${dead}\n`);
    const files = await RunFiles.claim(paths, NEW_RUN);
    assert.equal(readFileSync(lockPathFor(paths.modelPath), 'utf8'), `${process.pid}\n`);
    files.release();
  });

  it('removes the temporary files a killed run left beside its models, and only those', async (t) => {
    const dir = await tmpDir(t);
    const leftovers = ['.m.json.4242.deadbeef.tmp', '.m.latest.json.4242.0badcafe.tmp', '.m.step-30.json.4242.12345678.tmp'];
    const others = ['.other.json.4242.deadbeef.tmp', '.m.json.notes', 'm.txt'];
    for (const name of [...leftovers, ...others]) writeFileSync(join(dir, name), 'x');
    (await RunFiles.claim(pathsIn(dir), NEW_RUN)).release();
    const left = readdirSync(dir);
    for (const name of leftovers) assert.ok(!left.includes(name), name);
    for (const name of others) assert.ok(left.includes(name), name);
  });

  it("never replaces another run's model without force; with force it replaces best, latest and checkpoints together", async (t) => {
    const dir = await tmpDir(t);
    const paths = pathsIn(dir);
    const old = record('2026-01-01T00:00:00.000Z');
    await saveModel(paths.modelPath, await savedWith(old));
    await saveModel(checkpointPath(paths.modelPath, 5), await savedWith(old));
    const before = readFileSync(paths.modelPath);
    await assert.rejects(RunFiles.claim(paths, NEW_RUN), (e: Error) =>
      e instanceof UsageError && e.message.includes('m.json holds a model from another training run') &&
      /--resume .*m\.latest\.json/.test(e.hint ?? '') && /--force/.test(e.hint ?? ''));
    assert.deepEqual(readFileSync(paths.modelPath), before);
    // Resuming another run into these files is refused the same way; resuming the run that wrote them is not.
    await assert.rejects(RunFiles.claim(paths, { ...NEW_RUN, resuming: record('2026-02-02T00:00:00.000Z') }), UsageError);
    (await RunFiles.claim(paths, { ...NEW_RUN, resuming: old })).release();
    assert.ok(existsSync(paths.modelPath));
    (await RunFiles.claim(paths, { ...NEW_RUN, force: true })).release();
    assert.ok(!existsSync(paths.modelPath));
    assert.ok(!existsSync(checkpointPath(paths.modelPath, 5)));
  });

  it('a new run starts a new log; a resumed run keeps appending to its own', async (t) => {
    const dir = await tmpDir(t);
    const paths = pathsIn(dir);
    writeFileSync(paths.logPath, '{"step":1}\n');
    (await RunFiles.claim(paths, { ...NEW_RUN, resuming: record('2026-01-01T00:00:00.000Z') })).release();
    assert.equal(readFileSync(paths.logPath, 'utf8'), '{"step":1}\n');
    (await RunFiles.claim(paths, NEW_RUN)).release();
    assert.equal(readFileSync(paths.logPath, 'utf8'), '');
  });

  it('--keep N keeps the last N checkpoints as NAME.step-K.json', async (t) => {
    const dir = await tmpDir(t);
    mkdirSync(dir, { recursive: true });
    const paths = pathsIn(dir);
    const files = await RunFiles.claim(paths, { ...NEW_RUN, keep: 2 });
    for (const step of [10, 20, 30]) {
      writeFileSync(paths.latestPath, `model at ${step}`);
      files.checkpoint(step);
    }
    files.release();
    assert.ok(!existsSync(checkpointPath(paths.modelPath, 10)));
    assert.equal(readFileSync(checkpointPath(paths.modelPath, 20), 'utf8'), 'model at 20');
    assert.equal(readFileSync(checkpointPath(paths.modelPath, 30), 'utf8'), 'model at 30');
    assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
  });
});
