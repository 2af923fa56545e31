/**
 * Variational autoencoder (Kingma & Welling 2013) with a fully connected encoder and decoder, the generative
 * model inside the Robust VAE of Ren et al. 2020 ("Robust Variational Autoencoders: Generating Noise-Free Images
 * from Corrupted Images", Sec. 2.2 eq. 4 and Appendix B.2).
 *
 *   encoder  x -> h (hidden layers, `activation`) -> mu, logVar   (two linear heads, latentDim each)
 *   sample   z = mu + sigma * eps,  eps ~ N(0, I)               (reparameterisation)
 *   decoder  z -> h (mirrored hidden layers) -> x_hat           (sigmoid output: Bernoulli means / Gaussian means)
 *   loss     mean over the batch of  -log p(x | z) + KL(q(z|x) || N(0, I))
 *
 * Defaults follow the paper's Appendix B.2: layers 784-512-256-49-256-512-784, sigmoid activations, Adam with
 * learning rate 1e-3, batch 200. The authors' TensorFlow code (github.com/huiminren/RobustVAE,
 * `main_code/BasicAutoencoder/DeepVAE.py`) differs from the paper in three ways, all reproducible here:
 *   - layers 784-512-384-256-49 (pass `hidden: [512, 384, 256]`);
 *   - Bernoulli cross-entropy summed over pixels + KL, mean over the batch (our default likelihood);
 *   - the reparameterisation uses the VARIANCE where the standard deviation belongs:
 *       code:      z = mu + exp(log_sigma_sq) * eps          (`reparam: 'authors-code'`)
 *       correct:   z = mu + exp(0.5 * log_sigma_sq) * eps    (`reparam: 'sigma'`, our default)
 *     while the KL term is the correct one for log_sigma_sq, so with the quirk the sampled spread (sigma^2)
 *     and the spread the KL penalises (sigma) disagree: for sigma < 1 the decoder sees less noise than the KL
 *     accounts for, which acts like a weaker KL weight on the variance.
 * Batches are consecutive and unshuffled by default, as in the authors' code (`shuffle: true` to change).
 *
 * The model can keep training across calls (`partialFit`): the RVAE's outer loop (src/models/rvae.ts) trains the
 * same network, with the same Adam state, for a few epochs per outer iteration, exactly as the authors' code does.
 */
import { tf } from '../backend';
import { Rng } from '../random';
import { Activation, DenseLayer, mlp, denseForward, layerVariables, disposeLayers, countParams } from '../nets/mlp';
import { trainLoop, mapBatches } from '../train/loop';
import { CompiledStep, StepLoss } from '../train/compile';
import { BaseModel, FitOptions, Generative, Reconstructor, Transformer, EpochRecord } from './base';
import { InnerContext, InnerModel } from '../train/alternating';
import { assertInt, assertOneOf, assertPositive, InputError } from '../validate';

export type Likelihood = 'bernoulli' | 'gaussian';
export type Reparam = 'sigma' | 'authors-code';

export interface VAEOptions {
  /** Encoder hidden sizes; the decoder mirrors them. Ren et al. B.2: 784-512-256-49-256-512-784. */
  hidden: number[];
  /** Latent dimension (Ren et al. B.2: 49). */
  latentDim: number;
  /** Hidden-layer activation (Ren et al. B.2: sigmoid). */
  activation: Activation;
  /** p(x|z): 'bernoulli' (cross-entropy, the authors' code) or 'gaussian' (squared error / (2 sigma^2)). */
  likelihood: Likelihood;
  /** Fixed decoder standard deviation of the Gaussian likelihood (ignored for Bernoulli). */
  gaussianStd: number;
  /** 'sigma' (correct) or 'authors-code' (z = mu + exp(logVar) eps, the code's quirk). */
  reparam: Reparam;
  /** Epochs per `fit` / default epochs per `partialFit` (Ren et al. B.2: 600 in total for the baselines). */
  epochs: number;
  /** Mini-batch size (Ren et al. B.2: 200). */
  batchSize: number;
  /** Adam learning rate (Ren et al. B.2: 1e-3). */
  learningRate: number;
  /** Shuffle the rows every epoch; false = consecutive batches as in the authors' code. */
  shuffle: boolean;
  seed: number;
  /**
   * On tfjs-node, run each training step (the loss below, tfjs's own gradients of it, Adam) as ONE TensorFlow
   * graph (src/train/compile.ts, `CompiledStep`): same loss, same noise draws, same updates to float rounding as
   * the eager tfjs-autodiff step (test/models/vae.test.ts). false = the eager step. Default true.
   */
  compiledStep: boolean;
}

