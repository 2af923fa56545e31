/**
 * Frechet distance between two Gaussians N(mu1, C1), N(mu2, C2) (Dowson & Landau 1982), the FID formula of
 * Heusel et al. 2017:
 *
 *     d^2 = ||mu1 - mu2||^2 + tr C1 + tr C2 - 2 tr sqrtm(C1 C2).
 *
 * The trace term is computed in Float64 without a non-symmetric matrix square root: for C1 = L L^T (Cholesky),
 * C1 C2 is similar to the symmetric PSD matrix K = L^T C2 L, so tr sqrtm(C1 C2) = sum_i sqrt(lambda_i(K)), and only
 * the EIGENVALUES of K are needed (Householder tridiagonalisation + QL, no eigenvectors). When neither C1 nor C2
 * is positive definite (e.g. fewer samples than features), it falls back to the eigen route
 * sqrt(C1) = Q sqrt(max(Lambda, 0)) Q^T, K = sqrt(C1) C2 sqrt(C1) (slower: needs the eigenvectors of C1).
 * Tiny negative eigenvalues of K from rounding are clipped to 0. This equals scipy.linalg.sqrtm's route
 * (pytorch-fid) up to rounding, without its complex-valued artefacts.
 *
 * Two routes, same maths (option `linalg`):
 *  - native (default on tfjs-node): Float64 on TensorFlow's double kernels (src/linalg/native64.ts), then
 *    Cholesky, the two d^3 products and the eigenvalues of K (SelfAdjointEigV2 without vectors) -- multi-threaded
 *    Eigen. The mean / covariance of a float32 tensor has one route per size class:
 *      d <= 512 (meanGramSmall): Cast, column Sum, and one MatMul X^T X corrected by n mean mean^T when the
 *        columns' |mean| is small against their spread (kappa <= 4 predicted, <= 16 checked), else Sub + MatMul;
 *        fewest n x d buffers (page faults were most of the old cost);
 *      d > 512 (meanGramNative): Cast, Mean, Sub, then X^T X by column blocks (only the upper block triangle is
 *        multiplied: 36 of 64 blocks at d >= 1024);
 *  - js (the wasm / cpu backends, or `linalg: 'js'`): the same steps in Float64 JS (src/linalg/dense.ts), with
 *    the covariance of large inputs as a float32 backend product unless `covariance: 'float64'`.
 * Both agree to ~1e-12 relative when C1 or C2 is definite (test/metrics/frechet.test.ts; singular pairs: ~1e-8,
 * the square roots of rounding-level eigenvalues). Measured (`npm run bench -- --only frechet`, 2 shared cores,
 * load ~6): 10000 x 2048 17 s (the JS route: 63 s), value equal to SciPy's to 8e-14. 10000 x 64 (load 0.5-4, a
 * second engineer's job on the other core): before meanGramSmall 27.5 ms median in the bench (SciPy 12.6 ms,
 * 1 thread); per set Cast 3.6 / Sub 3.9 ms median (0.7 / 0.8 ms min: 1,200-4,000 fresh-page faults per pair),
 * MatMul 4-5 ms, the trace term ~1 ms (native; the JS route 2 ms at d = 64). meanGramSmall, same process
 * interleaved with the old route, 30 pairs: 18.7 vs 20.8 ms median, 18.0 vs 21.9 ms CPU, 0 vs 1,250 faults;
 * d = 256: 125 vs 160 ms, d = 512: 401 vs 511 ms. Values equal the old route's to 2e-15 relative.
 */
import { tf } from '../backend';
import { InputError } from '../validate';
import { MatrixLike, toMat64, toFloat64Vector } from '../linalg/convert';
import { Mat64, cholesky64, symEig64, matmul64, matmulTN64 } from '../linalg/dense';
import { D64, native64Available, put64, get64, free64, matmul64n, eigh64n } from '../linalg/native64';
import { nativeBackend } from '../backend';

export interface FrechetOptions {
  /**
   * 'native': Float64 on TensorFlow's double kernels (tfjs-node only; throws elsewhere); 'js': Float64 JS;
   * 'auto' (default): native when the tfjs-node backend is active, else js.
   */
  linalg?: 'auto' | 'native' | 'js';
}

