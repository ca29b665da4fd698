import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linesOf, runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { tinyModel } from '../helpers/tiny-model.js';

/** The tiny model's file with `edit` applied to its JSON. */
async function editedModel(dir: string, name: string, edit: (json: Record<string, any>) => void): Promise<string> {
  const json = JSON.parse(readFileSync((await tinyModel()).path, 'utf8')) as Record<string, any>;
  edit(json);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

const ESC = '\u001b';

describe('hostile input', () => {
  it('info shows escape sequences from the file escaped, never raw', async (t) => {
    const dir = await tmpDir(t);
    const path = await editedModel(dir, 'evil.json', (m) => {
      m.createdBy = `charlm ${ESC}]0;owned${ESC}\\ ${ESC}[2J`;
      m.savedAt = `now\r\nmodel  forged line${ESC}[31m`;
      m.training = { steps: 1, charsSeen: 1, epochs: 0, bestValLoss: null, lastTrainLoss: null, lastValLoss: null, seed: 1,
        startedAt: `${ESC}[1A`, updatedAt: 'x', elapsedMs: 0, corpus: { name: `a${ESC}[8mb`, sha256: `${ESC}[2J`, chars: 1 },
        trainConfig: {} };
    });
    const r = await runCli(['info', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes(ESC), 'no raw escape character reaches the terminal');
    assert.ok(!r.stdout.includes('\r'));
    assert.match(r.stdout, /charlm \\u001b\]0;owned/);
    assert.match(r.stdout, /now\\r\\nmodel  forged line/);
  });

  it('an error quoting a huge string from the file stays one short line', async (t) => {
    const dir = await tmpDir(t);
    const path = await editedModel(dir, 'huge.json', (m) => {
      m.format = 'x'.repeat(20_000_000) + ESC;
    });
    const r = await runCli(['info', path]);
    assert.equal(r.code, 1);
    assert.equal(linesOf(r.stderr).length, 1);
    assert.ok(r.stderr.length < 300, `${r.stderr.length} characters`);
    assert.match(r.stderr, /its "format" is "x+"… \(20,000,001 characters\)/);
  });

  it('JSON nested 10,000 deep is refused with a clear message, not a stack overflow', async (t) => {
    const dir = await tmpDir(t);
    const path = join(dir, 'deep.json');
    writeFileSync(path, '['.repeat(10_000) + ']'.repeat(10_000));
    const r = await runCli(['info', path]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is refused: its JSON is nested far deeper than any charlm model/);
    assert.doesNotMatch(r.stderr, /call stack|internal error/);
  });

  it('a network too large for any vocabulary is a usage error (2), found before reading the text', async () => {
    const r = await runCli(['train', 'no-such-file.txt', '--hidden-size', '8192', '--layers', '16']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /parameters, more than the limit/);
  });

  it('beam --width above the cap is a usage error naming the cap', async () => {
    const r = await runCli(['beam', (await tinyModel()).path, '--width', '100000']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /wider than the widest beam, 10000/);
  });

  it('vocab reads CRLF as LF and says so; --keep-cr keeps the \\r', async (t) => {
    const dir = await tmpDir(t);
    const path = join(dir, 'dos.txt');
    writeFileSync(path, 'ab\r\ncd\r\n');
    const r = await runCli(['vocab', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 CRLF line endings read as LF \(--keep-cr keeps the \\r\)/);
    assert.doesNotMatch(r.stdout, /U\+000D/);
    const kept = await runCli(['vocab', path, '--keep-cr', '--json']);
    const report = JSON.parse(kept.stdout) as { symbols: { codePoint: number }[]; crlfReplaced: number };
    assert.equal(report.crlfReplaced, 0);
    assert.ok(report.symbols.some((s) => s.codePoint === 0x0d));
  });

  it('train and vocab stop at once on an endless binary input (/dev/zero)', async () => {
    for (const args of [['vocab', '/dev/zero'], ['train', '/dev/zero', '--size', 'tiny']]) {
      const r = await runCli(args);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /\/dev\/zero looks like a binary file \(NUL byte at offset 0\)/);
    }
  });
});
