/**
 * Small dense Float64 linear-algebra kernels in plain TypeScript (row-major `Float64Array`s).
 *
 * tfjs has no float64 and no eigen/SVD kernels, so the solvers that need double precision (RPCA, Frechet
 * distance, principal angles) do the O(n^3) work here, and the big float32 products on the tfjs backend where
 * float32 is enough (see svd.ts). All functions are pure: inputs are never modified.
 */
import { InputError } from '../validate';

/** A row-major Float64 matrix. */
export interface Mat64 { rows: number; cols: number; data: Float64Array }

export function mat64(rows: number, cols: number, data?: ArrayLike<number>): Mat64 {
  if (data && data.length !== rows * cols) throw new InputError(`mat64: expected ${rows * cols} values, got ${data.length}`);
  return { rows, cols, data: data ? Float64Array.from(data) : new Float64Array(rows * cols) };
}

export function eye64(n: number): Mat64 {
  const I = mat64(n, n);
  for (let i = 0; i < n; i++) I.data[i * n + i] = 1;
  return I;
}

export function transpose64(A: Mat64): Mat64 {
  const { rows: m, cols: n, data: a } = A;
  const out = new Float64Array(m * n);
  const B = 32;
  for (let i0 = 0; i0 < m; i0 += B) {
    for (let j0 = 0; j0 < n; j0 += B) {
      const i1 = Math.min(m, i0 + B), j1 = Math.min(n, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * m + i] = a[i * n + j];
    }
  }
  return { rows: n, cols: m, data: out };
}

/**
 * Core kernel: C = A Bt^T with A (m x k) and Bt (n x k) row-major, so every inner loop is a contiguous dot
 * product. Cache-blocked over k and n, register-blocked 2 x 4 (8 accumulators, 6 loads per 8 multiply-adds).
 */
export function gemmNT(a: Float64Array, m: number, k: number, bt: Float64Array, n: number, out?: Float64Array): Float64Array {
  if (out && out.length < m * n) throw new InputError(`gemmNT: out has ${out.length} entries, needs ${m * n}`);
  const c = out ? out.subarray(0, m * n) : new Float64Array(m * n);
  if (out) c.fill(0);
  const KB = 256, NB = 64;
  for (let p0 = 0; p0 < k; p0 += KB) {
    const p1 = Math.min(k, p0 + KB);
    for (let j0 = 0; j0 < n; j0 += NB) {
      const j1 = Math.min(n, j0 + NB);
      let i = 0;
      for (; i + 1 < m; i += 2) {
        const a0 = i * k, a1 = a0 + k, c0 = i * n, c1 = c0 + n;
        let j = j0;
        for (; j + 3 < j1; j += 4) {
          const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
          let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
          for (let p = p0; p < p1; p++) {
            const x0 = a[a0 + p], x1 = a[a1 + p];
            const y0 = bt[b0 + p], y1 = bt[b1 + p], y2 = bt[b2 + p], y3 = bt[b3 + p];
            s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
            s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
          }
          c[c0 + j] += s00; c[c0 + j + 1] += s01; c[c0 + j + 2] += s02; c[c0 + j + 3] += s03;
          c[c1 + j] += s10; c[c1 + j + 1] += s11; c[c1 + j + 2] += s12; c[c1 + j + 3] += s13;
        }
        for (; j < j1; j++) {
          const b0 = j * k;
          let s0 = 0, s1 = 0;
          for (let p = p0; p < p1; p++) { const y = bt[b0 + p]; s0 += a[a0 + p] * y; s1 += a[a1 + p] * y; }
          c[c0 + j] += s0; c[c1 + j] += s1;
        }
      }
      for (; i < m; i++) {
        const a0 = i * k, c0 = i * n;
        for (let j = j0; j < j1; j++) {
          const b0 = j * k;
          let s0 = 0;
          for (let p = p0; p < p1; p++) s0 += a[a0 + p] * bt[b0 + p];
          c[c0 + j] += s0;
        }
      }
    }
  }
  return c;
}

/**
 * Ct (k x n, row-major) = Q^T A with Q m x k given COLUMN-major (column j at q[j*m ..]) and A m x n row-major:
 * Ct[j, :] = sum_i Q[i, j] A[i, :], as row axpys over contiguous rows of A (no transpose of A needed).
 * Register-blocked 4 rows of A x 2 rows of Ct (8 multiply-adds per 4 + 2 loads and 2 stores).
 */
