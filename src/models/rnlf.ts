/**
 * RNLF, robust nonlinear factorization, Li, Mehta, Qian & Sun (2020), "Rethink Autoencoders: Robust Manifold
 * Learning", Sec. 2.3 and Appendix C (Tables 4 and 6):
 *
 *   min_{V, Z} || X^ - g_V(Z) ||_1
 *
 * a decoder g_V and one free code z_i per image, learned together on the corrupted images (no encoder). The
 * restored images are g_V(Z). A deep version of the linear factorization min ||X^ - BZ||_1 (factorization.ts).
 *
 * Training (Sec. 3.1, Tables 4 and 6): Adam for both, separate learning rates for the network and the codes
 * ((1e-4, 10) for MNIST / Fashion-MNIST, (5e-4, 10) for CIFAR), batch 100, x0.1 every 100 epochs for both.
 * Codes start as N(0, 1) (not stated in the paper). The code learning rate of 10 is workable because the first
 * decoder layer is followed by BatchNorm, which removes the codes' overall scale. Each mini-batch updates the
 * whole code matrix with Adam (rows outside the batch get a zero gradient but keep their momentum), as a single
 * PyTorch parameter tensor would.
 *
 * New images (`transform` / `reconstruct`) get codes by the same l1 fit with the decoder frozen
 * (`transformEpochs` epochs from N(0, 1) codes).
 *
 * Each step (network and codes, or the codes alone) is one `CompiledStep` (src/train/compile.ts): one TensorFlow
 * graph run with Adam at the network's learning rate for the decoder and the code learning rate for Z.
 */
import { tf } from '../backend';
import { CompiledStep, CompiledStepOptions, StepLoss } from '../train/compile';
import { Rng } from '../random';
import { Progress } from '../progress';
import { assertInt, assertPositive, InputError } from '../validate';
import { BaseModel, Decomposition, EpochRecord, FitOptions, RobustModel, Transformer } from './base';
import { ImageDecoder, makeVariable } from '../nets/conv28';
import {
  DEEP_ROBUST_DEFAULTS, DeepRobustOptions, ImageLoss, checkImageWidth, epochLearningRate, fromNetImages, imageLoss, mapRows,
  toNetImages, validateDeepOptions,
} from '../train/image-nets';

export interface RNLFOptions extends DeepRobustOptions {
  /** Adam learning rate of the codes (Tables 4 and 6: 10). */
  codeLearningRate: number;
  /** Epochs of code fitting (decoder frozen) for new data in transform / reconstruct. */
  transformEpochs: number;
}

export const RNLF_DEFAULTS: RNLFOptions = { ...DEEP_ROBUST_DEFAULTS, codeLearningRate: 10, transformEpochs: 50 };

/**
 * The RNLF loss on a batch: inputs [x (network images of the batch), idx (int32 rows of the batch)],
 * imageLoss(g(Z[idx]), x); BatchNorm in training mode when `train` (running moments assigned), else eval mode.
 */
export function rnlfLoss(dec: ImageDecoder, Z: tf.Variable, loss: ImageLoss, train: boolean): StepLoss {
  return (inp) => imageLoss(dec.decode(tf.gather(Z, inp[1]) as tf.Tensor2D, train), inp[0], loss);
}

/**
 * The RNLF training step (`rnlfLoss`): trains the decoder (Adam at `netLearningRate`, BatchNorm in training mode)
 * and the whole code matrix Z (Adam at `codeLearningRate`: rows outside the batch get a zero gradient and keep
 * their momentum, as one PyTorch parameter tensor); with `netLearningRate` null the decoder is frozen (eval-mode
 * BatchNorm, its weights read) and only Z is trained. For a schedule set `step.learningRate = rnlfLearningRates(...)`.
 * The weights reach the tf.Variables at `syncOut()` / `dispose()`.
 */
