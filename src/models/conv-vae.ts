/**
 * Convolutional VAE for 64x64 RGB images: Ren et al. 2020's CelebA model (Appendix B.2: "nine hidden layers which
 * project the input data of CelebA from 64x64x3 to 32x32x64, 16x16x128, 8x8x256, 4x4x512 and 100 dimensions with
 * convolutional layers and decode it back to 64x64x3"), as in the authors' PyTorch code
 * (`Pytorch/RVAE/BasicAutoencoder/DeepCNNVAE.py`, a DCGAN-style VAE):
 *
 *   encoder  conv 4x4 stride 2 (pad 1): 3 -> 64 (LeakyReLU 0.2), 64 -> 128, 128 -> 256, 256 -> 512 (BatchNorm +
 *            LeakyReLU), flatten 4*4*512 -> linear mu (100), linear logVar (100)
 *   decoder  linear 100 -> 4*4*512 (ReLU), transposed conv 4x4 stride 2: 512 -> 256 -> 128 -> 64 (BatchNorm + ReLU),
 *            64 -> 3 (BatchNorm, sigmoid)
 *   loss     Bernoulli cross-entropy summed over pixels + KL; Adam lr 1e-4, betas (0.5, 0.999), batch 128;
 *            z = mu + exp(logVar / 2) eps (their PyTorch code has the correct reparameterisation).
 * BatchNorm uses batch statistics in training and running averages (momentum 0.1, PyTorch's) at inference.
 * Rows of X are images flattened in HWC order (the `ImageSet` layout), so the model takes the same n x d matrices
 * as the MLP VAE and can be the inner model of the RVAE (`new RVAE({ architecture: 'conv', ... })`).
 * `channels` and `imageShape` are options, so tests run it on small fixture images.
 *
 * Training runs through `CompiledStep` (src/train/compile.ts): the loss below, written once in tfjs, is traced on
 * tfjs-node into one TensorFlow graph with Adam (`compiledStep: false` or RML_COMPILE=0: the same step eagerly).
 * The reparameterisation noise is an input of the step (drawn by the training loop), and the batch statistics
 * of every BatchNorm layer come back from the step as extra values and update the running averages outside it.
 */
import { tf } from '../backend';
import { Rng } from '../random';
import { mapBatches, trainLoop } from '../train/loop';
import { CompiledStep, StepLoss } from '../train/compile';
import { bnTrain, BN_EPS } from '../nets/conv28';
import { BaseModel, EpochRecord, FitOptions, Generative, Reconstructor, Transformer } from './base';
import { InnerContext, InnerModel } from '../train/alternating';
import { assertInt, assertPositive, InputError } from '../validate';

export interface ConvVAEOptions {
  /** [height, width, channels]; height and width divisible by 2^channels.length. */
  imageShape: [number, number, number];
  /** Feature maps of the stride-2 convolutions (the decoder mirrors them). */
  channels: number[];
  latentDim: number;
  batchNorm: boolean;
  epochs: number;
  batchSize: number;
  learningRate: number;
  beta1: number;
  shuffle: boolean;
  seed: number;
  /** Train through one compiled TensorFlow graph per step on tfjs-node (false: the same step eagerly). */
  compiledStep: boolean;
}

export const CONV_VAE_DEFAULTS: ConvVAEOptions = {
  imageShape: [64, 64, 3],
  channels: [64, 128, 256, 512],
  latentDim: 100,
  batchNorm: true,
  epochs: 100,
  batchSize: 128,
  learningRate: 1e-4,
  beta1: 0.5,
  shuffle: true,
  seed: 0,
  compiledStep: true,
};

interface BN { gamma: tf.Variable; beta: tf.Variable; mean: tf.Variable; variance: tf.Variable }

function glorot(shape: number[], fanIn: number, fanOut: number, rng: Rng, name: string): tf.Variable {
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  const n = shape.reduce((a, b) => a * b, 1);
  return own(tf.tensor(rng.uniformArray(n, -lim, lim), shape), true, name);
}

