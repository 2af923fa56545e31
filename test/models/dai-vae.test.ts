import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, nativeBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { DaiVAE, DAI_VAE_DEFAULTS, DaiVAEOptions, DaiLossOptions, daiStepLoss } from '../../src/models/dai-vae';
import { DaiAE } from '../../src/models/dai-ae';
import { twinCheck } from '../train/twin';
import { daiTwinNet, daiTwinData, DAI_FIT_BASE, compiledVsEagerFit } from './dai-twin';

const small = { encoderHidden: [16], decoderHidden: [16], latentDim: 4, epochs: 3, batchSize: 20, learningRate: 1e-3 };

function data(n = 60, d = 8, seed = 1): tf.Tensor2D {
  return tf.tensor2d(new Rng(seed).normalArray(n * d), [n, d]);
}

test('DaiVAE defaults are the paper Sec. 5.1 settings', () => {
  assert.deepEqual(DAI_VAE_DEFAULTS.encoderHidden, [2000, 1000]);
  assert.deepEqual(DAI_VAE_DEFAULTS.decoderHidden, [1000, 2000]);
  assert.equal(DAI_VAE_DEFAULTS.latentDim, 50);
  assert.equal(DAI_VAE_DEFAULTS.learningRate, 1e-4);
  assert.equal(DAI_VAE_DEFAULTS.batchSize, 100);
  assert.equal(DAI_VAE_DEFAULTS.epochs, 200);
  assert.equal(DAI_VAE_DEFAULTS.weightDecay, 5e-4);
  assert.equal(DAI_VAE_DEFAULTS.tau, 1);
});

test('DaiVAE: shapes of every output, seeded, no tensor leaks across fit / read / dispose', async () => {
  await initBackend();
  const X = data();
  const before = tf.memory().numTensors;
  const run = async () => {
    const m = new DaiVAE({ ...small, seed: 3 });
    await m.fit(X);
    const { L, S } = m.decompose();
    const R = m.reconstruct(X);
    const lat = m.latent(X);
    const Z = m.transform(X);
    const G = m.sample(5, 1);
    assert.deepEqual(L.shape, [60, 8]); assert.deepEqual(S.shape, [60, 8]);
    assert.deepEqual(lat.mean.shape, [60, 4]); assert.deepEqual(lat.variance.shape, [60, 4]);
    assert.ok(Array.from(lat.variance.dataSync()).every((v) => v > 0));
    assert.deepEqual(G.shape, [5, 8]);
    assert.deepEqual(m.firstDecoderWeights.shape, [4, 16]);
    assert.equal(m.history.epochs.length, 3);
    const sum = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.add(L, S), X))).dataSync()[0]);
    assert.ok(sum < 1e-5, 'X = L + S');
    const out = Array.from(R.dataSync());
    tf.dispose([L, S, R, lat.mean, lat.variance, Z, G]);
    m.dispose();
    return out;
  };
  const a = await run();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  const b = await run();
  assert.deepEqual(a, b, 'same seed, same model');
  X.dispose();
});

test('DaiVAE objective: closed-form Sigma_x data term and 2 KL, checked against the formula', async () => {
  await initBackend();
  const X = data(30, 6, 2);
  const alpha = 1e-2;
  const m = new DaiAE({ ...small, epochs: 0, penalty: 'l2', c2: 7, minVariance: alpha, seed: 1 });
  await m.fit(X);
  const [dataTerm, latent] = tf.tidy(() => { const o = m.objective(X, 1); return [Array.from(o.data.dataSync()), Array.from(o.latent.dataSync())]; });
  const R = m.reconstruct(X); const mu = m.transform(X);
  const x = X.dataSync(), r = R.dataSync(), z = mu.dataSync();
  for (let i = 0; i < 30; i++) {
    let e = 0; for (let j = 0; j < 6; j++) { const r2 = (x[i * 6 + j] - r[i * 6 + j]) ** 2; const s2 = Math.max(r2, alpha); e += Math.log(s2) + r2 / s2; }
    let p = 0; for (let k = 0; k < 4; k++) p += z[i * 4 + k] ** 2;
    assert.ok(Math.abs(e - dataTerm[i]) < 1e-3 * Math.max(1, Math.abs(e)), `data term row ${i}: ${dataTerm[i]} vs ${e}`);
    assert.ok(Math.abs(7 * p - latent[i]) < 1e-3 * Math.max(1, 7 * p), `latent row ${i}`);
  }
  tf.dispose([R, mu]); m.dispose();
  // VAE: with the variance head the latent part is tr + ||mu||^2 - log det - kappa >= 0
  const v = new DaiVAE({ ...small, epochs: 0, seed: 2 });
  await v.fit(X);
  const kl = tf.tidy(() => Array.from(v.objective(X, 3).latent.dataSync()));
  const lat = v.latent(X);
  const mv = lat.mean.dataSync(), vv = lat.variance.dataSync();
  for (let i = 0; i < 30; i++) {
    let e = 0; for (let k = 0; k < 4; k++) e += vv[i * 4 + k] + mv[i * 4 + k] ** 2 - Math.log(vv[i * 4 + k]) - 1;
    assert.ok(Math.abs(e - kl[i]) < 1e-3 * Math.max(1, e) && kl[i] >= -1e-5, `KL row ${i}: ${kl[i]} vs ${e}`);
  }
  tf.dispose([lat.mean, lat.variance]); v.dispose(); X.dispose();
});

