import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { TwoStage } from '../../src/models/two-stage';
import { manifoldData } from './helpers';

const ready = initBackend();

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