export function rnlfStep(dec: ImageDecoder, Z: tf.Variable, loss: ImageLoss, netLearningRate: number | null, codeLearningRate: number, opts: Pick<CompiledStepOptions, 'compile' | 'label'> = {}): CompiledStep {
  const train = netLearningRate !== null;
  return new CompiledStep(rnlfLoss(dec, Z, loss, train), train ? [...dec.trainable, Z] : [Z], {
    learningRate: rnlfLearningRates(dec, netLearningRate, codeLearningRate), readback: 'deferred', compile: opts.compile ?? true, label: opts.label ?? 'RNLF',
  });
}

/** The per-variable learning rates of `rnlfStep`'s variables (decoder weights, then Z; Z alone when `net` is null). */
export function rnlfLearningRates(dec: ImageDecoder, net: number | null, code: number): number[] {
  return net === null ? [code] : [...dec.trainable.map(() => net), code];
}

/**
 * Robust nonlinear factorization.
 *
 *   const m = await new RNLF({ epochs: 50 }).fit(Xcorrupted);
 *   const { L, S } = m.decompose();   // L = g_V(Z): restored images; S = Xcorrupted - L
 *   m.Z                               // n x codeDim learned codes (owned by the model)
 */
export class RNLF extends BaseModel<RNLFOptions> implements RobustModel, Transformer {
  private dec: ImageDecoder | null = null;
  private _Z: tf.Variable | null = null;
  private _X: tf.Tensor2D | null = null;

  constructor(opts: Partial<RNLFOptions> = {}) {
    super(RNLF_DEFAULTS, opts);
    validateDeepOptions(this.params, 'RNLF');
    assertPositive(this.params.codeLearningRate, 'RNLF: codeLearningRate');
    assertInt(this.params.transformEpochs, 'RNLF: transformEpochs', 0);
  }

  get decoder(): ImageDecoder { this.checkFitted('decoder'); return this.dec!; }
  /** n x codeDim codes of the fitted images. Owned by the model. */
  get Z(): tf.Tensor2D { this.checkFitted('Z'); return this._Z! as unknown as tf.Tensor2D; }

  /**
   * Fits codes Z for X (and the decoder too unless `freezeDecoder`); returns the code variable and history.
   */
  private async train(X: tf.Tensor2D, epochs: number, freezeDecoder: boolean, rng: Rng, opts: FitOptions, label: string): Promise<{ Z: tf.Variable; records: EpochRecord[] }> {
    const o = this.params;
    const n = X.shape[0], bs = Math.min(o.batchSize, n);
    const Z = makeVariable(tf.tensor2d(rng.fork('codes').normalArray(n * o.codeDim), [n, o.codeDim]), 'rnlf/Z');
    const Xn = tf.tidy(() => toNetImages(o.net, X));
    const step = rnlfStep(this.dec!, Z, o.loss, freezeDecoder ? null : o.learningRate, o.codeLearningRate, { compile: o.compiledStep, label: `RNLF (${o.net.name}${freezeDecoder ? ', codes' : ''})` });
    const records: EpochRecord[] = [];
    const bar = new Progress(epochs, label, { enabled: opts.progress ?? epochs > 1 });
    try {
      for (let e = 0; e < epochs; e++) {
        const te = Date.now();
        step.learningRate = rnlfLearningRates(this.dec!, freezeDecoder ? null : epochLearningRate(o.learningRate, o, e), epochLearningRate(o.codeLearningRate, o, e));
        const perm = rng.fork(`epoch${e}`).permutation(n);
        const losses: tf.Scalar[] = [];
        for (let s = 0; s < n; s += bs) {
          const size = Math.min(bs, n - s);
          losses.push(tf.tidy(() => {
            const idx = tf.tensor1d(perm.subarray(s, s + size), 'int32');
            return step.step([tf.gather(Xn, idx), idx]);
          }));
        }
        step.syncOut();
        const vals = await Promise.all(losses.map((l) => l.data()));
        let total = 0;
        losses.forEach((l, i) => { total += vals[i][0] * Math.min(bs, n - i * bs); l.dispose(); });
        const rec: EpochRecord = { epoch: e + 1, loss: total / n, seconds: (Date.now() - te) / 1000 };
        if (!Number.isFinite(rec.loss)) throw new Error(`RNLF: loss became ${rec.loss} at epoch ${e + 1}`);
        records.push(rec);
        bar.tick({ loss: rec.loss });
        if (opts.onEpoch?.(rec) === false) break;
        await new Promise((r) => setImmediate(r));
      }
    } catch (err) {
      Z.dispose();
      throw err;
    } finally {
      bar.done();
      step.dispose(); // copies the graph's weights into the tf.Variables first (unless Z was disposed on an error)
      Xn.dispose();
    }
    return { Z, records };
  }

