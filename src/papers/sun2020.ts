/**
 * Experiment drivers of notebook 00, "Autoencoders and factorization" (Sun 2020 lecture, "Unsupervised
 * representation learning: autoencoders and factorization"; Li, Mehta, Qian & Sun 2020, Theorem A.1).
 *
 * The lecture's claims that the notebook tests on MNIST:
 *  1. PCA, the tied linear autoencoder min ||x - B B^T x||, the untied one min ||x - B A^T x|| and the linear
 *     factorization min ||x - B z|| "find three different B's that span the same principal subspace"
 *     (Baldi & Hornik 1989; Li et al. 2020 Thm A.1): measured by principal angles to PCA's subspace.
 *  2. The tied autoencoder's B is orthonormal at the optimum; the untied one's and the factorization's need not be.
 *  3. Practical data lie close to low-dimensional structure: the singular-value spectrum of MNIST decays fast.
 *  4. Deep autoencoders and deep factorizations (g_V in place of B) reconstruct better than PCA at the same code
 *     size (the nonlinear generalisation).
 *  5. Outliers do not obey the manifold assumption: their reconstruction error is large after autoencoder
 *     training, so it serves as an outlier score.
 * All sizes come from the scale; the algorithms do not change with it.
 */
import { tf } from '../backend';
import { Scale } from '../experiment/scale';
import { loadMnist } from '../data/mnist';
import { ImageSet, toMatrix } from '../data/images';
import { outlierMix } from '../data/outliers';
import { PCA } from '../models/pca';
import { LinearAutoencoder } from '../models/linear-ae';
import { LinearFactorization } from '../models/factorization';
import { DeepAutoencoder } from '../models/autoencoder';
import { RDAE } from '../models/rdae';
import { RNLF } from '../models/rnlf';
import { principalAngles } from '../metrics/angles';
import { rocAuc, precisionAtK } from '../metrics/ranking';
import { Mat64, symEig64 } from '../linalg/dense';
import { InputError } from '../validate';
import type { ComputeCellSpec } from '../experiment/sweep';
import { ResultsStore } from '../experiment/store';

export interface Sun2020Config {
  scale: Scale;
  /** MNIST training images for the linear experiments and the spectrum. */
  n: number;
  /** Code size d of every model (the lecture's d < D = 784). */
  d: number;
  /** Full-batch gradient steps of the linear autoencoders / factorization. */
  linearIterations: number;
  /** Images (train) and held-out images (test) for the deep comparison, and its epochs. */
  deepN: number;
  deepTestN: number;
  deepEpochs: number;
  /** Outlier experiment: inlier digit, number of inliers and outliers (other digits), AE epochs. */
  outlier: { inlierClass: number; nInliers: number; nOutliers: number; epochs: number };
  seed: number;
}

/** The sizes at `scale` (the algorithm is the same at every scale); `seed` is part of every stored key. */
export function sun2020Config(scale: Scale, seed = 0): Sun2020Config {
  const by = <T>(v: Record<Scale, T>) => v[scale];
  return {
    scale,
    n: by({ smoke: 600, quick: 2000, long: 10000, paper: 60000 }),
    d: 20,
    linearIterations: by({ smoke: 300, quick: 1500, long: 3000, paper: 6000 }),
    deepN: by({ smoke: 300, quick: 2000, long: 10000, paper: 60000 }),
    deepTestN: by({ smoke: 100, quick: 1000, long: 2000, paper: 10000 }),
    deepEpochs: by({ smoke: 2, quick: 15, long: 50, paper: 100 }),
    outlier: by({
      smoke: { inlierClass: 4, nInliers: 300, nOutliers: 16, epochs: 3 },
      quick: { inlierClass: 4, nInliers: 2000, nOutliers: 105, epochs: 30 },
      long: { inlierClass: 4, nInliers: 4859, nOutliers: 265, epochs: 100 },
      paper: { inlierClass: 4, nInliers: 4859, nOutliers: 265, epochs: 100 },
    }),
    seed,
  };
}

