import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/run-cli.js';
import { logSoftmax } from '../../src/decode/sampling.js';
import { scoreIds, scoreLines, scoreText, splitLines, streamLayout } from '../../src/decode/scoring.js';
import { ConfigError, CorpusError } from '../../src/errors.js';
import type { Ids } from '../../src/tensor/floats.js';
import { tinyModel } from '../helpers/tiny-model.js';

type Tiny = Awaited<ReturnType<typeof tinyModel>>;

/** Σ −ln P over ids[1 …], one step() at a time from a zero state: the plain definition. */
function naiveNats(m: Tiny, ids: ArrayLike<number>): number {
  const state = m.model.createState(1);
  const logits = m.model.kernels.alloc(m.vocab.size);
  const lp = new Float64Array(m.vocab.size);
  let nats = 0;
  for (let i = 0; i + 1 < ids.length; i++) {
    m.model.step(Uint16Array.of(ids[i]), state, logits);
    logSoftmax(logits, 0, m.vocab.size, lp);
    nats -= lp[ids[i + 1]];
  }
  return nats;
}

const close = (a: number, b: number, rel = 1e-5): void =>
  assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('scoreIds', () => {
  it('with one stream equals stepping through the text one character at a time', async () => {
    const m = await tinyModel();
    const ids = m.vocab.encode(m.text.slice(0, 300));
    const { nats, chars } = scoreIds(m.model, ids, { streams: 1, chunkLength: 37 });
    assert.equal(chars, ids.length - 1);
    close(nats, naiveNats(m, ids));
  });

  it('without a warm-up, S streams equal the sum of their S segments scored alone, each from the start state', async () => {
    const m = await tinyModel();
    const ids = m.vocab.encode(m.text.slice(0, 301)); // 300 predictions
    const S = 4;
    const L = Math.ceil(300 / S);
    const batched = scoreIds(m.model, ids, { streams: S, chunkLength: 16, warmupChars: 0 });
    let nats = 0;
    let chars = 0;
    for (let s = 0; s < S; s++) {
      const part = scoreIds(m.model, ids.subarray(s * L, Math.min((s + 1) * L, 300) + 1) as Ids, { streams: 1 });
      nats += part.nats;
      chars += part.chars;
    }
    assert.equal(batched.chars, 300);
    assert.equal(chars, 300);
    close(batched.nats, nats);
  });

  it('with a warm-up, each stream after the first reads the characters before its part unscored', async () => {
    const m = await tinyModel();
    const ids = m.vocab.encode(m.text.slice(0, 301)); // 300 predictions
    const { S, warmup, span } = streamLayout(300, 4, 20);
    assert.deepEqual({ S, warmup, span }, { S: 4, warmup: 20, span: 70 });
    const batched = scoreIds(m.model, ids, { streams: 4, chunkLength: 16, warmupChars: 20 });
    // Row 0 scores predictions [0, 90); row s reads [70s, 70s + 20) and scores [70s + 20, 70s + 90).
    let nats = scoreIds(m.model, ids.subarray(0, 91) as Ids, { streams: 1 }).nats;
    for (let s = 1; s < 4; s++) {
      const from = 70 * s;
      const to = Math.min(from + 90, 300);
      const all = scoreIds(m.model, ids.subarray(from, to + 1) as Ids, { streams: 1 }).nats;
      const warm = scoreIds(m.model, ids.subarray(from, from + 21) as Ids, { streams: 1 }).nats;
      nats += all - warm;
    }
    assert.equal(batched.chars, 300);
    close(batched.nats, nats);
  });

  it('a layout never has more streams than predictions, and one stream has no warm-up', () => {
    assert.deepEqual(streamLayout(10, 1), { S: 1, warmup: 0, span: 10 });
    assert.deepEqual(streamLayout(3, 8, 0), { S: 3, warmup: 0, span: 1 });
    assert.deepEqual(streamLayout(100, 8, 512), { S: 1, warmup: 0, span: 100 }); // the warm-up would cover everything
    assert.equal(streamLayout(100_000, undefined).S, 32);
  });

  for (const [file, lineMode] of [['tinyshakespeare.txt', false], ['sotu.txt', false], ['words.txt', false], ['words.txt', true]] as const) {
    it(`streamed equals one stream within 1e-4 nats/char on corpora/${file}${lineMode ? ' in line mode' : ''}`, async () => {
      const text = readFileSync(join(REPO_ROOT, 'corpora', file), 'utf8').slice(0, 10_000);
      const m = await tinyModel({ text, lineMode, steps: 50, hiddenSize: 24 });
      const exact = scoreText(m.model, m.vocab, text, { streams: 1 });
      for (const streams of [undefined, 3, 16]) {
        const s = scoreText(m.model, m.vocab, text, { streams });
        assert.equal(s.chars, exact.chars);
        assert.ok(Math.abs(s.natsPerChar - exact.natsPerChar) < 1e-4, `${streams} streams: ${s.natsPerChar} vs ${exact.natsPerChar}`);
      }
    });
  }
});

