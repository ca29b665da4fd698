import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { linesOf, runCli } from '../helpers/run-cli.js';
import { tinyModel } from '../helpers/tiny-model.js';
import { tmpDir } from '../helpers/tmp.js';

interface Report {
  chars: number; natsPerChar: number; bitsPerChar: number; perplexity: number; unknownChars: number;
  unknown: Record<string, number>; ngram?: { order: number; natsPerChar: number; bitsPerChar: number; chars: number };
}

describe('charlm eval', () => {
  it('--json reports consistent nats, bits and perplexity, and counts unknown characters', async () => {
    const { path } = await tinyModel();
    const r = await runCli(['eval', path, '-', '--json'], { input: 'the cat sat on the mat.\nthe dog Xé sat X.\n' });
    assert.equal(r.code, 0);
    const rep = JSON.parse(r.stdout) as Report;
    assert.equal(rep.unknownChars, 3);
    assert.deepEqual(rep.unknown, { X: 2, 'é': 1 });
    assert.equal(rep.chars, 'the cat sat on the mat.\nthe dog  sat .\n'.length - 1);
    assert.ok(Math.abs(rep.bitsPerChar - rep.natsPerChar / Math.LN2) < 1e-12);
    assert.ok(Math.abs(rep.perplexity - Math.exp(rep.natsPerChar)) < 1e-9);
  });

  it('prints a readable report naming the skipped characters', async () => {
    const { path } = await tinyModel();
    const r = await runCli(['eval', path, '-'], { input: 'the cat Q sat on the mat.\n' });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /bits\/char/);
    assert.match(r.stdout, /1 characters outside the vocabulary were skipped: "Q" ×1/);
  });

  it('--streams 1 and many streams agree within 1e-4 nats/char on a long text', async (t) => {
    const { path, text } = await tinyModel();
    const file = join(await tmpDir(t), 'long.txt');
    await writeFile(file, text.repeat(12));
    const [one, many] = (await Promise.all(['1', '8'].map((s) => runCli(['eval', path, file, '--json', '--streams', s]))))
      .map((r) => JSON.parse(r.stdout) as Report);
    assert.equal(one.chars, many.chars);
    assert.ok(Math.abs(one.natsPerChar - many.natsPerChar) < 1e-4, `${one.natsPerChar} vs ${many.natsPerChar}`);
  });

  it('--per-line prints bitsPerChar, logProb and the line for every line, in input order', async () => {
    const { path } = await tinyModel();
    const input = 'the cat sat on the mat.\nxq zz\n\na dog.\n';
    const r = await runCli(['eval', path, '-', '--per-line'], { input });
    const rows = r.stdout.split('\n').slice(0, -1).map((l) => l.split('\t'));
    assert.deepEqual(rows.map((c) => c[2]), ['the cat sat on the mat.', 'xq zz', '', 'a dog.']);
    for (const c of rows) assert.ok(Number(c[0]) > 0 && Number(c[1]) < 0);
    assert.ok(Number(rows[0][0]) < Number(rows[1][0]), 'a training line scores better than gibberish');
    const json = linesOf((await runCli(['eval', path, '-', '--per-line', '--json'], { input })).stdout).map((l) => JSON.parse(l));
    assert.equal(json.length, 4);
    assert.equal(json[1].unknownChars, 4); // x, q, z, z
    assert.ok(Math.abs(json[0].bitsPerChar - Number(rows[0][0])) < 1e-4);
  });

  it('--per-line --context N scores each line after the N before it; it needs --per-line and a plain model', async () => {
    const plain = await tinyModel();
    const input = 'the cat sat on the mat.\nthe dog sat on the log.\na cat and a dog.\n';
    const rows = async (args: string[]): Promise<number[]> =>
      linesOf((await runCli(['eval', plain.path, '-', '--per-line', '--json', ...args], { input })).stdout)
        .map((l) => (JSON.parse(l) as { logProb: number }).logProb);
    const [alone, withContext] = await Promise.all([rows([]), rows(['--context', '2'])]);
    assert.equal(withContext[0], alone[0]);
    assert.notEqual(withContext[2], alone[2]);
    const lineMode = await tinyModel({ lineMode: true });
    const [noPerLine, onLineMode] = await Promise.all([
      runCli(['eval', plain.path, '-', '--context', '1'], { input }),
      runCli(['eval', lineMode.path, '-', '--per-line', '--context', '1'], { input }),
    ]);
    assert.equal(noPerLine.code, 2);
    assert.match(noPerLine.stderr, /--context needs --per-line/);
    assert.equal(onLineMode.code, 2);
    assert.match(onLineMode.stderr, /line-mode model/);
  });

  it('--ngram reports the n-gram baseline on the same characters', async (t) => {
    const { path, text } = await tinyModel();
    const train = join(await tmpDir(t), 'train.txt');
    await writeFile(train, text);
    const r = await runCli(['eval', path, '-', '--json', '--ngram', '3', '--ngram-train', train], { input: 'the dog sat on the mat.\n' });
    assert.equal(r.code, 0);
    const rep = JSON.parse(r.stdout) as Report;
    assert.equal(rep.ngram!.order, 3);
    assert.equal(rep.ngram!.chars, rep.chars);
    assert.ok(rep.ngram!.natsPerChar > 0 && Math.abs(rep.ngram!.bitsPerChar - rep.ngram!.natsPerChar / Math.LN2) < 1e-12);
  });

  it('--ngram without --ngram-train is a usage error; a missing file is exit 1', async () => {
    const { path } = await tinyModel();
    const [usage, missing] = await Promise.all([
      runCli(['eval', path, '-', '--ngram', '3'], { input: 'the cat' }),
      runCli(['eval', path, 'no-such-file.txt']),
    ]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--ngram needs --ngram-train/);
    assert.equal(missing.code, 1);
    assert.equal(linesOf(missing.stderr).length, 1);
  });
});
