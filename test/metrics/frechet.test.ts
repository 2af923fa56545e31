import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, inverse } from 'ml-matrix';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { frechetDistance, frechetDistanceFromFeatures, meanCov, traceSqrtProduct } from '../../src/metrics/frechet';
import { fid, FeatureNet } from '../../src/metrics/fid';
import { principalAngles } from '../../src/metrics/angles';
import { native64Available } from '../../src/linalg/native64';

function randomSpd(d: number, rng: Rng, rank = d): number[][] {
  const A = Matrix.from1DArray(d, rank, Array.from(rng.normalArray(d * rank)));
  const C = A.mmul(A.transpose()).div(rank);
  return C.to2DArray();
}

/** Independent tr sqrtm(M) by the Denman-Beavers iteration (Y -> sqrt(M)) on the non-symmetric M = C1 C2. */
function traceSqrtmDenmanBeavers(C1: number[][], C2: number[][]): number {
  let Y = new Matrix(C1).mmul(new Matrix(C2));
  let Z = Matrix.eye(Y.rows);
  for (let k = 0; k < 60; k++) {
    const Yn = Y.clone().add(inverse(Z)).mul(0.5);
    const Zn = Z.clone().add(inverse(Y)).mul(0.5);
    Y = Yn; Z = Zn;
  }
  return Y.trace();
}

test('Frechet distance: closed form for diagonal (commuting) covariances', async () => {
  await initBackend();
  const a = [1, 4, 9, 0.25], b = [4, 1, 16, 1];
  const mu1 = [0, 1, 2, 3], mu2 = [1, 1, 0, 3];
  const C1 = a.map((v, i) => a.map((_, j) => (i === j ? v : 0)));
  const C2 = b.map((v, i) => b.map((_, j) => (i === j ? v : 0)));
  // ||mu1-mu2||^2 + sum (sqrt a - sqrt b)^2
  const want = 1 + 4 + a.reduce((s, v, i) => s + (Math.sqrt(v) - Math.sqrt(b[i])) ** 2, 0);
  assert.ok(Math.abs(frechetDistance(mu1, C1, mu2, C2) - want) < 1e-12);
  assert.ok(Math.abs(frechetDistance(mu1, C1, mu1, C1)) < 1e-12);
});

test('Frechet trace term agrees with a Denman-Beavers sqrtm of C1 C2 (random SPD and singular cases)', () => {
  const rng = new Rng(7);
  for (const [d, r1, r2] of [[6, 6, 6], [12, 12, 12], [10, 4, 10], [8, 3, 5]]) {
    const C1 = randomSpd(d, rng, r1), C2 = randomSpd(d, rng, r2);
    const ours = traceSqrtProduct({ rows: d, cols: d, data: Float64Array.from(C1.flat()) }, { rows: d, cols: d, data: Float64Array.from(C2.flat()) });
    if (r1 === d && r2 === d) {
      const ref = traceSqrtmDenmanBeavers(C1, C2);
      assert.ok(Math.abs(ours - ref) < 1e-9 * Math.abs(ref), `d=${d}: ${ours} vs Denman-Beavers ${ref}`);
    }
    // Whatever the rank: tr sqrtm(C1 C2) = nuclear norm of sqrt(C1) sqrt(C2) (via ml-matrix's EVD and SVD).
    const sq = (C: number[][]) => {
      const e = new (require('ml-matrix').EigenvalueDecomposition)(new Matrix(C));
      const V = e.eigenvectorMatrix as Matrix;
      const D = Matrix.diag(e.realEigenvalues.map((v: number) => Math.sqrt(Math.max(v, 0))));
      return V.mmul(D).mmul(V.transpose());
    };
    const P = sq(C1).mmul(sq(C2));
    const nuc = new (require('ml-matrix').SVD)(P).diagonal.reduce((s: number, v: number) => s + v, 0);
    assert.ok(Math.abs(ours - nuc) < 1e-8 * Math.max(1, nuc), `d=${d} ranks ${r1},${r2}: ${ours} vs nuclear norm ${nuc}`);
  }
});

test('frechetDistanceFromFeatures: means and unbiased covariances as numpy.cov; float64 and backend routes agree', () => {
  const rng = new Rng(11);
  const n = 400, d = 16;
  const A = tf.tensor2d(rng.normalArray(n * d), [n, d]);
  const Bdata = rng.normalArray(n * d).map((v, i) => 1.5 * v + (i % d === 0 ? 2 : 0));
  const B = tf.tensor2d(Bdata, [n, d]);
  const { mean, cov } = meanCov([[1, 2], [3, 6], [5, 10]]);
  assert.deepEqual(Array.from(mean), [3, 6]);
  assert.deepEqual(Array.from(cov.data), [4, 8, 8, 16]);
  const f64 = frechetDistanceFromFeatures(A, B, { covariance: 'float64' });
  const be = frechetDistanceFromFeatures(A, B, { covariance: 'backend' });
  assert.ok(f64 > 1, `distinct distributions should be far apart, got ${f64}`);
  assert.ok(Math.abs(f64 - be) < 1e-4 * f64, `${f64} vs ${be}`);
  assert.ok(Math.abs(frechetDistanceFromFeatures(A, A)) < 1e-9);
  tf.dispose([A, B]);
});