/** A variable from a fresh tensor; the tensor itself is released (the variable keeps the data). */
function own(t: tf.Tensor, trainable: boolean, name: string): tf.Variable {
  const v = tf.variable(t, trainable, `${name}_${uidN++}`);
  t.dispose();
  return v;
}
let uidN = 0;

export class ConvVAE extends BaseModel<ConvVAEOptions> implements Reconstructor, Transformer, Generative, InnerModel {
  private vars: Record<string, tf.Variable> = {};
  private bns: Record<string, BN> = {};
  /** Adam on the negative ELBO (compiled or eager), kept across partialFit calls. */
  private trainer: CompiledStep | null = null;
  private rng: Rng;
  private epochsDone = 0;

  constructor(opts: Partial<ConvVAEOptions> = {}) {
    super(CONV_VAE_DEFAULTS, opts);
    const p = this.params;
    const [h, w, c] = p.imageShape;
    const f = 2 ** p.channels.length;
    if (!Number.isInteger(h / f) || !Number.isInteger(w / f) || c < 1) throw new InputError(`ConvVAE: imageShape [${p.imageShape}] must have height and width divisible by ${f}`);
    assertInt(p.latentDim, 'ConvVAE latentDim');
    assertInt(p.batchSize, 'ConvVAE batchSize');
    assertPositive(p.learningRate, 'ConvVAE learningRate');
    this.rng = new Rng(p.seed).fork('convvae');
  }

  get built(): boolean { return this.trainer !== null; }

  /** The training step (compiled or eager; null before the first fit). `status` says which. */
  get trainingStep(): CompiledStep | null { return this.trainer; }

  get variables(): tf.Variable[] {
    return [...Object.values(this.vars), ...Object.values(this.bns).flatMap((b) => [b.gamma, b.beta])];
  }

  get nParams(): number { return this.variables.reduce((s, v) => s + v.size, 0); }

  private bottom(): [number, number, number] {
    const p = this.params;
    const f = 2 ** p.channels.length;
    return [p.imageShape[0] / f, p.imageShape[1] / f, p.channels[p.channels.length - 1]];
  }

  /** Builds the network and its training step (idempotent; fit / partialFit call it). */
  build(): void {
    if (this.built) return;
    const p = this.params;
    const r = new Rng(p.seed).fork('convvae-init');
    const cin = p.imageShape[2];
    const ch = [cin, ...p.channels];
    for (let i = 0; i < p.channels.length; i++) {
      this.vars[`e${i}`] = glorot([4, 4, ch[i], ch[i + 1]], 16 * ch[i], 16 * ch[i + 1], r.fork(`e${i}`), `cvae_e${i}`);
      this.vars[`eb${i}`] = own(tf.zeros([ch[i + 1]]), true, `cvae_eb${i}`);
      if (p.batchNorm && i > 0) this.bns[`e${i}`] = this.makeBN(ch[i + 1], `e${i}`);
    }
    const [bh, bw, bc] = this.bottom();
    const flat = bh * bw * bc;
    this.vars.mu = glorot([flat, p.latentDim], flat, p.latentDim, r.fork('mu'), 'cvae_mu');
    this.vars.mub = own(tf.zeros([p.latentDim]), true, 'cvae_mub');
    this.vars.lv = glorot([flat, p.latentDim], flat, p.latentDim, r.fork('lv'), 'cvae_lv');
    this.vars.lvb = own(tf.zeros([p.latentDim]), true, 'cvae_lvb');
    this.vars.d = glorot([p.latentDim, flat], p.latentDim, flat, r.fork('d'), 'cvae_d');
    this.vars.db = own(tf.zeros([flat]), true, 'cvae_db');
    const dch = [...ch].reverse(); // bc, ..., cin
    for (let i = 0; i < p.channels.length; i++) {
      // conv2dTranspose filter: [h, w, outChannels, inChannels]
      this.vars[`t${i}`] = glorot([4, 4, dch[i + 1], dch[i]], 16 * dch[i], 16 * dch[i + 1], r.fork(`t${i}`), `cvae_t${i}`);
      this.vars[`tb${i}`] = own(tf.zeros([dch[i + 1]]), true, `cvae_tb${i}`);
      if (p.batchNorm) this.bns[`t${i}`] = this.makeBN(dch[i + 1], `t${i}`);
    }
    this.trainer = new CompiledStep(this.stepLoss, this.variables, { learningRate: p.learningRate, beta1: p.beta1, beta2: 0.999, readback: 'deferred', compile: p.compiledStep, label: 'ConvVAE' });
  }

