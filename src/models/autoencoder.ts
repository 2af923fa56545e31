/**
 * Deep autoencoder in the form of Zhou & Paffenroth (KDD 2017), Sec. 3.1 and 5.1: every layer (encoder and decoder)
 * is a sigmoid of an affine map, E(x) = g(x W + b_E), D(h) = g(h W^T + b_D), with the decoder weights tied to the
 * transposed encoder weights (their code, DeepAE.py / DAE_tensorflow.py) or, optionally, untied. Loss: the mean
 * squared reconstruction error (their `tf.reduce_mean(tf.square(x - recon))`). Adam by default (the outlier
 * experiments' code); their code walks the rows in consecutive, unshuffled mini-batches (`shuffle: false`).
 * Initialisation as in their code: W ~ U(+-sqrt(6 / (fan_in + fan_out))) (Glorot), biases ~ U(-0.1, 0.1).
 *
 *   const ae = new DeepAutoencoder({ layers: [784, 196, 49], epochs: 50 });
 *   await ae.fit(X);
 *   const H = ae.transform(X);   // the innermost hidden layer (n x 49): the features judged in Fig. 2
 *   const R = ae.reconstruct(X); // D(E(X))
 *
 * The same object is the inner model of the alternating RDA solver (`trainOn`, `reconstruct`): it keeps its
 * weights between outer iterations and (option `resetOptimizer`, default true as in the authors' code, which
 * builds a new optimizer in every `fit` call) starts each inner run with a fresh optimizer state.
 */
import { tf } from '../backend';
import { Rng } from '../random';
import { BaseModel, EpochRecord, FitOptions, Reconstructor, Transformer } from './base';
import { Activation, DenseLayer, denseForward } from '../nets/mlp';
import { makeOptimizer, mapBatches, OptimizerName, trainLoop } from '../train/loop';
import { InnerContext, InnerModel } from '../train/alternating';
import { CompiledStep } from '../train/compile';
import { assertInt, assertPositive, InputError } from '../validate';

export interface DeepAutoencoderOptions {
  /** Layer sizes from the input to the innermost code, e.g. [784, 196, 49] (Sec. 5.2) or [784, 400, 200] (5.3). */
  layers: number[];
  /** Decoder weights = transposed encoder weights (the authors' code). Default true. */
  tied: boolean;
  /** Activation of every layer, encoder and decoder (the paper: sigmoid). */
  activation: Activation;
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  /** Epochs of `fit` (not used by the alternating solver, which passes its own). */
  epochs: number;
  /** Shuffle rows every epoch; false = consecutive batches in row order (the authors' code). */
  shuffle: boolean;
  /** New optimizer state at each `trainOn` call (each outer iteration of RDA), as the authors' code. */
  resetOptimizer: boolean;
  seed: number;
  /** Row block size for reconstruct / transform (memory bound only). */
  predictBatch: number;
  /**
   * With Adam on tfjs-node, train through `CompiledStep` (src/train/compile.ts): `loss` traced with its tfjs
   * gradients and Adam, and run as ONE TensorFlow graph per step. Same loss, same gradients to float rounding
   * (test/models/autoencoder.test.ts); false = tfjs autodiff step by step. Other optimizers run eagerly.
   * Default true.
   */
  compiledStep: boolean;
}

export const DEEP_AE_DEFAULTS: DeepAutoencoderOptions = {
  layers: [784, 196, 49], // Zhou & Paffenroth Sec. 5.2
  tied: true, // authors' code (DeepAE.py)
  activation: 'sigmoid', // Sec. 5.1
  optimizer: 'adam', // authors' outlier-detection code (AdamOptimizer)
  learningRate: 1e-3, // authors' outlier-detection notebook
  batchSize: 133, // authors' outlier-detection notebook
  epochs: 50,
  shuffle: false, // authors' code: consecutive batches
  resetOptimizer: true,
  seed: 0,
  predictBatch: 4096,
  compiledStep: true,
};

