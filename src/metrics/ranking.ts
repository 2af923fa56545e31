/**
 * Ranking quality of outlier scores (higher score = more anomalous): ROC AUC and precision at k.
 * AUC is the Mann-Whitney statistic: the probability that a random outlier scores above a random inlier (ties
 * count one half), computed from ranks in O(n log n).
 */
import { InputError } from '../validate';

function check(scores: ArrayLike<number>, truth: ArrayLike<number>, who: string): void {
  if (scores.length !== truth.length) throw new InputError(`${who}: ${scores.length} scores but ${truth.length} labels`);
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new InputError(`${who}: score ${i} is ${scores[i]}`);
    if (truth[i] !== 0 && truth[i] !== 1) throw new InputError(`${who}: labels must be 0/1, got ${truth[i]} at ${i}`);
  }
}

/** ROC AUC of `scores` for the 0/1 labels `truth` (1 = outlier). */
export function rocAuc(scores: ArrayLike<number>, truth: ArrayLike<number>): number {
  check(scores, truth, 'rocAuc');
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const r = (i + j) / 2 + 1; // average rank of a tie block
    for (let k = i; k <= j; k++) ranks[idx[k]] = r;
    i = j + 1;
  }
  let pos = 0, sumPos = 0;
  for (let i = 0; i < n; i++) if (truth[i] === 1) { pos++; sumPos += ranks[i]; }
  const neg = n - pos;
  if (pos === 0 || neg === 0) throw new InputError('rocAuc: needs at least one outlier and one inlier');
  return (sumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Fraction of true outliers among the k highest scores (k defaults to the number of outliers: R-precision). */
export function precisionAtK(scores: ArrayLike<number>, truth: ArrayLike<number>, k?: number): number {
  check(scores, truth, 'precisionAtK');
  let pos = 0;
  for (let i = 0; i < truth.length; i++) pos += truth[i];
  const kk = k ?? pos;
  if (!(kk >= 1 && kk <= scores.length)) throw new InputError(`precisionAtK: k must be in [1, ${scores.length}], got ${kk}`);
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let hits = 0;
  for (let i = 0; i < kk; i++) hits += truth[idx[i]];
  return hits / kk;
}

/**
 * Points of the ROC and precision-recall curves: one per distinct score, taken in decreasing order, a row being
 * called positive when its score >= that score (scikit-learn's roc_curve without drop_intermediate and its
 * precision_recall_curve, read from the highest threshold down). The ROC curve starts at (0, 0) (threshold
 * +Infinity) and ends at (1, 1); tied scores move both rates in one step (a diagonal segment).
 */
export interface RankingCurves {
  thresholds: number[];
  fpr: number[];
  tpr: number[];
  /** precision[k] and recall[k] at thresholds[k] (precision is undefined at +Infinity: index 0 holds 1, recall 0). */
  precision: number[];
  recall: number[];
}

export function rankingCurves(scores: ArrayLike<number>, truth: ArrayLike<number>): RankingCurves {
  check(scores, truth, 'rankingCurves');
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let pos = 0;
  for (let i = 0; i < n; i++) pos += truth[i];
  const neg = n - pos;
  if (pos === 0 || neg === 0) throw new InputError('rankingCurves: needs at least one outlier and one inlier');
  const out: RankingCurves = { thresholds: [Infinity], fpr: [0], tpr: [0], precision: [1], recall: [0] };
  let tp = 0, fp = 0;
  for (let i = 0; i < n;) {
    const s = scores[idx[i]];
    while (i < n && scores[idx[i]] === s) { if (truth[idx[i]] === 1) tp++; else fp++; i++; }
    out.thresholds.push(s); out.fpr.push(fp / neg); out.tpr.push(tp / pos);
    out.precision.push(tp / (tp + fp)); out.recall.push(tp / pos);
  }
  return out;
}

/** Area under a piecewise-linear curve through (x[i], y[i]) (trapezoidal rule; x in the given order). */
export function trapezoid(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new InputError(`trapezoid: ${x.length} x values but ${y.length} y values`);
  let a = 0;
  for (let i = 1; i < x.length; i++) a += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return a;
}

/**
 * Average precision, the area under the precision-recall step curve: sum_k (R_k - R_{k-1}) P_k over the distinct
 * thresholds (scikit-learn's average_precision_score; no interpolation, so it is not the trapezoid of the curve).
 */
export function averagePrecision(scores: ArrayLike<number>, truth: ArrayLike<number>): number {
  const c = rankingCurves(scores, truth);
  let ap = 0;
  for (let k = 1; k < c.recall.length; k++) ap += (c.recall[k] - c.recall[k - 1]) * c.precision[k];
  return ap;
}
