import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../../src/backend';
import { Rng } from '../../../src/random';
import { boxFilter, LowPassFilter } from '../../../src/models/baselines/lpf';

const ready = initBackend();

/** Plain-loop reference: mean over rows i-a..i+b, cols j-a..j+b inside the image, `passes` times, per channel. */
function reference(img: Float32Array, h: number, w: number, c: number, a: number, b: number, passes: number): Float32Array {
  let cur = img.slice();
  for (let p = 0; p < passes; p++) {
    const out = new Float32Array(cur.length);
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) {
      let s = 0, n = 0;
      for (let u = Math.max(0, i - a); u <= Math.min(h - 1, i + b); u++) for (let v = Math.max(0, j - a); v <= Math.min(w - 1, j + b); v++) { s += cur[(u * w + v) * c + k]; n++; }
      out[(i * w + j) * c + k] = s / n;
    }
    cur = out;
  }
  return cur;
}

test('boxFilter: centred 3x3, 2 passes, edges averaged over the inside of the window; RGB per channel', async () => {
  await ready;
  const rng = new Rng(1);
  for (const [h, w, c] of [[7, 5, 1], [6, 6, 3]] as const) {
    const n = 3, d = h * w * c;
    const data = rng.uniformArray(n * d);
    const X = tf.tensor2d(data, [n, d]);
    const Y = boxFilter(X, { height: h, width: w, channels: c });
    const y = Y.dataSync();
    for (let r = 0; r < n; r++) {
      const ref = reference(data.subarray(r * d, (r + 1) * d), h, w, c, 1, 1, 2);
      for (let e = 0; e < d; e++) assert.ok(Math.abs(ref[e] - y[r * d + e]) < 1e-5);
    }
    tf.dispose([X, Y]);
  }
});

test("boxFilter 'authors-code': 2x2 window [i-1, i] x [j-1, j], one effective pass", async () => {
  await ready;
  const rng = new Rng(2);
  const h = 5, w = 4, data = rng.uniformArray(h * w);
  const X = tf.tensor2d(data, [1, h * w]);
  const Y = boxFilter(X, { height: h, width: w, channels: 1, window: 'authors-code', passes: 2 });
  const ref = reference(data, h, w, 1, 1, 0, 1);
  const y = Y.dataSync();
  for (let e = 0; e < h * w; e++) assert.ok(Math.abs(ref[e] - y[e]) < 1e-6);
  tf.dispose([X, Y]);
});

test('LowPassFilter: X = L + S, constant images unchanged, no leaks, input checks', async () => {
  await ready;
  const X = tf.fill([2, 28 * 28], 0.3) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  const f = new LowPassFilter();
  await f.fit(X);
  const { L, S } = f.decompose();
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(L, 0.3))).dataSync()[0]) < 1e-6);
  assert.ok(tf.tidy(() => tf.max(tf.abs(S)).dataSync()[0]) < 1e-6);
  tf.dispose([L, S]);
  f.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => boxFilter(X, { height: 10, width: 10 }), /columns/);
  assert.throws(() => new LowPassFilter({ foo: 1 } as never), /unknown option/);
  X.dispose();
});