function useNative(opts: FrechetOptions, who: string): boolean {
  const mode = opts.linalg ?? 'auto';
  if (mode !== 'auto' && mode !== 'native' && mode !== 'js') throw new InputError(`${who}: linalg must be 'auto', 'native' or 'js', got ${String(mode)}`);
  if (mode === 'js') return false;
  const ok = native64Available();
  if (mode === 'native' && !ok) throw new InputError(`${who}: linalg 'native' needs the tfjs-node backend (active: ${tf.getBackend()})`);
  return ok;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const TF_DOUBLE = 2;
/** Lower Cholesky factor on TensorFlow (Float64), or null when the matrix is not numerically positive definite. */
function cholesky64n(a: D64, d: number, held: D64[]): D64 | null {
  const b: any = nativeBackend()!.binding;
  const [o] = b.executeOp('Cholesky', [{ name: 'T', type: b.TF_ATTR_TYPE, value: TF_DOUBLE }], [a.id], 1);
  const L: D64 = { id: o.id, shape: o.shape };
  held.push(L);
  // TensorFlow fills a failed factorisation with NaN; also reject zero pivots as cholesky64 does.
  const l = get64(L);
  for (let i = 0; i < d; i++) if (!(l[i * d + i] > 0) || !Number.isFinite(l[i * d + i])) return null;
  return L;
}

/** Eigenvalues (ascending) of a symmetric matrix on TensorFlow (Float64, SelfAdjointEigV2 without vectors). */
function eigvalsh64n(a: D64): Float64Array {
  const b: any = nativeBackend()!.binding;
  const outs = b.executeOp('SelfAdjointEigV2', [{ name: 'T', type: b.TF_ATTR_TYPE, value: TF_DOUBLE }, { name: 'compute_v', type: b.TF_ATTR_BOOL, value: false }], [a.id], 2);
  const e: D64 = { id: outs[0].id, shape: outs[0].shape };
  try { return get64(e); } finally { free64(e, { id: outs[1].id, shape: outs[1].shape }); }
}

/**
 * Mean (Float64) and G = Xc^T Xc of a float32 tensor's values, all on TensorFlow in double: Cast, Mean, Sub,
 * then the Gram matrix by column blocks (Slice; only the blocks on and above the diagonal are multiplied,
 * nb (nb + 1) / 2 of nb^2, then mirrored). Returns null when a value is non-finite (the caller reports it).
 */
function meanGramNative(x32: Float32Array, n: number, d: number): { mean: Float64Array; G: Float64Array } | null {
  const b: any = nativeBackend()!.binding;
  const T = (name: string, v: number) => ({ name, type: b.TF_ATTR_TYPE, value: v });
  const ids: number[] = [];
  const run = (op: string, attrs: unknown[], inputs: number[], k = 1): { id: number; shape: number[] }[] => {
    const o = b.executeOp(op, attrs, inputs, k);
    for (const t of o) ids.push(t.id);
    return o;
  };
  const int32 = (v: number[]) => { const id = b.createTensor([v.length], b.TF_INT32, Int32Array.from(v)); ids.push(id); return id; };
  try {
    const f = b.createTensor([n, d], b.TF_FLOAT, x32); ids.push(f);
    const [x] = run('Cast', [T('SrcT', b.TF_FLOAT), T('DstT', TF_DOUBLE), { name: 'Truncate', type: b.TF_ATTR_BOOL, value: false }], [f]);
    const [m] = run('Mean', [T('T', TF_DOUBLE), T('Tidx', b.TF_INT32), { name: 'keep_dims', type: b.TF_ATTR_BOOL, value: true }], [x.id, int32([0])]);
    const mean = get64({ id: m.id, shape: [d] }).slice();
    for (let j = 0; j < d; j++) if (!Number.isFinite(mean[j])) return null;
    const [xc] = run('Sub', [T('T', TF_DOUBLE)], [x.id, m.id]);
    const nb = d >= 1024 ? 8 : d >= 384 ? 4 : d >= 192 ? 2 : 1;
    const bw = Math.ceil(d / nb);
    const blocks: { id: number; c0: number; w: number }[] = [];
    for (let c0 = 0; c0 < d; c0 += bw) {
      const w = Math.min(bw, d - c0);
      if (w === d) { blocks.push({ id: xc.id, c0, w }); break; }
      const [s] = run('Slice', [T('T', TF_DOUBLE), T('Index', b.TF_INT32)], [xc.id, int32([0, c0]), int32([n, w])]);
      blocks.push({ id: s.id, c0, w });
    }
    const G = new Float64Array(d * d);
    for (let bi = 0; bi < blocks.length; bi++) for (let bj = bi; bj < blocks.length; bj++) {
      const [P] = run('MatMul', [T('T', TF_DOUBLE), { name: 'transpose_a', type: b.TF_ATTR_BOOL, value: true }, { name: 'transpose_b', type: b.TF_ATTR_BOOL, value: false }], [blocks[bi].id, blocks[bj].id]);
      const p = get64({ id: P.id, shape: P.shape });
      b.deleteTensor(P.id); ids.splice(ids.indexOf(P.id), 1);
      const r0 = blocks[bi].c0, c0 = blocks[bj].c0, h = blocks[bi].w, w = blocks[bj].w;
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
        const v = p[i * w + j];
        G[(r0 + i) * d + c0 + j] = v; G[(c0 + j) * d + r0 + i] = v;
      }
    }
    symmetrise(G, d);
    return { mean, G };
  } finally {
    for (const id of ids) b.deleteTensor(id);
  }
}
/** Largest feature size served by meanGramSmall; above it, meanGramNative (column blocks). */
const SMALL_D_MAX = 512;
/** Largest kappa_j = (X^T X)_jj / (Xc^T Xc)_jj = 1 + n mean_j^2 / (Xc^T Xc)_jj accepted by the uncentred Gram. */
const KAPPA_PREDICT = 4, KAPPA_MAX = 16;

