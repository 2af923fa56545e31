/**
 * Experiment drivers for Dai, Wang, Aston, Hua & Wipf, "Hidden Talents of the Variational Autoencoder".
 * Every experiment is a list of cells run through the resumable results store (src/experiment/store.ts): a rerun
 * skips finished cells and an interrupted sweep resumes. Each cell builds its data from seeds, trains one model,
 * reads what the figures need from it (NMSE, W1 column norms, Sigma_z statistics), disposes every tensor and
 * returns plain numbers.
 *
 *   Sec. 5.1 / Figure 1   phaseCell: (kappa, nu, model) -> NMSE of L-hat against the clean L
 *   Sec. 5.3 / Figure 3   the VAE phase cells also keep a histogram of diag(Sigma_z)
 *   Sec. 5.3 / Figure 4   sigmaZCell: kappa = dim z = 10, nu varied -> sorted mean diag(Sigma_z)
 *   Sec. 5.2 / Table 1    pruningCell: (Ne, Nd, trial) -> nonzero columns of W1 (+ sorted norms, Figure 2a)
 *   Sec. 5.2 / Figure 2b  mnistPruningCell: (kappa, model) on MNIST -> nonzero columns of W1
 *   App. A / Figure 5     mnistRecoveryCell: (nu, model in vae-tau1 / vae-tau5 / rpca) -> NMSE on MNIST
 *
 * Sizes per scale live in DAI_SCALES; the notebook (notebooks/src/04-hidden-talents-of-the-vae.ts) only picks
 * the scale and draws.
 */
import { tf } from '../backend';
import { Rng } from '../random';
import { Scale } from '../experiment/scale';
import { ResultsStore, paramsKey, type Params } from '../experiment/store';
import { computeCell, denseTrainGflop, type WriteCellSpec } from '../experiment/sweep';
import { verdictText } from '../experiment/claims';
import { ManifoldGenerator, makeManifoldData, singularValueProfile, MANIFOLD_SEC51, MANIFOLD_SEC52 } from '../data/manifold';
import { loadMnistSync } from '../data/mnist';
import { uniformReplace } from '../corruptions';
import { DaiVAE, DaiVAEOptions } from '../models/dai-vae';
import { DaiAE } from '../models/dai-ae';
import { RobustPCA } from '../models/rpca';
import { certifyInverse } from '../train/certify';
import { nmse } from '../metrics/nmse';
import { w1ColumnNorms, countNonzeroColumns, sigmaZStats, type SigmaZStats } from '../inspect/latent';
import { verdictFig1Dominance, ladderTrend, type DaiVerdict, type Fig1Cell, type Fig3Cell, type LadderTrend } from './dai2017-claims';
import { fmt } from './verdict';

export * from './dai2017-claims';

/** Bump when a change alters what a cell computes (the store then recomputes). */
export const DAI_CODE_VERSION = 'dai-v6';

export type PhaseModel = 'vae' | 'ae-l2' | 'ae-l1' | 'rpca';
export const PHASE_MODELS: PhaseModel[] = ['vae', 'ae-l2', 'ae-l1', 'rpca'];

export interface TrainConfig {
  epochs: number; learningRate: number; batchSize: number;
  /** Weight initialisation of the models (the paper: "randomly initialized"; 'glorot' is the Keras / TensorFlow default). */
  init: 'he' | 'glorot';
  /**
   * The floor alpha on diag(Sigma_x) (and so the depth of the log r^2 data term), as a fraction of the mean column
   * variance of the OBSERVED X (the paper only asks alpha to be small and gives no value; an absolute 1e-4 is
   * ~5e-5 of the Sec. 5.1 data's variance but ~1e-3 of MNIST's).
   */
  alphaRel: number;
  /**
   * Budget ladder: the optimiser-step counts at which the run is read out (NMSE, W1 columns, Sigma_z, ...), all
   * from ONE training run (DaiVAE.fit checkpoints); the last rung is the end of training. Empty = end only.
   */
  ladder: number[];
}

/** Optimiser steps per epoch of a TrainConfig on n samples. */
export function stepsPerEpoch(train: Pick<TrainConfig, 'batchSize'>, n: number): number { return Math.ceil(n / Math.min(train.batchSize, n)); }

/** The checkpoint epochs of a TrainConfig's ladder on n samples (rounded to whole epochs, <= epochs), plus the last epoch. */
export function ladderEpochs(train: Pick<TrainConfig, 'batchSize' | 'epochs' | 'ladder'>, n: number): number[] {
  const spe = stepsPerEpoch(train, n);
  const es = train.ladder.map((s) => Math.max(1, Math.round(s / spe))).filter((e) => e <= train.epochs);
  return [...new Set([...es, train.epochs])].filter((e) => e >= 1).sort((a, b) => a - b);
}

/** Convex RPCA stopping rule: ||D - L - S||_F / ||D||_F < tol or maxIter iterations (MATLAB code: 1e-7, 1000). */
export interface RpcaConfig { tol: number; maxIter: number }

export interface DaiScaleConfig {
  phase: {
    /** Samples per cell (paper: 10^6). */
    n: number;
    /** Ground-truth decoder widths [r1, r2] (paper: [1000, 2000]); models mirror them. */
    hidden: [number, number];
    d: number;
    latentDim: number;
    kappas: number[];
    nus: number[];
    train: TrainConfig;
    /** Inverse-network certification. */
    certify: { n: number; nTest: number; epochs: number; batchSize: number; learningRate: number };
    /** C2 candidates for the AEs and the (kappa, nu) cell on which they are tuned (best NMSE). */
    c2Grid: { 'ae-l2': number[]; 'ae-l1': number[] };
    tuneCell: { kappa: number; nu: number };
    /** Stopping rule of the convex RPCA baseline. */
    rpca: RpcaConfig;
    /** Models also run at nu = 0 (the VAE for Figure 3; nu = 0 is not part of the Figure 1 claim). */
    nu0Models: PhaseModel[];
    /** The decisive Figure 1 cell, trained for `steps` and read at every ladder rung (VAE, AE-l2, AE-l1 at their tuned C2). */
    ladderCell: { kappa: number; nu: number; steps: number };
    /** Model widths [r1, r2] other than `hidden` tried on the ladder cell (VAE and AE-l2 at its tuned C2), each for `steps` (the ladder-cell run is the `hidden` rung). */
    widthLadder: { widths: [number, number][]; steps: number };
    /** Learning rates other than train.learningRate tried for the VAE on the ladder cell, each for `steps` (the ladder-cell run is the train rung). */
    lrLadder: { rates: number[]; steps: number };
    /** Readings of the AE-l2's C2 tried for footnote 12 (C2 = 1 vs 10^3 on the tune cell, phase.train budget). */
    c2Readings: C2Reading[];
    /** Certificate ladder: inverse networks of these kappas trained for each number of epochs. */
    certifyLadder: { kappas: number[]; epochs: number[] };
  };
  /** Figure 4: kappa = dim[mu_z] = 10 as nu varies. */
  sigmaZ: { kappa: number; nus: number[] };
  pruning: {
    n: number; kappa: number; genHidden: [number, number]; d: number; latentDim: number; width: number;
    encoderDepths: number[]; decoderDepths: number[]; trials: number; train: TrainConfig;
    /** Learning-rate rungs on one (Ne, Nd) cell, each trained `steps` (trial 0). */
    lrLadder: { ne: number; nd: number; rates: number[]; steps: number };
  };
  mnist: {
    /** Images (paper: all 70,000). */
    n: number;
    hidden: number[];
    kappas: number[];
    /** Figure 2b trials per kappa (paper: 10). */
    trials: number;
    train: TrainConfig;
    /** Appendix A: fractions of replaced pixels and the latent size (paper: 5%-50%, kappa = 30). */
    nus: number[];
    recoveryKappa: number;
    taus: number[];
    /** Stopping rule of the convex RPCA baseline (Figure 5b). */
    rpca: RpcaConfig;
    /** Diagnostic rungs of alpha (x var(X)) for the tau = 1 VAE at the first nu: how deep the log r^2 well must be for the blank image to win. */
    alphaLadder: number[];
  };
}

const PAPER_TRAIN: TrainConfig = { epochs: 200, learningRate: 1e-4, batchSize: 100, init: 'glorot', alphaRel: 5e-3, ladder: [] };

/** The ladder rungs (optimiser steps) read out of every run: 1.5k (the old quick budget), doubling. */
export const DAI_LADDER_STEPS = [1500, 3000, 6000, 12000, 24000, 48000, 96000, 192000];

/** Training at the paper's learning rate 1e-4, batch 100, for `steps` optimiser steps on n samples, read at every ladder rung. */
const PAPER_LR_TRAIN = (steps: number, n: number): TrainConfig => ({ epochs: Math.round(steps / stepsPerEpoch({ batchSize: 100 }, n)), learningRate: 1e-4, batchSize: 100, init: 'glorot', alphaRel: 5e-3, ladder: DAI_LADDER_STEPS.filter((s) => s < steps) });
const SMOKE_TRAIN = (epochs: number): TrainConfig => ({ epochs, learningRate: 1e-3, batchSize: 100, init: 'glorot', alphaRel: 5e-3, ladder: [1] });

/**
 * The scales. `paper` is the paper's protocol (n = 10^6, widths 1000/2000, lr 1e-4, ~2,000,000 Adam steps per
 * network). `quick` (~25 min on 2 cores) was sized by budget ladders (runs read at 1.5k, 3k, 6k, ... steps):
 *   - every Sec. 5.1 network at the paper's lr 1e-4 for 12k steps (at the old 1e-3 x 1.5k steps the VAE was still
 *     on its prior; at 1e-3 it also switches latent dimensions off too early), n = 3,000, widths 100/200;
 *   - the decisive cell (kappa 8, nu 0.25) to 48k steps for the VAE and both AEs, with width (250/500) and lr
 *     (1e-3) rungs; the AEs only at nu > 0 (the Figure 1 claim), the VAE also at nu = 0 (Figure 3);
 *   - Table 1 at lr 1e-3 for 6k steps (at lr 1e-4 no column of W1 is pruned within 12k steps; the lr 1e-4 rung is
 *     kept beside it), width 200 as in the paper;
 *   - MNIST at 3k steps: every rung from 1.5k to 6k steps (lr 1e-4 or 1e-3, alpha up to 10x) gave the same
 *     blank-image estimate, so more steps buy nothing there (an alpha rung is kept as the diagnostic).
 * `long` (one machine overnight) runs the same cells further: grid at 48k steps, the ladder cell to 192k, widths
 * up to the paper's 1000/2000, three Table 1 trials at lr 1e-4. Convex RPCA keeps the paper's stopping rule at
 * every scale. `smoke` only proves the cells run.
 */
