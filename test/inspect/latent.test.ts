import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { w1ColumnNorms, countNonzeroColumns, sigmaZStats, W1_ZERO_THRESHOLD } from '../../src/inspect/latent';

test('w1ColumnNorms reads one norm per latent dimension (rows of our [latent, width] W1)', async () => {
  await initBackend();
  const W = tf.tensor2d([[3, 4, 0], [0, 0, 0], [1, 0, 0]]);
  const before = tf.memory().numTensors;
  assert.deepEqual(w1ColumnNorms(W as tf.Tensor2D), [5, 0, 1]);
  assert.deepEqual(w1ColumnNorms({ firstDecoderWeights: W }), [5, 0, 1]);
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
  W.dispose();
  assert.throws(() => w1ColumnNorms(tf.zeros([3]) as unknown as tf.Tensor2D), /matrix/);
});

test('countNonzeroColumns uses 0.05 x the largest norm', () => {
  assert.equal(W1_ZERO_THRESHOLD, 0.05);
  assert.equal(countNonzeroColumns([10, 0.49, 0.5, 3, 0]), 3);
  assert.equal(countNonzeroColumns([]), 0);
  assert.equal(countNonzeroColumns([1, 1, 1]), 3);
});

test('sigmaZStats: per-dimension means, histogram and near-0 / near-1 fractions', async () => {
  await initBackend();
  const v = tf.tensor2d([[0.001, 1.0, 0.98], [0.002, 0.99, 1.01], [0.01, 1.0, 0.2], [0.003, 1.02, 0.97]]);
  const s = sigmaZStats(v as tf.Tensor2D, { bins: 10, range: 1 });
  assert.equal(s.n, 4); assert.equal(s.kappa, 3);
  assert.ok(Math.abs(s.meanPerDim[0] - 0.004) < 1e-6);
  assert.equal(s.usedDims, 1);
  assert.equal(s.counts.reduce((a, b) => a + b, 0), 12);
  assert.ok(Math.abs(s.fracNearZero - 4 / 12) < 1e-9);
  assert.ok(Math.abs(s.fracNearOne - 7 / 12) < 1e-9);
  assert.equal(s.edges.length, 11);
  assert.equal(s.max, Math.fround(1.02));
  assert.equal(s.counts[9], 7, 'values >= the range land in the last bin');
  v.dispose();
});
