/**
 * Experiment drivers for Ren, Yue, Zhou, Paffenroth, Li & Weiss (2020), "Robust Variational Autoencoders:
 * Generating Noise-Free Images from Corrupted Images" (AdvML @ KDD 2020).
 *
 * One cell = (dataset, noise kind, noise level, model, lambda, seed): corrupt the training images, train the model
 * on the corrupted images only (timed), draw N images from its prior, and compute the FID of those samples against
 * CLEAN training images under a feature network that is passed in and named in every result. Cells go through a
 * `ResultsStore`, so a sweep resumes where it stopped.
 *
 * Models (Sec. 4): RVAE (src/models/rvae.ts), VAE, GAN (same size), and the two-stage pipelines RPCA+VAE,
 * LPF+VAE, RDA+VAE (src/models/two-stage.ts).
 *
 * The paper's FID numbers (Tables 2-4) used ImageNet InceptionV3 features; ours use whatever `FeatureNet` the
 * caller passes (by default the project's classifier features, e.g. "PC-mnist penultimate"), so only orderings and
 * relative differences are comparable.
 */
import { tf } from '../backend';
import { Rng } from '../random';
import { ResultsStore, paramsKey } from '../experiment/store';
import { memo, type ComputeCellSpec } from '../experiment/sweep';
import type { Verdict } from '../experiment/claims';
import { Scale } from '../experiment/scale';
import { saltPepperFlip, gaussianNoise, impulseNoise } from '../corruptions';
import { ConvVAE, ConvVAEOptions } from '../models/conv-vae';
import { FeatureNet, featureStats, fid, graphModelFeatureNet } from '../metrics/fid';
import { getClassifier } from '../classifiers/pc';
import { loadMnist } from '../data/mnist';
import { loadFashionMnist } from '../data/fashion-mnist';
import { toMatrix } from '../data/images';
import { loadCelebA } from '../data/celeba';
import { MeanCov } from '../metrics/frechet';
import { VAE, VAEOptions, Reparam, vaeParamCount } from '../models/vae';
import { RVAE } from '../models/rvae';
import { GAN } from '../models/gan';
import { TwoStage } from '../models/two-stage';
import { Activation } from '../nets/mlp';
import { InputError } from '../validate';
import { effectiveThreshold } from '../train/alternating';
import { fmt, mean } from './verdict';

export const REN_MODELS = ['RVAE', 'VAE', 'GAN', 'RPCA+VAE', 'LPF+VAE', 'RDA+VAE'] as const;
export type RenModel = (typeof REN_MODELS)[number];
export type RenDataset = 'mnist' | 'fashion-mnist';
export type RenNoise = 'salt-pepper' | 'gaussian';

/** Ren et al. Table 2 (MNIST) and Table 3 (Fashion-MNIST): FID with ImageNet InceptionV3 features. */
export const REN2020_TABLE2: Record<number, Record<RenModel, number>> = {
  0.01: { RVAE: 28.93, VAE: 111.25, GAN: 158.10, 'RPCA+VAE': 95.33, 'LPF+VAE': 127.62, 'RDA+VAE': 47.05 },
  0.09: { RVAE: 43.34, VAE: 141.32, GAN: 324.35, 'RPCA+VAE': 101.98, 'LPF+VAE': 142.79, 'RDA+VAE': 49.96 },
  0.17: { RVAE: 80.87, VAE: 203.51, GAN: 351.79, 'RPCA+VAE': 115.88, 'LPF+VAE': 168.40, 'RDA+VAE': 63.37 },
  0.25: { RVAE: 90.15, VAE: 186.20, GAN: 342.96, 'RPCA+VAE': 127.98, 'LPF+VAE': 178.87, 'RDA+VAE': 74.57 },
  0.33: { RVAE: 102.51, VAE: 413.81, GAN: 357.46, 'RPCA+VAE': 143.93, 'LPF+VAE': 187.41, 'RDA+VAE': 132.90 },
  0.41: { RVAE: 172.81, VAE: 313.42, GAN: 406.24, 'RPCA+VAE': 141.76, 'LPF+VAE': 335.77, 'RDA+VAE': 189.35 },
  0.49: { RVAE: 230.50, VAE: 335.41, GAN: 385.01, 'RPCA+VAE': 170.10, 'LPF+VAE': 413.02, 'RDA+VAE': 275.38 },
};
export const REN2020_TABLE3: Record<number, Record<RenModel, number>> = {
  0.01: { RVAE: 84.99, VAE: 93.80, GAN: 147.98, 'RPCA+VAE': 174.84, 'LPF+VAE': 172.16, 'RDA+VAE': 128.13 },
  0.09: { RVAE: 68.70, VAE: 122.55, GAN: 255.34, 'RPCA+VAE': 137.48, 'LPF+VAE': 146.17, 'RDA+VAE': 66.08 },
  0.17: { RVAE: 82.43, VAE: 144.22, GAN: 280.94, 'RPCA+VAE': 144.75, 'LPF+VAE': 164.76, 'RDA+VAE': 77.20 },
  0.25: { RVAE: 93.62, VAE: 159.41, GAN: 302.00, 'RPCA+VAE': 151.92, 'LPF+VAE': 182.61, 'RDA+VAE': 85.61 },
  0.33: { RVAE: 102.42, VAE: 170.86, GAN: 323.75, 'RPCA+VAE': 161.19, 'LPF+VAE': 193.26, 'RDA+VAE': 91.60 },
  0.41: { RVAE: 111.24, VAE: 189.72, GAN: 372.97, 'RPCA+VAE': 165.00, 'LPF+VAE': 208.20, 'RDA+VAE': 102.12 },
  0.49: { RVAE: 120.78, VAE: 213.99, GAN: 405.98, 'RPCA+VAE': 172.54, 'LPF+VAE': 216.86, 'RDA+VAE': 110.02 },
};
/** Table 4 (CelebA, impulse noise fraction). */
export const REN2020_TABLE4: Record<number, Record<RenModel, number>> = {
  0.1: { RVAE: 63.11, VAE: 65.90, GAN: 372.30, 'RPCA+VAE': 87.79, 'LPF+VAE': 76.37, 'RDA+VAE': 63.85 },
  0.2: { RVAE: 64.46, VAE: 68.68, GAN: 300.84, 'RPCA+VAE': 128.64, 'LPF+VAE': 79.21, 'RDA+VAE': 62.66 },
  0.3: { RVAE: 65.71, VAE: 76.99, GAN: 338.42, 'RPCA+VAE': 137.59, 'LPF+VAE': 83.63, 'RDA+VAE': 64.57 },
  0.4: { RVAE: 66.55, VAE: 89.97, GAN: 416.20, 'RPCA+VAE': 87.70, 'LPF+VAE': 86.51, 'RDA+VAE': 64.26 },
  0.5: { RVAE: 70.41, VAE: 115.88, GAN: 341.93, 'RPCA+VAE': 175.97, 'LPF+VAE': 93.78, 'RDA+VAE': 65.87 },
};
/** Paper's table for a dataset (undefined for levels the paper does not list). */
export function paperFid(dataset: RenDataset, level: number, model: RenModel): number | undefined {
  const t = dataset === 'mnist' ? REN2020_TABLE2 : REN2020_TABLE3;
  const key = Object.keys(t).map(Number).find((k) => Math.abs(k - level) < 1e-9);
  return key === undefined ? undefined : t[key][model];
}

/** Everything a scale decides. */
export interface RenConfig {
  scale: Scale;
  /** Training images (the first n of the training split; the paper: 55,000). */
  nTrain: number;
  /** Generated images per FID (paper: 10,000) and clean reference images (paper: 10,000). */
  nGen: number;
  nRef: number;
  /** RVAE: outer iterations x inner epochs (paper code: 30 x 20); VAE / GAN / two-stage VAEs: outer * inner epochs. */
  outer: number;
  inner: number;
  activation: Activation;
  /** VAE reparameterisation of every VAE in the notebook: 'authors-code' (z = mu + exp(logVar) eps, what produced
   *  the paper's numbers) or 'sigma' (the textbook z = mu + exp(logVar / 2) eps). See vae.ts. */
  reparam: Reparam;
  hidden: number[];
  latentDim: number;
  /** lambda (authors' convention: threshold = lambda / mu) for the tables and the RDA denoiser. */
  lambda: number;
  /** Tables 2 / 3 noise levels (salt-and-pepper fractions). */
  tableLevels: Record<RenDataset, number[]>;
  datasets: RenDataset[];
  /** Figure 2 heatmap: MNIST noise levels x lambdas. */
  heatLevels: number[];
  heatLambdas: number[];
  /** Figure 3a: Gaussian noise factors (MNIST). */
  gaussLevels: number[];
  /** Table 1 grids: the noise level shown per dataset (paper: MNIST 29%, Fashion-MNIST 41%; quick / smoke use
   *  MNIST 25%, a level of the paper's Table 2, so the grid reuses the table's cells). */
  gridLevel: Record<RenDataset, number>;
  /** RPCA iterations at most (inexact ALM, tolerance 1e-7; 1000 at every scale, the common MATLAB code's cap). */
  rpcaMaxIter: number;
  /** Images stored per cell for the sample grids. */
  gridN: number;
  /** Budget ladder (MNIST, salt-and-pepper `ladderLevel`, lambda `lambda`): FID of the RVAE after each outer
   *  iteration in `ladderOuters`, and of the VAE after the same number of epochs (outer * inner), one long fit per
   *  model and seed (`ladderSeeds`, offsets added to the notebook seed). */
  ladderLevel: number;
  ladderOuters: number[];
  ladderSeeds: number[];
  /** Fig. 2 ladders: further lambdas at `ladderLevel` (first ladder seed only). */
  ladderLambdas: number[];
  /** RDA+VAE at these outer iterations (separate fits through `renCell` with `outer` = k, kept in the ladder store:
   *  the VAE trains after the RDA), first ladder seed. */
  ladderRdaOuters: number[];
  /** Rungs that keep image grids (samples, L_in = X - S, L). */
  ladderGridAt: number[];
}

const range1 = (k: number) => Array.from({ length: k }, (_, i) => i + 1);