export const DAI_SCALES: Record<Scale, DaiScaleConfig> = {
  paper: {
    phase: {
      n: 1_000_000, hidden: [...MANIFOLD_SEC51.hidden] as [number, number], d: MANIFOLD_SEC51.outDim, latentDim: 50,
      kappas: [2, 4, 6, 8, 10, 12, 14, 16, 18, 20], nus: [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5],
      train: PAPER_TRAIN,
      certify: { n: 100_000, nTest: 10_000, epochs: 50, batchSize: 100, learningRate: 1e-4 },
      c2Grid: { 'ae-l2': [1, 10, 100, 1000, 10000], 'ae-l1': [0.1, 1, 10, 100, 1000] }, tuneCell: { kappa: 10, nu: 0.25 }, rpca: { tol: 1e-7, maxIter: 1000 },
      nu0Models: ['vae', 'ae-l2', 'ae-l1', 'rpca'],
      ladderCell: { kappa: 8, nu: 0.25, steps: 2_000_000 }, widthLadder: { widths: [[1000, 2000]], steps: 2_000_000 }, lrLadder: { rates: [1e-4], steps: 2_000_000 },
      c2Readings: ['sum'], certifyLadder: { kappas: [20], epochs: [50] },
    },
    sigmaZ: { kappa: 10, nus: [0, 0.1, 0.2, 0.3, 0.4, 0.5] },
    pruning: { n: 1_000_000, kappa: 20, genHidden: [...MANIFOLD_SEC52.hidden] as [number, number], d: MANIFOLD_SEC52.outDim, latentDim: 30, width: 200, encoderDepths: [0, 1, 2, 3], decoderDepths: [0, 1, 2, 3], trials: 10, train: PAPER_TRAIN, lrLadder: { ne: 3, nd: 2, rates: [], steps: 0 } },
    mnist: { n: 70_000, hidden: [1000, 500, 250], kappas: [3, 5, 8, 10, 15, 20, 25, 30, 35, 40], trials: 10, train: PAPER_TRAIN, nus: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5], recoveryKappa: 30, taus: [1, 5], rpca: { tol: 1e-7, maxIter: 1000 }, alphaLadder: [] },
  },
  long: {
    // One machine overnight (estimated ~3.5 h for this notebook at the 1-thread step times of quick: 1.5 ms per
    // 100/200 step, ~2.5 ms per Table 1 step, ~6 ms per MNIST step; not yet run end to end): quick's cells run
    // further along the same ladders, at the paper's learning rate throughout.
    phase: {
      n: 3000, hidden: [100, 200], d: 100, latentDim: 50,
      kappas: [2, 8, 14, 20], nus: [0, 0.25, 0.5],
      train: PAPER_LR_TRAIN(48000, 3000),
      certify: { n: 20000, nTest: 2000, epochs: 50, batchSize: 100, learningRate: 1e-3 },
      c2Grid: { 'ae-l2': [1, 10, 100, 1000], 'ae-l1': [1, 10, 100] }, tuneCell: { kappa: 8, nu: 0.25 }, rpca: { tol: 1e-7, maxIter: 1000 },
      nu0Models: ['vae', 'rpca'],
      ladderCell: { kappa: 8, nu: 0.25, steps: 192000 }, widthLadder: { widths: [[250, 500], [500, 1000], [1000, 2000]], steps: 12000 }, lrLadder: { rates: [1e-3, 3e-4], steps: 48000 },
      c2Readings: ['sum', 'mean-d', 'c1-dataset', 'mean-z'], certifyLadder: { kappas: [14, 20], epochs: [10, 20, 40, 80, 160] },
    },
    sigmaZ: { kappa: 10, nus: [0, 0.1, 0.2, 0.3, 0.4, 0.5] },
    pruning: { n: 3000, kappa: 20, genHidden: [200, 200], d: 400, latentDim: 30, width: 200, encoderDepths: [0, 3], decoderDepths: [0, 1, 2, 3], trials: 2, train: PAPER_LR_TRAIN(96000, 3000), lrLadder: { ne: 3, nd: 2, rates: [1e-3, 3e-4], steps: 48000 } },
    mnist: { n: 10000, hidden: [256, 128, 64], kappas: [5, 15, 30], trials: 1, train: PAPER_LR_TRAIN(20000, 10000), nus: [0.1, 0.3, 0.5], recoveryKappa: 30, taus: [1, 5], rpca: { tol: 1e-7, maxIter: 1000 }, alphaLadder: [0.05, 0.5] },
  },
  quick: {
    phase: {
      n: 3000, hidden: [100, 200], d: 100, latentDim: 50,
      kappas: [2, 8, 14, 20], nus: [0, 0.25, 0.5],
      train: PAPER_LR_TRAIN(12000, 3000),
      certify: { n: 20000, nTest: 2000, epochs: 10, batchSize: 100, learningRate: 3e-3 },
      c2Grid: { 'ae-l2': [1, 1000], 'ae-l1': [1, 100] }, tuneCell: { kappa: 8, nu: 0.25 }, rpca: { tol: 1e-7, maxIter: 1000 },
      nu0Models: ['vae', 'rpca'],
      ladderCell: { kappa: 8, nu: 0.25, steps: 48000 }, widthLadder: { widths: [[250, 500]], steps: 12000 }, lrLadder: { rates: [1e-3], steps: 12000 },
      c2Readings: ['sum', 'mean-d', 'c1-dataset'], certifyLadder: { kappas: [20], epochs: [10, 20, 40, 80] },
    },
    sigmaZ: { kappa: 10, nus: [0, 0.25, 0.5] },
    pruning: { n: 3000, kappa: 20, genHidden: [200, 200], d: 400, latentDim: 30, width: 200, encoderDepths: [0, 3], decoderDepths: [0, 1, 2, 3], trials: 1, train: { ...PAPER_LR_TRAIN(6000, 3000), learningRate: 1e-3 }, lrLadder: { ne: 3, nd: 2, rates: [1e-4], steps: 12000 } },
    mnist: { n: 3000, hidden: [256, 128, 64], kappas: [5, 30], trials: 1, train: PAPER_LR_TRAIN(3000, 3000), nus: [0.1, 0.5], recoveryKappa: 30, taus: [1, 5], rpca: { tol: 1e-7, maxIter: 1000 }, alphaLadder: [0.5] },
  },
  smoke: {
    phase: {
      n: 300, hidden: [16, 32], d: 20, latentDim: 8,
      kappas: [2, 4], nus: [0, 0.3],
      train: SMOKE_TRAIN(2),
      certify: { n: 300, nTest: 100, epochs: 2, batchSize: 100, learningRate: 1e-3 },
      c2Grid: { 'ae-l2': [1, 1000], 'ae-l1': [1] }, tuneCell: { kappa: 2, nu: 0.3 }, rpca: { tol: 1e-7, maxIter: 1000 },
      nu0Models: ['vae', 'rpca'],
      ladderCell: { kappa: 2, nu: 0.3, steps: 9 }, widthLadder: { widths: [[24, 48]], steps: 6 }, lrLadder: { rates: [1e-4], steps: 6 },
      c2Readings: ['sum', 'c1-dataset'], certifyLadder: { kappas: [4], epochs: [1, 2] },
    },
    sigmaZ: { kappa: 4, nus: [0, 0.3] },
    pruning: { n: 300, kappa: 4, genHidden: [16, 16], d: 24, latentDim: 6, width: 16, encoderDepths: [0, 1], decoderDepths: [0, 1], trials: 1, train: SMOKE_TRAIN(2), lrLadder: { ne: 1, nd: 1, rates: [1e-4], steps: 6 } },
    mnist: { n: 200, hidden: [32, 16], kappas: [3, 6], trials: 1, train: SMOKE_TRAIN(1), nus: [0.1, 0.5], recoveryKappa: 6, taus: [1, 2], rpca: { tol: 1e-7, maxIter: 1000 }, alphaLadder: [0.5] },
  },
};

export function daiConfig(scale: Scale): DaiScaleConfig { return DAI_SCALES[scale]; }

/** The results store of one experiment of this notebook (results/<scale>/04-hidden-talents-of-the-vae/<name>.jsonl). */
export function daiStore(name: DaiStoreName, scale: Scale): ResultsStore {
  return new ResultsStore(DAI_STORES[name].file, { version: DAI_STORES[name].version, scale });
}

/** The notebook's results stores (file under results/<scale>/, code version), one per experiment group. */
export const DAI_STORES = {
  manifolds: { file: '04-hidden-talents-of-the-vae/manifolds.jsonl', version: DAI_CODE_VERSION },
  phase: { file: '04-hidden-talents-of-the-vae/phase.jsonl', version: DAI_CODE_VERSION },
  'sigma-z': { file: '04-hidden-talents-of-the-vae/sigma-z.jsonl', version: DAI_CODE_VERSION },
  pruning: { file: '04-hidden-talents-of-the-vae/pruning.jsonl', version: DAI_CODE_VERSION },
  mnist: { file: '04-hidden-talents-of-the-vae/mnist.jsonl', version: DAI_CODE_VERSION },
} as const;
export type DaiStoreName = keyof typeof DAI_STORES;

/** Mean over columns of the per-column variance of X (the data scale alpha is measured against). */
export function meanColumnVariance(X: tf.Tensor2D): number {
  return tf.tidy(() => tf.mean(tf.moments(X, 0).variance).dataSync()[0]);
}

/** The model options of a TrainConfig for data X: epochs, learning rate, batch, init and alpha = alphaRel x scale(X). */
export function trainOptions(train: TrainConfig, X: tf.Tensor2D): Partial<DaiVAEOptions> {
  const v = meanColumnVariance(X);
  const minVariance = train.alphaRel * (Number.isFinite(v) && v > 0 ? v : 1);
  return { epochs: train.epochs, learningRate: train.learningRate, batchSize: train.batchSize, init: train.init, minVariance };
}

/** The store keys of a TrainConfig (everything that changes what a cell computes). */
function trainKeys(train: TrainConfig): Record<string, number | string> {
  return { epochs: train.epochs, lr: train.learningRate, batch: train.batchSize, init: train.init, alphaRel: train.alphaRel, ladder: train.ladder.join(',') };
}

function seedOf(...parts: (string | number)[]): number { return new Rng(parts.join(':')).nextUint32(); }

/**
 * Convex RPCA (eq. 14) by inexact ALM (src/models/rpca.ts): fits the shared RobustPCA (rows = samples;
 * lambda = 1/sqrt(max(n, d)) default) with the scale's stopping rule and returns L-hat.
 */
export async function rpcaLowRank(X: tf.Tensor2D, stop: Partial<RpcaConfig> = {}): Promise<tf.Tensor2D> {
  const m = new RobustPCA({ ...(stop.tol !== undefined ? { tol: stop.tol } : {}), ...(stop.maxIter !== undefined ? { maxIter: stop.maxIter } : {}) });
  try {
    await m.fit(X);
    const { L, S } = m.decompose();
    S.dispose();
    return L;
  } finally {
    m.dispose();
  }
}

// ------------------------------------------------------------------------------------------------ Sec. 5.1 data
export interface ManifoldCellResult {
  kappa: number;
  /** Standard deviation of the entries of L (outliers are N(0, 1)). */
  std: number;
  /** Singular values of centred L (descending) and the ranks holding 90 / 99 % of its energy. */
  singularValues: number[];
  rank90: number; rank99: number; energyAtKappa: number;
  /** Held-out ||z_hat - z||^2 / ||z||^2 of the trained inverse network (the certificate). */
  certTestRelError: number; certTrainRelError: number; certSeconds: number;
}

function generatorFor(kappa: number, cfg: DaiScaleConfig['phase'], seed: number): ManifoldGenerator {
  return new ManifoldGenerator({ kappa, hidden: cfg.hidden, outDim: cfg.d, seed: `sec51:${seed}:${kappa}` });
}

/** Profile and certify the Sec. 5.1 ground-truth manifold of dimension kappa. */
/** The store key of manifoldCell. */
export function manifoldKey(cfg: DaiScaleConfig['phase'], kappa: number, seed = 0): Params {
  return { exp: 'manifold', kappa, seed, n: cfg.n, r1: cfg.hidden[0], r2: cfg.hidden[1], d: cfg.d, certEpochs: cfg.certify.epochs };
}

export async function manifoldCell(store: ResultsStore, cfg: DaiScaleConfig['phase'], kappa: number, seed = 0): Promise<ManifoldCellResult> {
  return store.cell(manifoldKey(cfg, kappa, seed), async () => {
    const g = generatorFor(kappa, cfg, seed);
    try {
      const { Z, L } = g.sample(Math.min(cfg.n, 20000), seedOf('profile', seed, kappa));
      const prof = singularValueProfile(L, kappa);
      const std = tf.tidy(() => Math.sqrt(tf.moments(L).variance.dataSync()[0]));
      tf.dispose([Z, L]);
      const c = await certifyInverse(g, { ...cfg.certify, seed: `cert:${seed}:${kappa}` });
      return { kappa, std, singularValues: prof.values, rank90: prof.rank90, rank99: prof.rank99, energyAtKappa: prof.energyAtKappa ?? NaN, certTestRelError: c.testRelError, certTrainRelError: c.trainRelError, certSeconds: c.seconds };
    } finally {
      g.dispose();
    }
  });
}

/** One rung of the certificate ladder: the inverse network of the kappa manifold trained for `epochs` (else as cfg.certify). */
/** The store key of certifyCell. */
export function certifyKey(cfg: DaiScaleConfig['phase'], kappa: number, epochs: number, seed = 0): Params {
  const c = cfg.certify;
  return { exp: 'certify', kappa, seed, r1: cfg.hidden[0], r2: cfg.hidden[1], d: cfg.d, certN: c.n, certEpochs: epochs, certLr: c.learningRate, certBatch: c.batchSize };
}

export async function certifyCell(store: ResultsStore, cfg: DaiScaleConfig['phase'], kappa: number, epochs: number, seed = 0): Promise<{ testRelError: number; trainRelError: number; seconds: number }> {
  const c = { ...cfg.certify, epochs };
  return store.cell(certifyKey(cfg, kappa, epochs, seed), async () => {
    const g = generatorFor(kappa, cfg, seed);
    try {
      const r = await certifyInverse(g, { ...c, seed: `cert:${seed}:${kappa}` });
      return { testRelError: r.testRelError, trainRelError: r.trainRelError, seconds: r.seconds };
    } finally {
      g.dispose();
    }
  });
}

// ------------------------------------------------------------------------------------------------ Sec. 5.1 cells
/** One rung of a budget ladder: the model read out after `steps` optimiser steps of its run. */
export interface DaiLadderPoint {
  steps: number;
  nmse: number;
  /** Nonzero columns of W1 (0.05 x max threshold). */
  nonzeroColumns: number;
  /** VAE only: dimensions whose mean [Sigma_z]_jj is < 0.05 (used) and fractions of entries near 0 / 1. */
  usedDims?: number; fracNearZero?: number; fracNearOne?: number;
  /** VAE only: mean [Sigma_z]_jj per latent dimension. */
  meanPerDim?: number[];
  /** mean |L-hat| (MNIST: near 0 = the blank-image estimate). */
  meanAbsEstimate?: number;
}

export interface PhaseCellResult {
  nmse: number;
  /** NMSE of doing nothing (L-hat = X), for scale. */
  nmseInput: number;
  /** Nonzero columns of W1 (0.05 x max threshold); NaN for RPCA. */
  nonzeroColumns: number;
  /** Sigma_z diagonal statistics (VAE only). */
  sigmaZ?: { counts: number[]; edges: number[]; max: number; meanPerDim: number[]; fracNearZero: number; fracNearOne: number; usedDims: number };
  /** The run read at every ladder rung (the last rung = the end of training); empty for RPCA. */
  ladder: DaiLadderPoint[];
  finalLoss: number;
  seconds: number;
}

