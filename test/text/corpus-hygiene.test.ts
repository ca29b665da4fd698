import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CorpusError } from '../../src/errors.js';
import { crlfToLf, readCorpus } from '../../src/text/corpus.js';
import { tmpDir } from '../helpers/tmp.js';

async function corpusError(read: () => Promise<unknown>): Promise<CorpusError> {
  try {
    await read();
  } catch (err) {
    assert.ok(err instanceof CorpusError, String(err));
    return err;
  }
  assert.fail('expected a CorpusError');
}

describe('text hygiene', () => {
  it('reads CRLF line endings as LF by default, counts them, and keeps them with keepCr', async () => {
    const input = (): Readable => Readable.from([Buffer.from('one\r\ntwo\r\nthree\rfour\n')]);
    const read = await readCorpus('-', input());
    assert.equal(read.text, 'one\ntwo\nthree\rfour\n', 'a lone CR is not a line ending and stays');
    assert.equal(read.crlfReplaced, 2);
    assert.equal(read.sha256, createHash('sha256').update('one\ntwo\nthree\rfour\n').digest('hex'));
    const kept = await readCorpus('-', input(), { keepCr: true });
    assert.equal(kept.text, 'one\r\ntwo\r\nthree\rfour\n');
    assert.equal(kept.crlfReplaced, 0);
  });

  it('crlfToLf handles a CRLF split nowhere, at both ends, and text without any', () => {
    assert.equal(crlfToLf(Buffer.from('\r\na\r\n\r\n')).bytes.toString(), '\na\n\n');
    const plain = Buffer.from('no endings');
    assert.equal(crlfToLf(plain).bytes, plain, 'nothing copied when there is nothing to replace');
  });

  it('reports invalid UTF-8 at the lead byte of the broken sequence (Latin-1 é before a space)', async (t) => {
    const dir = await tmpDir(t);
    const path = join(dir, 'latin1.txt');
    writeFileSync(path, Buffer.from('caf\u00e9 ok', 'latin1'));
    const err = await corpusError(() => readCorpus(path));
    assert.match(err.message, /invalid byte 0xe9 at byte offset 3 \(line 1\)/);
  });

  it('calls UTF-16 text UTF-16 (with or without a byte-order mark) and says how to convert it', async (t) => {
    const dir = await tmpDir(t);
    const cases: [string, Buffer, string][] = [
      ['le-bom.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hello world\n', 'utf16le')]), 'little'],
      ['le.txt', Buffer.from('hello world, no mark\n', 'utf16le'), 'little'],
      ['be.txt', Buffer.from('hello world\n', 'utf16le').swap16(), 'big'],
    ];
    for (const [name, bytes, order] of cases) {
      writeFileSync(join(dir, name), bytes);
      const err = await corpusError(() => readCorpus(join(dir, name)));
      assert.match(err.message, new RegExp(`looks like UTF-16 \\(${order}-endian\\) text, not UTF-8`), name);
      assert.match(err.hint ?? '', /iconv -f utf-16/);
    }
  });

  it('stops an endless input at the limit, with a message that states it', async () => {
    async function* endless(): AsyncGenerator<Buffer> {
      const chunk = Buffer.from('abcdefgh\n'.repeat(1000));
      for (;;) yield chunk;
    }
    const err = await corpusError(() => readCorpus('-', endless(), { maxBytes: 1_000_000 }));
    assert.match(err.message, /^standard input is longer than 1,000,000 bytes, the most charlm reads as one text$/);
    assert.match(err.hint ?? '', /head -c/);
  });

  it('refuses a file larger than the limit before reading it, and /dev/zero at its first bytes', async (t) => {
    const dir = await tmpDir(t);
    const path = join(dir, 'big.txt');
    writeFileSync(path, 'x'.repeat(5000));
    assert.match((await corpusError(() => readCorpus(path, undefined, { maxBytes: 4096 }))).message, /longer than 4,096 bytes/);
    if (existsSync('/dev/zero')) {
      assert.match((await corpusError(() => readCorpus('/dev/zero'))).message, /binary file \(NUL byte at offset 0\)/);
    }
  });
});