export class DeepAutoencoder extends BaseModel<DeepAutoencoderOptions> implements Transformer, Reconstructor, InnerModel {
  /** Encoder layers (W: in x out). */
  encoder: DenseLayer[] = [];
  /** Decoder biases (tied) or decoder layers (untied), from the code back to the input. */
  decoder: DenseLayer[] = [];
  decoderBias: tf.Variable[] = [];
  /** Eager optimizer (sgd, momentum, rmsprop). */
  private optimizer: tf.Optimizer | null = null;
  /** The Adam step (compiled on tfjs-node), kept across calls. */
  private trainer: CompiledStep | null = null;
  private rng: Rng;

  constructor(opts: Partial<DeepAutoencoderOptions> = {}) {
    super(DEEP_AE_DEFAULTS, opts);
    const p = this.params;
    if (!Array.isArray(p.layers) || p.layers.length < 2 || p.layers.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new InputError(`DeepAutoencoder: layers must list >= 2 positive integers (input first), got ${JSON.stringify(p.layers)}`);
    }
    assertPositive(p.learningRate, 'learningRate');
    assertInt(p.batchSize, 'batchSize', 1);
    assertInt(p.epochs, 'epochs', 0);
    this.rng = new Rng(p.seed);
    this.build();
  }

  private build(): void {
    const sizes = this.params.layers;
    const rng = this.rng.fork('init');
    // tf.variable keeps its own reference to the data: dispose the initialising tensor (else it leaks).
    const v = (t: tf.Tensor): tf.Variable => { const x = tf.variable(t, true); t.dispose(); return x; };
    const mk = (i: number, o: number): DenseLayer => {
      const lim = Math.sqrt(6 / (i + o));
      return { W: v(tf.tensor2d(rng.uniformArray(i * o, -lim, lim), [i, o])), b: v(tf.tensor1d(rng.uniformArray(o, -0.1, 0.1))) };
    };
    for (let k = 0; k + 1 < sizes.length; k++) this.encoder.push(mk(sizes[k], sizes[k + 1]));
    for (let k = sizes.length - 1; k >= 1; k--) {
      if (this.params.tied) this.decoderBias.push(v(tf.tensor1d(rng.uniformArray(sizes[k - 1], -0.1, 0.1))));
      else this.decoder.push(mk(sizes[k], sizes[k - 1]));
    }
  }

  get variables(): tf.Variable[] {
    return [...this.encoder.flatMap((l) => [l.W, l.b]), ...this.decoder.flatMap((l) => [l.W, l.b]), ...this.decoderBias];
  }

  /** The innermost hidden layer E(x). */
  encode(x: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    for (const l of this.encoder) h = denseForward(h, l, this.params.activation);
    return h;
  }

  /** D(h) back to the input space. */
  decode(h: tf.Tensor2D): tf.Tensor2D {
    const n = this.encoder.length;
    for (let k = 0; k < n; k++) {
      if (this.params.tied) {
        const enc = this.encoder[n - 1 - k];
        h = denseForward(h, enc, this.params.activation, true, this.decoderBias[k]);
      } else {
        h = denseForward(h, this.decoder[k], this.params.activation);
      }
    }
    return h;
  }

  forward(x: tf.Tensor2D): tf.Tensor2D { return this.decode(this.encode(x)); }

  /** Mean squared reconstruction error of a batch (the training loss). */
  loss(x: tf.Tensor2D): tf.Scalar {
    return tf.mean(tf.squaredDifference(x, this.forward(x)));
  }

  async fit(X: tf.Tensor2D, opts: FitOptions = {}): Promise<this> {
    this.checkFitInput(X);
    this.checkWidth(X);
    const t0 = Date.now();
    const recs = await this.train(X, this.params.epochs, { onEpoch: opts.onEpoch, progress: opts.progress, label: opts.label ?? 'AE', epochOffset: this.history.epochs.length });
    this.history.epochs.push(...recs);
    this.history.seconds += (Date.now() - t0) / 1000;
    this.history.stopped = 'epochs';
    this._fitted = true;
    return this;
  }