test('DaiVAE tau > 1 (per-sample and per-draw Sigma_x) and deeper / shallower nets train', async () => {
  await initBackend();
  const X = data();
  for (const o of [{ tau: 5 }, { tau: 3, sigmaX: 'per-draw' as const }, { encoderHidden: [], decoderHidden: [] }, { encoderHidden: [8, 8, 8], decoderHidden: [8, 8, 8] }]) {
    const m = new DaiVAE({ ...small, ...o, epochs: 2 });
    await m.fit(X);
    assert.ok(m.history.epochs.every((r) => Number.isFinite(r.loss)));
    const L = m.reconstruct(X); assert.deepEqual(L.shape, [60, 8]); L.dispose();
    m.dispose();
  }
  X.dispose();
});

test('DaiVAE: the loss falls, and Sigma_z shrinks on a 1-D manifold', async () => {
  await initBackend();
  const rng = new Rng(5);
  const n = 400, d = 10;
  const t = rng.normalArray(n);
  const dir = rng.normalArray(d);
  const X = tf.tensor2d(Float32Array.from({ length: n * d }, (_, k) => Math.tanh(t[Math.floor(k / d)] * dir[k % d])), [n, d]);
  const m = new DaiVAE({ encoderHidden: [32], decoderHidden: [32], latentDim: 4, epochs: 60, batchSize: 50, learningRate: 3e-3, seed: 1 });
  await m.fit(X);
  const h = m.history.epochs;
  assert.ok(h[h.length - 1].loss < h[0].loss - 5, `loss ${h[0].loss} -> ${h[h.length - 1].loss}`);
  const lat = m.latent(X);
  const minMeanVar = Math.min(...Array.from(tf.tidy(() => lat.variance.mean(0).dataSync())));
  assert.ok(minMeanVar < 0.2, `smallest mean Sigma_z ${minMeanVar}`);
  tf.dispose([lat.mean, lat.variance, X]); m.dispose();
});

test('DaiVAE / DaiAE reject bad options and input', async () => {
  await initBackend();
  assert.throws(() => new DaiVAE({ tau: 0 }), /tau/);
  assert.throws(() => new DaiVAE({ latentPenalty: 'l2' }), /learned Sigma_z/);
  assert.throws(() => new DaiVAE({ encoderCovariance: 'zero' }), /KL is undefined/);
  assert.throws(() => new DaiVAE({ minVariance: 0 }), /minVariance/);
  assert.throws(() => new DaiVAE({ decoderHidden: [0] }), /decoderHidden/);
  assert.throws(() => new DaiVAE({ bogus: 1 } as never), /unknown option/);
  assert.throws(() => new DaiAE({ penalty: 'l3' as never }), /penalty/);
  const m = new DaiVAE(small);
  assert.throws(() => m.reconstruct(tf.zeros([2, 8]) as tf.Tensor2D), /fit\(\) first/);
  await assert.rejects(m.fit(tf.tensor2d([[NaN, 1]])), /non-finite/);
  m.dispose();
});