describe('scoreText', () => {
  it('reports bits = nats / ln 2 and perplexity = e^nats', async () => {
    const m = await tinyModel();
    const s = scoreText(m.model, m.vocab, m.text);
    assert.equal(s.chars, [...m.text].length - 1);
    assert.equal(s.bitsPerChar, s.natsPerChar / Math.LN2);
    assert.equal(s.perplexity, Math.exp(s.natsPerChar));
    assert.ok(s.natsPerChar > 0 && s.natsPerChar < Math.log(m.vocab.size), 'the trained model beats a uniform guess');
  });

  it('counts characters outside the vocabulary, reports each, and scores the rest', async () => {
    const m = await tinyModel();
    const s = scoreText(m.model, m.vocab, 'the Zcat é sat Z');
    assert.equal(s.unknownChars, 3);
    assert.deepEqual(s.unknown, { Z: 2, 'é': 1 });
    assert.equal(s.chars, 'the cat  sat '.length - 1);
    close(s.natsPerChar * s.chars, naiveNats(m, m.vocab.encode('the cat  sat ')));
  });

  it('refuses a text with nothing to score', async () => {
    const m = await tinyModel();
    assert.throws(() => scoreText(m.model, m.vocab, 'ZZt'), CorpusError);
  });

  it('in line mode scores each line and its end, not the start symbols, each line from the start state', async () => {
    const m = await tinyModel({ lineMode: true });
    const lines = Array.from({ length: 12 }, () => ['the cat.', 'a dog.', 'the dog sat on the log.', 'a cat and a dog.']).flat();
    const perLine = scoreLines(m.model, m.vocab, lines);
    const expected = perLine.reduce((sum, l) => sum + l.logProb, 0);
    // A warm-up longer than any line reaches back to a start symbol, where the state restarts: exact.
    for (const streams of [1, 3]) {
      const s = scoreText(m.model, m.vocab, lines.join('\n') + '\n\n', { streams, chunkLength: 8, warmupChars: 30 });
      assert.equal(s.chars, lines.reduce((n, l) => n + l.length + 1, 0));
      close(-s.natsPerChar * s.chars, expected);
    }
  });
});

describe('scoreLines', () => {
  it('keeps the input order and scores each line as a line break, the line, a line break', async () => {
    const m = await tinyModel();
    const lines = ['the cat sat on the mat.', 'a dog.', '', 'the log sat on a cat and a dog and a mat.', 'tac eht'];
    const scores = scoreLines(m.model, m.vocab, lines, { chunkLength: 8 });
    assert.deepEqual(scores.map((s) => s.line), lines);
    lines.forEach((line, i) => {
      const ids = m.vocab.encode('\n' + line + '\n');
      assert.equal(scores[i].chars, ids.length - 1);
      close(-scores[i].logProb, naiveNats(m, ids));
      assert.equal(scores[i].bitsPerChar, -scores[i].logProb / scores[i].chars / Math.LN2);
    });
    assert.ok(scores[0].bitsPerChar < scores[4].bitsPerChar, 'a training sentence beats its reversal');
  });

  it('in line mode frames each line with start and end symbols', async () => {
    const m = await tinyModel({ lineMode: true });
    const [s] = scoreLines(m.model, m.vocab, ['a dog.']);
    assert.equal(s.chars, 7);
    close(-s.logProb, naiveNats(m, [m.vocab.bos!, ...m.vocab.encode('a dog.'), m.vocab.eos!]));
  });

  it('with context N reads the N lines before each line unscored and scores the line as it stands in the text', async () => {
    const m = await tinyModel();
    const lines = ['the cat sat.', 'a dog.', 'the log sat on a mat.', 'a cat.'];
    const scores = scoreLines(m.model, m.vocab, lines, { context: 2, chunkLength: 8 });
    lines.forEach((line, i) => {
      const before = '\n' + lines.slice(Math.max(0, i - 2), i).map((l) => l + '\n').join('');
      const whole = m.vocab.encode(before + line + '\n');
      const prefix = m.vocab.encode(before);
      assert.equal(scores[i].chars, line.length + 1);
      close(-scores[i].logProb, naiveNats(m, whole) - naiveNats(m, prefix));
    });
    assert.equal(scores[0].logProb, scoreLines(m.model, m.vocab, lines)[0].logProb, 'the first line has no context');
  });

  it('refuses context lines for a line-mode model, whose lines are independent', async () => {
    const m = await tinyModel({ lineMode: true });
    assert.throws(() => scoreLines(m.model, m.vocab, ['a dog.'], { context: 1 }), ConfigError);
  });

  it('splitLines drops the empty piece after a final line break and a trailing carriage return', () => {
    assert.deepEqual(splitLines('a\r\nb\n\nc\n'), ['a', 'b', '', 'c']);
    assert.deepEqual(splitLines('a'), ['a']);
  });
});
