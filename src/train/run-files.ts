// The files one training run owns beside its model: the best and latest models, the log, a lock against a second
// writer, and the optional checkpoint history. It claims them before training starts (so a missing, unwritable or taken
// output fails at once, with nothing lost) and refuses to replace files that another run wrote. It never prints.

import { closeSync, copyFileSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CharlmError, ModelFileError, UsageError } from '../errors.js';
import { loadModel } from '../model-file/read.js';
import { describeWriteError, isTemporaryFileOf, temporaryPathFor } from '../model-file/write.js';
import type { TrainingRecord } from '../model-file/format.js';

export interface RunPaths {
  /** The best model (by validation loss). */
  readonly modelPath: string;
  /** The latest model, with everything needed to resume. */
  readonly latestPath: string;
  /** The JSON-lines log (null: none). */
  readonly logPath: string | null;
}

export interface ClaimOptions {
  /** The training record of the model being resumed; null for a new run. */
  readonly resuming: TrainingRecord | null;
  /** Replace files that belong to another run instead of refusing. */
  readonly force: boolean;
  /** Keep this many checkpoints as NAME.step-K.json (0: none). */
  readonly keep: number;
}

/** x.json → x (the stem the companion files are named after). */
function stemOf(modelPath: string): string {
  return modelPath.endsWith('.json') ? modelPath.slice(0, -'.json'.length) : modelPath;
}

/** x.json → x.lock: held while a run writes x.json and its companions. */
export function lockPathFor(modelPath: string): string {
  return `${stemOf(modelPath)}.lock`;
}

/** x.json, step 300 → x.step-300.json */
export function checkpointPath(modelPath: string, step: number): string {
  return `${stemOf(modelPath)}.step-${step}.json`;
}

/** Two training records come from the same run when it started at the same moment with the same seed on the same text. */
function sameRun(a: TrainingRecord | null, b: TrainingRecord | null): boolean {
  return a !== null && b !== null && a.startedAt === b.startedAt && a.seed === b.seed && a.corpus.sha256 === b.corpus.sha256;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function pidIsAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

function outputError(what: string, path: string, err: unknown): ModelFileError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return new ModelFileError(`cannot ${what} ${path}: ${describeWriteError(code, err)}`, { cause: err });
}

/** Creates the folder of `path`; a file standing where a folder should be is named. */
function makeFolderFor(path: string): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      let blocker = dir;
      while (dirname(blocker) !== blocker && !exists(blocker)) blocker = dirname(blocker);
      throw new ModelFileError(`cannot create the folder ${dir}: ${blocker} is a file, not a folder`, { hint: 'choose another -o' });
    }
    throw outputError('create the folder', dir, err);
  }
}

export class RunFiles {
  private released = false;

  private constructor(readonly paths: RunPaths, private readonly lockPath: string, private readonly keep: number) {}

  /**
   * Creates the output folder, takes the lock, removes temporary files a killed run left, checks that the files it will
   * write belong to this run (or `force`), and starts the log afresh for a new run. Throws before any training happens.
   */
  static async claim(paths: RunPaths, options: ClaimOptions): Promise<RunFiles> {
    makeFolderFor(paths.modelPath);
    const lockPath = lockPathFor(paths.modelPath);
    takeLock(lockPath, paths.modelPath);
    const files = new RunFiles(paths, lockPath, options.keep);
    try {
      files.removeLeftoverTemporaries();
      await files.checkOwnership(options);
      if (paths.logPath !== null && options.resuming === null) startLog(paths.logPath);
    } catch (err) {
      files.release();
      throw err;
    }
    return files;
  }

  /** Every model file this run may write, existing ones only: best, latest, and the checkpoints, oldest first. */
  private modelFiles(): string[] {
    const found = [this.paths.modelPath, this.paths.latestPath].filter(exists);
    return [...found, ...this.checkpoints().map((c) => c.path)];
  }

  private checkpoints(): { step: number; path: string }[] {
    const dir = dirname(this.paths.modelPath);
    const prefix = `${basename(stemOf(this.paths.modelPath))}.step-`;
    const found: { step: number; path: string }[] = [];
    for (const name of listFolder(dir)) {
      const m = name.startsWith(prefix) ? /^(\d+)\.json$/.exec(name.slice(prefix.length)) : null;
      if (m !== null) found.push({ step: Number(m[1]), path: join(dir, name) });
    }
    return found.sort((a, b) => a.step - b.step);
  }

