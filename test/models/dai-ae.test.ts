import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { DaiAE, DAI_AE_L2_PAPER_C2 } from '../../src/models/dai-ae';

const small = { encoderHidden: [16], decoderHidden: [16], latentDim: 4, epochs: 3, batchSize: 20, learningRate: 1e-3 };
const data = (n = 60, d = 8, seed = 1) => tf.tensor2d(new Rng(seed).normalArray(n * d), [n, d]);

test('DaiAE: AE-l2 / AE-l1 are the VAE with Sigma_z = 0 and a C2 penalty', async () => {
  await initBackend();
  const X = data();
  const l2 = new DaiAE({ ...small, penalty: 'l2' });
  assert.equal(l2.params.c2, DAI_AE_L2_PAPER_C2, 'paper tuned C2 = 1e3 for AE-l2 as default');
  assert.equal(DAI_AE_L2_PAPER_C2, 1000);
  assert.equal(l2.isVAE, false);
  const l1 = new DaiAE({ ...small, penalty: 'l1', c2: 0.5 });
  assert.equal(l1.penalty, 'l1');
  await l1.fit(X);
  const lat = l1.latent(X);
  assert.equal(lat.variance.max().dataSync()[0], 0);
  tf.dispose([lat.mean, lat.variance]);
  l1.dispose(); l2.dispose(); X.dispose();
});

test('DaiAE: a larger C2 shrinks the latent code mu_z', async () => {
  await initBackend();
  const X = data(200, 8, 4);
  const before = tf.memory().numTensors;
  const mk = (c2: number) => new DaiAE({ ...small, epochs: 15, penalty: 'l2', c2, seed: 2 });
  const weak = mk(0), strong = mk(100);
  await weak.fit(X); await strong.fit(X);
  const norm = (m: DaiAE) => { const z = m.transform(X); const v = tf.tidy(() => tf.mean(tf.square(z)).dataSync()[0]); z.dispose(); return v; };
  assert.ok(norm(strong) < norm(weak), 'C2 shrinks the code');
  weak.dispose(); strong.dispose();
  assert.equal(tf.memory().numTensors, before);
  X.dispose();
});
