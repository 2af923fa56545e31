/**
 * RDAE, the robust deep autoencoder of Li, Mehta, Qian & Sun (2020), "Rethink Autoencoders: Robust Manifold
 * Learning", Sec. 2.3 and Appendix C (Tables 3 and 5):
 *
 *   min_{W, V} || X^ - g_V(f_W(X^)) ||_1
 *
 * one network trained directly with the l1 reconstruction loss on the corrupted images (no clean data, no
 * separate sparse variable: unlike Zhou & Paffenroth's RDA, the residual X^ - g(f(X^)) IS the corruption
 * estimate). The restored images are g(f(X^)).
 *
 * Training (Sec. 3.1 and Table 3): Adam, learning rate 1e-4 (5e-4 for the CIFAR ResNet, Table 5), batch 100,
 * learning rate x0.1 every 100 epochs, shuffled mini-batches. The l1 loss is the mean absolute error per pixel
 * (PyTorch's L1Loss). The number of epochs is not given in the paper; it is an option here. Restoration uses the
 * BatchNorm running statistics (PyTorch eval mode).
 *
 * Data: rows are images, flattened NHWC (h * w * c values in [0, 1]). Networks with a tanh output (the CIFAR
 * ResNet) see the images mapped to [-1, 1]; results are mapped back to [0, 1].
 */
import { tf } from '../backend';
import { CompiledStep, CompiledStepOptions, StepLoss } from '../train/compile';
import { Rng } from '../random';
import { Progress } from '../progress';
import { InputError, assertInt, assertOneOf, assertPositive } from '../validate';
import { BaseModel, Decomposition, EpochRecord, FitOptions, RobustModel, Transformer } from './base';
import { ImageDecoder, ImageEncoder, ImageNetSpec, conv28Spec } from '../nets/conv28';

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

/** RDAE options (the shared ones). */
export type RDAEOptions = DeepRobustOptions;

export const RDAE_DEFAULTS: RDAEOptions = DEEP_ROBUST_DEFAULTS;

/**
 * The RDAE loss on a batch: input 0 is network images [n, h, w, c]; imageLoss(g(f(x)), x) with BatchNorm in training
 * mode (batch moments; the running moments are assigned, so a compiled step fetches and assigns them each run).
 */
export function rdaeLoss(enc: ImageEncoder, dec: ImageDecoder, loss: ImageLoss): StepLoss {
  return (inp) => {
    const x = inp[0] as tf.Tensor4D;
    return imageLoss(dec.decode(enc.encode(x, true), true), x, loss);
  };
}

/**
 * The RDAE training step on `enc` / `dec` (any ImageNetSpec's networks): `rdaeLoss` and Adam at `learningRate` (set
 * `.learningRate` between steps for a schedule), one compiled graph run per step. With the default 'deferred'
 * read-back the weights reach the tf.Variables at `syncOut()` / `dispose()`.
 */
export function rdaeStep(enc: ImageEncoder, dec: ImageDecoder, loss: ImageLoss, learningRate: number, opts: Pick<CompiledStepOptions, 'compile' | 'readback' | 'label'> = {}): CompiledStep {
  return new CompiledStep(rdaeLoss(enc, dec, loss), [...enc.trainable, ...dec.trainable], { learningRate, readback: opts.readback ?? 'deferred', compile: opts.compile ?? true, label: opts.label ?? 'RDAE' });
}

/**
 * Robust deep autoencoder: g_V(f_W(.)) trained with the l1 loss on the corrupted images.
 *
 *   const m = await new RDAE({ epochs: 50 }).fit(Xcorrupted);          // n x 784, values in [0, 1]
 *   const { L, S } = m.decompose();   // L: restored images, S = Xcorrupted - L (the corruption estimate)
 *   const R = m.reconstruct(Xother); const codes = m.transform(Xother);
 */
export class RDAE extends BaseModel<RDAEOptions> implements RobustModel, Transformer {
  private enc: ImageEncoder | null = null;
  private dec: ImageDecoder | null = null;
  private _X: tf.Tensor2D | null = null;

  constructor(opts: Partial<RDAEOptions> = {}) {
    super(RDAE_DEFAULTS, opts);
    validateDeepOptions(this.params, 'RDAE');
  }

