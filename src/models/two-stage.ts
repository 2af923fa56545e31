/**
 * Two-stage "denoise, then generate" baselines of Ren et al. 2020 (Sec. 4 and Appendix B.2): a denoiser splits the
 * corrupted data X = L + S, and a standard VAE is trained on L ("L is used as the cleaned image to generate new
 * images"). Denoisers: a low-pass (box mean) filter (src/models/baselines/lpf.ts), convex Robust PCA
 * (src/models/rpca.ts) and the Robust Deep Autoencoder (src/models/rda.ts); any object with fit / decompose /
 * dispose works too.
 *
 * L is clipped to [0, 1] before the VAE (RPCA's and the filter's L can leave the pixel range, and a Bernoulli
 * likelihood needs targets in [0, 1]). Training time is measured per stage (`denoiserSeconds`, `vaeSeconds`).
 */
import { tf } from '../backend';
import { Decomposition, FitOptions, Generative, TrainingHistory, emptyHistory } from './base';
import { VAE, VAEOptions } from './vae';
import { LowPassFilter, LowPassOptions } from './baselines/lpf';
import { RobustPCA } from './rpca';
import { RobustDeepAutoencoder, RdaOptions } from './rda';
import { InputError, assertMatrix } from '../validate';

/** Anything that splits X into L + S. */
export interface Denoiser {
  fit(X: tf.Tensor2D, opts?: FitOptions): Promise<unknown>;
  decompose(): Decomposition;
  dispose(): void;
}

export type DenoiserName = 'lpf' | 'rpca' | 'rda';

export interface TwoStageOptions {
  denoiser: DenoiserName | Denoiser;
  /** Options of the named denoiser (LowPassOptions, RobustPCA's options or RdaOptions). */
  denoiserOptions?: Record<string, unknown>;
  vae?: Partial<VAEOptions>;
  /** Clip L to [0, 1] before the VAE (default true). */
  clip?: boolean;
}

export function makeDenoiser(name: DenoiserName, opts: Record<string, unknown> = {}): Denoiser {
  switch (name) {
    case 'lpf': return new LowPassFilter(opts as Partial<LowPassOptions>);
    case 'rpca': return new RobustPCA(opts as never) as unknown as Denoiser;
    case 'rda': return new RobustDeepAutoencoder(opts as Partial<RdaOptions>);
    default: throw new InputError(`unknown denoiser "${name as string}"; use lpf, rpca or rda`);
  }
}

export class TwoStage implements Generative {
  readonly name: string;
  readonly denoiser: Denoiser;
  readonly vae: VAE;
  readonly clip: boolean;
  /** L (clipped) that the VAE was trained on; owned by the model. */
  L: tf.Tensor2D | null = null;
  denoiserSeconds = 0;
  vaeSeconds = 0;
  history: TrainingHistory = emptyHistory();
  /** The options the model was built with (clip's default filled in). */
  readonly params: Readonly<TwoStageOptions & Record<string, unknown>>;
  private fittedFlag = false;

  constructor(opts: TwoStageOptions) {
    if (!opts || opts.denoiser === undefined) throw new InputError('TwoStage: option "denoiser" is required (lpf, rpca, rda or an object)');
    const known = ['denoiser', 'denoiserOptions', 'vae', 'clip'];
    for (const k of Object.keys(opts)) if (!known.includes(k)) throw new InputError(`TwoStage: unknown option "${k}"; known options: ${known.join(', ')}`);
    this.params = Object.freeze({ ...opts, clip: opts.clip ?? true });
    this.denoiser = typeof opts.denoiser === 'string' ? makeDenoiser(opts.denoiser, opts.denoiserOptions) : opts.denoiser;
    if (typeof this.denoiser.fit !== 'function' || typeof this.denoiser.decompose !== 'function') throw new InputError('TwoStage: denoiser needs fit(X) and decompose()');
    this.name = `${typeof opts.denoiser === 'string' ? opts.denoiser.toUpperCase() : 'custom'}+VAE`;
    this.vae = new VAE(opts.vae ?? {});
    this.clip = opts.clip ?? true;
  }

  get fitted(): boolean { return this.fittedFlag; }

  /** Total training time, seconds (denoiser + VAE). */
  get seconds(): number { return this.denoiserSeconds + this.vaeSeconds; }

  async fit(X: tf.Tensor2D, opts: FitOptions = {}): Promise<this> {
    assertMatrix(X, 'TwoStage.fit: X');
    this.fittedFlag = false;
    this.L?.dispose();
    this.L = null;
    const t0 = Date.now();
    await this.denoiser.fit(X, { progress: opts.progress, label: `${this.name} denoiser` });
    const { L, S } = this.denoiser.decompose();
    S.dispose();
    this.L = this.clip ? tf.tidy(() => tf.clipByValue(L, 0, 1)) as tf.Tensor2D : L;
    if (this.clip) L.dispose();
    this.denoiserSeconds = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    await this.vae.fit(this.L, { progress: opts.progress, label: `${this.name} VAE`, onEpoch: opts.onEpoch });
    this.vaeSeconds = (Date.now() - t1) / 1000;
    this.history = { ...this.vae.history, seconds: this.seconds };
    this.fittedFlag = true;
    return this;
  }

  sample(n: number, seed = 0): tf.Tensor2D {
    if (!this.fittedFlag) throw new InputError('TwoStage.sample: call fit() first');
    return this.vae.sample(n, seed);
  }

  dispose(): void {
    this.L?.dispose();
    this.L = null;
    this.denoiser.dispose();
    this.vae.dispose();
    this.fittedFlag = false;
  }
}