/** Every scale's configuration at seed 0 (the drivers' common shape: `<PAPER>_SCALES` + `<paper>Config(scale)`). */
export const SUN2020_SCALES: Record<Scale, Sun2020Config> = {
  smoke: sun2020Config('smoke'), quick: sun2020Config('quick'), long: sun2020Config('long'), paper: sun2020Config('paper'),
};

/** The notebook's "set-up" table: one row per experiment at this configuration. */
export function sun2020ConfigRows(cfg: Sun2020Config): Record<string, string | number>[] {
  const o = cfg.outlier;
  return [
    {
      experiment: 'spectrum, linear models', data: `${cfg.n} MNIST training images`, 'code size d': cfg.d,
      training: `${cfg.linearIterations} full-batch Adam steps (l2, centred)`,
    },
    {
      experiment: 'deep vs linear', data: `${cfg.deepN} train + ${cfg.deepTestN} held-out test images`, 'code size d': cfg.d,
      training: `${cfg.deepEpochs} epochs, batch 100, Adam 1e-3 (codes: 10)`,
    },
    {
      experiment: 'outlier scores', data: `${o.nInliers} "${o.inlierClass}"s + ${o.nOutliers} other digits`, 'code size d': cfg.d,
      training: `${o.epochs} epochs`,
    },
  ];
}

/** The store `name` of notebook 00 at `scale` (results/<scale>/00-autoencoders-and-factorization/results.jsonl). */
export function sun2020Store(name: keyof typeof SUN2020_STORES, scale: Scale): ResultsStore {
  return new ResultsStore(SUN2020_STORES[name].file, { version: SUN2020_STORES[name].version, scale });
}

/** The first `n` MNIST training images (rows in [0,1]) as a matrix; the caller disposes it. */
export async function mnistMatrix(n: number, split: 'train' | 'test' = 'train'): Promise<{ set: ImageSet; X: tf.Tensor2D }> {
  const set = await loadMnist({ split, n });
  return { set, X: toMatrix(set) };
}

export interface SpectrumPoint { k: number; sigma: number; energy: number; cumulative: number }

/**
 * Singular values of the column-centred data, from the eigenvalues of the D x D Gram matrix (Float64
 * eigensolver; sigma_k = sqrt(lambda_k)); energy = sigma_k^2 / sum sigma^2, cumulative = its running sum.
 */
/** Gram matrix Xc^T Xc of the column-centred data (float32 matMul on the backend), as a Float64 D x D matrix. */
function centredGram64(X: tf.Tensor2D): Mat64 {
  const D = X.shape[1];
  const G = tf.tidy(() => { const Xc = tf.sub(X, tf.mean(X, 0, true)); return tf.matMul(Xc, Xc, true, false); });
  const data = Float64Array.from(G.dataSync());
  G.dispose();
  return { rows: D, cols: D, data };
}

export function centredSpectrum(X: tf.Tensor2D): SpectrumPoint[] {
  const [n, D] = X.shape;
  const { values } = symEig64(centredGram64(X), { vectors: false });
  const lam = Array.from(values).map((v) => Math.max(0, v)).sort((a, b) => b - a);
  const total = lam.reduce((s, v) => s + v, 0);
  if (!(total > 0)) throw new InputError(`centredSpectrum: the ${n} x ${D} data have no variance`);
  let cum = 0;
  return lam.map((l, i) => { cum += l; return { k: i + 1, sigma: Math.sqrt(l), energy: l / total, cumulative: cum / total }; });
}

export interface SubspaceRow {
  model: string;
  /** Largest / mean principal angle (degrees) between the model's B and PCA's top-d subspace. */
  maxAngleDeg: number;
  meanAngleDeg: number;
  /** ||B^T B - I||_F / sqrt(d): 0 for an orthonormal basis. */
  nonOrthonormality: number;
  /** ||X - Xhat||_F^2 / ||X - Xhat_PCA||_F^2 on the fitted data: 1 is the Eckart-Young optimum. */
  errorRatio: number;
  seconds: number;
}