/**
 * How C2 (and C1) of the AEs are scaled against the data term: the paper does not say (footnote 12 reports that
 * C2 = 1 is "much worse" than its tuned 10^3). Each reading maps the paper's (C2, C1 = 5e-4) to this code's
 * per-sample objective  sum_j data_j + c2 ||mu_z||^2 (+ weightDecay ||theta||^2 on the batch mean):
 *
 *   'sum'         the data term summed over the d entries, C2 and C1 as written (this code's default)
 *   'mean-d'      the data term averaged over the d entries (a Keras-style mean loss), C2 ||mu||^2 and C1 as
 *                 written: in this code's units c2 = d x C2, weightDecay = d x C1
 *   'c1-dataset'  C1 ||theta||^2 added once to the objective summed over all n samples (not to every batch mean):
 *                 weightDecay = C1 / n, so weight decay barely counters the scale ambiguity of mu_z
 *   'mean-z'      C2 times the MEAN of mu_z^2 over the latent dimensions: c2 = C2 / dim z
 */
export type C2Reading = 'sum' | 'mean-d' | 'c1-dataset' | 'mean-z';
export const C2_READINGS: C2Reading[] = ['sum', 'mean-d', 'c1-dataset', 'mean-z'];

/** The (c2, weightDecay) of this code for the paper's C2 (C1 = 5e-4) under a reading; d, n and dim z of the data / model. */
export function aeConvention(reading: C2Reading, c2: number, dims: { d: number; n: number; latentDim: number }, c1 = 5e-4): { c2: number; weightDecay: number } {
  if (!(c2 >= 0) || !(c1 >= 0)) throw new Error(`aeConvention: C2 and C1 must be >= 0, got ${c2}, ${c1}`);
  switch (reading) {
    case 'sum': return { c2, weightDecay: c1 };
    case 'mean-d': return { c2: c2 * dims.d, weightDecay: c1 * dims.d };
    case 'c1-dataset': return { c2, weightDecay: c1 / dims.n };
    case 'mean-z': return { c2: c2 / dims.latentDim, weightDecay: c1 };
    default: throw new Error(`aeConvention: unknown reading "${String(reading)}"; use one of ${C2_READINGS.join(', ')}`);
  }
}

function modelFor(model: Exclude<PhaseModel, 'rpca'>, base: Partial<DaiVAEOptions>, c2: number): DaiVAE {
  if (model === 'vae') return new DaiVAE(base);
  return new DaiAE({ ...base, penalty: model === 'ae-l2' ? 'l2' : 'l1', c2 });
}

/** Reads a (possibly mid-training) model on X against the clean L: one ladder rung. */
function readOut(m: DaiVAE, X: tf.Tensor2D, L: tf.Tensor2D, steps: number, keepSigma: boolean): { point: DaiLadderPoint; sigma?: SigmaZStats } {
  const Lh = m.reconstruct(X);
  const e = nmse(Lh, L);
  const meanAbsEstimate = tf.tidy(() => tf.mean(tf.abs(Lh)).dataSync()[0]);
  Lh.dispose();
  const point: DaiLadderPoint = { steps, nmse: e, nonzeroColumns: countNonzeroColumns(w1ColumnNorms(m)), meanAbsEstimate };
  if (!keepSigma || !m.isVAE) return { point };
  const lat = m.latent(X);
  const sigma = sigmaZStats(lat.variance, { bins: 24, range: 1.2 });
  tf.dispose([lat.mean, lat.variance]);
  Object.assign(point, { usedDims: sigma.usedDims, fracNearZero: sigma.fracNearZero, fracNearOne: sigma.fracNearOne, meanPerDim: sigma.meanPerDim });
  return { point, sigma };
}

/** Fits m on X, reading it at every ladder rung of `train` (the end of training is the last rung). */
async function fitLadder(m: DaiVAE, X: tf.Tensor2D, L: tf.Tensor2D, train: TrainConfig, label: string, keepSigma: boolean, progress = false): Promise<{ ladder: DaiLadderPoint[]; sigma?: SigmaZStats }> {
  const spe = stepsPerEpoch(train, X.shape[0]);
  const ladder: DaiLadderPoint[] = [];
  let sigma: SigmaZStats | undefined;
  await m.fit(X, {
    progress, label,
    checkpoints: ladderEpochs(train, X.shape[0]),
    onCheckpoint: (epoch, model) => { const r = readOut(model, X, L, epoch * spe, keepSigma); ladder.push(r.point); sigma = r.sigma; },
  });
  return { ladder, sigma };
}

/** Trains a model on X and reads it out: the shared body of the Sec. 5.1 / 5.3 cells. */
async function trainAndRead(model: Exclude<PhaseModel, 'rpca'>, opts: Partial<DaiVAEOptions>, train: TrainConfig, c2: number, X: tf.Tensor2D, L: tf.Tensor2D, label: string, keepSigma: boolean, progress = false): Promise<PhaseCellResult> {
  const t0 = Date.now();
  const m = modelFor(model, opts, c2);
  try {
    const { ladder, sigma } = await fitLadder(m, X, L, train, label, keepSigma, progress);
    const last = ladder[ladder.length - 1];
    const out: PhaseCellResult = { nmse: last.nmse, nmseInput: nmse(X, L), nonzeroColumns: last.nonzeroColumns, ladder, finalLoss: m.history.epochs.at(-1)?.loss ?? NaN, seconds: 0 };
    if (sigma) out.sigmaZ = { counts: sigma.counts, edges: sigma.edges, max: sigma.max, meanPerDim: sigma.meanPerDim, fracNearZero: sigma.fracNearZero, fracNearOne: sigma.fracNearOne, usedDims: sigma.usedDims };
    out.seconds = (Date.now() - t0) / 1000;
    return out;
  } finally {
    m.dispose();
  }
}

function phaseModelOptions(cfg: DaiScaleConfig['phase'], hidden: [number, number], latentDim: number, train: TrainConfig, seed: number, X: tf.Tensor2D): Partial<DaiVAEOptions> {
  const [r1, r2] = hidden;
  return { encoderHidden: [r2, r1], decoderHidden: [r1, r2], latentDim, ...trainOptions(train, X), seed };
}

/** How a cell runs, not what it computes (never part of a store key). */
export interface RunOptions {
  /** Print training progress bars (default off; the notebook passes its setting). */
  progress?: boolean;
}

export interface PhaseCellOptions {
  c2?: number; seed?: number; latentDim?: number;
  /** Training other than the scale's (a ladder on learning rate or steps). */
  train?: TrainConfig;
  /** Model widths [r1, r2] other than the generator's (a width ladder; the data keep cfg.hidden). */
  modelHidden?: [number, number];
  /** Sample size other than cfg.n (a sample-size ladder). */
  n?: number;
  /** How the AEs' C2 / C1 are scaled (default 'sum'). */
  c2Reading?: C2Reading;
}

/** One cell of the Figure 1 phase transition: (kappa, nu, model [, c2]) -> NMSE (+ Sigma_z statistics for the VAE), read at every ladder rung. */
/** The store key of phaseCell (everything that changes what the cell computes). */
export function phaseKey(cfg: DaiScaleConfig['phase'], kappa: number, nu: number, model: PhaseModel, opts: PhaseCellOptions = {}): Params {
  const seed = opts.seed ?? 0;
  const latentDim = opts.latentDim ?? cfg.latentDim;
  const c2 = model === 'vae' || model === 'rpca' ? 1 : opts.c2 ?? 1;
  const train = opts.train ?? cfg.train;
  const hidden = opts.modelHidden ?? cfg.hidden;
  const n = opts.n ?? cfg.n;
  const reading: C2Reading = model === 'ae-l2' || model === 'ae-l1' ? opts.c2Reading ?? 'sum' : 'sum';
  return {
    exp: 'phase', kappa, nu, model, c2, seed, latentDim, n, r1: cfg.hidden[0], r2: cfg.hidden[1], d: cfg.d,
    ...(model === 'rpca' ? { rpcaTol: cfg.rpca.tol, rpcaMaxIter: cfg.rpca.maxIter } : { ...trainKeys(train), m1: hidden[0], m2: hidden[1], ...(reading !== 'sum' ? { c2Reading: reading } : {}) }),
  };
}

export async function phaseCell(store: ResultsStore, cfg: DaiScaleConfig['phase'], kappa: number, nu: number, model: PhaseModel, opts: PhaseCellOptions = {}, run: RunOptions = {}): Promise<PhaseCellResult> {
  const seed = opts.seed ?? 0;
  const latentDim = opts.latentDim ?? cfg.latentDim;
  const c2 = model === 'vae' || model === 'rpca' ? 1 : opts.c2 ?? 1;
  const train = opts.train ?? cfg.train;
  const hidden = opts.modelHidden ?? cfg.hidden;
  const n = opts.n ?? cfg.n;
  const reading: C2Reading = model === 'ae-l2' || model === 'ae-l1' ? opts.c2Reading ?? 'sum' : 'sum';
  return store.cell(phaseKey(cfg, kappa, nu, model, opts), async () => {
    const D = makeManifoldData({ kappa, hidden: cfg.hidden, outDim: cfg.d, seed: `sec51:${seed}:${kappa}`, n, nu, dataSeed: `sec51-data:${seed}:${kappa}` });
    try {
      if (model === 'rpca') {
        const t0 = Date.now();
        const Lh = await rpcaLowRank(D.X, cfg.rpca);
        const e = nmse(Lh, D.L);
        Lh.dispose();
        return { nmse: e, nmseInput: nmse(D.X, D.L), nonzeroColumns: NaN, ladder: [], finalLoss: NaN, seconds: (Date.now() - t0) / 1000 };
      }
      const base = phaseModelOptions(cfg, hidden, latentDim, train, seedOf('model', seed, kappa, nu, model), D.X);
      const conv = model === 'vae' ? { c2, weightDecay: base.weightDecay } : aeConvention(reading, c2, { d: cfg.d, n, latentDim });
      return await trainAndRead(model, { ...base, ...(conv.weightDecay !== undefined ? { weightDecay: conv.weightDecay } : {}) }, train, conv.c2, D.X, D.L, `${model} kappa=${kappa} nu=${nu}`, true, run.progress);
    } finally {
      D.dispose();
    }
  });
}

/** Tunes C2 of an AE on the config's tune cell (best NMSE, as the paper tunes C2 "for optimal performance"). */
export async function tuneC2(store: ResultsStore, cfg: DaiScaleConfig['phase'], model: 'ae-l2' | 'ae-l1', seed = 0): Promise<{ best: number; tried: { c2: number; nmse: number }[] }> {
  const tried: { c2: number; nmse: number }[] = [];
  for (const c2 of cfg.c2Grid[model]) {
    const r = await phaseCell(store, cfg, cfg.tuneCell.kappa, cfg.tuneCell.nu, model, { c2, seed: seed + 1000 });
    tried.push({ c2, nmse: r.nmse });
  }
  return { best: bestC2(tried), tried };
}

/** The tuned C2: the lowest NMSE (the first of equal ones, in grid order). */
export function bestC2(tried: { c2: number; nmse: number }[]): number {
  if (!tried.length) throw new Error('bestC2: no C2 tried');
  return tried.reduce((a, b) => (b.nmse < a.nmse ? b : a)).c2;
}

// ------------------------------------------------------------------------------------------------ Sec. 5.2 / Table 1
export interface PruningCellResult { nonzeroColumns: number; sortedNorms: number[]; nmse: number; ladder: DaiLadderPoint[]; seconds: number }

/** One Table 1 cell: a VAE with Ne encoder and Nd decoder hidden layers on clean data from the z(20) manifold. */
/** The store key of pruningCell. */
export function pruningKey(cfg: DaiScaleConfig['pruning'], ne: number, nd: number, trial = 0, model: 'vae' | 'ae-l2' = 'vae'): Params {
  return { exp: 'pruning', ne, nd, trial, model, n: cfg.n, kappa: cfg.kappa, latentDim: cfg.latentDim, width: cfg.width, d: cfg.d, ...trainKeys(cfg.train) };
}

export async function pruningCell(store: ResultsStore, cfg: DaiScaleConfig['pruning'], ne: number, nd: number, trial = 0, model: 'vae' | 'ae-l2' = 'vae', run: RunOptions = {}): Promise<PruningCellResult> {
  return store.cell(pruningKey(cfg, ne, nd, trial, model), async () => {
    const t0 = Date.now();
    const D = makeManifoldData({ kappa: cfg.kappa, hidden: cfg.genHidden, outDim: cfg.d, seed: `sec52:${trial}`, n: cfg.n, nu: 0 });
    const opts: Partial<DaiVAEOptions> = { encoderHidden: Array(ne).fill(cfg.width), decoderHidden: Array(nd).fill(cfg.width), latentDim: cfg.latentDim, ...trainOptions(cfg.train, D.X), seed: seedOf('prune', trial, ne, nd) };
    const m = model === 'vae' ? new DaiVAE(opts) : new DaiAE({ ...opts, penalty: 'l2', c2: 0 });
    try {
      const { ladder } = await fitLadder(m, D.X, D.L, cfg.train, `Table 1 Ne=${ne} Nd=${nd}`, false, run.progress);
      const norms = w1ColumnNorms(m);
      return { nonzeroColumns: countNonzeroColumns(norms), sortedNorms: [...norms].sort((a, b) => b - a), nmse: ladder[ladder.length - 1].nmse, ladder, seconds: (Date.now() - t0) / 1000 };
    } finally {
      m.dispose();
      D.dispose();
    }
  });
}

// ------------------------------------------------------------------------------------------------ MNIST
/** n MNIST images as rows in [0, 1]: a seeded subset of the 60,000 training images, or (n > 60,000) all of them
 *  followed by test images (the paper uses all 70,000). */
