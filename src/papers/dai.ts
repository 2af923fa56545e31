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
import { Scale, getScale } from '../experiment/scale';
import { ResultsStore } from '../experiment/store';
import { ManifoldGenerator, makeManifoldData, singularValueProfile, MANIFOLD_SEC51, MANIFOLD_SEC52 } from '../data/manifold';
import { loadMnistSync } from '../data/mnist';
import { uniformReplace } from '../corruptions';
import { DaiVAE, DaiVAEOptions } from '../models/dai-vae';
import { DaiAE } from '../models/dai-ae';
import { nmse } from '../metrics/nmse';
import { w1ColumnNorms, countNonzeroColumns, sigmaZStats } from '../inspect/latent';

/** Bump when a change alters what a cell computes (the store then recomputes). */
export const DAI_CODE_VERSION = 'dai-v5';

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
  };
  /** Figure 4: kappa = dim[mu_z] = 10 as nu varies. */
  sigmaZ: { kappa: number; nus: number[] };
  pruning: {
    n: number; kappa: number; genHidden: [number, number]; d: number; latentDim: number; width: number;
    encoderDepths: number[]; decoderDepths: number[]; trials: number; train: TrainConfig;
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
  };
}

const PAPER_TRAIN: TrainConfig = { epochs: 200, learningRate: 1e-4, batchSize: 100, init: 'glorot', alphaRel: 5e-3 };

/** Quick-scale training: the paper's batch, init and alpha; a 10x larger learning rate (see DAI_SCALES). */
const QUICK_TRAIN = (epochs: number): TrainConfig => ({ epochs, learningRate: 1e-3, batchSize: 100, init: 'glorot', alphaRel: 5e-3 });
const SMOKE_TRAIN = (epochs: number): TrainConfig => ({ epochs, learningRate: 1e-3, batchSize: 100, init: 'glorot', alphaRel: 5e-3 });

/**
 * The three scales. `paper` is the paper's protocol. `quick` keeps every experiment but shrinks n, widths,
 * grids and training: ~1,500 optimiser steps per network where the paper takes ~2,000,000, with a 10x larger
 * learning rate (1e-3, the same for every model; 3e-3 made the VAE collapse to 2-6 used latent dimensions and
 * was worse for it at every cell tried) and convex RPCA stopped at a relative residual of 1e-3 (on 3000 x 784
 * MNIST the rank of its partial SVD climbs past 300 on the way to 1e-7; the NMSE at 1e-3 equals the one at 1e-4
 * to 4 digits). `smoke` only proves the cells run.
 */
