import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/random';
import { averagePathLength, IsolationForest, percentile } from '../../../src/models/baselines/isolation-forest';

test('c(n) matches Liu et al. eq. 1: 2H(n-1) - 2(n-1)/n with H(i) = ln(i) + Euler gamma; c(2) = 1, c(1) = 0', () => {
  assert.equal(averagePathLength(0), 0);
  assert.equal(averagePathLength(1), 0);
  assert.equal(averagePathLength(2), 1);
  const g = 0.5772156649015329;
  for (const n of [3, 10, 256, 5124]) assert.ok(Math.abs(averagePathLength(n) - (2 * (Math.log(n - 1) + g) - 2 * (n - 1) / n)) < 1e-12);
  // known value: c(256) = 10.2448 (the psi = 256 normaliser)
  assert.ok(Math.abs(averagePathLength(256) - 10.244770920116851) < 1e-9);
  // c(n) approximates the exact average unsuccessful-search path length of a random BST, 2 H_{n-1} - 2(n-1)/n
  const exact = (n: number) => { let h = 0; for (let i = 1; i < n; i++) h += 1 / i; return 2 * h - 2 * (n - 1) / n; };
  assert.ok(Math.abs(averagePathLength(1000) - exact(1000)) < 2e-3);
});

test('percentile = numpy linear interpolation', () => {
  assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
  assert.equal(percentile([5, 1, 3], 100), 5);
  assert.ok(Math.abs(percentile([0, 10], 89) - 8.9) < 1e-12);
});

function blobWithOutliers(seed: number, n: number, d: number, outliers: number[]): number[][] {
  const rng = new Rng(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
  for (const i of outliers) X[i] = X[i].map(() => 8 + rng.normal());
  return X;
}

test('scores separate obvious outliers; every tree uses psi = min(256, n) rows and the height limit', () => {
  const outl = [3, 50, 400, 777];
  const X = blobWithOutliers(1, 1000, 5, outl);
  const iso = new IsolationForest({ seed: 2 }).fit(X);
  assert.equal(iso.psi, 256);
  for (const t of iso.trees) assert.equal(t.size[0], 256);
  const s = iso.scoreSamples(X);
  const inMax = Math.max(...Array.from(s).filter((_, i) => !outl.includes(i)));
  for (const i of outl) assert.ok(s[i] > inMax, `outlier ${i}: ${s[i]} vs max inlier ${inMax}`);
  for (const i of outl) assert.ok(s[i] > 0.6);
  // mean inlier score well below 0.5 (Liu et al.: s << 0.5 for normal points)
  const inMean = Array.from(s).filter((_, i) => !outl.includes(i)).reduce((a, b) => a + b, 0) / 996;
  assert.ok(inMean < 0.5, `mean inlier score ${inMean}`);
  // depth limit ceil(log2 256) = 8: path length <= 8 + c(max leaf size)
  const h = iso.pathLengths(X);
  for (const v of h) assert.ok(v <= 8 + averagePathLength(256));
  // contamination: exactly the top fraction flagged (scores are distinct in practice)
  const pred = iso.predictTrain(4 / 1000);
  const flagged = Array.from(pred).map((b, i) => (b ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(flagged, outl);
  // same seed, same forest
  const s2 = new IsolationForest({ seed: 2 }).fit(X).scoreSamples(X);
  assert.deepEqual(Array.from(s2), Array.from(s));
});

test('a single point in its own region isolates in one split on average (1-d, path length small)', () => {
  const X = [...Array.from({ length: 255 }, (_, i) => [i / 255]), [100]];
  const iso = new IsolationForest({ seed: 0, nEstimators: 200 }).fit(X);
  const h = iso.pathLengths([[100], [0.5]]);
  assert.ok(h[0] < 2, `path of the isolated point ${h[0]}`);
  assert.ok(h[1] > 6, `path of a central point ${h[1]}`);
});

test('IsolationForest rejects bad input', () => {
  assert.throws(() => new IsolationForest({ nEstimators: 0 }), /nEstimators/);
  assert.throws(() => new IsolationForest({ bogus: 1 } as never), /unknown option/);
  assert.throws(() => new IsolationForest().fit([[1, NaN]]), /non-finite/);
  assert.throws(() => new IsolationForest().scoreSamples([[1]]), /fit/);
});