  private makeBN(c: number, key: string): BN {
    return {
      gamma: own(tf.ones([c]), true, `cvae_bn_g_${key}`),
      beta: own(tf.zeros([c]), true, `cvae_bn_b_${key}`),
      mean: own(tf.zeros([c]), false, `cvae_bn_m_${key}`),
      variance: own(tf.ones([c]), false, `cvae_bn_v_${key}`),
    };
  }

  /**
   * BatchNorm: in training (`stats` given) with the batch's statistics, which are handed to `stats` (the step
   * returns them and `applyStats` moves the running averages); at inference with the running averages.
   */
  private bn(x: tf.Tensor4D, key: string, stats?: (name: string, t: tf.Tensor) => void): tf.Tensor4D {
    const b = this.bns[key];
    if (!b) return x;
    if (stats) {
      // one op with the closed-form BatchNorm gradient (src/nets/conv28.ts): the same maths as autodiff of
      // tf.moments + tf.batchNorm in far fewer kernels
      return bnTrain(x, b.gamma, b.beta, [0, 1, 2], (mean, variance) => { stats(`${key}_mean`, mean); stats(`${key}_var`, variance); }) as tf.Tensor4D;
    }
    return tf.batchNorm(x, b.mean, b.variance, b.beta, b.gamma, BN_EPS) as tf.Tensor4D;
  }

  /** Running averages (PyTorch's momentum 0.1) from one training step's batch statistics; disposes them. */
  private applyStats(extras: Record<string, tf.Tensor>): void {
    tf.tidy(() => {
      for (const [key, b] of Object.entries(this.bns)) {
        const m = extras[`${key}_mean`], v = extras[`${key}_var`];
        if (!m || !v) throw new Error(`ConvVAE: the training step returned no batch statistics for BatchNorm ${key}`);
        b.mean.assign(tf.add(tf.mul(b.mean, 0.9), tf.mul(m, 0.1)));
        b.variance.assign(tf.add(tf.mul(b.variance, 0.9), tf.mul(v, 0.1)));
      }
    });
    tf.dispose(Object.values(extras));
  }

  private encodeRaw(X: tf.Tensor2D, stats?: (name: string, t: tf.Tensor) => void): { mu: tf.Tensor2D; logVar: tf.Tensor2D } {
    const p = this.params;
    const [h, w, c] = p.imageShape;
    let x = X.reshape([X.shape[0], h, w, c]) as tf.Tensor4D;
    for (let i = 0; i < p.channels.length; i++) {
      x = tf.add(tf.conv2d(x, this.vars[`e${i}`] as unknown as tf.Tensor4D, 2, 'same'), this.vars[`eb${i}`]) as tf.Tensor4D;
      x = this.bn(x, `e${i}`, stats);
      x = tf.leakyRelu(x, 0.2);
    }
    const flat = x.reshape([X.shape[0], -1]) as tf.Tensor2D;
    return {
      mu: tf.add(tf.matMul(flat, this.vars.mu), this.vars.mub) as tf.Tensor2D,
      logVar: tf.add(tf.matMul(flat, this.vars.lv), this.vars.lvb) as tf.Tensor2D,
    };
  }