  get encoder(): ImageEncoder { this.checkFitted('encoder'); return this.enc!; }
  get decoder(): ImageDecoder { this.checkFitted('decoder'); return this.dec!; }

  async fit(X: tf.Tensor2D, opts: FitOptions = {}): Promise<this> {
    this.checkFitInput(X);
    const o = this.params;
    checkImageWidth(o.net, X, 'RDAE.fit');
    this.disposeState();
    const rng = new Rng(o.seed).fork('rdae');
    this.enc = o.net.makeEncoder(o.codeDim, rng.fork('encoder'));
    this.dec = o.net.makeDecoder(o.codeDim, rng.fork('decoder'));
    this._X = tf.clone(X);
    const Xn = tf.tidy(() => toNetImages(o.net, X));
    // Weights stay in the graph during an epoch and are copied to the tf.Variables once per epoch (syncOut).
    const step = rdaeStep(this.enc, this.dec, o.loss, o.learningRate, { compile: o.compiledStep, label: `RDAE (${o.net.name})` });
    const n = X.shape[0], bs = Math.min(o.batchSize, n);
    const bar = new Progress(o.epochs, opts.label ?? `RDAE (${o.net.name}, ${o.loss})`, { enabled: opts.progress ?? o.epochs > 1 });
    const t0 = Date.now();
    this.history = { epochs: [], outer: [], seconds: 0 };
    try {
      for (let e = 0; e < o.epochs; e++) {
        const te = Date.now();
        step.learningRate = epochLearningRate(o.learningRate, o, e);
        const perm = rng.fork(`epoch${e}`).permutation(n);
        let total = 0;
        const losses: tf.Scalar[] = [];
        for (let s = 0; s < n; s += bs) {
          const size = Math.min(bs, n - s);
          losses.push(tf.tidy(() => {
            const idx = tf.tensor1d(perm.subarray(s, s + size), 'int32');
            return step.step([tf.gather(Xn, idx)]);
          }));
        }
        step.syncOut();
        const vals = await Promise.all(losses.map((l) => l.data()));
        losses.forEach((l, i) => { total += vals[i][0] * Math.min(bs, n - i * bs); l.dispose(); });
        const rec: EpochRecord = { epoch: e + 1, loss: total / n, seconds: (Date.now() - te) / 1000 };
        if (!Number.isFinite(rec.loss)) throw new Error(`RDAE: loss became ${rec.loss} at epoch ${e + 1}`);
        this.history.epochs.push(rec);
        bar.tick({ loss: rec.loss });
        if (opts.onEpoch?.(rec) === false) break;
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      bar.done();
      step.dispose(); // copies the graph's weights into the tf.Variables first
      Xn.dispose();
    }
    this.history.seconds = (Date.now() - t0) / 1000;
    this.history.stopped = 'epochs';
    this._fitted = true;
    return this;
  }

  /** Codes f_W(x), n x codeDim (eval mode). Caller disposes. */
  transform(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'transform');
    return mapRows(X, this.params.evalBatchSize, (xb) => this.enc!.encode(toNetImages(this.params.net, xb), false));
  }

  /** Restored images g_V(f_W(x)) in [0, 1], n x d (eval mode). Caller disposes. */
  reconstruct(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'reconstruct');
    const net = this.params.net;
    return mapRows(X, this.params.evalBatchSize, (xb) => fromNetImages(net, this.dec!.decode(this.enc!.encode(toNetImages(net, xb), false), false)));
  }

  /** L = restored fitted images, S = X - L. Caller disposes. */
  decompose(): Decomposition {
    this.checkFitted('decompose');
    const L = this.reconstruct(this._X!);
    return { L, S: tf.tidy(() => tf.sub(this._X!, L)) as tf.Tensor2D };
  }

  private disposeState(): void {
    for (const v of [...(this.enc?.all ?? []), ...(this.dec?.all ?? [])]) v.dispose();
    this._X?.dispose();
    this.enc = this.dec = null;
    this._X = null;
  }

  dispose(): void {
    this.disposeState();
    this._fitted = false;
  }
}