export function renConfig(scale: Scale): RenConfig {
  const common = { hidden: [512, 256], latentDim: 49, gridN: 30, reparam: 'authors-code' as Reparam };
  if (scale === 'paper') {
    const sp = [0.01, 0.09, 0.17, 0.25, 0.29, 0.33, 0.41, 0.49];
    return {
      ...common, scale, nTrain: 55000, nGen: 10000, nRef: 10000, outer: 30, inner: 20, activation: 'sigmoid', lambda: 15,
      tableLevels: { mnist: sp, 'fashion-mnist': sp }, datasets: ['mnist', 'fashion-mnist'],
      heatLevels: [0.01, 0.05, 0.09, 0.13, 0.17, 0.21, 0.25, 0.29, 0.33, 0.41, 0.49], heatLambdas: [1, 5, 10, 15, 20, 25, 50, 70, 100, 250],
      gaussLevels: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], gridLevel: { mnist: 0.29, 'fashion-mnist': 0.41 }, rpcaMaxIter: 1000,
      ladderLevel: 0.25, ladderOuters: [1, 2, 5, 10, 20, 30], ladderSeeds: [0], ladderLambdas: [], ladderRdaOuters: [30], ladderGridAt: [2, 30],
    };
  }
  if (scale === 'long') {
    // One machine overnight (<= 8 h on 2 cores; estimate from the quick per-epoch times, ~1.8 s per epoch of 20,000
    // images): 4x the images of quick, the tables at 10 outer iterations (200 epochs per model), and the ladders up
    // to the paper's 30 outer iterations with 3 seeds (~3.1 h of the total), RDA+VAE at 10 and 30.
    return {
      ...common, scale, nTrain: 20000, nGen: 5000, nRef: 5000, outer: 10, inner: 20, activation: 'relu', lambda: 150,
      tableLevels: { mnist: [0.09, 0.25], 'fashion-mnist': [0.09, 0.41] }, datasets: ['mnist', 'fashion-mnist'],
      heatLevels: [0.09, 0.25], heatLambdas: [50, 150, 250], gaussLevels: [0.2, 0.6],
      gridLevel: { mnist: 0.25, 'fashion-mnist': 0.41 }, rpcaMaxIter: 1000,
      ladderLevel: 0.25, ladderOuters: range1(30), ladderSeeds: [0, 1, 2], ladderLambdas: [50, 250], ladderRdaOuters: [10, 30], ladderGridAt: [2, 10, 30],
    };
  }
  if (scale === 'quick') {
    return {
      ...common, scale, nTrain: 5000, nGen: 2000, nRef: 2000, outer: 2, inner: 20, activation: 'relu', lambda: 150,
      tableLevels: { mnist: [0.09, 0.25], 'fashion-mnist': [0.09, 0.41] }, datasets: ['mnist', 'fashion-mnist'],
      heatLevels: [0.09, 0.25], heatLambdas: [50, 150, 250], gaussLevels: [0.2, 0.6],
      gridLevel: { mnist: 0.25, 'fashion-mnist': 0.41 }, rpcaMaxIter: 1000,
      ladderLevel: 0.25, ladderOuters: range1(10), ladderSeeds: [0, 1, 2], ladderLambdas: [50], ladderRdaOuters: [10], ladderGridAt: [2, 10],
    };
  }
  return {
    ...common, scale, nTrain: 400, nGen: 200, nRef: 200, outer: 2, inner: 1, activation: 'relu', lambda: 150,
    tableLevels: { mnist: [0.25], 'fashion-mnist': [0.41] }, datasets: ['mnist', 'fashion-mnist'],
    heatLevels: [0.25], heatLambdas: [150], gaussLevels: [0.6],
    gridLevel: { mnist: 0.25, 'fashion-mnist': 0.41 }, rpcaMaxIter: 1000,
    ladderLevel: 0.25, ladderOuters: [1, 2, 3], ladderSeeds: [0], ladderLambdas: [], ladderRdaOuters: [3], ladderGridAt: [2, 3],
  };
}

export interface RenCell {
  dataset: RenDataset;
  noise: RenNoise;
  level: number;
  model: RenModel;
  /** RVAE / RDA lambda (0 for models without one). */
  lambda: number;
  seed: number;
}

export interface RenResult {
  fid: number;
  featureNet: string;
  /** Training wall time, seconds (denoiser + VAE for two-stage models). */
  trainSeconds: number;
  /** CPU time of this process during training (user + system, all threads), seconds: less sensitive than wall
   *  time to other processes sharing the machine. */
  trainCpuSeconds: number;
  denoiserSeconds: number;
  nGen: number;
  nRef: number;
  nTrain: number;
  /** Fraction of non-zero entries of S (RVAE), else -1. */
  sparsityS: number;
  /** Last training loss (per image). */
  lastLoss: number;
  /** Parameter count of the generative model. */
  nParams: number;
  /** gridN generated images, uint8 (x255), base64. */
  samples: string;
}

/** Clean and reference data of one dataset, prepared once. */
export interface RenData {
  dataset: RenDataset;
  /** nTrain x 784 clean training images (the models never see them). */
  clean: tf.Tensor2D;
  /** Feature statistics of the first nRef clean images. */
  refStats: MeanCov;
  featureNet: FeatureNet;
}

export function prepareRenData(dataset: RenDataset, clean: tf.Tensor2D, featureNet: FeatureNet, cfg: RenConfig): RenData {
  const nRef = Math.min(cfg.nRef, clean.shape[0]);
  const ref = clean.slice([0, 0], [nRef, clean.shape[1]]);
  const refStats = featureStats(ref, featureNet);
  ref.dispose();
  return { dataset, clean, refStats, featureNet };
}

/** The corrupted training images of a cell (caller disposes). Same seed for every model of a (dataset, noise, level). */
export function corruptFor(clean: tf.Tensor2D, noise: RenNoise, level: number, seed: number, dataset: RenDataset): tf.Tensor2D {
  const s = new Rng(seed).fork(`ren2020:${dataset}:${noise}:${level}`);
  const res = noise === 'salt-pepper' ? saltPepperFlip(clean, { fraction: level, seed: s }) : gaussianNoise(clean, { std: level, seed: s });
  res.mask.dispose();
  return res.corrupted;
}

function vaeOpts(cfg: RenConfig, seed: number): Partial<VAEOptions> {
  return { hidden: cfg.hidden, latentDim: cfg.latentDim, activation: cfg.activation, reparam: cfg.reparam, epochs: cfg.outer * cfg.inner, batchSize: 200, learningRate: 1e-3, seed };
}

export function encodeSamples(X: tf.Tensor2D): string {
  const d = X.dataSync();
  const u = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) u[i] = Math.max(0, Math.min(255, Math.round(d[i] * 255)));
  return Buffer.from(u).toString('base64');
}

export function decodeSamples(s: string): Float32Array {
  const u = Buffer.from(s, 'base64');
  const out = new Float32Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = u[i] / 255;
  return out;
}

/** Trains one model of a cell on `X` (corrupted) and returns the fitted generative model plus timings. */
export async function trainRenModel(cell: RenCell, X: tf.Tensor2D, cfg: RenConfig): Promise<{
  model: { sample(n: number, seed?: number): tf.Tensor2D; dispose(): void }; trainSeconds: number; denoiserSeconds: number; sparsityS: number; lastLoss: number; nParams: number;
}> {
  const seed = cell.seed;
  const label = `${cell.model} ${cell.dataset} ${cell.noise} ${cell.level}${cell.lambda ? ` lambda=${cell.lambda}` : ''}`;
  const t0 = Date.now();
  switch (cell.model) {
    case 'RVAE': {
      const m = new RVAE({ ...vaeOpts(cfg, seed), outer: cfg.outer, innerEpochs: cfg.inner, lambda: cell.lambda, lambdaConvention: 'code-l1' });
      await m.fit(X, { label });
      const secs = (Date.now() - t0) / 1000;
      const lastLoss = m.history.epochs.at(-1)?.loss ?? NaN;
      return { model: m, trainSeconds: secs, denoiserSeconds: 0, sparsityS: m.sparsity(), lastLoss, nParams: (m.vae as VAE).nParams };
    }
    case 'VAE': {
      const m = new VAE(vaeOpts(cfg, seed));
      await m.fit(X, { label });
      return { model: m, trainSeconds: (Date.now() - t0) / 1000, denoiserSeconds: 0, sparsityS: -1, lastLoss: m.history.epochs.at(-1)?.loss ?? NaN, nParams: m.nParams };
    }
    case 'GAN': {
      const m = new GAN({ hidden: cfg.hidden, latentDim: cfg.latentDim, epochs: cfg.outer * cfg.inner, seed });
      await m.fit(X, { label });
      return { model: m, trainSeconds: (Date.now() - t0) / 1000, denoiserSeconds: 0, sparsityS: -1, lastLoss: m.history.epochs.at(-1)?.loss ?? NaN, nParams: m.nParams };
    }
    case 'LPF+VAE':
    case 'RPCA+VAE':
    case 'RDA+VAE': {
      const denoiser = cell.model === 'LPF+VAE' ? 'lpf' : cell.model === 'RPCA+VAE' ? 'rpca' : 'rda';
      const denoiserOptions: Record<string, unknown> =
        denoiser === 'lpf' ? { height: 28, width: 28, channels: 1, radius: 1, passes: 2 }
          : denoiser === 'rpca' ? { maxIter: cfg.rpcaMaxIter, seed }
            : {
              layers: [X.shape[1], ...cfg.hidden, cfg.latentDim], tied: true, activation: cfg.activation, batchSize: 200, learningRate: 1e-3,
              penalty: 'l1', lambda: cell.lambda, lambdaConvention: 'code-l1', outer: cfg.outer, innerEpochs: cfg.inner, stopRule: 'code', traceObjective: false, seed,
            };
      const m = new TwoStage({ denoiser, denoiserOptions, vae: vaeOpts(cfg, seed) });
      await m.fit(X, { label });
      return { model: m, trainSeconds: m.seconds, denoiserSeconds: m.denoiserSeconds, sparsityS: -1, lastLoss: m.vae.history.epochs.at(-1)?.loss ?? NaN, nParams: m.vae.nParams };
    }
    default: throw new InputError(`unknown model "${cell.model as string}"`);
  }
}

/** Runs one cell end to end (train, sample, FID); disposes everything it made. */
export async function runRenCell(cell: RenCell, data: RenData, cfg: RenConfig): Promise<RenResult> {
  const nTrain = data.clean.shape[0];
  const X = corruptFor(data.clean, cell.noise, cell.level, cell.seed, cell.dataset);
  let trained;
  const cpu0 = process.cpuUsage();
  try {
    trained = await trainRenModel(cell, X, cfg);
  } finally {
    X.dispose();
  }
  const cpu = process.cpuUsage(cpu0);
  const trainCpuSeconds = (cpu.user + cpu.system) / 1e6;
  try {
    const gen = trained.model.sample(cfg.nGen, cell.seed + 1);
    let value: number;
    let grid: string;
    try {
      value = fid(gen, data.refStats, data.featureNet).fid;
      const g = gen.slice([0, 0], [Math.min(cfg.gridN, cfg.nGen), gen.shape[1]]);
      grid = encodeSamples(g);
      g.dispose();
    } finally {
      gen.dispose();
    }
    return {
      fid: value, featureNet: data.featureNet.name, trainSeconds: trained.trainSeconds, trainCpuSeconds, denoiserSeconds: trained.denoiserSeconds,
      nGen: cfg.nGen, nRef: Math.min(cfg.nRef, nTrain), nTrain, sparsityS: trained.sparsityS, lastLoss: trained.lastLoss, nParams: trained.nParams, samples: grid,
    };
  } finally {
    trained.model.dispose();
  }
}

/** FID of images that are not generated (the corrupted inputs, or clean held-out images) against the reference. */
export function referenceFid(images: tf.Tensor2D, data: RenData, n: number): number {
  const m = Math.min(n, images.shape[0]);
  const x = images.slice([0, 0], [m, images.shape[1]]);
  try { return fid(x, data.refStats, data.featureNet).fid; } finally { x.dispose(); }
}

