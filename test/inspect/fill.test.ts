import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rankCandidates, searchFills, splitBlank } from '../../src/inspect/fill.js';
import { Vocab } from '../../src/text/vocab.js';
import { bigramRnn, saveHandBuilt } from '../helpers/hand-built.js';
import { runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp.js';

// Symbols, in the vocabulary's order: "\n", " ", "a", "b", "c". After "a" the table strongly prefers "b", but "b" is
// almost never followed by "c", so in "a___c" a fill ending in "b" pays for it after the blank.
const vocab = Vocab.fromText('\n abc');
const sym = (ch: string): number => vocab.idOf(ch)!;
const TABLE: Record<string, Record<string, number>> = {
  '\n': { 'a': 2, 'b': 0, 'c': 0, ' ': 0, '\n': -2 },
  ' ': { 'a': 1, 'b': 1, 'c': 1, ' ': -3, '\n': 0 },
  'a': { 'a': -1, 'b': 3, 'c': 0.5, ' ': 0, '\n': 0 },
  'b': { 'a': 1, 'b': -1, 'c': -4, ' ': 0.5, '\n': 0 },
  'c': { 'a': 0, 'b': 0, 'c': -2, ' ': 0.5, '\n': 2 },
};
const table = vocab.chars().map((a) => vocab.chars().map((b) => TABLE[a][b]));
const { model } = bigramRnn(vocab, table);

/** ln P of "\n" + text + "\n" under the bigram table, computed directly. */
function bigramLogProb(text: string): number {
  const seq = ['\n', ...text, '\n'];
  let total = 0;
  for (let i = 1; i < seq.length; i++) {
    const row = table[sym(seq[i - 1])];
    const logZ = Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
    total += row[sym(seq[i])] - logZ;
  }
  return total;
}

/** Every string over the vocabulary of length ≤ n. */
function allStrings(n: number): string[] {
  let level = [''];
  const out = [''];
  for (let len = 1; len <= n; len++) {
    level = level.flatMap((s) => vocab.chars().map((c) => s + c));
    out.push(...level);
  }
  return out;
}

describe('fill', () => {
  it('splits the text at its one blank', () => {
    assert.deepEqual(splitBlank('my ___ here'), { prefix: 'my ', suffix: ' here' });
    assert.throws(() => splitBlank('no blank'), /exactly one blank/);
    assert.throws(() => splitBlank('___ two ____'), /found 2/);
  });

  it('ranks candidates by the exact log-probability of the whole text', () => {
    const blank = splitBlank('a___c');
    const fills = rankCandidates(model, vocab, blank, ['b', 'a', 'c', 'ab', '']);
    for (const f of fills) assert.ok(Math.abs(f.logProb - bigramLogProb(`a${f.fill}c`)) < 1e-9, f.fill);
    const byBigram = ['b', 'a', 'c', 'ab', ''].sort((x, y) => bigramLogProb(`a${y}c`) - bigramLogProb(`a${x}c`));
    assert.deepEqual(fills.map((f) => f.fill), byBigram);
  });

  it('the search finds the best fills of all strings up to --max-len, and the suffix changes the answer', () => {
    const maxLength = 3;
    for (const text of ['a___c', 'a___', ' ___ b']) {
      const blank = splitBlank(text);
      const brute = allStrings(maxLength).map((f) => ({ f, lp: bigramLogProb(blank.prefix + f + blank.suffix) }))
        .sort((x, y) => y.lp - x.lp);
      const found = searchFills(model, vocab, blank, { maxLength, width: 4, top: 5 });
      assert.deepEqual(found.map((f) => f.fill), brute.slice(0, 5).map((b) => b.f), text);
      found.forEach((f, i) => assert.ok(Math.abs(f.logProb - brute[i].lp) < 1e-9));
    }
    const withSuffix = searchFills(model, vocab, splitBlank('a___c'), { maxLength: 1, width: 4, top: 1 })[0].fill;
    const withoutSuffix = searchFills(model, vocab, splitBlank('a___'), { maxLength: 1, width: 4, top: 1 })[0].fill;
    assert.equal(withoutSuffix, 'b'); // after "a" the table prefers "b" …
    assert.notEqual(withSuffix, 'b'); // … but not before "c"
  });

  it('charlm fill --json gives the same ranking from a saved model, by search and from --candidates', async (t) => {
    const path = await saveHandBuilt(await tmpDir(t), 'bigram.json', bigramRnn(vocab, table));
    const search = await runCli(['fill', path, 'a___c', '--max-len', '2', '--top', '3', '--json']);
    assert.equal(search.code, 0, search.stderr);
    const report = JSON.parse(search.stdout);
    assert.equal(report.method, 'search');
    const brute = allStrings(2).sort((x, y) => bigramLogProb(`a${y}c`) - bigramLogProb(`a${x}c`));
    assert.deepEqual(report.fills.map((f: { fill: string }) => f.fill), brute.slice(0, 3));
    const cands = await runCli(['fill', path, 'a___c', '--candidates', '-'], { input: 'b\nca\nax\n' });
    assert.equal(cands.code, 0, cands.stderr);
    const lines = cands.stdout.split('\n');
    const best = bigramLogProb('abc') > bigramLogProb('acac') ? 'b' : 'ca';
    assert.match(lines[0], new RegExp(`^ {2}1 +-?\\d+\\.\\d{3} +0\\.000 {2}"${best}"$`));
    assert.match(lines[2], /"ax" {2}\(unknown characters\)$/);
    assert.match(cands.stderr, /1 candidates hold characters the model does not know/);
  });
});
