import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ModelFileError, VocabularyError } from '../../src/errors.js';
import { countSymbols, escapeChar, quoteChar, Vocab } from '../../src/text/vocab.js';

const EMOJI = '😀'; // U+1F600, a surrogate pair in UTF-16
const COMBINING_ACUTE = '\u0301';

describe('Vocab.fromText', () => {
  it('counts code points, not UTF-16 units: an emoji is one symbol', () => {
    const text = `a${EMOJI}b${EMOJI}`;
    assert.equal(text.length, 6);
    const counts = countSymbols(text);
    assert.equal(counts.total, 4);
    assert.equal(counts.counts.get(0x1f600), 2);
    const vocab = Vocab.fromText(text);
    assert.equal(vocab.size, 3);
    assert.deepEqual(vocab.toJSON().symbols, ['a', 'b', EMOJI]);
    assert.equal(vocab.encode(text).length, 4);
  });

  it('treats Chinese characters, a combining mark and CRLF as separate code points', () => {
    const text = `中文\r\ne${COMBINING_ACUTE}\r\n`;
    const vocab = Vocab.fromText(text);
    assert.deepEqual(vocab.toJSON().symbols, ['\n', '\r', 'e', COMBINING_ACUTE, '中', '文']);
    const counts = countSymbols(text);
    assert.equal(counts.total, 8);
    assert.equal(counts.counts.get(0x0d), 2);
    assert.equal(counts.counts.get(0x0a), 2);
  });

  it('sorts symbols by code point whatever the order in the text', () => {
    const a = Vocab.fromText('zyx cba');
    const b = Vocab.fromText('abc xyz');
    assert.deepEqual(a.toJSON(), b.toJSON());
    assert.deepEqual(a.toJSON().symbols, [' ', 'a', 'b', 'c', 'x', 'y', 'z']);
    assert.equal(a.idOf('a'), 1);
  });

  it('sorts astral characters after every BMP character', () => {
    const vocab = Vocab.fromText(`${EMOJI}\uffefa`);
    assert.deepEqual(vocab.toJSON().symbols, ['a', '\uffef', EMOJI]);
  });
});

describe('encode and decode', () => {
  const text = `Hello, 世界! ${EMOJI} café\r\nbye\n`;
  const vocab = Vocab.fromText(text);

  it('round-trips any text made of known characters', () => {
    assert.equal(vocab.decode(vocab.encode(text)), text);
    assert.equal(vocab.decode(vocab.encode('lo 世')), 'lo 世');
  });

  it('maps each id back to its symbol and each symbol to its id', () => {
    for (let id = 0; id < vocab.size; id++) assert.equal(vocab.idOf(vocab.symbolOf(id)), id);
  });

  it('uses Uint16Array up to 65536 symbols and Uint32Array beyond', () => {
    assert.ok(vocab.encode('Hello') instanceof Uint16Array);
    const chars: string[] = [];
    for (let c = 0x20000; chars.length < 65537; c++) chars.push(String.fromCodePoint(c));
    const big = Vocab.fromText(chars.join(''));
    assert.equal(big.size, 65537);
    const ids = big.encode(chars[65536]!);
    assert.ok(ids instanceof Uint32Array);
    assert.equal(ids[0], 65536);
    const exactly = Vocab.fromText(chars.slice(0, 65536).join(''));
    assert.ok(exactly.encode(chars[65535]!) instanceof Uint16Array);
  });

  it('makes a one-hot vector with a single 1 at the id', () => {
    const x = vocab.oneHot(3);
    assert.equal(x.length, vocab.size);
    assert.equal(x[3], 1);
    assert.equal(x.reduce((a, b) => a + b, 0), 1);
  });
});

