/**
 * The VAE of Dai, Wang, Aston, Hua & Wipf, "Hidden Talents of the Variational Autoencoder", Sec. 5.1, used as a
 * nonlinear robust PCA: X = L + S with L = mu_x(mu_z(X)) on a learned low-dimensional manifold.
 *
 *   encoder mean       x(d) - E1 - ... - E_Ne - mu_z(kappa)         ReLU hidden layers, linear head
 *   encoder covariance Sigma_z = diag(exp(.)) , a second linear head on the LAST shared hidden layer
 *                      ("sharing the first mean network layers ... an exponential layer appended at the output")
 *   decoder mean       z(kappa) - D1 - ... - D_Nd - mu_x(d)         ReLU hidden layers, linear output
 *   decoder covariance Sigma_x per sample, in closed form from the residual (Sec. 5.1 / Corollary 5):
 *                      [Sigma_x^(i)]_jj = max( mean_t (x_j - mu_x(z^(i,t))_j)^2 , alpha )
 *                      "the infinite-capacity limit for Sigma_x"; alpha > 0 is the paper's lower bound on the
 *                      covariance singular values (Sec. 3, the sets S_alpha), without which log 0 appears.
 *
 * Objective per sample (twice the negative ELBO of eq. 2, constants dropped, so that the KL part is eq. 3):
 *
 *   sum_j [ log [Sigma_x]_jj + mean_t r_tj^2 / [Sigma_x]_jj ]  +  tr Sigma_z + ||mu_z||^2 - log|Sigma_z| - kappa
 *
 * averaged over the mini-batch, plus C1 ||{theta, phi}||_2^2 (weight decay on every parameter; footnote 11: the
 * VAE gets the same C1 as the AEs). z^(i,t) = mu_z + Sigma_z^{1/2} eps, t = 1..tau (eq. 4; Appendix A uses tau = 1
 * and tau = 5). With the closed-form Sigma_x the data term is sum_j log(r_j^2) wherever r_j^2 > alpha: a smooth
 * surrogate of the l0 count of outliers (Theorem 4 / eq. 17), and the KL's -log|Sigma_z| is what lets the VAE
 * prune latent dimensions (Theorem 2, Hypotheses ii-iii).
 *
 * `sigmaX: 'per-sample'` (default) shares Sigma_x^(i) across the tau draws of sample i (it is indexed by i in the
 * paper); 'per-draw' solves it for every draw (Sigma_x as a function of z). With tau = 1 they coincide.
 *
 * Setting `encoderCovariance: 'zero'` removes Sigma_z (and the -log|Sigma_z| term) and replaces the KL by
 * C2 ||mu_z||_2^2 or C2 ||mu_z||_1: the AE-l2 / AE-l1 baselines of Sec. 5.1 (see src/models/dai-ae.ts), the same
 * network and code path, so the comparison isolates the effect of Sigma_z as in the paper.
 *
 * Defaults are the paper's Sec. 5.1 settings: 100-2000-1000-50-1000-2000-100, Adam, learning rate 1e-4, batch 100,
 * 200 epochs, C1 = 5e-4, tau = 1. Weights: Glorot-uniform by default (the paper says only "randomly initialized";
 * Glorot is the Keras / TensorFlow default), zero biases; the variance head starts at zero weights so that
 * Sigma_z = I for every input at the start (an untrained randomly initialised head gives exp of O(5) values,
 * i.e. variances up to ~1e4, for some inputs). He-normal ('he', the initialisation the paper uses for its
 * ground-truth generator) makes |mu_z| ~ 5x larger at the start and the VAE then collapses onto the prior for
 * the whole of a short run (Sec. 5.1 data, kappa = 8, no outliers, 1,500 Adam steps at 1e-3: NMSE 0.42 with He
 * vs 0.18 with Glorot at alpha = 1e-4; 0.10 vs 0.04 at alpha = 1e-2).
 *
 * alpha (`minVariance`) sets how deep the log r^2 data term can go (log alpha per fitted entry) and how large its
 * gradient 2 / r can get (2 / sqrt(alpha)); the paper only asks it to be small. Choose it relative to the data's
 * variance (src/papers/dai2017.ts uses 5e-3 x the mean column variance): an alpha ~1e-4 of the variance gives a
 * spiky, heavy-tailed stochastic gradient that slows the VAE far more than the AEs.
 */
