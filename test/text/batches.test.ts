import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchStreams } from '../../src/text/batches.js';

/** ids[i] = i, so an id is its own position in the text. */
function positions(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}

describe('BatchStreams', () => {
  const N = 103;
  const B = 4;
  const T = 5;
  const streams = new BatchStreams(positions(N), B, T);
  const L = Math.floor((N - 1) / B); // 25

  it('cuts N ids into B streams of floor((N - 1) / B) and whole chunks of T', () => {
    assert.equal(streams.streamLength, L);
    assert.equal(streams.chunksPerEpoch, Math.floor(L / T));
  });

  it('makes every target the next character of its input', () => {
    const inputs = new Uint32Array(T * B);
    const targets = new Uint32Array(T * B);
    for (let chunk = 0; chunk < streams.chunksPerEpoch; chunk++) {
      streams.fill(chunk, inputs, targets);
      for (let i = 0; i < T * B; i++) assert.equal(targets[i], inputs[i]! + 1);
    }
  });

  it('lays out (T, B) time-major: stream b starts at b·L', () => {
    const inputs = new Uint32Array(T * B);
    const targets = new Uint32Array(T * B);
    streams.fill(0, inputs, targets);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) assert.equal(inputs[t * B + b], b * L + t);
  });

  it('never lets two streams read the same input position', () => {
    const inputs = new Uint32Array(T * B);
    const targets = new Uint32Array(T * B);
    const seen = new Set<number>();
    for (let chunk = 0; chunk < streams.chunksPerEpoch; chunk++) {
      streams.fill(chunk, inputs, targets);
      for (const id of inputs) {
        assert.ok(!seen.has(id), `position ${id} read twice`);
        seen.add(id);
      }
    }
    assert.equal(seen.size, B * T * streams.chunksPerEpoch);
  });

  it('continues chunk k in chunk k + 1 of every stream', () => {
    const a = { inputs: new Uint32Array(T * B), targets: new Uint32Array(T * B) };
    const b = { inputs: new Uint32Array(T * B), targets: new Uint32Array(T * B) };
    for (let chunk = 0; chunk + 1 < streams.chunksPerEpoch; chunk++) {
      streams.fill(chunk, a.inputs, a.targets);
      streams.fill(chunk + 1, b.inputs, b.targets);
      for (let s = 0; s < B; s++) assert.equal(b.inputs[0 * B + s], a.targets[(T - 1) * B + s]);
    }
  });

  it('has no chunks when the text is shorter than B·T + 1 and refuses to fill one', () => {
    const short = new BatchStreams(positions(B * T), B, T);
    assert.equal(short.chunksPerEpoch, 0);
    assert.throws(() => short.fill(0, new Uint32Array(T * B), new Uint32Array(T * B)), RangeError);
    assert.equal(new BatchStreams(positions(B * T + 1), B, T).chunksPerEpoch, 1);
  });
});
