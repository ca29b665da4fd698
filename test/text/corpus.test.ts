import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CorpusError } from '../../src/errors.js';
import { checkTrainable, findInvalidUtf8, readCorpus, shuffleItems, splitTrainValidation } from '../../src/text/corpus.js';
import { Rng } from '../../src/tensor/rng.js';
import { Vocab } from '../../src/text/vocab.js';
import { withTmpDir } from '../helpers/tmp.js';

async function corpusError(run: () => Promise<unknown>): Promise<CorpusError> {
  try {
    await run();
  } catch (err) {
    assert.ok(err instanceof CorpusError, `expected a CorpusError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected readCorpus to throw');
}

describe('readCorpus', () => {
  it('reads UTF-8 text with its size and SHA-256, and strips a byte-order mark', () =>
    withTmpDir(async (dir) => {
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('héllo 中\r\n', 'utf8')]);
      const path = join(dir, 'a.txt');
      await writeFile(path, bytes);
      const corpus = await readCorpus(path);
      assert.equal(corpus.text, 'héllo 中\n', 'CRLF is read as LF');
      assert.equal(corpus.name, 'a.txt');
      assert.equal(corpus.bytes, bytes.length);
      assert.equal(corpus.sha256, createHash('sha256').update(bytes.subarray(0, -2)).update('\n').digest('hex'));
      const kept = await readCorpus(path, undefined, { keepCr: true });
      assert.equal(kept.text, 'héllo 中\r\n');
      assert.equal(kept.sha256, createHash('sha256').update(bytes).digest('hex'));
    }));

  it("reads standard input for '-'", async () => {
    const corpus = await readCorpus('-', Readable.from([Buffer.from('ab'), Buffer.from([0xe4, 0xb8]), Buffer.from([0xad])]));
    assert.equal(corpus.text, 'ab中');
    assert.equal(corpus.name, 'stdin');
  });

  it('says a missing file does not exist', async () => {
    const err = await corpusError(() => readCorpus('/no/such/dir/corpus.txt'));
    assert.equal(err.message, '/no/such/dir/corpus.txt: no such file');
  });

  it('says a directory is not a text file', () =>
    withTmpDir(async (dir) => {
      const err = await corpusError(() => readCorpus(dir));
      assert.match(err.message, /is a directory, not a text file/);
    }));

  it('refuses an empty file, and a file holding only a byte-order mark', () =>
    withTmpDir(async (dir) => {
      await writeFile(join(dir, 'empty.txt'), '');
      await writeFile(join(dir, 'bom.txt'), Buffer.from([0xef, 0xbb, 0xbf]));
      for (const name of ['empty.txt', 'bom.txt']) {
        const err = await corpusError(() => readCorpus(join(dir, name)));
        assert.match(err.message, /is empty$/);
      }
    }));

  it('names the byte offset and value of the first invalid UTF-8 byte', () =>
    withTmpDir(async (dir) => {
      const bytes = Buffer.concat([Buffer.from('line one\nné\n', 'utf8'), Buffer.from([0x61, 0xff, 0x62])]);
      const path = join(dir, 'corpus.bin');
      await writeFile(path, bytes);
      const err = await corpusError(() => readCorpus(path));
      assert.equal(err.message, `${path} is not valid UTF-8 text: invalid byte 0xff at byte offset 14 (line 3)`);
    }));

  it('calls a file with a NUL byte binary and says where the NUL is', () =>
    withTmpDir(async (dir) => {
      const path = join(dir, 'image.png');
      await writeFile(path, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
      const err = await corpusError(() => readCorpus(path));
      assert.match(err.message, /looks like a binary file \(NUL byte at offset 4\)/);
    }));

  it('reports a character cut off by the end of the input', async () => {
    const err = await corpusError(() => readCorpus('-', Readable.from([Buffer.from([0x61, 0xe4, 0xb8])])));
    assert.match(err.message, /cut off by the end of the input at byte offset 1/);
  });
});

describe('findInvalidUtf8', () => {
  it('finds overlongs, surrogates, bad continuations and values above U+10FFFF', () => {
    const cases: [number[], number | null][] = [
      [[0x41, 0xc3, 0xa9], null],
      [[0xf0, 0x9f, 0x98, 0x80], null],
      [[0x41, 0xc0, 0x80], 1], // overlong NUL
      [[0xe0, 0x80, 0x80], 0], // overlong three-byte form
      [[0xed, 0xa0, 0x80], 0], // UTF-16 surrogate
      [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
      [[0xe4, 0x41, 0xad], 0], // second byte is not a continuation: the sequence is reported at its lead byte
      [[0x80], 0],
    ];
    for (const [bytes, offset] of cases) assert.equal(findInvalidUtf8(Uint8Array.from(bytes))?.offset ?? null, offset, String(bytes));
  });
});

describe('splitTrainValidation', () => {
  it('is contiguous: training is the start, validation the last fraction', () => {
    const ids = Uint16Array.from({ length: 100 }, (_, i) => i);
    const { train, validation } = splitTrainValidation(ids, 0.1);
    assert.equal(train.length, 90);
    assert.equal(validation.length, 10);
    assert.deepEqual([...train, ...validation], [...ids]);
    assert.equal(validation[0], 90);
  });

  it('keeps everything for training with fraction 0', () => {
    const { train, validation } = splitTrainValidation(Uint16Array.of(1, 2, 3), 0);
    assert.equal(train.length, 3);
    assert.equal(validation.length, 0);
  });
});

describe('shuffleItems', () => {
  const vocab = Vocab.fromText('abcdefghij\n', { lineMode: true });
  const text = 'abc\nbcd\ncde\ndef\nefg\nfgh\nghi\nhij\n';
  /** Each item as start-text-end, with the reserved symbols shown as < and >. */
  const items = (ids: ArrayLike<number>): string[] =>
    Array.from(ids, (id) => (id === vocab.bos ? '\u0000<' : id === vocab.eos ? '>' : vocab.symbolOf(id))).join('').split('\u0000').slice(1);

  it('reorders whole items, keeping each one and its framing intact, the same way for the same seed', () => {
    const ids = vocab.encodeLines(text);
    const a = shuffleItems(ids, vocab.bos!, Rng.fromSeed(1));
    assert.equal(a.length, ids.length);
    assert.equal(a.constructor, ids.constructor);
    assert.deepEqual([...items(a)].sort(), items(ids));
    assert.notDeepEqual(items(a), items(ids), 'eight items should not come out in file order');
    assert.equal(a[0], vocab.bos);
    assert.equal(a[a.length - 1], vocab.eos);
    assert.deepEqual(shuffleItems(ids, vocab.bos!, Rng.fromSeed(1)), a);
    assert.notDeepEqual(shuffleItems(ids, vocab.bos!, Rng.fromSeed(2)), a);
  });

  it('leaves ids without items (or a single item) as they are', () => {
    const one = vocab.encodeLines('abc\n');
    assert.equal(shuffleItems(one, vocab.bos!, Rng.fromSeed(1)), one);
  });
});

describe('checkTrainable', () => {
  const vocab = Vocab.fromText('ab');

  it('needs at least two distinct symbols', () => {
    assert.throws(() => checkTrainable(vocab.encode('aaaaaaaaaa'), vocab, 1, 2), /only one distinct symbol/);
  });

  it('needs B·T + 1 symbols and says how many are present', () => {
    const ids = vocab.encode('ab'.repeat(10)); // 20 symbols
    assert.throws(() => checkTrainable(ids, vocab, 4, 5), (err: unknown) =>
      err instanceof CorpusError && /has 20 symbols/.test(err.message) && /at least 21/.test(err.message)
      && /--batch-size/.test(err.hint ?? ''));
    checkTrainable(ids, vocab, 3, 5); // 16 needed
  });
});

describe('readCorpus on a nested path', () => {
  it('reads a file in a subfolder and records only its base name', () =>
    withTmpDir(async (dir) => {
      await mkdir(join(dir, 'sub'));
      await writeFile(join(dir, 'sub', 'b.txt'), 'xy');
      assert.equal((await readCorpus(join(dir, 'sub', 'b.txt'))).name, 'b.txt');
    }));
});
