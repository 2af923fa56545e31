import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { ManifoldGenerator } from '../../src/data/manifold';
import { certifyInverse } from '../../src/train/certify';

test('certifyInverse: the trained inverse maps l back to z (small manifold), no leaks', async () => {
  await initBackend();
  const before = tf.memory().numTensors;
  const g = new ManifoldGenerator({ kappa: 2, hidden: [32, 64], outDim: 16, seed: 3 });
  const c = await certifyInverse(g, { n: 1000, nTest: 300, epochs: 25, batchSize: 50, learningRate: 3e-3, seed: 1 });
  assert.ok(c.testRelError < 0.02, `held-out relative error ${c.testRelError}`);
  assert.ok(c.losses[c.losses.length - 1] < c.losses[0]);
  assert.deepEqual(c.shape, [16, 64, 32, 2]);
  const { Z, L } = g.sample(10, 9);
  const Zh = g.invert(L);
  assert.deepEqual(Zh.shape, [10, 2]);
  tf.dispose([Z, L, Zh]);
  g.dispose();
  assert.equal(tf.memory().numTensors, before);
});


test('certifyInverse: invert() before certification names the fix; a second certificate replaces the first inverse without leaks', async () => {
  await initBackend();
  const g = new ManifoldGenerator({ kappa: 2, hidden: [8, 8], outDim: 6, seed: 4 });
  const { Z, L } = g.sample(5, 1);
  assert.throws(() => g.invert(L), /certifyInverse/);
  await certifyInverse(g, { n: 100, nTest: 50, epochs: 1, batchSize: 50, learningRate: 1e-3, seed: 1 });
  const before = tf.memory().numTensors;
  await certifyInverse(g, { n: 100, nTest: 50, epochs: 1, batchSize: 50, learningRate: 1e-3, seed: 2 });
  assert.equal(tf.memory().numTensors, before, 'the old inverse was not disposed');
  tf.dispose([Z, L]); g.dispose();
});
