import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { nmse, relativeError } from '../../src/metrics/nmse';

test('nmse is the squared Frobenius ratio (Dai et al. eq. 20) and relativeError its square root', async () => {
  await initBackend();
  const L0 = [3, 4, 0, 0]; // ||L0||^2 = 25
  const Lhat = [3, 4, 1, 2]; // ||diff||^2 = 5
  assert.equal(nmse(Lhat, L0), 5 / 25);
  assert.ok(Math.abs(relativeError(Lhat, L0) - Math.sqrt(0.2)) < 1e-15);
  const a = tf.tensor2d([[3, 4], [1, 2]]), b = tf.tensor2d([[3, 4], [0, 0]]);
  assert.ok(Math.abs(nmse(a, b) - 0.2) < 1e-7);
  assert.equal(nmse(b, b), 0);
  tf.dispose([a, b]);
});

test('nmse rejects mismatched shapes, zero references and NaN', () => {
  assert.throws(() => nmse([1, 2], [1, 2, 3]), /shapes differ/);
  assert.throws(() => nmse([1, 2], [0, 0]), /all zeros/);
  assert.throws(() => relativeError([NaN, 1], [1, 1]), /non-finite/);
  const a = tf.zeros([2, 3]), b = tf.zeros([3, 2]);
  assert.throws(() => nmse(a, b), /shapes differ/);
  tf.dispose([a, b]);
});