  private removeLeftoverTemporaries(): void {
    const dir = dirname(this.paths.modelPath);
    const targets = [this.paths.modelPath, this.paths.latestPath].map((p) => basename(p));
    const checkpointName = new RegExp(`^${escapeRegExp(basename(stemOf(this.paths.modelPath)))}\\.step-\\d+\\.json$`);
    for (const name of listFolder(dir)) {
      const target = isTemporaryFileOf(name);
      if (target !== null && (targets.includes(target) || checkpointName.test(target))) {
        try {
          unlinkSync(join(dir, name));
        } catch { /* gone already */ }
      }
    }
  }

  /** Refuses (exit 2) to replace model files another run wrote, unless forced; forced, removes them all together. */
  private async checkOwnership(options: ClaimOptions): Promise<void> {
    const existing = this.modelFiles();
    const foreign: string[] = [];
    for (const path of existing) {
      if (options.resuming === null || !sameRun(await trainingRecordOf(path), options.resuming)) foreign.push(path);
    }
    if (foreign.length === 0) return;
    if (!options.force) {
      throw new UsageError(`${foreign[0]} holds a model from another training run; charlm does not replace it`, {
        hint: `continue that run with --resume ${this.paths.latestPath}, choose another -o, or replace it with --force`,
      });
    }
    // The best, the latest and the checkpoints must come from one run: replace all of them, not only the first saved.
    for (const path of existing) {
      try {
        unlinkSync(path);
      } catch (err) {
        throw outputError('remove', path, err);
      }
    }
  }

  /** Copies the latest model to NAME.step-K.json (atomically) and removes the oldest beyond `keep`. */
  checkpoint(step: number): void {
    if (this.keep <= 0) return;
    const target = checkpointPath(this.paths.modelPath, step);
    const tmp = temporaryPathFor(target);
    try {
      copyFileSync(this.paths.latestPath, tmp);
      renameSync(tmp, target);
    } catch (err) {
      try { unlinkSync(tmp); } catch { /* not created */ }
      throw outputError('save the checkpoint', target, err);
    }
    const all = this.checkpoints();
    for (const old of all.slice(0, Math.max(0, all.length - this.keep))) {
      try { unlinkSync(old.path); } catch { /* gone already */ }
    }
  }

  /** Gives up the lock. Safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try { unlinkSync(this.lockPath); } catch { /* removed already */ }
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function listFolder(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The training record of a model file, or null for a file that is not a readable charlm model. */
async function trainingRecordOf(path: string): Promise<TrainingRecord | null> {
  try {
    return (await loadModel(path)).training;
  } catch {
    return null;
  }
}

/**
 * Creates the lock file holding this process's id. A lock whose process no longer runs (killed) is taken over; a live
 * one means another training writes the same model, and this one stops before touching anything.
 */
function takeLock(lockPath: string, modelPath: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw outputError('write in the folder of', modelPath, err);
      const holder = Number.parseInt(readLock(lockPath), 10);
      if (pidIsAlive(holder) || (Number.isNaN(holder) && isFresh(lockPath))) {
        throw new CharlmError(`another charlm train (process ${holder}) is writing ${modelPath}`, {
          hint: `wait for it to finish or choose another -o; if no such training runs, delete ${lockPath}`,
        });
      }
      try { unlinkSync(lockPath); } catch { /* another process took it over first */ }
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } catch (err) {
      closeSync(fd);
      try { unlinkSync(lockPath); } catch { /* nothing to undo */ }
      throw outputError('write', lockPath, err);
    }
    closeSync(fd);
    return;
  }
  throw new CharlmError(`another charlm train is starting on ${modelPath} at the same moment`, { hint: 'run one at a time' });
}

/** An empty lock file less than a few seconds old is one another process has just created and not yet written. */
function isFresh(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < 5000;
  } catch {
    return false;
  }
}

function readLock(lockPath: string): string {
  try {
    return readFileSync(lockPath, 'utf8').slice(0, 32);
  } catch {
    return '';
  }
}

/** A new run's log starts empty (a resumed run appends to its own). */
function startLog(logPath: string): void {
  try {
    writeFileSync(logPath, '');
  } catch (err) {
    throw outputError('write the log', logPath, err);
  }
}