/** Results store of the notebook's sweep (bump the version when a cell's computation changes). */
export const REN_STORE_VERSION = 'ren2020-v3';
export function renStore(file = '03-robust-variational-autoencoders/cells.jsonl', scale?: Scale): ResultsStore {
  return new ResultsStore(file, { version: REN_STORE_VERSION, scale });
}

export type RenRow = RenCell & RenResult;

/** Runs (or reads back) a cell through the store; returns the row. */
export async function renCell(store: ResultsStore, cell: RenCell, data: () => RenData, cfg: RenConfig): Promise<RenRow> {
  const res = await store.cell(renCellParams(cell, data().featureNet.name, cfg), () => runRenCell(cell, data(), cfg));
  return { ...cell, ...res };
}

/** The store key of a table / figure cell (what `renCell` stores under). */
export function renCellParams(cell: RenCell, featureNet: string, cfg: RenConfig): Record<string, string | number> {
  const params: Record<string, string | number> = {
    ...cell, featureNet, nTrain: cfg.nTrain, nGen: cfg.nGen, outer: cfg.outer, inner: cfg.inner, activation: cfg.activation, reparam: cfg.reparam,
  };
  if (cell.model === 'RPCA+VAE') params.rpcaMaxIter = cfg.rpcaMaxIter;
  return params;
}

/** Relative improvement of RVAE over VAE in percent: 100 (FID_VAE - FID_RVAE) / FID_VAE. */
export function improvement(fidVae: number, fidRvae: number): number { return (100 * (fidVae - fidRvae)) / fidVae; }

// ------------------------------------------------------------------------------------------------------------
// Budget ladders: FID against the number of outer iterations (quick 2, the paper 30)

/**
 * One ladder fit: an RVAE with `max(outers)` outer iterations (or a VAE with `max(outers) * inner` epochs, the
 * paper's matching budget for the baselines), with the FID of `nGen` prior samples measured after each outer
 * iteration in `outers` (VAE: after epoch k * inner). The RVAE keeps one VAE and one Adam state across outer
 * iterations and sampling draws from its own seeded stream, so the checkpoint after k outer iterations is the
 * model a k-iteration fit would have produced: one long fit gives every rung. The ladder's RVAE runs every outer
 * iteration (stopRule 'none'); the tables' RVAE uses the code's stop rule (c1 < 1e-7 and c2' < 1e-7), which a VAE's
 * reconstruction never meets (the table cell and the rung of the same seed agree; the notebook prints both).
 */
export interface RenLadderResult {
  model: 'RVAE' | 'VAE';
  /** Outer iterations (VAE: epochs / inner) of each checkpoint. */
  outers: number[];
  fid: number[];
  /** Training wall seconds when each checkpoint was reached (sampling and FID excluded). */
  seconds: number[];
  /** RVAE: fraction of non-zero entries of S after each checkpoint (VAE: -1). */
  sparsityS: number[];
  /** Last epoch loss before each checkpoint. */
  loss: number[];
  /** Checkpoints that kept image grids, and per such checkpoint: gridN prior samples; RVAE also the first gridN
   *  rows of L_in = X - S (what the VAE trains on next) and of the reconstruction L = D(E(X - S)) (uint8, base64). */
  gridOuters: number[];
  samples: string[];
  Lin: string[];
  Lrec: string[];
  featureNet: string;
  nGen: number;
  nRef: number;
  nTrain: number;
}

export async function runRenLadder(cell: RenCell, data: RenData, cfg: RenConfig, opts: { outers: number[]; gridAt?: number[] }): Promise<RenLadderResult> {
  if (cell.model !== 'RVAE' && cell.model !== 'VAE') throw new InputError(`runRenLadder: model must be RVAE or VAE (got "${cell.model}")`);
  const outers = [...new Set(opts.outers)].sort((a, b) => a - b);
  if (!outers.length || outers.some((k) => !Number.isInteger(k) || k < 1)) throw new InputError('runRenLadder: outers must be positive integers');
  const gridAt = new Set(opts.gridAt ?? []);
  const K = outers[outers.length - 1];
  const want = new Set(outers);
  const X = corruptFor(data.clean, cell.noise, cell.level, cell.seed, cell.dataset);
  const res: RenLadderResult = {
    model: cell.model, outers: [], fid: [], seconds: [], sparsityS: [], loss: [], gridOuters: [], samples: [], Lin: [], Lrec: [],
    featureNet: data.featureNet.name, nGen: cfg.nGen, nRef: Math.min(cfg.nRef, data.clean.shape[0]), nTrain: data.clean.shape[0],
  };
  const k = Math.min(cfg.gridN, X.shape[0]);
  let evalSeconds = 0;
  const t0 = Date.now();
  const checkpoint = (outer: number, sampler: { sample(n: number, seed?: number): tf.Tensor2D }, loss: number, nnz: number, state?: { L: tf.Tensor2D; S: tf.Tensor2D }) => {
    const te = Date.now();
    res.outers.push(outer);
    res.seconds.push((te - t0) / 1000 - evalSeconds);
    res.loss.push(loss);
    res.sparsityS.push(nnz);
    const gen = sampler.sample(cfg.nGen, cell.seed + 1);
    try {
      res.fid.push(fid(gen, data.refStats, data.featureNet).fid);
      if (gridAt.has(outer)) {
        res.gridOuters.push(outer);
        const g = gen.slice([0, 0], [Math.min(cfg.gridN, cfg.nGen), gen.shape[1]]);
        res.samples.push(encodeSamples(g));
        g.dispose();
        if (state) {
          const [lin, lrec] = tf.tidy(() => [tf.sub(X.slice([0, 0], [k, X.shape[1]]), state.S.slice([0, 0], [k, X.shape[1]])) as tf.Tensor2D, state.L.slice([0, 0], [k, X.shape[1]]) as tf.Tensor2D]);
          res.Lin.push(encodeSamples(lin));
          res.Lrec.push(encodeSamples(lrec));
          tf.dispose([lin, lrec]);
        }
      }
    } finally {
      gen.dispose();
    }
    evalSeconds += (Date.now() - te) / 1000;
  };
  const label = `ladder ${cell.model} ${cell.dataset} ${cell.level}${cell.lambda ? ` lambda=${cell.lambda}` : ''} seed ${cell.seed}`;
  try {
    if (cell.model === 'RVAE') {
      const m = new RVAE({ ...vaeOpts(cfg, cell.seed), outer: K, innerEpochs: cfg.inner, lambda: cell.lambda, lambdaConvention: 'code-l1', stopRule: 'none' });
      try {
        await m.fit(X, {
          label,
          onOuter: (r, state) => {
            if (!want.has(r.iter)) return;
            checkpoint(r.iter, m.vae as VAE, Number(r.lastLoss ?? NaN), r.nonzeroGroups === undefined ? -1 : r.nonzeroGroups / X.size, state);
          },
        });
      } finally {
        m.dispose();
      }
    } else {
      const m = new VAE({ ...vaeOpts(cfg, cell.seed), epochs: K * cfg.inner });
      try {
        await m.fit(X, {
          label,
          onEpoch: (r) => {
            if (r.epoch % cfg.inner !== 0 || !want.has(r.epoch / cfg.inner)) return;
            checkpoint(r.epoch / cfg.inner, m, r.loss, -1);
          },
        });
      } finally {
        m.dispose();
      }
    }
  } finally {
    X.dispose();
  }
  return res;
}

/** Results store of the ladders (own file and version: a table-cell change does not invalidate them). */
export const REN_LADDER_VERSION = 'ren2020-ladder-v1';
export function renLadderStore(scale?: Scale, file = '03-robust-variational-autoencoders/ladders.jsonl'): ResultsStore {
  return new ResultsStore(file, { version: REN_LADDER_VERSION, scale });
}

/** Runs (or reads back) one ladder fit through the store. */
export async function renLadder(store: ResultsStore, cell: RenCell, data: () => RenData, cfg: RenConfig, opts: { outers: number[]; gridAt?: number[] }): Promise<RenCell & RenLadderResult> {
  const res = await store.cell(renLadderParams(cell, data().featureNet.name, cfg, opts), () => runRenLadder(cell, data(), cfg, opts));
  return { ...cell, ...res };
}

/** The store key of a ladder fit (what `renLadder` stores under). */
export function renLadderParams(cell: RenCell, featureNet: string, cfg: RenConfig, opts: { outers: number[]; gridAt?: number[] }): Record<string, string | number> {
  return {
    ...cell, featureNet, nTrain: cfg.nTrain, nGen: cfg.nGen, nRef: cfg.nRef, inner: cfg.inner, activation: cfg.activation,
    reparam: cfg.reparam, hidden: cfg.hidden.join('-'), latentDim: cfg.latentDim, outers: [...opts.outers].sort((a, b) => a - b).join(','),
    gridAt: (opts.gridAt ?? []).join(','),
  };
}

// ------------------------------------------------------------------------------------------------------------
// Table 4 (CelebA): the convolutional VAE / RVAE on 64x64 RGB faces with impulse noise


/**
 * A feature net that needs no download: each image mean-pooled to `cells` x `cells` per channel (e.g. 8x8x3 =
 * 192 numbers). A crude stand-in for Inception features, named as such in every table.
 */
export function pooledPixelFeatureNet(imageShape: [number, number, number], cells = 8): FeatureNet {
  const [h, w, c] = imageShape;
  if (h % cells || w % cells) throw new InputError(`pooledPixelFeatureNet: ${h}x${w} is not divisible by ${cells}`);
  return {
    name: `mean-pooled pixels ${cells}x${cells}x${c} (${cells * cells * c}-d)`,
    features: (x) => tf.tidy(() => tf.avgPool(x.reshape([x.shape[0], h, w, c]) as tf.Tensor4D, [h / cells, w / cells], [h / cells, w / cells], 'valid').reshape([x.shape[0], -1]) as tf.Tensor2D),
  };
}

export interface CelebaCell { model: 'RVAE' | 'VAE'; level: number; lambda: number; seed: number }

/**
 * One Table 4 cell: impulse noise (each entry with probability `level` set to 0 or 1, as the authors' CelebA
 * code `random_noise`), the conv VAE or the conv RVAE trained on the corrupted faces, FID of prior samples
 * against the clean faces.
 */
