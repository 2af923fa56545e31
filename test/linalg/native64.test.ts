import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { jacobiSvd64, matmul64, transpose64, Mat64 } from '../../src/linalg/dense';
import { native64Available, put64, get64, free64, matmul64n, svt64n } from '../../src/linalg/native64';

const rand = (m: number, n: number, rng: Rng): Mat64 => ({ rows: m, cols: n, data: Float64Array.from(rng.normalArray(m * n)) });
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let d = 0; for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i])); return d; };

/** Reference SVT from a full one-sided Jacobi SVD (JS, Float64). */
function svtRef(A: Mat64, tau: number): Float64Array {
  const tall = A.rows >= A.cols;
  const B = tall ? A : transpose64(A);
  const { U, s, V } = jacobiSvd64(B);
  const k = s.length;
  const US: Mat64 = { rows: U.rows, cols: k, data: U.data.map((v, i) => v * Math.max(s[i % k] - tau, 0)) };
  const R = matmul64(US, transpose64(V));
  return tall ? R.data : transpose64(R).data;
}

test('native64: put/get round-trip bit-exact, double matmul to ~1e-15, no tfjs tensors left', async (t) => {
  await initBackend();
  if (!native64Available()) { t.skip('needs the native TensorFlow backend'); return; }
  const before = tf.memory().numTensors;
  const rng = new Rng(1);
  const A = rand(13, 7, rng), B = rand(7, 5, rng);
  A.data[3] = 1 / 3; A.data[4] = -0; A.data[5] = 1e-300; A.data[6] = Number.MAX_VALUE;
  const a = put64(A.data, [13, 7]);
  const back = get64(a);
  assert.deepEqual(Array.from(back), Array.from(A.data));
  A.data[6] = 0.5;
  free64(a);
  const ad = put64(A.data, [13, 7]), bd = put64(B.data, [7, 5]);
  const c = matmul64n(ad, bd);
  assert.deepEqual(c.shape, [13, 5]);
  assert.ok(maxAbsDiff(get64(c), matmul64(A, B).data) < 1e-14);
  const ct = matmul64n(ad, ad, true, false);
  assert.ok(maxAbsDiff(get64(ct), matmul64(transpose64(A), A).data) < 1e-13);
  free64(ad, bd, c, ct);
  assert.equal(tf.memory().numTensors, before);
});

test('svt64n: randomized and dense routes equal a full Jacobi SVT (tall and wide, low and high rank)', async (t) => {
  await initBackend();
  if (!native64Available()) { t.skip('needs the native TensorFlow backend'); return; }
  const rng = new Rng(2);
  for (const [m, n, r] of [[120, 40, 3], [40, 120, 3], [90, 60, 35], [60, 90, 35]]) {
    // rank-r signal with well separated singular values + small noise
    const L = matmul64(rand(m, r, rng), rand(r, n, rng));
    const M: Mat64 = { rows: m, cols: n, data: L.data.map((v) => v + 1e-3 * rng.normal()) };
    const tau = 0.5;
    const ref = svtRef(M, tau);
    const out = new Float64Array(m * n);
    const res = svt64n(M.data, m, n, tau, r + 1, { out, random: () => rng.uniform(), denseFraction: r > 10 ? 0.2 : 0.9 });
    assert.equal(res.route, r > 10 ? 'dense' : 'randomized', `${m}x${n} r=${r}`);
    assert.equal(res.svp, r, `${m}x${n}: rank ${res.svp}`);
    const scale = Math.max(...ref.map(Math.abs));
    assert.ok(maxAbsDiff(out, ref) < 1e-9 * scale, `${m}x${n} r=${r} (${res.route}): max diff ${maxAbsDiff(out, ref)}`);
    assert.equal(res.V.length, n * res.vCols);
  }
});