function basisStats(B: tf.Tensor2D, Vpca: tf.Tensor2D): { maxAngleDeg: number; meanAngleDeg: number; nonOrthonormality: number } {
  const pa = principalAngles(B, Vpca);
  const deg = Array.from(pa.angles).map((a) => (a * 180) / Math.PI);
  const d = B.shape[1];
  const dev = tf.tidy(() => tf.norm(tf.sub(tf.matMul(B, B, true, false), tf.eye(d))).dataSync()[0]) / Math.sqrt(d);
  return { maxAngleDeg: Math.max(...deg), meanAngleDeg: deg.reduce((s, v) => s + v, 0) / deg.length, nonOrthonormality: dev };
}

function residualEnergy(X: tf.Tensor2D, L: tf.Tensor2D): number {
  return tf.tidy(() => tf.sum(tf.square(tf.sub(X, L))).dataSync()[0]);
}

/**
 * The exact top-d principal subspace: eigenvectors of the D x D covariance (Gram matrix of the centred data,
 * float32 matMul on the backend, Float64 eigensolver). Returns the D x d basis (columns ordered by variance).
 */
export function pcaBasis(X: tf.Tensor2D, d: number): tf.Tensor2D {
  const D = X.shape[1];
  if (!(Number.isInteger(d) && d >= 1 && d <= D)) throw new InputError(`pcaBasis: d must be an integer in [1, ${D}], got ${d}`);
  const { vectors } = symEig64(centredGram64(X), { vectors: true });
  const V = new Float32Array(D * d);
  for (let j = 0; j < d; j++) { // eigenvalues ascending: the top d are the last rows of `vectors`
    const row = D - 1 - j;
    for (let i = 0; i < D; i++) V[i * d + j] = vectors!.data[row * D + i];
  }
  return tf.tensor2d(V, [D, d]);
}

/** Rank-d PCA reconstruction mean + (x - mean) V V^T with the exact basis V (caller disposes). */
export function pcaReconstruct(X: tf.Tensor2D, V: tf.Tensor2D, mean: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.matMul(tf.matMul(tf.sub(X, mean), V), V, false, true), mean)) as tf.Tensor2D;
}

/**
 * Fits the tied and the untied linear autoencoder and the linear factorization (all l2, centred) with code size d
 * on X, and compares each B with the exact PCA subspace (covariance eigenvectors), and the `PCA` model of the
 * library (its default solver for large inputs is a randomized SVD, as scikit-learn's) too.
 */
export async function linearSubspaces(X: tf.Tensor2D, d: number, iterations: number, seed = 0, progress = false): Promise<SubspaceRow[]> {
  let t0 = Date.now();
  const V = pcaBasis(X, d);
  const mean = tf.mean(X, 0, true);
  const Lp = pcaReconstruct(X, V, mean);
  const ePca = residualEnergy(X, Lp);
  Lp.dispose();
  const rows: SubspaceRow[] = [{ model: 'PCA: covariance eigenvectors (exact)', ...basisStats(V, V), errorRatio: 1, seconds: (Date.now() - t0) / 1000 }];
  t0 = Date.now();
  const pca = await new PCA({ nComponents: d, seed }).fit(X);
  const Vt = pca.components;
  const Vm = tf.transpose(Vt) as tf.Tensor2D;
  const { L: Lm, S: Sm } = pca.decompose();
  rows.push({ model: 'PCA model (library default solver)', ...basisStats(Vm, V), errorRatio: residualEnergy(X, Lm) / ePca, seconds: (Date.now() - t0) / 1000 });
  tf.dispose([Vt, Vm, Lm, Sm]); pca.dispose();
  const common = { loss: 'l2' as const, center: true, iterations, seed };
  const models: [string, LinearAutoencoder | LinearFactorization][] = [
    ['linear AE, tied (B B^T x)', new LinearAutoencoder({ ...common, rank: d, tied: true })],
    ['linear AE, untied (B A^T x)', new LinearAutoencoder({ ...common, rank: d, tied: false })],
    ['linear factorization (B z)', new LinearFactorization({ ...common, rank: d })],
  ];
  for (const [name, m] of models) {
    const t1 = Date.now();
    await m.fit(X, { progress });
    const seconds = (Date.now() - t1) / 1000;
    const { L, S } = m.decompose();
    rows.push({ model: name, ...basisStats(m.B, V), errorRatio: residualEnergy(X, L) / ePca, seconds });
    tf.dispose([L, S]);
    m.dispose();
  }
  tf.dispose([V, mean]);
  return rows;
}

