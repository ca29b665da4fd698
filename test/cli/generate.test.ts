import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN, linesOf, runCli } from '../helpers/run-cli.js';
import { tinyModel } from '../helpers/tiny-model.js';

interface Record { index: number; text: string; logProb: number; chars: number; seed: number; prime: string; logProbs?: number[] }
const records = (stdout: string): Record[] => linesOf(stdout).map((l) => JSON.parse(l) as Record);

describe('charlm generate', () => {
  it('prints the prime and then --length characters, and nothing on stderr', async () => {
    const { path } = await tinyModel();
    const r = await runCli(['generate', path, '--length', '40', '--prime', 'the ', '--seed', '1']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.ok(r.stdout.startsWith('the '));
    const body = r.stdout.slice(4);
    // 40 generated characters, plus one closing line break when the text does not end with one
    assert.ok([...body].length === 40 || ([...body].length === 41 && body.endsWith('\n')), JSON.stringify(body));
  });

  it('gives the same text for the same seed, and a different one for another seed', async () => {
    const { path } = await tinyModel();
    const args = ['generate', path, '--length', '150', '--temperature', '1.5'];
    const [a, b, c] = await Promise.all([runCli([...args, '--seed', '7']), runCli([...args, '--seed', '7']),
      runCli([...args, '--seed', '8'])]);
    assert.equal(a.stdout, b.stdout);
    assert.notEqual(a.stdout, c.stdout);
  });

  it('--json prints one object per sample with the seed, and --logprobs sum to logProb', async () => {
    const { path } = await tinyModel();
    const r = await runCli(['generate', path, '--length', '30', '--count', '3', '--json', '--logprobs', '--seed', '5', '--prime', 'a']);
    assert.equal(r.code, 0);
    const rs = records(r.stdout);
    assert.equal(rs.length, 3);
    rs.forEach((s, i) => {
      assert.equal(s.index, i);
      assert.equal(s.seed, 5);
      assert.equal(s.prime, 'a');
      assert.equal(s.chars, 30);
      assert.equal([...s.text].length, 30);
      assert.equal(s.logProbs!.length, 30);
      const sum = s.logProbs!.reduce((x, y) => x + y, 0);
      assert.ok(Math.abs(sum - s.logProb) < 1e-9 && s.logProb < 0);
    });
  });

  it('without --seed still reports the seed it used, and that seed repeats the run', async () => {
    const { path } = await tinyModel();
    const first = records((await runCli(['generate', path, '--length', '60', '--json', '-t', '1.5'])).stdout)[0];
    const again = records((await runCli(['generate', path, '--length', '60', '--json', '-t', '1.5', '--seed', String(first.seed)])).stdout)[0];
    assert.equal(again.text, first.text);
  });

  it('--temperature 0, --top-k 1 and a tiny --top-p equal --greedy', async () => {
    const { path } = await tinyModel();
    const base = ['generate', path, '--length', '50', '--prime', 'the', '--seed', '3'];
    const runs = await Promise.all([['--greedy'], ['--temperature', '0'], ['--top-k', '1'], ['--top-p', '0.000001']]
      .map((extra) => runCli([...base, ...extra])));
    assert.ok(runs[0].stdout.length > 50);
    for (const r of runs.slice(1)) assert.equal(r.stdout, runs[0].stdout);
  });

  it('--count separates samples by a blank line; --stop ends each sample after the stop text', async () => {
    const { path } = await tinyModel();
    const r = await runCli(['generate', path, '--count', '3', '--stop', '.', '--prime', 'the', '--seed', '2', '--length', '200']);
    assert.equal(r.code, 0);
    const samples = r.stdout.split('\n\n');
    assert.equal(samples.length, 3);
    for (const s of samples) assert.ok(/^the[^.]*\.\n?$/.test(s), JSON.stringify(s));
  });

  it('--stop understands the escape \\n', async () => {
    const { path } = await tinyModel();
    const r = await runCli(['generate', path, '--stop', '\\n', '--json', '--seed', '4', '--length', '300']);
    const [s] = records(r.stdout);
    assert.ok(s.text.endsWith('\n') && s.text.indexOf('\n') === s.text.length - 1);
  });

  it('--lines on a line-mode model prints that many lines, each ended by the model', async () => {
    const { path } = await tinyModel({ lineMode: true });
    const r = await runCli(['generate', path, '--lines', '4', '--seed', '1', '--length', '300']);
    assert.equal(r.code, 0);
    const lines = r.stdout.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 4);
    for (const l of lines) assert.ok(l.length > 0 && l.length < 300);
  });

  it('--lines on a plain model stops after that many line breaks', async () => {
    const { path } = await tinyModel();
    const r = await runCli(['generate', path, '--lines', '2', '--seed', '1', '--length', '1000']);
    assert.equal(r.stdout.split('\n').length, 3);
    assert.ok(r.stdout.endsWith('\n'));
  });

  it('a prime with unknown characters fails with exit 1, names them, prints nothing; --unknown skip works', async () => {
    const { path } = await tinyModel();
    const bad = await runCli(['generate', path, '--prime', 'thé Q']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, '');
    assert.equal(linesOf(bad.stderr).length, 1);
    assert.match(linesOf(bad.stderr)[0], /^charlm: the prime has characters the model never saw: "é", "Q" \(hint: /);
    assert.match(bad.stderr, /--unknown skip/);
    const ok = await runCli(['generate', path, '--prime', 'thé Q', '--unknown', 'skip', '--length', '10', '--seed', '1']);
    assert.equal(ok.code, 0);
    assert.ok(ok.stdout.startsWith('th '));
  });

  it('a bad flag value is a usage error (exit 2)', async () => {
    const { path } = await tinyModel();
    const cases = [['--temperature', '-1'], ['--top-p', '2'], ['--length', 'x'], ['--unknown', 'drop']];
    const runs = await Promise.all(cases.map((args) => runCli(['generate', path, ...args])));
    runs.forEach((r, i) => {
      assert.equal(r.code, 2, cases[i].join(' '));
      assert.equal(linesOf(r.stderr).length, 1);
    });
  });

  it('ends quietly with success when the reader closes the pipe (| head -c 20)', async () => {
    const { path } = await tinyModel();
    const child = spawn(process.execPath, [BIN, 'generate', path, '--length', '1000000', '--seed', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let got = '';
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.stdout.on('data', (b: Buffer) => {
      got += b.toString();
      if (got.length >= 20) child.stdout.destroy();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 0);
    assert.equal(stderr, '');
    assert.ok(got.length >= 20);
  });
});
