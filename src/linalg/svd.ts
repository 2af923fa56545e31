/**
 * SVDs for the robust solvers, Float64 where it matters.
 *
 * `randomizedSvd64(A, k)` (Halko, Martinsson & Tropp 2011, Alg. 4.4 + 5.1): subspace iteration from a random or
 * WARM-STARTED block of k + oversample vectors, then a Float64 Rayleigh-Ritz step: Q = orth(A Omega),
 * C = A^T Q = B^T, C = Q2 R (CGS2), one-sided Jacobi SVD of the small R. The power iterations may run as float32
 * matMuls on the tfjs backend (`backendPowerIterations`, default for large matrices): they only choose the
 * subspace; the final products and factorisations are Float64 in JS, so the returned triplets are exact
 * (to ~1e-15) for the projected matrix Q Q^T A, and the top singular values/vectors are as accurate as the
 * subspace (error ~ (sigma_{k'+1}/sigma_k)^(2q+1) times the float32 rounding of the start).
 * Cost: 2 (q + 1) products of A with k' vectors + O((m + n) k'^2).
 *
 * Why not the Gram route alone: forming A A^T in float32 squares the condition number (singular values below
 * ~3e-4 sigma_1 are lost in rounding), and a full Float64 eigendecomposition of a 784 x 784 Gram matrix takes
 * ~1.5 s (values only) to ~10 s (with vectors) in JS (measured, see dense.ts) -- too slow per RPCA iteration.
 * `gramSvd64` is kept for small problems and as an independent check (exact Float64 Gram + symEig64).
 */
import { tf } from '../backend';
import { InputError } from '../validate';
import { Rng } from '../random';
import { Mat64, ThinSvd64, gemmNT, gemmTN, jacobiSvd64, matmul64, matmulTN64, symEig64, transpose64 } from './dense';

/**
 * In-place CGS2 QR on a column-major block (k columns of length m, column j at q[j*m ..]); returns R (k x k,
 * row-major, upper triangular). Dependent columns get R(j,j) = 0 and a random orthonormal replacement.
 */
export function qrColumnMajor64(q: Float64Array, m: number, k: number, rng: Rng = new Rng(1)): Float64Array {
  if (k > m) throw new InputError(`qrColumnMajor64: more columns (${k}) than rows (${m})`);
  const R = new Float64Array(k * k);
  const h = new Float64Array(k);
  const project = (cj: number, j: number, acc: boolean) => {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        const cp = p * m;
        let s = 0;
        for (let i = 0; i < m; i++) s += q[cp + i] * q[cj + i];
        h[p] = s;
      }
      for (let p = 0; p < j; p++) {
        const cp = p * m, s = h[p];
        if (s === 0) continue;
        for (let i = 0; i < m; i++) q[cj + i] -= s * q[cp + i];
        if (acc) R[p * k + j] += s;
      }
    }
  };
  for (let j = 0; j < k; j++) {
    const cj = j * m;
    let norm0 = 0;
    for (let i = 0; i < m; i++) norm0 += q[cj + i] * q[cj + i];
    norm0 = Math.sqrt(norm0);
    project(cj, j, true);
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += q[cj + i] * q[cj + i];
    nrm = Math.sqrt(nrm);
    if (nrm <= 1e-13 * norm0 || nrm === 0) {
      R[j * k + j] = 0;
      for (let tries = 0; tries < 3; tries++) {
        for (let i = 0; i < m; i++) q[cj + i] = rng.normal();
        project(cj, j, false);
        let nn = 0;
        for (let i = 0; i < m; i++) nn += q[cj + i] * q[cj + i];
        nn = Math.sqrt(nn);
        if (nn > 1e-8) { for (let i = 0; i < m; i++) q[cj + i] /= nn; break; }
      }
    } else {
      R[j * k + j] = nrm;
      for (let i = 0; i < m; i++) q[cj + i] /= nrm;
    }
  }
  return R;
}

