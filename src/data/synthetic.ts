/**
 * Synthetic robust-PCA data, Candes, Li, Ma & Wright 2011 ("Robust principal component analysis?", Sec. 4.1
 * and the phase-transition experiment of Fig. 1): L0 = U V^T with U (n1 x r) and V (n2 x r) having iid N(0, 1/n)
 * entries (1/n1 for U and 1/n2 for V when the matrix is not square), so L0 has rank r; the support of S0 is
 * Bernoulli(rho) (each entry independently with probability rho) and its nonzero entries are random signs +-1
 * ('sign', the paper's "random signs"), 'coherent' signs sgn(L0) on the support (Fig. 1(b)), or 'uniform'
 * values on [-magnitude, magnitude]. X = L0 + S0. Matrices are Float32Array, row-major n1 x n2.
 * The paper's protocol: n1 = n2 = 400, recovery counts as a success when ||L - L0||_F / ||L0||_F < 1e-3.
 */
import { tf } from '../backend';
import { Rng, toRng } from '../random';
import { assertInRange, assertInt, assertOneOf, InputError } from '../validate';

export interface LowRankPlusSparseOptions {
  n1: number;
  n2: number;
  rank: number;
  /** Probability that an entry of S0 is nonzero. */
  rho: number;
  seed: number | string | Rng;
  /** Values of S0 on its support (default 'sign': +-1 with equal probability). */
  sparseValue?: 'sign' | 'uniform' | 'coherent';
  /** Scale of the sparse values (default 1). */
  magnitude?: number;
}

export interface LowRankPlusSparse {
  n1: number;
  n2: number;
  rank: number;
  rho: number;
  /** Low-rank part, n1 x n2 row-major. */
  L0: Float32Array;
  /** Sparse part, n1 x n2 row-major. */
  S0: Float32Array;
  /** Observed data X = L0 + S0. */
  X: Float32Array;
  /** 1 where S0 is nonzero. */
  support: Uint8Array;
  /** The factors: L0 = U V^T, U n1 x r and V n2 x r (row-major). */
  U: Float32Array;
  V: Float32Array;
}

export const CANDES2011_PROTOCOL = { n: 400, successTol: 1e-3 } as const;

export function lowRankPlusSparse(opts: LowRankPlusSparseOptions): LowRankPlusSparse {
  if (!opts || typeof opts !== 'object') throw new InputError('lowRankPlusSparse: options { n1, n2, rank, rho, seed } are required');
  const { n1, n2, rank, rho } = opts;
  assertInt(n1, 'lowRankPlusSparse: n1', 1);
  assertInt(n2, 'lowRankPlusSparse: n2', 1);
  assertInt(rank, 'lowRankPlusSparse: rank', 0, Math.min(n1, n2));
  assertInRange(rho, 'lowRankPlusSparse: rho', 0, 1);
  if (opts.seed === undefined) throw new InputError('lowRankPlusSparse: give a seed');
  const kind = opts.sparseValue ?? 'sign';
  assertOneOf(kind, 'lowRankPlusSparse: sparseValue', ['sign', 'uniform', 'coherent'] as const);
  const mag = opts.magnitude ?? 1;
  assertInRange(mag, 'lowRankPlusSparse: magnitude', 0, Number.MAX_VALUE);
  const rng = toRng(opts.seed);
  const fr = rng.fork('factors'), sr = rng.fork('sparse');
  const U = fr.normalArray(n1 * rank, 0, Math.sqrt(1 / n1));
  const V = fr.normalArray(n2 * rank, 0, Math.sqrt(1 / n2));
  const L0 = new Float32Array(n1 * n2);
  for (let i = 0; i < n1; i++) {
    for (let j = 0; j < n2; j++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += U[i * rank + k] * V[j * rank + k];
      L0[i * n2 + j] = s;
    }
  }
  const S0 = new Float32Array(n1 * n2);
  const support = new Uint8Array(n1 * n2);
  for (let e = 0; e < n1 * n2; e++) {
    if (sr.uniform() < rho) {
      support[e] = 1;
      const v = sr.uniform();
      S0[e] = kind === 'sign' ? (v < 0.5 ? -mag : mag) : kind === 'uniform' ? mag * (2 * v - 1) : mag * (L0[e] >= 0 ? 1 : -1);
    }
  }
  const X = new Float32Array(n1 * n2);
  for (let e = 0; e < n1 * n2; e++) X[e] = L0[e] + S0[e];
  return { n1, n2, rank, rho, L0, S0, X, support, U, V };
}

/** The three matrices as n1 x n2 tensors (the caller disposes them). */
export function lowRankPlusSparseTensors(d: LowRankPlusSparse): { L0: tf.Tensor2D; S0: tf.Tensor2D; X: tf.Tensor2D } {
  return {
    L0: tf.tensor2d(d.L0, [d.n1, d.n2]),
    S0: tf.tensor2d(d.S0, [d.n1, d.n2]),
    X: tf.tensor2d(d.X, [d.n1, d.n2]),
  };
}

/** ||A - B||_F / ||B||_F for row-major arrays or tensors (e.g. recovered L vs L0). */
export function relativeFrobeniusError(A: ArrayLike<number> | tf.Tensor, B: ArrayLike<number> | tf.Tensor): number {
  const a = A instanceof tf.Tensor ? A.dataSync() : A;
  const b = B instanceof tf.Tensor ? B.dataSync() : B;
  if (a.length !== b.length) throw new InputError(`relativeFrobeniusError: sizes differ (${a.length} vs ${b.length})`);
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
  return den === 0 ? (num === 0 ? 0 : Infinity) : Math.sqrt(num / den);
}