export async function runCelebaCell(cell: CelebaCell, clean: tf.Tensor2D, featureNet: FeatureNet, opts: {
  conv: Partial<ConvVAEOptions>; outer: number; inner: number; nGen: number; gridN: number;
}): Promise<RenResult> {
  const s = new Rng(cell.seed).fork(`ren2020:celeba:${cell.level}`);
  const { corrupted: X, mask } = impulseNoise(clean, { fraction: cell.level, seed: s });
  mask.dispose();
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  let model: RVAE | ConvVAE;
  let sparsityS = -1;
  try {
    if (cell.model === 'RVAE') {
      const m = new RVAE({ architecture: 'conv', conv: { ...opts.conv, seed: cell.seed }, outer: opts.outer, innerEpochs: opts.inner, lambda: cell.lambda, lambdaConvention: 'code-l1', seed: cell.seed });
      await m.fit(X, { label: `conv RVAE celeba ${cell.level}` });
      sparsityS = m.sparsity();
      model = m;
    } else {
      const m = new ConvVAE({ ...opts.conv, epochs: opts.outer * opts.inner, seed: cell.seed });
      await m.fit(X, { label: `conv VAE celeba ${cell.level}` });
      model = m;
    }
  } finally {
    X.dispose();
  }
  const trainSeconds = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  try {
    const gen = model.sample(opts.nGen, cell.seed + 1);
    try {
      const value = fid(gen, clean, featureNet).fid;
      const g = gen.slice([0, 0], [Math.min(opts.gridN, opts.nGen), gen.shape[1]]);
      const samples = encodeSamples(g);
      g.dispose();
      const inner = model instanceof RVAE ? (model.vae as ConvVAE) : model;
      return { fid: value, featureNet: featureNet.name, trainSeconds, trainCpuSeconds: (cpu.user + cpu.system) / 1e6, denoiserSeconds: 0, nGen: opts.nGen, nRef: clean.shape[0], nTrain: clean.shape[0], sparsityS, lastLoss: inner.history.epochs.at(-1)?.loss ?? NaN, nParams: inner.nParams, samples };
    } finally {
      gen.dispose();
    }
  } finally {
    model.dispose();
  }
}

// ------------------------------------------------------------------------------------------------------------
// Verdict rules: measured numbers -> yes / partly / no (the notebook calls these and displays the result)


export interface RenVerdict { holds: Verdict; ours: string; note: string }

const f1 = (v: number) => fmt(v, 1);
const pct = (l: number) => `${Math.round(l * 100)}%`;

/** Paired comparison over seeds of "A has a lower FID than B" (same seed = same corrupted data and init):
 *  'win' when A < B for every seed, 'loss' when A > B for every seed, else 'mixed'. */
export function pairedOutcome(a: number[], b: number[]): 'win' | 'loss' | 'mixed' {
  if (!a.length || a.length !== b.length) throw new InputError(`pairedOutcome: need equally many values per side (got ${a.length} and ${b.length})`);
  if (a.some((v) => !Number.isFinite(v)) || b.some((v) => !Number.isFinite(v))) return 'mixed';
  const d = a.map((v, i) => b[i] - v);
  return d.every((x) => x > 0) ? 'win' : d.every((x) => x < 0) ? 'loss' : 'mixed';
}

/** "min-max" text of a few seeds' values (the value alone for one seed). */
export function spreadText(v: number[]): string {
  if (v.length === 1) return f1(v[0]);
  return `${f1(mean(v))} [${f1(Math.min(...v))}-${f1(Math.max(...v))}]`;
}

/**
 * Table 2 / Fig. 3a rule: "the RVAE has a lower FID than the VAE at every level". Per level the seeds are paired;
 * a level counts as won only when the RVAE is lower for every seed. yes = every level won; partly = at least one
 * level won; no = none.
 */
export function rvaeBeatsVaeVerdict(levels: { level: number; rvae: number[]; vae: number[] }[], label = (l: number) => pct(l)): RenVerdict {
  if (!levels.length) throw new InputError('rvaeBeatsVaeVerdict: no levels');
  const out = levels.map((x) => ({ ...x, o: pairedOutcome(x.rvae, x.vae) }));
  const wins = out.filter((x) => x.o === 'win').length;
  const seeds = Math.max(...levels.map((x) => x.rvae.length));
  const ours = out.map((x) => `${label(x.level)}: ${spreadText(x.rvae)} vs ${spreadText(x.vae)}${x.o === 'mixed' ? ' (order differs between seeds)' : ''}`).join('; ');
  return {
    holds: wins === levels.length ? true : wins > 0 ? 'partly' : false,
    ours,
    note: `RVAE lower at ${wins} of ${levels.length} levels${seeds > 1 ? ` (a level counts only when the RVAE is lower for every one of ${seeds} seeds; values: mean [min-max])` : ''}`,
  };
}

/** Tables 2-3 rule: "the RVAE beats GAN, LPF+VAE and RPCA+VAE in most cells": yes when it is lower in more than
 *  half of the (cell, baseline) pairs, partly when in some, no when in none. */
export function rvaeBeatsBaselinesVerdict(cells: { cell: string; rvae: number; baselines: Record<string, number> }[]): RenVerdict {
  let wins = 0, total = 0;
  const lost: string[] = [];
  for (const c of cells) for (const [m, v] of Object.entries(c.baselines)) { total++; if (c.rvae < v) wins++; else lost.push(`${m} at ${c.cell} (${f1(v)} vs RVAE ${f1(c.rvae)})`); }
  if (!total) throw new InputError('rvaeBeatsBaselinesVerdict: no comparisons');
  return {
    holds: wins / total > 0.5 ? true : wins > 0 ? 'partly' : false,
    ours: `RVAE lower in ${wins} of ${total} comparisons`,
    note: lost.length ? `lower than the RVAE: ${lost.join('; ')}` : 'RVAE lower in every comparison',
  };
}

/** Tables 2-4 rule: "the RVAE and RDA+VAE are close": per cell |a - b| / max(a, b) < tol (default 25%); yes when
 *  every cell is close, partly when some, no when none. Says which is lower. */
export function rvaeCloseToRdaVerdict(cells: { cell: string; rvae: number; rda: number }[], tol = 0.25): RenVerdict {
  if (!cells.length) throw new InputError('rvaeCloseToRdaVerdict: no cells');
  const close = cells.filter((c) => Math.abs(c.rvae - c.rda) / Math.max(c.rvae, c.rda) < tol).length;
  const rdaLower = cells.filter((c) => c.rda < c.rvae).length;
  return {
    holds: close === cells.length ? true : close > 0 ? 'partly' : false,
    ours: `${cells.map((c) => `${c.cell}: ${f1(c.rvae)} vs ${f1(c.rda)}`).join('; ')} (${close} of ${cells.length} within ${Math.round(tol * 100)}%)`,
    note: `RDA+VAE lower in ${rdaLower} of ${cells.length} cells`,
  };
}

/** Fig. 3b rule: "the RVAE trains faster than RDA+VAE": yes when faster in every cell, partly in some, no in none. */
export function rvaeFasterVerdict(cells: { rvaeSeconds: number; rdaSeconds: number; rvaeCpu?: number; rdaCpu?: number }[]): RenVerdict {
  if (!cells.length) throw new InputError('rvaeFasterVerdict: no cells');
  const f = cells.map((c) => (100 * (c.rdaSeconds - c.rvaeSeconds)) / c.rdaSeconds);
  const cpu = cells.filter((c) => c.rvaeCpu !== undefined && c.rdaCpu !== undefined).map((c) => (100 * (c.rdaCpu! - c.rvaeCpu!)) / c.rdaCpu!);
  const faster = f.filter((v) => v > 0).length;
  return {
    holds: faster === cells.length ? true : faster > 0 ? 'partly' : false,
    ours: `${f1(mean(f))}% faster on average (wall clock${cpu.length ? `; ${f1(mean(cpu))}% in CPU time` : ''}) over ${cells.length} cells (measured)`,
    note: `RVAE faster in ${faster} of ${cells.length} cells`,
  };
}

/** Fig. 2 rule: "a broad range of lambda where the RVAE beats the VAE": yes when at least two lambdas beat the VAE
 *  at every tested noise level, partly when some cell is won, no when none. A cell is won when the RVAE's relative
 *  improvement exceeds `tie` percent (default 0): with one seed per cell, differences within the seed-to-seed spread
 *  of one model (measured by the caller, e.g. on a ladder) are ties, not wins. */
export function fig2Verdict(cells: { noise: number; lambda: number; vae: number; rvae: number }[], opts: { tie?: number } = {}): RenVerdict {
  if (!cells.length) throw new InputError('fig2Verdict: no cells');
  const tie = opts.tie ?? 0;
  if (!(tie >= 0)) throw new InputError(`fig2Verdict: tie must be >= 0 (got ${tie})`);
  const lambdas = [...new Set(cells.map((c) => c.lambda))].sort((a, b) => a - b);
  const wins = (c: { vae: number; rvae: number }) => improvement(c.vae, c.rvae) > tie;
  const won = cells.filter(wins);
  const ties = cells.filter((c) => Math.abs(improvement(c.vae, c.rvae)) <= tie).length;
  const broad = lambdas.filter((l) => cells.filter((c) => c.lambda === l).every(wins));
  const meanImp = mean(cells.map((c) => improvement(c.vae, c.rvae)));
  return {
    holds: broad.length >= 2 ? true : won.length > 0 ? 'partly' : false,
    ours: `RVAE better in ${won.length} of ${cells.length} cells${tie > 0 ? ` (${ties} within +-${tie.toFixed(1)}%, counted as ties)` : ''}; lambdas better at every tested noise level: ${broad.join(', ') || 'none'}; mean improvement ${f1(meanImp)}%`,
    note: `lambdas tested: ${lambdas.join(', ')}; noise levels: ${[...new Set(cells.map((c) => c.noise))].map(pct).join(', ')}${tie > 0 ? `; tie band +-${tie.toFixed(1)}% = the seed-to-seed spread of one model` : ''}`,
  };
}

/**
 * Ladder reading: the rungs (outer iterations) at which the RVAE is lower than the VAE for every seed, and the
 * first rung from which it stays lower at every later rung ("from k on"); undefined when it never does.
 * `rvae[s][i]`, `vae[s][i]`: seed s at rung `outers[i]`.
 */
export function ladderReading(outers: number[], rvae: number[][], vae: number[][]): { winsAt: number[]; from: number | undefined; lastGap: number } {
  if (!outers.length || rvae.length !== vae.length || !rvae.length) throw new InputError('ladderReading: need rungs and equally many seeds per model');
  const winsAt: number[] = [];
  for (let i = 0; i < outers.length; i++) if (pairedOutcome(rvae.map((r) => r[i]), vae.map((r) => r[i])) === 'win') winsAt.push(outers[i]);
  let from: number | undefined;
  for (let i = outers.length - 1; i >= 0 && winsAt.includes(outers[i]); i--) from = outers[i];
  const last = outers.length - 1;
  return { winsAt, from, lastGap: mean(vae.map((r) => r[last])) - mean(rvae.map((r) => r[last])) };
}

// ------------------------------------------------------------------------------------------------------------
// The notebook's cells (src/papers/registry.ts, `npm run sweep`): listed here, computed by the notebook or by workers

export const REN2020_STORES = {
  cells: { file: '03-robust-variational-autoencoders/cells.jsonl', version: REN_STORE_VERSION },
  ladders: { file: '03-robust-variational-autoencoders/ladders.jsonl', version: REN_LADDER_VERSION },
} as const;

/** Where the FID features come from: the project's classifier of each data set, or a tfjs InceptionV3 graph model. */
export interface RenFeatureSource { inception?: string }

/** The feature network's name (part of every cell's key), known without loading it. */
export function renFeatureNetName(dataset: RenDataset, src: RenFeatureSource = {}): string {
  return src.inception ? `InceptionV3 pool3 (${src.inception})` : `PC-${dataset} penultimate (128-d)`;
}

/** Options of the FID classifier per scale (smoke: a 1-epoch classifier on 2,000 images; else the cached default). */
export function renClassifierOptions(scale: Scale): { trainSize?: number; epochs?: number; testSize?: number } {
  return scale === 'smoke' ? { trainSize: 2000, epochs: 1, testSize: 1000 } : {};
}

