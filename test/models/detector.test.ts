// The outlier-detector interface (src/models/detector.ts): the l2,1 RDA's inductive score, Isolation Forest and the
// reconstruction-error detector; thresholds from the fitted lambda or from contamination; bad input; no leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { RobustDeepAutoencoder } from '../../src/models/rda';
import { IsolationForest } from '../../src/models/baselines/isolation-forest';
import { PCA } from '../../src/models/pca';
import { contaminationThreshold, isolationForestDetector, reconstructionErrorDetector, type OutlierDetector } from '../../src/models/detector';
import { manifoldData } from './helpers';

const ready = initBackend();
const EPS32 = 2 ** -24;

/** Manifold rows with uniform-noise rows at `outIdx`. */
function mix(seed: number, n: number, d: number, outIdx: number[]): tf.Tensor2D {
  const rng = new Rng(seed + 100);
  const inl = manifoldData(seed, n, d);
  const mask = new Float32Array(n); for (const i of outIdx) mask[i] = 1;
  const X = tf.tidy(() => {
    const m = tf.tensor2d(mask, [n, 1]);
    return tf.add(tf.mul(inl, tf.sub(1, m)), tf.mul(tf.tensor2d(rng.uniformArray(n * d), [n, d]), m)) as tf.Tensor2D;
  });
  inl.dispose();
  return X;
}

/** Float64 row norms of X - R from the tensors' float32 values. */
function normsF64(X: tf.Tensor2D, R: tf.Tensor2D): Float64Array {
  const [n, d] = X.shape, x = X.dataSync(), r = R.dataSync(), out = new Float64Array(n);
  for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < d; j++) { const v = x[i * d + j] - r[i * d + j]; s += v * v; } out[i] = Math.sqrt(s); }
  return out;
}

