import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { shrinkL1, shrinkL21Rows, shrinkL21Cols, softThreshold64 } from '../../src/linalg/shrink';

test('shrinkL1 soft-thresholds element-wise and matches the Float64 version', async () => {
  await initBackend();
  const x = [-3, -1, -0.5, 0, 0.5, 1, 3];
  const out = tf.tidy(() => Array.from(shrinkL1(tf.tensor1d(x), 1).dataSync(), (v) => v + 0)); // -0 -> 0
  assert.deepEqual(out, [-2, 0, 0, 0, 0, 0, 2]);
  assert.deepEqual(Array.from(softThreshold64(Float64Array.from(x), 1), (v) => v + 0), [-2, 0, 0, 0, 0, 0, 2]);
  // tau = 0 is the identity
  const id = tf.tidy(() => Array.from(shrinkL1(tf.tensor1d(x), 0).dataSync()));
  assert.deepEqual(id, x);
});

test('shrinkL1 is the prox of tau*|s|: it minimises 0.5 (s - x)^2 + tau |s| on a grid', () => {
  const tau = 0.7;
  for (const xv of [-2.1, -0.3, 0.69, 1.5]) {
    const s = tf.tidy(() => shrinkL1(tf.scalar(xv), tau).dataSync()[0]);
    const obj = (v: number) => 0.5 * (v - xv) ** 2 + tau * Math.abs(v);
    for (let g = -3; g <= 3; g += 0.01) assert.ok(obj(s) <= obj(g) + 1e-6, `x=${xv}: s=${s} not a minimiser (grid ${g})`);
  }
});

test('shrinkL21Rows scales each row by max(0, 1 - tau/||row||) and keeps zero rows zero', () => {
  const X = tf.tensor2d([[3, 4], [0.3, 0.4], [0, 0], [-6, 8]]);
  const out = shrinkL21Rows(X, 1).arraySync();
  const want = [[3 * 0.8, 4 * 0.8], [0, 0], [0, 0], [-6 * 0.9, 8 * 0.9]];
  out.forEach((r, i) => r.forEach((v, j) => assert.ok(Math.abs(v - want[i][j]) < 1e-6, `(${i},${j}) ${v} vs ${want[i][j]}`)));
  assert.ok(out.flat().every(Number.isFinite));
  X.dispose();
});

test('shrinkL21Cols is shrinkL21Rows of the transpose', () => {
  tf.tidy(() => {
    const X = tf.randomNormal([7, 5], 0, 1, 'float32', 3) as tf.Tensor2D;
    const a = shrinkL21Cols(X, 1.3);
    const b = shrinkL21Rows(X.transpose(), 1.3).transpose();
    assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] < 1e-6);
    // some columns shrink to zero with a big tau, none grow
    const big = shrinkL21Cols(X, 2.5);
    const norms = tf.norm(big, 'euclidean', 0).dataSync();
    const orig = tf.norm(X, 'euclidean', 0).dataSync();
    norms.forEach((v, j) => assert.ok(v <= orig[j] + 1e-6 && (orig[j] <= 2.5 ? v === 0 : Math.abs(v - (orig[j] - 2.5)) < 1e-5)));
  });
});

test('shrink operators reject a negative or non-finite tau and non-tensors, and do not leak tensors', () => {
  const X = tf.ones([3, 3]) as tf.Tensor2D;
  assert.throws(() => shrinkL1(X, -1), /tau/);
  assert.throws(() => shrinkL21Rows(X, NaN), /tau/);
  assert.throws(() => shrinkL21Cols(X, -0.1), /tau/);
  assert.throws(() => shrinkL21Rows(tf.ones([3]) as unknown as tf.Tensor2D, 1), /matrix/);
  assert.throws(() => shrinkL1([1, 2] as unknown as tf.Tensor, 1), /tf.Tensor/);
  const before = tf.memory().numTensors;
  shrinkL21Rows(X, 1).dispose(); shrinkL21Cols(X, 1).dispose(); shrinkL1(X, 1).dispose();
  assert.equal(tf.memory().numTensors, before);
  X.dispose();
});
