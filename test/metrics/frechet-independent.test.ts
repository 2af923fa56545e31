/**
 * The Frechet distance of feature sets against an independent route written with ml-matrix (notebook 03 printed
 * this check on its FID features; it is a unit test now): means and unbiased covariances, sqrt(C1) from the eigen
 * decomposition of C1, then the eigenvalues of sqrt(C1) C2 sqrt(C1). The library takes a Cholesky factor and the
 * eigenvalues of L^T C2 L (src/metrics/frechet.ts): the same number through other arithmetic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, EigenvalueDecomposition } from 'ml-matrix';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { frechetDistanceFromFeatures } from '../../src/metrics/frechet';

function independentFrechet(a: number[][], b: number[][]): number {
  const stats = (rows: number[][]) => {
    const M = new Matrix(rows);
    const mean = M.mean('column');
    const C = M.clone().subRowVector(mean);
    return { mean, cov: C.transpose().mmul(C).div(rows.length - 1) };
  };
  const s1 = stats(a), s2 = stats(b);
  const e1 = new EigenvalueDecomposition(s1.cov, { assumeSymmetric: true });
  const V = e1.eigenvectorMatrix;
  const sq = V.mmul(Matrix.diag(e1.realEigenvalues.map((v) => Math.sqrt(Math.max(v, 0))))).mmul(V.transpose());
  const K = sq.mmul(s2.cov).mmul(sq);
  const ev = new EigenvalueDecomposition(K.add(K.transpose()).div(2), { assumeSymmetric: true }).realEigenvalues;
  const tr = ev.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
  let dm = 0;
  for (let j = 0; j < s1.mean.length; j++) dm += (s1.mean[j] - s2.mean[j]) ** 2;
  return dm + s1.cov.trace() + s2.cov.trace() - 2 * tr;
}

test('Frechet distance of features: library equals an independent ml-matrix eigen route (full rank and n < d)', async () => {
  await initBackend();
  const rng = new Rng(3);
  // ReLU-like features (non-negative, correlated, some columns mostly zero) as a classifier's penultimate layer gives
  for (const [n, d] of [[400, 24], [300, 64], [40, 64]]) {
    const W = Array.from({ length: 8 }, () => Array.from(rng.normalArray(d)));
    const draw = (shift: number) => Array.from({ length: n }, () => {
      const z = Array.from(rng.normalArray(8));
      return Array.from({ length: d }, (_, j) => Math.max(0, shift * (j % 3) + z.reduce((s, v, k) => s + v * W[k][j], 0) + 0.1 * rng.normal()));
    });
    // the library reads float32 tensors: give the independent route the same float32 values
    const f32 = (m: number[][]) => m.map((r) => r.map(Math.fround));
    const a = f32(draw(0)), b = f32(draw(0.5));
    const ta = tf.tensor2d(a), tb = tf.tensor2d(b);
    const ours = frechetDistanceFromFeatures(ta, tb);
    tf.dispose([ta, tb]);
    const indep = independentFrechet(a, b);
    // both routes work in float64 on the same covariances; the trace term is a sum of d square roots of eigenvalues
    // whose rounding is ~1e-12 relative each; 1e-7 relative leaves room for the n < d case (rank-deficient C1)
    assert.ok(indep > 0, `n=${n} d=${d}: ${indep}`);
    assert.ok(Math.abs(ours - indep) <= 1e-7 * Math.abs(indep), `n=${n} d=${d}: library ${ours} vs independent ${indep}`);
  }
});