/**
 * The clean images and FID reference of each data set, loaded once per process and shared by every cell and by
 * the notebook. The classifier is cached under data/models/ by getClassifier, which trains it under a lock file
 * (one trainer per cache entry; other processes wait and load it), so concurrent workers are safe.
 */
export function renDataLoader(scale: Scale, src: RenFeatureSource = {}): (dataset: RenDataset) => Promise<RenData> {
  const cfg = renConfig(scale);
  const loaders = new Map<RenDataset, () => Promise<RenData>>();
  return (dataset) => {
    if (!loaders.has(dataset)) {
      loaders.set(dataset, memo(async () => {
        const load = dataset === 'mnist' ? loadMnist : loadFashionMnist;
        const clean = toMatrix(await load({ split: 'train', n: cfg.nTrain }));
        let net: FeatureNet;
        if (src.inception) {
          net = await graphModelFeatureNet(src.inception, { name: renFeatureNetName(dataset, src) });
        } else {
          net = (await getClassifier(dataset, renClassifierOptions(scale))).featureNet;
        }
        const listed = renFeatureNetName(dataset, src);
        if (net.name !== listed) throw new Error(`ren2020: feature net "${net.name}" is not the listed "${listed}"`);
        return prepareRenData(dataset, clean, net, cfg);
      }));
    }
    return loaders.get(dataset)!();
  };
}

/** Work of one VAE-sized fit in GFLOP (6 flops per weight per sample per epoch). */
function vaeGflop(cfg: RenConfig, epochs: number): number {
  return (6 * vaeParamCount(784, cfg.hidden, cfg.latentDim) * cfg.nTrain * epochs) / 1e9;
}

/** A listed cell of notebook 03, with what the notebook needs to read it back by name. */
export type RenCellSpec = ComputeCellSpec & { cell: RenCell };

/**
 * Every stored cell of notebook 03 in the notebook's order, each key once: the Tables 2 / 3 cells (data set x
 * level x model; Table 1's grids reuse them), the Fig. 2 cells not already in the tables, the ladders (RVAE and VAE
 * per seed, RVAE per extra lambda, RDA+VAE per rung), the Fig. 3a Gaussian cells. CelebA (Table 4) is not listed:
 * it runs in the notebook only when the data is on disk.
 */
export function renCells(scale: Scale, seed: number, src: RenFeatureSource = {}, data = renDataLoader(scale, src)): RenCellSpec[] {
  const cfg = renConfig(scale);
  const out: RenCellSpec[] = [];
  const seen = new Set<string>();
  const lam = (m: RenModel, l = 0) => (m === 'RVAE' || m === 'RDA+VAE' ? l || cfg.lambda : 0);
  const table = (experiment: string, cell: RenCell, c: RenConfig = cfg, st: { file: string; version: string } = REN2020_STORES.cells) => {
    const params = renCellParams(cell, renFeatureNetName(cell.dataset, src), c);
    const k = `${st.file}\0${paramsKey(params)}`;
    if (seen.has(k)) return;
    seen.add(k);
    const epochs = c.outer * c.inner * (cell.model === 'RDA+VAE' ? 2 : 1);
    out.push({ experiment, ...st, params, cell, gflop: vaeGflop(c, epochs), compute: async () => runRenCell(cell, await data(cell.dataset), c) });
  };
  for (const ds of cfg.datasets) {
    for (const level of cfg.tableLevels[ds]) {
      for (const model of REN_MODELS) table('tables', { dataset: ds, noise: 'salt-pepper', level, model, lambda: lam(model), seed });
    }
  }
  for (const ds of cfg.datasets) {
    for (const model of REN_MODELS) table('table1', { dataset: ds, noise: 'salt-pepper', level: cfg.gridLevel[ds], model, lambda: lam(model), seed });
  }
  for (const level of cfg.heatLevels) {
    table('fig2', { dataset: 'mnist', noise: 'salt-pepper', level, model: 'VAE', lambda: 0, seed });
    for (const l of cfg.heatLambdas) table('fig2', { dataset: 'mnist', noise: 'salt-pepper', level, model: 'RVAE', lambda: l, seed });
  }
  const lopts = { outers: cfg.ladderOuters, gridAt: cfg.ladderGridAt };
  const K = Math.max(...cfg.ladderOuters);
  const ladder = (experiment: string, cell: RenCell) => out.push({
    experiment, ...REN2020_STORES.ladders, params: renLadderParams(cell, renFeatureNetName('mnist', src), cfg, lopts), cell,
    gflop: vaeGflop(cfg, K * cfg.inner), compute: async () => runRenLadder(cell, await data('mnist'), cfg, lopts),
  });
  const at = { dataset: 'mnist' as const, noise: 'salt-pepper' as const, level: cfg.ladderLevel };
  for (const s of cfg.ladderSeeds.map((x) => seed + x)) {
    ladder('ladder', { ...at, model: 'RVAE', lambda: cfg.lambda, seed: s });
    ladder('ladder', { ...at, model: 'VAE', lambda: 0, seed: s });
  }
  const s0 = seed + cfg.ladderSeeds[0];
  for (const l of cfg.ladderLambdas) ladder('ladder-lambda', { ...at, model: 'RVAE', lambda: l, seed: s0 });
  for (const k of cfg.ladderRdaOuters) {
    table('ladder-rda', { ...at, model: 'RDA+VAE', lambda: cfg.lambda, seed: s0 }, { ...cfg, outer: k }, REN2020_STORES.ladders);
  }
  for (const level of cfg.gaussLevels) {
    for (const model of ['VAE', 'RVAE'] as const) table('fig3a', { dataset: 'mnist', noise: 'gaussian', level, model, lambda: lam(model), seed });
  }
  return out;
}

/** The registry's lister (src/papers/registry.ts): notebook 03's cells; `RML_INCEPTION` (read here, at the entry)
 *  selects Inception features, as in the notebook. */
export function ren2020Cells(scale: Scale, seed: number): ComputeCellSpec[] {
  return renCells(scale, seed, { inception: process.env.RML_INCEPTION || undefined });
}

// ------------------------------------------------------------------------------------------------------------
// The notebook's experiment, end to end: compute (or read back) every cell, then the numbers each section shows

/** The data sets' display names. */
export const REN_DS_TITLE: Record<RenDataset, string> = { mnist: 'MNIST', 'fashion-mnist': 'Fashion-MNIST' };
const pctOf = (l: number) => Math.round(l * 100);

/** The "Experiment sizes" table of the notebook. */
export function renConfigRows(cfg: RenConfig, seed: number): { setting: string; value: string }[] {
  const arch = `784-${cfg.hidden.join('-')}-${cfg.latentDim}-${[...cfg.hidden].reverse().join('-')}-784`;
  return [
    { setting: 'training images', value: `${cfg.nTrain} (first of the training split), corrupted; models never see clean data` },
    { setting: 'VAE', value: `${arch}, ${cfg.activation}, Bernoulli, Adam 1e-3, batch 200, ${vaeParamCount(784, cfg.hidden, cfg.latentDim)} parameters` },
    { setting: 'RVAE', value: `${cfg.outer} outer x ${cfg.inner} inner epochs; lambda ${cfg.lambda} for the tables (threshold lambda/mu)` },
    { setting: 'VAE, GAN, two-stage VAEs', value: `${cfg.outer * cfg.inner} epochs (the paper: "the benchmark methods are also trained with 600 iterations")` },
    { setting: 'FID', value: `${cfg.nGen} generated vs ${cfg.nRef} clean training images` },
    { setting: 'RPCA+VAE denoiser', value: `convex RPCA, inexact ALM (src/models/rpca.ts), tolerance 1e-7, at most ${cfg.rpcaMaxIter} iterations` },
    { setting: 'Tables 2/3 noise (salt-and-pepper)', value: cfg.datasets.map((d) => `${REN_DS_TITLE[d]}: ${cfg.tableLevels[d].join(', ')}`).join('; ') },
    { setting: 'Figure 2 grid (MNIST)', value: `noise ${cfg.heatLevels.join(', ')} x lambda ${cfg.heatLambdas.join(', ')}` },
    { setting: 'Figure 3a (MNIST, Gaussian)', value: `factors ${cfg.gaussLevels.join(', ')}` },
    {
      setting: 'budget ladders (MNIST)',
      value: `${pctOf(cfg.ladderLevel)}% noise: RVAE (lambda ${cfg.lambda}) and VAE at outer iterations ${cfg.ladderOuters.join(', ')} `
        + `(VAE: x ${cfg.inner} epochs), seeds ${cfg.ladderSeeds.map((x) => seed + x).join(', ')}; RVAE lambda ${cfg.ladderLambdas.join(', ') || '-'} `
        + `(first seed); RDA+VAE at ${cfg.ladderRdaOuters.join(', ')} outer iterations`,
    },
  ];
}

/** Reference points on our FID scale per data set: clean test images (floor) and the corrupted training images
 *  (ceiling, per level), with the generated images' sizes and feature network. */
export interface RenReference {
  floorFid: Record<string, number>;
  ceilFid: Record<string, Record<number, number>>;
  rows: Record<string, string | number>[];
}

export async function renReferencePoints(cfg: RenConfig, seed: number, data: (ds: RenDataset) => Promise<RenData>): Promise<RenReference> {
  const out: RenReference = { floorFid: {}, ceilFid: {}, rows: [] };
  for (const ds of cfg.datasets) {
    const d = await data(ds);
    const load = ds === 'mnist' ? loadMnist : loadFashionMnist;
    const test = toMatrix(await load({ split: 'test', n: Math.min(cfg.nGen, 10000) }));
    out.floorFid[ds] = referenceFid(test, d, cfg.nGen);
    test.dispose();
    const net = d.featureNet.name;
    out.rows.push({ 'data set': REN_DS_TITLE[ds], images: 'clean test images (floor)', noise: 0, FID: f1(out.floorFid[ds]), 'feature network': net });
    out.ceilFid[ds] = {};
    const extra = ds === 'mnist' ? [cfg.ladderLevel, ...cfg.heatLevels] : [];
    const levels = [...new Set([...cfg.tableLevels[ds], ...extra])].sort((a, b) => a - b);
    for (const level of levels) {
      const X = corruptFor(d.clean, 'salt-pepper', level, seed, ds);
      out.ceilFid[ds][level] = referenceFid(X, d, cfg.nGen);
      X.dispose();
      const images = 'corrupted training images (ceiling)';
      out.rows.push({ 'data set': REN_DS_TITLE[ds], images, noise: level, FID: f1(out.ceilFid[ds][level]), 'feature network': net });
    }
  }
  return out;
}

/** Computes (or reads back) every listed cell through its store, in the list's order. */
export async function computeRenCells(cells: RenCellSpec[], scale: Scale): Promise<void> {
  const stores = new Map<string, ResultsStore>();
  for (const c of cells) {
    if (!stores.has(c.file)) stores.set(c.file, new ResultsStore(c.file, { version: c.version, scale }));
    await stores.get(c.file)!.cell(c.params, c.compute);
  }
}

export type RenLadderRow = RenCell & RenLadderResult;
export type RenHeatCell = { noise: number; lambda: number; diff: number; rel: number; vae: number; rvae: number };