export interface DeepRow { model: string; trainMse: number; testMse: number; seconds: number }
export interface DeepComparison { rows: DeepRow[]; examples: { label: string; images: Float32Array }[] }

function mse(A: tf.Tensor2D, B: tf.Tensor2D): number {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(A, B))).dataSync()[0]);
}

/**
 * PCA vs a deep autoencoder vs a deep factorization, all with code size d, trained with the l2 loss on the same
 * images. The deep models are the convolutional networks of Li et al. Tables 3-4 (RDAE / RNLF with `loss: 'l2'`,
 * i.e. the plain, non-robust versions). Held-out images: PCA and the autoencoder map them through the learned
 * encoder; the factorization, which has no encoder, fits their codes with the decoder frozen. Network learning
 * rate 1e-3 (Adam's default; the lecture fixes none; Li et al.'s 1e-4 is for hundreds of epochs), codes 10 (Li et al.).
 */
export async function deepVersusLinear(Xtr: tf.Tensor2D, Xte: tf.Tensor2D, d: number, epochs: number, seed = 0, nExamples = 10, learningRate = 1e-3): Promise<DeepComparison> {
  const rows: DeepRow[] = [];
  const take = (T: tf.Tensor2D) => tf.tidy(() => tf.slice(T, 0, Math.min(nExamples, T.shape[0]))).dataSync() as Float32Array;
  const examples: { label: string; images: Float32Array }[] = [{ label: 'held-out original', images: take(Xte) }];

  let t0 = Date.now();
  const V = pcaBasis(Xtr, d);
  const mean = tf.mean(Xtr, 0, true);
  const Lp = pcaReconstruct(Xtr, V, mean), Tp = pcaReconstruct(Xte, V, mean);
  rows.push({ model: `PCA, d = ${d}`, trainMse: mse(Xtr, Lp), testMse: mse(Xte, Tp), seconds: (Date.now() - t0) / 1000 });
  examples.push({ label: 'PCA', images: take(Tp) });
  tf.dispose([Lp, Tp, V, mean]);

  t0 = Date.now();
  const ae = await new RDAE({ loss: 'l2', codeDim: d, epochs, seed, learningRate }).fit(Xtr, { progress: true, label: 'deep AE' });
  const secAe = (Date.now() - t0) / 1000;
  const { L: La, S: Sa } = ae.decompose();
  const Ta = ae.reconstruct(Xte);
  rows.push({ model: `deep autoencoder (conv, Li et al. Table 3), d = ${d}`, trainMse: mse(Xtr, La), testMse: mse(Xte, Ta), seconds: secAe });
  examples.push({ label: 'deep AE', images: take(Ta) });
  tf.dispose([La, Sa, Ta]); ae.dispose();

  t0 = Date.now();
  const fac = await new RNLF({ loss: 'l2', codeDim: d, epochs, seed, learningRate, transformEpochs: epochs }).fit(Xtr, { progress: true, label: 'deep factorization' });
  const secFac = (Date.now() - t0) / 1000;
  const { L: Lf, S: Sf } = fac.decompose();
  const Tf = await fac.reconstructAsync(Xte);
  rows.push({ model: `deep factorization (conv decoder, Table 4), d = ${d}`, trainMse: mse(Xtr, Lf), testMse: mse(Xte, Tf), seconds: secFac });
  examples.push({ label: 'deep factorization', images: take(Tf) });
  tf.dispose([Lf, Sf, Tf]); fac.dispose();
  return { rows, examples };
}

export interface OutlierRow { model: string; auc: number; precisionAtK: number; meanScoreInliers: number; meanScoreOutliers: number; seconds: number }

/** Per-row reconstruction error ||x - xhat||_2 (the lecture's score, after Lai et al. 2019). */
export function rowErrors(X: tf.Tensor2D, Xhat: tf.Tensor2D): Float32Array {
  return tf.tidy(() => tf.sqrt(tf.sum(tf.square(tf.sub(X, Xhat)), 1))).dataSync() as Float32Array;
}