export const DAI_SCALES: Record<Scale, DaiScaleConfig> = {
  paper: {
    phase: {
      n: 1_000_000, hidden: [...MANIFOLD_SEC51.hidden] as [number, number], d: MANIFOLD_SEC51.outDim, latentDim: 50,
      kappas: [2, 4, 6, 8, 10, 12, 14, 16, 18, 20], nus: [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5],
      train: PAPER_TRAIN,
      certify: { n: 100_000, nTest: 10_000, epochs: 50, batchSize: 100, learningRate: 1e-4 },
      c2Grid: { 'ae-l2': [1, 10, 100, 1000, 10000], 'ae-l1': [0.1, 1, 10, 100, 1000] }, tuneCell: { kappa: 10, nu: 0.25 }, rpca: { tol: 1e-7, maxIter: 1000 },
    },
    sigmaZ: { kappa: 10, nus: [0, 0.1, 0.2, 0.3, 0.4, 0.5] },
    pruning: { n: 1_000_000, kappa: 20, genHidden: [...MANIFOLD_SEC52.hidden] as [number, number], d: MANIFOLD_SEC52.outDim, latentDim: 30, width: 200, encoderDepths: [0, 1, 2, 3], decoderDepths: [0, 1, 2, 3], trials: 10, train: PAPER_TRAIN },
    mnist: { n: 70_000, hidden: [1000, 500, 250], kappas: [3, 5, 8, 10, 15, 20, 25, 30, 35, 40], trials: 10, train: PAPER_TRAIN, nus: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5], recoveryKappa: 30, taus: [1, 5], rpca: { tol: 1e-7, maxIter: 1000 } },
  },
  long: {
    // One machine overnight: quick's cells trained at the paper's learning rate for ~48k steps (placeholder sizes,
    // to be set by the budget ladders).
    phase: {
      n: 3000, hidden: [100, 200], d: 100, latentDim: 50,
      kappas: [2, 8, 14, 20], nus: [0, 0.25, 0.5],
      train: { ...PAPER_TRAIN, epochs: 1600 },
      certify: { n: 20000, nTest: 2000, epochs: 50, batchSize: 100, learningRate: 1e-3 },
      c2Grid: { 'ae-l2': [1, 10, 100, 1000], 'ae-l1': [1, 10, 100] }, tuneCell: { kappa: 8, nu: 0.25 }, rpca: { tol: 1e-7, maxIter: 1000 },
    },
    sigmaZ: { kappa: 10, nus: [0, 0.1, 0.2, 0.3, 0.4, 0.5] },
    pruning: { n: 3000, kappa: 20, genHidden: [200, 200], d: 400, latentDim: 30, width: 200, encoderDepths: [0, 3], decoderDepths: [0, 1, 2, 3], trials: 3, train: { ...PAPER_TRAIN, epochs: 1600 } },
    mnist: { n: 10000, hidden: [256, 128, 64], kappas: [5, 10, 15, 20, 30], trials: 1, train: { ...PAPER_TRAIN, epochs: 200 }, nus: [0.1, 0.3, 0.5], recoveryKappa: 30, taus: [1, 5], rpca: { tol: 1e-7, maxIter: 1000 } },
  },
  quick: {
    phase: {
      n: 3000, hidden: [100, 200], d: 100, latentDim: 50,
      kappas: [2, 8, 14, 20], nus: [0, 0.25, 0.5],
      train: QUICK_TRAIN(50),
      certify: { n: 20000, nTest: 2000, epochs: 10, batchSize: 100, learningRate: 3e-3 },
      c2Grid: { 'ae-l2': [1, 1000], 'ae-l1': [1, 100] }, tuneCell: { kappa: 8, nu: 0.25 }, rpca: { tol: 1e-7, maxIter: 1000 },
    },
    sigmaZ: { kappa: 10, nus: [0, 0.25, 0.5] },
    pruning: { n: 3000, kappa: 20, genHidden: [200, 200], d: 400, latentDim: 30, width: 100, encoderDepths: [0, 3], decoderDepths: [0, 1, 2, 3], trials: 1, train: QUICK_TRAIN(30) },
    mnist: { n: 3000, hidden: [256, 128, 64], kappas: [5, 30], trials: 1, train: QUICK_TRAIN(15), nus: [0.1, 0.5], recoveryKappa: 30, taus: [1, 5], rpca: { tol: 1e-7, maxIter: 1000 } },
  },
  smoke: {
    phase: {
      n: 300, hidden: [16, 32], d: 20, latentDim: 8,
      kappas: [2, 4], nus: [0, 0.3],
      train: SMOKE_TRAIN(2),
      certify: { n: 300, nTest: 100, epochs: 2, batchSize: 100, learningRate: 1e-3 },
      c2Grid: { 'ae-l2': [1, 1000], 'ae-l1': [1] }, tuneCell: { kappa: 2, nu: 0.3 }, rpca: { tol: 1e-7, maxIter: 1000 },
    },
    sigmaZ: { kappa: 4, nus: [0, 0.3] },
    pruning: { n: 300, kappa: 4, genHidden: [16, 16], d: 24, latentDim: 6, width: 16, encoderDepths: [0, 1], decoderDepths: [0, 1], trials: 1, train: SMOKE_TRAIN(2) },
    mnist: { n: 200, hidden: [32, 16], kappas: [3, 6], trials: 1, train: SMOKE_TRAIN(1), nus: [0.1, 0.5], recoveryKappa: 6, taus: [1, 2], rpca: { tol: 1e-7, maxIter: 1000 } },
  },
};

export function daiConfig(scale: Scale = getScale()): DaiScaleConfig { return DAI_SCALES[scale]; }

/** The results store of one experiment of this notebook (results/<scale>/04-hidden-talents-of-the-vae/<name>.jsonl). */
export function daiStore(name: string, scale: Scale = getScale()): ResultsStore {
  return new ResultsStore(`04-hidden-talents-of-the-vae/${name}.jsonl`, { version: DAI_CODE_VERSION, scale });
}

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
  return { epochs: train.epochs, lr: train.learningRate, batch: train.batchSize, init: train.init, alphaRel: train.alphaRel };
}

function seedOf(...parts: (string | number)[]): number { return new Rng(parts.join(':')).nextUint32(); }

/**
 * Convex RPCA (eq. 14) by inexact ALM from src/models/rpca.ts (loaded lazily, so this module builds without it):
 * fits the shared RobustPCA (rows = samples; lambda = 1/sqrt(max(n, d)) default) with the scale's stopping rule
 * and returns L-hat.
 */