export function gemmTN(q: Float64Array, m: number, k: number, a: Float64Array, n: number, out?: Float64Array): Float64Array {
  const ct = out ? out.subarray(0, k * n) : new Float64Array(k * n);
  if (out) ct.fill(0);
  const NB = 1024; // column block of A / Ct: k rows of Ct x NB stay in cache while the rows of A stream by
  for (let c0 = 0; c0 < n; c0 += NB) {
    const c1 = Math.min(n, c0 + NB);
    let i = 0;
    for (; i + 3 < m; i += 4) {
      const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      let j = 0;
      for (; j + 1 < k; j += 2) {
        const qa = j * m + i, qb = qa + m;
        const w00 = q[qa], w01 = q[qa + 1], w02 = q[qa + 2], w03 = q[qa + 3];
        const w10 = q[qb], w11 = q[qb + 1], w12 = q[qb + 2], w13 = q[qb + 3];
        const o0 = j * n, o1 = o0 + n;
        for (let c = c0; c < c1; c++) {
          const x0 = a[r0 + c], x1 = a[r1 + c], x2 = a[r2 + c], x3 = a[r3 + c];
          ct[o0 + c] += w00 * x0 + w01 * x1 + w02 * x2 + w03 * x3;
          ct[o1 + c] += w10 * x0 + w11 * x1 + w12 * x2 + w13 * x3;
        }
      }
      for (; j < k; j++) {
        const qa = j * m + i;
        const w0 = q[qa], w1 = q[qa + 1], w2 = q[qa + 2], w3 = q[qa + 3];
        const o0 = j * n;
        for (let c = c0; c < c1; c++) ct[o0 + c] += w0 * a[r0 + c] + w1 * a[r1 + c] + w2 * a[r2 + c] + w3 * a[r3 + c];
      }
    }
    for (; i < m; i++) {
      const r0 = i * n;
      for (let j = 0; j < k; j++) {
        const w = q[j * m + i], o0 = j * n;
        if (w === 0) continue;
        for (let c = c0; c < c1; c++) ct[o0 + c] += w * a[r0 + c];
      }
    }
  }
  return ct;
}

/** C = A B. */
export function matmul64(A: Mat64, B: Mat64): Mat64 {
  if (A.cols !== B.rows) throw new InputError(`matmul64: shapes [${A.rows},${A.cols}] x [${B.rows},${B.cols}] do not match`);
  return { rows: A.rows, cols: B.cols, data: gemmNT(A.data, A.rows, A.cols, transpose64(B).data, B.cols) };
}

/** C = A^T B (A is k x m, B is k x n). */
export function matmulTN64(A: Mat64, B: Mat64): Mat64 {
  if (A.rows !== B.rows) throw new InputError(`matmulTN64: shapes [${A.rows},${A.cols}]^T x [${B.rows},${B.cols}] do not match`);
  const At = transpose64(A).data;
  const Bt = A === B ? At : transpose64(B).data;
  return { rows: A.cols, cols: B.cols, data: gemmNT(At, A.cols, A.rows, Bt, B.cols) };
}

/** C = A B^T (A is m x k, B is n x k): dot products of rows. */
export function matmulNT64(A: Mat64, B: Mat64): Mat64 {
  if (A.cols !== B.cols) throw new InputError(`matmulNT64: shapes [${A.rows},${A.cols}] x [${B.rows},${B.cols}]^T do not match`);
  return { rows: A.rows, cols: B.rows, data: gemmNT(A.data, A.rows, A.cols, B.data, B.rows) };
}

export function frobenius64(a: ArrayLike<number>): number {
  // Scaled sum of squares (no overflow / underflow for extreme values).
  let scale = 0, ssq = 1;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v === 0) continue;
    if (scale < v) { ssq = 1 + ssq * (scale / v) * (scale / v); scale = v; } else ssq += (v / scale) * (v / scale);
  }
  return scale * Math.sqrt(ssq);
}

/**
 * Lower Cholesky factor L (A = L L^T) of a symmetric positive definite matrix; returns null when A is not
 * numerically positive definite.
 */
export function cholesky64(A: Mat64): Mat64 | null {
  const n = A.rows;
  if (A.cols !== n) throw new InputError('cholesky64: matrix must be square');
  const L = new Float64Array(n * n), a = A.data;
  for (let j = 0; j < n; j++) {
    const lj = j * n;
    let d = a[lj + j];
    for (let p = 0; p < j; p++) d -= L[lj + p] * L[lj + p];
    if (!(d > 0)) return null;
    const ljj = Math.sqrt(d);
    L[lj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const li = i * n;
      let s = a[li + j];
      for (let p = 0; p < j; p++) s -= L[li + p] * L[lj + p];
      L[li + j] = s / ljj;
    }
  }
  return { rows: n, cols: n, data: L };
}

export interface SymEig {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors as ROWS: vectors.data[i*n .. i*n+n) is the unit eigenvector of values[i] (absent if not asked). */
  vectors?: Mat64;
}