function mnistMatrix(n: number, seed: number): tf.Tensor2D {
  const TRAIN = 60000;
  const tr = loadMnistSync({ split: 'train', n: Math.min(n, TRAIN), seed });
  if (n <= TRAIN) return tf.tensor2d(tr.images, [tr.n, tr.height * tr.width]);
  const te = loadMnistSync({ split: 'test', n: Math.min(n - TRAIN, 10000), seed });
  const all = new Float32Array(tr.images.length + te.images.length);
  all.set(tr.images); all.set(te.images, tr.images.length);
  return tf.tensor2d(all, [tr.n + te.n, tr.height * tr.width]);
}

/** The store key of mnistSpectrumCell. */
export function mnistSpectrumKey(n: number): Params { return { exp: 'mnist-spectrum', n }; }

/** Singular values of (centred) MNIST, Figure 5a. */
export async function mnistSpectrumCell(store: ResultsStore, n: number): Promise<{ singularValues: number[]; rank90: number; rank99: number }> {
  return store.cell(mnistSpectrumKey(n), () => {
    const X = mnistMatrix(n, 0);
    try {
      const p = singularValueProfile(X);
      return { singularValues: p.values, rank90: p.rank90, rank99: p.rank99 };
    } finally {
      X.dispose();
    }
  });
}

/** The store key of mnistPruningCell. */
export function mnistPruningKey(cfg: DaiScaleConfig['mnist'], kappa: number, model: 'vae' | 'ae', trial = 0): Params {
  return { exp: 'mnist-pruning', kappa, model, trial, n: cfg.n, hidden: cfg.hidden.join('-'), ...trainKeys(cfg.train) };
}

/** Figure 2b: nonzero W1 columns of a VAE / plain AE (C2 = 0) with latent size kappa on MNIST. */
export async function mnistPruningCell(store: ResultsStore, cfg: DaiScaleConfig['mnist'], kappa: number, model: 'vae' | 'ae', trial = 0, run: RunOptions = {}): Promise<{ nonzeroColumns: number; sortedNorms: number[]; nmse: number; ladder: DaiLadderPoint[]; seconds: number }> {
  return store.cell(mnistPruningKey(cfg, kappa, model, trial), async () => {
    const t0 = Date.now();
    const X = mnistMatrix(cfg.n, trial);
    const opts: Partial<DaiVAEOptions> = { encoderHidden: cfg.hidden, decoderHidden: [...cfg.hidden].reverse(), latentDim: kappa, ...trainOptions(cfg.train, X), seed: seedOf('mnist-prune', kappa, trial) };
    const m = model === 'vae' ? new DaiVAE(opts) : new DaiAE({ ...opts, penalty: 'l2', c2: 0 });
    try {
      const { ladder } = await fitLadder(m, X, X, cfg.train, `MNIST ${model} kappa=${kappa}`, false, run.progress);
      const norms = w1ColumnNorms(m);
      return { nonzeroColumns: countNonzeroColumns(norms), sortedNorms: [...norms].sort((a, b) => b - a), nmse: ladder[ladder.length - 1].nmse, ladder, seconds: (Date.now() - t0) / 1000 };
    } finally {
      m.dispose();
      X.dispose();
    }
  });
}

export type MnistRecoveryModel = `vae-tau${number}` | 'rpca';

/** The store key of mnistRecoveryCell. */
export function mnistRecoveryKey(cfg: DaiScaleConfig['mnist'], nu: number, model: MnistRecoveryModel): Params {
  return { exp: 'mnist-recovery', nu, model, n: cfg.n, hidden: cfg.hidden.join('-'), kappa: cfg.recoveryKappa, ...(model === 'rpca' ? { rpcaTol: cfg.rpca.tol, rpcaMaxIter: cfg.rpca.maxIter } : trainKeys(cfg.train)) };
}

/**
 * Figure 5b: NMSE recovering clean MNIST digits from ones with a fraction nu of pixels replaced by U[0, 1].
 * `meanAbsEstimate` / `meanAbsClean` (mean |entry| of L-hat and of L) tell a blank-image estimate (NMSE ~1 with
 * L-hat ~0: the log r^2 data term rewards the ~80% exactly-zero pixels so much that a short run can settle on
 * L-hat = 0, S = the digits) from a poor fit.
 */
export async function mnistRecoveryCell(store: ResultsStore, cfg: DaiScaleConfig['mnist'], nu: number, model: MnistRecoveryModel, run: RunOptions = {}): Promise<{ nmse: number; nmseInput: number; meanAbsEstimate: number; meanAbsClean: number; ladder: DaiLadderPoint[]; seconds: number }> {
  return store.cell(mnistRecoveryKey(cfg, nu, model), async () => {
    const t0 = Date.now();
    const L = mnistMatrix(cfg.n, 0);
    const { corrupted: X, mask } = uniformReplace(L, { fraction: nu, seed: seedOf('mnist-outliers', nu), sampling: 'bernoulli' });
    mask.dispose();
    try {
      let Lh: tf.Tensor2D;
      let ladder: DaiLadderPoint[] = [];
      if (model === 'rpca') {
        Lh = await rpcaLowRank(X, cfg.rpca);
      } else {
        const tau = Number(model.slice('vae-tau'.length));
        const m = new DaiVAE({ encoderHidden: cfg.hidden, decoderHidden: [...cfg.hidden].reverse(), latentDim: cfg.recoveryKappa, tau, ...trainOptions(cfg.train, X), seed: seedOf('mnist-recovery', nu, tau) });
        try {
          ladder = (await fitLadder(m, X, L, cfg.train, `MNIST VAE tau=${tau} nu=${nu}`, true, run.progress)).ladder;
          Lh = m.reconstruct(X);
        } finally {
          m.dispose();
        }
      }
      const e = nmse(Lh, L);
      const [meanAbsEstimate, meanAbsClean] = tf.tidy(() => [tf.mean(tf.abs(Lh)).dataSync()[0], tf.mean(tf.abs(L)).dataSync()[0]]);
      Lh.dispose();
      return { nmse: e, nmseInput: nmse(X, L), meanAbsEstimate, meanAbsClean, ladder, seconds: (Date.now() - t0) / 1000 };
    } finally {
      tf.dispose([L, X]);
    }
  });
}

// ------------------------------------------------------------------------------------------------ notebook read-back
/** The Sec. 5.1 manifolds of every kappa of the scale, read from (or computed into) `store`. */
export async function manifoldRows(store: ResultsStore, cfg: DaiScaleConfig['phase'], seed = 0): Promise<ManifoldCellResult[]> {
  const out: ManifoldCellResult[] = [];
  for (const kappa of cfg.kappas) out.push(await manifoldCell(store, cfg, kappa, seed));
  return out;
}

export interface CertifyLadderRow { kappa: number; epochs: number; testRelError: number; trainRelError: number; seconds: number }

/** The certificate ladder (cfg.certifyLadder: kappas x epochs), read from (or computed into) `store`. */
export async function certifyLadderRows(store: ResultsStore, cfg: DaiScaleConfig['phase'], seed = 0): Promise<CertifyLadderRow[]> {
  const out: CertifyLadderRow[] = [];
  for (const kappa of cfg.certifyLadder.kappas) {
    for (const epochs of cfg.certifyLadder.epochs) out.push({ kappa, epochs, ...(await certifyCell(store, cfg, kappa, epochs, seed)) });
  }
  return out;
}

/** One Figure 5b point: a recovery model at outlier ratio nu ('RPCA' or 'VAE tau = t'). */
export interface RecoveryRow {
  nu: number; model: string; NMSE: number;
  /** NMSE of the corrupted input itself. */
  input: number;
  /** Mean |entry| of the estimate and of the clean digits (a ratio near 0 = the blank image). */
  meanAbs: number; meanAbsClean: number;
  ladder: DaiLadderPoint[];
}

/** The display name of a Figure 5b model. */
export function recoveryModelName(model: MnistRecoveryModel): string { return model === 'rpca' ? 'RPCA' : `VAE tau = ${model.slice('vae-tau'.length)}`; }

/** One Figure 5b cell as a RecoveryRow. */
export async function recoveryRow(store: ResultsStore, cfg: DaiScaleConfig['mnist'], nu: number, model: MnistRecoveryModel): Promise<RecoveryRow> {
  const r = await mnistRecoveryCell(store, cfg, nu, model);
  return { nu, model: recoveryModelName(model), NMSE: r.nmse, input: r.nmseInput, meanAbs: r.meanAbsEstimate, meanAbsClean: r.meanAbsClean, ladder: r.ladder };
}

/** Figure 5b: every nu x (VAE per tau, RPCA), in that order. */
export async function recoveryRows(store: ResultsStore, cfg: DaiScaleConfig['mnist']): Promise<RecoveryRow[]> {
  const models: MnistRecoveryModel[] = [...cfg.taus.map((t) => `vae-tau${t}` as const), 'rpca'];
  const out: RecoveryRow[] = [];
  for (const nu of cfg.nus) for (const model of models) out.push(await recoveryRow(store, cfg, nu, model));
  return out;
}

/** Per nu: the best VAE (lowest NMSE over tau) against RPCA, the input of verdictFig5b. */
export function recoverySummary(rows: RecoveryRow[], nus: number[]): { nu: number; vae: number; rpca: number; vaeMeanAbs: number; meanAbsClean: number }[] {
  return nus.map((nu) => {
    const vaes = rows.filter((f) => f.nu === nu && f.model !== 'RPCA');
    const rpca = rows.find((f) => f.nu === nu && f.model === 'RPCA');
    if (!vaes.length || !rpca) throw new Error(`recoverySummary: nu = ${nu} needs a VAE and an RPCA row`);
    const best = vaes.reduce((a, b) => (b.NMSE < a.NMSE ? b : a));
    return { nu, vae: best.NMSE, rpca: rpca.NMSE, vaeMeanAbs: best.meanAbs, meanAbsClean: best.meanAbsClean };
  });
}

/** Adam steps of a training config on n samples. */
export function trainSteps(t: Pick<TrainConfig, 'epochs' | 'batchSize'>, n: number): number { return t.epochs * stepsPerEpoch(t, n); }

/** The notebook's "experiment sizes" table: one row per experiment at this configuration. */
export function daiConfigRows(cfg: DaiScaleConfig): Record<string, string | number>[] {
  const steps = trainSteps;
  return [
  { experiment: 'Fig. 1 / 3 (Sec. 5.1)', n: cfg.phase.n,
    networks: [cfg.phase.d, cfg.phase.hidden[1], cfg.phase.hidden[0], cfg.phase.latentDim, cfg.phase.hidden[0], cfg.phase.hidden[1], cfg.phase.d].join('-'),
    grid: `kappa ${cfg.phase.kappas.join(',')} x nu ${cfg.phase.nus.join(',')} (nu = 0: ${cfg.phase.nu0Models.join(', ')})`,
    training: `${steps(cfg.phase.train, cfg.phase.n)} steps (${cfg.phase.train.epochs} ep), lr ${cfg.phase.train.learningRate}, batch ` +
    `${cfg.phase.train.batchSize}, ${cfg.phase.train.init} init, alpha ${cfg.phase.train.alphaRel} x var(X); RPCA tol ${cfg.phase.rpca.tol}, <= ` +
    `${cfg.phase.rpca.maxIter} it.` },
  { experiment: 'Fig. 1 ladders', n: cfg.phase.n, networks: `widths ${cfg.phase.widthLadder.widths.map((w) => w.join('/')).join(', ')}`,
    grid: `kappa ${cfg.phase.ladderCell.kappa}, nu ${cfg.phase.ladderCell.nu}`,
    training: `${cfg.phase.ladderCell.steps} steps (read at ${DAI_LADDER_STEPS.filter((x) => x <= cfg.phase.ladderCell.steps).join(', ')}); widths ` +
    `${cfg.phase.widthLadder.steps} steps; lr ${cfg.phase.lrLadder.rates.join(', ')} for ${cfg.phase.lrLadder.steps} steps` },
  { experiment: 'Fig. 4 (Sec. 5.3)', n: cfg.phase.n, networks: `dim z = kappa = ${cfg.sigmaZ.kappa}`, grid: `nu ${cfg.sigmaZ.nus.join(',')}`,
    training: 'as Fig. 1' },
  { experiment: 'Table 1 / Fig. 2a (Sec. 5.2)', n: cfg.pruning.n,
    networks: `${cfg.pruning.d}-[${cfg.pruning.width} x Ne]-${cfg.pruning.latentDim}-[${cfg.pruning.width} x Nd]-${cfg.pruning.d}; ` +
      `truth z(${cfg.pruning.kappa})-${cfg.pruning.genHidden.join('-')}-${cfg.pruning.d}`,
    grid: `Ne ${cfg.pruning.encoderDepths.join(',')} x Nd ${cfg.pruning.decoderDepths.join(',')}, ${cfg.pruning.trials} trial(s)`,
    training: `${steps(cfg.pruning.train, cfg.pruning.n)} steps, lr ${cfg.pruning.train.learningRate}` },
  { experiment: 'Fig. 2b / 5 (MNIST)', n: cfg.mnist.n, networks: `784-${cfg.mnist.hidden.join('-')}-kappa-...-784`,
    grid: `kappa ${cfg.mnist.kappas.join(',')}; nu ${cfg.mnist.nus.join(',')}; tau ${cfg.mnist.taus.join(',')}`,
    training: `${steps(cfg.mnist.train, cfg.mnist.n)} steps, lr ${cfg.mnist.train.learningRate}; RPCA tol ${cfg.mnist.rpca.tol}, <= ` +
    `${cfg.mnist.rpca.maxIter} it.` },
  ];
}