export const VAE_DEFAULTS: VAEOptions = {
  hidden: [512, 256],
  latentDim: 49,
  activation: 'sigmoid',
  likelihood: 'bernoulli',
  gaussianStd: 1,
  reparam: 'sigma',
  epochs: 600,
  batchSize: 200,
  learningRate: 1e-3,
  shuffle: false,
  seed: 0,
  compiledStep: true,
};

/** Per-epoch VAE record: total loss plus its two parts (per image, mean over the epoch). */
export interface VAEEpochRecord extends EpochRecord { recon: number; kl: number }

export class VAE extends BaseModel<VAEOptions> implements Reconstructor, Transformer, Generative, InnerModel {
  private enc: DenseLayer[] = [];
  private muHead: DenseLayer | null = null;
  private lvHead: DenseLayer | null = null;
  private dec: DenseLayer[] = [];
  /** Adam on the negative ELBO, compiled or eager; kept across partialFit calls (weights and moments). */
  private trainer: CompiledStep | null = null;
  private rng: Rng;
  private epochsDone = 0;

  constructor(opts: Partial<VAEOptions> = {}) {
    super(VAE_DEFAULTS, opts);
    const p = this.params;
    if (!Array.isArray(p.hidden) || p.hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new InputError(`VAE: hidden must be an array of positive integers, got ${JSON.stringify(p.hidden)}`);
    assertInt(p.latentDim, 'VAE latentDim');
    assertOneOf(p.likelihood, 'VAE likelihood', ['bernoulli', 'gaussian'] as const);
    assertOneOf(p.reparam, 'VAE reparam', ['sigma', 'authors-code'] as const);
    assertPositive(p.gaussianStd, 'VAE gaussianStd');
    assertInt(p.epochs, 'VAE epochs', 0);
    assertInt(p.batchSize, 'VAE batchSize');
    assertPositive(p.learningRate, 'VAE learningRate');
    this.rng = new Rng(p.seed).fork('vae');
  }

  /** Whether the network has been built (it is built on the first fit / partialFit). */
  get built(): boolean { return this.muHead !== null; }

  /** Trainable variables (encoder, heads, decoder). */
  get variables(): tf.Variable[] {
    if (!this.muHead || !this.lvHead) return [];
    return [...layerVariables(this.enc), ...layerVariables([this.muHead, this.lvHead]), ...layerVariables(this.dec)];
  }

  /** The training step (compiled or eager; null before the first fit). `status` says which. */
  get trainingStep(): CompiledStep | null { return this.trainer; }

  /** Number of trainable parameters. */
  get nParams(): number { return countParams(this.variables); }

  /** Builds the network for input width d (idempotent for the same d). */
  build(d: number): void {
    if (this.built) {
      if (d !== this.nFeatures) throw new InputError(`VAE: built for ${this.nFeatures} features, got ${d}`);
      return;
    }
    const p = this.params;
    this.nFeatures = d;
    const r = new Rng(p.seed).fork('vae-init');
    this.enc = mlp([d, ...p.hidden], r.fork('enc'), 'vae_enc');
    const last = p.hidden.length ? p.hidden[p.hidden.length - 1] : d;
    this.muHead = mlp([last, p.latentDim], r.fork('mu'), 'vae_mu')[0];
    this.lvHead = mlp([last, p.latentDim], r.fork('lv'), 'vae_lv')[0];
    this.dec = mlp([p.latentDim, ...[...p.hidden].reverse(), d], r.fork('dec'), 'vae_dec');
  }

  /** q(z|x): mean and log-variance (n x latentDim each; caller disposes). */
  encode(X: tf.Tensor2D): { mu: tf.Tensor2D; logVar: tf.Tensor2D } {
    this.checkInput(X, 'encode');
    return tf.tidy(() => this.encodeRaw(X)) as { mu: tf.Tensor2D; logVar: tf.Tensor2D };
  }

  /** Codes of new rows: the posterior mean mu_z (n x latentDim; caller disposes). encode(X) gives mu and logVar. */
  transform(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'transform');
    return mapBatches(X, 4096, (xb) => this.encodeRaw(xb as tf.Tensor2D).mu) as tf.Tensor2D;
  }

