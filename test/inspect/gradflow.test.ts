import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateModelConfig } from '../../src/config/model-config.js';
import { gradientFlow, largestSingularValue, recurrentSpectralNorms } from '../../src/inspect/gradflow.js';
import { CharLM } from '../../src/model/char-lm.js';
import { CELLS, type Cell } from '../../src/nn/cells.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { Rng } from '../../src/tensor/rng.js';
import type { Ids } from '../../src/tensor/floats.js';
import { linesOf, runCli } from '../helpers/run-cli.js';
import { TINY_TEXT, tinyModel } from '../helpers/tiny-model.js';

const V = 7;

function freshModel(cell: Cell, layers: number, seed: number): CharLM {
  const config = validateModelConfig({ cell, numLayers: layers, hiddenSize: 5, dropout: 0, vocabSize: V });
  const model = CharLM.create(config, createReferenceKernels('f64'), Rng.fromSeed(seed), { forgetBias: 1 });
  // Noise on every weight and bias keeps ReLU pre-activations away from exactly 0 (zero biases and a dead layer below
  // would put them on the kink, where finite differences measure the kink and not the derivative).
  const rng = Rng.fromSeed(seed + 1);
  const w = model.params.values;
  for (let i = 0; i < w.length; i++) w[i] += 0.3 * rng.normal();
  return model;
}

/**
 * ∂L_T/∂h_{T−k} of the top layer by central differences: run to step T−1−k, nudge the carried h of the top layer (which
 * feeds only the next steps: no layer above reads it), run the remaining k steps and take the last step's loss.
 */
function finiteDifferenceNorm(model: CharLM, ids: Ids, warmup: number, T: number, k: number): number {
  const top = model.config.numLayers - 1;
  const lastLoss = (j: number, eps: number): number => {
    const state = model.createState(1);
    const run = (from: number, len: number): { logits: ArrayLike<number>; targets: Ids } => {
      const inputs = ids.slice(from, from + len);
      const targets = ids.slice(from + 1, from + len + 1);
      return { logits: model.forward(inputs, targets, len, 1, state, { training: false }).logits, targets };
    };
    run(0, warmup + T - k);
    state.layers[top].h[j] += eps;
    const { logits, targets } = run(warmup + T - k, k);
    const row = Array.from(logits).slice((k - 1) * V, k * V);
    const max = Math.max(...row);
    return Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0)) + max - row[targets[k - 1]];
  };
  const eps = 1e-6;
  let sq = 0;
  for (let j = 0; j < model.config.hiddenSize; j++) sq += ((lastLoss(j, eps) - lastLoss(j, -eps)) / (2 * eps)) ** 2;
  return Math.sqrt(sq);
}

describe('gradflow', () => {
  const rng = Rng.fromSeed(3);
  const ids = Uint16Array.from({ length: 40 }, () => rng.int(V));

  for (const cell of CELLS) {
    it(`${cell}: ‖∂L_T/∂h_{T−k}‖ equals central differences of the last step's loss (float64)`, () => {
      for (const layers of [1, 2]) {
        const model = freshModel(cell, layers, 11);
        const K = 6, warmup = 4;
        const flow = gradientFlow(model, ids, { steps: K, windows: 1, warmup });
        assert.equal(flow.windows, 1);
        for (let k = 1; k <= K; k++) {
          const fd = finiteDifferenceNorm(model, ids, warmup, K + 1, k);
          const got = flow.perLayer[layers - 1][k - 1];
          assert.ok(Math.abs(got - fd) <= 1e-6 * Math.max(fd, 1e-3), `${layers} layers, k=${k}: ${got} vs ${fd}`);
          if (layers === 1) assert.equal(flow.norms[k - 1], got);
        }
      }
    });
  }

  it('largestSingularValue finds σ_max of matrices with known singular values', () => {
    // W = R(θ) · diag(3, 0.5) · R(φ)ᵀ padded with a zero row: singular values 3 and 0.5.
    const c1 = Math.cos(0.7), s1 = Math.sin(0.7), c2 = Math.cos(-1.9), s2 = Math.sin(-1.9);
    const m = (a: number, b: number): number[][] => [[c1 * a * c2 + -s1 * b * -s2, c1 * a * s2 + -s1 * b * c2],
      [s1 * a * c2 + c1 * b * -s2, s1 * a * s2 + c1 * b * c2], [0, 0]];
    assert.ok(Math.abs(largestSingularValue(m(3, 0.5).flat(), 3, 2) - 3) < 1e-9);
    assert.ok(Math.abs(largestSingularValue(m(-0.2, 1.25).flat(), 3, 2) - 1.25) < 1e-9);
    // Rank one: u vᵀ has σ = ‖u‖ ‖v‖.
    const u = [1, -2, 2], v = [3, 4];
    assert.ok(Math.abs(largestSingularValue(u.flatMap((a) => v.map((b) => a * b)), 3, 2) - 15) < 1e-9);
  });

  it('reports one σ_max per layer', () => {
    const norms = recurrentSpectralNorms(freshModel('gru', 2, 5));
    assert.equal(norms.length, 2);
    for (const s of norms) assert.ok(s > 0 && Number.isFinite(s));
  });
});

describe('charlm gradflow (CLI)', () => {
  it('--json and --csv give the same numbers for a trained model and fresh models', async () => {
    const { path } = await tinyModel();
    const file = `${path}.txt`;
    await import('node:fs/promises').then((fs) => fs.writeFile(file, TINY_TEXT));
    const args = ['gradflow', path, '--file', file, '--steps', '8', '--windows', '3', '--warmup', '10', '--cell', 'rnn', '--cell', 'lstm'];
    const json = await runCli([...args, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(report.models.map((m: { name: string }) => m.name), [path, 'fresh rnn', 'fresh lstm']);
    for (const m of report.models) assert.equal(m.norms.length, 8);
    const rows = linesOf((await runCli([...args, '--csv'])).stdout);
    assert.equal(rows[0], 'model,cell,trained,k,norm');
    assert.equal(rows.length, 1 + 3 * 8);
    assert.equal(Number(rows[1 + 8 + 2].split(',')[4]), report.models[1].norms[2]);
    const chart = await runCli(args, { env: { NO_COLOR: '1' } });
    assert.match(chart.stdout, /log scale\n/);
    assert.match(chart.stdout, /  B  fresh rnn  \(σ_max\(W_hh\) \d/);
    assert.match(chart.stdout, /┤.*[ABC*]/);
  });
});
