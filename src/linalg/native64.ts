/**
 * Float64 linear algebra on TensorFlow's native kernels (tfjs-node), for the Float64 solvers (RPCA).
 *
 * tfjs has no float64 dtype, but the TensorFlow runtime inside tfjs-node has double kernels (MatMul, Qr, Svd,
 * SelfAdjointEigV2: multi-threaded Eigen, SIMD). A Float64Array goes in as a float32 tensor of shape [..., 2] on
 * the same bytes and is `Bitcast` to DT_DOUBLE inside TensorFlow; results come back the same way. The double
 * tensors are raw TensorFlow handles outside tfjs' tensor bookkeeping: every handle is deleted with `free()` (the
 * helpers below free their intermediates; callers free what they get back).
 *
 * `native64Available()` is false on the wasm / cpu backends; callers keep a pure-JS route for those.
 */
import { nativeBackend } from '../backend';

/* eslint-disable @typescript-eslint/no-explicit-any */

const TF_DOUBLE = 2; // tf_datatype.h

/** A double tensor living in TensorFlow (raw handle id + shape). */
export interface D64 { id: number; shape: number[] }

function binding(): any {
  const be = nativeBackend();
  if (!be) throw new Error('native64: needs the native TensorFlow backend (tfjs-node)');
  return be.binding;
}

/** True when double-precision TensorFlow kernels can be used (the native tfjs-node backend is active). */
export function native64Available(): boolean { return nativeBackend() !== null; }

const tAttr = (b: any, name: string, v: number) => ({ name, type: b.TF_ATTR_TYPE, value: v });
const bAttr = (b: any, name: string, v: boolean) => ({ name, type: b.TF_ATTR_BOOL, value: v });

/** Copies a Float64Array (row-major, `shape`) into a TensorFlow double tensor. */
export function put64(x: Float64Array, shape: number[]): D64 {
  const b = binding();
  const size = shape.reduce((p, q) => p * q, 1);
  if (x.length < size) throw new Error(`put64: ${x.length} values for shape [${shape}]`);
  const f = b.createTensor([...shape, 2], b.TF_FLOAT, new Float32Array(x.buffer, x.byteOffset, size * 2));
  try {
    const [md] = b.executeOp('Bitcast', [tAttr(b, 'T', b.TF_FLOAT), tAttr(b, 'type', TF_DOUBLE)], [f], 1);
    return { id: md.id, shape: md.shape };
  } finally { b.deleteTensor(f); }
}

/** Reads a double tensor back (a new Float64Array, row-major). */
export function get64(t: D64): Float64Array {
  const b = binding();
  const [mf] = b.executeOp('Bitcast', [tAttr(b, 'T', TF_DOUBLE), tAttr(b, 'type', b.TF_FLOAT)], [t.id], 1);
  try {
    const f32 = b.tensorDataSync(mf.id) as Float32Array;
    return new Float64Array(f32.buffer, f32.byteOffset, f32.length / 2);
  } finally { b.deleteTensor(mf.id); }
}

/** Deletes double tensors (null / undefined ignored). */
export function free64(...ts: (D64 | null | undefined)[]): void {
  const b = binding();
  for (const t of ts) if (t) b.deleteTensor(t.id);
}

/** op(A) op(B) in double (op = transpose when ta / tb). */
export function matmul64n(a: D64, bm: D64, ta = false, tb = false): D64 {
  const b = binding();
  const [o] = b.executeOp('MatMul', [tAttr(b, 'T', TF_DOUBLE), bAttr(b, 'transpose_a', ta), bAttr(b, 'transpose_b', tb)], [a.id, bm.id], 1);
  return { id: o.id, shape: o.shape };
}

/** Thin QR (Householder, TensorFlow's Qr kernel): A (m x k, m >= k) = Q R. */
export function qr64n(a: D64): { Q: D64; R: D64 } {
  const b = binding();
  const [q, r] = b.executeOp('Qr', [tAttr(b, 'T', TF_DOUBLE), bAttr(b, 'full_matrices', false)], [a.id], 2);
  return { Q: { id: q.id, shape: q.shape }, R: { id: r.id, shape: r.shape } };
}