  private encodeRaw(X: tf.Tensor2D): { mu: tf.Tensor2D; logVar: tf.Tensor2D } {
    let h = X;
    for (const l of this.enc) h = denseForward(h, l, this.params.activation);
    return { mu: denseForward(h, this.muHead!, 'linear'), logVar: denseForward(h, this.lvHead!, 'linear') };
  }

  /** Decoder logits (pre-sigmoid). */
  private decodeLogits(Z: tf.Tensor2D): tf.Tensor2D {
    let h = Z;
    this.dec.forEach((l, i) => { h = denseForward(h, l, i + 1 < this.dec.length ? this.params.activation : 'linear'); });
    return h;
  }

  /** p(x|z) means: sigmoid of the decoder output, in (0, 1). */
  decode(Z: tf.Tensor2D): tf.Tensor2D {
    this.checkFitted('decode');
    return tf.tidy(() => tf.sigmoid(this.decodeLogits(Z)));
  }

  /** The standard-normal draw eps of the reparameterisation for `rows` images, from a tfjs seed. */
  private noise(rows: number, seed: number): tf.Tensor2D {
    return tf.randomNormal([rows, this.params.latentDim], 0, 1, 'float32', seed);
  }

  /** z = mu + s * eps with s = exp(logVar / 2) (correct) or exp(logVar) (authors' code). */
  private reparameterise(mu: tf.Tensor2D, logVar: tf.Tensor2D, eps: tf.Tensor2D): tf.Tensor2D {
    const s = this.params.reparam === 'sigma' ? tf.exp(tf.mul(logVar, 0.5)) : tf.exp(logVar);
    return tf.add(mu, tf.mul(s, eps));
  }