/** Every number the notebook shows, read from the stores (cells missing there are computed). */
export interface RenOutcome {
  scale: Scale;
  seed: number;
  cfg: RenConfig;
  /** Tables 2 / 3 cells, data set x level x model. */
  rows: RenRow[];
  heat: RenHeatCell[];
  gauss: { factor: number; model: string; fid: number }[];
  ladSeeds: number[];
  ladRvae: RenLadderRow[];
  ladVae: RenLadderRow[];
  ladLam: RenLadderRow[];
  rdaRungs: { outer: number; fid: number; seconds: number }[];
  /** The feature networks of the table cells, joined. */
  featureNames: string;
}

export async function renOutcome(scale: Scale, seed: number, data: (ds: RenDataset) => Promise<RenData>): Promise<RenOutcome> {
  const cfg = renConfig(scale);
  const store = renStore(undefined, scale), ladderStore = renLadderStore(scale);
  const loaded = new Map<RenDataset, RenData>();
  for (const ds of cfg.datasets) loaded.set(ds, await data(ds));
  const get = (ds: RenDataset) => () => loaded.get(ds)!;
  const lam = (m: RenModel, l = 0) => (m === 'RVAE' || m === 'RDA+VAE' ? l || cfg.lambda : 0);
  const cellOf = (ds: RenDataset, noise: RenNoise, level: number, model: RenModel, l = 0) =>
    renCell(store, { dataset: ds, noise, level, model, lambda: lam(model, l), seed }, get(ds), cfg);
  const rows: RenRow[] = [];
  for (const ds of cfg.datasets) {
    for (const level of cfg.tableLevels[ds]) for (const model of REN_MODELS) rows.push(await cellOf(ds, 'salt-pepper', level, model));
  }
  const heat: RenHeatCell[] = [];
  for (const level of cfg.heatLevels) {
    const vae = await cellOf('mnist', 'salt-pepper', level, 'VAE');
    for (const lambda of cfg.heatLambdas) {
      const r = await cellOf('mnist', 'salt-pepper', level, 'RVAE', lambda);
      heat.push({ noise: level, lambda, diff: vae.fid - r.fid, rel: improvement(vae.fid, r.fid), vae: vae.fid, rvae: r.fid });
    }
  }
  const ladSeeds = cfg.ladderSeeds.map((x) => seed + x);
  const lopts = { outers: cfg.ladderOuters, gridAt: cfg.ladderGridAt };
  const at = { dataset: 'mnist' as const, noise: 'salt-pepper' as const, level: cfg.ladderLevel };
  const lcell = (model: 'RVAE' | 'VAE', s: number, l = cfg.lambda) =>
    renLadder(ladderStore, { ...at, model, lambda: model === 'RVAE' ? l : 0, seed: s }, get('mnist'), cfg, lopts);
  const ladRvae: RenLadderRow[] = [], ladVae: RenLadderRow[] = [], ladLam: RenLadderRow[] = [];
  for (const s of ladSeeds) { ladRvae.push(await lcell('RVAE', s)); ladVae.push(await lcell('VAE', s)); }
  for (const l of cfg.ladderLambdas) ladLam.push(await lcell('RVAE', ladSeeds[0], l));
  // RDA+VAE: separate fits (its VAE trains after the RDA has run all its outer iterations)
  const rdaRungs: RenOutcome['rdaRungs'] = [];
  for (const k of cfg.ladderRdaOuters) {
    const r = await renCell(ladderStore, { ...at, model: 'RDA+VAE', lambda: cfg.lambda, seed: ladSeeds[0] }, get('mnist'), { ...cfg, outer: k });
    rdaRungs.push({ outer: k, fid: r.fid, seconds: r.trainSeconds });
  }
  const gauss: RenOutcome['gauss'] = [];
  for (const level of cfg.gaussLevels) {
    for (const m of ['VAE', 'RVAE'] as const) gauss.push({ factor: level, model: m, fid: (await cellOf('mnist', 'gaussian', level, m)).fid });
  }
  const featureNames = [...new Set(rows.map((r) => r.featureNet))].join('; ');
  return { scale, seed, cfg, rows, heat, gauss, ladSeeds, ladRvae, ladVae, ladLam, rdaRungs, featureNames };
}

/** The FID of a table cell. */
export function renFid(o: RenOutcome, ds: RenDataset, level: number, m: RenModel): number {
  const r = o.rows.find((x) => x.dataset === ds && x.level === level && x.model === m);
  if (!r) throw new InputError(`renFid: no table cell ${ds} ${level} ${m}`);
  return r.fid;
}

/** Table 2 (MNIST) / Table 3 (Fashion-MNIST): ours beside the paper's per level, then the floor and ceiling rows. */
export function renFidTable(o: RenOutcome, ref: RenReference, ds: RenDataset): Record<string, string>[] {
  const lv = o.cfg.tableLevels[ds];
  const out: Record<string, string>[] = REN_MODELS.map((m) => {
    const row: Record<string, string> = { model: m };
    for (const level of lv) {
      row[`${pctOf(level)}% ours`] = f1(renFid(o, ds, level, m));
      const p = paperFid(ds, level, m);
      row[`${pctOf(level)}% paper`] = p === undefined ? '-' : p.toFixed(1);
    }
    return row;
  });
  // Reference rows (same feature network, same image counts): real vs real is the floor; the corrupted training
  // images themselves are the ceiling a generator of "just the noisy data" would reach. The paper has neither.
  const refRow = (model: string, v: (l: number) => number) =>
    ({ model, ...Object.fromEntries(lv.flatMap((l) => [[`${pctOf(l)}% ours`, f1(v(l))], [`${pctOf(l)}% paper`, '-']])) });
  out.push(refRow('reference: clean test images (floor)', () => ref.floorFid[ds]));
  out.push(refRow('reference: the corrupted training images (ceiling)', (l) => ref.ceilFid[ds][l]));
  return out;
}

/** Per table cell: time, CPU time, last loss, nnz(S), parameters. */
export function renDetailsRows(o: RenOutcome): Record<string, string | number>[] {
  return o.rows.map((r) => ({
    'data set': REN_DS_TITLE[r.dataset], noise: r.level, model: r.model, lambda: r.lambda || '', FID: f1(r.fid), 'train s': f1(r.trainSeconds),
    'train CPU s': f1(r.trainCpuSeconds), 'denoiser s': r.denoiserSeconds ? f1(r.denoiserSeconds) : '', 'last loss': f1(r.lastLoss),
    'nnz(S)': r.sparsityS >= 0 ? r.sparsityS.toFixed(3) : '', params: r.nParams,
  }));
}

/** Mean and min-max of a few seeds' values. */
export function band(v: number[]): { mean: number; lo: number; hi: number } { return { mean: mean(v), lo: Math.min(...v), hi: Math.max(...v) }; }

/** The ladder figure's points, its table and its reading. */
export function renLadderView(o: RenOutcome): {
  points: Record<string, number | string>[]; rows: Record<string, string | number>[]; reading: ReturnType<typeof ladderReading>;
} {
  const { cfg, ladRvae, ladVae, ladLam, rdaRungs, ladSeeds } = o;
  const points: Record<string, number | string>[] = [];
  cfg.ladderOuters.forEach((k, i) => {
    for (const [name, lad] of [[`RVAE (lambda ${cfg.lambda})`, ladRvae], ['VAE (same epochs)', ladVae]] as const) {
      const b = band(lad.map((l) => l.fid[i]));
      points.push({ outer: k, model: name, fid: b.mean, lo: b.lo, hi: b.hi });
    }
    ladLam.forEach((l) => points.push({ outer: k, model: `RVAE (lambda ${l.lambda}, seed ${l.seed})`, fid: l.fid[i], lo: l.fid[i], hi: l.fid[i] }));
  });
  for (const r of rdaRungs) points.push({ outer: r.outer, model: `RDA+VAE (seed ${ladSeeds[0]})`, fid: r.fid, lo: r.fid, hi: r.fid });
  const rows = cfg.ladderOuters.map((k, i) => {
    const rv = ladRvae.map((l) => l.fid[i]), va = ladVae.map((l) => l.fid[i]);
    const row: Record<string, string | number> = {
      outer: k, epochs: k * cfg.inner, 'RVAE FID': spreadText(rv), 'VAE FID': spreadText(va),
      'RVAE / VAE': (band(rv).mean / band(va).mean).toFixed(2),
      'RVAE lower in seeds': `${rv.filter((v, j) => v < va[j]).length} of ${rv.length}`,
      'nnz(S)': spreadText(ladRvae.map((l) => 100 * l.sparsityS[i])) + '%',
    };
    for (const l of ladLam) row[`RVAE lambda ${l.lambda}`] = f1(l.fid[i]);
    const rd = rdaRungs.find((r) => r.outer === k);
    row['RDA+VAE'] = rd ? f1(rd.fid) : '';
    return row;
  });
  const P = REN2020_TABLE2[cfg.ladderLevel];
  if (P) {
    rows.push({
      outer: 30, epochs: 600, 'RVAE FID': `paper ${P.RVAE} (Inception)`, 'VAE FID': `paper ${P.VAE}`, 'RVAE / VAE': (P.RVAE / P.VAE).toFixed(2),
      'RVAE lower in seeds': '', 'nnz(S)': '', ...Object.fromEntries(ladLam.map((l) => [`RVAE lambda ${l.lambda}`, ''])), 'RDA+VAE': `paper ${P['RDA+VAE']}`,
    });
  }
  return { points, rows, reading: ladderReading(cfg.ladderOuters, ladRvae.map((l) => l.fid), ladVae.map((l) => l.fid)) };
}

/** The ladder reading as a sentence. */
export function renLadderText(o: RenOutcome, reading: ReturnType<typeof ladderReading>): string {
  return `**Ladder reading (lambda ${o.cfg.lambda}).** The RVAE is lower than the VAE for every seed at outer iterations: `
    + `${reading.winsAt.join(', ') || 'none'}; `
    + (reading.from !== undefined ? `it stays lower from ${reading.from} outer iterations on.` : 'it does not stay lower up to the last rung.')
    + ` At the last rung (${o.cfg.ladderOuters.at(-1)}) the mean gap FID(VAE) - FID(RVAE) is ${f1(reading.lastGap)}.`;
}

/** The check that the table's cells and the ladder's rung of the same seed agree (null when the ladder lacks it). */
export function renLadderCheckText(o: RenOutcome): string | null {
  const { cfg, rows, ladRvae, ladVae, ladSeeds } = o;
  const L25 = cfg.ladderLevel;
  const i = cfg.ladderOuters.indexOf(cfg.outer);
  const tr = rows.find((r) => r.dataset === 'mnist' && r.level === L25 && r.model === 'RVAE' && r.seed === ladSeeds[0]);
  const tv = rows.find((r) => r.dataset === 'mnist' && r.level === L25 && r.model === 'VAE' && r.seed === ladSeeds[0]);
  if (i < 0 || !tr || !tv) return null;
  return `Check: the table's ${pctOf(L25)}% cells (${cfg.outer} outer, separate fits) give RVAE ${tr.fid.toFixed(3)} / VAE ${tv.fid.toFixed(3)}; `
    + `the ladder's rung ${cfg.outer} of the same seed gives ${ladRvae[0].fid[i].toFixed(3)} / ${ladVae[0].fid[i].toFixed(3)}.`;
}