/** Thin SVD (TensorFlow's Svd kernel): A (m x n) = U diag(s) V^T, s descending; U m x p, V n x p, p = min(m, n). */
export function svd64n(a: D64): { s: D64; U: D64; V: D64 } {
  const b = binding();
  const [s, u, v] = b.executeOp('Svd', [tAttr(b, 'T', TF_DOUBLE), bAttr(b, 'compute_uv', true), bAttr(b, 'full_matrices', false)], [a.id], 3);
  return { s: { id: s.id, shape: s.shape }, U: { id: u.id, shape: u.shape }, V: { id: v.id, shape: v.shape } };
}

/** Symmetric eigendecomposition (TensorFlow's SelfAdjointEigV2): eigenvalues ascending, eigenvectors as columns. */
export function eigh64n(a: D64): { values: D64; vectors: D64 } {
  const b = binding();
  const [e, v] = b.executeOp('SelfAdjointEigV2', [tAttr(b, 'T', TF_DOUBLE), bAttr(b, 'compute_v', true)], [a.id], 2);
  return { values: { id: e.id, shape: e.shape }, vectors: { id: v.id, shape: v.shape } };
}

export interface Svt64Result {
  /** Singular values of M found by this step, descending (all of them on the dense route). */
  s: Float64Array;
  /** Number of singular values above tau (= rank of the result). */
  svp: number;
  /** Right singular vectors (n x vCols, row-major, descending) for the next call's warm start. */
  V: Float64Array;
  vCols: number;
  route: 'randomized' | 'dense';
}

/**
 * Singular value thresholding in double on TensorFlow: writes SVT_tau(M) = U diag(max(s - tau, 0)) V^T into
 * `out` (m x n, row-major). Two routes:
 *  - randomized (k' = k + oversample columns, warm-started from `start`, n x k0 row-major; a random start gets 3
 *    subspace iterations): Q = qr(M Omega),
 *    C = Q^T M = Us S V^T (Svd of the small k' x n matrix), SVT = Q (Us[:, :r] diag(s - tau) V[:, :r]^T);
 *    exact for Q Q^T M (Float64), so as accurate as the subspace -- the JS route's maths on native kernels;
 *  - dense (when k' > denseFraction * min(m, n), or k' >= min(m, n)): eigendecomposition of the Gram matrix of
 *    the smaller side, G = M^T M = V S^2 V^T, SVT = M V diag((s - tau)/s) V^T (as the NumPy "Gram" peer).
 */
export function svt64n(M: Float64Array, m: number, n: number, tau: number, k: number, opts: {
  oversample?: number; start?: { data: Float64Array; cols: number }; random?: () => number; out: Float64Array; denseFraction?: number;
  /** Subspace iterations before the Rayleigh-Ritz step (default 3 from a random start, 0 when warm-started). */
  powerIterations?: number;
}): Svt64Result {
  const p = Math.min(m, n);
  const kk = Math.min(p, k + (opts.oversample ?? 5));
  const dense = kk >= p || kk > (opts.denseFraction ?? 0.2) * p;
  const Md = put64(M, [m, n]);
  const held: D64[] = [Md];
  try {
    if (dense) return svtDense(Md, m, n, tau, kk, opts.out, held);
    // Omega^T: kk x n, warm columns first, then random.
    const omT = new Float64Array(kk * n);
    let k0 = 0;
    if (opts.start) {
      k0 = Math.min(kk, opts.start.cols);
      const sc = opts.start.cols, sd = opts.start.data;
      for (let i = 0; i < n; i++) for (let j = 0; j < k0; j++) omT[j * n + i] = sd[i * sc + j];
    }
    const rnd = opts.random ?? Math.random;
    for (let j = k0; j < kk; j++) for (let i = 0; i < n; i++) omT[j * n + i] = rnd() - 0.5;
    const Om = put64(omT, [kk, n]); held.push(Om);
    let Y = matmul64n(Md, Om, false, true); held.push(Y); // m x kk
    // Power (subspace) iterations: default 3 from a random start, 0 when warm-started (see RobustPCA).
    const q = opts.powerIterations ?? (k0 > 0 ? 0 : 3);
    for (let it = 0; it < q; it++) {
      const f1 = qr64n(Y); held.push(f1.Q, f1.R);
      const Z = matmul64n(Md, f1.Q, true, false); held.push(Z); // n x kk
      const f2 = qr64n(Z); held.push(f2.Q, f2.R);
      Y = matmul64n(Md, f2.Q); held.push(Y);
    }
    const { Q, R } = qr64n(Y); held.push(Q, R);
    const C = matmul64n(Q, Md, true, false); held.push(C); // kk x n
    const sv = svd64n(C); held.push(sv.s, sv.U, sv.V);
    const s = get64(sv.s), Us = get64(sv.U), V = get64(sv.V); // Us kk x kk, V n x kk
    // (at most k: the oversampled trailing values are the least converged, as in PROPACK's lansvd(k) use)
    let svp = 0;
    while (svp < Math.min(k, s.length) && s[svp] > tau) svp++;
    // T = Us[:, :svp] diag(s - tau) V[:, :svp]^T  (kk x n), then SVT = Q T.
    if (svp === 0) opts.out.fill(0);
    else {
      const T = new Float64Array(kk * n);
      const w = new Float64Array(svp);
      for (let r = 0; r < kk; r++) {
        for (let j = 0; j < svp; j++) w[j] = Us[r * kk + j] * (s[j] - tau);
        const tr = r * n;
        for (let c = 0; c < n; c++) {
          const vc = c * kk;
          let acc = 0;
          for (let j = 0; j < svp; j++) acc += w[j] * V[vc + j];
          T[tr + c] = acc;
        }
      }
      const Td = put64(T, [kk, n]); held.push(Td);
      const A = matmul64n(Q, Td); held.push(A);
      opts.out.set(get64(A));
    }
    return { s, svp, V, vCols: kk, route: 'randomized' };
  } finally {
    free64(...held);
  }
}