test('l2,1 RDA detector: score = ||x - D(E(x))||_2, threshold = fitted lambda, agrees with the fitted S; contamination; no leaks', async () => {
  await ready;
  const n = 200, d = 30, outer = 6;
  const outIdx = [5, 40, 77, 123, 190];
  // 260 rows from one manifold (noise rows at outIdx and at 203, 230): 200 to fit, 60 new ones
  const all = mix(7, n + 60, d, [...outIdx, n + 3, n + 30]);
  const [X, Xnew] = tf.split(all, [n, 60], 0) as [tf.Tensor2D, tf.Tensor2D];
  all.dispose();
  const before = tf.memory().numTensors;
  const rda = new RobustDeepAutoencoder({ layers: [d, 12, 4], penalty: 'l21-rows', lambda: 1.0, outer, innerEpochs: 10, batchSize: 40, learningRate: 3e-2, seed: 1, stopRule: 'none' });
  let Sprev: Float32Array | null = null;
  await rda.fit(X, { progress: false, onOuter: (r, st) => { if (r.iter === outer - 1) Sprev = st!.S.dataSync().slice() as Float32Array; } });
  const det: OutlierDetector = rda.asDetector();
  assert.equal(det.name, 'l2,1 RDA');
  assert.equal(det.threshold, rda.threshold);
  assert.equal(det.threshold, 1.0); // 'paper' convention: t = lambda
  assert.equal(det.contamination, undefined);
  assert.equal(det.nFeatures, d);

  // 1. The score is the residual norm through the fitted map, on training and on new rows. Both sides use the same
  // float32 reconstruction; the backend sums d float32 squares, so the relative gap to a float64 sum is <= d eps32.
  for (const A of [X, Xnew]) {
    const R = rda.reconstruct(A);
    const ref = normsF64(A, R);
    R.dispose();
    const s = det.decisionFunction(A);
    assert.equal(s.length, A.shape[0]);
    for (let i = 0; i < s.length; i++) assert.ok(Math.abs(s[i] - ref[i]) <= d * EPS32 * ref[i] + 1e-7, `row ${i}: ${s[i]} vs ${ref[i]}`);
    assert.deepEqual(Array.from(det.predict(A)), Array.from(s, (v) => (v > det.threshold ? 1 : 0)));
  }
  assert.deepEqual(Array.from(det.trainingScores), Array.from(det.decisionFunction(X)));

  // 2. Training rows vs the fitted S. The last prox thresholded ||X_i - L_i|| with L = D(E(X - S_prev)). Where the
  // row of S_prev is zero, L_i = D(E(X_i)) with the same weights, so score_i = ||X_i - L_i|| up to float32 rounding
  // (same ops on the same row; tolerance d eps32 relative as above), and the prediction equals "row of S non-zero"
  // unless the score lies within that tolerance of t. Rows with S_prev != 0 saw another input (x - s): no promise.
  const fitted = rda.outlierRows();
  const LXn = normsF64(X, rda.L!);
  let checked = 0, flaggedChecked = 0, otherRows = 0, otherAgree = 0;
  for (let i = 0; i < n; i++) {
    let prevZero = true;
    for (let j = 0; j < d; j++) if (Sprev![i * d + j] !== 0) { prevZero = false; break; }
    if (!prevZero) { otherRows++; if (det.trainingLabels[i] === fitted[i]) otherAgree++; continue; }
    const tol = d * EPS32 * LXn[i] + 1e-7;
    assert.ok(Math.abs(det.trainingScores[i] - LXn[i]) <= tol, `row ${i}: score ${det.trainingScores[i]} vs ||X - L|| ${LXn[i]}`);
    if (Math.abs(LXn[i] - det.threshold) > tol) { assert.equal(det.trainingLabels[i], fitted[i], `row ${i}`); checked++; flaggedChecked += fitted[i]; }
  }
  assert.ok(checked > 150, `${checked} rows checked`);
  assert.ok(fitted.reduce((a, b) => a + b, 0) >= 4, 'the fit flags the noise rows');
  console.log(`RDA detector: ${checked} rows with S_prev = 0 agree exactly (${flaggedChecked} of them flagged); ${otherAgree}/${otherRows} rows with S_prev != 0 agree`);
  // the noise rows score highest on new data too
  const sNew = det.decisionFunction(Xnew);
  const inMax = Math.max(...Array.from(sNew).filter((_, i) => i !== 3 && i !== 30));
  assert.ok(sNew[3] > inMax && sNew[30] > inMax, `new noise rows ${sNew[3]}, ${sNew[30]} vs max inlier ${inMax}`);

  // 3. Threshold by contamination flags the stated fraction of training rows: with n distinct scores exactly
  // n - 1 - floor((1 - c)(n - 1)) rows (numpy's linear-interpolation quantile, strict >), within one row of c n.
  assert.equal(new Set(det.trainingScores).size, n, 'distinct training scores');
  for (const c of [0.025, 0.05, 0.1, 0.3]) {
    const dc = rda.asDetector({ contamination: c });
    assert.equal(dc.contamination, c);
    assert.equal(dc.threshold, contaminationThreshold(det.trainingScores, c));
    const k = dc.trainingLabels.reduce((a, b) => a + b, 0);
    assert.equal(k, n - 1 - Math.floor((1 - c) * (n - 1)), `c = ${c}`);
    assert.ok(Math.abs(k - c * n) <= 1);
    assert.deepEqual(Array.from(dc.predict(X)), Array.from(dc.trainingLabels));
  }

  // 4. Input forms agree; no tensor growth over repeated calls
  const arr = Array.from({ length: 60 }, (_, i) => Array.from(Xnew.dataSync().subarray(i * d, (i + 1) * d)));
  const flat = { data: Xnew.dataSync(), rows: 60, cols: d };
  const s0 = Array.from(det.decisionFunction(Xnew));
  const live = tf.memory().numTensors;
  for (let r = 0; r < 5; r++) {
    assert.deepEqual(Array.from(det.decisionFunction(arr)), s0);
    assert.deepEqual(Array.from(det.decisionFunction(flat)), s0);
    det.predict(Xnew);
    rda.asDetector({ contamination: 0.1 });
  }
  assert.equal(tf.memory().numTensors, live);

  // 5. Bad input: clear errors
  const wide = tf.zeros([3, d + 1]) as tf.Tensor2D;
  assert.throws(() => det.decisionFunction(wide), /expected 30 columns/);
  wide.dispose();
  assert.throws(() => det.predict([[1, 2, 3]]), /3 columns, the model was fitted on 30/);
  const bad = Array.from(Xnew.dataSync().subarray(0, 2 * d)); bad[7] = NaN;
  assert.throws(() => det.decisionFunction({ data: bad, rows: 2, cols: d }), /non-finite value NaN at index 7/);
  const nanT = tf.tensor2d(bad, [2, d]);
  assert.throws(() => det.decisionFunction(nanT), /non-finite/);
  nanT.dispose();
  assert.throws(() => det.decisionFunction([]), /empty/);
  assert.throws(() => det.decisionFunction({ data: [1, 2], rows: 1, cols: 3 }), /expected rows \* cols = 3/);
  assert.throws(() => rda.asDetector({ contamination: 0 }), /contamination must be a number in \(0, 1\)/);
  assert.throws(() => rda.asDetector({ contamination: 1.5 }), /contamination/);
  assert.throws(() => rda.asDetector({ threshold: 2 } as never), /unknown option "threshold"/);
  assert.throws(() => new RobustDeepAutoencoder({ layers: [d, 4], penalty: 'l21-rows' }).asDetector(), /call fit\(\) first/);
  rda.dispose();
  assert.throws(() => det.predict(Xnew), /refit or disposed/);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([X, Xnew]);
});

