import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { mlp, mlpForward, denseForward, layerVariables, disposeLayers, countParams } from '../../src/nets/mlp';

test('mlp shapes, parameter count, glorot range and seeding', async () => {
  await initBackend();
  const a = mlp([10, 6, 3], new Rng(1), 'a');
  const b = mlp([10, 6, 3], new Rng(1), 'b');
  assert.equal(countParams(layerVariables(a)), 10 * 6 + 6 + 6 * 3 + 3);
  assert.deepEqual(a[0].W.dataSync(), b[0].W.dataSync());
  const lim = Math.sqrt(6 / 16);
  assert.ok(Array.from(a[0].W.dataSync()).every((w) => Math.abs(w) <= lim));
  const x = tf.ones([4, 10]) as tf.Tensor2D;
  const y = tf.tidy(() => mlpForward(x, a, ['relu', 'sigmoid']));
  assert.deepEqual(y.shape, [4, 3]);
  assert.ok(Array.from(y.dataSync()).every((v) => v > 0 && v < 1));
  // fused forward equals the plain formula; transposed (tied) use works
  const manual = tf.tidy(() => tf.sigmoid(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, a[0].W), a[0].b)), a[1].W), a[1].b)));
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(manual, y))).dataSync()[0]) < 1e-6);
  const back = tf.tidy(() => denseForward(tf.ones([2, 6]) as tf.Tensor2D, a[0], 'linear', true, tf.zeros([10])));
  assert.deepEqual(back.shape, [2, 10]);
  tf.dispose([x, y, manual, back]);
  disposeLayers(a); disposeLayers(b);
  assert.throws(() => mlp([10], new Rng(1), 'c'), /layer sizes/);
});