/**
 * Mean and G = Xc^T Xc of a float32 n x d matrix (d <= SMALL_D_MAX) on TensorFlow in double with the fewest
 * full-size buffers: Cast (the only n x d double), Sum (column sums; mean = sum / n), then, when the columns'
 * means are small against their spread, the UNCENTRED product G = X^T X - n mean mean^T (one MatMul, no Sub),
 * else the centred product (Sub, MatMul) as meanGramNative.
 * Accuracy: the uncentred entries carry rounding ~eps (X^T X)_ij, i.e. at most kappa_j = 1 + n mean_j^2 / G_jj
 * times the centred route's; it is used when kappa predicted from <= 256 rows spread over the set (JS) is
 * <= KAPPA_PREDICT = 4 (|mean| <= 1.7 std: at most 2 bits), and redone centred if the exact kappa_j after the
 * product exceeds KAPPA_MAX = 16 (a misleading sample). Constant columns (variance 0) always go centred.
 * Why: the centred route allocates three n x d buffers per set (the f32 input, its Float64 cast, the centred
 * copy: 12.5 MB at 10000 x 64) that glibc returns to the OS after each call (heap trimming), so every call paid
 * ~1,200-4,000 fresh-page faults (Cast and Sub 0.7-0.8 ms each on warm pages, 3.6-3.9 ms median with the faults)
 * and an extra Sub pass; this route faults ~0-120 times per pair at d = 64 (half the old count at d = 256-512).
 * Returns null when a value is non-finite.
 */
function meanGramSmall(x32: Float32Array, n: number, d: number): { mean: Float64Array; G: Float64Array } | null {
  const b: any = nativeBackend()!.binding;
  const T = (name: string, v: number) => ({ name, type: b.TF_ATTR_TYPE, value: v });
  const B = (name: string, v: boolean) => ({ name, type: b.TF_ATTR_BOOL, value: v });
  const held: number[] = [];
  const op = (name: string, attrs: unknown[], inputs: number[]): number => { const id = b.executeOp(name, attrs, inputs, 1)[0].id; held.push(id); return id; };
  const mmA = [T('T', TF_DOUBLE), B('transpose_a', true), B('transpose_b', false)];
  try {
    const f = b.createTensor([n, d], b.TF_FLOAT, x32); held.push(f);
    const x = op('Cast', [T('SrcT', b.TF_FLOAT), T('DstT', TF_DOUBLE), B('Truncate', false)], [f]);
    b.deleteTensor(f); held.splice(held.indexOf(f), 1); // (before the product: fewer live buffers)
    const ax = b.createTensor([1], b.TF_INT32, Int32Array.of(0)); held.push(ax);
    const sums = get64({ id: op('Sum', [T('T', TF_DOUBLE), T('Tidx', b.TF_INT32), B('keep_dims', false)], [x, ax]), shape: [d] });
    const mean = new Float64Array(d);
    for (let j = 0; j < d; j++) { mean[j] = sums[j] / n; if (!Number.isFinite(mean[j])) return null; }
    // Predicted kappa_j - 1 = mean_j^2 / var_j from <= 256 rows spread over the set.
    const step = Math.max(1, Math.floor(n / 256));
    const v = new Float64Array(d);
    let k = 0;
    for (let i = 0; i < n; i += step, k++) { const r = i * d; for (let j = 0; j < d; j++) { const e = x32[r + j] - mean[j]; v[j] += e * e; } }
    let uncentred = true;
    for (let j = 0; j < d && uncentred; j++) if (!(mean[j] * mean[j] <= (KAPPA_PREDICT - 1) * (v[j] / k))) uncentred = false;
    if (uncentred) {
      const g = get64({ id: op('MatMul', mmA, [x, x]), shape: [d, d] });
      for (let j = 0; j < d && uncentred; j++) if (!(g[j * d + j] <= KAPPA_MAX * (g[j * d + j] - n * mean[j] * mean[j]))) uncentred = false;
      if (uncentred) {
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) g[i * d + j] -= n * mean[i] * mean[j];
        symmetrise(g, d);
        return { mean, G: g };
      }
    }
    const xc = op('Sub', [T('T', TF_DOUBLE)], [x, put64Held(mean, d, held)]);
    const g = get64({ id: op('MatMul', mmA, [xc, xc]), shape: [d, d] });
    symmetrise(g, d);
    return { mean, G: g };
  } finally {
    for (const id of held) b.deleteTensor(id);
  }
}

