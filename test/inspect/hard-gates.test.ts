import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scoreIds } from '../../src/decode/scoring.js';
import { quantizeGate, quantizedPreActivation, withHardGates } from '../../src/inspect/hard-gates.js';
import type { CharLM } from '../../src/model/char-lm.js';
import { Rng } from '../../src/tensor/rng.js';
import { Vocab } from '../../src/text/vocab.js';
import { handBuilt } from '../helpers/hand-built.js';
import { runCli } from '../helpers/run-cli.js';
import { tinyModel } from '../helpers/tiny-model.js';

const sig = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Σ ln P of ids[1..] under a one-layer LSTM or GRU computed directly from its equations, one unit at a time, with each
 * sigmoid gate value p replaced by gate(p).
 */
function directLogProb(model: CharLM, ids: ArrayLike<number>, gate: (p: number) => number): number {
  const { cell, hiddenSize: H, vocabSize: V } = model.config;
  const w = (name: string): Float64Array => Float64Array.from(model.params.view(`${cell}.${name}_l0`));
  const [wih, whh, bih, bhh] = [w('weight_ih'), w('weight_hh'), w('bias_ih'), w('bias_hh')];
  const dec = model.params.view('decoder.weight'), decB = model.params.view('decoder.bias');
  let h = new Array<number>(H).fill(0), c = new Array<number>(H).fill(0);
  let total = 0;
  for (let t = 0; t + 1 < ids.length; t++) {
    const x = (row: number): number => wih[row * V + ids[t]] + bih[row];
    const r = (row: number): number => bhh[row] + h.reduce((s, hj, j) => s + whh[row * H + j] * hj, 0);
    const hNew: number[] = [], cNew: number[] = [];
    for (let j = 0; j < H; j++) {
      if (cell === 'lstm') {
        const i = gate(sig(x(j) + r(j))), f = gate(sig(x(H + j) + r(H + j)));
        const g = Math.tanh(x(2 * H + j) + r(2 * H + j)), o = gate(sig(x(3 * H + j) + r(3 * H + j)));
        cNew.push(f * c[j] + i * g);
        hNew.push(o * Math.tanh(cNew[j]));
      } else {
        const rg = gate(sig(x(j) + r(j))), z = gate(sig(x(H + j) + r(H + j)));
        const n = Math.tanh(x(2 * H + j) + rg * r(2 * H + j));
        hNew.push((1 - z) * n + z * h[j]);
      }
    }
    h = hNew; c = cNew;
    const logits = Array.from({ length: V }, (_, v) => decB[v] + h.reduce((s, hj, j) => s + dec[v * H + j] * hj, 0));
    const max = Math.max(...logits);
    total += logits[ids[t + 1]] - max - Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0));
  }
  return total;
}

describe('hard gates', () => {
  const vocab = Vocab.fromText('abcdefg\n');
  const rng = Rng.fromSeed(2);
  const ids = Uint16Array.from({ length: 60 }, () => rng.int(vocab.size));

  for (const cell of ['lstm', 'gru'] as const) {
    for (const bits of [1, 2, 3]) {
      it(`${cell}, ${bits}-bit gates: the loss equals a direct computation from the equations`, () => {
        const { model } = handBuilt(cell, vocab, 6, 9, 1.5, () => undefined);
        const got = -scoreIds(withHardGates(model, bits), ids, { streams: 1 }).nats;
        const want = directLogProb(model, ids, (p) => quantizeGate(p, bits));
        assert.ok(Math.abs(got - want) < 1e-9 * Math.abs(want), `${got} vs ${want}`);
        const soft = -scoreIds(model, ids, { streams: 1 }).nats;
        assert.ok(Math.abs(soft - directLogProb(model, ids, (p) => p)) < 1e-9 * Math.abs(soft));
        assert.notEqual(got, soft);
      });
    }
  }

  it('quantises to 2^k levels and maps back through the sigmoid', () => {
    assert.deepEqual([0.1, 0.49, 0.5, 0.9].map((p) => quantizeGate(p, 1)), [0, 0, 1, 1]);
    assert.deepEqual([0.1, 0.2, 0.5, 0.9].map((p) => quantizeGate(p, 2)), [0, 1 / 3, 2 / 3, 1]);
    for (const x of [-3, -0.2, 0.4, 2.5]) assert.ok(Math.abs(sig(quantizedPreActivation(x, 3)) - quantizeGate(sig(x), 3)) < 1e-12);
  });

  it('a vanilla RNN has no gates to make hard', () => {
    const { model } = handBuilt('rnn', vocab, 3, 1, 1, () => undefined);
    assert.throws(() => withHardGates(model, 1), /has no gates/);
  });
});

describe('charlm eval --hard-gates --gate-bits', () => {
  it('reports the hard-gate and k-bit losses beside the normal loss', async () => {
    const { path, text } = await tinyModel();
    const r = await runCli(['eval', path, '-', '--hard-gates', '--gate-bits', '4', '--json'], { input: text });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.gates.map((g: { gateBits: number }) => g.gateBits), [1, 4]);
    const [hard, four] = report.gates;
    // 4 bits are much closer to the real gates than one.
    assert.ok(Math.abs(four.natsPerChar - report.natsPerChar) < Math.abs(hard.natsPerChar - report.natsPerChar));
    const shown = await runCli(['eval', path, '-', '--hard-gates'], { input: text });
    assert.match(shown.stdout, /\nhard gates +\d+\.\d{4} nats\/char = \d+\.\d{4} bits\/char, perplexity \d+\.\d{3} \([+−]\d+\.\d{4} bits\/char\)\n/);
    const bad = await runCli(['eval', path, '-', '--per-line', '--hard-gates'], { input: text });
    assert.equal(bad.code, 2);
  });
});
