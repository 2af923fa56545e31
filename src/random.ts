/**
 * One seeded random-number source for everything (data subsets, corruptions, initialisation, batching).
 *
 * `new Rng(seed)` is a small fast generator (sfc32 seeded through splitmix32); the same seed gives the same
 * stream on every machine. `rng.fork(tag)` derives an independent stream from a label, so adding draws in one
 * place does not shift the numbers used elsewhere. `rng.tfSeed()` returns an integer seed for tfjs ops
 * (`tf.randomNormal(shape, 0, 1, 'float32', seed)`, initialisers with `{seed}`).
 */
function splitmix32(a: number): () => number {
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    t ^= t >>> 15;
    return t >>> 0;
  };
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class Rng {
  readonly seed: number;
  private a: number; private b: number; private c: number; private d: number;
  private spare: number | null = null;

  constructor(seed: number | string = 0) {
    if (typeof seed === 'number' && !Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    this.seed = typeof seed === 'string' ? hashString(seed) : seed >>> 0;
    const sm = splitmix32(this.seed);
    this.a = sm(); this.b = sm(); this.c = sm(); this.d = sm();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new Error(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.spare !== null) { const s = this.spare; this.spare = null; return s; }
    let u: number, v: number, s: number;
    do { u = 2 * this.uniform() - 1; v = 2 * this.uniform() - 1; s = u * u + v * v; } while (s >= 1 || s === 0);
    const m = Math.sqrt(-2 * Math.log(s) / s);
    this.spare = v * m;
    return u * m;
  }

  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(arr: T[] | Int32Array | Float32Array): typeof arr {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = arr[i]; arr[i] = arr[j]; arr[j] = t;
    }
    return arr;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p) as Int32Array;
  }

  /** k indices from 0..n-1, without replacement (default) or with replacement. */
  choice(n: number, k: number, replace = false): Int32Array {
    if (!replace && k > n) throw new Error(`Rng.choice: cannot draw ${k} of ${n} without replacement`);
    if (replace) { const out = new Int32Array(k); for (let i = 0; i < k; i++) out[i] = this.int(n); return out; }
    return this.permutation(n).slice(0, k);
  }

  /** Float32Array of iid N(mean, std^2). */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** Float32Array of iid U[lo, hi). */
  uniformArray(n: number, lo = 0, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /** An independent stream derived from this generator's seed and a label (does not consume draws). */
  fork(tag: string | number): Rng {
    return new Rng((hashString(`${this.seed}:${tag}`) ^ Math.imul(this.seed, 2654435761)) >>> 0);
  }

  /** An integer seed for tfjs random ops and initialisers (consumes one draw). */
  tfSeed(): number {
    return this.nextUint32() % 2147483647;
  }
}

/** Accepts a seed or an Rng, returns an Rng. */
export function toRng(seedOrRng: number | string | Rng | undefined, fallback = 0): Rng {
  if (seedOrRng instanceof Rng) return seedOrRng;
  return new Rng(seedOrRng ?? fallback);
}
