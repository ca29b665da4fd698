// Fuzzing the text reader: random bytes, invalid UTF-8, lone surrogates, NUL bytes, UTF-16, CRLF and very long lines,
// read whole and as a stream cut anywhere. Every input ends in a CorpusError or a text that round-trips through the
// vocabulary; the streamed and the whole reading agree.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CorpusError } from '../../src/errors.js';
import { decodeCorpus, readCorpus } from '../../src/text/corpus.js';
import { Vocab } from '../../src/text/vocab.js';
import { fuzzRuns, fuzzSeed } from './fuzz.js';

const piece: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => Buffer.from(s, 'utf8')),
  fc.uint8Array({ maxLength: 30 }),
  fc.constantFrom(
    Buffer.from([0xed, 0xa0, 0x80]), // a lone surrogate, as CESU-8
    Buffer.from([0xc0, 0x80]), // overlong NUL
    Buffer.from([0xe9, 0x20]), // Latin-1 é and a space
    Buffer.from([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
    Buffer.from([0x00]),
    Buffer.from([0xef, 0xbb, 0xbf]), // a byte-order mark
    Buffer.from([0xff, 0xfe, 0x61, 0x00]), // UTF-16 LE
    Buffer.from('\r\n'), Buffer.from('\r'), Buffer.from('\n'),
  ),
  fc.nat({ max: 100_000 }).map((n) => Buffer.alloc(n, 'w')), // a very long line
);

const input = fc.array(piece, { maxLength: 12 }).map((pieces) => Buffer.concat(pieces));

/** The outcome of reading: the text and hash, or the error's class (messages may name a different first problem). */
async function outcome(read: () => Promise<{ text: string; sha256: string }>): Promise<string> {
  try {
    const { text, sha256 } = await read();
    return `ok ${sha256} ${text.length}`;
  } catch (err) {
    assert.ok(err instanceof CorpusError, `not a clear error: ${String(err).slice(0, 200)}`);
    assert.ok(err.message.length < 500);
    return 'CorpusError';
  }
}

describe('fuzzing training texts', () => {
  it('every input is a CorpusError or a text the vocabulary round-trips', () => {
    fc.assert(fc.property(input, (bytes) => {
      let text: string;
      try {
        text = decodeCorpus(bytes, 'fuzz.txt');
      } catch (err) {
        assert.ok(err instanceof CorpusError, `not a clear error: ${String(err).slice(0, 200)}`);
        return;
      }
      assert.ok(!text.includes('\u0000'));
      assert.ok(!/\p{Cs}/u.test(text), 'no lone surrogate gets through');
      const vocab = Vocab.fromText(text);
      assert.equal(vocab.decode(vocab.encode(text)), text);
      const lines = Vocab.fromText(text, { lineMode: true });
      assert.ok(lines.encodeLines(text).length >= 0);
    }), { seed: fuzzSeed(), numRuns: fuzzRuns(1000) });
  });

  it('reading as a stream cut at random places gives the same result as reading it whole', async () => {
    await fc.assert(fc.asyncProperty(input, fc.array(fc.nat(), { maxLength: 6 }), async (bytes, cuts) => {
      const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const chunks = [0, ...at].map((from, i) => Buffer.from(bytes.subarray(from, i < at.length ? at[i] : bytes.length)));
      const whole = await outcome(() => readCorpus('-', [Buffer.from(bytes)] as unknown as AsyncIterable<Buffer>));
      const streamed = await outcome(() => readCorpus('-', chunks.filter((c) => c.length > 0) as unknown as AsyncIterable<Buffer>));
      assert.equal(streamed, whole);
    }), { seed: fuzzSeed(), numRuns: fuzzRuns(500) });
  });
});