export async function rpcaLowRank(X: tf.Tensor2D, stop: Partial<RpcaConfig> = {}): Promise<tf.Tensor2D> {
  let mod: { RobustPCA: new (o?: Record<string, unknown>) => { fit(X: tf.Tensor2D): Promise<unknown>; decompose(): { L: tf.Tensor2D; S: tf.Tensor2D }; dispose(): void } };
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    mod = require('../models/rpca');
  } catch (e) {
    throw new Error(`convex RPCA baseline: src/models/rpca.ts (RobustPCA) is not available: ${(e as Error).message.split('\n')[0]}`);
  }
  const m = new mod.RobustPCA({ ...(stop.tol !== undefined ? { tol: stop.tol } : {}), ...(stop.maxIter !== undefined ? { maxIter: stop.maxIter } : {}) });
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
export async function manifoldCell(store: ResultsStore, cfg: DaiScaleConfig['phase'], kappa: number, seed = 0): Promise<ManifoldCellResult> {
  return store.cell({ exp: 'manifold', kappa, seed, n: cfg.n, r1: cfg.hidden[0], r2: cfg.hidden[1], d: cfg.d, certEpochs: cfg.certify.epochs }, async () => {
    const g = generatorFor(kappa, cfg, seed);
    try {
      const { Z, L } = g.sample(Math.min(cfg.n, 20000), seedOf('profile', seed, kappa));
      const prof = singularValueProfile(L, kappa);
      const std = tf.tidy(() => Math.sqrt(tf.moments(L).variance.dataSync()[0]));
      tf.dispose([Z, L]);
      const c = await g.certify({ ...cfg.certify, seed: `cert:${seed}:${kappa}` });
      return { kappa, std, singularValues: prof.values, rank90: prof.rank90, rank99: prof.rank99, energyAtKappa: prof.energyAtKappa ?? NaN, certTestRelError: c.testRelError, certTrainRelError: c.trainRelError, certSeconds: c.seconds };
    } finally {
      g.dispose();
    }
  });
}

// ------------------------------------------------------------------------------------------------ Sec. 5.1 cells
export interface PhaseCellResult {
  nmse: number;
  /** NMSE of doing nothing (L-hat = X), for scale. */
  nmseInput: number;
  /** Nonzero columns of W1 (0.05 x max threshold); NaN for RPCA. */
  nonzeroColumns: number;
  /** Sigma_z diagonal statistics (VAE only). */
  sigmaZ?: { counts: number[]; edges: number[]; max: number; meanPerDim: number[]; fracNearZero: number; fracNearOne: number; usedDims: number };
  finalLoss: number;
  seconds: number;
}

function modelFor(model: Exclude<PhaseModel, 'rpca'>, base: Partial<DaiVAEOptions>, c2: number): DaiVAE {
  if (model === 'vae') return new DaiVAE(base);
  return new DaiAE({ ...base, penalty: model === 'ae-l2' ? 'l2' : 'l1', c2 });
}

/** Trains a model on X and reads it out: the shared body of the Sec. 5.1 / 5.3 cells. */
async function trainAndRead(model: Exclude<PhaseModel, 'rpca'>, opts: Partial<DaiVAEOptions>, c2: number, X: tf.Tensor2D, L: tf.Tensor2D, label: string, keepSigma: boolean): Promise<PhaseCellResult> {
  const t0 = Date.now();
  const m = modelFor(model, opts, c2);
  try {
    await m.fit(X, { progress: process.env.RML_PROGRESS === '1', label });
    const Lh = m.reconstruct(X);
    const e = nmse(Lh, L);
    Lh.dispose();
    const out: PhaseCellResult = { nmse: e, nmseInput: nmse(X, L), nonzeroColumns: countNonzeroColumns(w1ColumnNorms(m)), finalLoss: m.history.epochs.at(-1)?.loss ?? NaN, seconds: 0 };
    if (keepSigma && m.isVAE) {
      const lat = m.latent(X);
      const s = sigmaZStats(lat.variance, { bins: 24, range: 1.2 });
      tf.dispose([lat.mean, lat.variance]);
      out.sigmaZ = { counts: s.counts, edges: s.edges, max: s.max, meanPerDim: s.meanPerDim, fracNearZero: s.fracNearZero, fracNearOne: s.fracNearOne, usedDims: s.usedDims };
    }
    out.seconds = (Date.now() - t0) / 1000;
    return out;
  } finally {
    m.dispose();
  }
}