  private decodeLogits(Z: tf.Tensor2D, stats?: (name: string, t: tf.Tensor) => void): tf.Tensor2D {
    const p = this.params;
    const [bh, bw, bc] = this.bottom();
    const n = Z.shape[0];
    let x = tf.relu(tf.add(tf.matMul(Z, this.vars.d), this.vars.db)).reshape([n, bh, bw, bc]) as tf.Tensor4D;
    const dch = [p.imageShape[2], ...p.channels].reverse();
    for (let i = 0; i < p.channels.length; i++) {
      const [oh, ow] = [x.shape[1] * 2, x.shape[2] * 2];
      x = tf.add(tf.conv2dTranspose(x, this.vars[`t${i}`] as unknown as tf.Tensor4D, [n, oh, ow, dch[i + 1]], 2, 'same'), this.vars[`tb${i}`]) as tf.Tensor4D;
      x = this.bn(x, `t${i}`, stats);
      if (i + 1 < p.channels.length) x = tf.relu(x);
    }
    return x.reshape([n, -1]) as tf.Tensor2D;
  }

  /** eps ~ N(0, I) for `rows` images from a tfjs seed. */
  private noise(rows: number, seed: number): tf.Tensor2D {
    return tf.randomNormal([rows, this.params.latentDim], 0, 1, 'float32', seed);
  }