function put64Held(v: Float64Array, d: number, held: number[]): number {
  const t = put64(v, [1, d]);
  held.push(t.id);
  return t.id;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function symmetrise(K: Float64Array, d: number): void {
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) {
    const m = 0.5 * (K[i * d + j] + K[j * d + i]);
    K[i * d + j] = m; K[j * d + i] = m;
  }
}

function sumSqrt(lam: Float64Array): number {
  let tr = 0;
  for (let i = 0; i < lam.length; i++) tr += Math.sqrt(Math.max(lam[i], 0));
  return tr;
}

/** traceSqrtProduct on TensorFlow's double kernels (the same steps as the JS route). */
function traceSqrtProductNative(C1: Mat64, C2: Mat64): number {
  const d = C1.rows;
  const held: D64[] = [];
  try {
    const c1 = put64(C1.data, [d, d]); held.push(c1);
    const c2 = put64(C2.data, [d, d]); held.push(c2);
    let L = cholesky64n(c1, d, held), other = c2;
    if (!L) { L = cholesky64n(c2, d, held); other = c1; }
    let Kd: D64;
    if (L) {
      const T = matmul64n(other, L); held.push(T); // other L
      Kd = matmul64n(L, T, true, false); held.push(Kd); // L^T other L
    } else {
      const { values, vectors } = eigh64n(c1); held.push(values, vectors); // ascending; columns = eigenvectors
      const l = get64(values), V = get64(vectors);
      const W = new Float64Array(d * d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) W[i * d + j] = V[i * d + j] * Math.sqrt(Math.max(l[j], 0));
      const Wd = put64(W, [d, d]); held.push(Wd);
      const S = matmul64n(Wd, vectors, false, true); held.push(S); // sqrt(C1) = V diag(sqrt l) V^T
      const T = matmul64n(c2, S); held.push(T);
      Kd = matmul64n(S, T); held.push(Kd);
    }
    const K = get64(Kd);
    symmetrise(K, d);
    const Ks = put64(K, [d, d]); held.push(Ks);
    return sumSqrt(eigvalsh64n(Ks));
  } finally {
    free64(...held);
  }
}

/**
 * G = Xc^T Xc (d x d, Float64) of the centred row-major n x d matrix Xc = X - 1 mean^T on TensorFlow's double
 * kernels, by column blocks (centred while copied): only the blocks on and above the diagonal are multiplied
 * (nb (nb + 1) / 2 of nb^2), then mirrored.
 */