/**
 * Outlier scores by reconstruction error on images of one digit mixed with a few images of the others (the set of
 * Zhou & Paffenroth Sec. 5.3): PCA and a deep (MLP) autoencoder with code size d, both trained on the mixed set
 * without labels. AUC = P(outlier scores above inlier); precision at k = number of outliers.
 */
export async function reconstructionOutliers(cfg: Sun2020Config): Promise<{ rows: OutlierRow[]; scores: { model: string; score: number; outlier: boolean }[] }> {
  const train = await loadMnist({ split: 'train' });
  const mix = outlierMix({ set: train, inlierClass: cfg.outlier.inlierClass, nInliers: cfg.outlier.nInliers, nOutliers: cfg.outlier.nOutliers, seed: cfg.seed });
  const X = toMatrix(mix.set);
  const truth = mix.isOutlier;
  const rows: OutlierRow[] = [];
  const scores: { model: string; score: number; outlier: boolean }[] = [];
  const record = (model: string, s: Float32Array, seconds: number) => {
    let si = 0, so = 0, ni = 0, no = 0;
    s.forEach((v, i) => { if (truth[i]) { so += v; no++; } else { si += v; ni++; } scores.push({ model, score: v, outlier: truth[i] === 1 }); });
    rows.push({ model, auc: rocAuc(s, truth), precisionAtK: precisionAtK(s, truth), meanScoreInliers: si / ni, meanScoreOutliers: so / no, seconds });
  };
  try {
    let t0 = Date.now();
    const V = pcaBasis(X, cfg.d);
    const mean = tf.mean(X, 0, true);
    const Lp = pcaReconstruct(X, V, mean);
    record(`PCA, d = ${cfg.d}`, rowErrors(X, Lp), (Date.now() - t0) / 1000);
    tf.dispose([Lp, V, mean]);

    t0 = Date.now();
    const ae = await new DeepAutoencoder({ layers: [784, 256, cfg.d], tied: false, epochs: cfg.outlier.epochs, batchSize: 64, shuffle: true, seed: cfg.seed }).fit(X, { progress: true, label: 'deep AE (outliers)' });
    const La = ae.reconstruct(X);
    record(`deep autoencoder 784-256-${cfg.d}, sigmoid`, rowErrors(X, La), (Date.now() - t0) / 1000);
    La.dispose(); ae.dispose();
  } finally {
    X.dispose();
  }
  return { rows, scores };
}

// ---------------------------------------------------------------------------------------------------------------
// The notebook's cells (src/experiment/sweep.ts): the notebook and `npm run sweep` both compute from this list

export const SUN2020_NOTEBOOK = '00-autoencoders-and-factorization';
export const SUN2020_STORE = { file: `${SUN2020_NOTEBOOK}/results.jsonl`, version: 'sun2020-v2' } as const;
/** The notebook's results stores by experiment (one store: the linear models' cell). */
export const SUN2020_STORES = { linear: SUN2020_STORE } as const;

/** Options of the cell listers that do not change a result (so not part of any key). */
export interface CellListOptions {
  /** Print training progress (the notebook passes its own setting; the sweep's default is quiet). */
  progress?: boolean;
}

/** Every stored cell of notebook 00: the linear models' subspaces (one cell). */
export function sun2020Cells(scale: Scale, seed: number, opts: CellListOptions = {}): ComputeCellSpec[] {
  const cfg = sun2020Config(scale, seed);
  return [{
    experiment: 'linear', ...SUN2020_STORE,
    params: { exp: 'linear', n: cfg.n, d: cfg.d, iters: cfg.linearIterations, seed: cfg.seed },
    gflop: (3 * 6 * cfg.n * 784 * cfg.d * cfg.linearIterations) / 1e9, // three linear models, full-batch steps
    compute: async () => {
      const { X } = await mnistMatrix(cfg.n);
      try { return await linearSubspaces(X, cfg.d, cfg.linearIterations, cfg.seed, opts.progress ?? false); } finally { X.dispose(); }
    },
  }];
}
