/**
 * One interface for everything that scores outliers (PyOD's BaseDetector in spirit: `decision_scores_` on the
 * training rows, `threshold_` from a contamination fraction, `decision_function(X)` and `predict(X)` on new rows).
 *
 *   interface OutlierDetector {
 *     decisionFunction(X)  // score per row of X, new rows included; higher = more outlying
 *     threshold            // a row is an outlier when its score > threshold (strictly)
 *     contamination?       // set when the threshold was chosen to flag this fraction of the training rows
 *     predict(X)           // 1 = outlier
 *     trainingScores       // decisionFunction of the training rows (PyOD's decision_scores_)
 *     trainingLabels       // predict of the training rows (PyOD's labels_)
 *   }
 *
 * Scores are Float64Array (lossless for the RDA's float32 norms and for Isolation Forest's float64 scores). Input X:
 * a tf.Tensor2D, an array of rows or { data, rows, cols }, finite, with the fitted number of columns (else InputError).
 *
 * Implementations (a detector is a view on a fitted model; it holds no tensors and throws once the model is refit
 * or disposed, where the model lets it tell: RDA and Isolation Forest):
 *
 *   rda.asDetector()                            l2,1 (rows) RDA, Zhou & Paffenroth 2017 (src/models/rda.ts)
 *   isolationForestDetector(iso)                Isolation Forest, Liu et al. 2008: score = s(x) in (0, 1]
 *   reconstructionErrorDetector(model, Xtrain)  any model with reconstruct(X): score = ||x - model(x)||_2
 *
 * Inductive scoring with the l2,1 RDA (our extension: the authors only score the rows they trained on, a row of S
 * that is not all zero being an outlier). The score of a new row follows the model's own objective. The fitted RDA
 * solves min ||L - D(E(L))||_F^2 + lambda sum_i ||S_i||_2 s.t. X = L + S by alternating L = D(E(X - S)) and
 * S = prox(X - L), whose l2,1 (rows) prox keeps a row (shrunk) iff its residual norm exceeds the threshold t and
 * zeroes it otherwise. For a new row x we take one step of that algorithm with the weights frozen and S started at
 * 0 (as the solver starts): L = D(E(x)), S = prox_t(x - L), so
 *
 *   score(x) = ||x - D(E(x))||_2        (exactly the row norm the prox thresholds)
 *   threshold = t, the fitted prox threshold in the units of the fit (under 'code-l21-n' t = lam * N_train: N is
 *               the size of the TRAINING set, a property of the fitted model, not recomputed for a new batch)
 *   predict(x) = 1  <=>  score > t  <=>  the row of S that the model's prox would give x is not all zero.
 *
 * On a training row whose S row was zero in the previous outer iteration, the last prox step saw exactly
 * x - D(E(x)) with the same weights, so the prediction equals the fitted S's row support (up to float32 rounding of
 * a score within a few ulps of t). On a row whose previous S row was non-zero the last prox saw x - D(E(x - s)),
 * a different input to the network, and the two may differ: that is the price of scoring a new row without the S
 * the fit learned for it. `asDetector({ contamination })` instead sets the threshold at the (1 - c) quantile of
 * the training scores (numpy's linear interpolation, as PyOD), flagging ~c of the training rows.
 */
import { tf } from '../backend';
import { assertFinite, assertMatrix, InputError } from '../validate';
import type { IsolationForest } from './baselines/isolation-forest';

/** numpy.percentile with linear interpolation (q in [0, 100]). */
export function percentile(values: ArrayLike<number>, q: number): number {
  const a = Float64Array.from(values).sort();
  if (a.length === 0) throw new InputError('percentile: no values');
  const pos = (q / 100) * (a.length - 1), lo = Math.floor(pos), hi = Math.ceil(pos);
  return a[lo] + (a[hi] - a[lo]) * (pos - lo);
}

/** Rows of a matrix: a tf.Tensor2D, an array of rows, or { data (row-major), rows, cols }. */
export type DetectorInput = tf.Tensor2D | number[][] | { data: ArrayLike<number>; rows: number; cols: number };

export interface OutlierDetector {
  /** What scores (e.g. 'l2,1 RDA', 'Isolation Forest'). */
  readonly name: string;
  /** Number of columns the model was fitted on. */
  readonly nFeatures: number;
  /** Outlier score per row of X (higher = more outlying). Works on rows the model never saw. */
  decisionFunction(X: DetectorInput): Float64Array;
  /** A row is predicted an outlier when its score is strictly above this. */
  readonly threshold: number;
  /** The fraction of training rows the threshold was chosen to flag (undefined when the model fixes it). */
  readonly contamination?: number;
  /** 1 = outlier (score > threshold), 0 = inlier. */
  predict(X: DetectorInput): Uint8Array;
  /** decisionFunction on the training rows (PyOD's decision_scores_). */
  readonly trainingScores: Float64Array;
  /** predict on the training rows (PyOD's labels_). */
  readonly trainingLabels: Uint8Array;
}

