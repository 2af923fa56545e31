import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { RDAE } from '../../src/models/rdae';
import { RNLF } from '../../src/models/rnlf';
import { conv28Spec, conv28Encoder, conv28Decoder, conv28Encode, conv28Decode, conv28AllVariables, conv28Variables } from '../../src/nets/conv28';
import { resnet32Spec } from '../../src/nets/resnet32';

test('conv28 (Li et al. Tables 3-4): shapes, parameter count, sigmoid output, no leaks', async () => {
  await initBackend();
  const before = tf.memory().numTensors;
  const rng = new Rng(1);
  const e = conv28Encoder(30, rng.fork('e')), d = conv28Decoder(30, rng.fork('d'));
  // conv 1->64 4x4, 64->128 4x4, 128->30 7x7 (+ biases, BN gamma/beta)
  const encParams = 16 * 64 + 64 + 2 * 64 + 16 * 64 * 128 + 128 + 2 * 128 + 49 * 128 * 30 + 30;
  assert.equal(conv28Variables(e).reduce((s, v) => s + v.size, 0), encParams);
  const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const z = tf.tidy(() => conv28Encode(e, x, true));
  assert.deepEqual(z.shape, [3, 30]);
  const y = tf.tidy(() => conv28Decode(d, z, false));
  assert.deepEqual(y.shape, [3, 28, 28, 1]);
  const v = y.dataSync();
  assert.ok(v.every((t) => t > 0 && t < 1));
  // training-mode BatchNorm moved the running mean of the first encoder BN layer
  assert.ok(Math.abs(e.bn1.mean.dataSync()[0]) > 0);
  tf.dispose([x, z, y]);
  for (const w of [...conv28AllVariables(e), ...conv28AllVariables(d)]) w.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});

test('resnet32 (Li et al. Tables 5-6, small width): shapes and tanh range', async () => {
  await initBackend();
  const before = tf.memory().numTensors;
  const spec = resnet32Spec(4);
  const enc = spec.makeEncoder(16, new Rng(2)), dec = spec.makeDecoder(16, new Rng(3));
  const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
  const z = tf.tidy(() => enc.encode(x, true));
  assert.deepEqual(z.shape, [2, 16]);
  const y = tf.tidy(() => dec.decode(z, true));
  assert.deepEqual(y.shape, [2, 32, 32, 3]);
  assert.ok(y.dataSync().every((t) => t > -1 && t < 1));
  tf.dispose([x, z, y]);
  for (const w of [...enc.all, ...dec.all]) w.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});

test('RDAE and RNLF: fit lowers the l1 loss, decompose gives L + S = X, no tensor leaks', async () => {
  await initBackend();
  const before = tf.memory().numTensors;
  // 40 smooth 28x28 "images" (blobs) with impulse noise
  const rng = new Rng(5);
  const n = 40, imgs = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) {
    const cx = 8 + 12 * rng.uniform(), cy = 8 + 12 * rng.uniform();
    for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) {
      let v = Math.exp(-((r - cy) ** 2 + (c - cx) ** 2) / 20);
      if (rng.uniform() < 0.1) v = rng.uniform() < 0.5 ? 0 : 1;
      imgs[i * 784 + r * 28 + c] = v;
    }
  }
  const X = tf.tensor2d(imgs, [n, 784]);
  const rdae = await new RDAE({ epochs: 4, batchSize: 20, learningRate: 1e-3 }).fit(X, { progress: false });
  const h = rdae.history.epochs;
  assert.equal(h.length, 4);
  assert.ok(h[3].loss < h[0].loss, `RDAE loss ${h.map((e) => e.loss)}`);
  const { L, S } = rdae.decompose();
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(tf.add(L, S), X))).dataSync()[0]) < 1e-6);
  const codes = rdae.transform(X);
  assert.deepEqual(codes.shape, [n, 30]);
  tf.dispose([L, S, codes]);
  rdae.dispose();

  const rnlf = await new RNLF({ epochs: 4, batchSize: 20, learningRate: 1e-3, transformEpochs: 2 }).fit(X, { progress: false });
  const g = rnlf.history.epochs;
  assert.ok(g[3].loss < g[0].loss, `RNLF loss ${g.map((e) => e.loss)}`);
  assert.deepEqual(rnlf.Z.shape, [n, 30]);
  const d = rnlf.decompose();
  assert.deepEqual(d.L.shape, [n, 784]);
  const r2 = await rnlf.reconstructAsync(tf.slice(X, 0, 5) as tf.Tensor2D);
  assert.deepEqual(r2.shape, [5, 784]);
  assert.throws(() => rnlf.reconstruct(X), /reconstructAsync/);
  tf.dispose([d.L, d.S, r2]);
  rnlf.dispose();
  X.dispose();
  // the sliced input above was created outside tidy: allow that one tensor
  assert.ok(tf.memory().numTensors <= before + 1, `tensors leaked: ${tf.memory().numTensors - before}`);
});

test('RDAE / RNLF validate their options and inputs', async () => {
  await initBackend();
  assert.throws(() => new RDAE({ codeDim: 0 }), /codeDim/);
  assert.throws(() => new RNLF({ codeLearningRate: -1 }), /codeLearningRate/);
  assert.throws(() => new RDAE({ nope: 1 } as never), /unknown option/);
  const X = tf.zeros([4, 100]) as tf.Tensor2D;
  await assert.rejects(() => new RDAE({ epochs: 1 }).fit(X), /784/);
  await assert.rejects(() => new RNLF({ epochs: 1, net: conv28Spec(1) }).fit(X), /784/);
  X.dispose();
});
