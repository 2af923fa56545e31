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