/**
 * Symmetric eigendecomposition: Householder tridiagonalisation + implicit QL (EISPACK tred2/tql2 as in JAMA,
 * public domain), Float64. Work is stored column-major so that every inner loop runs over contiguous memory.
 * About (4/3 + 4/3 + ~3) n^3 flops with vectors, 4/3 n^3 without. Only the lower triangle of A is read.
 * Accuracy: backward stable (eigenvalues within ~n * eps * ||A||_2 of the exact ones).
 */
export function symEig64(A: Mat64, opts: { vectors?: boolean } = {}): SymEig {
  const n = A.rows;
  if (A.cols !== n) throw new InputError(`symEig64: matrix must be square, got [${A.rows},${A.cols}]`);
  const wantV = opts.vectors !== false;
  // V column-major: V[k][j] (row k, col j) at v[j*n + k]. Filled with the lower triangle, symmetrised.
  const v = new Float64Array(n * n), a = A.data;
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) { const x = a[i * n + j]; v[j * n + i] = x; v[i * n + j] = x; }
  const d = new Float64Array(n), e = new Float64Array(n);
  if (n === 1) {
    return { values: Float64Array.of(a[0]), vectors: wantV ? eye64(1) : undefined };
  }
  // ---- tred2: reduction to tridiagonal form.
  for (let j = 0; j < n; j++) d[j] = v[j * n + (n - 1)];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0, h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) { d[j] = v[j * n + (i - 1)]; v[j * n + i] = 0; v[i * n + j] = 0; }
    } else {
      for (let k = 0; k < i; k++) { d[k] /= scale; h += d[k] * d[k]; }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[i * n + j] = f; // V[j][i]
        const cj = j * n;
        g = e[j] + v[cj + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const vkj = v[cj + k];
          g += vkj * d[k];
          e[k] += vkj * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) { e[j] /= h; f += e[j] * d[j]; }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j]; g = e[j];
        const cj = j * n;
        for (let k = j; k <= i - 1; k++) v[cj + k] -= f * e[k] + g * d[k];
        d[j] = v[cj + (i - 1)];
        v[cj + i] = 0; // V[i][j]
      }
    }
    d[i] = h;
  }
  if (wantV) {
    // Accumulate the transformations.
    for (let i = 0; i < n - 1; i++) {
      v[i * n + (n - 1)] = v[i * n + i]; // V[n-1][i] = V[i][i]
      v[i * n + i] = 1;
      const h = d[i + 1];
      const c1 = (i + 1) * n; // column i+1
      if (h !== 0) {
        for (let k = 0; k <= i; k++) d[k] = v[c1 + k] / h;
        for (let j = 0; j <= i; j++) {
          const cj = j * n;
          let g = 0;
          for (let k = 0; k <= i; k++) g += v[c1 + k] * v[cj + k];
          for (let k = 0; k <= i; k++) v[cj + k] -= g * d[k];
        }
      }
      for (let k = 0; k <= i; k++) v[c1 + k] = 0;
    }
    for (let j = 0; j < n; j++) { d[j] = v[j * n + (n - 1)]; v[j * n + (n - 1)] = 0; }
    v[(n - 1) * n + (n - 1)] = 1;
  } else {
    for (let j = 0; j < n; j++) d[j] = v[j * n + j];
  }
  e[0] = 0;
  // ---- tql2: implicit QL on the tridiagonal matrix.
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0, tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) { if (Math.abs(e[m]) <= eps * tst1) break; m++; }
    if (m === n) m = n - 1;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60 * n) throw new Error('symEig64: QL iteration did not converge');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = c, c3 = c;
        const el1 = e[l + 1];
        let s = 0, s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2; c2 = c; s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (wantV) {
            const ci = i * n, ci1 = (i + 1) * n;
            for (let k = 0; k < n; k++) {
              const hk = v[ci1 + k], vk = v[ci + k];
              v[ci1 + k] = s * vk + c * hk;
              v[ci + k] = c * vk - s * hk;
            }
          }
        }
        p = -s * s2 * c3 * el1 * e[l] / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  // ---- sort ascending (vectors are the columns of V = rows of the column-major store).
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x] - d[y]);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = d[order[i]];
  if (!wantV) return { values };
  const vec = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vec.set(v.subarray(order[i] * n, order[i] * n + n), i * n);
  return { values, vectors: { rows: n, cols: n, data: vec } };
}

/**
 * Orthonormal basis of the columns of A (m x k, m >= k) by modified Gram-Schmidt applied twice
 * ("twice is enough"), column-major internally. Columns that are numerically dependent are replaced by
 * random directions orthogonal to the others (so Q always has k orthonormal columns).
 */