describe('unknown characters', () => {
  const vocab = Vocab.fromText('abc ?');

  it('are refused by default, listed escaped, with a hint naming the flag', () => {
    assert.throws(() => vocab.encode('abé\u0007é'), (err: unknown) => {
      assert.ok(err instanceof VocabularyError);
      assert.match(err.message, /2 characters not in the vocabulary: "é", "\\u0007"/);
      assert.equal(err.hint, 'use --unknown skip or --unknown replace');
      return true;
    });
  });

  it('are dropped with unknown: skip', () => {
    assert.equal(vocab.decode(vocab.encode(`aéb${EMOJI}c`, { unknown: 'skip' })), 'abc');
  });

  it('become the replacement character with unknown: replace', () => {
    assert.equal(vocab.decode(vocab.encode('aéb', { unknown: 'replace', replacement: '?' })), 'a?b');
    assert.throws(() => vocab.encode('aé', { unknown: 'replace', replacement: '#' }), VocabularyError);
  });

  it('are counted by unknownChars', () => {
    assert.deepEqual([...vocab.unknownChars('éaéx')], [['é', 2], ['x', 1]]);
  });
});

describe('line mode', () => {
  const text = 'ab\r\n\nba\r\nc';
  const vocab = Vocab.fromText(text, { lineMode: true });

  it('reserves id 0 for start and 1 for end; characters follow from 2', () => {
    assert.equal(vocab.bos, 0);
    assert.equal(vocab.eos, 1);
    assert.equal(vocab.idOf('a'), 2);
    assert.equal(vocab.size, 5);
    assert.equal(vocab.symbolOf(0), '');
    assert.equal(vocab.idOf('\n'), undefined);
    assert.equal(vocab.idOf('\r'), undefined);
  });

  it('frames every non-empty line as start, characters, end, without line breaks', () => {
    assert.deepEqual([...vocab.encodeLines(text)], [0, 2, 3, 1, 0, 3, 2, 1, 0, 4, 1]);
    assert.equal(vocab.decode(vocab.encodeLines(text)), 'abbac');
  });

  it('counts lines and leaves line breaks out of the character count', () => {
    const counts = countSymbols(text, { lineMode: true });
    assert.equal(counts.lines, 3);
    assert.equal(counts.total, 5);
  });

  it('has no reserved ids outside line mode', () => {
    const plain = Vocab.fromText('ab');
    assert.equal(plain.bos, null);
    assert.equal(plain.idOf('a'), 0);
    assert.throws(() => plain.encodeLines('ab'), VocabularyError);
  });
});

describe('Vocab.fromJSON', () => {
  it('round-trips through toJSON', () => {
    const v = Vocab.fromText(`x${EMOJI}\n`, { lineMode: true });
    const back = Vocab.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
    assert.deepEqual(back.toJSON(), v.toJSON());
    assert.equal(back.size, v.size);
  });

  it('refuses unsorted, repeated, multi-character and non-string symbols, each with its own message', () => {
    const cases: [unknown, RegExp][] = [
      [{ symbols: ['b', 'a'], lineMode: false }, /sorted by code point/],
      [{ symbols: ['a', 'a'], lineMode: false }, /without repeats/],
      [{ symbols: ['ab'], lineMode: false }, /symbols\[0\]" must be exactly one character/],
      [{ symbols: [7], lineMode: false }, /exactly one character \(got 7\)/],
      [{ symbols: ['a'] }, /lineMode/],
      [{ lineMode: true }, /must be an array/],
      [{ symbols: [], lineMode: false }, /empty/],
      [null, /must be an object/],
    ];
    for (const [json, pattern] of cases) assert.throws(() => Vocab.fromJSON(json), (err: unknown) => err instanceof ModelFileError && pattern.test(err.message));
  });
});

describe('escapeChar', () => {
  it('shows invisible characters as escapes and visible ones as themselves', () => {
    assert.equal(escapeChar('\n'), '\\n');
    assert.equal(escapeChar('\t'), '\\t');
    assert.equal(escapeChar('\r'), '\\r');
    assert.equal(escapeChar(' '), '␠');
    assert.equal(escapeChar('\u200b'), '\\u200b');
    assert.equal(escapeChar('\u0007'), '\\u0007');
    assert.equal(escapeChar('\u00a0'), '\\u00a0');
    assert.equal(escapeChar(COMBINING_ACUTE), `◌${COMBINING_ACUTE}`);
    assert.equal(escapeChar('中'), '中');
    assert.equal(escapeChar(EMOJI), EMOJI);
    assert.equal(quoteChar(' '), '" "');
    assert.equal(quoteChar('é'), '"é"');
  });
});
