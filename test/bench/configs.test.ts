// The benchmark's configuration table, its FLOP counter and its median: checked without timing anything.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BENCH_CONFIGS, flopsPerChar, parseConfigList, REFERENCE_FLOPS_PER_CHAR } from '../../bench/configs.js';
import { coretypeForCpuinfo } from '../../bench/jobs.js';
import { median, spreadOf } from '../../bench/measure.js';

// tinyshakespeare's vocabulary size: the count REFERENCE_FLOPS_PER_CHAR was computed for.
const V = 65;

describe('bench configurations', () => {
  it('are the standard S, M and L of the brief', () => {
    assert.deepEqual(
      Object.values(BENCH_CONFIGS).map((c) => [c.name, c.cell, c.numLayers, c.hiddenSize, c.bpttLength, c.batchSize]),
      [['S', 'lstm', 1, 128, 64, 32], ['M', 'lstm', 2, 256, 64, 32], ['L', 'lstm', 2, 512, 128, 64]]);
  });

  it('count FLOPs per training character within 2% of the published S 0.64 M, M 5.2 M, L 19.9 M', () => {
    for (const c of Object.values(BENCH_CONFIGS)) {
      const ours = flopsPerChar(c, V);
      const published = REFERENCE_FLOPS_PER_CHAR[c.name];
      assert.ok(Math.abs(ours - published) / published < 0.02, `${c.name}: ${ours} vs ${published}`);
    }
  });

  it('counts S exactly as three times the forward matrix products, one-hot input included', () => {
    // Forward: x·W_ihᵀ 2·512·65, h·W_hhᵀ 2·512·128, decoder 2·65·128; backward doubles it.
    assert.equal(flopsPerChar(BENCH_CONFIGS.S, V), 3 * (2 * 512 * 65 + 2 * 512 * 128 + 2 * 65 * 128));
  });

  it('parses a configuration list and rejects unknown names', () => {
    assert.deepEqual(parseConfigList('s, M,M'), ['S', 'M']);
    assert.throws(() => parseConfigList('S,XL'), /unknown configuration "XL"/);
    assert.throws(() => parseConfigList(''), /no configuration/);
  });
});

describe('bench statistics', () => {
  it('takes the median of odd and even counts and measures the spread around it', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.deepEqual(spreadOf([90, 100, 110]), { median: 100, min: 90, max: 110, relativeSpread: 0.2 });
  });
});

describe("PyTorch's OpenBLAS kernels for the bench", () => {
  const cpuinfo = (flags: string): string => `processor\t: 0\nmodel\t\t: 207\nflags\t\t: ${flags}\n\nprocessor\t: 1\nflags\t\t: sse2\n`;
  it('are named from the first CPU\'s flags: SkylakeX with AVX-512, Haswell with AVX2 and FMA, else OpenBLAS detects', () => {
    assert.equal(coretypeForCpuinfo(cpuinfo('fpu sse2 avx2 fma avx512f avx512bw')), 'SkylakeX');
    assert.equal(coretypeForCpuinfo(cpuinfo('fpu sse2 avx avx2 fma')), 'Haswell');
    assert.equal(coretypeForCpuinfo(cpuinfo('fpu sse2 avx')), undefined);
    assert.equal(coretypeForCpuinfo('no flags line here'), undefined);
  });
});