import { tf } from '../backend';
import { Rng } from '../random';
import { DenseLayer, dense, denseForward, layerVariables, disposeLayers, countParams } from '../nets/mlp';
import { trainLoop, mapBatches } from '../train/loop';
import { CompiledStep, StepLoss } from '../train/compile';
import { BaseModel, Decomposition, FitOptions, RobustModel, Generative, EpochRecord } from './base';
import { assertInt, assertNonNegative, assertOneOf, assertPositive, InputError } from '../validate';

export type EncoderCovariance = 'learned' | 'zero';
export type LatentPenalty = 'kl' | 'l2' | 'l1';
export type SigmaXMode = 'per-sample' | 'per-draw';

export interface DaiVAEOptions {
  /** Encoder hidden widths E1..E_Ne (Sec. 5.1: [2000, 1000]; Table 1: Ne layers of 200). */
  encoderHidden: number[];
  /** Latent dimension dim[mu_z] (Sec. 5.1: 50; Table 1: 30). */
  latentDim: number;
  /** Decoder hidden widths D1..D_Nd (Sec. 5.1: [1000, 2000]; Table 1: Nd layers of 200). */
  decoderHidden: number[];
  /** 'learned' (the VAE) or 'zero' (Sigma_z = 0: the AE-l2 / AE-l1 baselines). */
  encoderCovariance: EncoderCovariance;
  /** 'kl' (VAE, eq. 3), 'l2' (C2 ||mu_z||^2, AE-l2) or 'l1' (C2 ||mu_z||_1, AE-l1). */
  latentPenalty: LatentPenalty;
  /** C2, weight of the latent penalty (VAE: 1, fixed; paper's tuned AE-l2 value: 1e3). */
  c2: number;
  /** C1, weight decay on all parameters (Sec. 5.1: 5e-4 for every model). */
  weightDecay: number;
  /** Latent samples per data point, tau (eq. 4; Sec. 5.1: 1; Appendix A: 1 and 5). */
  tau: number;
  /** Lower bound alpha on the diagonal of Sigma_x (Sec. 3). */
  minVariance: number;
  /** How Sigma_x is solved when tau > 1 (see header). */
  sigmaX: SigmaXMode;
  /** Sec. 5.1: 200. */
  epochs: number;
  /** Sec. 5.1: 100. */
  batchSize: number;
  /** Adam learning rate (Sec. 5.1: 1e-4). */
  learningRate: number;
  /** Weight initialisation: 'he' (N(0, 2/fan_in), He et al. 2015, the paper's [22], used for its generator) or 'glorot'. */
  init: 'he' | 'glorot';
  /** Initial log-variance: the variance head starts with zero weights and this bias (0: Sigma_z = I for every x, the prior). */
  logVarInit: number;
  seed: number;
  /**
   * true (default): on tfjs-node each training step (the objective below, tfjs's gradients of it, Adam) runs as
   * ONE traced TensorFlow graph (src/train/compile.ts), for every tau / sigmaX / penalty; the same step to float
   * rounding as the eager one (test/models/dai-vae.test.ts, twin check). false: tfjs autodiff step by step.
   */
  compiledStep: boolean;
}

export const DAI_VAE_DEFAULTS: DaiVAEOptions = {
  encoderHidden: [2000, 1000],
  latentDim: 50,
  decoderHidden: [1000, 2000],
  encoderCovariance: 'learned',
  latentPenalty: 'kl',
  c2: 1,
  weightDecay: 5e-4,
  tau: 1,
  minVariance: 1e-4,
  sigmaX: 'per-sample',
  epochs: 200,
  batchSize: 100,
  learningRate: 1e-4,
  init: 'glorot',
  logVarInit: 0,
  seed: 0,
  compiledStep: true,
};

/** Per-epoch record: total objective plus its parts (per sample, mean over the epoch's last batch). */
export interface DaiEpochRecord extends EpochRecord { }

/**
 * Fit options of the Dai VAE / AEs: `checkpoints` (epoch numbers, 1-based) at which `onCheckpoint` sees the model
 * with its CURRENT weights, readable like a fitted model (reconstruct, latent, firstDecoderWeights): a budget
 * ladder is one long run read at several step counts instead of one run per rung.
 */
export interface DaiFitOptions extends FitOptions {
  checkpoints?: number[];
  onCheckpoint?: (epoch: number, model: DaiVAE) => void;
}

export interface LatentMoments {
  /** mu_z, n x kappa. */
  mean: tf.Tensor2D;
  /** diag(Sigma_z), n x kappa (all zeros for the AEs). */
  variance: tf.Tensor2D;
}