  /** Per-image loss parts (n-vectors): -log p(x|z) and KL(q(z|x) || N(0, I)), z drawn with the noise `eps`. */
  private lossParts(X: tf.Tensor2D, eps: tf.Tensor2D): { recon: tf.Tensor1D; kl: tf.Tensor1D } {
    const { mu, logVar } = this.encodeRaw(X);
    const z = this.reparameterise(mu, logVar, eps);
    const logits = this.decodeLogits(z);
    let recon: tf.Tensor1D;
    if (this.params.likelihood === 'bernoulli') {
      // -[x log s(a) + (1-x) log(1-s(a))] = softplus(a) - x a  (stable form of the code's cross-entropy)
      recon = tf.sum(tf.sub(tf.softplus(logits), tf.mul(X, logits)), 1);
    } else {
      const s2 = this.params.gaussianStd ** 2;
      recon = tf.div(tf.sum(tf.squaredDifference(X, tf.sigmoid(logits)), 1), 2 * s2);
    }
    const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mu)), tf.exp(logVar)), 1)) as tf.Tensor1D;
    return { recon, kl };
  }

  /**
   * The training objective of one step, as `CompiledStep` takes it: inputs [x (rows x d), eps (rows x latentDim
   * standard normals)] -> mean over the rows of -log p(x|z) + KL. The noise is an input (drawn by the training
   * loop) because a random draw inside a compiled step would be frozen into the graph.
   */
  readonly stepLoss: StepLoss = (inputs) => tf.tidy(() => {
    if (inputs.length !== 2) throw new InputError(`VAE step: expected inputs [x, eps], got ${inputs.length} tensors`);
    const { recon, kl } = this.lossParts(inputs[0] as tf.Tensor2D, inputs[1] as tf.Tensor2D);
    return tf.mean(tf.add(recon, kl)) as tf.Scalar;
  });

  /** One draw z ~ q(z|x) with the configured reparameterisation and a tfjs seed (caller disposes). */
  sampleLatent(X: tf.Tensor2D, seed: number): tf.Tensor2D {
    this.checkInput(X, 'sampleLatent');
    return tf.tidy(() => {
      const { mu, logVar } = this.encodeRaw(X);
      return this.reparameterise(mu, logVar, this.noise(X.shape[0], seed));
    });
  }

  /** Mean negative ELBO parts on X (one Monte-Carlo draw): { loss, recon, kl } per image. */
  evaluate(X: tf.Tensor2D, seed = 0): { loss: number; recon: number; kl: number } {
    this.checkInput(X, 'evaluate');
    const [r, k] = tf.tidy(() => {
      const { recon, kl } = this.lossParts(X, this.noise(X.shape[0], seed));
      return [tf.mean(recon), tf.mean(kl)];
    });
    const recon = r.dataSync()[0], kl = k.dataSync()[0];
    r.dispose(); k.dispose();
    return { loss: recon + kl, recon, kl };
  }

  /** Re-initialises the weights and optimizer and trains `epochs` epochs on X. */
  async fit(X: tf.Tensor2D, opts: FitOptions & { epochs?: number } = {}): Promise<this> {
    this.reset();
    return this.partialFit(X, opts);
  }

  /** Drops the weights and optimizer state (the next fit / partialFit builds a fresh network). */
  reset(): void {
    this.disposeNet();
    this._fitted = false;
    this.epochsDone = 0;
    this.rng = new Rng(this.params.seed).fork('vae');
    this.history = { epochs: [], outer: [], seconds: 0 };
  }

  /**
   * Trains `opts.epochs` (default `params.epochs`) more epochs on X, keeping the weights and the Adam state from
   * earlier calls (the network is built on the first call). Epoch records are appended to `history.epochs`.
   */
  async partialFit(X: tf.Tensor2D, opts: FitOptions & { epochs?: number; progress?: boolean } = {}): Promise<this> {
    this.checkFitInput(X);
    const d = X.shape[1];
    this.build(d);
    this._fitted = true; // usable (sample / reconstruct) from here on, also inside onEpoch callbacks
    const p = this.params;
    const epochs = opts.epochs ?? p.epochs;
    assertInt(epochs, 'VAE epochs', 0);
    const t0 = Date.now();
    // One compiled step for the life of the network: the Adam state carries over between calls, and the weights
    // stay in the graph during an epoch (trainLoop flushes them into the tf.Variables after every epoch).
    this.trainer ??= new CompiledStep(this.stepLoss, this.variables, { learningRate: p.learningRate, readback: 'deferred', compile: p.compiledStep, label: 'VAE' });
    const recs = await trainLoop([X], null, [], this.trainer, {
      // eps for each batch, one tfjs seed per step from the model's stream (as the eager VAE always drew it)
      draws: (rows) => [this.noise(rows, this.rng.tfSeed())],
      epochs, batchSize: p.batchSize, shuffle: p.shuffle, rng: this.rng.fork(`shuffle${this.epochsDone}`),
      label: opts.label ?? 'VAE', progress: opts.progress ?? (epochs * Math.ceil(X.shape[0] / p.batchSize) > 50),
      epochOffset: this.epochsDone,
      onEpoch: (r) => opts.onEpoch?.(r),
    });
    this.epochsDone += recs.length;
    this.history.epochs.push(...recs);
    this.history.seconds += (Date.now() - t0) / 1000;
    this.history.stopped = 'epochs';
    this._fitted = true;
    return this;
  }

  /**
   * Inner-model hook of the alternating robust solver (src/train/alternating.ts): `epochs` more epochs on L with
   * the weights AND the Adam state of the previous outer iteration (the authors' RVAE keeps one VAE, one
   * session and one train_op across outer iterations).
   */
  async trainOn(L: tf.Tensor2D, epochs: number, ctx: InnerContext): Promise<EpochRecord[]> {
    const before = this.history.epochs.length;
    await this.partialFit(L, { epochs, progress: false, onEpoch: (r) => ctx.onEpoch(r) });
    return this.history.epochs.slice(before);
  }

  /** Data-fit term of the robust objective: the summed negative ELBO of L (fixed Monte-Carlo seed). */
  dataFit(L: tf.Tensor2D): number {
    return this.evaluate(L, 12345).loss * L.shape[0];
  }

  /**
   * x -> x_hat. `mode: 'mean'` decodes the posterior mean (deterministic, default); `'sample'` decodes one draw
   * z ~ q(z|x), as the authors' `reconstructor` does (their x_hat is computed from the sampled z).
   */
  reconstruct(X: tf.Tensor2D, opts: { mode?: 'mean' | 'sample'; seed?: number } = {}): tf.Tensor2D {
    this.checkInput(X, 'reconstruct');
    const mode = opts.mode ?? 'mean';
    const seedRng = new Rng(opts.seed ?? 0).fork('recon');
    return mapBatches(X, 2000, (xb) => {
      const { mu, logVar } = this.encodeRaw(xb as tf.Tensor2D);
      const z = mode === 'mean' ? mu : this.reparameterise(mu, logVar, this.noise(xb.shape[0], seedRng.tfSeed()));
      return tf.sigmoid(this.decodeLogits(z));
    }) as tf.Tensor2D;
  }

  /** n new images: z ~ N(0, I) through the decoder (means of p(x|z)), seeded. */
  sample(n: number, seed = 0): tf.Tensor2D {
    this.checkFitted('sample');
    assertInt(n, 'sample n');
    const Z = tf.tensor2d(new Rng(seed).fork('prior').normalArray(n * this.params.latentDim), [n, this.params.latentDim]);
    const out = mapBatches(Z, 2000, (zb) => tf.sigmoid(this.decodeLogits(zb as tf.Tensor2D))) as tf.Tensor2D;
    Z.dispose();
    return out;
  }

  private disposeNet(): void {
    this.trainer?.dispose();
    this.trainer = null;
    disposeLayers(this.enc);
    if (this.muHead) disposeLayers([this.muHead]);
    if (this.lvHead) disposeLayers([this.lvHead]);
    disposeLayers(this.dec);
    this.enc = []; this.dec = []; this.muHead = null; this.lvHead = null;
  }

  dispose(): void {
    this.disposeNet();
    this._fitted = false;
  }
}

/** Trainable parameters of the VAE for input width d (without building it). */
export function vaeParamCount(d: number, hidden: number[] = VAE_DEFAULTS.hidden, latentDim = VAE_DEFAULTS.latentDim): number {
  const sizes = [d, ...hidden];
  let n = 0;
  for (let i = 0; i + 1 < sizes.length; i++) n += sizes[i] * sizes[i + 1] + sizes[i + 1];
  const last = sizes[sizes.length - 1];
  n += 2 * (last * latentDim + latentDim);
  const dec = [latentDim, ...[...hidden].reverse(), d];
  for (let i = 0; i + 1 < dec.length; i++) n += dec[i] * dec[i + 1] + dec[i + 1];
  return n;
}
