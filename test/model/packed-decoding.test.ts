// Decoding with packed weights (CharLM.packWeights, what sampling and beam search pass to step()): on the native kernel
// the logits are the bits of the teacher-forced forward over the same characters, and a row's logits do not depend on
// the rows beside it (a beam's rows against generation's one); packing again follows changed weights; on the reference
// kernels the packs are the weights themselves. Needs the native kernel for the first two; skipped (saying so) without.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { CELLS, type ModelConfig } from '../../src/config/model-config.js';
import { ConfigError } from '../../src/errors.js';
import { CharLM } from '../../src/model/char-lm.js';
import type { Kernels } from '../../src/tensor/kernels.js';
import { loadNativeKernels, setNativeGemmThreads } from '../../src/tensor/native-kernels.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { Rng } from '../../src/tensor/rng.js';

const native = loadNativeKernels();
const V = 11;
// Every cell, and the LSTM projected to fewer units; 40 units: products past one register tile, gates not a multiple of it.
const CONFIGS: ModelConfig[] = [
  ...CELLS.map((cell) => ({ cell, numLayers: 2, hiddenSize: 40, vocabSize: V, dropout: 0 })),
  { cell: 'lstm', numLayers: 2, hiddenSize: 40, projSize: 24, vocabSize: V, dropout: 0 },
];
const label = (c: ModelConfig): string => `${c.cell}${c.projSize ? ` projected to ${c.projSize}` : ''}`;

function randomIds(n: number, seed: number): Uint16Array {
  const rng = Rng.fromSeed(seed);
  return Uint16Array.from({ length: n }, () => rng.int(V));
}

const bits = (x: Float32Array | Float64Array, from: number, to: number): Buffer =>
  Buffer.from(x.buffer, x.byteOffset + from * x.BYTES_PER_ELEMENT, (to - from) * x.BYTES_PER_ELEMENT);

describe('decoding with packed weights, native kernel', { skip: native === null ? 'needs the native kernel (not built here)' : false }, () => {
  const k = native as Kernels;
  after(() => setNativeGemmThreads(1));

  for (const config of CONFIGS) {
    it(`${label(config)}: step() with packed weights gives the bits of the teacher-forced forward, on one thread and two`, () => {
      const model = CharLM.create(config, k, Rng.fromSeed(21));
      const T = 6, B = 3;  // T·B = 18 rows: the forward's input and decoder products take the blocked path
      const inputs = randomIds(T * B, 22);
      for (const threads of [1, 2]) {
        setNativeGemmThreads(threads);
        const pass = model.forward(inputs, inputs, T, B, model.createState(B), { training: false });
        const expected = Float32Array.from(pass.logits);
        const packed = model.packWeights();
        const state = model.createState(B);
        const logits = k.alloc(B * V) as Float32Array;
        for (let t = 0; t < T; t++) {
          model.step(inputs.subarray(t * B, (t + 1) * B), state, logits, packed);
          assert.deepEqual(bits(logits, 0, B * V), bits(expected, t * B * V, (t + 1) * B * V), `${threads} threads, step ${t}`);
        }
      }
    });

    it(`${label(config)}: a row's logits with packed weights do not depend on the rows beside it (equal states included)`, () => {
      const model = CharLM.create(config, k, Rng.fromSeed(23));
      const packed = model.packWeights();
      // Nine rows as a beam has them: a few distinct histories, some rows sharing one (and so their state).
      const histories = [0, 1, 2, 1, 3, 0, 4, 2, 5].map((h) => randomIds(5, 100 + h));
      const run = (rows: Uint16Array[]): Float32Array => {
        const state = model.createState(rows.length);
        const logits = k.alloc(rows.length * V) as Float32Array;
        for (let t = 0; t < 5; t++) model.step(Uint16Array.from(rows, (r) => r[t]!), state, logits, packed);
        return logits;
      };
      for (const threads of [1, 2]) {
        setNativeGemmThreads(threads);
        const together = run(histories);
        histories.forEach((h, r) => {
          assert.deepEqual(bits(together, r * V, (r + 1) * V), bits(run([h]), 0, V), `row ${r}, ${threads} threads`);
        });
      }
    });
  }
});

describe('packed weights', () => {
  const kernels: [string, Kernels | null][] = [['reference f64', createReferenceKernels('f64')], ['native', native]];
  for (const [name, k] of kernels) {
    it(`${name}: packing again after the weights change decodes with the new weights`, { skip: k === null ? 'needs the native kernel' : false }, () => {
      const model = CharLM.create(CONFIGS[0]!, k!, Rng.fromSeed(24));
      const ids = Uint16Array.of(3, 7);
      const logitsOf = (packed: ReturnType<CharLM['packWeights']> | null): number[] => {
        const logits = k!.alloc(2 * V);
        model.step(ids, model.createState(2), logits, packed);
        return Array.from(logits);
      };
      const before = logitsOf(model.packWeights());
      const decoder = model.params.view('decoder.weight');
      decoder.forEach((w, i) => { decoder[i] = 2 * w; });
      const unpacked = logitsOf(null);
      const repacked = logitsOf(model.packWeights());
      assert.notDeepEqual(repacked, before);
      repacked.forEach((x, i) => assert.ok(Math.abs(x - unpacked[i]!) < 1e-5, `logit ${i}: ${x} against ${unpacked[i]}`));
      if (name.startsWith('reference')) assert.deepEqual(repacked, unpacked, 'the reference kernels read the weights in place');
    });
  }

  it('step() refuses the packed weights of another model', () => {
    const f64 = createReferenceKernels('f64');
    const a = CharLM.create(CONFIGS[0]!, f64, Rng.fromSeed(25)), b = CharLM.create(CONFIGS[0]!, f64, Rng.fromSeed(26));
    assert.throws(() => a.step(Uint16Array.of(1), a.createState(1), f64.alloc(V), b.packWeights()),
      (e: unknown) => e instanceof ConfigError && /another model/.test((e as Error).message));
  });
});