/** The layers of a Dai VAE / AE (logVarHead null for the AEs). */
export interface DaiNet { enc: DenseLayer[]; muHead: DenseLayer; logVarHead: DenseLayer | null; dec: DenseLayer[] }

/** What the objective depends on besides the layers. */
export type DaiLossOptions = Pick<DaiVAEOptions, 'latentPenalty' | 'c2' | 'weightDecay' | 'tau' | 'minVariance' | 'sigmaX'>;

/** Every trained variable of the net: encoder, decoder, mean head, variance head (DaiVAE.variables' order). */
export function daiVariables(net: DaiNet): tf.Variable[] {
  return [...layerVariables(net.enc), ...layerVariables(net.dec), net.muHead.W, net.muHead.b, ...(net.logVarHead ? [net.logVarHead.W, net.logVarHead.b] : [])];
}

/** The shared ReLU encoder layers. */
export function daiHidden(net: DaiNet, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  for (const l of net.enc) h = denseForward(h, l, 'relu');
  return h;
}

/** mu_x(z): ReLU hidden layers, linear output. */
export function daiDecode(net: DaiNet, z: tf.Tensor2D): tf.Tensor2D {
  let h = z;
  net.dec.forEach((l, i) => { h = denseForward(h, l, i + 1 < net.dec.length ? 'relu' : 'linear'); });
  return h;
}

/**
 * Per-sample objective parts of a batch x [B, d] (see the header): `data` [B] with the closed-form Sigma_x,
 * `latent` [B] (2 KL for the VAE, the C2 penalty for the AEs). `eps` is the VAE's standard-normal draw
 * [tau B, kappa] (z = mu + Sigma_z^(1/2) eps, draw t of row i in row t B + i); null for the AEs.
 */
export function daiObjective(net: DaiNet, p: DaiLossOptions, x: tf.Tensor2D, eps: tf.Tensor2D | null): { data: tf.Tensor1D; latent: tf.Tensor1D } {
  const B = x.shape[0], d = x.shape[1], tau = p.tau;
  const h = daiHidden(net, x);
  const mu = denseForward(h, net.muHead, 'linear');
  let z: tf.Tensor2D = mu;
  let latent: tf.Tensor1D;
  if (net.logVarHead) {
    const k = mu.shape[1];
    if (!eps || eps.rank !== 2 || eps.shape[0] !== tau * B || eps.shape[1] !== k) throw new InputError(`Dai VAE objective: needs standard-normal noise of shape [${tau * B}, ${k}] (tau x batch rows, latent dim), got ${eps ? `[${eps.shape}]` : 'none'}`);
    const logVar = denseForward(h, net.logVarHead, 'linear');
    const v = tf.exp(logVar);
    const std = tf.exp(tf.mul(logVar, 0.5));
    z = tf.add(tau > 1 ? tf.tile(mu, [tau, 1]) : mu, tf.mul(tau > 1 ? tf.tile(std, [tau, 1]) : std, eps)) as tf.Tensor2D;
    // tr Sigma_z + ||mu||^2 - log|Sigma_z| - kappa   (2 KL, eq. 3)
    latent = tf.sum(tf.sub(tf.add(v, tf.square(mu)), tf.add(logVar, 1)), 1) as tf.Tensor1D;
  } else {
    if (p.latentPenalty === 'kl') throw new InputError('Dai objective: the KL needs a variance head (the VAE); the AEs use l2 / l1');
    latent = tf.mul(p.c2, p.latentPenalty === 'l2' ? tf.sum(tf.square(mu), 1) : tf.sum(tf.abs(mu), 1)) as tf.Tensor1D;
  }
  const mx = daiDecode(net, z);
  const xt = tau > 1 ? tf.tile(x, [tau, 1]) : x;
  const r2 = tf.square(tf.sub(xt, mx));
  let data: tf.Tensor1D;
  if (tau === 1 || p.sigmaX === 'per-draw') {
    const s2 = tf.maximum(r2, p.minVariance);
    const per = tf.sum(tf.add(tf.log(s2), tf.div(r2, s2)), 1);
    data = (tau > 1 ? tf.mean(tf.reshape(per, [tau, B]), 0) : per) as tf.Tensor1D;
  } else {
    const m = tf.mean(tf.reshape(r2, [tau, B, d]), 0);
    const s2 = tf.maximum(m, p.minVariance);
    data = tf.sum(tf.add(tf.log(s2), tf.div(m, s2)), 1) as tf.Tensor1D;
  }
  return { data, latent };
}

