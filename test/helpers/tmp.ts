// A fresh temporary folder per test, removed afterwards even when the test fails.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs `fn` with a new empty folder and deletes the folder afterwards. */
export async function withTmpDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'charlm-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A new empty folder removed when the test ends: `const dir = await tmpDir(t)` inside `it('...', async (t) => ...)`. */
export async function tmpDir(t: { after(fn: () => Promise<void> | void): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'charlm-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
