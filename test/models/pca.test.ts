import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, SVD } from 'ml-matrix';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { PCA } from '../../src/models/pca';

function data(n: number, d: number, r: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const Z = rng.normalArray(n * r), W = rng.normalArray(r * d);
  const X = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) {
    let s = 3 + 0.01 * rng.normal() + j * 0.1;
    for (let k = 0; k < r; k++) s += Z[i * r + k] * W[k * d + j] * (r - k);
    X[i * d + j] = s;
  }
  return X;
}

test('PCA matches the SVD of the centred data (ml-matrix): singular values, explained variance, subspace', async () => {
  await initBackend();
  const n = 150, d = 20, k = 3;
  const x = data(n, d, 4, 1);
  const X = tf.tensor2d(x, [n, d]);
  const pca = await new PCA({ nComponents: k }).fit(X);
  const rows = Array.from({ length: n }, (_, i) => Array.from(x.slice(i * d, i * d + d)));
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const Xc = new Matrix(rows.map((r) => r.map((v, j) => v - mean[j])));
  const ref = new SVD(Xc);
  for (let c = 0; c < k; c++) {
    assert.ok(Math.abs(pca.singularValues[c] - ref.diagonal[c]) < 1e-9 * ref.diagonal[0]);
    assert.ok(Math.abs(pca.explainedVariance[c] - ref.diagonal[c] ** 2 / (n - 1)) < 1e-8 * ref.diagonal[0] ** 2);
    // component c = +-(right singular vector c)
    const v = ref.rightSingularVectors.getColumn(c);
    const dot = v.reduce((s, vi, j) => s + vi * pca.components64!.data[c * d + j], 0);
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-9);
  }
  const total = ref.diagonal.reduce((s, v) => s + v * v, 0);
  assert.ok(Math.abs(pca.explainedVarianceRatio[0] - ref.diagonal[0] ** 2 / total) < 1e-9);
  // transform / inverseTransform / reconstruct / decompose
  const Z = pca.transform(X);
  assert.deepEqual(Z.shape, [n, k]);
  const R1 = pca.inverseTransform(Z), R2 = pca.reconstruct(X);
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(R1, R2))).dataSync()[0]) < 1e-4);
  const { L, S } = pca.decompose();
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(X, tf.add(L, S)))).dataSync()[0]) < 1e-4);
  // residual energy = sum of the discarded squared singular values
  const resid = tf.tidy(() => tf.sum(tf.square(S)).dataSync()[0]);
  const discarded = ref.diagonal.slice(k).reduce((s, v) => s + v * v, 0);
  assert.ok(Math.abs(resid - discarded) < 1e-3 * Math.max(discarded, 1));
  const C = pca.components;
  assert.deepEqual(C.shape, [k, d]);
  tf.dispose([X, Z, R1, R2, L, S, C]);
  pca.dispose();
});

test('PCA randomized and full solvers agree; options and shapes validated', async () => {
  const n = 300, d = 60;
  const X = tf.tensor2d(data(n, d, 5, 2), [n, d]);
  const a = await new PCA({ nComponents: 5, svdSolver: 'full' }).fit(X);
  const b = await new PCA({ nComponents: 5, svdSolver: 'randomized' }).fit(X);
  for (let c = 0; c < 5; c++) assert.ok(Math.abs(a.singularValues[c] - b.singularValues[c]) < 1e-8 * a.singularValues[0]);
  for (let i = 0; i < 5 * d; i++) assert.ok(Math.abs(a.components64!.data[i] - b.components64!.data[i]) < 1e-6, 'same components with the same sign convention');
  assert.throws(() => new PCA({ nComponents: 0 }), /nComponents/);
  await assert.rejects(new PCA({ nComponents: 61 }).fit(X), /min\(n, d\)/);
  assert.throws(() => a.transform(tf.zeros([2, 3]) as tf.Tensor2D), /60 columns/);
  assert.throws(() => new PCA().transform(X), /fit\(\) first/);
  a.dispose(); b.dispose(); X.dispose();
});

test('PCA covariance-eigh (float64 scatter matrix on TensorFlow) equals the full SVD on a nearly flat spectrum', async () => {
  // A spectrum with small gaps: where a few power iterations of the randomized solver would be visibly off.
  const n = 400, d = 80, k = 10;
  const X = tf.tensor2d(data(n, d, 30, 0.3), [n, d]);
  const a = await new PCA({ nComponents: k, svdSolver: 'full' }).fit(X);
  const c = await new PCA({ nComponents: k, svdSolver: 'covariance-eigh' }).fit(X);
  for (let i = 0; i < k; i++) assert.ok(Math.abs(a.singularValues[i] - c.singularValues[i]) < 1e-9 * a.singularValues[0], `singular value ${i}`);
  for (let i = 0; i < k * d; i++) assert.ok(Math.abs(a.components64!.data[i] - c.components64!.data[i]) < 1e-7, 'same components with the same sign convention');
  const before = tf.memory().numTensors;
  for (let r = 0; r < 3; r++) (await new PCA({ nComponents: k, svdSolver: 'covariance-eigh' }).fit(X)).dispose();
  assert.equal(tf.memory().numTensors, before, 'no tfjs tensors left behind');
  assert.throws(() => new PCA({ svdSolver: 'eigh' as never }), /covariance-eigh/);
  a.dispose(); c.dispose(); X.dispose();
});
