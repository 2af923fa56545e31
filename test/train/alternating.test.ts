import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { EpochRecord } from '../../src/models/base';
import {
  proxL1, proxL21Rows, proxL21Cols, penaltyOf, codeMu, effectiveThreshold, fitAlternating, InnerModel,
} from '../../src/train/alternating';

const ready = initBackend();

function randMatrix(rng: Rng, r: number, c: number, scale = 1): number[][] {
  return Array.from({ length: r }, () => Array.from({ length: c }, () => scale * rng.normal()));
}

// The paper's pseudo-code, Sec. 4.2 (eq. 11), entry by entry.
function refL1(S: number[][], lam: number): number[][] {
  return S.map((row) => row.map((x) => (x > lam ? x - lam : x < -lam ? x + lam : 0)));
}
// The paper's pseudo-code, Sec. 4.3 (eq. 12): one group per column j.
function refL21Cols(S: number[][], lam: number): number[][] {
  const m = S.length, n = S[0].length;
  const out = S.map((r) => r.slice());
  for (let j = 0; j < n; j++) {
    let e = 0;
    for (let i = 0; i < m; i++) e += S[i][j] ** 2;
    e = Math.sqrt(e);
    for (let i = 0; i < m; i++) out[i][j] = e > lam ? S[i][j] - (lam * S[i][j]) / e : 0;
  }
  return out;
}
const transpose = (A: number[][]) => A[0].map((_, j) => A.map((r) => r[j]));
const refL21Rows = (S: number[][], lam: number) => transpose(refL21Cols(transpose(S), lam));

function close(a: number[][], b: number[][], tol = 1e-5): void {
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a[0].length; j++) {
    assert.ok(Math.abs(a[i][j] - b[i][j]) <= tol, `entry ${i},${j}: ${a[i][j]} vs ${b[i][j]}`);
  }
}

test('proxL1 matches the paper\'s element-wise shrink (eq. 11)', async () => {
  await ready;
  const rng = new Rng(1);
  const V = randMatrix(rng, 7, 5);
  V[0][0] = 0.5; V[0][1] = -0.5; // exactly at the threshold -> 0
  for (const lam of [0, 0.1, 0.5, 1.3, 10]) {
    const out = tf.tidy(() => proxL1(tf.tensor2d(V), lam).arraySync());
    close(out, refL1(V, lam));
  }
});

test('proxL21Rows / proxL21Cols match the paper\'s block soft threshold (eq. 12)', async () => {
  await ready;
  const rng = new Rng(2);
  const V = randMatrix(rng, 6, 9);
  V[2] = V[2].map(() => 0); // an all-zero row: stays zero, no NaN
  for (const lam of [0, 0.3, 1, 2.5, 100]) {
    const r = tf.tidy(() => proxL21Rows(tf.tensor2d(V), lam).arraySync());
    close(r, refL21Rows(V, lam));
    const c = tf.tidy(() => proxL21Cols(tf.tensor2d(V), lam).arraySync());
    close(c, refL21Cols(V, lam));
    for (const row of r) for (const x of row) assert.ok(Number.isFinite(x));
  }
  // row groups: a row is either all zero or all (non-zero entries) kept
  const r = tf.tidy(() => proxL21Rows(tf.tensor2d(V), 2.5).arraySync());
  for (let i = 0; i < r.length; i++) {
    const zeroRow = r[i].every((x) => x === 0);
    const norm = Math.hypot(...V[i]);
    assert.equal(zeroRow, norm <= 2.5, `row ${i} norm ${norm}`);
  }
});

test('each prox is the minimiser of 0.5||S - V||^2 + t P(S) (random perturbations never do better)', async () => {
  await ready;
  const rng = new Rng(3);
  for (const name of ['l1', 'l21-rows', 'l21-cols'] as const) {
    const P = penaltyOf(name);
    const V = tf.tensor2d(randMatrix(rng, 5, 4));
    const t = 0.8;
    const S = P.prox(V, t);
    const obj = (Z: tf.Tensor2D) => tf.tidy(() => 0.5 * tf.sum(tf.square(tf.sub(Z, V))).dataSync()[0]) + t * P.value(Z);
    const best = obj(S);
    for (let k = 0; k < 60; k++) {
      const Z = tf.tidy(() => tf.add(S, tf.mul(tf.tensor2d(randMatrix(rng, 5, 4)), 10 ** (-1 - 2 * rng.uniform()))) as tf.Tensor2D);
      assert.ok(obj(Z) >= best - 1e-5, `${name}: perturbation improved the prox objective`);
      Z.dispose();
    }
    V.dispose(); S.dispose();
  }
});

test('lambda conventions: paper, code-l1 (lambda / mu, mu with the largest column sum), code-l21-n (lambda * N)', async () => {
  await ready;
  const X = tf.tensor2d([[1, 0, 0.5], [1, 2, 0.5], [0, 0, 0.5], [1, 0, 0.5]]); // column sums 3, 2, 2
  const mu = 12 / (4 * 3);
  assert.ok(Math.abs(codeMu(X) - mu) < 1e-12);
  assert.equal(effectiveThreshold(0.7, X, 'paper'), 0.7);
  assert.ok(Math.abs(effectiveThreshold(0.7, X, 'code-l1') - 0.7 / mu) < 1e-9);
  assert.ok(Math.abs(effectiveThreshold(0.001, X, 'code-l21-n') - 0.004) < 1e-12);
  X.dispose();
});

