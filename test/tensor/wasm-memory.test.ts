// The WebAssembly kernel's memory stays bounded by what is alive: buffers of evicted workspaces are reused at once, and
// those of dropped models and states once the garbage collector has found them (issue 10, item 4). Sizes are read from
// the heap itself (wasmMemoryUse), not from the process's RSS, so the test is exact and independent of the collector's mood
// for everything but the second case, which forces a full collection.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { validateModelConfig } from '../../src/config/model-config.js';
import { scoreLines } from '../../src/decode/scoring.js';
import { CharLM } from '../../src/model/char-lm.js';
import { Rng } from '../../src/tensor/rng.js';
import { loadWasmKernels, wasmMemoryUse } from '../../src/tensor/wasm/wasm-kernels.js';
import { Vocab } from '../../src/text/vocab.js';

const wasm = loadWasmKernels();

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('wasm kernel memory', { skip: wasm === null ? 'the wasm kernel is not available here' : false }, () => {
  const k = wasm!;
  const text = 'abcdefghij klmnopqrst\n';
  const vocab = Vocab.fromText(text);
  const config = validateModelConfig({ cell: 'lstm', numLayers: 2, hiddenSize: 48, dropout: 0, vocabSize: vocab.size });

  it('stays flat when the same lines are scored again and again in one synchronous loop', () => {
    const model = CharLM.create(config, k, Rng.fromSeed(1));
    // 150 lines of 1 … 30 characters: three batches per call and more distinct chunk lengths than the model caches
    // workspaces, so workspaces are evicted and rebuilt on every call.
    const rng = Rng.fromSeed(2);
    const lines = Array.from({ length: 150 }, (_, i) =>
      Array.from({ length: 1 + (i % 30) }, () => text[rng.int(text.length - 1)]).join(''));
    const first = scoreLines(model, vocab, lines);
    scoreLines(model, vocab, lines);
    const before = wasmMemoryUse()!;
    for (let run = 0; run < 8; run++) {
      const again = scoreLines(model, vocab, lines);
      assert.deepEqual(again.map((s) => s.logProb), first.map((s) => s.logProb), 'released buffers were reused wrongly');
    }
    const after = wasmMemoryUse()!;
    assert.equal(after.liveBytes, before.liveBytes, `live wasm bytes grew from ${before.liveBytes} to ${after.liveBytes}`);
    assert.equal(after.memoryBytes, before.memoryBytes, `wasm memory grew from ${before.memoryBytes} to ${after.memoryBytes}`);
  });

  it('gives the memory of dropped models back once they are collected', async () => {
    const collect = async (): Promise<void> => {
      // Finalization callbacks run as tasks after a collection: let a few turns of the event loop pass.
      for (let turn = 0; turn < 5; turn++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await collect();
    const before = wasmMemoryUse()!.liveBytes;
    // In a function of its own, so that no local of this suspended async function keeps the last model alive.
    (() => {
      for (let i = 0; i < 20; i++) scoreLines(CharLM.create(config, k, Rng.fromSeed(i)), vocab, ['abc def', 'ghij']);
    })();
    assert.ok(wasmMemoryUse()!.liveBytes > before, 'the models took no wasm memory: the test measures nothing');
    await collect();
    const after = wasmMemoryUse()!.liveBytes;
    assert.equal(after, before, `live wasm bytes went from ${before} to ${after} after the models were dropped`);
  });

  it('release() frees a buffer once and ignores buffers it did not allocate', () => {
    const start = wasmMemoryUse()!.liveBytes;
    const a = k.alloc(1000);
    const b = k.alloc(10);
    assert.equal(wasmMemoryUse()!.liveBytes, start + 4000 + 48);
    k.release(a);
    k.release(a);
    k.release(new Float32Array(1000));
    assert.equal(wasmMemoryUse()!.liveBytes, start + 48);
    const c = k.alloc(900);  // fits in a's hole, zero-filled again
    assert.ok(c.every((x) => x === 0));
    assert.equal(wasmMemoryUse()!.liveBytes, start + 3600 + 48);
    k.release(b);
    k.release(c);
    assert.equal(wasmMemoryUse()!.liveBytes, start);
  });
});
