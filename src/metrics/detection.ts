/**
 * Outlier-detection metrics from predicted and true 0/1 labels (1 = outlier / positive), as Zhou & Paffenroth
 * 2017 Sec. 5.3 report them (precision, recall, F1 of the "row of S is non-zero" rule).
 *
 * Conventions for empty denominators (documented, and the same as scikit-learn's `zero_division=0`):
 * no predicted positives -> precision 0; no true positives in the data -> recall 0; precision + recall = 0 -> F1 0.
 */
import { tf } from '../backend';
import { InputError } from '../validate';

export interface DetectionScores {
  precision: number; recall: number; f1: number;
  tp: number; fp: number; fn: number; tn: number;
  /** Number of predicted positives. */
  predictedPositives: number;
}

type Binary = ArrayLike<number | boolean> | tf.Tensor1D;

function toBits(x: Binary, name: string): Uint8Array {
  const v: ArrayLike<number | boolean> = x instanceof tf.Tensor ? x.dataSync() : x;
  if (v == null || typeof v.length !== 'number') throw new InputError(`${name}: expected an array of 0/1 labels`);
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const b = v[i];
    if (b === true || b === 1) out[i] = 1;
    else if (b === false || b === 0) out[i] = 0;
    else throw new InputError(`${name}: labels must be 0/1 (or booleans), got ${String(b)} at index ${i}`);
  }
  return out;
}

export function detectionScores(predicted: Binary, truth: Binary): DetectionScores {
  const p = toBits(predicted, 'detectionScores: predicted'), t = toBits(truth, 'detectionScores: truth');
  if (p.length !== t.length) throw new InputError(`detectionScores: ${p.length} predictions but ${t.length} true labels`);
  if (p.length === 0) throw new InputError('detectionScores: no labels');
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] && t[i]) tp++; else if (p[i]) fp++; else if (t[i]) fn++; else tn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, tp, fp, fn, tn, predictedPositives: tp + fp };
}

export interface SweepPoint extends DetectionScores { threshold: number }

/**
 * Scores at each threshold: a sample is predicted positive when score > threshold (strictly, so that with
 * scores = row norms of S and threshold 0 the rule is "row of S not all zero"). Default thresholds: 0 and every
 * distinct score (so every achievable operating point appears). Returns the points and the best by F1.
 */
export function detectionSweep(scores: ArrayLike<number> | tf.Tensor1D, truth: Binary, thresholds?: number[]): { points: SweepPoint[]; best: SweepPoint } {
  const s = scores instanceof tf.Tensor ? scores.dataSync() : scores;
  for (let i = 0; i < s.length; i++) if (!Number.isFinite(s[i])) throw new InputError(`detectionSweep: non-finite score at index ${i}`);
  const th = thresholds ?? Array.from(new Set([0, ...Array.from(s)])).sort((a, b) => a - b);
  if (th.length === 0) throw new InputError('detectionSweep: no thresholds');
  const points = th.map((threshold) => {
    const pred = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) pred[i] = s[i] > threshold ? 1 : 0;
    return { threshold, ...detectionScores(pred, truth) };
  });
  let best = points[0];
  for (const q of points) if (q.f1 > best.f1) best = q;
  return { points, best };
}