function gramNative(X: Float32Array | Float64Array, mean: Float64Array, n: number, d: number): Float64Array {
  const nb = d >= 1024 ? 8 : d >= 384 ? 4 : d >= 192 ? 2 : 1;
  const bw = Math.ceil(d / nb);
  const starts: number[] = [];
  for (let c = 0; c < d; c += bw) starts.push(c);
  const G = new Float64Array(d * d);
  const blocks: D64[] = [];
  try {
    for (const c0 of starts) {
      const w = Math.min(bw, d - c0);
      const B = new Float64Array(n * w);
      for (let i = 0; i < n; i++) { const r = i * d + c0, o = i * w; for (let j = 0; j < w; j++) B[o + j] = X[r + j] - mean[c0 + j]; }
      blocks.push(put64(B, [n, w]));
    }
    for (let bi = 0; bi < blocks.length; bi++) for (let bj = bi; bj < blocks.length; bj++) {
      const P = matmul64n(blocks[bi], blocks[bj], true, false);
      let p: Float64Array;
      try { p = get64(P); } finally { free64(P); }
      const r0 = starts[bi], c0 = starts[bj], h = blocks[bi].shape[1], w = blocks[bj].shape[1];
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
        const v = p[i * w + j];
        G[(r0 + i) * d + c0 + j] = v; G[(c0 + j) * d + r0 + i] = v;
      }
    }
  } finally {
    free64(...blocks);
  }
  symmetrise(G, d); // (diagonal blocks: exact symmetry)
  return G;
}

/** tr sqrtm(C1 C2) for symmetric PSD C1, C2 (Float64). */
export function traceSqrtProduct(C1: Mat64, C2: Mat64, opts: FrechetOptions = {}): number {
  if (useNative(opts, 'traceSqrtProduct')) return traceSqrtProductNative(C1, C2);
  const d = C1.rows;
  let L = cholesky64(C1), other = C2;
  if (!L) { L = cholesky64(C2); other = C1; }
  let K: Mat64;
  if (L) {
    // K = L^T other L, symmetrised.
    const T = matmul64(other, L);
    K = matmulTN64(L, T);
  } else {
    const { values, vectors } = symEig64(C1);
    const Q = vectors!; // rows = eigenvectors
    // sqrt(C1) = sum_i sqrt(l_i) q_i q_i^T  = Q^T diag(sqrt l) Q with Q's rows the q_i.
    const W = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      const s = Math.sqrt(Math.max(values[i], 0));
      for (let j = 0; j < d; j++) W[i * d + j] = s * Q.data[i * d + j];
    }
    const S = matmulTN64(Q, { rows: d, cols: d, data: W });
    K = matmul64(S, matmul64(C2, S));
  }
  symmetrise(K.data, d);
  return sumSqrt(symEig64(K, { vectors: false }).values);
}

function checkCov(C: Mat64, d: number, name: string): void {
  if (C.rows !== d || C.cols !== d) throw new InputError(`${name}: expected a ${d}x${d} covariance, got [${C.rows},${C.cols}]`);
  const a = C.data;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new InputError(`${name}: non-finite entry at flat index ${i}`);
    scale = Math.max(scale, Math.abs(a[i]));
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) if (Math.abs(a[i * d + j] - a[j * d + i]) > 1e-6 * scale + 1e-12) throw new InputError(`${name}: not symmetric at (${i},${j})`);
    if (a[i * d + i] < -1e-12 * scale) throw new InputError(`${name}: negative variance at ${i}: not a covariance`);
  }
}

/** Frechet distance between N(mu1, C1) and N(mu2, C2) (squared-distance convention, as FID). */
export function frechetDistance(mu1: ArrayLike<number> | tf.Tensor, C1: MatrixLike, mu2: ArrayLike<number> | tf.Tensor, C2: MatrixLike, opts: FrechetOptions = {}): number {
  const m1 = toFloat64Vector(mu1, 'frechetDistance: mu1'), m2 = toFloat64Vector(mu2, 'frechetDistance: mu2');
  const d = m1.length;
  if (d === 0) throw new InputError('frechetDistance: empty mean');
  if (m2.length !== d) throw new InputError(`frechetDistance: means have different lengths (${d} vs ${m2.length})`);
  const c1 = toMat64(C1, 'frechetDistance: C1'), c2 = toMat64(C2, 'frechetDistance: C2');
  checkCov(c1, d, 'frechetDistance: C1'); checkCov(c2, d, 'frechetDistance: C2');
  let dm = 0, tr = 0;
  for (let i = 0; i < d; i++) {
    if (!Number.isFinite(m1[i]) || !Number.isFinite(m2[i])) throw new InputError(`frechetDistance: non-finite mean entry at ${i}`);
    dm += (m1[i] - m2[i]) ** 2;
    tr += c1.data[i * d + i] + c2.data[i * d + i];
  }
  return dm + tr - 2 * traceSqrtProduct(c1, c2, opts);
}

export interface MeanCov { mean: Float64Array; cov: Mat64; n: number }