/** One network (or RPCA) of the Figure 1 grid. */
export interface PhaseGridEntry { kappa: number; nu: number; model: PhaseModel; r: PhaseCellResult }

/** The Figure 1 grid (kappa x nu x model; at nu = 0 only cfg.nu0Models), the AEs at their tuned C2, read from (or computed into) `store`. */
export async function phaseGrid(store: ResultsStore, cfg: DaiScaleConfig['phase'], tuned: Partial<Record<PhaseModel, number>>, seed = 0): Promise<PhaseGridEntry[]> {
  const out: PhaseGridEntry[] = [];
  for (const kappa of cfg.kappas) for (const nu of cfg.nus) for (const model of PHASE_MODELS) {
    if (nu === 0 && !cfg.nu0Models.includes(model)) continue;
    out.push({ kappa, nu, model, r: await phaseCell(store, cfg, kappa, nu, model, { c2: tuned[model], seed }) });
  }
  return out;
}

function gridCell(grid: PhaseGridEntry[], kappa: number, nu: number, model: PhaseModel): PhaseCellResult {
  const e = grid.find((p) => p.kappa === kappa && p.nu === nu && p.model === model);
  if (!e) throw new Error(`phase grid: no ${model} cell at kappa ${kappa}, nu ${nu}`);
  return e.r;
}

/** The cells of the Figure 1 rule (every nu > 0): the four models' NMSE side by side. */
export function fig1CellsOf(grid: PhaseGridEntry[]): Fig1Cell[] {
  return grid.filter((p) => p.model === 'vae' && p.nu > 0).map((p) => ({
    kappa: p.kappa, nu: p.nu, vae: p.r.nmse, aeL2: gridCell(grid, p.kappa, p.nu, 'ae-l2').nmse,
    aeL1: gridCell(grid, p.kappa, p.nu, 'ae-l1').nmse, rpca: gridCell(grid, p.kappa, p.nu, 'rpca').nmse,
  }));
}

/**
 * The Figure 1 rule on the grid read at each ladder rung (the rungs of the first kappa's VAE at the largest nu):
 * the networks' NMSE at that rung (their final NMSE where a ladder lacks it), RPCA as fitted.
 */
export function fig1GridLadder(grid: PhaseGridEntry[]): { steps: number; cells: Fig1Cell[]; v: DaiVerdict }[] {
  const cells0 = fig1CellsOf(grid);
  if (!cells0.length) return [];
  const kappa0 = Math.min(...grid.map((p) => p.kappa)), nuMax = Math.max(...grid.map((p) => p.nu));
  const rungs = gridCell(grid, kappa0, nuMax, 'vae').ladder.map((p) => p.steps);
  return rungs.map((st) => {
    const at = (r: PhaseCellResult) => r.ladder.find((p) => p.steps === st)?.nmse ?? r.nmse;
    const cells = cells0.map((c) => ({
      ...c, vae: at(gridCell(grid, c.kappa, c.nu, 'vae')), aeL2: at(gridCell(grid, c.kappa, c.nu, 'ae-l2')), aeL1: at(gridCell(grid, c.kappa, c.nu, 'ae-l1')),
    }));
    return { steps: st, cells, v: verdictFig1Dominance(cells) };
  });
}

/** A run read up to s steps: its ladder up to s and the NMSE / used dimensions there (a run read at s steps = a run of s steps). */
export function upToSteps(r: PhaseCellResult, s: number): PhaseCellResult {
  const l = r.ladder.filter((p) => p.steps <= s);
  if (!l.length) throw new Error(`upToSteps: no ladder rung at or below ${s} steps`);
  return { ...r, ladder: l, nmse: l.at(-1)!.nmse, sigmaZ: r.sigmaZ && { ...r.sigmaZ, usedDims: l.at(-1)!.usedDims ?? NaN } };
}

/** The runs on the decisive (ladder) cell: steps, its RPCA, widths, learning rates. */
export interface LadderCellRuns {
  /** VAE, AE-l2, AE-l1 trained to ladderCell.steps (the AEs at their tuned C2). */
  long: { model: PhaseModel; r: PhaseCellResult }[];
  rpca: PhaseCellResult;
  /** VAE and AE-l2 per width: the grid width read from the long runs at widthLadder.steps, then each ladder width. */
  width: { w: [number, number]; model: 'vae' | 'ae-l2'; r: PhaseCellResult }[];
  /** The VAE per learning rate: the grid rate read from the long run at lrLadder.steps, then each ladder rate. */
  lr: { lr: number; r: PhaseCellResult }[];
}

/** Reads (or computes) the ladder-cell runs with the same keys daiCells lists. */
export async function ladderCellRuns(store: ResultsStore, cfg: DaiScaleConfig['phase'], tuned: Partial<Record<PhaseModel, number>>, seed = 0): Promise<LadderCellRuns> {
  const lc = cfg.ladderCell;
  const longTrain = phaseTrainFor(cfg, lc.steps, undefined, [cfg.widthLadder.steps, cfg.lrLadder.steps]);
  const long: LadderCellRuns['long'] = [];
  for (const model of ['vae', 'ae-l2', 'ae-l1'] as const) {
    long.push({ model, r: await phaseCell(store, cfg, lc.kappa, lc.nu, model, { c2: tuned[model], seed, train: longTrain }) });
  }
  const rpca = await phaseCell(store, cfg, lc.kappa, lc.nu, 'rpca', { seed });
  const width: LadderCellRuns['width'] = [
    { w: cfg.hidden, model: 'vae', r: upToSteps(long[0].r, cfg.widthLadder.steps) },
    { w: cfg.hidden, model: 'ae-l2', r: upToSteps(long[1].r, cfg.widthLadder.steps) },
  ];
  for (const w of cfg.widthLadder.widths) for (const model of ['vae', 'ae-l2'] as const) {
    const train = phaseTrainFor(cfg, cfg.widthLadder.steps);
    width.push({ w, model, r: await phaseCell(store, cfg, lc.kappa, lc.nu, model, { c2: tuned[model], seed, train, modelHidden: w }) });
  }
  const lr: LadderCellRuns['lr'] = [{ lr: cfg.train.learningRate, r: upToSteps(long[0].r, cfg.lrLadder.steps) }];
  for (const rate of cfg.lrLadder.rates) {
    lr.push({ lr: rate, r: await phaseCell(store, cfg, lc.kappa, lc.nu, 'vae', { seed, train: phaseTrainFor(cfg, cfg.lrLadder.steps, rate) }) });
  }
  return { long, rpca, width, lr };
}

