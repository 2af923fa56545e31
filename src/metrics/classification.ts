/** Classification metrics on integer labels. */
import { tf } from '../backend';
import { InputError, assertInt } from '../validate';

type Labels = Int32Array | number[] | tf.Tensor1D;

function toInts(x: Labels, name: string): Int32Array {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 1) throw new InputError(`${name}: expected a 1-d tensor of labels, got shape [${x.shape}]`);
    return Int32Array.from(x.dataSync());
  }
  if (x == null || typeof x.length !== 'number') throw new InputError(`${name}: expected an array of integer labels`);
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isInteger(v) || v < 0) throw new InputError(`${name}: labels must be integers >= 0, got ${v} at index ${i}`);
    out[i] = v;
  }
  return out;
}

function pair(pred: Labels, truth: Labels, fn: string): [Int32Array, Int32Array] {
  const p = toInts(pred, `${fn}: predicted`), t = toInts(truth, `${fn}: truth`);
  if (p.length !== t.length) throw new InputError(`${fn}: ${p.length} predictions but ${t.length} true labels`);
  if (p.length === 0) throw new InputError(`${fn}: no labels`);
  return [p, t];
}

/** Fraction of predictions equal to the true labels. */
export function accuracy(pred: Labels, truth: Labels): number {
  const [p, t] = pair(pred, truth, 'accuracy');
  let ok = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === t[i]) ok++;
  return ok / p.length;
}

/**
 * Confusion matrix: `matrix[t][p]` counts samples of true class t predicted as p (rows = truth, as
 * scikit-learn). `nClasses` defaults to 1 + the largest label seen.
 */
export function confusionMatrix(pred: Labels, truth: Labels, nClasses?: number): number[][] {
  const [p, t] = pair(pred, truth, 'confusionMatrix');
  let k = nClasses;
  if (k === undefined) { k = 0; for (let i = 0; i < p.length; i++) k = Math.max(k, p[i] + 1, t[i] + 1); }
  assertInt(k, 'confusionMatrix: nClasses');
  const m = Array.from({ length: k }, () => new Array<number>(k!).fill(0));
  for (let i = 0; i < p.length; i++) {
    if (p[i] >= k || t[i] >= k) throw new InputError(`confusionMatrix: label ${Math.max(p[i], t[i])} >= nClasses ${k}`);
    m[t[i]][p[i]]++;
  }
  return m;
}

/** Per-class recall (diagonal over row sums); NaN for classes absent from the truth. */
export function perClassAccuracy(pred: Labels, truth: Labels, nClasses?: number): number[] {
  return confusionMatrix(pred, truth, nClasses).map((row, i) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n ? row[i] / n : NaN;
  });
}