  async fit(X: tf.Tensor2D, opts: FitOptions = {}): Promise<this> {
    this.checkFitInput(X);
    const o = this.params;
    checkImageWidth(o.net, X, 'RNLF.fit');
    this.disposeState();
    const rng = new Rng(o.seed).fork('rnlf');
    this.dec = o.net.makeDecoder(o.codeDim, rng.fork('decoder'));
    this._X = tf.clone(X);
    const t0 = Date.now();
    const { Z, records } = await this.train(X, o.epochs, false, rng, opts, opts.label ?? `RNLF (${o.net.name}, ${o.loss})`);
    this._Z = Z;
    this.history = { epochs: records, outer: [], seconds: (Date.now() - t0) / 1000, stopped: 'epochs' };
    this._fitted = true;
    return this;
  }

  /** L = g_V(Z) on the fitted images (eval mode), S = X - L. Caller disposes. */
  decompose(): Decomposition {
    this.checkFitted('decompose');
    const net = this.params.net;
    const L = mapRows(this._Z! as unknown as tf.Tensor2D, this.params.evalBatchSize, (zb) => fromNetImages(net, this.dec!.decode(zb, false)));
    return { L, S: tf.tidy(() => tf.sub(this._X!, L)) as tf.Tensor2D };
  }

  /** Codes of new images: l1 fit with the decoder frozen (transformEpochs epochs). Caller disposes. */
  async transformAsync(X: tf.Tensor2D): Promise<tf.Tensor2D> {
    this.checkInput(X, 'transform');
    checkImageWidth(this.params.net, X, 'RNLF.transform');
    const { Z } = await this.train(X, this.params.transformEpochs, true, new Rng(this.params.seed).fork('transform'), { progress: false }, 'RNLF codes');
    const out = tf.clone(Z) as tf.Tensor2D;
    Z.dispose();
    return out;
  }

  /** Restored new images g_V(z(x)), codes fitted with the decoder frozen. Caller disposes. */
  async reconstructAsync(X: tf.Tensor2D): Promise<tf.Tensor2D> {
    const Z = await this.transformAsync(X);
    const net = this.params.net;
    const out = mapRows(Z, this.params.evalBatchSize, (zb) => fromNetImages(net, this.dec!.decode(zb, false)));
    Z.dispose();
    return out;
  }

  /** Synchronous interface: not available (code fitting is iterative); use transformAsync. */
  transform(_X: tf.Tensor2D): tf.Tensor2D {
    throw new InputError('RNLF.transform: codes of new images are fitted by gradient descent; use `await transformAsync(X)`');
  }

  /** Synchronous interface: not available; use reconstructAsync (or decompose() for the fitted images). */
  reconstruct(_X: tf.Tensor2D): tf.Tensor2D {
    throw new InputError('RNLF.reconstruct: use `await reconstructAsync(X)` for new images, or decompose() for the fitted ones');
  }

  private disposeState(): void {
    for (const v of this.dec?.all ?? []) v.dispose();
    this._Z?.dispose();
    this._X?.dispose();
    this.dec = null;
    this._Z = null;
    this._X = null;
  }

  dispose(): void {
    this.disposeState();
    this._fitted = false;
  }
}