export interface CovarianceOptions extends FrechetOptions {
  /**
   * 'float64': Float64 throughout (exact to rounding): on TensorFlow's double kernels on the native route, in JS
   * otherwise (~n d^2 / 1e9 s).
   * 'backend': centre in Float64, then X^T X as a float32 matMul on the tfjs backend (relative error ~1e-6 of
   * the covariance entries).
   * 'auto' (default): 'float64' on the native route; on the js route 'float64' when n d^2 <= 2e8, else 'backend'.
   */
  covariance?: 'auto' | 'float64' | 'backend';
}

/** Mean and unbiased covariance (divide by n - 1, as numpy.cov) of the rows of X. */
export function meanCov(X: MatrixLike, opts: CovarianceOptions = {}): MeanCov {
  let a: Float32Array | Float64Array, n: number, d: number;
  if (X instanceof tf.Tensor) { // read the float32 values in place (exact in Float64 arithmetic), no copy
    if (X.isDisposed) throw new InputError('meanCov: X: the tensor has been disposed');
    if (X.rank !== 2) throw new InputError(`meanCov: X: expected a matrix, got shape [${X.shape}]`);
    [n, d] = X.shape;
    a = X.dataSync() as Float32Array;
  } else {
    const A = toMat64(X, 'meanCov: X');
    n = A.rows; d = A.cols; a = A.data;
  }
  if (n < 2) throw new InputError(`meanCov: need at least 2 samples, got ${n}`);
  const mode = opts.covariance ?? 'auto';
  const native = useNative(opts, 'meanCov');
  const useBackend = mode === 'backend' || (mode === 'auto' && !native && n * d * d > 2e8);
  if (native && !useBackend && a instanceof Float32Array) {
    const r = d <= SMALL_D_MAX ? meanGramSmall(a, n, d) : meanGramNative(a, n, d); // (null: a non-finite value, reported below)
    if (r) {
      for (let i = 0; i < r.G.length; i++) r.G[i] /= n - 1;
      return { mean: r.mean, cov: { rows: d, cols: d, data: r.G }, n };
    }
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) { const r = i * d; for (let j = 0; j < d; j++) mean[j] += a[r + j]; }
  for (let j = 0; j < d; j++) mean[j] /= n;
  let finite = true;
  for (let j = 0; j < d; j++) if (!Number.isFinite(mean[j])) finite = false; // (a non-finite entry makes its column sum non-finite)
  if (!finite) {
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) throw new InputError(`meanCov: non-finite value at flat index ${i}`);
    throw new InputError('meanCov: a column sum overflows');
  }
  let cov: Mat64;
  if (!useBackend && native) {
    cov = { rows: d, cols: d, data: gramNative(a, mean, n, d) };
    for (let i = 0; i < cov.data.length; i++) cov.data[i] /= n - 1;
    return { mean, cov, n };
  }
  const Xc = new Float64Array(n * d);
  for (let i = 0; i < n; i++) { const r = i * d; for (let j = 0; j < d; j++) Xc[r + j] = a[r + j] - mean[j]; }
  if (useBackend) {
    const g = tf.tidy(() => {
      const t = tf.tensor2d(Float32Array.from(Xc), [n, d]);
      return tf.matMul(t, t, true, false);
    });
    const gd = g.dataSync();
    g.dispose();
    cov = { rows: d, cols: d, data: new Float64Array(d * d) };
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) {
      const v = (0.5 * (gd[i * d + j] + gd[j * d + i])) / (n - 1);
      cov.data[i * d + j] = v; cov.data[j * d + i] = v;
    }
  } else {
    cov = matmulTN64({ rows: n, cols: d, data: Xc }, { rows: n, cols: d, data: Xc });
    for (let i = 0; i < cov.data.length; i++) cov.data[i] /= n - 1;
  }
  return { mean, cov, n };
}

/** Frechet distance between the Gaussians fitted to two feature sets (rows = samples). */
export function frechetDistanceFromFeatures(A: MatrixLike | MeanCov, B: MatrixLike | MeanCov, opts: CovarianceOptions = {}): number {
  const isStats = (x: unknown): x is MeanCov => !!x && typeof x === 'object' && 'mean' in x && 'cov' in x;
  const sa = isStats(A) ? A : meanCov(A, opts);
  const sb = isStats(B) ? B : meanCov(B, opts);
  if (sa.mean.length !== sb.mean.length) throw new InputError(`frechetDistanceFromFeatures: feature sizes differ (${sa.mean.length} vs ${sb.mean.length})`);
  return frechetDistance(sa.mean, sa.cov, sb.mean, sb.cov, opts);
}