/**
 * The training step's loss for CompiledStep: inputs [x] (AEs) or [x, eps] (VAE, eps as in daiObjective);
 * mean data term + mean latent term + C1 sum ||theta||^2 over every parameter. Keeps the two batch means as
 * `data` and `latent`. Written once: the compiled graph is traced from it, the eager step runs it.
 */
export function daiStepLoss(net: DaiNet, p: DaiLossOptions): StepLoss {
  const vars = daiVariables(net);
  const wd = p.weightDecay;
  return (inputs, keep) => {
    const want = net.logVarHead ? 2 : 1;
    if (inputs.length !== want) throw new InputError(`Dai ${net.logVarHead ? 'VAE' : 'AE'} step: expects ${want} inputs (the batch${want === 2 ? ' and its noise' : ''}), got ${inputs.length}`);
    const { data, latent } = daiObjective(net, p, inputs[0] as tf.Tensor2D, want === 2 ? inputs[1] as tf.Tensor2D : null);
    const dm = tf.mean(data), lm = tf.mean(latent);
    keep('data', dm);
    keep('latent', lm);
    const l = tf.add(dm, lm) as tf.Scalar;
    return (wd > 0 ? tf.add(l, tf.mul(wd, tf.addN(vars.map((v) => tf.sum(tf.square(v)))))) : l) as tf.Scalar;
  };
}

export class DaiVAE extends BaseModel<DaiVAEOptions> implements RobustModel, Generative {
  enc: DenseLayer[] = [];
  muHead: DenseLayer | null = null;
  logVarHead: DenseLayer | null = null;
  /** Decoder layers; dec[0] holds W1 (the first decoder layer, eq. 21). */
  dec: DenseLayer[] = [];
  private Xfit: tf.Tensor2D | null = null;
  private rng: Rng;

  constructor(opts: Partial<DaiVAEOptions> = {}) {
    super(DAI_VAE_DEFAULTS, opts);
    const p = this.params;
    for (const [k, v] of [['encoderHidden', p.encoderHidden], ['decoderHidden', p.decoderHidden]] as const) {
      if (!Array.isArray(v) || v.some((w) => !Number.isInteger(w) || w < 1)) throw new InputError(`${this.constructor.name}: ${k} must be an array of positive integers (may be empty), got ${JSON.stringify(v)}`);
    }
    assertInt(p.latentDim, 'latentDim', 1);
    assertOneOf(p.encoderCovariance, 'encoderCovariance', ['learned', 'zero'] as const);
    assertOneOf(p.latentPenalty, 'latentPenalty', ['kl', 'l2', 'l1'] as const);
    assertOneOf(p.sigmaX, 'sigmaX', ['per-sample', 'per-draw'] as const);
    assertOneOf(p.init, 'init', ['he', 'glorot'] as const);
    if (!Number.isFinite(p.logVarInit)) throw new InputError(`logVarInit must be finite, got ${p.logVarInit}`);
    if (p.encoderCovariance === 'learned' && p.latentPenalty !== 'kl') throw new InputError(`${this.constructor.name}: a learned Sigma_z goes with latentPenalty 'kl' (the VAE); use encoderCovariance 'zero' for the l2 / l1 AEs`);
    if (p.encoderCovariance === 'zero' && p.latentPenalty === 'kl') throw new InputError(`${this.constructor.name}: with Sigma_z = 0 the KL is undefined; use latentPenalty 'l2' (AE-l2) or 'l1' (AE-l1)`);
    assertNonNegative(p.c2, 'c2');
    assertNonNegative(p.weightDecay, 'weightDecay');
    assertInt(p.tau, 'tau', 1);
    assertPositive(p.minVariance, 'minVariance');
    assertInt(p.epochs, 'epochs', 0);
    assertInt(p.batchSize, 'batchSize', 1);
    assertPositive(p.learningRate, 'learningRate');
    this.rng = new Rng(`dai-vae:${p.seed}`);
  }

  get isVAE(): boolean { return this.params.encoderCovariance === 'learned'; }
  get latentDim(): number { return this.params.latentDim; }

  /** W1 of eq. 21 as stored here: [latentDim, width] (row j = the paper's column j, the weights of z_j). */
  get firstDecoderWeights(): tf.Variable {
    this.checkFitted('firstDecoderWeights');
    return this.dec[0].W;
  }

