import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { centredSpectrum, pcaBasis, pcaReconstruct, linearSubspaces, rowErrors, sun2020Config } from '../../src/papers/sun2020';
import { principalAngles } from '../../src/metrics/angles';

/** Centred data with known singular values: X = U diag(s) V^T with orthonormal U (centred columns) and V. */
function knownSpectrum(m: number, D: number, s: number[], seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  return tf.tidy(() => {
    const G1 = tf.tensor2d(rng.normalArray(m * s.length), [m, s.length]);
    const G1c = tf.sub(G1, tf.mean(G1, 0, true));
    const [U] = tf.linalg.qr(G1c) as [tf.Tensor2D, tf.Tensor2D];
    const [V] = tf.linalg.qr(tf.tensor2d(rng.normalArray(D * s.length), [D, s.length])) as [tf.Tensor2D, tf.Tensor2D];
    return tf.add(tf.matMul(tf.mul(U, tf.tensor1d(s)), V, false, true), tf.ones([1, D])) as tf.Tensor2D; // + a constant mean
  });
}

test('centredSpectrum recovers known singular values; pcaBasis spans the right subspace', async () => {
  await initBackend();
  const s = [9, 5, 3, 1];
  const X = knownSpectrum(60, 12, s, 1);
  const sp = centredSpectrum(X);
  s.forEach((v, i) => assert.ok(Math.abs(sp[i].sigma - v) < 1e-3 * v, `sigma ${i}: ${sp[i].sigma} vs ${v}`));
  assert.ok(sp[4].sigma < 1e-2, `rank 4, got sigma_5 = ${sp[4].sigma}`);
  const total = s.reduce((a, v) => a + v * v, 0);
  assert.ok(Math.abs(sp[0].energy - 81 / total) < 1e-4);
  assert.ok(Math.abs(sp[11].cumulative - 1) < 1e-9);
  // rank-2 basis = top-2 right singular vectors; reconstruction error = s_3^2 + s_4^2
  const V = pcaBasis(X, 2);
  const mean = tf.mean(X, 0, true);
  const L = pcaReconstruct(X, V, mean);
  const err = tf.tidy(() => tf.sum(tf.square(tf.sub(X, L))).dataSync()[0]);
  assert.ok(Math.abs(err - (9 + 1)) < 1e-2, `residual energy ${err}`);
  const ortho = tf.tidy(() => tf.norm(tf.sub(tf.matMul(V, V, true), tf.eye(2))).dataSync()[0]);
  assert.ok(ortho < 1e-5);
  assert.throws(() => pcaBasis(X, 13), /d must be an integer in \[1, 12\]/);
  tf.dispose([X, V, mean, L]);
});

test('linear AE (tied, untied) and factorization converge to the PCA subspace on clean low-rank data, without leaks', async () => {
  await initBackend();
  const X = knownSpectrum(80, 10, [6, 4, 2, 0.3, 0.2], 3);
  const before = tf.memory().numTensors;
  const rows = await linearSubspaces(X, 3, 1500, 0);
  assert.equal(tf.memory().numTensors, before, 'linearSubspaces leaked tensors');
  assert.equal(rows.length, 5);
  for (const r of rows) {
    assert.ok(r.maxAngleDeg < 1, `${r.model}: largest angle ${r.maxAngleDeg} deg`);
    assert.ok(r.errorRatio > 1 - 1e-3 && r.errorRatio < 1.02, `${r.model}: error ratio ${r.errorRatio}`);
  }
  const tied = rows.find((r) => r.model.includes('tied (B B'))!;
  assert.ok(tied.nonOrthonormality < 0.05, `tied B should be orthonormal: ${tied.nonOrthonormality}`);
  X.dispose();
});

test('rowErrors and config', async () => {
  await initBackend();
  const A = tf.tensor2d([[0, 0], [3, 4]]), B = tf.zeros([2, 2]) as tf.Tensor2D;
  assert.deepEqual(Array.from(rowErrors(A, B)), [0, 5]);
  tf.dispose([A, B]);
  const q = sun2020Config('quick'), sm = sun2020Config('smoke');
  assert.ok(q.n > sm.n && q.linearIterations > sm.linearIterations && q.d === sm.d, 'scales change sizes only');
});

test('principal angles between a basis and itself rotated are zero', async () => {
  await initBackend();
  const V = tf.tensor2d([[1, 0], [0, 1], [0, 0]]);
  const R = tf.tensor2d([[1, 1], [1, -1], [0, 0]]);
  assert.ok(principalAngles(V, R).maxSin < 1e-7);
  tf.dispose([V, R]);
});
