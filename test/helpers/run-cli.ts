// Runs bin/charlm in a child process (as a user would) and collects stdout, stderr and the exit code.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: this file is compiled to dist/test/helpers/run-cli.js. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../../bin/charlm', import.meta.url));

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/** Colour and debug settings of the calling shell are removed so results do not depend on who runs the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['NO_COLOR', 'FORCE_COLOR', 'CHARLM_DEBUG', 'NODE_OPTIONS']) delete env[key];
  return { ...env, ...extra };
}

export function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: cleanEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code, signal });
    });
    child.stdin.on('error', () => undefined); // the command may exit before reading all of its input
    child.stdin.end(opts.input ?? '');
  });
}

/** The non-empty lines of a stream's text. */
export function linesOf(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}
