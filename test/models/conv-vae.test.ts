import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, nativeBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { ConvVAE, ConvVAEOptions } from '../../src/models/conv-vae';
import { RVAE } from '../../src/models/rvae';
import { twinCheck } from '../train/twin';

const ready = initBackend();
/** Whether the training step compiles here (tfjs-node and RML_COMPILE not 0): compiled-only asserts need it. */
const native = async () => { await ready; return nativeBackend() !== null && process.env.RML_COMPILE !== '0'; };

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

const SMALL: Partial<ConvVAEOptions> = { imageShape: [8, 8, 3], channels: [4, 8], latentDim: 3, batchSize: 6, seed: 3 };

test('ConvVAE: the compiled step equals the eager step it was traced from (twin check on the model\'s own loss and variables)', async (t) => {
  if (!(await native())) { t.skip('the step compiles only on tfjs-node with RML_COMPILE unset'); return; }
  const X = fixture(24, 8, 8, 5);
  const before = tf.memory().numTensors;
  const models: ConvVAE[] = [];
  let names: string[] = [];
  const status = twinCheck({
    make: () => {
      const m = new ConvVAE(SMALL);
      m.build();
      models.push(m);
      names = m.variables.map((v) => v.name);
      return { trained: m.variables };
    },
    loss: (vars) => models.find((m) => m.variables[0] === vars[0])!.stepLoss,
    inputs: (k) => [tf.slice(X, 6 * k, 6), tf.randomNormal([6, 3], 0, 1, 'float32', 70 + k)],
    steps: 4, learningRate: 1e-3,
    // A bias right before a BatchNorm (every conv but the first, every transposed conv) has gradient 0 exactly:
    // BatchNorm subtracts the batch mean. Its computed gradient is rounding noise, so it is only checked to move <= lr.
    zeroGrad: (k) => /^cvae_(eb[1-9]\d*|tb\d+)_/.test(names[k]),
  });
  assert.equal(status, 'graph');
  models.forEach((m) => m.dispose()); // the twin check disposed the trained variables; the rest is the models'
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  X.dispose();
});

test('ConvVAE: compiled and eager steps from the same weights give the same loss and the same BatchNorm batch statistics; status graph / eager', async () => {
  await ready;
  const compiles = await native();
  const X = fixture(6, 8, 8, 6);
  const before = tf.memory().numTensors;
  const a = new ConvVAE({ ...SMALL, compiledStep: true }), b = new ConvVAE({ ...SMALL, compiledStep: false });
  a.build(); b.build();
  const eps = tf.randomNormal([6, 3], 0, 1, 'float32', 9);
  const ra = a.trainingStep!.run([X, eps]), rb = b.trainingStep!.run([X, eps]);
  assert.equal(a.trainingStep!.status, compiles ? 'graph' : 'eager');
  assert.equal(b.trainingStep!.status, 'eager');
  // the same forward pass from the same weights: a reduction of ~200 terms, rounding ~sqrt(N) u < 1e-5 relative
  const [la, lb] = [ra.loss.dataSync()[0], rb.loss.dataSync()[0]];
  assert.ok(Math.abs(la - lb) <= 1e-5 * Math.abs(lb), `loss ${la} (compiled) vs ${lb} (eager)`);
  // one BatchNorm after the second conv and after each of the two transposed convs: a mean and a variance each
  assert.deepEqual(Object.keys(ra.extras).sort(), ['e1_mean', 'e1_var', 't0_mean', 't0_var', 't1_mean', 't1_var']);
  assert.deepEqual(Object.keys(rb.extras).sort(), Object.keys(ra.extras).sort());
  for (const k of Object.keys(ra.extras)) {
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(ra.extras[k], rb.extras[k]))).dataSync()[0]);
    assert.ok(d <= 1e-5, `${k} differs by ${d}`);
  }
  tf.dispose([ra.loss, rb.loss, ...Object.values(ra.extras), ...Object.values(rb.extras), eps]);
  a.dispose(); b.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  X.dispose();
});

test('ConvVAE: repeated partialFit calls keep one step (Adam state, no retrace) with no tensor growth; training changes the reconstructions', async () => {
  await ready;
  const X = fixture(15, 8, 8, 7); // batches of 6, 6, 3: two input shapes
  const m = new ConvVAE({ ...SMALL, epochs: 1, learningRate: 3e-3 });
  await m.fit(X, { progress: false });
  const step = m.trainingStep!;
  const out0 = m.reconstruct(X);
  const counts: number[] = [];
  for (let i = 0; i < 4; i++) {
    await m.partialFit(X, { epochs: 1, progress: false });
    counts.push(tf.memory().numTensors);
  }
  assert.equal(m.trainingStep, step);
  assert.equal(step.iterations, 5 * 3);
  assert.deepEqual(m.history.epochs.map((r) => r.epoch), [1, 2, 3, 4, 5]);
  assert.ok(counts.every((c) => c === counts[0]), `tensor count grows across fits: ${counts}`);
  if (await native()) assert.equal(step.status, 'graph');
  const out1 = m.reconstruct(X);
  const moved = tf.tidy(() => tf.max(tf.abs(tf.sub(out0, out1))).dataSync()[0]);
  assert.ok(moved > 1e-4, 'training changed the reconstructions');
  tf.dispose([out0, out1]);
  const x = tf.zeros([2, 192]);
  assert.throws(() => m.stepLoss([x], () => {}), /expected inputs \[x, eps\]/);
  x.dispose(); m.dispose(); X.dispose();
});