/** Thin QR by classical Gram-Schmidt applied twice (CGS2); Q m x k orthonormal, R k x k upper triangular. */
export function qrThin64(A: Mat64, rng: Rng = new Rng(1)): { Q: Mat64; R: Mat64 } {
  const m = A.rows, k = A.cols;
  const q = transpose64(A).data;
  const R = qrColumnMajor64(q, m, k, rng);
  return { Q: transpose64({ rows: k, cols: m, data: q }), R: { rows: k, cols: k, data: R } };
}

/** Y (k x m, column-major of A X) with Y[j*m + i] = dot(A_i, Xt_j): A m x n row-major, Xt k x n row-major. */
function mulAXt(a: Float64Array, m: number, n: number, xt: Float64Array, k: number): Float64Array {
  return gemmNT(xt, k, n, a, m);
}

/** Ct (k x n row-major) = Q^T A: A m x n row-major, Q column-major (k columns of length m); no transpose of A. */
function mulAtQ(a: Float64Array, m: number, n: number, q: Float64Array, k: number): Float64Array {
  return gemmTN(q, m, k, a, n);
}

export interface RandomizedSvdOptions {
  /** Extra vectors beyond k (default 10). */
  oversample?: number;
  /** Power (subspace) iterations before the final Rayleigh-Ritz step (default 2). */
  powerIterations?: number;
  /** Warm start: an n x k0 matrix whose columns start the subspace (e.g. the previous call's V). */
  start?: Mat64;
  rng?: Rng;
  /**
   * Run the power iterations as float32 matMuls on the tfjs backend (the final step is always Float64).
   * Default: when m * n * k' > 4e6.
   */
  backendPowerIterations?: boolean;
}

export interface RandomizedSvd64 extends ThinSvd64 {
  /** V transposed (k' x n, row-major): rows are the right singular vectors. */
  Vt: Mat64;
}