test('DaiVAE checkpoints: the hook sees the weights of a run stopped at that epoch (compiled and eager paths), no leaks', async () => {
  await initBackend();
  const X = data();
  for (const tau of [1, 2]) {
    const before = tf.memory().numTensors;
    const seen: Record<number, Float32Array> = {};
    const long = new DaiVAE({ ...small, epochs: 4, tau, seed: 5 });
    await long.fit(X, { checkpoints: [2, 4], onCheckpoint: (e, m) => { const R = m.reconstruct(X); seen[e] = R.dataSync() as Float32Array; R.dispose(); } });
    assert.deepEqual(Object.keys(seen).map(Number), [2, 4]);
    const short = new DaiVAE({ ...small, epochs: 2, tau, seed: 5 });
    await short.fit(X);
    const Rs = short.reconstruct(X), Rl = long.reconstruct(X);
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };
    // the same seeds give the same batches and noise: epoch 2 of the long run = the 2-epoch run (float32 rounding)
    assert.ok(maxDiff(seen[2], Rs.dataSync()) < 1e-5, `tau ${tau}: checkpoint 2 differs from a 2-epoch run`);
    assert.ok(maxDiff(seen[4], Rl.dataSync()) < 1e-6, `tau ${tau}: checkpoint 4 differs from the final model`);
    assert.ok(maxDiff(seen[2], seen[4]) > 1e-4, `tau ${tau}: training between the checkpoints changed nothing`);
    tf.dispose([Rs, Rl]);
    assert.equal(long.fitted, true);
    long.dispose(); short.dispose();
    assert.equal(tf.memory().numTensors, before, `tau ${tau}: tensors leaked`);
  }
  // the hook cannot run without a callback; a checkpointed model outside the hook is not readable mid-fit
  await assert.rejects(new DaiVAE({ ...small, epochs: 1 }).fit(X, { checkpoints: [1] }), /onCheckpoint/);
  X.dispose();
});

/** The compiled step is expected (tfjs-node, RML_COMPILE not 0). */
const compiles = async () => { await initBackend(); return nativeBackend() !== null && process.env.RML_COMPILE !== '0'; };

test('DaiVAE step: the traced graph equals the eager step (twin check, 3 steps from synced weights) for tau = 1, tau > 1 per-sample and per-draw Sigma_x, no tensor growth', async (t) => {
  if (!(await compiles())) { t.skip('no compiled step here (native backend missing or RML_COMPILE=0)'); return; }
  const X = daiTwinData();
  const before = tf.memory().numTensors;
  for (const o of [{ tau: 1 }, { tau: 3, sigmaX: 'per-sample' }, { tau: 2, sigmaX: 'per-draw', weightDecay: 0 }] as Partial<DaiLossOptions>[]) {
    const p: DaiLossOptions = { latentPenalty: 'kl', c2: 1, weightDecay: 5e-4, tau: 1, minVariance: 1e-3, sigmaX: 'per-sample', ...o };
    const { make, loss } = daiTwinNet(true, p, 11);
    const status = twinCheck({
      make, loss,
      // the batch and its noise [tau B, kappa], as the model's draws make it
      inputs: (k) => [tf.slice(X, 20 * k, 20), tf.randomNormal([p.tau * 20, 4], 0, 1, 'float32', 30 + k)],
      learningRate: 1e-3,
    });
    assert.equal(status, 'graph', `${JSON.stringify(o)}: the step did not compile`);
  }
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  X.dispose();
});

test('DaiVAE fit: compiled (every tau) and eager runs give the same records and weights, the compiled one ran as a graph, no tensor growth', async (t) => {
  const native = await compiles();
  const X = daiTwinData();
  for (const o of [{ tau: 1 }, { tau: 3 }] as Partial<DaiVAEOptions>[]) {
    await compiledVsEagerFit((compiledStep) => new DaiVAE({ ...DAI_FIT_BASE, ...o, compiledStep }), X, native, `tau ${o.tau}`);
  }
  X.dispose();
});

test('DaiVAE step loss: the VAE needs its noise as an input, of shape [tau B, kappa]', async () => {
  await initBackend();
  const p: DaiLossOptions = { latentPenalty: 'kl', c2: 1, weightDecay: 0, tau: 2, minVariance: 1e-3, sigmaX: 'per-sample' };
  const { make, loss } = daiTwinNet(true, p, 3);
  const vars = make().trained;
  const f = loss(vars, []);
  const x = tf.zeros([5, 10]);
  assert.throws(() => f([x], () => {}), /expects 2 inputs \(the batch and its noise\), got 1/);
  assert.throws(() => tf.tidy(() => f([x, tf.zeros([5, 4])], () => {})), /noise of shape \[10, 4\]/);
  const l = tf.tidy(() => f([x, tf.zeros([10, 4])], () => {}));
  assert.ok(Number.isFinite(l.dataSync()[0]));
  tf.dispose([l, x, ...vars]);
  assert.equal(typeof daiStepLoss, 'function');
});