/** The contamination fraction must lie in (0, 1) (PyOD allows (0, 0.5]; Zhou & Paffenroth sweep up to 0.69). */
export function checkContamination(c: unknown, who: string): asserts c is number {
  if (typeof c !== 'number' || !Number.isFinite(c) || c <= 0 || c >= 1) throw new InputError(`${who}: contamination must be a number in (0, 1), got ${String(c)}`);
}

/**
 * Threshold that flags the top `contamination` fraction of the training scores: the (1 - c) quantile with numpy's
 * linear interpolation (PyOD's threshold_). With n distinct scores, `score > threshold` flags exactly
 * n - 1 - floor((1 - c)(n - 1)) rows, within one row of c * n.
 */
export function contaminationThreshold(trainingScores: ArrayLike<number>, contamination: number): number {
  checkContamination(contamination, 'contaminationThreshold');
  if (trainingScores.length === 0) throw new InputError('contaminationThreshold: no training scores');
  assertFinite(trainingScores, 'contaminationThreshold: training scores');
  return percentile(trainingScores, 100 * (1 - contamination));
}

/** 1 where score > threshold. */
export function labelsOf(scores: ArrayLike<number>, threshold: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] > threshold ? 1 : 0;
  return out;
}

/** Validates detector input (a matrix of finite values with `cols` columns) and returns it as a tensor + ownership. */
export function inputTensor(X: DetectorInput, cols: number, who: string): { T: tf.Tensor2D; owned: boolean } {
  if (X instanceof tf.Tensor) {
    assertMatrix(X, `${who}: X`, { cols });
    return { T: X, owned: false };
  }
  const { data, n, d } = inputRows(X, cols, who);
  return { T: tf.tensor2d(data, [n, d]), owned: true };
}

/** Validates detector input and returns its rows as a row-major Float32Array. */
export function inputRows(X: DetectorInput, cols: number, who: string): { data: Float32Array; n: number; d: number } {
  let data: Float32Array, n: number, d: number;
  if (X instanceof tf.Tensor) {
    assertMatrix(X, `${who}: X`, { cols });
    const v = X.dataSync();
    return { data: v instanceof Float32Array ? v : Float32Array.from(v), n: X.shape[0], d: X.shape[1] };
  }
  if (Array.isArray(X)) {
    n = X.length; d = n && Array.isArray(X[0]) ? X[0].length : 0;
    data = new Float32Array(n * d);
    X.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== d) throw new InputError(`${who}: X row ${i} has ${Array.isArray(r) ? r.length : 'no'} entries, expected ${d}`);
      data.set(r, i * d);
    });
  } else if (X && typeof X === 'object' && 'data' in X && X.data && typeof X.data.length === 'number') {
    n = X.rows; d = X.cols;
    if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 0) throw new InputError(`${who}: X.rows and X.cols must be non-negative integers, got ${n} x ${d}`);
    if (X.data.length !== n * d) throw new InputError(`${who}: X.data has ${X.data.length} entries, expected rows * cols = ${n * d}`);
    data = X.data instanceof Float32Array ? X.data : Float32Array.from(X.data);
  } else {
    throw new InputError(`${who}: X must be a tf.Tensor2D, an array of rows or { data, rows, cols }, got ${X === null ? 'null' : typeof X}`);
  }
  if (n === 0 || d === 0) throw new InputError(`${who}: X is empty (${n} x ${d})`);
  if (d !== cols) throw new InputError(`${who}: X has ${d} columns, the model was fitted on ${cols}`);
  assertFinite(data, `${who}: X`);
  return { data, n, d };
}

export interface DetectorThresholdOptions {
  /** Fixed threshold (score > threshold = outlier). */
  threshold?: number;
  /** Set the threshold to flag this fraction of the training rows instead (in (0, 1)). */
  contamination?: number;
}

/**
 * A detector from a scoring function and the training scores; `isCurrent` says whether the model it views is still
 * the one it was made from (false after a refit or dispose: every call then throws).
 */
export class ScoreDetector implements OutlierDetector {
  readonly threshold: number;
  readonly contamination?: number;
  readonly trainingLabels: Uint8Array;