  get variables(): tf.Variable[] {
    return this.muHead ? daiVariables(this.net) : [...layerVariables(this.enc), ...layerVariables(this.dec)];
  }

  get numParams(): number { return countParams(this.variables); }

  private build(d: number): void {
    const p = this.params;
    const r = this.rng.fork('init');
    const layers = (sizes: number[], tag: string): DenseLayer[] => sizes.slice(0, -1).map((fanIn, i) =>
      dense(fanIn, sizes[i + 1], r.fork(`${tag}/${i}`), `dai-${tag}${i}`, p.init === 'he' ? { std: Math.sqrt(2 / fanIn) } : 'glorot'));
    const encSizes = [d, ...p.encoderHidden];
    this.enc = layers(encSizes, 'enc');
    const h = encSizes[encSizes.length - 1];
    this.muHead = layers([h, p.latentDim], 'mu')[0];
    this.logVarHead = this.isVAE ? layers([h, p.latentDim], 'logvar')[0] : null;
    // Sigma_z starts at exp(logVarInit) I for every x (zero weights): the prior when logVarInit = 0.
    const lv = this.logVarHead;
    if (lv) tf.tidy(() => { lv.W.assign(tf.zerosLike(lv.W)); lv.b.assign(tf.fill([p.latentDim], p.logVarInit)); });
    this.dec = layers([p.latentDim, ...p.decoderHidden, d], 'dec');
  }

  private hidden(x: tf.Tensor2D): tf.Tensor2D { return daiHidden(this.net, x); }

  private decodeRaw(z: tf.Tensor2D): tf.Tensor2D { return daiDecode(this.net, z); }

  /** The layers, as the loss functions below take them. */
  private get net(): DaiNet {
    return { enc: this.enc, muHead: this.muHead!, logVarHead: this.logVarHead, dec: this.dec };
  }

  /**
   * Per-sample objective parts for a batch (each [B]): `data` = sum_j log [Sigma_x]_jj + r^2 / [Sigma_x]_jj with the
   * closed-form Sigma_x, `latent` = 2 KL (VAE) or the C2 penalty (AEs). Weight decay is not included. `noise` is
   * the latent noise, standard normal [tau B, kappa] (VAE), or a seed to draw it from. Call inside tf.tidy.
   */
  objective(x: tf.Tensor2D, noise: number | tf.Tensor2D): { data: tf.Tensor1D; latent: tf.Tensor1D } {
    if (!this.dec.length) throw new InputError(`${this.constructor.name}.objective: call fit() first`);
    const p = this.params;
    const eps = !this.isVAE ? null : typeof noise === 'number' ? tf.randomNormal([p.tau * x.shape[0], p.latentDim], 0, 1, 'float32', noise) as tf.Tensor2D : noise;
    return daiObjective(this.net, p, x, eps);
  }

  /**
   * The step's status after the last fit: 'graph' when it ran as one traced TensorFlow graph, 'eager' when it ran
   * tfjs autodiff (compiledStep false, another backend, or a trace that could not be compiled: see the warning).
   */
  stepStatus: 'graph' | 'eager' | 'pending' | null = null;