test('RDA detector after one outer iteration (S_prev = 0 for every row): predictions = fitted S support on all rows', async () => {
  await ready;
  const n = 200, d = 30;
  const X = mix(7, n, d, [5, 40, 77, 123, 190]);
  const rda = new RobustDeepAutoencoder({ layers: [d, 12, 4], penalty: 'l21-rows', lambda: 1.0, outer: 1, innerEpochs: 30, batchSize: 40, learningRate: 3e-2, seed: 1, stopRule: 'none' });
  await rda.fit(X, { progress: false });
  const det = rda.asDetector();
  const fitted = rda.outlierRows();
  const LXn = normsF64(X, rda.L!);
  let checked = 0, flagged = 0;
  for (let i = 0; i < n; i++) {
    const tol = d * EPS32 * LXn[i] + 1e-7;
    assert.ok(Math.abs(det.trainingScores[i] - LXn[i]) <= tol);
    if (Math.abs(LXn[i] - det.threshold) > tol) { assert.equal(det.trainingLabels[i], fitted[i], `row ${i}`); checked++; flagged += fitted[i]; }
  }
  assert.ok(checked >= n - 2 && flagged >= 1, `${checked} rows checked, ${flagged} flagged`);
  rda.dispose();
  X.dispose();
});

test('RDA detector needs the l2,1 rows penalty; stale after a refit', async () => {
  await ready;
  const X = manifoldData(3, 60, 10);
  const l1 = new RobustDeepAutoencoder({ layers: [10, 4], penalty: 'l1', lambda: 0.1, outer: 1, innerEpochs: 1, batchSize: 30, seed: 0 });
  await l1.fit(X, { progress: false });
  assert.throws(() => l1.asDetector(), /needs penalty 'l21-rows'.*has 'l1'/);
  l1.dispose();
  const rda = new RobustDeepAutoencoder({ layers: [10, 4], penalty: 'l21-rows', lambda: 0.5, outer: 1, innerEpochs: 1, batchSize: 30, seed: 0 });
  await rda.fit(X, { progress: false });
  const det = rda.asDetector();
  det.predict(X);
  await rda.fit(X, { progress: false });
  assert.throws(() => det.decisionFunction(X), /refit or disposed/);
  rda.dispose();
  X.dispose();
});

test('Isolation Forest detector: scores = s(x), contamination threshold, new rows, stale after refit, bad input', () => {
  const rng = new Rng(1), n = 1000, d = 5, outl = [3, 50, 400, 777];
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
  for (const i of outl) X[i] = X[i].map(() => 8 + rng.normal());
  const iso = new IsolationForest({ seed: 2 }).fit(X);
  const det = isolationForestDetector(iso, { contamination: 0.004 });
  assert.equal(det.contamination, 0.004);
  assert.deepEqual(Array.from(det.trainingScores), Array.from(iso.trainScores));
  assert.deepEqual(Array.from(det.decisionFunction(X)), Array.from(iso.scoreSamples(X)));
  // 1000 distinct scores, c = 0.004: 999 - floor(0.996 * 999) = 4 rows, the four outliers
  assert.deepEqual(Array.from(det.trainingLabels).map((b, i) => (b ? i : -1)).filter((i) => i >= 0), outl);
  assert.deepEqual(Array.from(det.predict([[9, 9, 9, 9, 9], [0, 0, 0, 0, 0]])), [1, 0]);
  // default: the forest's own contamination option (0.1)
  const d10 = isolationForestDetector(iso);
  assert.equal(d10.contamination, 0.1);
  assert.equal(d10.trainingLabels.reduce((a, b) => a + b, 0), 999 - Math.floor(0.9 * 999));
  assert.equal(isolationForestDetector(iso, { threshold: 0.6 }).threshold, 0.6);
  assert.throws(() => isolationForestDetector(iso, { threshold: 0.6, contamination: 0.1 }), /not both/);
  assert.throws(() => det.predict([[1, 2]]), /2 columns, the model was fitted on 5/);
  assert.throws(() => det.predict([[1, 2, NaN, 4, 5]]), /non-finite value NaN at index 2/);
  assert.throws(() => isolationForestDetector(new IsolationForest()), /call fit\(\) first/);
  iso.fit(X.slice(0, 500));
  assert.throws(() => det.decisionFunction(X), /refit or disposed/);
});

test('reconstruction-error detector on PCA: score = residual norm, default contamination 0.1, no leaks', async () => {
  await ready;
  const X = manifoldData(5, 120, 12);
  const pca = new PCA({ nComponents: 2 });
  await pca.fit(X);
  const before = tf.memory().numTensors;
  const det = reconstructionErrorDetector(pca, X);
  assert.equal(det.contamination, 0.1);
  const R = pca.reconstruct(X);
  const ref = normsF64(X, R);
  R.dispose();
  const s = det.decisionFunction(X);
  for (let i = 0; i < s.length; i++) assert.ok(Math.abs(s[i] - ref[i]) <= 12 * EPS32 * ref[i] + 1e-7);
  assert.equal(det.trainingLabels.reduce((a, b) => a + b, 0), 119 - Math.floor(0.9 * 119));
  assert.equal(reconstructionErrorDetector(pca, X, { threshold: 0.05 }).threshold, 0.05);
  assert.equal(tf.memory().numTensors, before);
  pca.dispose();
  assert.throws(() => reconstructionErrorDetector(new PCA({ nComponents: 2 }), X), /call fit\(\) first/);
  assert.throws(() => reconstructionErrorDetector({ fitted: true } as never, X), /must have reconstruct/);
  X.dispose();
});