  /** Per-image -log p(x|z) and KL with z = mu + exp(logVar / 2) eps; training mode when `stats` is given. */
  private lossParts(X: tf.Tensor2D, eps: tf.Tensor2D, stats?: (name: string, t: tf.Tensor) => void): { recon: tf.Tensor1D; kl: tf.Tensor1D } {
    const { mu, logVar } = this.encodeRaw(X, stats);
    const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as tf.Tensor2D;
    const logits = this.decodeLogits(z, stats);
    const recon = tf.sum(tf.sub(tf.softplus(logits), tf.mul(X, logits)), 1) as tf.Tensor1D;
    const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mu)), tf.exp(logVar)), 1)) as tf.Tensor1D;
    return { recon, kl };
  }

  /**
   * The training objective of one step: inputs [x (rows x d), eps (rows x latentDim)] -> mean negative ELBO, with
   * BatchNorm on batch statistics (handed back through `keep` as `<layer>_mean` / `<layer>_var`).
   */
  readonly stepLoss: StepLoss = (inputs, keep) => tf.tidy(() => {
    if (inputs.length !== 2) throw new InputError(`ConvVAE step: expected inputs [x, eps], got ${inputs.length} tensors`);
    const { recon, kl } = this.lossParts(inputs[0] as tf.Tensor2D, inputs[1] as tf.Tensor2D, keep);
    return tf.mean(tf.add(recon, kl)) as tf.Scalar;
  });

  async fit(X: tf.Tensor2D, opts: FitOptions & { epochs?: number } = {}): Promise<this> {
    this.dispose();
    this.rng = new Rng(this.params.seed).fork('convvae');
    this.epochsDone = 0;
    this.history = { epochs: [], outer: [], seconds: 0 };
    return this.partialFit(X, opts);
  }

  /** More epochs on X keeping weights, BatchNorm statistics and Adam state. */
  async partialFit(X: tf.Tensor2D, opts: FitOptions & { epochs?: number } = {}): Promise<this> {
    const p = this.params;
    const d = p.imageShape[0] * p.imageShape[1] * p.imageShape[2];
    this.checkFitInput(X);
    if (X.shape[1] !== d) throw new InputError(`ConvVAE: rows must have ${d} values (imageShape [${p.imageShape}]), got ${X.shape[1]}`);
    this.build();
    this._fitted = true;
    const epochs = opts.epochs ?? p.epochs;
    assertInt(epochs, 'ConvVAE epochs', 0);
    const nb = Math.ceil(X.shape[0] / Math.min(p.batchSize, X.shape[0]));
    const t0 = Date.now();
    const step = this.trainer!;
    // Same seed stream as before the compiled step: per epoch a permutation from this.rng, then one tfjs seed
    // per batch for eps.
    const recs = await trainLoop([X], null, [], null, {
      step: (batch) => {
        const { loss, extras } = step.run(batch);
        this.applyStats(extras);
        return loss;
      },
      flush: () => step.syncOut(),
      draws: (rows) => [this.noise(rows, this.rng.tfSeed())],
      epochs, batchSize: p.batchSize, shuffle: p.shuffle, rng: this.rng,
      label: opts.label ?? 'ConvVAE', progress: opts.progress ?? epochs * nb > 20,
      epochOffset: this.epochsDone,
      onEpoch: (r) => opts.onEpoch?.(r),
    });
    this.epochsDone += recs.length;
    this.history.epochs.push(...recs);
    this.history.seconds += (Date.now() - t0) / 1000;
    this.history.stopped = 'epochs';
    return this;
  }

  async trainOn(L: tf.Tensor2D, epochs: number, ctx: InnerContext): Promise<EpochRecord[]> {
    const before = this.history.epochs.length;
    await this.partialFit(L, { epochs, progress: false, onEpoch: (r) => ctx.onEpoch(r) });
    return this.history.epochs.slice(before);
  }

  dataFit(L: tf.Tensor2D): number {
    return this.evaluate(L, 12345).loss * L.shape[0];
  }

  evaluate(X: tf.Tensor2D, seed = 0): { loss: number; recon: number; kl: number } {
    this.checkInput(X, 'evaluate');
    let recon = 0, kl = 0;
    const n = X.shape[0];
    for (let s = 0; s < n; s += 256) {
      const m = Math.min(256, n - s);
      const [r, k] = tf.tidy(() => {
        const parts = this.lossParts(X.slice([s, 0], [m, X.shape[1]]), this.noise(m, seed + s));
        return [tf.sum(parts.recon), tf.sum(parts.kl)];
      });
      recon += r.dataSync()[0]; kl += k.dataSync()[0];
      r.dispose(); k.dispose();
    }
    return { loss: (recon + kl) / n, recon: recon / n, kl: kl / n };
  }

  /** q(z|x): mean and log-variance (n x latentDim each, eval-mode BatchNorm; caller disposes). */
  encode(X: tf.Tensor2D): { mu: tf.Tensor2D; logVar: tf.Tensor2D } {
    this.checkInput(X, 'encode');
    return tf.tidy(() => this.encodeRaw(X));
  }

  /** Codes of new images: the posterior mean mu_z (n x latentDim; caller disposes). */
  transform(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'transform');
    return mapBatches(X, 256, (xb) => this.encodeRaw(xb as tf.Tensor2D).mu) as tf.Tensor2D;
  }

  reconstruct(X: tf.Tensor2D, opts: { mode?: 'mean' | 'sample'; seed?: number } = {}): tf.Tensor2D {
    this.checkInput(X, 'reconstruct');
    const seedRng = new Rng(opts.seed ?? 0).fork('recon');
    return mapBatches(X, 256, (xb) => {
      const { mu, logVar } = this.encodeRaw(xb as tf.Tensor2D);
      const z = opts.mode === 'sample' ? tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), this.noise(xb.shape[0], seedRng.tfSeed()))) as tf.Tensor2D : mu;
      return tf.sigmoid(this.decodeLogits(z));
    }) as tf.Tensor2D;
  }

  sample(n: number, seed = 0): tf.Tensor2D {
    this.checkFitted('sample');
    assertInt(n, 'sample n');
    const Z = tf.tensor2d(new Rng(seed).fork('prior').normalArray(n * this.params.latentDim), [n, this.params.latentDim]);
    const out = mapBatches(Z, 256, (zb) => tf.sigmoid(this.decodeLogits(zb as tf.Tensor2D))) as tf.Tensor2D;
    Z.dispose();
    return out;
  }

  dispose(): void {
    this.trainer?.dispose();
    this.trainer = null;
    const all = [...Object.values(this.vars), ...Object.values(this.bns).flatMap((b) => [b.gamma, b.beta, b.mean, b.variance])];
    for (const v of all) if (!v.isDisposed) v.dispose();
    this.vars = {}; this.bns = {};
    this._fitted = false;
  }
}
