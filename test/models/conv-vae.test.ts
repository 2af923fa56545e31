import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { ConvVAE } from '../../src/models/conv-vae';
import { RVAE } from '../../src/models/rvae';

const ready = initBackend();

/** Fixture "faces": smooth random RGB blobs, HWC rows. */
function fixture(n: number, h: number, w: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  const d = h * w * 3;
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const cx = rng.uniform() * w, cy = rng.uniform() * h, r = 2 + rng.uniform() * 3;
    const col = [rng.uniform(), rng.uniform(), rng.uniform()];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const v = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r));
      for (let c = 0; c < 3; c++) out[i * d + (y * w + x) * 3 + c] = 0.1 + 0.8 * v * col[c];
    }
  }
  return tf.tensor2d(out, [n, d]);
}

test('ConvVAE: default architecture 64x64x3 -> 32x32x64 -> ... -> 4x4x512 -> 100; shapes of samples', async () => {
  await ready;
  const m = new ConvVAE({ epochs: 1, batchSize: 2 });
  const X = fixture(2, 64, 64, 1);
  await m.fit(X, { progress: false });
  // conv weights 4x4: 3->64, 64->128, 128->256, 256->512; heads 8192 -> 100 (x2); decoder 100 -> 8192, deconvs back; BN on 3 + 4 layers
  const conv = 16 * (3 * 64 + 64 * 128 + 128 * 256 + 256 * 512) + (64 + 128 + 256 + 512);
  const heads = 2 * (8192 * 100 + 100) + (100 * 8192 + 8192);
  const deconv = 16 * (512 * 256 + 256 * 128 + 128 * 64 + 64 * 3) + (256 + 128 + 64 + 3);
  const bn = 2 * (128 + 256 + 512) + 2 * (256 + 128 + 64 + 3);
  assert.equal(m.nParams, conv + heads + deconv + bn);
  const S = m.sample(3, 0);
  assert.deepEqual(S.shape, [3, 64 * 64 * 3]);
  S.dispose(); X.dispose(); m.dispose();
});

test('ConvVAE on small fixture images: loss falls, reconstruct / sample in [0,1], no leaks; conv RVAE runs', async () => {
  await ready;
  const X = fixture(32, 16, 16, 2);
  const before = tf.memory().numTensors;
  const m = new ConvVAE({ imageShape: [16, 16, 3], channels: [8, 16], latentDim: 4, epochs: 6, batchSize: 16, learningRate: 3e-3, seed: 1 });
  await m.fit(X, { progress: false });
  const h = m.history.epochs.map((e) => e.loss);
  assert.ok(h[h.length - 1] < h[0], `loss ${h}`);
  const R = m.reconstruct(X), S = m.sample(5, 2);
  for (const T of [R, S]) {
    const [lo, hi] = tf.tidy(() => [T.min().dataSync()[0], T.max().dataSync()[0]]);
    assert.ok(lo >= 0 && hi <= 1);
  }
  tf.dispose([R, S]);
  m.dispose();
  const r = new RVAE({ architecture: 'conv', conv: { imageShape: [16, 16, 3], channels: [8, 16], latentDim: 4, batchSize: 16 }, outer: 2, innerEpochs: 1, lambda: 0.2, lambdaConvention: 'paper', stopRule: 'none' });
  await r.fit(X, { progress: false });
  assert.equal(r.history.outer.length, 2);
  const G = r.sample(2);
  assert.deepEqual(G.shape, [2, 16 * 16 * 3]);
  G.dispose();
  r.dispose();
  assert.equal(tf.memory().numTensors, before);
  X.dispose();
  assert.throws(() => new ConvVAE({ imageShape: [10, 10, 3] }), /divisible/);
});
