import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, runCli } from '../helpers/run-cli.js';
import { withTmpDir } from '../helpers/tmp.js';

const ESC = '\x1b[';

describe('output streams', () => {
  it('stdout holds only the data; errors go to stderr only', async () => {
    const ok = await runCli(['vocab', '-', '--json'], { input: 'abc' });
    assert.equal(ok.code, 0);
    assert.equal(ok.stderr, '');
    assert.doesNotThrow(() => JSON.parse(ok.stdout));
    const bad = await runCli(['vocab', 'missing.txt', '--json']);
    assert.equal(bad.stdout, '');
    assert.notEqual(bad.stderr, '');
  });

  it('colours stderr when forced, and never when NO_COLOR is set', async () => {
    const forced = await runCli(['vocab', 'missing.txt'], { env: { FORCE_COLOR: '1' } });
    assert.ok(forced.stderr.includes(ESC), 'FORCE_COLOR gives colour');
    const plain = await runCli(['vocab', 'missing.txt'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    assert.ok(!plain.stderr.includes(ESC), 'NO_COLOR wins');
    assert.equal(plain.stderr, 'charlm: missing.txt: no such file\n');
  });

  it('never colours stderr that is not a terminal', async () => {
    const r = await runCli(['vocab', 'missing.txt']);
    assert.ok(!r.stderr.includes(ESC));
  });

  it('ends quietly with success when the reader closes the pipe early (| head)', () =>
    withTmpDir(async (dir) => {
      // 20,000 distinct characters give a listing far larger than a pipe's buffer.
      let text = '';
      for (let c = 0x4e00; c < 0x4e00 + 20000; c++) text += String.fromCodePoint(c);
      const path = join(dir, 'big.txt');
      await writeFile(path, text);
      const result = await new Promise<{ code: number | null; stderr: string; head: string }>((resolve) => {
        const sh = spawn('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" vocab "${path}" | head -n 2`]);
        let stderr = '';
        let head = '';
        sh.stdout.on('data', (b: Buffer) => { head += b.toString(); });
        sh.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
        sh.on('close', (code) => resolve({ code, stderr, head }));
      });
      assert.equal(result.stderr, '');
      assert.equal(result.code, 0);
      assert.equal(result.head.split('\n').filter(Boolean).length, 2);
    }));
});
