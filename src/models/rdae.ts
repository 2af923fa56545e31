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
import { BaseModel, Decomposition, EpochRecord, FitOptions, RobustModel, Transformer } from './base';
import { ImageDecoder, ImageEncoder } from '../nets/conv28';
import { DEEP_ROBUST_DEFAULTS, DeepRobustOptions, ImageLoss, checkImageWidth, epochLearningRate, fromNetImages, imageLoss, mapRows, toNetImages, validateDeepOptions } from '../train/image-nets';

/** The options and helpers shared with RNLF live in src/train/image-nets.ts. */
export * from '../train/image-nets';

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
