import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, EigenvalueDecomposition, SVD } from 'ml-matrix';
import { initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { Mat64, symEig64, jacobiSvd64, cholesky64, matmul64, matmulTN64, matmulNT64, transpose64, orthonormalize64, gemmNT, gemmTN } from '../../src/linalg/dense';
import { randomizedSvd64, gramSvd64, qrThin64, spectralNorm64 } from '../../src/linalg/svd';

const rand = (m: number, n: number, rng: Rng): Mat64 => ({ rows: m, cols: n, data: Float64Array.from(rng.normalArray(m * n)) });
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let d = 0; for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i])); return d; };

test('dense products agree with ml-matrix', () => {
  const rng = new Rng(1);
  const A = rand(7, 5, rng), B = rand(5, 6, rng), C = rand(7, 6, rng);
  const ref = new Matrix(Array.from({ length: 7 }, (_, i) => Array.from(A.data.slice(i * 5, i * 5 + 5)))).mmul(new Matrix(Array.from({ length: 5 }, (_, i) => Array.from(B.data.slice(i * 6, i * 6 + 6)))));
  assert.ok(maxAbsDiff(matmul64(A, B).data, ref.to1DArray()) < 1e-13);
  assert.ok(maxAbsDiff(matmulTN64(A, C).data, matmul64(transpose64(A), C).data) < 1e-13);
  assert.ok(maxAbsDiff(matmulNT64(A, transpose64(B)).data, matmul64(A, B).data) < 1e-13);
  assert.throws(() => matmul64(A, A), /do not match/);
});

test('gemmTN (Q column-major, A row-major) = Q^T A and gemmNT into a reused output, for odd sizes', () => {
  const rng = new Rng(11);
  for (const [m, k, n] of [[1, 1, 1], [7, 3, 5], [13, 6, 1030], [9, 5, 4]]) {
    const Q = rand(m, k, rng), A = rand(m, n, rng);
    const qcol = transpose64(Q).data; // column-major Q
    const ref = matmulTN64(Q, A).data; // k x n
    assert.ok(maxAbsDiff(gemmTN(qcol, m, k, A.data, n), ref) < 1e-12);
    const out = new Float64Array(k * n + 3).fill(7);
    gemmTN(qcol, m, k, A.data, n, out);
    assert.ok(maxAbsDiff(out.subarray(0, k * n), ref) < 1e-12);
    const B = rand(n, k, rng); // C = A B = gemmNT(A, B^T as n x k rows)
    const outC = new Float64Array(m * k).fill(-3);
    gemmNT(A.data, m, n, transpose64(B).data, k, outC);
    assert.ok(maxAbsDiff(outC, matmul64(A, B).data) < 1e-12);
  }
});

test('symEig64 matches ml-matrix eigenvalues and gives orthonormal eigenvectors (also with repeated eigenvalues)', () => {
  const rng = new Rng(2);
  for (const n of [1, 2, 9, 40]) {
    const X = rand(n, n, rng);
    const S = matmulTN64(X, X);
    const ours = symEig64(S);
    const ref = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(S.data.slice(i * n, i * n + n)))), { assumeSymmetric: true });
    const refVals = [...ref.realEigenvalues].sort((a, b) => a - b);
    assert.ok(maxAbsDiff(ours.values, refVals) < 1e-10 * Math.max(1, refVals[n - 1]), `n=${n}`);
    const V = ours.vectors!;
    // V V^T = I and S v = lambda v
    const I = matmulNT64(V, V);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.ok(Math.abs(I.data[i * n + j] - (i === j ? 1 : 0)) < 1e-12);
    const SV = matmulNT64(S, V); // column i = S v_i
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) assert.ok(Math.abs(SV.data[k * n + i] - ours.values[i] * V.data[i * n + k]) < 1e-10 * Math.max(1, refVals[n - 1]));
    assert.ok(maxAbsDiff(symEig64(S, { vectors: false }).values, ours.values) < 1e-10 * Math.max(1, refVals[n - 1]));
  }
  // identity: repeated eigenvalue 1
  const I = { rows: 5, cols: 5, data: new Float64Array(25) };
  for (let i = 0; i < 5; i++) I.data[i * 6] = 1;
  assert.ok(maxAbsDiff(symEig64(I).values, [1, 1, 1, 1, 1]) < 1e-15);
});

