import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { linesOf, runCli } from '../helpers/run-cli.js';
import { tinyModel } from '../helpers/tiny-model.js';

interface Hyp { text: string; logProb: number; score: number; length: number; finish: string; prime: string }

describe('charlm beam', () => {
  it('--json prints an array of n-best hypotheses sorted by score', async () => {
    const { path } = await tinyModel();
    const r = await runCli(['beam', path, '--width', '6', '--n-best', '4', '--length', '20', '--prime', 'the', '--json']);
    assert.equal(r.code, 0);
    const hs = JSON.parse(r.stdout) as Hyp[];
    assert.equal(hs.length, 4);
    for (const h of hs) {
      assert.equal(h.prime, 'the');
      assert.equal(h.length, [...h.text].length);
      assert.ok(h.logProb < 0 && h.score === h.logProb);
    }
    for (let i = 1; i < hs.length; i++) assert.ok(hs[i - 1].score >= hs[i].score);
  });

  it('--width 1 prints what generate --greedy prints', async () => {
    const { path } = await tinyModel();
    const [beam, greedy] = await Promise.all([
      runCli(['beam', path, '--width', '1', '--length', '45', '--prime', 'a ']),
      runCli(['generate', path, '--greedy', '--length', '45', '--prime', 'a ']),
    ]);
    assert.equal(beam.stdout, greedy.stdout);
    assert.match(beam.stderr, /^#1 logProb -\d+\.\d{4}/);
  });

  it('--n-best prints each hypothesis under a ranked header with its log-probability', async () => {
    const { path } = await tinyModel();
    const r = await runCli(['beam', path, '--n-best', '3', '--length', '15', '--stop', '.']);
    const headers = linesOf(r.stdout).filter((l) => l.startsWith('#'));
    assert.deepEqual(headers.map((h) => h.split(' ')[0]), ['#1', '#2', '#3']);
    for (const h of headers) assert.match(h, /logProb -\d+\.\d+ {2}score -\d+\.\d+ {2}\d+ chars \((stop|length)\)/);
  });

  it('a bigger --length-penalty never picks a shorter best line (line-mode model)', async () => {
    const { path } = await tinyModel({ lineMode: true });
    const [plain, long] = (await Promise.all([0, 2].map((a) =>
      runCli(['beam', path, '--length', '60', '--length-penalty', String(a), '--json'])))).map((r) => JSON.parse(r.stdout) as Hyp[]);
    assert.ok(long[0].length >= plain[0].length);
    assert.equal(plain[0].finish, 'end');
  });

  it('an unknown prime character is exit 1 with the characters named', async () => {
    const { path } = await tinyModel();
    const r = await runCli(['beam', path, '--prime', 'Zebra']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(linesOf(r.stderr)[0], /"Z"/);
  });
});