function phaseModelOptions(cfg: DaiScaleConfig['phase'], latentDim: number, seed: number, X: tf.Tensor2D): Partial<DaiVAEOptions> {
  const [r1, r2] = cfg.hidden;
  return { encoderHidden: [r2, r1], decoderHidden: [r1, r2], latentDim, ...trainOptions(cfg.train, X), seed };
}

/** One cell of the Figure 1 phase transition: (kappa, nu, model [, c2]) -> NMSE (+ Sigma_z statistics for the VAE). */
export async function phaseCell(store: ResultsStore, cfg: DaiScaleConfig['phase'], kappa: number, nu: number, model: PhaseModel, opts: { c2?: number; seed?: number; latentDim?: number } = {}): Promise<PhaseCellResult> {
  const seed = opts.seed ?? 0;
  const latentDim = opts.latentDim ?? cfg.latentDim;
  const c2 = model === 'vae' || model === 'rpca' ? 1 : opts.c2 ?? 1;
  const params = { exp: 'phase', kappa, nu, model, c2, seed, latentDim, n: cfg.n, r1: cfg.hidden[0], r2: cfg.hidden[1], d: cfg.d, ...(model === 'rpca' ? { rpcaTol: cfg.rpca.tol, rpcaMaxIter: cfg.rpca.maxIter } : trainKeys(cfg.train)) };
  return store.cell(params, async () => {
    const D = makeManifoldData({ kappa, hidden: cfg.hidden, outDim: cfg.d, seed: `sec51:${seed}:${kappa}`, n: cfg.n, nu, dataSeed: `sec51-data:${seed}:${kappa}` });
    try {
      if (model === 'rpca') {
        const t0 = Date.now();
        const Lh = await rpcaLowRank(D.X, cfg.rpca);
        const e = nmse(Lh, D.L);
        Lh.dispose();
        return { nmse: e, nmseInput: nmse(D.X, D.L), nonzeroColumns: NaN, finalLoss: NaN, seconds: (Date.now() - t0) / 1000 };
      }
      return await trainAndRead(model, phaseModelOptions(cfg, latentDim, seedOf('model', seed, kappa, nu, model), D.X), c2, D.X, D.L, `${model} kappa=${kappa} nu=${nu}`, true);
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
  const best = tried.reduce((a, b) => (b.nmse < a.nmse ? b : a)).c2;
  return { best, tried };
}

// ------------------------------------------------------------------------------------------------ Sec. 5.2 / Table 1
export interface PruningCellResult { nonzeroColumns: number; sortedNorms: number[]; nmse: number; seconds: number }

/** One Table 1 cell: a VAE with Ne encoder and Nd decoder hidden layers on clean data from the z(20) manifold. */
export async function pruningCell(store: ResultsStore, cfg: DaiScaleConfig['pruning'], ne: number, nd: number, trial = 0, model: 'vae' | 'ae-l2' = 'vae'): Promise<PruningCellResult> {
  const params = { exp: 'pruning', ne, nd, trial, model, n: cfg.n, kappa: cfg.kappa, latentDim: cfg.latentDim, width: cfg.width, d: cfg.d, ...trainKeys(cfg.train) };
  return store.cell(params, async () => {
    const t0 = Date.now();
    const D = makeManifoldData({ kappa: cfg.kappa, hidden: cfg.genHidden, outDim: cfg.d, seed: `sec52:${trial}`, n: cfg.n, nu: 0 });
    const opts: Partial<DaiVAEOptions> = { encoderHidden: Array(ne).fill(cfg.width), decoderHidden: Array(nd).fill(cfg.width), latentDim: cfg.latentDim, ...trainOptions(cfg.train, D.X), seed: seedOf('prune', trial, ne, nd) };
    const m = model === 'vae' ? new DaiVAE(opts) : new DaiAE({ ...opts, penalty: 'l2', c2: 0 });
    try {
      await m.fit(D.X, { progress: process.env.RML_PROGRESS === '1', label: `Table 1 Ne=${ne} Nd=${nd}` });
      const norms = w1ColumnNorms(m);
      const Lh = m.reconstruct(D.X);
      const e = nmse(Lh, D.L);
      Lh.dispose();
      return { nonzeroColumns: countNonzeroColumns(norms), sortedNorms: [...norms].sort((a, b) => b - a), nmse: e, seconds: (Date.now() - t0) / 1000 };
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

/** Singular values of (centred) MNIST, Figure 5a. */
export async function mnistSpectrumCell(store: ResultsStore, n: number): Promise<{ singularValues: number[]; rank90: number; rank99: number }> {
  return store.cell({ exp: 'mnist-spectrum', n }, () => {
    const X = mnistMatrix(n, 0);
    try {
      const p = singularValueProfile(X);
      return { singularValues: p.values, rank90: p.rank90, rank99: p.rank99 };
    } finally {
      X.dispose();
    }
  });
}

/** Figure 2b: nonzero W1 columns of a VAE / plain AE (C2 = 0) with latent size kappa on MNIST. */
export async function mnistPruningCell(store: ResultsStore, cfg: DaiScaleConfig['mnist'], kappa: number, model: 'vae' | 'ae', trial = 0): Promise<{ nonzeroColumns: number; sortedNorms: number[]; seconds: number }> {
  return store.cell({ exp: 'mnist-pruning', kappa, model, trial, n: cfg.n, hidden: cfg.hidden.join('-'), ...trainKeys(cfg.train) }, async () => {
    const t0 = Date.now();
    const X = mnistMatrix(cfg.n, trial);
    const opts: Partial<DaiVAEOptions> = { encoderHidden: cfg.hidden, decoderHidden: [...cfg.hidden].reverse(), latentDim: kappa, ...trainOptions(cfg.train, X), seed: seedOf('mnist-prune', kappa, trial) };
    const m = model === 'vae' ? new DaiVAE(opts) : new DaiAE({ ...opts, penalty: 'l2', c2: 0 });
    try {
      await m.fit(X, { progress: process.env.RML_PROGRESS === '1', label: `MNIST ${model} kappa=${kappa}` });
      const norms = w1ColumnNorms(m);
      return { nonzeroColumns: countNonzeroColumns(norms), sortedNorms: [...norms].sort((a, b) => b - a), seconds: (Date.now() - t0) / 1000 };
    } finally {
      m.dispose();
      X.dispose();
    }
  });
}

export type MnistRecoveryModel = `vae-tau${number}` | 'rpca';

/**
 * Figure 5b: NMSE recovering clean MNIST digits from ones with a fraction nu of pixels replaced by U[0, 1].
 * `meanAbsEstimate` / `meanAbsClean` (mean |entry| of L-hat and of L) tell a blank-image estimate (NMSE ~1 with
 * L-hat ~0: the log r^2 data term rewards the ~80% exactly-zero pixels so much that a short run can settle on
 * L-hat = 0, S = the digits) from a poor fit.
 */
export async function mnistRecoveryCell(store: ResultsStore, cfg: DaiScaleConfig['mnist'], nu: number, model: MnistRecoveryModel): Promise<{ nmse: number; nmseInput: number; meanAbsEstimate: number; meanAbsClean: number; seconds: number }> {
  return store.cell({ exp: 'mnist-recovery', nu, model, n: cfg.n, hidden: cfg.hidden.join('-'), kappa: cfg.recoveryKappa, ...(model === 'rpca' ? { rpcaTol: cfg.rpca.tol, rpcaMaxIter: cfg.rpca.maxIter } : trainKeys(cfg.train)) }, async () => {
    const t0 = Date.now();
    const L = mnistMatrix(cfg.n, 0);
    const { corrupted: X, mask } = uniformReplace(L, { fraction: nu, seed: seedOf('mnist-outliers', nu), sampling: 'bernoulli' });
    mask.dispose();
    try {
      let Lh: tf.Tensor2D;
      if (model === 'rpca') {
        Lh = await rpcaLowRank(X, cfg.rpca);
      } else {
        const tau = Number(model.slice('vae-tau'.length));
        const m = new DaiVAE({ encoderHidden: cfg.hidden, decoderHidden: [...cfg.hidden].reverse(), latentDim: cfg.recoveryKappa, tau, ...trainOptions(cfg.train, X), seed: seedOf('mnist-recovery', nu, tau) });
        try {
          await m.fit(X, { progress: process.env.RML_PROGRESS === '1', label: `MNIST VAE tau=${tau} nu=${nu}` });
          Lh = m.reconstruct(X);
        } finally {
          m.dispose();
        }
      }
      const e = nmse(Lh, L);
      const [meanAbsEstimate, meanAbsClean] = tf.tidy(() => [tf.mean(tf.abs(Lh)).dataSync()[0], tf.mean(tf.abs(L)).dataSync()[0]]);
      Lh.dispose();
      return { nmse: e, nmseInput: nmse(X, L), meanAbsEstimate, meanAbsClean, seconds: (Date.now() - t0) / 1000 };
    } finally {
      tf.dispose([L, X]);
    }
  });
}
