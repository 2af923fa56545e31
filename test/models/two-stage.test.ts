import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, nativeBackend } from '../../src/backend';
import { TwoStage } from '../../src/models/two-stage';
import { manifoldData } from './helpers';

const ready = initBackend();
/** Whether the training step compiles here (tfjs-node and RML_COMPILE not 0): compiled-only asserts need it. */
const native = async () => { await ready; return nativeBackend() !== null && process.env.RML_COMPILE !== '0'; };

test('TwoStage: LPF, RPCA and RDA denoisers then a VAE; L clipped to [0,1]; timings; samples; no leaks', async () => {
  await ready;
  const X = manifoldData(3, 60, 16); // 4x4 "images"
  const before = tf.memory().numTensors;
  for (const denoiser of ['lpf', 'rpca', 'rda'] as const) {
    const denoiserOptions = denoiser === 'lpf' ? { height: 4, width: 4, channels: 1 }
      : denoiser === 'rpca' ? { maxIter: 20 }
        : { layers: [16, 8, 3], outer: 2, innerEpochs: 2, batchSize: 30, lambda: 0.2, stopRule: 'none', traceObjective: false };
    const m = new TwoStage({ denoiser, denoiserOptions, vae: { hidden: [8], latentDim: 2, epochs: 2, batchSize: 30 } });
    await m.fit(X, { progress: false });
    assert.equal(m.name, `${denoiser.toUpperCase()}+VAE`);
    const [lo, hi] = tf.tidy(() => [m.L!.min().dataSync()[0], m.L!.max().dataSync()[0]]);
    assert.ok(lo >= 0 && hi <= 1);
    assert.ok(m.denoiserSeconds >= 0 && m.vaeSeconds > 0 && m.seconds >= m.vaeSeconds);
    const S = m.sample(3, 1);
    assert.deepEqual(S.shape, [3, 16]);
    S.dispose();
    m.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => new TwoStage({ denoiser: 'median' as never }), /unknown denoiser/);
  X.dispose();
});

test('TwoStage: its VAE trains through the compiled step (status graph) with the same epoch losses and samples as the eager step', async () => {
  await ready;
  const compiles = await native();
  const X = manifoldData(5, 64, 16);
  const before = tf.memory().numTensors;
  const run = async (compiledStep: boolean) => {
    const m = new TwoStage({ denoiser: 'lpf', denoiserOptions: { height: 4, width: 4, channels: 1 }, vae: { hidden: [8], latentDim: 2, epochs: 4, batchSize: 16, learningRate: 1e-2, seed: 3, compiledStep } });
    await m.fit(X, { progress: false });
    const status = m.vae.trainingStep!.status;
    const losses = m.history.epochs.map((e) => e.loss);
    const S = m.sample(20, 4);
    const s = Array.from(S.dataSync());
    S.dispose(); m.dispose();
    return { status, losses, s };
  };
  const a = await run(true), b = await run(false);
  assert.equal(a.status, compiles ? 'graph' : 'eager');
  assert.equal(b.status, 'eager');
  // 16 Adam steps, the same kernels: float rounding (see vae.test.ts for the bounds)
  a.losses.forEach((l, i) => assert.ok(Math.abs(l - b.losses[i]) <= 1e-4 * Math.abs(b.losses[i]), `epoch ${i}: ${l} vs ${b.losses[i]}`));
  let worst = 0;
  a.s.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - b.s[i])); });
  assert.ok(worst < 1e-3, `samples differ by ${worst}`);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  X.dispose();
});
