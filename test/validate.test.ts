import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../src/backend';
import { assertMatrix, assertPositive, assertInt, assertOneOf, assertFinite, InputError } from '../src/validate';

test('assertMatrix names the problem', async () => {
  await initBackend();
  const v = tf.tensor1d([1, 2, 3]);
  assert.throws(() => assertMatrix(v, 'X'), /X: expected a matrix \(rank 2.*shape \[3\]/);
  const m = tf.tensor2d([[1, 2], [3, NaN]]);
  assert.throws(() => assertMatrix(m, 'X'), /1 non-finite value.*flat index 3/);
  const ok = tf.tensor2d([[1, 2], [3, 4]]);
  assertMatrix(ok, 'X', { cols: 2 });
  assert.throws(() => assertMatrix(ok, 'X', { cols: 3 }), /expected 3 columns/);
  assert.throws(() => assertMatrix(ok, 'X', { min: 0, max: 1 }), /values must lie in \[0, 1\], got \[1, 4\]/);
  assert.throws(() => assertMatrix([[1]], 'X'), InputError);
  const d = tf.tensor2d([[1]]); d.dispose();
  assert.throws(() => assertMatrix(d, 'X'), /disposed/);
  tf.dispose([v, m, ok]);
});

test('scalar checks', () => {
  assert.throws(() => assertPositive(0, 'lambda'), /lambda must be a finite number > 0, got 0/);
  assert.throws(() => assertPositive(-1, 'lambda'), /lambda/);
  assert.throws(() => assertPositive(NaN, 'lambda'), /lambda/);
  assertPositive(0.1, 'lambda');
  assert.throws(() => assertInt(2.5, 'epochs'), /epochs must be an integer/);
  assert.throws(() => assertOneOf('l3', 'penalty', ['l1', 'l21'] as const), /penalty must be one of "l1", "l21", got "l3"/);
  assert.throws(() => assertFinite([1, Infinity], 'v'), /non-finite value Infinity at index 1/);
});
