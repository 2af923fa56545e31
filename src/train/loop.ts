/**
 * The one training loop: epochs of mini-batches over row-aligned tensors, an optimizer, a progress bar with
 * ETA, per-epoch records, early stop from a callback, and tensor hygiene (every step runs inside tf.tidy; the
 * tensor count is the same after each epoch).
 */
import { tf } from '../backend';
import { Rng } from '../random';
import { Progress } from '../progress';
import { EpochRecord } from '../records';
import { assertInt, assertPositive, InputError } from '../validate';
import { makeFusedAdam } from './adam';
import { CompiledStep } from './compile';

export type OptimizerName = 'adam' | 'sgd' | 'momentum' | 'rmsprop';

/** Adam's other hyperparameters (tf.train.adam's defaults: 0.9, 0.999, the backend's epsilon). */
export interface AdamOptions { beta1?: number; beta2?: number; epsilon?: number }

/**
 * 'adam' is tf.train.adam's maths; on the native TensorFlow backend it runs as one fused `ResourceApplyAdam`
 * kernel per variable (src/train/adam.ts, checked equal to tf.train.adam in test/train/adam.test.ts), which
 * removes ~15 small kernels per variable per step. Set RML_FUSED=0 to get the plain tf.train.adam everywhere.
 * A schedule may assign `(opt as { learningRate }).learningRate` between steps with either (both read it every
 * step). The returned optimizer must be disposed (the fused one holds TensorFlow resources).
 */
export function makeOptimizer(name: OptimizerName, learningRate: number, adam: AdamOptions = {}): tf.Optimizer {
  assertPositive(learningRate, 'learningRate');
  const { beta1 = 0.9, beta2 = 0.999, epsilon } = adam;
  switch (name) {
    case 'adam': return process.env.RML_FUSED === '0' ? tf.train.adam(learningRate, beta1, beta2, epsilon) : makeFusedAdam(learningRate, beta1, beta2, epsilon);
    case 'sgd': return tf.train.sgd(learningRate);
    case 'momentum': return tf.train.momentum(learningRate, 0.9);
    case 'rmsprop': return tf.train.rmsprop(learningRate);
    default: throw new InputError(`unknown optimizer "${name as string}"; use adam, sgd, momentum or rmsprop`);
  }
}

export interface LoopOptions {
  epochs: number;
  batchSize: number;
  /** Shuffle rows every epoch (seeded); false = consecutive batches as in Zhou & Paffenroth's code. */
  shuffle?: boolean;
  rng?: Rng;
  label?: string;
  progress?: boolean | Progress;
  /** Epoch numbering offset (alternating solvers number inner epochs across outer iterations). */
  epochOffset?: number;
  /** Called with each epoch's record; return false to stop. Extra numbers may be added to the record. */
  onEpoch?: (r: EpochRecord) => void | boolean;
  /** Clip the global gradient norm (0 = off). */
  clipNorm?: number;
  /** Called after each optimizer step (e.g. a projection / weight-decay step), inside no tidy. */
  afterStep?: () => void;
  /**
   * A training step that computes the batch loss AND applies the optimizer update itself (a `CompiledStep`
   * passed as the optimizer becomes one). Replaces `optimizer.minimize(loss)`.
   */
  step?: (batch: tf.Tensor[], idx: tf.Tensor1D) => tf.Scalar;
  /**
   * Called after the last step of every epoch, before the epoch's record and `onEpoch`, and when training ends
   * early or fails: a compiled step that keeps the weights in its graph (GraphAdam `readback: 'deferred'`) copies
   * them into the tf.Variables here, so callbacks and the caller always see the current weights.
   */
  flush?: () => void;
  /**
   * Per-step random draws (a VAE's reparameterisation noise, a GAN's z): called with the batch's row count, its
   * tensors are appended to the batch. A compiled step cannot draw inside itself (tf.random* draws in
   * JavaScript, which a graph would freeze), so every model draws here; the eager path sees the same draws.
   */
  draws?: (rows: number) => tf.Tensor[];
}

/**
 * Trains `variables` to minimise `loss(batch, idx)` where `batch[k]` is rows `idx` of `data[k]` (then the
 * `draws`). With a `CompiledStep` as the optimizer, the step is its own loss and Adam (one graph run per batch;
 * `loss` and `variables` are not used, pass null and []), and its weights are flushed once per epoch.
 * Returns one record per epoch; `loss` is the mean batch loss of the epoch.
 */
