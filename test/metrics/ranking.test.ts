import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rocAuc, precisionAtK } from '../../src/metrics/ranking';
import { Rng } from '../../src/random';

/** Brute force: P(score_outlier > score_inlier) + 0.5 P(tie), over all pairs. */
function aucPairs(s: number[], y: number[]): number {
  let num = 0, den = 0;
  for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) {
    if (y[i] === 1 && y[j] === 0) { den++; num += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0; }
  }
  return num / den;
}

test('rocAuc equals the pairwise definition, with ties', () => {
  const r = new Rng(5);
  for (let t = 0; t < 20; t++) {
    const n = 40;
    const y = Array.from({ length: n }, () => (r.uniform() < 0.3 ? 1 : 0));
    y[0] = 1; y[1] = 0;
    const s = Array.from({ length: n }, (_, i) => Math.round((r.normal() + y[i]) * 2) / 2); // coarse: many ties
    assert.ok(Math.abs(rocAuc(s, y) - aucPairs(s, y)) < 1e-12);
  }
  assert.equal(rocAuc([1, 2, 3, 4], [0, 0, 1, 1]), 1);
  assert.equal(rocAuc([4, 3, 2, 1], [0, 0, 1, 1]), 0);
  assert.equal(rocAuc([1, 1, 1, 1], [0, 1, 0, 1]), 0.5);
});

test('precisionAtK and bad input', () => {
  assert.equal(precisionAtK([0.9, 0.1, 0.8, 0.2], [1, 0, 0, 1]), 0.5);
  assert.equal(precisionAtK([0.9, 0.1, 0.8, 0.2], [1, 0, 0, 1], 1), 1);
  assert.throws(() => rocAuc([1, 2], [1, 1]), /at least one outlier and one inlier/);
  assert.throws(() => rocAuc([1, NaN], [1, 0]), /score 1 is NaN/);
  assert.throws(() => rocAuc([1, 2], [1, 2]), /labels must be 0\/1/);
  assert.throws(() => precisionAtK([1], [1, 0]), /1 scores but 2 labels/);
});
