// The model computes what PyTorch computes: the same weights, loaded by name into PyTorch's nn.LSTM (with and without
// proj_size), nn.GRU and nn.RNN plus an nn.Linear decoder, give the same log-probabilities, in float64, including the
// state carried from one chunk to the next. Needs /usr/bin/python3 with torch; skipped (with one line saying so) without.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { validateModelConfig, type ModelConfig } from '../../src/config/model-config.js';
import { CharLM } from '../../src/model/char-lm.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { Rng } from '../../src/tensor/rng.js';

const PYTHON = '/usr/bin/python3';

// Reads a list of jobs {config, weights, chunks (each T·B ids, time-major), T, B} on stdin; prints, per job, the
// log-softmax of every logit, (chunks·T·B, V), as JSON. One process for all jobs: importing torch takes seconds.
const TORCH_SCRIPT = String.raw`
import json, sys, torch
torch.set_default_dtype(torch.float64)

def run(job):
    c = job['config']
    V, H, L, P = c['vocabSize'], c['hiddenSize'], c['numLayers'], c.get('projSize', 0)
    if c['cell'] == 'lstm':
        module, rnn = 'lstm', torch.nn.LSTM(V, H, L, proj_size=P)
    elif c['cell'] == 'gru':
        module, rnn = 'gru', torch.nn.GRU(V, H, L)
    else:
        module, rnn = 'rnn', torch.nn.RNN(V, H, L, nonlinearity='tanh' if c['cell'] == 'rnn' else 'relu')
    decoder = torch.nn.Linear(P or H, V)
    model = torch.nn.ModuleDict({module: rnn, 'decoder': decoder})
    weights = {k: torch.tensor(v['data']).reshape(v['shape']) for k, v in job['weights'].items()}
    model.load_state_dict(weights, strict=True)
    T, B = job['T'], job['B']
    out, hx = [], None
    with torch.no_grad():
        for chunk in job['chunks']:
            x = torch.nn.functional.one_hot(torch.tensor(chunk).reshape(T, B), V).double()
            y, hx = rnn(x, hx)
            out.append(torch.log_softmax(decoder(y), -1).reshape(T * B, V))
    return torch.cat(out).tolist()

print(json.dumps([run(job) for job in json.load(sys.stdin)]))
`;

const CONFIGS: ModelConfig[] = [
  { cell: 'lstm', numLayers: 2, hiddenSize: 6, dropout: 0, vocabSize: 7 },
  { cell: 'lstm', numLayers: 2, hiddenSize: 6, dropout: 0, vocabSize: 7, projSize: 3 },
  { cell: 'gru', numLayers: 2, hiddenSize: 6, dropout: 0, vocabSize: 7 },
  { cell: 'rnn', numLayers: 2, hiddenSize: 6, dropout: 0, vocabSize: 7 },
  { cell: 'rnn-relu', numLayers: 2, hiddenSize: 6, dropout: 0, vocabSize: 7 },
];
const T = 5, B = 2;

interface Case { model: CharLM; chunks: Uint16Array[] }

/** A model with weights drawn wider than the initialisation (so no path is trivially small) and two chunks of ids. */
function makeCase(raw: ModelConfig, seed: number): Case {
  const config = validateModelConfig(raw);
  const model = CharLM.create(config, createReferenceKernels('f64'), Rng.fromSeed(seed));
  const rng = Rng.fromSeed(seed + 100);
  for (let i = 0; i < model.params.count; i++) model.params.values[i] = rng.range(-0.8, 0.8);
  const chunks = [0, 1].map(() => Uint16Array.from({ length: T * B }, () => rng.int(config.vocabSize)));
  return { model, chunks };
}

/** log-softmax of charlm's logits for the chunks, the state carried from each to the next. */
function charlmLogProbs({ model, chunks }: Case): number[][] {
  const V = model.config.vocabSize;
  const state = model.createState(B);
  const rows: number[][] = [];
  for (const ids of chunks) {
    const pass = model.forward(ids, ids, T, B, state, { training: false });
    for (let r = 0; r < T * B; r++) {
      const logits = Array.from(pass.logits.subarray(r * V, (r + 1) * V));
      const max = Math.max(...logits);
      const lse = max + Math.log(logits.reduce((s, x) => s + Math.exp(x - max), 0));
      rows.push(logits.map((x) => x - lse));
    }
  }
  return rows;
}

function torchLogProbs(cases: readonly Case[]): number[][][] {
  const jobs = cases.map(({ model, chunks }) => ({
    config: model.config, T, B, chunks: chunks.map((c) => Array.from(c)),
    weights: Object.fromEntries(model.params.specs.map((s) => [s.name, { shape: s.shape, data: Array.from(model.params.view(s.name)) }])),
  }));
  const run = spawnSync(PYTHON, ['-c', TORCH_SCRIPT], { input: JSON.stringify(jobs), encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as number[][][];
}

const torchAvailable = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

describe('parity with PyTorch', { skip: torchAvailable ? false : `needs ${PYTHON} with torch` }, () => {
  const cases = CONFIGS.map((c, i) => makeCase(c, 5 + i));
  let theirs: number[][][] = [];
  before(() => { theirs = torchLogProbs(cases); });
  CONFIGS.forEach((c, i) => {
    const name = `${c.cell}${c.projSize ? ` with proj_size=${c.projSize}` : ''}`;
    it(`${name}: the same weights give the same log-probabilities (float64, within 1e-10)`, () => {
      const ours = charlmLogProbs(cases[i]);
      assert.equal(theirs[i].length, ours.length);
      let worst = 0;
      ours.forEach((row, r) => row.forEach((x, v) => { worst = Math.max(worst, Math.abs(x - theirs[i][r][v])); }));
      assert.ok(worst < 1e-10, `largest difference ${worst}`);
    });
  });
});
