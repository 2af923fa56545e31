/**
 * Training helpers shared by the image models of Li, Mehta, Qian & Sun (2020) (RDAE, RNLF): their options, the
 * learning-rate step decay, the l1 / l2 image loss, images <-> network range, and row-block evaluation.
 */
import { tf } from '../backend';
import { InputError, assertInt, assertOneOf, assertPositive } from '../validate';
import { ImageNetSpec, conv28Spec } from '../nets/conv28';

export type ImageLoss = 'l1' | 'l2';

/** Options shared by RDAE and RNLF. */
export interface DeepRobustOptions {
  /** Network of Tables 3-4 ('conv28', default) or any ImageNetSpec (e.g. resnet32Spec() for Tables 5-6). */
  net: ImageNetSpec;
  codeDim: number;
  /** Network learning rate (Adam). */
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Learning-rate step decay: x decayFactor every decayEvery epochs (0 = never). */
  decayEvery: number;
  decayFactor: number;
  /** 'l1' (the robust models) or 'l2' (plain deep autoencoder / factorization, for comparison). */
  loss: ImageLoss;
  seed: number;
  /** Rows per forward pass when restoring. */
  evalBatchSize: number;
  /**
   * Train with the step compiled into one TensorFlow graph run (src/train/compile.ts: the loss, tfjs's own
   * gradients, Adam as ResourceApplyAdam, the BatchNorm running moments assigned) on the native backend (default
   * true); false: the same step eagerly (tfjs autodiff, the same Adam kernel). Other backends: always eager.
   */
  compiledStep: boolean;
}

export const DEEP_ROBUST_DEFAULTS: DeepRobustOptions = {
  net: conv28Spec(1), codeDim: 30, learningRate: 1e-4, batchSize: 100, epochs: 100, decayEvery: 100, decayFactor: 0.1,
  loss: 'l1', seed: 0, evalBatchSize: 500, compiledStep: true,
};

export function validateDeepOptions(o: DeepRobustOptions, who: string): void {
  if (!o.net || typeof o.net.makeDecoder !== 'function') throw new InputError(`${who}: net must be an ImageNetSpec (e.g. conv28Spec())`);
  assertInt(o.codeDim, `${who}: codeDim`, 1);
  assertPositive(o.learningRate, `${who}: learningRate`);
  assertInt(o.batchSize, `${who}: batchSize`, 1);
  assertInt(o.epochs, `${who}: epochs`, 0);
  assertInt(o.decayEvery, `${who}: decayEvery`, 0);
  assertPositive(o.decayFactor, `${who}: decayFactor`);
  assertOneOf(o.loss, `${who}: loss`, ['l1', 'l2'] as const);
  assertInt(o.evalBatchSize, `${who}: evalBatchSize`, 1);
  if (typeof o.compiledStep !== 'boolean') throw new InputError(`${who}: compiledStep must be true or false, got ${String(o.compiledStep)}`);
}

/** Learning rate of epoch e (0-based) under step decay. */
export function epochLearningRate(base: number, o: Pick<DeepRobustOptions, 'decayEvery' | 'decayFactor'>, e: number): number {
  return o.decayEvery > 0 ? base * Math.pow(o.decayFactor, Math.floor(e / o.decayEvery)) : base;
}

/** Images [0, 1] rows -> network input [n, h, w, c] in the net's range. */
export function toNetImages(net: ImageNetSpec, X: tf.Tensor2D): tf.Tensor4D {
  const x4 = tf.reshape(X, [X.shape[0], net.height, net.width, net.channels]) as tf.Tensor4D;
  return net.output === 'tanh' ? tf.sub(tf.mul(x4, 2), 1) as tf.Tensor4D : x4;
}

/** Network output [n, h, w, c] -> rows in [0, 1]. */
export function fromNetImages(net: ImageNetSpec, y: tf.Tensor4D): tf.Tensor2D {
  const y01 = net.output === 'tanh' ? tf.div(tf.add(y, 1), 2) : y;
  return tf.reshape(y01, [y.shape[0], net.height * net.width * net.channels]) as tf.Tensor2D;
}

export function imageLoss(pred: tf.Tensor, target: tf.Tensor, loss: ImageLoss): tf.Scalar {
  const r = tf.sub(pred, target);
  return (loss === 'l1' ? tf.mean(tf.abs(r)) : tf.mean(tf.square(r))) as tf.Scalar;
}

/** Applies fn to row blocks (bounded memory), returns the concatenation. */
export function mapRows(X: tf.Tensor2D, bs: number, fn: (xb: tf.Tensor2D, start: number) => tf.Tensor2D): tf.Tensor2D {
  const n = X.shape[0];
  const parts: tf.Tensor2D[] = [];
  for (let s = 0; s < n; s += bs) parts.push(tf.tidy(() => fn(tf.slice(X, s, Math.min(bs, n - s)) as tf.Tensor2D, s)));
  const out = parts.length === 1 ? parts[0] : tf.concat(parts, 0) as tf.Tensor2D;
  if (parts.length > 1) tf.dispose(parts);
  return out;
}

export function checkImageWidth(net: ImageNetSpec, X: tf.Tensor2D, who: string): void {
  const d = net.height * net.width * net.channels;
  if (X.shape[1] !== d) throw new InputError(`${who}: the ${net.name} network takes rows of ${net.height}x${net.width}x${net.channels} = ${d} values, got ${X.shape[1]}`);
}