function svtDense(Md: D64, m: number, n: number, tau: number, kk: number, out: Float64Array, held: D64[]): Svt64Result {
  const wide = m < n; // Gram of the smaller side
  const p = wide ? m : n;
  const G = wide ? matmul64n(Md, Md, false, true) : matmul64n(Md, Md, true, false); held.push(G);
  const { values, vectors } = eigh64n(G); held.push(values, vectors);
  const w = get64(values), E = get64(vectors); // ascending; E p x p, columns = eigenvectors
  const s = new Float64Array(p);
  for (let j = 0; j < p; j++) s[j] = Math.sqrt(Math.max(w[p - 1 - j], 0));
  let svp = 0;
  while (svp < p && s[svp] > tau) svp++;
  // P = E_k diag((s - tau)/s) E_k^T (p x p); SVT = M P (tall) or P M (wide).
  const keep = Math.min(p, Math.max(kk, svp));
  const Ek = new Float64Array(p * keep), Es = new Float64Array(p * svp);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < keep; j++) Ek[i * keep + j] = E[i * p + (p - 1 - j)];
    for (let j = 0; j < svp; j++) Es[i * svp + j] = E[i * p + (p - 1 - j)] * ((s[j] - tau) / s[j]);
  }
  let V: Float64Array;
  if (svp === 0) out.fill(0);
  else {
    const Ed = put64(Ek.length === p * svp ? Ek : sliceCols(Ek, p, keep, svp), [p, svp]); held.push(Ed);
    const Esd = put64(Es, [p, svp]); held.push(Esd);
    const P = matmul64n(Esd, Ed, false, true); held.push(P); // p x p
    const A = wide ? matmul64n(P, Md) : matmul64n(Md, P); held.push(A);
    out.set(get64(A));
  }
  if (!wide) V = Ek; // n x keep: right singular vectors
  else {
    // V = M^T U diag(1/s) for the kept columns (n x keep)
    const Ud = put64(Ek, [p, keep]); held.push(Ud);
    const MV = matmul64n(Md, Ud, true, false); held.push(MV); // n x keep
    V = get64(MV);
    for (let i = 0; i < n; i++) for (let j = 0; j < keep; j++) V[i * keep + j] = s[j] > 0 ? V[i * keep + j] / s[j] : 0;
  }
  return { s, svp, V, vCols: keep, route: 'dense' };
}

function sliceCols(A: Float64Array, rows: number, cols: number, k: number): Float64Array {
  const o = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) o[i * k + j] = A[i * cols + j];
  return o;
}
