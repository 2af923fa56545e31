/**
 * Reading a trained Dai et al. VAE / AE ("Hidden Talents of the Variational Autoencoder", Sec. 5.2-5.3):
 *
 * - `w1ColumnNorms`: ||w_.j||_2 for every latent dimension j, where W1 is the first decoder layer
 *   h1 = W1 z + b1 (eq. 21). Our layers compute x W (W is [in, out]), so the paper's column j is row j here.
 * - `countNonzeroColumns`: columns with norm >= thr = 0.05 x max_j ||w_.j|| (the paper's threshold, Sec. 5.2).
 * - `sigmaZStats`: the diagonal of Sigma_z^(i) over all samples: per-dimension means (Figure 4), a log-count
 *   histogram over [0, 1] (Figure 3), and the fractions near 0 (used dimensions) and near 1 (unused).
 */
import { tf } from '../backend';
import { InputError } from '../validate';

/** Paper's relative threshold for a "zero" column of W1 (Sec. 5.2). */
export const W1_ZERO_THRESHOLD = 0.05;

/** Euclidean norm of each latent dimension's weights in W1 ([latentDim, width] here). */
export function w1ColumnNorms(W1: tf.Tensor2D | { firstDecoderWeights: tf.Tensor }): number[] {
  const W = (W1 instanceof tf.Tensor ? W1 : W1.firstDecoderWeights) as tf.Tensor2D;
  if (W.rank !== 2) throw new InputError(`w1ColumnNorms: expected a matrix, got shape [${W.shape}]`);
  const norms = tf.tidy(() => tf.sqrt(tf.sum(tf.square(W), 1)));
  const out = Array.from(norms.dataSync() as Float32Array, Number);
  norms.dispose();
  return out;
}

/** Number of norms >= rel x max (paper: rel = 0.05). */
export function countNonzeroColumns(norms: number[], rel = W1_ZERO_THRESHOLD): number {
  if (!norms.length) return 0;
  const thr = rel * Math.max(...norms);
  return norms.filter((v) => v >= thr).length;
}

export interface SigmaZStats {
  /** Mean of [Sigma_z]_jj over samples, per latent dimension j (Figure 4 sorts these). */
  meanPerDim: number[];
  /** Histogram of all diagonal entries: `bins` equal bins on [0, range] (default 1.2); larger values are counted in the last bin. */
  edges: number[];
  counts: number[];
  /** Largest entry. */
  max: number;
  /** Fraction of entries < nearZero (default 0.05). */
  fracNearZero: number;
  /** Fraction of entries > nearOne (default 0.5; unused dimensions sit at ~1). */
  fracNearOne: number;
  /** Number of dimensions whose mean variance is < nearZero (the "used" dimensions). */
  usedDims: number;
  n: number; kappa: number;
}

/** Statistics of the diagonal of Sigma_z (an n x kappa matrix of variances). */
export function sigmaZStats(variance: tf.Tensor2D, opts: { bins?: number; range?: number; nearZero?: number; nearOne?: number } = {}): SigmaZStats {
  if (variance.rank !== 2) throw new InputError(`sigmaZStats: expected n x kappa variances, got shape [${variance.shape}]`);
  const bins = opts.bins ?? 24, nz = opts.nearZero ?? 0.05, no = opts.nearOne ?? 0.5, range = opts.range ?? 1.2;
  const [n, k] = variance.shape;
  const v = variance.dataSync();
  const meanPerDim = new Array(k).fill(0);
  let max = -Infinity, c0 = 0, c1 = 0;
  for (let i = 0; i < v.length; i++) {
    meanPerDim[i % k] += v[i] / n;
    if (v[i] > max) max = v[i];
    if (v[i] < nz) c0++;
    if (v[i] > no) c1++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, b) => (range * b) / bins);
  const counts = new Array(bins).fill(0);
  for (let i = 0; i < v.length; i++) counts[Math.max(0, Math.min(bins - 1, Math.floor((v[i] / range) * bins)))]++;
  return { meanPerDim, edges, counts, max, fracNearZero: c0 / v.length, fracNearOne: c1 / v.length, usedDims: meanPerDim.filter((m) => m < nz).length, n, kappa: k };
}