test('native (TensorFlow Float64) and JS routes agree to ~1e-12: covariances, trace term (Cholesky and eigen routes), distance', async (t) => {
  await initBackend();
  if (!native64Available()) { t.skip('needs the native TensorFlow backend'); return; }
  const rng = new Rng(21);
  const before = tf.memory().numTensors;
  // d = 200 uses 2 column blocks in the native Gram product, d = 40 one.
  for (const [n, d] of [[300, 40], [500, 200]]) {
    const A = tf.tensor2d(rng.normalArray(n * d), [n, d]);
    const B = tf.tensor2d(rng.normalArray(n * d).map((v, i) => 1.3 * v + (i % 7 === 0 ? 0.5 : 0)), [n, d]);
    const sn = meanCov(A, { linalg: 'native' }), sj = meanCov(A, { linalg: 'js', covariance: 'float64' });
    let dm = 0, dc = 0, sc = 0;
    for (let j = 0; j < d; j++) dm = Math.max(dm, Math.abs(sn.mean[j] - sj.mean[j]));
    for (let i = 0; i < d * d; i++) { dc = Math.max(dc, Math.abs(sn.cov.data[i] - sj.cov.data[i])); sc = Math.max(sc, Math.abs(sj.cov.data[i])); }
    assert.ok(dm < 1e-14 && dc < 1e-13 * sc, `d=${d}: mean diff ${dm}, cov diff ${dc} (scale ${sc})`);
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) assert.equal(sn.cov.data[i * d + j], sn.cov.data[j * d + i]);
    const fn = frechetDistanceFromFeatures(A, B, { linalg: 'native' });
    const fj = frechetDistanceFromFeatures(A, B, { linalg: 'js', covariance: 'float64' });
    assert.ok(fn > 1 && Math.abs(fn - fj) < 1e-12 * fj, `d=${d}: native ${fn} vs js ${fj}`);
    assert.equal(frechetDistanceFromFeatures(A, B), fn); // auto = native on tfjs-node
    tf.dispose([A, B]);
  }
  // Trace term: PD (Cholesky of C1), C1 singular (Cholesky of C2), both singular (eigen route).
  for (const [d, r1, r2] of [[30, 30, 30], [30, 10, 30], [30, 8, 12]]) {
    const C1 = randomSpd(d, rng, r1), C2 = randomSpd(d, rng, r2);
    const m1 = { rows: d, cols: d, data: Float64Array.from(C1.flat()) }, m2 = { rows: d, cols: d, data: Float64Array.from(C2.flat()) };
    const tn = traceSqrtProduct(m1, m2, { linalg: 'native' }), tj = traceSqrtProduct(m1, m2, { linalg: 'js' });
    // (singular: the clipped near-zero eigenvalues contribute sqrt(rounding) ~1e-8 on either route)
    const tol = r1 === d ? 1e-12 : 1e-7;
    assert.ok(Math.abs(tn - tj) < tol * tj, `ranks ${r1},${r2}: native ${tn} vs js ${tj}`);
  }
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => meanCov([[1, 2], [3, Infinity]], { linalg: 'native' }), /non-finite value at flat index 3/);
  assert.throws(() => meanCov(tf.tensor2d([1, 2, 3, NaN], [2, 2]), { linalg: 'native' }), /non-finite value at flat index 3/);
  assert.throws(() => traceSqrtProduct({ rows: 1, cols: 1, data: Float64Array.of(1) }, { rows: 1, cols: 1, data: Float64Array.of(1) }, { linalg: 'gpu' as never }), /linalg must be/);
});

