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
import { makeOptimizer } from '../train/loop';
import { Rng } from '../random';
import { Progress } from '../progress';
import { InputError, assertInt, assertOneOf, assertPositive } from '../validate';
import { BaseModel, Decomposition, EpochRecord, FitOptions, RobustModel, Transformer } from './base';
import { ImageDecoder, ImageEncoder, ImageNetSpec, conv28Spec, conv28Encoder, conv28Decoder, conv28ImageEncoder, conv28ImageDecoder } from '../nets/conv28';
import { GraphSession } from '../train/graph';
import { ConvGraphAdam } from '../train/graph-conv';

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
}

export const DEEP_ROBUST_DEFAULTS: DeepRobustOptions = {
  net: conv28Spec(1), codeDim: 30, learningRate: 1e-4, batchSize: 100, epochs: 100, decayEvery: 100, decayFactor: 0.1,
  loss: 'l1', seed: 0, evalBatchSize: 500,
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

export function setAdamLearningRate(opt: tf.Optimizer, lr: number): void {
  (opt as unknown as { learningRate: number }).learningRate = lr; // tf.train.adam and FusedAdam read it every step
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

/** RDAE options: the shared ones plus the training-step implementation. */
export interface RDAEOptions extends DeepRobustOptions {
  /**
   * Train the conv28 network (Table 3) with the whole step (forward, TensorFlow's gradient kernels, Adam, BatchNorm
   * running moments) as ONE TensorFlow graph run (src/train/graph-conv.ts) when the native backend is active
   * (default true; same losses and weights as tfjs autodiff + Adam). Other nets and backends: tfjs autodiff.
   */
  graphStep: boolean;
}

export const RDAE_DEFAULTS: RDAEOptions = { ...DEEP_ROBUST_DEFAULTS, graphStep: true };

/** True for the net conv28Spec() builds (28 x 28 x c, sigmoid output). */
function isConv28(net: ImageNetSpec): boolean {
  return net.name === 'conv28' && net.height === 28 && net.width === 28 && net.output === 'sigmoid';
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
    if (typeof this.params.graphStep !== 'boolean') throw new InputError(`RDAE: graphStep must be true or false, got ${String(this.params.graphStep)}`);
  }

  get encoder(): ImageEncoder { this.checkFitted('encoder'); return this.enc!; }
  get decoder(): ImageDecoder { this.checkFitted('decoder'); return this.dec!; }

  async fit(X: tf.Tensor2D, opts: FitOptions = {}): Promise<this> {
    this.checkFitInput(X);
    const o = this.params;
    checkImageWidth(o.net, X, 'RDAE.fit');
    this.disposeState();
    const rng = new Rng(o.seed).fork('rdae');
    // The whole step as one TensorFlow graph run for conv28 (it needs the layer objects, built here as conv28Spec does).
    let graph: ConvGraphAdam | null = null;
    if (o.graphStep && isConv28(o.net) && GraphSession.available()) {
      const e = conv28Encoder(o.codeDim, rng.fork('encoder'), o.net.channels), d = conv28Decoder(o.codeDim, rng.fork('decoder'), o.net.channels);
      this.enc = conv28ImageEncoder(e);
      this.dec = conv28ImageDecoder(d);
      graph = new ConvGraphAdam(e, d, { loss: o.loss, learningRate: o.learningRate, readback: 'deferred' });
    } else {
      this.enc = o.net.makeEncoder(o.codeDim, rng.fork('encoder'));
      this.dec = o.net.makeDecoder(o.codeDim, rng.fork('decoder'));
    }
    this._X = tf.clone(X);
    const vars = [...this.enc.trainable, ...this.dec.trainable];
    const Xn = tf.tidy(() => toNetImages(o.net, X));
    const opt = graph ? null : makeOptimizer('adam', o.learningRate);
    const n = X.shape[0], bs = Math.min(o.batchSize, n);
    const bar = new Progress(o.epochs, opts.label ?? `RDAE (${o.net.name}, ${o.loss})`, { enabled: opts.progress ?? o.epochs > 1 });
    const t0 = Date.now();
    this.history = { epochs: [], outer: [], seconds: 0 };
    try {
      for (let e = 0; e < o.epochs; e++) {
        const te = Date.now();
        const lr = epochLearningRate(o.learningRate, o, e);
        if (opt) setAdamLearningRate(opt, lr);
        if (graph) graph.learningRate = lr;
        const perm = rng.fork(`epoch${e}`).permutation(n);
        let total = 0;
        const losses: tf.Scalar[] = [];
        for (let s = 0; s < n; s += bs) {
          const size = Math.min(bs, n - s);
          losses.push(tf.tidy(() => {
            const idx = tf.tensor1d(perm.subarray(s, s + size), 'int32');
            const xb = tf.gather(Xn, idx) as tf.Tensor4D;
            if (graph) return graph.step(xb);
            return opt!.minimize(() => imageLoss(this.dec!.decode(this.enc!.encode(xb, true), true), xb, o.loss), true, vars) as tf.Scalar;
          }));
        }
        graph?.syncOut(); // the weights stay in the graph during an epoch
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
      opt?.dispose();
      graph?.dispose();
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