export function orthonormalize64(A: Mat64, rand: () => number = Math.random): Mat64 {
  const m = A.rows, k = A.cols;
  if (k > m) throw new InputError(`orthonormalize64: more columns (${k}) than rows (${m})`);
  const q = transpose64(A).data; // k x m: column j of A at q[j*m ..]
  const norm0 = new Float64Array(k);
  for (let j = 0; j < k; j++) { let s = 0; for (let i = 0; i < m; i++) s += q[j * m + i] ** 2; norm0[j] = Math.sqrt(s); }
  for (let j = 0; j < k; j++) {
    const cj = j * m;
    for (let attempt = 0; attempt < 3; attempt++) {
      for (let pass = 0; pass < 2; pass++) {
        for (let p = 0; p < j; p++) {
          const cp = p * m;
          let s = 0;
          for (let i = 0; i < m; i++) s += q[cp + i] * q[cj + i];
          for (let i = 0; i < m; i++) q[cj + i] -= s * q[cp + i];
        }
      }
      let s = 0;
      for (let i = 0; i < m; i++) s += q[cj + i] * q[cj + i];
      const nrm = Math.sqrt(s);
      if (nrm > 1e-10 * Math.max(norm0[j], 1e-300) && nrm > 0) {
        for (let i = 0; i < m; i++) q[cj + i] /= nrm;
        break;
      }
      for (let i = 0; i < m; i++) q[cj + i] = rand() - 0.5;
      norm0[j] = 1;
    }
  }
  return transpose64({ rows: k, cols: m, data: q });
}

export interface ThinSvd64 {
  /** m x k, orthonormal columns. */
  U: Mat64;
  /** Singular values, descending. */
  s: Float64Array;
  /** n x k, orthonormal columns. */
  V: Mat64;
}

/**
 * Thin SVD of a tall matrix (m >= n) by one-sided Jacobi (Hestenes) rotations, Float64. Accurate to high
 * relative precision, also for small singular values; costs ~ sweeps * n^2 * m * 3 flops (use it on tall-skinny
 * or small matrices). For wide matrices pass the transpose.
 */
export function jacobiSvd64(A: Mat64, opts: { tol?: number; maxSweeps?: number } = {}): ThinSvd64 {
  const m = A.rows, n = A.cols;
  if (m < n) {
    const r = jacobiSvd64(transpose64(A), opts);
    return { U: r.V, s: r.s, V: r.U };
  }
  const tol = opts.tol ?? 1e-15, maxSweeps = opts.maxSweeps ?? 60;
  const u = transpose64(A).data; // columns contiguous: n x m
  const v = new Float64Array(n * n); // columns of V contiguous
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const nrm = new Float64Array(n);
  for (let j = 0; j < n; j++) { let s = 0; for (let i = 0; i < m; i++) s += u[j * m + i] ** 2; nrm[j] = s; }
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const cp = p * m, cq = q * m;
        let alpha = nrm[p], beta = nrm[q], gamma = 0;
        for (let i = 0; i < m; i++) gamma += u[cp + i] * u[cq + i];
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        alpha = 0; beta = 0;
        for (let i = 0; i < m; i++) {
          const x = u[cp + i], y = u[cq + i];
          const nx = c * x - s * y, ny = s * x + c * y;
          u[cp + i] = nx; u[cq + i] = ny;
          alpha += nx * nx; beta += ny * ny;
        }
        nrm[p] = alpha; nrm[q] = beta;
        const vp = p * n, vq = q * n;
        for (let i = 0; i < n; i++) {
          const x = v[vp + i], y = v[vq + i];
          v[vp + i] = c * x - s * y; v[vq + i] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const sv = new Float64Array(n);
  for (let j = 0; j < n; j++) { let s = 0; for (let i = 0; i < m; i++) s += u[j * m + i] ** 2; sv[j] = Math.sqrt(s); }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => sv[y] - sv[x]);
  const U = new Float64Array(m * n), V = new Float64Array(n * n), s = new Float64Array(n);
  const smax = sv[order[0]] || 0;
  for (let jj = 0; jj < n; jj++) {
    const j = order[jj];
    s[jj] = sv[j];
    for (let i = 0; i < n; i++) V[i * n + jj] = v[j * n + i];
    if (sv[j] > 1e-300 && sv[j] > smax * 1e-300) for (let i = 0; i < m; i++) U[i * n + jj] = u[j * m + i] / sv[j];
  }
  // Zero singular values leave zero U columns: complete them to an orthonormal set.
  const Um = { rows: m, cols: n, data: U };
  let missing = false;
  for (let jj = 0; jj < n; jj++) if (!(s[jj] > 1e-300)) missing = true;
  return { U: missing ? orthonormalize64(Um) : Um, s, V: { rows: n, cols: n, data: V } };
}
