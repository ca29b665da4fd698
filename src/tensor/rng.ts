// The one source of randomness: a seeded generator whose whole state is plain data, so training resumes bit for bit.

import seedrandom from 'seedrandom';

/** The generator's state as plain JSON-safe data (saved in the model file for resume). */
export interface RngState {
  readonly alea: { c: number; s0: number; s1: number; s2: number };
  /** The second normal deviate of the last Box–Muller pair, not yet handed out. */
  readonly spareNormal: number | null;
}

interface AleaPrng {
  (): number;
  double(): number;
  state(): { c: number; s0: number; s1: number; s2: number };
}

export class Rng {
  private prng: AleaPrng;
  private spare: number | null = null;

  private constructor(prng: AleaPrng) {
    this.prng = prng;
  }

  static fromSeed(seed: number | string): Rng {
    return new Rng(seedrandom.alea(String(seed), { state: true }) as unknown as AleaPrng);
  }

  static fromState(state: RngState): Rng {
    const rng = new Rng(seedrandom.alea('', { state: { ...state.alea } }) as unknown as AleaPrng);
    rng.spare = state.spareNormal;
    return rng;
  }

  state(): RngState {
    return { alea: this.prng.state(), spareNormal: this.spare };
  }

  /** Uniform in [0, 1), 32 bits of randomness. */
  uniform(): number {
    return this.prng();
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.prng();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** Standard normal deviate (Box–Muller; the spare is kept in the state). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.prng();
    const v = this.prng();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}