/** Fig. 3b: RVAE vs RDA+VAE training times per table cell (wall clock as the paper, and CPU time). */
export function renTimes(o: RenOutcome): {
  bars: { cell: string; model: string; seconds: number }[];
  pairs: { r: RenRow; d: RenRow }[];
  rows: Record<string, string | number>[];
} {
  const bars = o.rows.filter((r) => r.model === 'RVAE' || r.model === 'RDA+VAE')
    .map((r) => ({ cell: `${REN_DS_TITLE[r.dataset]} ${pctOf(r.level)}%`, model: r.model, seconds: r.trainSeconds }));
  const pairs = o.rows.filter((r) => r.model === 'RVAE')
    .map((r) => ({ r, d: o.rows.find((x) => x.model === 'RDA+VAE' && x.dataset === r.dataset && x.level === r.level)! }));
  const rows = pairs.map(({ r, d }) => ({
    'data set': REN_DS_TITLE[r.dataset], noise: r.level, 'RVAE s': f1(r.trainSeconds), 'RDA+VAE s': f1(d.trainSeconds), 'of which RDA s': f1(d.denoiserSeconds),
    'RVAE faster by % (wall)': f1((100 * (d.trainSeconds - r.trainSeconds)) / d.trainSeconds), 'RVAE CPU s': f1(r.trainCpuSeconds),
    'RDA+VAE CPU s': f1(d.trainCpuSeconds), 'RVAE faster by % (CPU)': f1((100 * (d.trainCpuSeconds - r.trainCpuSeconds)) / d.trainCpuSeconds),
  }));
  return { bars, pairs, rows };
}

// ------------------------------------------------------------------------------------------------------------
// The claims table and the root-cause text of notebook 03

export interface RenClaim { claim: string; paper: string; ours: string; holds: Verdict; note: string }

/** Half the min-max range of a few values relative to their mean, in percent (0 for one value). */
const halfRange = (v: number[]) => (v.length > 1 ? (100 * (Math.max(...v) - Math.min(...v))) / 2 / mean(v) : 0);

/**
 * The claims of notebook 03 from the measured numbers (the rules above); at smoke scale nothing is judged
 * ('n/a'). `celeba`: the Table 4 rows when CelebA was on disk, else null.
 */
export function ren2020Claims(o: RenOutcome, celeba: RenRow[] | null): RenClaim[] {
  const { cfg, ladRvae, ladVae, ladLam, ladSeeds, rdaRungs, heat, gauss } = o;
  const smoke = o.scale === 'smoke';
  const L25 = cfg.ladderLevel;
  const P = REN2020_TABLE2[L25];
  const paperR = P?.RVAE, paperV = P?.VAE;
  const paperRatio = paperR && paperV ? (paperR / paperV).toFixed(2) : '-';
  const get = (ds: RenDataset, level: number, m: RenModel) => renFid(o, ds, level, m);
  const note = smoke
    ? 'smoke scale: too small to judge'
    : `${o.scale} scale: ${cfg.outer} x ${cfg.inner} epochs on ${cfg.nTrain} images, FID on ${cfg.nGen} samples with ${o.featureNames}`;
  const out: RenClaim[] = [];
  const add = (claim: string, paper: string, v: RenVerdict, extra = '') =>
    out.push({ claim, paper, ours: v.ours, holds: smoke ? 'n/a' : v.holds, note: [note, v.note, extra].filter(Boolean).join('; ') });
  const lastK = cfg.ladderOuters.at(-1)!;
  const iLast = cfg.ladderOuters.length - 1;
  const atLast = (lads: RenLadderRow[]) => lads.map((l) => l.fid[iLast]);
  const ladNote = `ladder (MNIST ${pctOf(L25)}%, seeds ${ladSeeds.join(', ')}): RVAE lower for every seed at outer `
    + `${ladderReading(cfg.ladderOuters, ladRvae.map((l) => l.fid), ladVae.map((l) => l.fid)).winsAt.join(', ') || 'none'} of ${cfg.ladderOuters.join(', ')}; `
    + `at ${lastK} outer RVAE ${spreadText(atLast(ladRvae))} vs VAE ${spreadText(atLast(ladVae))}`;
  // At the ladder's level the table budget is a rung of every seed's ladder (seed 0's rung is the table cell's
  // model), so that level is judged over all ladder seeds; the other levels have one seed.
  const iTb = cfg.ladderOuters.indexOf(cfg.outer);
  const levelOf = (l: number) => (l === L25 && iTb >= 0
    ? { level: l, rvae: ladRvae.map((x) => x.fid[iTb]), vae: ladVae.map((x) => x.fid[iTb]) }
    : { level: l, rvae: [get('mnist', l, 'RVAE')], vae: [get('mnist', l, 'VAE')] });
  add('Table 2: RVAE has a lower FID than the VAE at every noise level on MNIST (table budget)', 'all 7 levels (e.g. 43 vs 141 at 9%, 90 vs 186 at 25%)',
    rvaeBeatsVaeVerdict(cfg.tableLevels.mnist.map(levelOf)),
    `${pctOf(L25)}%: ladder seeds ${ladSeeds.join(', ')} at the table budget (${cfg.outer} outer); ${ladNote}`);
  add(`Table 2 at ${pctOf(L25)}%: RVAE lower than the VAE after ${lastK} outer iterations (ladder, ${ladSeeds.length} seeds)`,
    `${paperR} vs ${paperV} after 30 outer iterations (ratio ${paperRatio})`,
    rvaeBeatsVaeVerdict([{ level: L25, rvae: atLast(ladRvae), vae: atLast(ladVae) }]),
    `ratio RVAE / VAE at ${lastK} outer: ${(mean(atLast(ladRvae)) / mean(atLast(ladVae))).toFixed(2)}`);
  // The Fig. 2 cells have one seed each: a difference smaller than the seed-to-seed spread of ONE model at the
  // table budget (half the min-max range over the ladder's seeds, relative to the mean, the larger of RVAE and
  // VAE) is a tie.
  const fig2Tie = iTb >= 0 ? Math.max(halfRange(ladRvae.map((x) => x.fid[iTb])), halfRange(ladVae.map((x) => x.fid[iTb]))) : 0;
  const baseline: RenModel[] = ['GAN', 'LPF+VAE', 'RPCA+VAE'];
  const tableCells = cfg.datasets.flatMap((ds) => cfg.tableLevels[ds].map((l) => ({ ds, l, cell: `${REN_DS_TITLE[ds]} ${pctOf(l)}%` })));
  add('Tables 2-3: RVAE beats GAN, LPF+VAE and RPCA+VAE in most cells', 'RVAE lower in 38 of 42 cells (RPCA+VAE lower at MNIST 41%, 49%)',
    rvaeBeatsBaselinesVerdict(tableCells.map(({ ds, l, cell }) => ({
      cell, rvae: get(ds, l, 'RVAE'), baselines: Object.fromEntries(baseline.map((m) => [m, get(ds, l, m)])),
    }))));
  const rungText = (r: { outer: number; fid: number }) => {
    const i = cfg.ladderOuters.indexOf(r.outer);
    return `${r.outer} outer: RVAE ${i >= 0 ? f1(ladRvae[0].fid[i]) : '-'} vs RDA+VAE ${f1(r.fid)}`;
  };
  const rdaLadderNote = rdaRungs.length ? `ladder at MNIST ${pctOf(L25)}% (seed ${ladSeeds[0]}): ${rdaRungs.map(rungText).join('; ')}` : '';
  add('Tables 2-4: RVAE and RDA+VAE are close in FID', 'within ~10-30% in most cells (RVAE better on MNIST, RDA+VAE slightly better on Fashion-MNIST)',
    rvaeCloseToRdaVerdict(tableCells.map(({ ds, l, cell }) => ({ cell, rvae: get(ds, l, 'RVAE'), rda: get(ds, l, 'RDA+VAE') }))), rdaLadderNote);
  add('Fig. 3b: RVAE trains faster than RDA+VAE (paper: 38% faster on CelebA)', '38.11% faster on average (CelebA)',
    rvaeFasterVerdict(renTimes(o).pairs.map(({ r, d }) => ({
      rvaeSeconds: r.trainSeconds, rdaSeconds: d.trainSeconds, rvaeCpu: r.trainCpuSeconds, rdaCpu: d.trainCpuSeconds,
    }))),
    'same outer x inner schedule for RVAE and for RDA, plus the RDA+VAE\'s own VAE');
  const lamNote = ladLam.length
    ? `ladder at ${pctOf(L25)}% (seed ${ladSeeds[0]}), ${lastK} outer: `
      + `${[...ladLam, ladRvae[0]].map((l) => `lambda ${l.lambda} ${f1(l.fid[iLast])}`).join(', ')} vs VAE ${f1(ladVae[0].fid[iLast])}`
    : '';
  add('Fig. 2: a broad range of lambda where the RVAE beats the VAE (42% mean improvement for noise 3-27%, lambda 10-100)',
    'blue region over lambda 10-100; best 74% at 33% noise',
    fig2Verdict(heat.map((h) => ({ noise: h.noise, lambda: h.lambda, vae: h.vae, rvae: h.rvae })), { tie: fig2Tie }), lamNote);
  const gFid = (l: number, m: string) => gauss.find((g) => g.factor === l && g.model === m)!.fid;
  add('Fig. 3a: with Gaussian noise the RVAE has a lower FID than the VAE while the noise is not too large', 'RVAE lower up to f = 0.6; both fail from 0.7',
    rvaeBeatsVaeVerdict(cfg.gaussLevels.map((l) => ({ level: l, rvae: [gFid(l, 'RVAE')], vae: [gFid(l, 'VAE')] })), (l) => `f ${l}`));
  out.push({
    claim: 'Table 4: on CelebA the RVAE beats the VAE, GAN and LPF/RPCA two-stage models',
    paper: 'RVAE 63-70 vs VAE 66-116',
    ours: celeba ? celeba.map((r) => `${r.model} ${f1(r.fid)}`).join('; ') : 'CelebA not available offline',
    holds: celebaVerdict(celeba, smoke),
    note: celeba ? 'only VAE and RVAE run on CelebA here' : 'data not available offline; code path tested on fixture images',
  });
  return out;
}

/** Table 4 rule: n/a without the data or at smoke; 'partly' when the RVAE is below the VAE (only those two run
 *  here, the paper's claim is over four baselines), else no. */
export function celebaVerdict(celeba: { model: string; fid: number }[] | null, smoke: boolean): Verdict {
  if (!celeba || smoke) return 'n/a';
  const r = celeba.find((x) => x.model === 'RVAE'), v = celeba.find((x) => x.model === 'VAE');
  if (!r || !v) throw new InputError('celebaVerdict: need an RVAE and a VAE row');
  return r.fid < v.fid ? 'partly' : false;
}

const holdsText = (h: Verdict) => (h === false ? 'no' : String(h));

