// Shared settings of the fuzz tests: a fixed seed and a case count, so `npm test` is reproducible and takes seconds;
// CHARLM_FUZZ_RUNS=20000 (and CHARLM_FUZZ_SEED) run more, or other, cases.

/** Cases per property: CHARLM_FUZZ_RUNS, or `fallback` (the count `npm test` runs). */
export function fuzzRuns(fallback: number): number {
  const n = Number(process.env.CHARLM_FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** The seed of every property: CHARLM_FUZZ_SEED, or a fixed one. */
export function fuzzSeed(): number {
  const n = Number(process.env.CHARLM_FUZZ_SEED);
  return Number.isInteger(n) ? n : 20261202;
}

/** Fails the test if anything was added to Object.prototype (prototype pollution by a parsed file). */
export function assertNoPrototypePollution(): void {
  const polluted = Object.getOwnPropertyNames(Object.prototype).filter((k) => !BASELINE.has(k));
  if (polluted.length > 0) throw new Error(`Object.prototype gained ${polluted.join(', ')}`);
  if (({} as Record<string, unknown>).polluted !== undefined) throw new Error('Object.prototype.polluted is set');
}

const BASELINE = new Set(Object.getOwnPropertyNames(Object.prototype));
