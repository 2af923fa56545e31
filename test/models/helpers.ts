import { tf } from '../../src/backend';
import { Rng } from '../../src/random';

/** Points on a 2-d sigmoid manifold in [0,1]^d. */
export function manifoldData(seed: number, n: number, d: number): tf.Tensor2D {
  const rng = new Rng(seed);
  return tf.tidy(() => {
    const Z = tf.tensor2d(rng.normalArray(n * 2), [n, 2]);
    const A = tf.tensor2d(rng.normalArray(2 * d, 0, 2), [2, d]);
    return tf.sigmoid(tf.matMul(Z, A)) as tf.Tensor2D;
  });
}