test('small-d native covariance (uncentred product or centred, by kappa) equals the JS Float64 route', async (t) => {
  await initBackend();
  if (!native64Available()) { t.skip('needs the native TensorFlow backend'); return; }
  const rng = new Rng(5);
  const before = tf.memory().numTensors;
  const n = 2560, d = 6; // (the kappa prediction samples every 10th row)
  const z = rng.normalArray(n * d);
  const cases: [string, (i: number, j: number) => number][] = [
    ['small means (uncentred product)', (i, j) => z[i * d + j] * (1 + j) + 0.3 * j],
    ['large means and a constant column (centred)', (i, j) => (j === 2 ? 0.1 : 50 + j + z[i * d + j])],
    // sampled rows spread +-6 around 10, the others exactly 10: predicted kappa 3.8, exact kappa 29 -> redone centred
    ['a misleading sample (redone centred)', (i, j) => (j === 0 ? (i % 10 === 0 ? 10 + (i % 20 === 0 ? 6 : -6) : 10) : z[i * d + j])],
  ];
  for (const [name, f] of cases) {
    const X = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X[i * d + j] = f(i, j);
    const A = tf.tensor2d(X, [n, d]);
    const sn = meanCov(A, { linalg: 'native' }), sj = meanCov(A, { linalg: 'js', covariance: 'float64' });
    A.dispose();
    for (let j = 0; j < d; j++) assert.ok(Math.abs(sn.mean[j] - sj.mean[j]) <= 1e-14 * Math.max(1, Math.abs(sj.mean[j])), `${name}: mean ${j}`);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      const sc = Math.sqrt(sj.cov.data[i * d + i] * sj.cov.data[j * d + j]) || 1e-300;
      const err = Math.abs(sn.cov.data[i * d + j] - sj.cov.data[i * d + j]);
      assert.ok(err <= 1e-13 * sc || err < 1e-25, `${name}: cov (${i},${j}) ${sn.cov.data[i * d + j]} vs ${sj.cov.data[i * d + j]}`);
      assert.equal(sn.cov.data[i * d + j], sn.cov.data[j * d + i]);
    }
  }
  assert.equal(tf.memory().numTensors, before);
});

test('frechetDistance rejects bad input', () => {
  assert.throws(() => frechetDistance([0, 0], [[1, 0], [0, 1]], [0], [[1]]), /different lengths/);
  assert.throws(() => frechetDistance([0, 0], [[1, 2], [0, 1]], [0, 0], [[1, 0], [0, 1]]), /symmetric/);
  assert.throws(() => frechetDistance([0, NaN], [[1, 0], [0, 1]], [0, 0], [[1, 0], [0, 1]]), /non-finite/);
  assert.throws(() => meanCov([[1, 2]]), /at least 2/);
});

test('fid runs a feature net in batches, reports its name, and is 0 for identical sets', () => {
  const net: FeatureNet = { name: 'test: first 3 pixels x2', features: (x) => tf.mul(x.slice([0, 0], [-1, 3]), 2) as tf.Tensor2D };
  const rng = new Rng(3);
  const X = tf.tensor2d(rng.uniformArray(50 * 8), [50, 8]);
  const Y = tf.tensor2d(rng.uniformArray(60 * 8).map((v) => v * 0.5), [60, 8]);
  const before = tf.memory().numTensors;
  const same = fid(X, X, net, { batchSize: 7 });
  assert.equal(same.featureNet, 'test: first 3 pixels x2');
  assert.ok(Math.abs(same.fid) < 1e-9);
  const diff = fid(X, Y, net, { batchSize: 16 }).fid;
  // equals the Frechet distance of the features computed directly
  const direct = frechetDistanceFromFeatures(tf.tidy(() => tf.mul(X.slice([0, 0], [-1, 3]), 2)) as tf.Tensor2D, tf.tidy(() => tf.mul(Y.slice([0, 0], [-1, 3]), 2)) as tf.Tensor2D);
  assert.ok(Math.abs(diff - direct) < 1e-9 * direct && diff > 0.05);
  assert.ok(tf.memory().numTensors <= before + 2);
  tf.dispose([X, Y]);
});

test('principal angles: known angles, same subspace, and rotation invariance', () => {
  const t = 0.3;
  // span{e1, e2} vs span{e1, cos t e2 + sin t e3}
  const A = [[1, 0], [0, 1], [0, 0], [0, 0]];
  const B = [[1, 0], [0, Math.cos(t)], [0, Math.sin(t)], [0, 0]];
  const r = principalAngles(A, B);
  assert.ok(Math.abs(r.angles[0]) < 1e-12 && Math.abs(r.angles[1] - t) < 1e-12);
  assert.ok(Math.abs(r.maxSin - Math.sin(t)) < 1e-12);
  // tiny angle resolved accurately (acos would give ~1e-8 error)
  const e = 1e-9;
  const r2 = principalAngles([[1], [0]], [[Math.cos(e)], [Math.sin(e)]]);
  assert.ok(Math.abs(r2.angles[0] - e) < 1e-15);
  // same subspace with a different (non-orthonormal) basis
  const C = [[2, 1], [1, 3], [0, 0], [0, 0]];
  assert.ok(principalAngles(A, C).maxSin < 1e-12);
  assert.throws(() => principalAngles(A, [[1], [0]]), /different spaces/);
});