  constructor(
    readonly name: string,
    readonly nFeatures: number,
    private readonly score: (X: DetectorInput) => Float64Array,
    readonly trainingScores: Float64Array,
    opts: DetectorThresholdOptions & { defaultThreshold?: number },
    private readonly isCurrent: () => boolean = () => true,
  ) {
    if (opts.threshold !== undefined && opts.contamination !== undefined) throw new InputError(`${name} detector: give threshold or contamination, not both`);
    assertFinite(trainingScores, `${name} detector: training scores`);
    if (opts.contamination !== undefined) {
      checkContamination(opts.contamination, `${name} detector`);
      this.contamination = opts.contamination;
      this.threshold = contaminationThreshold(trainingScores, opts.contamination);
    } else {
      const t = opts.threshold ?? opts.defaultThreshold;
      if (typeof t !== 'number' || Number.isNaN(t)) throw new InputError(`${name} detector: give a threshold (a number) or a contamination fraction`);
      this.threshold = t;
    }
    this.trainingLabels = labelsOf(trainingScores, this.threshold);
  }

  private check(method: string): void {
    if (!this.isCurrent()) throw new InputError(`${this.name} detector.${method}: the model was refit or disposed after this detector was made; make a new detector`);
  }

  decisionFunction(X: DetectorInput): Float64Array {
    this.check('decisionFunction');
    return this.score(X);
  }

  predict(X: DetectorInput): Uint8Array {
    this.check('predict');
    return labelsOf(this.score(X), this.threshold);
  }
}

/** Row-wise ||x - reconstruct(x)||_2 of X through `reconstruct` (float32 on the backend, returned as float64). */
export function residualRowNorms(reconstruct: (X: tf.Tensor2D) => tf.Tensor2D, X: tf.Tensor2D): Float64Array {
  const t = tf.tidy(() => tf.sqrt(tf.sum(tf.square(tf.sub(X, reconstruct(X))), 1)));
  try { return Float64Array.from(t.dataSync()); } finally { t.dispose(); }
}

/** Anything that maps rows back to data space (an autoencoder, PCA, the RDA, ...). */
export interface ReconstructingModel { readonly fitted: boolean; reconstruct(X: tf.Tensor2D): tf.Tensor2D }

/**
 * Reconstruction-error detector on any fitted model with `reconstruct`: score = ||x - model.reconstruct(x)||_2.
 * The threshold is fixed (`threshold`) or set by `contamination` on the training rows Xtrain (default 0.1, PyOD's).
 */
export function reconstructionErrorDetector(model: ReconstructingModel, Xtrain: tf.Tensor2D, opts: DetectorThresholdOptions & { name?: string; defaultThreshold?: number; isCurrent?: () => boolean } = {}): ScoreDetector {
  const name = opts.name ?? 'reconstruction error';
  if (!model || typeof model.reconstruct !== 'function') throw new InputError(`${name} detector: the model must have reconstruct(X)`);
  if (!model.fitted) throw new InputError(`${name} detector: call fit() first`);
  assertMatrix(Xtrain, `${name} detector: Xtrain`);
  const d = Xtrain.shape[1];
  const live = opts.isCurrent ?? (() => model.fitted);
  const score = (X: DetectorInput): Float64Array => {
    const { T, owned } = inputTensor(X, d, `${name} detector`);
    try { return residualRowNorms((A) => model.reconstruct(A), T); } finally { if (owned) T.dispose(); }
  };
  const hasFixed = opts.threshold !== undefined || opts.defaultThreshold !== undefined;
  const contamination = opts.contamination ?? (hasFixed ? undefined : 0.1);
  return new ScoreDetector(name, d, score, residualRowNorms((A) => model.reconstruct(A), Xtrain),
    { threshold: opts.threshold, contamination, defaultThreshold: opts.defaultThreshold }, live);
}

/**
 * Isolation Forest as a detector: score = Liu et al.'s s(x) = 2^(-E[h(x)] / c(psi)) in (0, 1]; threshold by
 * contamination on the training scores (default: the forest's own `contamination` option). Note the rule here is
 * the interface's `score > threshold`; the forest's own `predict(X, c)` keeps scikit-learn 0.18's `>=` (the two
 * differ only for a score exactly equal to the threshold).
 */
export function isolationForestDetector(iso: IsolationForest, opts: DetectorThresholdOptions = {}): ScoreDetector {
  if (!iso || typeof iso !== 'object' || typeof iso.scoreSamples !== 'function' || !Array.isArray(iso.trees)) throw new InputError('isolationForestDetector: expected an IsolationForest');
  if (!iso.fitted) throw new InputError('IsolationForest.asDetector: call fit() first');
  const trees = iso.trees, d = iso.nFeatures;
  const score = (X: DetectorInput): Float64Array => {
    const { data, n } = inputRows(X, d, 'Isolation Forest detector');
    return Float64Array.from(iso.scoreSamples({ data, rows: n, cols: d }));
  };
  const contamination = opts.threshold === undefined ? opts.contamination ?? iso.params.contamination : opts.contamination;
  return new ScoreDetector('Isolation Forest', d, score, Float64Array.from(iso.trainScores), { threshold: opts.threshold, contamination }, () => iso.trees === trees && iso.fitted);
}
