/** Row-block helpers (bottom layer: used by data generators, models and metrics alike). */
import { tf } from './backend';

/** Applies `fn` to row blocks of X (bounded memory for big inputs) and concatenates the results. */
export function mapBatches(X: tf.Tensor, batchSize: number, fn: (xb: tf.Tensor) => tf.Tensor): tf.Tensor {
  const n = X.shape[0];
  if (n <= batchSize) return tf.tidy(() => fn(X));
  const parts: tf.Tensor[] = [];
  for (let s = 0; s < n; s += batchSize) parts.push(tf.tidy(() => fn(tf.slice(X, s, Math.min(batchSize, n - s)))));
  const out = tf.concat(parts, 0);
  parts.forEach((p) => p.dispose());
  return out;
}