/** Footnote 12: AE-l2 with C2 = 1 and 10^3 on the tune cell, per reading of C2 (the keys daiCells lists). */
export async function c2ReadingRows(store: ResultsStore, cfg: DaiScaleConfig['phase'], seed = 0): Promise<{ reading: C2Reading; nmseC2One: number; nmseC2Tuned: number; one: PhaseCellResult; k: PhaseCellResult }[]> {
  const out = [];
  const { kappa, nu } = cfg.tuneCell;
  for (const reading of cfg.c2Readings) {
    const one = await phaseCell(store, cfg, kappa, nu, 'ae-l2', { c2: 1, seed: seed + 1000, c2Reading: reading });
    const k = await phaseCell(store, cfg, kappa, nu, 'ae-l2', { c2: 1000, seed: seed + 1000, c2Reading: reading });
    out.push({ reading, nmseC2One: one.nmse, nmseC2Tuned: k.nmse, one, k });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ the cell list
export const DAI_NOTEBOOK = '04-hidden-talents-of-the-vae';

/** A training config at the phase settings for `s` steps, read at every ladder rung below s (and at `extra`): the ladder-cell runs. */
export function phaseTrainFor(cfg: DaiScaleConfig['phase'], s: number, lr = cfg.train.learningRate, extra: number[] = []): TrainConfig {
  return { ...cfg.train, learningRate: lr, epochs: Math.max(1, Math.round(s / stepsPerEpoch(cfg.train, cfg.n))), ladder: [...new Set([...DAI_LADDER_STEPS, ...extra])].filter((x) => x < s).sort((a, b) => a - b) };
}

/** The Table 1 config of one learning-rate rung of the pruning ladder (lrLadder.steps steps at `lr`). */
export function pruningLrConfig(cfg: DaiScaleConfig['pruning'], lr: number): DaiScaleConfig['pruning'] {
  const L = cfg.lrLadder;
  return { ...cfg, train: { ...cfg.train, learningRate: lr, epochs: Math.max(1, Math.round(L.steps / stepsPerEpoch(cfg.train, cfg.n))), ladder: DAI_LADDER_STEPS.filter((x) => x < L.steps) } };
}

/** The MNIST config of one rung of the alpha diagnostic (the Sigma_x floor at alphaRel x var(X)). */
export function mnistAlphaConfig(cfg: DaiScaleConfig['mnist'], alphaRel: number): DaiScaleConfig['mnist'] {
  return { ...cfg, train: { ...cfg.train, alphaRel } };
}

/**
 * The AEs' tuned C2 as the notebook's tuneC2 picks it, read from the phase store: undefined for a model whose tune
 * cells are not all stored yet.
 */
export function storedTunedC2(store: ResultsStore, cfg: DaiScaleConfig['phase'], seed: number): Partial<Record<'ae-l2' | 'ae-l1', number>> {
  const out: Partial<Record<'ae-l2' | 'ae-l1', number>> = {};
  for (const model of ['ae-l2', 'ae-l1'] as const) {
    const tried = cfg.c2Grid[model].map((c2) => ({ c2, nmse: store.get<PhaseCellResult>(phaseKey(cfg, cfg.tuneCell.kappa, cfg.tuneCell.nu, model, { c2, seed: seed + 1000 }))?.nmse }));
    if (tried.length && tried.every((t) => t.nmse !== undefined)) out[model] = bestC2(tried as { c2: number; nmse: number }[]);
  }
  return out;
}

const denseEpochsGflop = (layers: number[], n: number, t: Pick<TrainConfig, 'epochs'>) => denseTrainGflop(layers, n, t.epochs, false);
/** Rough work of one SVD of an n x d matrix (d <= n), in GFLOP: ~4 n d^2 + 22 d^3. */
const svdGflop = (n: number, d: number) => (4 * n * d * d + 22 * d ** 3) / 1e9;
/** Rough work of convex RPCA by inexact ALM: one SVD per iteration, ~50 iterations assumed (for scheduling only). */
const rpcaGflop = (n: number, d: number) => 50 * svdGflop(n, Math.min(n, d));

/**
 * Every stored cell of notebook 04 at `scale`, as `write(store)` specs over the driver functions above (their
 * `params` are the keys those functions store), in the notebook's order: manifolds, certificate ladder, C2 tuning,
 * the Figure 1 grid, the ladder-cell runs, the C2 readings, Figure 4, Table 1 and its lr ladder, MNIST (the RPCA cell
 * whose mean |L| the section reads first, Figure 2b, the spectrum, Figure 5b, the alpha diagnostic). A cell the
 * notebook asks for twice (the ladder cell's RPCA is a grid cell; C2 = 1 / 10^3 in the 'sum' reading are tune
 * cells) is listed once, where it first appears.
 *
 * The AE cells that use the tuned C2 (grid, ladder cell, width ladder) are listed only once every tune cell of
 * their model is in the store, and then at the END of the list (after every cell that does not depend on the
 * tuning), so the other cells keep their indexes: `sweep slurm` submits notebook 04 in two rounds
 * (NOTEBOOK_ROUNDS in src/papers/registry.ts) and `sweep run` of the whole notebook plans again after
 * its first pass.
 */
export function daiCells(scale: Scale, seed: number, run: RunOptions = {}): WriteCellSpec[] {
  const cfg = daiConfig(scale);
  const P = cfg.phase;
  const file = (name: string) => `${DAI_NOTEBOOK}/${name}.jsonl`;
  const seen = new Set<string>();
  const cells: WriteCellSpec[] = [], dependent: WriteCellSpec[] = [];
  const add = (to: WriteCellSpec[], experiment: string, store: string, params: Params, write: (s: ResultsStore) => Promise<unknown>, gflop?: number) => {
    const k = `${store}\0${paramsKey(params)}`;
    if (seen.has(k)) return;
    seen.add(k);
    to.push({ experiment, file: file(store), version: DAI_CODE_VERSION, params, write, ...(gflop !== undefined ? { gflop } : {}) });
  };
  const netGflop = (hidden: [number, number], latentDim: number, train: TrainConfig, n = P.n) => denseEpochsGflop([P.d, hidden[1], hidden[0], latentDim, hidden[0], hidden[1], P.d], n, train);
  const certGflop = (kappa: number, epochs: number) => denseEpochsGflop([P.d, P.hidden[1], P.hidden[0], kappa], P.certify.n, { epochs });

  // 1. the ground-truth manifolds and the certificate ladder
  for (const kappa of P.kappas) add(cells, 'manifolds', 'manifolds', manifoldKey(P, kappa, seed), (s) => manifoldCell(s, P, kappa, seed), certGflop(kappa, P.certify.epochs));
  for (const kappa of P.certifyLadder.kappas) for (const epochs of P.certifyLadder.epochs) add(cells, 'certify', 'manifolds', certifyKey(P, kappa, epochs, seed), (s) => certifyCell(s, P, kappa, epochs, seed), certGflop(kappa, epochs));
  // 2. C2 tuning (separate data seed), then the Figure 1 grid
  for (const model of ['ae-l2', 'ae-l1'] as const) for (const c2 of P.c2Grid[model]) {
    const o = { c2, seed: seed + 1000 };
    add(cells, 'c2-tune', 'phase', phaseKey(P, P.tuneCell.kappa, P.tuneCell.nu, model, o), (s) => phaseCell(s, P, P.tuneCell.kappa, P.tuneCell.nu, model, o, run), netGflop(P.hidden, P.latentDim, P.train));
  }
  const tuned = storedTunedC2(daiStore('phase', scale), P, seed);
  /** A phase-store cell: listed now (VAE, RPCA), or, for an AE, once its tuned C2 is known (at the end). */
  const phase = (experiment: string, kappa: number, nu: number, model: PhaseModel, opts: PhaseCellOptions, gflop?: number) => {
    const ae = model === 'ae-l2' || model === 'ae-l1';
    if (ae && tuned[model] === undefined) return;
    const o = ae ? { ...opts, c2: tuned[model] } : opts;
    add(ae ? dependent : cells, experiment, 'phase', phaseKey(P, kappa, nu, model, o), (s) => phaseCell(s, P, kappa, nu, model, o, run), model === 'rpca' ? rpcaGflop(P.n, P.d) : gflop);
  };
  for (const kappa of P.kappas) for (const nu of P.nus) for (const model of PHASE_MODELS) {
    if (nu === 0 && !P.nu0Models.includes(model)) continue;
    phase('phase', kappa, nu, model, { seed }, netGflop(P.hidden, P.latentDim, P.train));
  }
  // 3. the ladder cell: steps (VAE, both AEs), its RPCA, widths (VAE, AE-l2), learning rates (VAE)
  const lc = P.ladderCell;
  const longTrain = phaseTrainFor(P, lc.steps, undefined, [P.widthLadder.steps, P.lrLadder.steps]);
  for (const model of ['vae', 'ae-l2', 'ae-l1'] as const) phase('ladder', lc.kappa, lc.nu, model, { seed, train: longTrain }, netGflop(P.hidden, P.latentDim, longTrain));
  phase('ladder', lc.kappa, lc.nu, 'rpca', { seed });
  const widthTrain = phaseTrainFor(P, P.widthLadder.steps);
  for (const w of P.widthLadder.widths) for (const model of ['vae', 'ae-l2'] as const) phase('ladder', lc.kappa, lc.nu, model, { seed, train: widthTrain, modelHidden: w }, netGflop(w, P.latentDim, widthTrain));
  for (const lr of P.lrLadder.rates) { const t = phaseTrainFor(P, P.lrLadder.steps, lr); phase('ladder', lc.kappa, lc.nu, 'vae', { seed, train: t }, netGflop(P.hidden, P.latentDim, t)); }
  // 4. footnote 12: AE-l2 at C2 = 1 and 10^3 per reading on the tune cell (fixed C2: no tuning needed)
  for (const reading of P.c2Readings) for (const c2 of [1, 1000]) {
    const o: PhaseCellOptions = { c2, seed: seed + 1000, c2Reading: reading };
    add(cells, 'c2-readings', 'phase', phaseKey(P, P.tuneCell.kappa, P.tuneCell.nu, 'ae-l2', o), (s) => phaseCell(s, P, P.tuneCell.kappa, P.tuneCell.nu, 'ae-l2', o, run), netGflop(P.hidden, P.latentDim, P.train));
  }
  // 5. Figure 4: kappa = dim z
  const Z = cfg.sigmaZ;
  for (const nu of Z.nus) {
    const o = { latentDim: Z.kappa, seed };
    add(cells, 'sigma-z', 'sigma-z', phaseKey(P, Z.kappa, nu, 'vae', o), (s) => phaseCell(s, P, Z.kappa, nu, 'vae', o, run), netGflop(P.hidden, Z.kappa, P.train));
  }
  // 6. Table 1 and its learning-rate ladder
  const R = cfg.pruning;
  const pruneGflop = (c: DaiScaleConfig['pruning'], ne: number, nd: number) => denseEpochsGflop([R.d, ...Array(ne).fill(R.width), R.latentDim, ...Array(nd).fill(R.width), R.d], R.n, c.train);
  for (const ne of R.encoderDepths) for (const nd of R.decoderDepths) for (let trial = 0; trial < R.trials; trial++) {
    add(cells, 'pruning', 'pruning', pruningKey(R, ne, nd, trial), (s) => pruningCell(s, R, ne, nd, trial, 'vae', run), pruneGflop(R, ne, nd));
  }
  for (const lr of R.lrLadder.rates) {
    const c = pruningLrConfig(R, lr);
    add(cells, 'pruning-lr', 'pruning', pruningKey(c, R.lrLadder.ne, R.lrLadder.nd, 0), (s) => pruningCell(s, c, R.lrLadder.ne, R.lrLadder.nd, 0, 'vae', run), pruneGflop(c, R.lrLadder.ne, R.lrLadder.nd));
  }
  // 7. MNIST: the RPCA cell at the first nu (read first for mean |L|), Figure 2b, the spectrum, Figure 5b, the alpha diagnostic
  const M = cfg.mnist;
  const mnistGflop = (c: DaiScaleConfig['mnist'], kappa: number) => denseEpochsGflop([784, ...c.hidden, kappa, ...[...c.hidden].reverse(), 784], c.n, c.train);
  const recovery = (experiment: string, c: DaiScaleConfig['mnist'], nu: number, model: MnistRecoveryModel) =>
    add(cells, experiment, 'mnist', mnistRecoveryKey(c, nu, model), (s) => mnistRecoveryCell(s, c, nu, model, run), model === 'rpca' ? rpcaGflop(c.n, 784) : mnistGflop(c, c.recoveryKappa) * Number(model.slice('vae-tau'.length)));
  recovery('mnist-recovery', M, M.nus[0], 'rpca');
  for (const kappa of M.kappas) for (const model of ['vae', 'ae'] as const) for (let trial = 0; trial < M.trials; trial++) {
    add(cells, 'mnist-pruning', 'mnist', mnistPruningKey(M, kappa, model, trial), (s) => mnistPruningCell(s, M, kappa, model, trial, run), mnistGflop(M, kappa));
  }
  const specN = Math.min(M.n, 10000);
  add(cells, 'mnist-spectrum', 'mnist', mnistSpectrumKey(specN), (s) => mnistSpectrumCell(s, specN), svdGflop(specN, 784));
  for (const nu of M.nus) for (const model of [...M.taus.map((t) => `vae-tau${t}` as const), 'rpca' as const]) recovery('mnist-recovery', M, nu, model);
  for (const alphaRel of M.alphaLadder) recovery('mnist-alpha', mnistAlphaConfig(M, alphaRel), M.nus[0], `vae-tau${M.taus[0]}`);
  return [...cells, ...dependent];
}

// ------------------------------------------------------------------------------------------------ notebook readings
// What notebook 04 shows, as typed rows and strings: the cells it computes per section, the table pivots of
// Sections 3-6 and the root-cause paragraphs. Pure functions of the stored results (or store reads with the keys
// daiCells lists), so the notebook only calls them and draws.

/** Computes (or reads back) the cells daiCells lists for the given experiments, in the listed order. */
export async function computeDaiCells(store: ResultsStore, scale: Scale, seed: number, experiments: string[], run: RunOptions = {}): Promise<void> {
  for (const c of daiCells(scale, seed, run).filter((x) => experiments.includes(x.experiment))) await computeCell(store, c);
}

/** "name: c computed / r reused" for each store, the notebook's closing line. */
export function storeCounts(stores: ResultsStore[]): string {
  return `stored cells: ${stores.reduce((a, s) => a + s.computed, 0)} computed, ${stores.reduce((a, s) => a + s.reused, 0)} reused ` +
    `(${stores.map((s) => `${s.file.split('/').pop()}: ${s.computed} computed / ${s.reused} reused`).join(', ')})`;
}

/** One ladder as plot points { steps, value, series } (value = the field at each rung). */
export function ladderSeries(pts: DaiLadderPoint[], series: string, field: keyof DaiLadderPoint = 'nmse'): { steps: number; value: number; series: string }[] {
  return pts.map((p) => ({ steps: p.steps, value: p[field] as number, series }));
}

/** The panel label of each Figure 1 model, as in the paper ("(a) VAE" ...); `.slice(4)` is the bare name. */
export const PHASE_LABELS: Record<PhaseModel, string> = { vae: '(a) VAE', 'ae-l2': '(b) AE-l2', 'ae-l1': '(c) AE-l1', rpca: '(d) RPCA' };

/** Section 1's table: per kappa the spread of L, the ranks holding 90 / 99% of its energy and the inverse network's errors. */
export function manifoldTableRows(rows: ManifoldCellResult[]): Record<string, string | number>[] {
  return rows.map((m) => ({
    kappa: m.kappa, 'std of L entries': fmt(m.std), 'rank for 90% energy': m.rank90, 'rank for 99% energy': m.rank99,
    'energy in top kappa': fmt(m.energyAtKappa), 'inverse: held-out rel. error': m.certTestRelError.toExponential(2),
    'inverse: train rel. error': m.certTrainRelError.toExponential(2),
  }));
}

/** The AEs' C2 tuning read back (tuneC2 per AE): the chosen C2 per model and one table row per C2 tried. */
export async function c2Tuning(store: ResultsStore, cfg: DaiScaleConfig['phase'], seed = 0): Promise<{ tuned: Partial<Record<PhaseModel, number>>;
  rows: { model: string; C2: number; NMSE: string; chosen: string }[] }> {
  const tuned: Partial<Record<PhaseModel, number>> = {};
  const rows = [];
  for (const model of ['ae-l2', 'ae-l1'] as const) {
    const t = await tuneC2(store, cfg, model, seed);
    tuned[model] = t.best;
    for (const r of t.tried) rows.push({ model, C2: r.c2, NMSE: fmt(r.nmse), chosen: r.c2 === t.best ? 'yes' : '' });
  }
  return { tuned, rows };
}

/** Figure 1 in numbers: per (kappa, nu) the NMSE of X and of each model ('-' where not run), the VAE at the first rung, the paper. */
export function fig1GridRows(grid: PhaseGridEntry[], cfg: DaiScaleConfig['phase']): Record<string, string | number>[] {
  const get = (kappa: number, nu: number, m: PhaseModel) => grid.find((p) => p.kappa === kappa && p.nu === nu && p.model === m)?.r;
  const nmseOf = (kappa: number, nu: number, m: PhaseModel) => {
    const r = get(kappa, nu, m);
    return r ? fmt(r.nmse) : '-';
  };
  return cfg.kappas.flatMap((kappa) => cfg.nus.map((nu) => {
    const vae = get(kappa, nu, 'vae')!;
    return {
      kappa, nu, 'NMSE of X': fmt(vae.nmseInput),
      ...Object.fromEntries(PHASE_MODELS.map((m) => [PHASE_LABELS[m].slice(4), nmseOf(kappa, nu, m)])),
      'VAE at 1.5k steps': fmt(vae.ladder[0]?.nmse ?? NaN), 'VAE used dims (Sigma_z < 0.05)': vae.sigmaZ?.usedDims ?? '-',
      'paper (Fig. 1)': nu === 0 ? 'VAE ~0; RPCA ~0 (full rank)' : 'VAE ~0 (white); AEs, RPCA dark',
    };
  }));
}

/** Figure 1's grid-mean ladder: per rung the mean NMSE of each model over the cells with outliers. */
export function fig1GridMeanPoints(ladder: { steps: number; cells: Fig1Cell[] }[], tuned: Partial<Record<PhaseModel, number>>):
  { steps: number; value: number; series: string }[] {
  const m = (cells: Fig1Cell[], k: 'vae' | 'aeL2' | 'aeL1' | 'rpca') => cells.reduce((a, c) => a + c[k], 0) / cells.length;
  return ladder.flatMap((g) => [
    { steps: g.steps, value: m(g.cells, 'vae'), series: 'VAE' },
    { steps: g.steps, value: m(g.cells, 'aeL2'), series: `AE-l2 (C2 = ${tuned['ae-l2']})` },
    { steps: g.steps, value: m(g.cells, 'aeL1'), series: `AE-l1 (C2 = ${tuned['ae-l1']})` },
    { steps: g.steps, value: m(g.cells, 'rpca'), series: 'RPCA (converged)' },
  ]);
}

/** Figure 1 at every rung as heatmap rows (the networks only; NMSE capped at 1 for the colour scale). */
export function fig1LadderPanelRows(ladder: { steps: number; cells: Fig1Cell[] }[]):
  { model: string; steps: number; nu: number; kappa: number; NMSE: number }[] {
  return ladder.flatMap((g) => g.cells.flatMap((c) => [
    { model: PHASE_LABELS.vae, steps: g.steps, nu: c.nu, kappa: c.kappa, NMSE: Math.min(1, c.vae) },
    { model: PHASE_LABELS['ae-l2'], steps: g.steps, nu: c.nu, kappa: c.kappa, NMSE: Math.min(1, c.aeL2) },
    { model: PHASE_LABELS['ae-l1'], steps: g.steps, nu: c.nu, kappa: c.kappa, NMSE: Math.min(1, c.aeL1) },
  ]));
}

/** The ladder-cell table: NMSE at each rung (column = Adam steps) of the long runs, the width runs and the learning-rate runs. */
export function ladderCellTableRows(runs: LadderCellRuns, tuned: Partial<Record<PhaseModel, number>>): Record<string, string>[] {
  const rungs = (r: PhaseCellResult) => Object.fromEntries(r.ladder.map((p) => [`${p.steps}`, fmt(p.nmse)]));
  return [
    ...runs.long.map((l) => ({ run: `${l.model} (C2 = ${l.model === 'vae' ? 1 : tuned[l.model]}), steps`, ...rungs(l.r) })),
    ...runs.width.map((x) => ({ run: `${x.model} width ${x.w.join('/')}`, ...rungs(x.r) })),
    ...runs.lr.map((x) => ({ run: `vae lr ${x.lr} (used dims at end: ${x.r.sigmaZ?.usedDims})`, ...rungs(x.r) })),
  ];
}

/** The footnote-12 table: per reading of C2, AE-l2's NMSE at C2 = 1 and 10^3, at the end and at the first rung. */
export function c2ReadingTableRows(rows: { reading: C2Reading; nmseC2One: number; nmseC2Tuned: number; one: PhaseCellResult; k: PhaseCellResult }[]):
  Record<string, string>[] {
  return rows.map((r) => ({ reading: r.reading, 'NMSE C2 = 1': fmt(r.nmseC2One), 'NMSE C2 = 10^3': fmt(r.nmseC2Tuned),
    'C2 = 1 at 1.5k steps': fmt(r.one.ladder[0]?.nmse ?? NaN), 'C2 = 10^3 at 1.5k steps': fmt(r.k.ladder[0]?.nmse ?? NaN), 'paper': 'C2 = 1 much worse' }));
}

const joinRungs = <T>(xs: T[], f: (x: T) => string | number, sep = ' > ') => xs.map(f).join(sep);

/** Per kappa: the lowest held-out error of the inverse network over the grid run and the certificate ladder. */
export function certificateBest(manifolds: ManifoldCellResult[], ladder: CertifyLadderRow[], kappas: number[]): { kappa: number; testRelError: number }[] {
  return kappas.map((kappa) => ({ kappa, testRelError: Math.min(manifolds.find((m) => m.kappa === kappa)!.certTestRelError,
    ...ladder.filter((c) => c.kappa === kappa).map((c) => c.testRelError)) }));
}

/** The certificate root cause (ladder of the largest laddered kappa); null when that ladder is empty. */
export function certificateRootCause(ladder: CertifyLadderRow[], cfg: DaiScaleConfig['phase']): string | null {
  const cl = ladder.filter((c) => c.kappa === Math.max(...cfg.certifyLadder.kappas));
  if (!cl.length) return null;
  const tr = ladderTrend(cl.map((c) => ({ steps: c.epochs, value: c.testRelError })));
  const cause = tr.stillImproving
    ? '**Budget**: still falling at the last doubling of the training; the paper trains it until "essentially zero".'
    : `It has stopped falling: the limit at this size (n = ${cfg.certify.n} pairs, lr ${cfg.certify.learningRate}, widths ` +
      `${cfg.hidden.join('/')}) — **sample size / width**, not the paper's claim (which is about the paper's widths 1000/2000).`;
  return `**Certificate root cause.** Held-out error of the inverse network for kappa = ${cl[0].kappa}: ` +
    `${joinRungs(cl, (c) => `${c.testRelError.toExponential(1)} at ${c.epochs} epochs`, ', ')} (train error at the last rung ` +
    `${cl.at(-1)!.trainRelError.toExponential(1)}). ` + cause;
}

/** The ladder-cell summary added to the Figure 1 dominance claim's note. */
export function fig1LadderNote(runs: LadderCellRuns, cfg: DaiScaleConfig['phase']): string {
  const lc = cfg.ladderCell;
  const vaeT = ladderTrend(runs.long[0].r.ladder.map((p) => ({ steps: p.steps, value: p.nmse })));
  const l2T = ladderTrend(runs.long[1].r.ladder.map((p) => ({ steps: p.steps, value: p.nmse })));
  const wideVae = runs.width.filter((x) => x.model === 'vae').at(-1)!, wideAe = runs.width.filter((x) => x.model === 'ae-l2').at(-1)!;
  const falling = (t: LadderTrend) => (t.stillImproving ? ' (still falling)' : '');
  return `ladder kappa ${lc.kappa} / nu ${lc.nu}: VAE ${fmt(vaeT.first)} at ${vaeT.firstSteps} -> ${fmt(vaeT.last)} at ${vaeT.lastSteps} ` +
    `steps${falling(vaeT)}, AE-l2 ${fmt(l2T.first)} -> ${fmt(l2T.last)}${falling(l2T)}; ` +
    `width ${wideVae.w.join('/')} at ${cfg.widthLadder.steps} steps: VAE ${fmt(wideVae.r.nmse)}, AE-l2 ${fmt(wideAe.r.nmse)}`;
}

/** The Figure 1 paragraph: the verdict and its root cause read from the ladders (budget, learning rate, width, sample size). */
export function fig1RootCause(v: DaiVerdict, runs: LadderCellRuns, cfg: DaiScaleConfig['phase'], scale: Scale): string {
  const lc = cfg.ladderCell;
  const vaeT = ladderTrend(runs.long[0].r.ladder.map((p) => ({ steps: p.steps, value: p.nmse })));
  const l2T = ladderTrend(runs.long[1].r.ladder.map((p) => ({ steps: p.steps, value: p.nmse })));
  const width = (w: [number, number], model: 'vae' | 'ae-l2') => fmt(runs.width.find((x) => x.w === w && x.model === model)!.r.nmse);
  const widths = [cfg.hidden, ...cfg.widthLadder.widths].map((w) => `${w.join('/')}: VAE ${width(w, 'vae')} vs AE-l2 ${width(w, 'ae-l2')}`).join('; ');
  const rates = runs.lr.map((x) => `lr ${x.lr}: NMSE ${fmt(x.r.nmse)}, ${x.r.sigmaZ?.usedDims} used dims`).join('; ');
  return `**Figure 1 at ${scale} scale: ${verdictText(v.holds)}** (${v.ours}). Root cause, from the ladders: ` +
    `(1) **budget**: at the first rung (${vaeT.firstSteps} steps; the old quick budget was 1,500 at lr 1e-3) the VAE is at NMSE ${fmt(vaeT.first)} on ` +
      `the ladder cell (X itself: ${fmt(runs.long[0].r.nmseInput)}): Sigma_z starts at the prior, so z is mostly noise until the decoder learns to use it; ` +
    `at the paper's learning rate it falls to ${fmt(vaeT.last)} at ${vaeT.lastSteps} ` +
      `steps${vaeT.stillImproving ? ' and is still falling at the last doubling' : ''}, while AE-l2 goes ${fmt(l2T.first)} -> ${fmt(l2T.last)}. The ` +
      `paper trains ~2,000,000 steps. ` +
    `(2) **learning rate**: ${rates} after ${cfg.lrLadder.steps} steps (truth ${lc.kappa}). ` +
    `(3) **width** (the paper's models are 1000/2000 wide; quick's grid uses ${cfg.hidden.join('/')}): ` +
      `${widths} after ${cfg.widthLadder.steps} steps. ` +
    `(4) **sample size**: n = ${cfg.n} vs the paper's 10^6 is not laddered here (every scale but paper keeps n = 3,000); with 300x fewer samples ` +
      `per weight the AEs may fit outliers the paper's data would not let them fit, so the gap between VAE and AEs here is not a measurement of the ` +
      `paper's gap.`;
}

/** The footnote-12 root cause: both C2 ladders per reading. */
export function c2FootnoteRootCause(rows: { reading: C2Reading; one: PhaseCellResult; k: PhaseCellResult }[]): string {
  const nmses = (r: PhaseCellResult) => joinRungs(r.ladder, (q) => fmt(q.nmse));
  const ladders = rows.map((r) => `${r.reading}: C2 = 1 ${nmses(r.one)}; C2 = 10^3 ${nmses(r.k)}`);
  return `**Footnote 12 root cause.** ${ladders.join('. ')} (rungs ${joinRungs(rows[0].one.ladder, (q) => q.steps, ', ')} steps). ` +
    'Under every reading tried, C2 = 10^3 holds mu_z so close to 0 that the AE is stuck near NMSE 0.6 from the first rung on, while C2 = 1 keeps ' +
      'improving; in the mean-d reading both C2 are that strong. ' +
    'So with this network, n and budget no reading makes C2 = 1 the worse choice: the footnote is either about the paper\'s far longer training on 10^6 ' +
      'samples (where an AE with weak C2 may end up fitting the outliers, untested here: **budget / sample size**), or about a convention the paper ' +
      'does not state.';
}

/** The VAE cells of the Figure 1 grid that carry Sigma_z statistics (Figure 3's panels). */
export function sigmaZCells(grid: PhaseGridEntry[]): PhaseGridEntry[] { return grid.filter((p) => p.model === 'vae' && p.r.sigmaZ); }

/** Figure 3's histogram bars: one row per nonempty bin of each VAE panel. */
export function fig3HistogramRows(grid: PhaseGridEntry[]): { nu: string; kappa: string; lo: number; hi: number; count: number }[] {
  return sigmaZCells(grid).flatMap((p) => p.r.sigmaZ!.counts.map((c, i) => ({
    nu: `nu = ${p.nu}`, kappa: `kappa = ${p.kappa}`, lo: p.r.sigmaZ!.edges[i], hi: p.r.sigmaZ!.edges[i + 1], count: c,
  }))).filter((r) => r.count > 0);
}

/** Figure 3 in numbers: fractions near 0 / 1, used dimensions, nonzero W1 columns, used dimensions at each rung. */
export function fig3FractionRows(grid: PhaseGridEntry[], latentDim: number): Record<string, string | number>[] {
  return sigmaZCells(grid).map((p) => ({
    kappa: p.kappa, nu: p.nu, 'near 0 (< 0.05)': fmt(p.r.sigmaZ!.fracNearZero), 'near 1 (> 0.5)': fmt(p.r.sigmaZ!.fracNearOne),
    'in between': fmt(1 - p.r.sigmaZ!.fracNearZero - p.r.sigmaZ!.fracNearOne),
    'expected near 0 (kappa / dim z)': fmt(p.kappa / latentDim), 'used dims': p.r.sigmaZ!.usedDims, 'nonzero W1 columns': p.r.nonzeroColumns,
    ...Object.fromEntries(p.r.ladder.map((q) => [`used dims at ${q.steps}`, q.usedDims ?? '-'])),
  }));
}

/** The inputs of verdictFig3Bimodal (every panel) and verdictFig3Growth (nu = 0 per kappa). */
export function fig3Inputs(grid: PhaseGridEntry[], kappas: number[]): { bimodal: Fig3Cell[]; growth: { kappa: number; fracNearZero: number }[] } {
  const cells = sigmaZCells(grid);
  return {
    bimodal: cells.map((p) => ({ kappa: p.kappa, nu: p.nu, fracNearZero: p.r.sigmaZ!.fracNearZero, fracNearOne: p.r.sigmaZ!.fracNearOne })),
    growth: kappas.map((k) => ({ kappa: k, fracNearZero: cells.find((p) => p.kappa === k && p.nu === 0)?.r.sigmaZ!.fracNearZero ?? NaN })),
  };
}

/** The Figure 3 root cause: used dimensions on the grid, on the ladder cell and per width. */
export function fig3RootCause(grid: PhaseGridEntry[], runs: LadderCellRuns, cfg: DaiScaleConfig['phase']): string {
  const long = runs.long[0].r.ladder;
  const lt = ladderTrend(long.map((q) => ({ steps: q.steps, value: q.usedDims ?? 0 })), false);
  const widths = cfg.widthLadder.widths.map((w) => `${w.join('/')}: ${runs.width.find((x) => x.w === w && x.model === 'vae')!.r.sigmaZ?.usedDims ?? '-'} ` +
    `used after ${cfg.widthLadder.steps} steps`).join(', ');
  return `**Figure 3 root cause.** After ${trainSteps(cfg.train, cfg.n)} steps the grid ` +
    `VAEs use ${sigmaZCells(grid).map((p) => `${p.r.sigmaZ!.usedDims}`).join(', ')} dimensions (kappa x nu order as the table). ` +
    `On the ladder cell (truth ${cfg.ladderCell.kappa}) the used dimensions go ${joinRungs(long, (q) => `${q.usedDims} at ${q.steps}`, ', ')} ` +
      `steps${lt.stillImproving ? ', still rising at the last rung' : ''}; at width ${widths}. ` +
    'Sigma_z leaves the prior only once the decoder has learned to use z, so the split into 0 / 1 is the *end* of training: **budget** (and width), ' +
      'the paper\'s ~2,000,000 steps vs the grid\'s.';
}

/** One Figure 4 run: kappa = dim z, outlier ratio nu. */
export interface SigmaZRun { nu: number; r: PhaseCellResult }

/** Reads (or computes) the Figure 4 runs, one per nu, with the keys daiCells lists. */
export async function sigmaZRuns(store: ResultsStore, cfg: DaiScaleConfig, seed = 0): Promise<SigmaZRun[]> {
  const out: SigmaZRun[] = [];
  for (const nu of cfg.sigmaZ.nus) out.push({ nu, r: await phaseCell(store, cfg.phase, cfg.sigmaZ.kappa, nu, 'vae', { latentDim: cfg.sigmaZ.kappa, seed }) });
  return out;
}

const nearOne = (xs: number[]) => xs.filter((v) => v > 0.5).length;

/** Figure 4 in numbers, with the count of dimensions near 1 at each rung. */
export function fig4Rows(runs: SigmaZRun[]): Record<string, string | number>[] {
  return runs.map((f) => ({ nu: f.nu, NMSE: fmt(f.r.nmse), 'dims with mean var > 0.5': nearOne(f.r.sigmaZ!.meanPerDim),
    'dims with mean var < 0.05': f.r.sigmaZ!.meanPerDim.filter((v) => v < 0.05).length, 'largest mean var': fmt(Math.max(...f.r.sigmaZ!.meanPerDim)),
    ...Object.fromEntries(f.r.ladder.map((q) => [`> 0.5 at ${q.steps}`, nearOne(q.meanPerDim!)])) }));
}

/** Figure 4's ladder: dimensions with mean variance > 0.5 at each rung, per nu. */
export function fig4LadderPoints(runs: SigmaZRun[]): { steps: number; value: number; series: string }[] {
  return runs.flatMap((f) => f.r.ladder.map((q) => ({ steps: q.steps, value: nearOne(q.meanPerDim!), series: `nu = ${f.nu}` })));
}

/** The Figure 4 root cause: dimensions near 1 at each rung. */
export function fig4RootCause(runs: SigmaZRun[]): string {
  return `**Figure 4 root cause.** Dimensions with mean variance > 0.5 at each rung: ` +
    `${runs.map((f) => `nu ${f.nu}: ${joinRungs(f.r.ladder, (q) => nearOne(q.meanPerDim!))}`).join('; ')} (rungs ` +
    `${joinRungs(runs[0].r.ladder, (q) => q.steps, ', ')}). ` +
    'Every dimension starts at the prior (variance 1) and falls to 0 only when the decoder uses it, so "near 1 at nu <= 0.3" is a run that has not ' +
      'finished switching its dimensions on: **budget**, read from whether the counts at nu <= 0.3 are still falling at the last rung.';
}

/** Table 1 as printed in the paper (nonzero W1 columns, Ne rows x Nd = 0..3). */
export const PAPER_TABLE1: Record<number, number[]> = {
  0: [30.0, 21.1, 21.0, 20.0], 1: [30.0, 21.0, 20.0, 20.0], 2: [30.0, 21.0, 20.0, 20.0], 3: [30.0, 20.4, 20.0, 20.0],
};

/** One Table 1 cell over its trials. */
export interface PruningRun { ne: number; nd: number; counts: number[]; norms: number[][]; nmse: number[]; ladder: DaiLadderPoint[][] }

/** Reads (or computes) the Table 1 grid, Ne x Nd x trials, with the keys daiCells lists. */
export async function pruningRuns(store: ResultsStore, cfg: DaiScaleConfig['pruning']): Promise<PruningRun[]> {
  const out: PruningRun[] = [];
  for (const ne of cfg.encoderDepths) for (const nd of cfg.decoderDepths) {
    const rs = [];
    for (let trial = 0; trial < cfg.trials; trial++) rs.push(await pruningCell(store, cfg, ne, nd, trial));
    out.push({ ne, nd, counts: rs.map((r) => r.nonzeroColumns), norms: rs.map((r) => r.sortedNorms), nmse: rs.map((r) => r.nmse),
      ladder: rs.map((r) => r.ladder) });
  }
  return out;
}

/** Mean nonzero-column count of a Table 1 cell over its trials. */
export function meanCount(p: Pick<PruningRun, 'counts'>): number { return p.counts.reduce((a, b) => a + b, 0) / Math.max(1, p.counts.length); }

/** Table 1 pivoted: one row per Ne, ours beside the paper per Nd. */
export function table1Rows(runs: PruningRun[], cfg: DaiScaleConfig['pruning']): Record<string, string | number>[] {
  return cfg.encoderDepths.map((ne) => Object.fromEntries([['Ne', ne], ...cfg.decoderDepths.flatMap((nd) => {
    const p = runs.find((q) => q.ne === ne && q.nd === nd)!;
    return [[`Nd=${nd} ours`, fmt(meanCount(p), 1)], [`Nd=${nd} paper`, PAPER_TABLE1[ne]?.[nd]?.toFixed(1) ?? '-']];
  })]));
}

/** The Table 1 learning-rate ladder: the lrLadder cell at each rate (trial 0). */
export async function pruningLrRuns(store: ResultsStore, cfg: DaiScaleConfig['pruning']): Promise<{ lr: number; r: PruningCellResult }[]> {
  const out = [];
  for (const lr of cfg.lrLadder.rates) out.push({ lr, r: await pruningCell(store, pruningLrConfig(cfg, lr), cfg.lrLadder.ne, cfg.lrLadder.nd, 0) });
  return out;
}

const columnLadder = (p: PruningRun, sep: string) => `Ne ${p.ne}/Nd ${p.nd}: ${joinRungs(p.ladder[0], (q) => q.nonzeroColumns, sep)}`;

/** The trial-0 ladders of the Nd >= 1 cells, added to the Table 1 claim's note. */
export function table1LadderNote(runs: PruningRun[]): string {
  return `ladder: ${runs.filter((p) => p.nd >= 1).map((p) => columnLadder(p, '>')).join('; ')} at ${joinRungs(runs[0].ladder[0], (q) => q.steps, ', ')} steps`;
}

/** The Table 1 root cause: nonzero columns along the step ladder and the learning-rate ladder. */
export function table1RootCause(runs: PruningRun[], lrRuns: { lr: number; r: PruningCellResult }[], cfg: DaiScaleConfig['pruning']): string {
  const lrP = cfg.lrLadder;
  const lrs = lrRuns.map((x) => `${x.lr}: ${joinRungs(x.r.ladder, (q) => q.nonzeroColumns)} ` +
    `(Ne ${lrP.ne}/Nd ${lrP.nd}, rungs ${joinRungs(x.r.ladder, (q) => q.steps, ', ')})`).join('; ');
  return `**Table 1 root cause.** Nonzero W1 columns at the rungs ${joinRungs(runs[0].ladder[0], (q) => q.steps, ', ')} (lr ` +
    `${cfg.train.learningRate}): ${runs.map((p) => columnLadder(p, ' > ')).join('; ')}. ` +
    `At lr ${lrs}. ` +
    'Columns of W1 stay nonzero until training has pushed the unused latent dimensions to the prior, so a count of 30 at Nd >= 1 is **budget**; a count ' +
      'well below 20 is over-pruning of a narrow decoder (n = 3,000 samples, one trial), which the paper (10 trials, n = 10^6) does not report.';
}

/** One Figure 2b point: nonzero W1 columns of a model at latent size kappa. */
export interface Fig2bRun { kappa: number; model: 'vae' | 'ae'; nonzero: number; ladder: DaiLadderPoint[] }

/** Reads (or computes) Figure 2b, kappa x model x trial, with the keys daiCells lists. */
export async function fig2bRuns(store: ResultsStore, cfg: DaiScaleConfig['mnist']): Promise<Fig2bRun[]> {
  const out: Fig2bRun[] = [];
  for (const kappa of cfg.kappas) for (const model of ['vae', 'ae'] as const) for (let trial = 0; trial < cfg.trials; trial++) {
    const r = await mnistPruningCell(store, cfg, kappa, model, trial);
    out.push({ kappa, model, nonzero: r.nonzeroColumns, ladder: r.ladder });
  }
  return out;
}

/** The Figure 2b root cause: NMSE and mean |L-hat| / mean |X| at each rung (mean |X| from the RPCA cell). */
export function fig2bRootCause(runs: Fig2bRun[], meanAbsClean: number): string {
  const ladders = runs.map((r) => `${r.model.toUpperCase()} kappa ${r.kappa}: ` +
    `${joinRungs(r.ladder, (q) => `${fmt(q.nmse, 2)} / ${fmt(q.meanAbsEstimate! / meanAbsClean, 2)}`)}`).join('; ');
  return `**Figure 2b root cause.** Reconstruction NMSE of the clean digits and mean |L-hat| / mean |X| at the rungs ` +
    `${joinRungs(runs[0].ladder, (q) => q.steps, ', ')}: ${ladders}. ` +
    'A model that outputs the blank image (ratio ~0, NMSE ~1) has no reason to zero any column of W1: the pruning count is read off a network that has ' +
      'not learned the digits. See the Figure 5b root cause below for why the blank image wins.';
}

/** Figure 5b in numbers: one row per nu, NMSE and mean |L-hat| per model. */
export function fig5bTableRows(rows: RecoveryRow[], nus: number[]): Record<string, string | number>[] {
  return nus.map((nu) => {
    const at = rows.filter((f) => f.nu === nu);
    return Object.fromEntries([['nu', nu], ['NMSE of X', fmt(at[0].input)],
      ...at.flatMap((f) => [[f.model, fmt(f.NMSE)], [`${f.model}: mean |L-hat|`, fmt(f.meanAbs)]]), ['mean |L|', fmt(at[0].meanAbsClean)]]);
  });
}

/** The alpha diagnostic: the first-tau VAE at the first nu, at the grid's alpha and at each alphaLadder value. */
export async function alphaRuns(store: ResultsStore, cfg: DaiScaleConfig['mnist'], rows: RecoveryRow[]): Promise<{ alphaRel: number; r: RecoveryRow }[]> {
  const nu = cfg.nus[0];
  const out = [{ alphaRel: cfg.train.alphaRel, r: rows.find((f) => f.nu === nu && f.model === `VAE tau = ${cfg.taus[0]}`)! }];
  for (const alphaRel of cfg.alphaLadder) out.push({ alphaRel, r: await recoveryRow(store, mnistAlphaConfig(cfg, alphaRel), nu, `vae-tau${cfg.taus[0]}`) });
  return out;
}

/** The alpha diagnostic as table rows (NMSE, the blank-image ratio at the end and at each rung). */
export function alphaRows(runs: { alphaRel: number; r: RecoveryRow }[]): Record<string, string | number>[] {
  return runs.map((a) => ({ 'alpha / var(X)': a.alphaRel, NMSE: fmt(a.r.NMSE), 'mean |L-hat| / mean |L|': fmt(a.r.meanAbs / a.r.meanAbsClean),
    ...Object.fromEntries(a.r.ladder.map((q) => [`ratio at ${q.steps}`, fmt(q.meanAbsEstimate! / a.r.meanAbsClean)])) }));
}

/** The NMSE of one Figure 5b model at nu (throws when it was not run). */
export function recoveryNmse(rows: RecoveryRow[], nu: number, model: string): number {
  const r = rows.find((f) => f.nu === nu && f.model === model);
  if (!r) throw new Error(`recoveryNmse: no ${model} row at nu = ${nu}`);
  return r.NMSE;
}

/** The inputs of verdictTau: per nu, the NMSE at the first and the last tau. */
export function tauRows(rows: RecoveryRow[], cfg: DaiScaleConfig['mnist']): { nu: number; tauLow: number; tauHigh: number }[] {
  return cfg.nus.map((nu) => ({ nu, tauLow: recoveryNmse(rows, nu, `VAE tau = ${cfg.taus[0]}`),
    tauHigh: recoveryNmse(rows, nu, `VAE tau = ${cfg.taus[cfg.taus.length - 1]}`) }));
}

/** The Figure 5b root cause: the blank-image ratio along the rungs, the alpha diagnostic, and what the paper leaves unstated. */
export function fig5bRootCause(rows: RecoveryRow[], alpha: { alphaRel: number; r: RecoveryRow }[]): string {
  const vaes = rows.filter((f) => f.model !== 'RPCA');
  const blankStays = vaes.every((f) => f.ladder.every((q) => q.meanAbsEstimate! < 0.25 * f.meanAbsClean));
  const blankLadder = vaes.map((f) => `${f.model} nu ${f.nu}: ${joinRungs(f.ladder, (q) => fmt(q.meanAbsEstimate! / f.meanAbsClean, 3))}`).join('; ');
  const budget = blankStays
    ? 'A ratio near 0 from the first rung to the last is the blank-image estimate, and more steps do not move it: **not budget**. '
    : 'Where the ratio grows along the rungs the VAE is leaving the blank image with more steps: there it is **budget**. ';
  return `**Figure 5b root cause.** mean |L-hat| / mean |L| at the rungs ${joinRungs(rows[0].ladder, (q) => q.steps, ', ')}: ${blankLadder}. ` +
    budget +
    `With Sigma_x in closed form the data term is sum_j log max(r_j^2, alpha): it rewards each exactly fitted pixel by log(1/alpha), and about 80% of ` +
      `MNIST pixels are exactly 0 in every image, so the per-pixel *mode* (0 nearly everywhere) is what a decoder without input information should ` +
      `output — and at the start of training z carries none (Sigma_z = I). ` +
    `A larger floor alpha makes the well shallower: ` +
      `${alpha.map((a) => `alpha ${a.alphaRel} x var(X): NMSE ${fmt(a.r.NMSE)}, ratio ${fmt(a.r.meanAbs / a.r.meanAbsClean)}`).join('; ')}. ` +
    'The paper does not give alpha, the pixel scale it trained on (it adds U[0, 255] outliers, so raw 0-255 pixels), or how it left the blank image: an ' +
      '**unstated setting**, with the same objective as Figure 1 (where the blank image does not arise: the Sec. 5.1 data have no exact zeros).';
}
