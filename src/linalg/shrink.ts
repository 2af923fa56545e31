/**
 * Proximal (shrinkage) operators used by every robust model (X = L + S):
 *
 *  - `shrinkL1(X, tau)`: element-wise soft threshold sign(x) * max(|x| - tau, 0), the prox of tau * ||S||_1
 *    (Candes et al. 2011; Zhou & Paffenroth 2017 Sec. 4.1).
 *  - `shrinkL21Rows(X, tau)`: group soft threshold with one group per ROW (one sample / image): each row r is
 *    scaled by max(0, 1 - tau / ||r||_2); rows with norm <= tau, and all-zero rows, become zero. The prox of
 *    tau * sum_i ||S_i,:||_2 (Zhou & Paffenroth 2017 Sec. 4.2, outlier model; their code uses rows = images).
 *  - `shrinkL21Cols(X, tau)`: the same with one group per COLUMN (one feature / pixel).
 *
 * Tensor ops inside tf.tidy: the caller owns (and disposes) the returned tensor; the input is untouched.
 */
import { tf } from '../backend';
import { assertNonNegative, assertMatrix, InputError } from '../validate';

function checkTau(tau: unknown, fn: string): asserts tau is number {
  assertNonNegative(tau, `${fn}: tau`);
}

/** Element-wise soft threshold: sign(x) * max(|x| - tau, 0). Works on tensors of any rank. */
export function shrinkL1<T extends tf.Tensor>(X: T, tau: number): T {
  if (!(X instanceof tf.Tensor)) throw new InputError('shrinkL1: X must be a tf.Tensor');
  checkTau(tau, 'shrinkL1');
  return tf.tidy(() => tf.mul(tf.sign(X), tf.relu(tf.sub(tf.abs(X), tau)))) as T;
}

function groupShrink(X: tf.Tensor2D, tau: number, axis: 0 | 1): tf.Tensor2D {
  return tf.tidy(() => {
    const norms = tf.sqrt(tf.sum(tf.square(X), axis, true));
    // Scale = max(0, 1 - tau / norm); for norm = 0 the row is zero anyway, so use scale 0 (no division by 0).
    const safe = tf.maximum(norms, tf.scalar(1e-30));
    const scale = tf.where(tf.greater(norms, tau), tf.sub(1, tf.div(tau, safe)), tf.zerosLike(norms));
    return tf.mul(X, scale) as tf.Tensor2D;
  });
}

/** Group soft threshold per row (sample): row * max(0, 1 - tau / ||row||_2). */
export function shrinkL21Rows(X: tf.Tensor2D, tau: number): tf.Tensor2D {
  assertMatrix(X, 'shrinkL21Rows: X', { finite: false });
  checkTau(tau, 'shrinkL21Rows');
  return groupShrink(X, tau, 1);
}

/** Group soft threshold per column (feature): column * max(0, 1 - tau / ||column||_2). */
export function shrinkL21Cols(X: tf.Tensor2D, tau: number): tf.Tensor2D {
  assertMatrix(X, 'shrinkL21Cols: X', { finite: false });
  checkTau(tau, 'shrinkL21Cols');
  return groupShrink(X, tau, 0);
}

/** Float64 in-place variant of the l1 shrink used by the Float64 solvers (RPCA): out[i] = soft(x[i], tau). */
export function softThreshold64(x: Float64Array, tau: number, out: Float64Array = new Float64Array(x.length)): Float64Array {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = v > tau ? v - tau : v < -tau ? v + tau : 0;
  }
  return out;
}