export async function trainLoop(
  data: tf.Tensor[],
  loss: ((batch: tf.Tensor[], idx: tf.Tensor1D) => tf.Scalar) | null,
  variables: tf.Variable[],
  optimizer: tf.Optimizer | CompiledStep | null,
  opts: LoopOptions,
): Promise<EpochRecord[]> {
  if (optimizer instanceof CompiledStep) {
    if (opts.step) throw new InputError('trainLoop: pass either a CompiledStep or a step function, not both');
    if (opts.clipNorm) throw new InputError('trainLoop: clipNorm cannot be combined with a CompiledStep (clip inside its loss instead)');
    const cs = optimizer;
    const flush = opts.flush;
    return trainLoop(data, loss, variables, null, { ...opts, step: (batch) => cs.step(batch), flush: () => { cs.syncOut(); flush?.(); } });
  }
  if (!optimizer && !opts.step) throw new InputError('trainLoop: needs an optimizer (or a compiled step that applies its own update)');
  if (!opts.step && !loss) throw new InputError('trainLoop: needs a loss function');
  if (data.length === 0) throw new InputError('trainLoop: no data tensors');
  const n = data[0].shape[0];
  for (const d of data) if (d.shape[0] !== n) throw new InputError(`trainLoop: data tensors must have the same number of rows, got ${data.map((t) => t.shape[0])}`);
  assertInt(opts.epochs, 'epochs', 0);
  assertInt(opts.batchSize, 'batchSize', 1);
  const bs = Math.min(opts.batchSize, n);
  const nb = Math.ceil(n / bs);
  const rng = opts.rng ?? new Rng(0);
  const records: EpochRecord[] = [];
  const bar = opts.progress instanceof Progress ? opts.progress : new Progress(opts.epochs, opts.label ?? 'train', { enabled: opts.progress !== false });
  const own = !(opts.progress instanceof Progress);
  if (opts.step && opts.clipNorm) throw new InputError('trainLoop: clipNorm cannot be combined with a compiled step (the step applies its own update)');
  const lossOf = (batch: tf.Tensor[], idx: tf.Tensor1D) => {
    if (opts.step) return opts.step(batch, idx);
    if (!opts.clipNorm) return optimizer!.minimize(() => loss!(batch, idx), true, variables) as tf.Scalar;
    const { value, grads } = tf.variableGrads(() => loss!(batch, idx), variables);
    const names = Object.keys(grads);
    const norm = tf.sqrt(tf.addN(names.map((k) => tf.sum(tf.square(grads[k])))));
    const scale = tf.minimum(1, tf.div(opts.clipNorm!, tf.add(norm, 1e-12)));
    const clipped: Record<string, tf.Tensor> = {};
    for (const k of names) clipped[k] = tf.mul(grads[k], scale);
    optimizer!.applyGradients(clipped as tf.NamedTensorMap);
    return value;
  };
  try {
    for (let e = 0; e < opts.epochs; e++) {
      const t0 = Date.now();
      const perm = opts.shuffle ? rng.permutation(n) : null;
      let total: tf.Tensor = tf.scalar(0);
      for (let b = 0; b < nb; b++) {
        const start = b * bs, size = Math.min(bs, n - start);
        const next = tf.tidy(() => {
          const idx = perm ? tf.tensor1d(perm.subarray(start, start + size), 'int32') : tf.range(start, start + size, 1, 'int32') as tf.Tensor1D;
          const batch = data.map((d) => (perm ? tf.gather(d, idx) : tf.slice(d, start, size)));
          if (opts.draws) batch.push(...opts.draws(size));
          const l = lossOf(batch, idx);
          return tf.add(total, tf.mul(l, size));
        });
        total.dispose();
        total = next;
        if (opts.afterStep) {
          opts.flush?.(); // the hook sees the current weights
          opts.afterStep();
        }
      }
      opts.flush?.();
      const meanLoss = (await total.data())[0] / n;
      total.dispose();
      if (!Number.isFinite(meanLoss)) throw new Error(`${opts.label ?? 'training'}: loss became ${meanLoss} at epoch ${e + 1} (learning rate too high, or non-finite input)`);
      const rec: EpochRecord = { epoch: (opts.epochOffset ?? 0) + e + 1, loss: meanLoss, seconds: (Date.now() - t0) / 1000 };
      records.push(rec);
      const go = opts.onEpoch?.(rec);
      if (own) bar.tick({ loss: meanLoss });
      if (go === false) break;
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    opts.flush?.();
  }
  if (own) bar.done();
  return records;
}

export { mapBatches } from '../batches';