test('jacobiSvd64 and gramSvd64 agree with ml-matrix SVD; Cholesky reconstructs; QR is orthonormal', () => {
  const rng = new Rng(3);
  for (const [m, n] of [[30, 8], [8, 30], [12, 12]]) {
    const A = rand(m, n, rng);
    const ref = new SVD(new Matrix(Array.from({ length: m }, (_, i) => Array.from(A.data.slice(i * n, i * n + n)))), { autoTranspose: true }).diagonal;
    const j = jacobiSvd64(A);
    assert.ok(maxAbsDiff(j.s, ref) < 1e-12 * ref[0]);
    const g = gramSvd64(A);
    assert.ok(maxAbsDiff(g.s.slice(0, Math.min(m, n)), ref) < 1e-9 * ref[0]);
    // U S V^T = A
    const k = j.s.length;
    const US = { rows: j.U.rows, cols: k, data: j.U.data.map((v, i) => v * j.s[i % k]) };
    assert.ok(maxAbsDiff(matmulNT64(US, j.V).data, A.data) < 1e-12 * ref[0]);
  }
  const X = rand(20, 6, rng);
  const S = matmulTN64(X, X);
  const L = cholesky64(S)!;
  assert.ok(maxAbsDiff(matmulNT64(L, L).data, S.data) < 1e-12 * 20);
  assert.equal(cholesky64({ rows: 2, cols: 2, data: Float64Array.of(1, 2, 2, 1) }), null);
  const { Q, R } = qrThin64(X);
  assert.ok(maxAbsDiff(matmulTN64(Q, Q).data, Array.from({ length: 36 }, (_, i) => (i % 7 === 0 ? 1 : 0))) < 1e-14);
  assert.ok(maxAbsDiff(matmul64(Q, R).data, X.data) < 1e-13);
  // rank-deficient input still gives an orthonormal basis
  const dep: Mat64 = { rows: 5, cols: 3, data: Float64Array.of(1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0) };
  const Qd = orthonormalize64(dep);
  assert.ok(maxAbsDiff(matmulTN64(Qd, Qd).data, [1, 0, 0, 0, 1, 0, 0, 0, 1]) < 1e-12);
});

test('randomizedSvd64 recovers the top singular triplets of a low-rank + noise matrix to Float64 accuracy (JS and backend power iterations)', async () => {
  await initBackend();
  const rng = new Rng(4);
  const m = 120, n = 300, r = 6;
  const L = matmul64(rand(m, r, rng), rand(r, n, rng));
  const A: Mat64 = { rows: m, cols: n, data: L.data.map((v) => v + 1e-9 * rng.normal()) };
  const exact = jacobiSvd64(A);
  for (const backendPowerIterations of [false, true]) {
    const res = randomizedSvd64(A, r, { oversample: 5, powerIterations: 2, rng: new Rng(9), backendPowerIterations });
    assert.equal(res.s.length, r + 5);
    assert.ok(maxAbsDiff(res.s.slice(0, r), exact.s.slice(0, r)) < 1e-11 * exact.s[0], `backend=${backendPowerIterations}`);
    // rank-r reconstruction error equals the optimal one to rounding
    const US = { rows: m, cols: r, data: new Float64Array(m * r) };
    for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) US.data[i * r + j] = res.U.data[i * res.s.length + j] * res.s[j];
    const Vr = { rows: n, cols: r, data: new Float64Array(n * r) };
    for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) Vr.data[i * r + j] = res.V.data[i * res.s.length + j];
    assert.ok(maxAbsDiff(matmulNT64(US, Vr).data, L.data) < 1e-7, 'L recovered up to the 1e-9 noise');
    // Vt is V transposed
    assert.ok(maxAbsDiff(transpose64(res.Vt).data, res.V.data) === 0);
  }
  assert.ok(Math.abs(spectralNorm64(A) - exact.s[0]) < 1e-10 * exact.s[0]);
  // warm start with the exact subspace and no power iteration gives the exact answer
  const warm = randomizedSvd64(A, r, { oversample: 0, powerIterations: 0, start: { rows: n, cols: r, data: Float64Array.from({ length: n * r }, (_, t) => exact.V.data[Math.floor(t / r) * exact.V.cols + (t % r)]) } });
  assert.ok(maxAbsDiff(warm.s, exact.s.slice(0, r)) < 1e-11 * exact.s[0]);
});