  /** Fits the model to the corrupted data X (n x d) only. */
  async fit(X: tf.Tensor2D, opts: DaiFitOptions = {}): Promise<this> {
    this.checkFitInput(X);
    const p = this.params;
    const checkpoints = new Set(opts.checkpoints ?? []);
    for (const c of checkpoints) assertInt(c, 'fit: checkpoint epoch', 1);
    if (checkpoints.size && !opts.onCheckpoint) throw new InputError(`${this.constructor.name}.fit: checkpoints given without onCheckpoint`);
    const t0 = Date.now();
    if (this._fitted) this.disposeWeights();
    this.build(X.shape[1]);
    this.Xfit?.dispose();
    this.Xfit = X.clone();
    // One seed per step (also for the AEs, which draw no noise): the stream the earlier hand-written graph step
    // and the eager step used, so tau = 1 runs get the same noise as before.
    const stepRng = this.rng.fork('steps');
    const draws = (rows: number): tf.Tensor[] => {
      const seed = stepRng.tfSeed();
      return this.isVAE ? [tf.randomNormal([p.tau * rows, p.latentDim], 0, 1, 'float32', seed)] : [];
    };
    // The epoch records carry the data / latent parts of every 16th step's batch (read back without a stall each step).
    let last = { data: 0, latent: 0 };
    let count = 0;
    // The weights stay in the graph during an epoch (readback 'deferred'); the loop's flush copies them out.
    const trainer = new CompiledStep(daiStepLoss(this.net, p), this.variables, { learningRate: p.learningRate, readback: 'deferred', compile: p.compiledStep, label: this.constructor.name });
    try {
      const recs = await trainLoop([X], null, [], null, {
        step: (batch) => {
          const { loss, extras } = trainer.run(batch);
          if ((++count & 15) === 0) last = { data: extras.data.dataSync()[0], latent: extras.latent.dataSync()[0] };
          tf.dispose(Object.values(extras));
          return loss;
        },
        flush: () => trainer.syncOut(), draws,
        epochs: p.epochs, batchSize: p.batchSize, shuffle: true, rng: this.rng.fork('batches'),
        progress: opts.progress ?? false, label: opts.label ?? `${this.constructor.name}`,
        onEpoch: (r) => {
          r.data = last.data; r.latent = last.latent;
          if (checkpoints.has(r.epoch)) {
            // The layers hold the current weights (the loop flushed the step's graph before this call).
            const was = this._fitted;
            this._fitted = true;
            try { opts.onCheckpoint!(r.epoch, this); } finally { this._fitted = was; }
          }
          return opts.onEpoch?.(r);
        },
      });
      this.history = { epochs: recs, outer: [], seconds: (Date.now() - t0) / 1000, stopped: 'epochs' };
      this._fitted = true;
      return this;
    } finally {
      this.stepStatus = trainer.status;
      trainer.dispose();
    }
  }

  /** mu_z and diag(Sigma_z) for rows of X (the caller disposes both). */
  latent(X: tf.Tensor2D): LatentMoments {
    this.checkInput(X, 'latent');
    const mean = mapBatches(X, 4096, (xb) => denseForward(this.hidden(xb as tf.Tensor2D), this.muHead!, 'linear')) as tf.Tensor2D;
    const variance = this.isVAE
      ? mapBatches(X, 4096, (xb) => tf.exp(denseForward(this.hidden(xb as tf.Tensor2D), this.logVarHead!, 'linear'))) as tf.Tensor2D
      : tf.zerosLike(mean) as tf.Tensor2D;
    return { mean, variance };
  }

  /** The latent mean mu_z(X) (n x kappa). */
  transform(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'transform');
    return mapBatches(X, 4096, (xb) => denseForward(this.hidden(xb as tf.Tensor2D), this.muHead!, 'linear')) as tf.Tensor2D;
  }

  /** mu_x(z) for latent rows z. */
  decode(Z: tf.Tensor2D): tf.Tensor2D {
    this.checkFitted('decode');
    if (Z.rank !== 2 || Z.shape[1] !== this.params.latentDim) throw new InputError(`${this.constructor.name}.decode: Z must be n x ${this.params.latentDim}, got [${Z.shape}]`);
    return mapBatches(Z, 4096, (zb) => this.decodeRaw(zb as tf.Tensor2D)) as tf.Tensor2D;
  }

  /** The deterministic map mu_x(mu_z(x)): the estimate of the clean point L. */
  reconstruct(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'reconstruct');
    return mapBatches(X, 4096, (xb) => this.decodeRaw(denseForward(this.hidden(xb as tf.Tensor2D), this.muHead!, 'linear'))) as tf.Tensor2D;
  }

  /** L = mu_x(mu_z(X)), S = X - L on the fitted data. */
  decompose(): Decomposition {
    this.checkFitted('decompose');
    const L = this.reconstruct(this.Xfit!);
    return { L, S: tf.sub(this.Xfit!, L) as tf.Tensor2D };
  }

  /** Prior samples through the decoder mean. */
  sample(n: number, seed = 0): tf.Tensor2D {
    this.checkFitted('sample');
    assertInt(n, 'sample: n', 1);
    return tf.tidy(() => this.decodeRaw(tf.randomNormal([n, this.params.latentDim], 0, 1, 'float32', seed)));
  }

  private disposeWeights(): void {
    disposeLayers(this.enc); disposeLayers(this.dec);
    if (this.muHead) disposeLayers([this.muHead]);
    if (this.logVarHead) disposeLayers([this.logVarHead]);
    this.enc = []; this.dec = []; this.muHead = null; this.logVarHead = null;
  }

  dispose(): void {
    if (this._fitted || this.enc.length || this.dec.length) this.disposeWeights();
    this.Xfit?.dispose();
    this.Xfit = null;
    this._fitted = false;
  }
}