/**
 * Section 9 of the notebook: for every claim that is not "yes", which of budget, sample size, an unstated setting
 * or the paper itself holds it back, computed from the ladders and the reference rows. `mnist`: the MNIST data
 * (for the lambda -> threshold conversion on the ladder's corrupted images).
 */
export function ren2020RootCauses(o: RenOutcome, ref: RenReference, claims: { claim: string; holds: Verdict; note?: string }[], mnist: RenData): string {
  const { cfg, ladRvae, ladVae, ladLam, ladSeeds, rdaRungs } = o;
  const smoke = o.scale === 'smoke';
  const L25 = cfg.ladderLevel;
  const P = REN2020_TABLE2[L25];
  const paperRatio = P?.RVAE && P?.VAE ? (P.RVAE / P.VAE).toFixed(2) : '-';
  const get = (ds: RenDataset, level: number, m: RenModel) => renFid(o, ds, level, m);
  const lastK = cfg.ladderOuters.at(-1)!;
  const iLast = cfg.ladderOuters.length - 1;
  const reading = ladderReading(cfg.ladderOuters, ladRvae.map((l) => l.fid), ladVae.map((l) => l.fid));
  const out: string[] = [];
  const rung = (k: number) => cfg.ladderOuters.indexOf(k);
  const at = (lads: { fid: number[] }[], k: number) => lads.map((l) => l.fid[rung(k)]);
  const vLast = at(ladVae, lastK), rLast = at(ladRvae, lastK);
  const vaeMin = Math.min(...ladVae.flatMap((l) => l.fid));
  const tb = cfg.outer;
  const X25 = corruptFor(mnist.clean, 'salt-pepper', L25, ladSeeds[0], 'mnist');
  let thrText: { paper: string; ours: string };
  try {
    const thr = (lam: number) => effectiveThreshold(lam, X25, 'code-l1').toFixed(2);
    const lams = [...new Set([...cfg.heatLambdas, ...cfg.ladderLambdas, cfg.lambda])].sort((a, b) => a - b);
    thrText = { paper: `${thr(10)}-${thr(100)}`, ours: lams.map((l) => `${l} -> ${thr(l)}`).join(', ') };
  } finally {
    X25.dispose();
  }
  const flips = (100 * (1 - Math.exp(-L25))).toFixed(1);
  for (const c of claims) {
    // at smoke every claim is 'n/a' and every branch runs (the text proves the cell works, it judges nothing)
    if (c.holds === true || (c.holds === 'n/a' && !smoke)) continue;
    const head = `- **${c.claim}** (${holdsText(c.holds)}).`;
    if (c.claim.startsWith('Table 2: RVAE has a lower FID')) {
      out.push(`${head} **Budget: outer iterations.** At the table budget (${tb} outer x ${cfg.inner} epochs) the 25% cell is `
        + `RVAE ${spreadText(at(ladRvae, tb))} vs VAE ${spreadText(at(ladVae, tb))} over the ladder's seeds: the RVAE has made ${tb - 1} `
        + `S-update${tb > 2 ? 's' : ''} that reached its VAE, and after the first outer iteration the two models are the same model `
        + `(RVAE ${spreadText(at(ladRvae, 1))} vs VAE ${spreadText(at(ladVae, 1))}: the first inner stage trains a plain VAE on X). `
        + `Along the ladder the RVAE is lower for every seed at outer ${reading.winsAt.join(', ') || 'none'}; `
        + `at ${lastK} outer RVAE ${spreadText(rLast)} vs VAE ${spreadText(vLast)} (ratio ${(mean(rLast) / mean(vLast)).toFixed(2)}; `
        + `the paper's ratio after 30 is ${paperRatio}). `
        + `The VAE ${vaeMin > Math.max(...rLast) ? 'does not get there with more epochs' : 'also improves with epochs'}: its best rung (any seed) is `
        + `${f1(vaeMin)}, against a ceiling (the corrupted images themselves) of ${f1(ref.ceilFid.mnist[L25])} and a floor of ${f1(ref.floorFid.mnist)}.`);
    } else if (c.claim.startsWith('Table 2 at')) {
      out.push(`${head} **Budget, and seeds that separate at different speeds.** Per seed at ${lastK} outer: `
        + `${ladSeeds.map((sd, j) => `seed ${sd}: RVAE ${f1(rLast[j])} vs VAE ${f1(vLast[j])}`).join('; ')}. `
        + `The RVAE's FID falls once S has taken the noise (nnz(S) per seed at ${lastK}: `
        + `${ladRvae.map((l) => (100 * l.sparsityS[rung(lastK)]).toFixed(1) + '%').join(', ')}; the corruption flips about ${flips}% of the pixels); `
        + `a seed that has not got there by ${lastK} needs more outer iterations (the paper: 30; the long scale runs them).`);
    } else if (c.claim.startsWith('Tables 2-4: RVAE and RDA+VAE')) {
      const r10 = rdaRungs.at(-1);
      let rungText = '';
      if (r10) {
        const rv = ladRvae[0].fid[rung(r10.outer)];
        const within = Math.abs(rv - r10.fid) / Math.max(rv, r10.fid) < 0.25 ? 'within 25%' : 'not within 25%';
        rungText = `at ${r10.outer} outer iterations (seed ${ladSeeds[0]}) it is RVAE ${f1(rv)} vs RDA+VAE ${f1(r10.fid)} (${within}). `;
      }
      out.push(`${head} **Budget, on both sides.** At the table budget (MNIST 25%): RVAE ${f1(get('mnist', L25, 'RVAE'))} vs `
        + `RDA+VAE ${f1(get('mnist', L25, 'RDA+VAE'))} (VAE ${f1(get('mnist', L25, 'VAE'))}); ` + rungText
        + 'The RDA+VAE spends twice the epochs (the RDA\'s outer x inner, then its own VAE), which the paper counts as its cost (Fig. 3b), '
        + 'not as a different budget.');
    } else if (c.claim.startsWith('Fig. 2')) {
      const lamText = ladLam.length
        ? `Along the ladder (seed ${ladSeeds[0]}, 25%): ${[...ladLam, ladRvae[0]].map((l) => `lambda ${l.lambda}: ${f1(l.fid[rung(tb)])} at ${tb} -> `
          + `${f1(l.fid[iLast])} at ${lastK} outer (S holds ${(100 * l.sparsityS[iLast]).toFixed(1)}% of the entries)`).join('; ')}; `
          + `VAE ${f1(ladVae[0].fid[rung(tb)])} -> ${f1(ladVae[0].fid[iLast])}; the corruption flips about ${flips}% of the pixels, `
          + 'so a small lambda also puts digit strokes into S. '
        : '';
      out.push(`${head} **Budget, then an unstated setting.** The failing cells are at 25% noise, where ${tb} outer iterations are too few (see Table 2). `
        + lamText
        + 'Our lambdas are in the authors\' code convention (threshold lambda / mu, mu from the largest column sum): the paper\'s lambda 10-100 are '
        + `thresholds of ${thrText.paper} on these images, which a VAE trained for ${tb * cfg.inner} epochs cannot use (its residuals are larger); `
        + `ours (lambda -> threshold): ${thrText.ours}, chosen once in a pilot at 9% noise, not per cell.`);
    } else if (c.claim.startsWith('Table 4')) {
      out.push(`- **${c.claim}**: CelebA is not on this machine (data, not code; the conv RVAE is unit-tested on fixture images).`);
    } else {
      out.push(`- **${c.claim}** (${holdsText(c.holds)}): ${c.note}`);
    }
  }
  if (cfg.tableLevels['fashion-mnist'].includes(0.41) && get('fashion-mnist', 0.41, 'RVAE') >= get('fashion-mnist', 0.41, 'VAE')) {
    out.push(`- Not a listed claim, but visible in Table 3: at Fashion-MNIST 41% and the table budget the RVAE (${f1(get('fashion-mnist', 0.41, 'RVAE'))}) `
      + `is not below the VAE (${f1(get('fashion-mnist', 0.41, 'VAE'))}); this cell has no ladder at quick (budget); the long scale's tables run `
      + `${renConfig('long').outer} outer iterations.`);
  }
  const intro = smoke ? '*Smoke scale: nothing is judged; the text below only shows that this cell runs.*\n\n' : '';
  return intro + (out.length ? out.join('\n') : 'Every claim tested at this scale holds.');
}

// ------------------------------------------------------------------------------------------------------------
// Table 4 in the notebook: only when CelebA is on disk (not listed as cells: the list must not depend on data)

/** Table 4 (CelebA) of notebook 03: `rows` when the faces are on disk (cells through `celeba.jsonl`), else null
 *  and the loader's reason. Sizes per scale: faces 64 / 1,000 / 5,000 / 20,000; 2 x 1 epochs (paper 10 x 10). */
export async function renCeleba(scale: Scale, seed: number, src: RenFeatureSource = {}): Promise<{ rows: RenRow[] | null; n: number; reason: string }> {
  const sizes: Record<Scale, number> = { paper: 20000, long: 5000, quick: 1000, smoke: 64 };
  let faces: Awaited<ReturnType<typeof loadCelebA>>;
  try {
    faces = await loadCelebA({ n: sizes[scale], seed });
  } catch (e) {
    return { rows: null, n: 0, reason: (e as Error).message.split('.')[0] };
  }
  const clean = toMatrix(faces);
  try {
    const net = src.inception
      ? await graphModelFeatureNet(src.inception, { imageShape: [64, 64, 3], name: `InceptionV3 pool3 (${src.inception})` })
      : pooledPixelFeatureNet([64, 64, 3]);
    const cstore = renStore('03-robust-variational-autoencoders/celeba.jsonl', scale);
    const paper = scale === 'paper';
    const copts = { conv: {}, outer: paper ? 10 : 2, inner: paper ? 10 : 1, nGen: Math.min(clean.shape[0], 1000), gridN: 10 };
    const lambda = renConfig(scale).lambda;
    const rows: RenRow[] = [];
    for (const level of paper ? [0.1, 0.2, 0.3, 0.4, 0.5] : [0.4]) {
      for (const model of ['VAE', 'RVAE'] as const) {
        const cell = { model, level, lambda, seed };
        const res = await cstore.cell({ ...cell, n: clean.shape[0], featureNet: net.name }, () => runCelebaCell(cell, clean, net, copts));
        rows.push({ dataset: 'mnist', noise: 'salt-pepper', level, model, lambda, seed, ...res });
      }
    }
    return { rows, n: clean.shape[0], reason: '' };
  } finally {
    clean.dispose();
  }
}

/** Table 4 as the notebook shows it: ours beside the paper's when run, else the paper's values alone. */
export function renTable4Rows(rows: RenRow[] | null): Record<string, string | number>[] {
  if (!rows) {
    return Object.entries(REN2020_TABLE4).map(([lvl, v]) => ({
      noise: `${pctOf(Number(lvl))}%`, ...Object.fromEntries(Object.entries(v).map(([k, x]) => [`${k} paper`, x])),
    }));
  }
  return rows.map((r) => ({
    noise: r.level, model: r.model, 'FID ours': f1(r.fid), 'FID paper': REN2020_TABLE4[r.level]?.[r.model] ?? '-', 'train s': f1(r.trainSeconds),
    'feature network': r.featureNet,
  }));
}