/** An oracle inner model: orthogonal projection onto a known subspace (no training), counts its calls. */
function oracle(U: tf.Tensor2D): InnerModel & { calls: number } {
  return {
    calls: 0,
    async trainOn(_L: tf.Tensor2D, epochs: number, ctx) {
      this.calls++;
      const recs: EpochRecord[] = [];
      for (let e = 0; e < epochs; e++) {
        const r: EpochRecord = { epoch: ctx.epochOffset + e + 1, loss: 0, seconds: 0 };
        recs.push(r);
        ctx.onEpoch(r);
      }
      return recs;
    },
    reconstruct(L: tf.Tensor2D) { return tf.tidy(() => tf.matMul(tf.matMul(L, U), U, false, true) as tf.Tensor2D); },
  };
}

function lowRankPlusOutliers(seed: number, n: number, d: number, k: number, outRows: number[]) {
  const rng = new Rng(seed);
  return tf.tidy(() => {
    const U = tf.linalg.qr(tf.tensor2d(rng.normalArray(d * k), [d, k]))[0] as tf.Tensor2D;
    const C = tf.tensor2d(rng.normalArray(n * k), [n, k]);
    const L0 = tf.matMul(C, U, false, true);
    const mask = new Float32Array(n); for (const i of outRows) mask[i] = 1;
    const S0 = tf.mul(tf.tensor2d(rng.normalArray(n * d, 0, 3), [n, d]), tf.tensor2d(mask, [n, 1]));
    return { U, X: tf.add(L0, S0) as tf.Tensor2D };
  });
}

test('fitAlternating (l21-rows, oracle inner) flags exactly the outlying rows; history, staircase and no leaks', async () => {
  await ready;
  const outRows = [3, 11, 17];
  const { U, X } = lowRankPlusOutliers(4, 20, 12, 3, outRows);
  const before = tf.memory().numTensors;
  const inner = oracle(U);
  const outerSeen: number[] = [];
  const { L, S, history } = await fitAlternating({
    X, inner, penalty: 'l21-rows', lambda: 0.5, outer: 4, innerEpochs: 3, stopRule: 'none', progress: false,
    onOuter: (r) => { outerSeen.push(r.iter); },
  });
  assert.equal(inner.calls, 4);
  assert.deepEqual(outerSeen, [1, 2, 3, 4]);
  assert.equal(history.epochs.length, 12);
  assert.deepEqual(history.epochs.map((r) => r.epoch), Array.from({ length: 12 }, (_, i) => i + 1));
  assert.equal(history.outer.length, 4);
  assert.equal(history.objective.length, 12 + 4);
  assert.equal(history.objective.filter((p) => p.prox === 1).length, 4);
  const rows = tf.tidy(() => tf.any(tf.notEqual(S, 0), 1).arraySync() as unknown as boolean[]);
  const flagged = rows.map((b, i) => (b ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(flagged, outRows);
  for (const r of history.outer) {
    assert.ok(Number.isFinite(r.c1) && Number.isFinite(r.c2) && Number.isFinite(r.c2code as number));
    assert.equal(r.nonzeroGroups, 3);
  }
  // with an oracle projection the fixed point is reached after the first prox: c2 -> 0
  assert.ok(history.outer[3].c2 < 1e-5, `c2 = ${history.outer[3].c2}`);
  L.dispose(); S.dispose();
  assert.equal(tf.memory().numTensors, before);
  U.dispose(); X.dispose();
});

test('stop rules: with lambda = 0, S = X - L so c1 = 0; "paper" stops after 1 iteration, "code" after 2', async () => {
  await ready;
  const { U, X } = lowRankPlusOutliers(5, 15, 8, 2, [1]);
  for (const [rule, iters] of [['paper', 1], ['code', 2], ['none', 5]] as const) {
    const { L, S, history } = await fitAlternating({ X, inner: oracle(U), penalty: 'l1', lambda: 0, outer: 5, innerEpochs: 1, stopRule: rule, tol: 1e-6, progress: false });
    assert.equal(history.outer.length, iters, rule);
    assert.equal(history.stopped, rule === 'none' ? 'max-iterations' : 'converged');
    L.dispose(); S.dispose();
  }
  U.dispose(); X.dispose();
});

test('fitAlternating rejects bad input with clear errors', async () => {
  await ready;
  const X = tf.ones([3, 2]) as tf.Tensor2D;
  const inner = oracle(tf.eye(2) as tf.Tensor2D);
  await assert.rejects(fitAlternating({ X, inner, penalty: 'l3' as never, lambda: 1, outer: 1, innerEpochs: 1 }), /penalty/);
  await assert.rejects(fitAlternating({ X, inner, penalty: 'l1', lambda: -1, outer: 1, innerEpochs: 1 }), /lambda/);
  await assert.rejects(fitAlternating({ X, inner, penalty: 'l1', lambda: 1, outer: 0, innerEpochs: 1 }), /outer/);
  X.dispose();
});
