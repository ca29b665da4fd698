import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { linesOf, runCli } from '../helpers/run-cli.js';
import { withTmpDir } from '../helpers/tmp.js';

interface VocabJsonOutput {
  size: number;
  chars: number;
  lineMode: boolean;
  lines: number | null;
  symbols: { id: number; char: string; codePoint: number; count: number }[];
}

describe('charlm vocab', () => {
  it('reads standard input and lists symbols in code-point order with counts', async () => {
    const r = await runCli(['vocab', '-'], { input: 'baa\n' });
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^stdin: 3 symbols, 4 characters$/);
    assert.match(lines[2]!, /^ 0 {2}U\+000A .* 1 .*\\n$/);
    assert.match(lines[3]!, /^ 1 {2}U\+0061 .* 2 .* a$/);
    assert.match(lines[4]!, /^ 2 {2}U\+0062 .* 1 .* b$/);
  });

  it('--json parses and has size, chars and one entry per symbol', async () => {
    const r = await runCli(['vocab', '-', '--json', '--keep-cr'], { input: 'a😀中\r\na' });
    assert.equal(r.code, 0);
    const out = JSON.parse(r.stdout) as VocabJsonOutput;
    assert.equal(out.size, 5);
    assert.equal(out.chars, 6);
    assert.deepEqual(out.symbols.map((s) => s.char), ['\n', '\r', 'a', '中', '😀']);
    assert.deepEqual(out.symbols.map((s) => s.codePoint), [10, 13, 97, 0x4e2d, 0x1f600]);
    assert.equal(out.symbols.find((s) => s.char === 'a')!.count, 2);
  });

  it('--sort count puts the most frequent first', async () => {
    const r = await runCli(['vocab', '-', '--json', '--sort', 'count'], { input: 'abbccc' });
    const out = JSON.parse(r.stdout) as VocabJsonOutput;
    assert.deepEqual(out.symbols.map((s) => s.char), ['c', 'b', 'a']);
  });

  it('--line-mode adds the two reserved symbols and leaves line breaks out', async () => {
    const r = await runCli(['vocab', '-', '--json', '--line-mode'], { input: 'ab\r\nba\n\nc\n' });
    const out = JSON.parse(r.stdout) as VocabJsonOutput;
    assert.equal(out.size, 5);
    assert.equal(out.chars, 5);
    assert.equal(out.lines, 3);
    assert.deepEqual(out.symbols.map((s) => [s.char, s.id]), [['a', 2], ['b', 3], ['c', 4]]);
  });

  it('shows invisible characters escaped', () =>
    withTmpDir(async (dir) => {
      const path = join(dir, 't.txt');
      await writeFile(path, 'a\tb\u200b ');
      const r = await runCli(['vocab', path]);
      assert.match(r.stdout, /\\t\n/);
      assert.match(r.stdout, /\\u200b\n/);
      assert.match(r.stdout, /␠\n/);
    }));

  it('refuses an empty input with exit 1', async () => {
    const r = await runCli(['vocab', '-'], { input: '' });
    assert.equal(r.code, 1);
    assert.match(r.stderr.split('\n')[0]!, /^charlm: standard input is empty( \(hint: .*\))?$/);
    assert.equal(linesOf(r.stderr).length, 1);
  });

  it('refuses binary input with exit 1', async () => {
    const r = await runCli(['vocab', '-'], { input: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00]) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^charlm: standard input looks like a binary file \(NUL byte at offset 4\)/);
  });
});