/** Top-k' singular triplets (k' = min(k + oversample, m, n)), descending, Float64. */
export function randomizedSvd64(A: Mat64, k: number, opts: RandomizedSvdOptions = {}): RandomizedSvd64 {
  const m = A.rows, n = A.cols, p = Math.min(m, n), a = A.data;
  if (!(k >= 1) || !Number.isInteger(k)) throw new InputError(`randomizedSvd64: k must be a positive integer, got ${k}`);
  const kk = Math.min(p, k + (opts.oversample ?? 10));
  const q = opts.powerIterations ?? 2;
  const rng = opts.rng ?? new Rng(12345);
  // Omega^T: kk x n (rows = start vectors), warm rows first.
  let omT = new Float64Array(kk * n);
  let k0 = 0;
  if (opts.start) {
    if (opts.start.rows !== n) throw new InputError(`randomizedSvd64: start has ${opts.start.rows} rows, expected ${n}`);
    k0 = Math.min(kk, opts.start.cols);
    const sc = opts.start.cols, sd = opts.start.data;
    for (let i = 0; i < n; i++) for (let j = 0; j < k0; j++) omT[j * n + i] = sd[i * sc + j];
  }
  for (let j = k0; j < kk; j++) for (let i = 0; i < n; i++) omT[j * n + i] = rng.normal();
  const useBackend = opts.backendPowerIterations ?? m * n * kk > 4e6;
  if (q > 0) {
    if (useBackend) {
      const At = tf.tensor2d(Float32Array.from(a), [m, n]);
      try {
        for (let it = 0; it < q; it++) {
          // Y^T = Omega^T A^T (kk x m), rows = columns of Y: already column-major for the QR.
          const Yt = tf.tidy(() => tf.matMul(tf.tensor2d(Float32Array.from(omT), [kk, n]), At, false, true));
          const qy = Float64Array.from(Yt.dataSync());
          Yt.dispose();
          qrColumnMajor64(qy, m, kk, rng);
          const Zt = tf.tidy(() => tf.matMul(tf.tensor2d(Float32Array.from(qy), [kk, m]), At));
          omT = Float64Array.from(Zt.dataSync());
          Zt.dispose();
          qrColumnMajor64(omT, n, kk, rng);
        }
      } finally { At.dispose(); }
    } else {
      for (let it = 0; it < q; it++) {
        const qy = mulAXt(a, m, n, omT, kk);
        qrColumnMajor64(qy, m, kk, rng);
        omT = mulAtQ(a, m, n, qy, kk);
        qrColumnMajor64(omT, n, kk, rng);
      }
    }
  }
  // Float64 Rayleigh-Ritz: A ~ Q Q^T A = Q C^T, C = A^T Q = Q2 R, R = Ur S Vr^T  =>  A ~ (Q Vr) S (Q2 Ur)^T.
  const qy = mulAXt(a, m, n, omT, kk);
  qrColumnMajor64(qy, m, kk, rng); // Q, column-major
  const ct = mulAtQ(a, m, n, qy, kk); // C^T: kk x n = C column-major
  const R = qrColumnMajor64(ct, n, kk, rng); // ct now holds Q2 column-major (= Q2^T row-major)
  const r = jacobiSvd64({ rows: kk, cols: kk, data: R });
  // U = Q Vr (m x kk): U[i, l] = sum_j Q[i, j] Vr[j, l]
  const U = new Float64Array(m * kk);
  for (let j = 0; j < kk; j++) for (let l = 0; l < kk; l++) {
    const w = r.V.data[j * kk + l];
    if (w === 0) continue;
    for (let i = 0; i < m; i++) U[i * kk + l] += qy[j * m + i] * w;
  }
  // Vt = (Q2 Ur)^T (kk x n): Vt[l, :] = sum_j Ur[j, l] Q2[:, j]
  const Vt = new Float64Array(kk * n);
  for (let l = 0; l < kk; l++) for (let j = 0; j < kk; j++) {
    const w = r.U.data[j * kk + l];
    if (w === 0) continue;
    const vl = l * n, cj = j * n;
    for (let i = 0; i < n; i++) Vt[vl + i] += w * ct[cj + i];
  }
  const VtM: Mat64 = { rows: kk, cols: n, data: Vt };
  return { U: { rows: m, cols: kk, data: U }, s: r.s, V: transpose64(VtM), Vt: VtM };
}

/**
 * Thin SVD through the exact Float64 Gram matrix of the smaller side and a full symmetric eigendecomposition
 * (singular values below ~1e-8 sigma_1 lose relative accuracy: the Gram squares the condition number).
 * O(m n min(m,n)) + O(min(m,n)^3) in JS: for small matrices and tests.
 */
export function gramSvd64(A: Mat64): ThinSvd64 {
  const m = A.rows, n = A.cols;
  if (m > n) { const r = gramSvd64(transpose64(A)); return { U: r.V, s: r.s, V: r.U }; }
  const G = matmul64(A, transpose64(A)); // m x m
  const { values, vectors } = symEig64(G);
  const s = new Float64Array(m), U = new Float64Array(m * m);
  for (let jj = 0; jj < m; jj++) {
    const j = m - 1 - jj; // descending
    s[jj] = Math.sqrt(Math.max(values[j], 0));
    for (let i = 0; i < m; i++) U[i * m + jj] = vectors!.data[j * m + i];
  }
  const Um: Mat64 = { rows: m, cols: m, data: U };
  const V = matmulTN64(A, Um); // n x m, columns scaled by s
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) V.data[i * m + j] = s[j] > 0 ? V.data[i * m + j] / s[j] : 0;
  return { U: Um, s, V };
}

/** Largest singular value ||A||_2 (randomized subspace iteration with a Float64 Rayleigh-Ritz; ~1e-10 relative). */
export function spectralNorm64(A: Mat64, rng: Rng = new Rng(7)): number {
  return randomizedSvd64(A, 1, { oversample: 8, powerIterations: 6, rng }).s[0];
}