  /** InnerModel: trains on L for `epochs` epochs (called by the alternating solver; progress is the solver's). */
  async trainOn(L: tf.Tensor2D, epochs: number, ctx: InnerContext): Promise<EpochRecord[]> {
    this.checkWidth(L);
    this.nFeatures = L.shape[1];
    if (this.params.resetOptimizer) this.disposeOptimizer();
    const recs = await this.train(L, epochs, { onEpoch: ctx.onEpoch, progress: false, epochOffset: ctx.epochOffset, label: `AE (outer ${ctx.outer + 1})` });
    this._fitted = true;
    return recs;
  }

  private async train(X: tf.Tensor2D, epochs: number, o: { onEpoch?: (r: EpochRecord) => void | boolean; progress?: boolean; label: string; epochOffset: number }): Promise<EpochRecord[]> {
    const loss = ([xb]: tf.Tensor[]) => this.loss(xb as tf.Tensor2D);
    let opt: tf.Optimizer | CompiledStep;
    if (this.params.optimizer === 'adam') {
      // The weights stay in the graph during an epoch (readback 'deferred'); trainLoop flushes them per epoch.
      opt = this.trainer ??= new CompiledStep(loss, this.variables, { learningRate: this.params.learningRate, readback: 'deferred', compile: this.params.compiledStep, label: 'DeepAutoencoder' });
    } else {
      opt = this.optimizer ??= makeOptimizer(this.params.optimizer, this.params.learningRate);
    }
    return trainLoop([X], loss, this.variables, opt, {
      epochs, batchSize: this.params.batchSize, shuffle: this.params.shuffle, rng: this.rng.fork(`batches${o.epochOffset}`),
      onEpoch: o.onEpoch, progress: o.progress, label: o.label, epochOffset: o.epochOffset,
    });
  }

  /** The Adam training step (compiled or eager; null before the first fit or with another optimizer). */
  get trainingStep(): CompiledStep | null { return this.trainer; }

  private checkWidth(X: tf.Tensor2D): void {
    if (X.rank !== 2 || X.shape[1] !== this.params.layers[0]) throw new InputError(`DeepAutoencoder: X must have ${this.params.layers[0]} columns (layers[0]), got shape [${X.shape}]`);
  }

  /** D(E(X)) (caller disposes). */
  reconstruct(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'reconstruct');
    this.checkWidth(X);
    return mapBatches(X, this.params.predictBatch, (xb) => this.forward(xb as tf.Tensor2D)) as tf.Tensor2D;
  }

  /** The innermost hidden layer E(X): the features (caller disposes). */
  transform(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'transform');
    this.checkWidth(X);
    return mapBatches(X, this.params.predictBatch, (xb) => this.encode(xb as tf.Tensor2D)) as tf.Tensor2D;
  }

  /** ||X - D(E(X))||_F^2 (the data-fit term of the RDA objective). */
  dataFit(X: tf.Tensor2D): number {
    const n = X.shape[0], bs = this.params.predictBatch;
    let total = 0;
    for (let s = 0; s < n; s += bs) {
      const v = tf.tidy(() => { const xb = tf.slice(X, s, Math.min(bs, n - s)) as tf.Tensor2D; return tf.sum(tf.squaredDifference(xb, this.forward(xb))); });
      total += v.dataSync()[0];
      v.dispose();
    }
    return total;
  }

  private disposeOptimizer(): void {
    if (this.optimizer) { this.optimizer.dispose(); this.optimizer = null; }
    this.trainer?.resetSlots(); // a fresh Adam state on the same graph
  }

  dispose(): void {
    this.trainer?.dispose();
    this.trainer = null;
    this.disposeOptimizer();
    for (const v of this.variables) if (!v.isDisposed) v.dispose();
    this.encoder = []; this.decoder = []; this.decoderBias = [];
    this._fitted = false;
  }
}
