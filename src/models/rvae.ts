/**
 * Robust Variational Autoencoder (RVAE), Ren, Yue, Zhou, Paffenroth, Li, Weiss, "Robust Variational Autoencoders:
 * Generating Noise-Free Images from Corrupted Images", AdvML @ KDD 2020, Sec. 3, eq. 5 and Algorithm 1:
 *
 *   min_{theta, L, S}  ||L - D(E(L))|| + KL(E(L) | N(0, I)) + lambda ||S||_1    s.t.  X - L - S = 0
 *
 * solved by alternating projections: L = X - S; train the VAE on L (inner epochs, back-propagation);
 * L = D(E(L)); S = prox_{lambda, l1}(X - L); c1 = ||X - L - S|| / ||X||, c2 = ||LS - L - S|| / ||X||; LS = L + S.
 * This is the same loop as RDA (src/train/alternating.ts, `fitAlternating`) with the VAE (src/models/vae.ts)
 * as the inner model; new images come from the VAE's prior through its decoder (`sample`).
 *
 * Defaults follow the authors' TensorFlow code (`Tensorflow/main_code/RobustVariationalAutoencoder.py`):
 *   - 30 outer iterations x 20 inner VAE epochs (Appendix B.2 words it as "20 epochs, with 30 iterations per
 *     epoch"; the code: iteration = 30, num_epoch = 20), batch 200, Adam 1e-3, latent 49;
 *   - the prox threshold is lambda / mu with mu = X.size / (4 * norm(X, 1)), numpy's matrix 1-norm being the
 *     largest column sum (`lambdaConvention: 'code-l1'`); lambda swept in {1, 5, 10, 15, 20, 25, 50, 70, 100, 250};
 *   - stop when c1 < 1e-7 AND min(mu, sqrt(mu)) * c2 < 1e-7 (`stopRule: 'code'`), LS0 = 0;
 *   - ONE VAE and one Adam state for all outer iterations (the code builds the VAE once);
 *   - L = vae.reconstructor(L) decodes a SAMPLED z (`reconstruct: 'sample'`); we default to the posterior mean
 *     (`'mean'`, the deterministic D(E(L)) of Algorithm 1). Both are available.
 * The paper's VAE (784-512-256-49-256-512-784, `hidden: [512, 256]`) is our default; the code's is
 * `hidden: [512, 384, 256]`. See vae.ts for the code's reparameterisation quirk (`reparam: 'authors-code'`).
 */
import { tf } from '../backend';
import { FitOptions, Generative, Transformer } from './base';
import { AlternatingRobustModel } from './alternating-model';
import { VAE, VAE_DEFAULTS, VAEOptions } from './vae';
import { ConvVAE, ConvVAEOptions } from './conv-vae';
import { InnerModel, LambdaConvention, StopRule } from '../train/alternating';
import { assertInt, assertNonNegative, assertOneOf } from '../validate';

export interface RVAEOptions extends VAEOptions {
  /** lambda of eq. 5 in the chosen convention. */
  lambda: number;
  /** 'code-l1' (authors' code: threshold lambda / mu) or 'paper' (threshold = lambda). */
  lambdaConvention: LambdaConvention;
  /** Outer iterations (authors' code: 30). */
  outer: number;
  /** VAE epochs per outer iteration (authors' code: 20). */
  innerEpochs: number;
  tol: number;
  stopRule: StopRule;
  /** L = D(E(L)) with the posterior mean ('mean', default) or one sampled z ('sample', the authors' code). */
  reconstruct: 'mean' | 'sample';
  /** Record the objective after every inner epoch (one extra forward pass each). */
  traceObjective: boolean;
  /** 'mlp' (the MNIST / Fashion-MNIST VAE, options above) or 'conv' (the CelebA VAE, options in `conv`). */
  architecture: 'mlp' | 'conv';
  /** Options of the convolutional VAE (architecture 'conv'). */
  conv: Partial<ConvVAEOptions>;
}

export const RVAE_DEFAULTS: RVAEOptions = {
  ...VAE_DEFAULTS,
  lambda: 15,
  lambdaConvention: 'code-l1',
  outer: 30,
  innerEpochs: 20,
  tol: 1e-7,
  stopRule: 'code',
  reconstruct: 'mean',
  traceObjective: false,
  architecture: 'mlp',
  conv: {},
};

export class RVAE extends AlternatingRobustModel<RVAEOptions> implements Generative, Transformer {
  /** The inner VAE after the last outer iteration. */
  vae: VAE | ConvVAE | null = null;

  constructor(opts: Partial<RVAEOptions> = {}) {
    super(RVAE_DEFAULTS, opts);
    assertNonNegative(this.params.lambda, 'RVAE lambda');
    assertInt(this.params.outer, 'RVAE outer');
    assertInt(this.params.innerEpochs, 'RVAE innerEpochs', 0);
    assertOneOf(this.params.reconstruct, 'RVAE reconstruct', ['mean', 'sample'] as const);
    assertOneOf(this.params.architecture, 'RVAE architecture', ['mlp', 'conv'] as const);
  }

  private vaeOptions(): Partial<VAEOptions> {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(VAE_DEFAULTS)) o[k] = (this.params as Record<string, unknown>)[k];
    return o as Partial<VAEOptions>;
  }

  async fit(X: tf.Tensor2D, opts: FitOptions = {}): Promise<this> {
    this.checkFitInput(X);
    this.release();
    const p = this.params;
    const vae = p.architecture === 'conv' ? new ConvVAE({ seed: p.seed, ...p.conv }) : new VAE(this.vaeOptions());
    this.vae = vae;
    let calls = 0;
    const inner: InnerModel = {
      trainOn: (L, epochs, ctx) => vae.trainOn(L, epochs, ctx),
      reconstruct: (L) => vae.reconstruct(L, { mode: p.reconstruct, seed: calls++ }),
      dataFit: (L) => vae.dataFit(L),
    };
    await this.runAlternating(X, inner, 'l1', opts, `RVAE lambda=${p.lambda}`);
    return this;
  }

  /** D(E(X)) for new data through the trained VAE (posterior mean). */
  reconstruct(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'reconstruct');
    return this.vae!.reconstruct(X);
  }

  /** Codes of new data: the trained VAE's posterior mean mu_z (caller disposes). */
  transform(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'transform');
    return this.vae!.transform(X);
  }

  /** n generated images from the prior, z ~ N(0, I) through the decoder. */
  sample(n: number, seed = 0): tf.Tensor2D {
    this.checkFitted('sample');
    return this.vae!.sample(n, seed);
  }

  /** Fraction of entries of S that are non-zero. */
  sparsity(): number {
    this.checkFitted('sparsity');
    const t = tf.tidy(() => tf.mean(tf.cast(tf.notEqual(this.S!, 0), 'float32')));
    const v = t.dataSync()[0];
    t.dispose();
    return v;
  }

  private release(): void {
    this.releaseParts();
    this.vae?.dispose();
    this.vae = null;
  }

  dispose(): void { this.release(); this._fitted = false; }
}
