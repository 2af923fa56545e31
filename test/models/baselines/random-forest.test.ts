import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/random';
import { RandomForestClassifier } from '../../../src/models/baselines/random-forest';
import { toColumns, sortRowsByColumn, orderedBits } from '../../../src/models/baselines/tree';

test('orderedBits preserves the order of float32 values (negatives, zero, positives)', () => {
  const v = [-1e30, -3.5, -1, -1e-20, 0, -0, 1e-20, 0.5, 1, 7, 1e30].map(Math.fround);
  for (let i = 0; i + 1 < v.length; i++) assert.ok(orderedBits(v[i]) <= orderedBits(v[i + 1]), `${v[i]} vs ${v[i + 1]}`);
});

test('sortRowsByColumn sorts a subset of rows by value exactly', () => {
  const rng = new Rng(1);
  const X = Array.from({ length: 300 }, () => [rng.normal(), Math.round(rng.normal() * 3)]);
  const cm = toColumns(X);
  const rows = Int32Array.from({ length: 120 }, (_, i) => 2 * i + 7);
  const keys = new Float64Array(300), sr = new Int32Array(300), sv = new Float32Array(300);
  for (const f of [0, 1]) {
    sortRowsByColumn(cm, f, rows, 10, 110, keys, sr, sv);
    const want = Array.from(rows.subarray(10, 110)).sort((a, b) => Math.fround(X[a][f]) - Math.fround(X[b][f]) || a - b);
    assert.deepEqual(Array.from(sr.subarray(0, 100)), want);
  }
});

test('a single unbounded CART tree fits the training data exactly (distinct rows) and splits are Gini-optimal at the root', () => {
  const rng = new Rng(2);
  const X = Array.from({ length: 200 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const y = X.map((r) => (r[0] + 0.3 * r[1] > 0 ? 1 : 0));
  const rf = new RandomForestClassifier({ nEstimators: 1, bootstrap: false, maxFeatures: 'all', seed: 1 }).fit(X, y);
  assert.equal(rf.score(X, y), 1);
  // brute-force root split: minimum weighted Gini over all features and midpoints
  const gini = (ys: number[]) => { if (!ys.length) return 0; const p = ys.filter((v) => v === 1).length / ys.length; return 1 - p * p - (1 - p) * (1 - p); };
  let best = Infinity;
  for (let f = 0; f < 3; f++) {
    const vals = Array.from(new Set(X.map((r) => Math.fround(r[f])))).sort((a, b) => a - b);
    for (let k = 0; k + 1 < vals.length; k++) {
      const t = (vals[k] + vals[k + 1]) / 2;
      const L = y.filter((_, i) => Math.fround(X[i][f]) <= t), R = y.filter((_, i) => Math.fround(X[i][f]) > t);
      best = Math.min(best, (L.length * gini(L) + R.length * gini(R)) / y.length);
    }
  }
  const t = rf.trees[0];
  const f0 = t.feature[0], thr = t.threshold[0];
  const L = y.filter((_, i) => Math.fround(X[i][f0]) <= thr), R = y.filter((_, i) => Math.fround(X[i][f0]) > thr);
  const got = (L.length * gini(L) + R.length * gini(R)) / y.length;
  assert.ok(Math.abs(got - best) < 1e-9, `root split Gini ${got} vs brute force ${best}`);
});

test('forest accuracy on an easy task (three Gaussian classes) and better than chance on held-out data', () => {
  const rng = new Rng(3);
  const mk = (n: number) => {
    const X: number[][] = [], y: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = i % 3; y.push(c);
      X.push(Array.from({ length: 16 }, (_, j) => rng.normal() + (j < 4 ? 2.5 * (c === j % 3 ? 1 : 0) : 0)));
    }
    return { X, y };
  };
  const tr = mk(600), te = mk(300);
  const rf = new RandomForestClassifier({ nEstimators: 50, seed: 0 }).fit(tr.X, tr.y);
  assert.equal(rf.trees.length, 50);
  const acc = rf.score(te.X, te.y);
  assert.ok(acc > 0.85, `accuracy ${acc}`);
  const P = rf.predictProba(te.X);
  for (let i = 0; i < 300; i++) assert.ok(Math.abs(P[3 * i] + P[3 * i + 1] + P[3 * i + 2] - 1) < 1e-9);
  // deterministic for a seed
  const again = new RandomForestClassifier({ nEstimators: 50, seed: 0 }).fit(tr.X, tr.y);
  assert.deepEqual(Array.from(again.predict(te.X)), Array.from(rf.predict(te.X)));
});

test('RandomForestClassifier rejects bad input', () => {
  assert.throws(() => new RandomForestClassifier({ nEstimators: 0 }), /nEstimators/);
  assert.throws(() => new RandomForestClassifier().fit([[1], [2]], [0]), /labels/);
  assert.throws(() => new RandomForestClassifier().fit([[1], [2]], [0, 0.5]), /integers/);
  assert.throws(() => new RandomForestClassifier().predict([[1]]), /fit/);
});
