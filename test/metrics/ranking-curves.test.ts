// ROC / precision-recall curves and average precision (src/metrics/ranking.ts) on hand-computed examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankingCurves, trapezoid, averagePrecision, rocAuc } from '../../src/metrics/ranking';
import { Rng } from '../../src/random';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('curves on a tied example (computed by hand): points per distinct score, AUC = Mann-Whitney, AP', () => {
  const y = [1, 0, 1, 0, 0, 1, 0, 0], s = [0.9, 0.9, 0.7, 0.5, 0.5, 0.5, 0.2, 0.1];
  const c = rankingCurves(s, y);
  assert.deepEqual(c.thresholds, [Infinity, 0.9, 0.7, 0.5, 0.2, 0.1]);
  assert.deepEqual(c.fpr, [0, 0.2, 0.2, 0.6, 0.8, 1]);
  assert.deepEqual(c.tpr, [0, 1 / 3, 2 / 3, 1, 1, 1]);
  assert.deepEqual(c.precision, [1, 0.5, 2 / 3, 0.5, 3 / 7, 3 / 8]);
  assert.deepEqual(c.recall, [0, 1 / 3, 2 / 3, 1, 1, 1]);
  close(trapezoid(c.fpr, c.tpr), 11.5 / 15);
  close(rocAuc(s, y), 11.5 / 15);
  // AP = 1/3 * 1/2 + 1/3 * 2/3 + 1/3 * 1/2 = 10/18
  close(averagePrecision(s, y), 10 / 18);
  // scikit-learn's documented example: average_precision_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.8333, AUC 0.75
  close(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 5 / 6);
  const c2 = rankingCurves([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
  close(trapezoid(c2.fpr, c2.tpr), 0.75);
});

test('trapezoid of the ROC curve equals rocAuc on random tied scores; perfect ranking gives 1 and 1', () => {
  const r = new Rng(3);
  for (let t = 0; t < 20; t++) {
    const n = 60;
    const y = Array.from({ length: n }, (_, i) => (i < 2 ? i : r.uniform() < 0.2 ? 1 : 0));
    const s = Array.from({ length: n }, () => Math.round(r.uniform() * 10) / 10);
    const c = rankingCurves(s, y);
    close(trapezoid(c.fpr, c.tpr), rocAuc(s, y), 1e-12);
    assert.equal(c.fpr[c.fpr.length - 1], 1); assert.equal(c.tpr[c.tpr.length - 1], 1);
    const ap = averagePrecision(s, y);
    assert.ok(ap > 0 && ap <= 1);
  }
  assert.equal(averagePrecision([3, 2, 1, 0], [1, 1, 0, 0]), 1);
  assert.equal(rocAuc([3, 2, 1, 0], [1, 1, 0, 0]), 1);
});

test('curves: clear errors on bad input', () => {
  assert.throws(() => rankingCurves([1, 2], [1, 1]), /at least one outlier and one inlier/);
  assert.throws(() => rankingCurves([1, NaN], [1, 0]), /score 1 is NaN/);
  assert.throws(() => averagePrecision([1, 2, 3], [1, 0]), /3 scores but 2 labels/);
  assert.throws(() => trapezoid([0, 1], [0]), /2 x values but 1 y values/);
});
