import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, confusionMatrix, perClassAccuracy } from '../../src/metrics/classification';
import { detectionScores, detectionSweep } from '../../src/metrics/detection';

test('accuracy and confusion matrix (rows = truth)', () => {
  const truth = [0, 0, 1, 1, 2, 2];
  const pred = [0, 1, 1, 1, 2, 0];
  assert.equal(accuracy(pred, truth), 4 / 6);
  assert.deepEqual(confusionMatrix(pred, truth), [[1, 1, 0], [0, 2, 0], [1, 0, 1]]);
  assert.deepEqual(confusionMatrix(pred, truth, 4)[3], [0, 0, 0, 0]);
  assert.deepEqual(perClassAccuracy(pred, truth), [0.5, 1, 0.5]);
  assert.throws(() => accuracy([1], [1, 2]), /1 predictions but 2/);
  assert.throws(() => accuracy([0.5], [1]), /integers/);
  assert.throws(() => confusionMatrix([5], [1], 3), /nClasses/);
});

test('precision / recall / F1 on a hand-counted case', () => {
  const truth = [1, 1, 1, 0, 0, 0, 0, 1];
  const pred = [1, 1, 0, 1, 0, 0, 0, 0];
  const s = detectionScores(pred, truth);
  assert.deepEqual([s.tp, s.fp, s.fn, s.tn], [2, 1, 2, 3]);
  assert.equal(s.precision, 2 / 3);
  assert.equal(s.recall, 0.5);
  assert.ok(Math.abs(s.f1 - (2 * (2 / 3) * 0.5) / (2 / 3 + 0.5)) < 1e-15);
});

test('no predicted positives gives precision 0 and F1 0 (documented convention), booleans accepted', () => {
  const s = detectionScores([false, false, false], [true, false, false]);
  assert.equal(s.precision, 0); assert.equal(s.recall, 0); assert.equal(s.f1, 0); assert.equal(s.predictedPositives, 0);
  const all = detectionScores([1, 1], [1, 1]);
  assert.equal(all.f1, 1);
  assert.throws(() => detectionScores([2], [1]), /0\/1/);
});

test('detectionSweep: threshold 0 means "score not zero", and the best point is found', () => {
  const scores = [0, 0, 0.5, 2, 3, 0.1];
  const truth = [0, 0, 0, 1, 1, 0];
  const { points, best } = detectionSweep(scores, truth);
  const at0 = points.find((p) => p.threshold === 0)!;
  assert.equal(at0.predictedPositives, 4);
  assert.equal(best.f1, 1);
  assert.ok(best.threshold >= 0.5 && best.threshold < 2);
  const custom = detectionSweep(scores, truth, [10]);
  assert.equal(custom.points.length, 1);
  assert.equal(custom.best.predictedPositives, 0);
});
