import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, nativeBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { DaiAE, DaiAEOptions, DAI_AE_L2_PAPER_C2 } from '../../src/models/dai-ae';
import { DaiLossOptions } from '../../src/models/dai-vae';
import { twinCheck } from '../train/twin';
import { daiTwinNet, daiTwinData, DAI_FIT_BASE, compiledVsEagerFit } from './dai-twin';

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

const compiles = async () => { await initBackend(); return nativeBackend() !== null && process.env.RML_COMPILE !== '0'; };

test('DaiAE step: the traced graph equals the eager step (twin check, 3 steps from synced weights) for AE-l2 and AE-l1, no tensor growth', async (t) => {
  if (!(await compiles())) { t.skip('no compiled step here (native backend missing or RML_COMPILE=0)'); return; }
  const X = daiTwinData();
  const before = tf.memory().numTensors;
  for (const o of [{ latentPenalty: 'l2', c2: 0.5 }, { latentPenalty: 'l1', c2: 0.3, weightDecay: 0 }] as Partial<DaiLossOptions>[]) {
    const p: DaiLossOptions = { latentPenalty: 'l2', c2: 1, weightDecay: 5e-4, tau: 1, minVariance: 1e-3, sigmaX: 'per-sample', ...o };
    const { make, loss } = daiTwinNet(false, p, 12);
    const status = twinCheck({ make, loss, inputs: (k) => [tf.slice(X, 20 * k, 20)], learningRate: 1e-3 });
    assert.equal(status, 'graph', `${o.latentPenalty}: the step did not compile`);
  }
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  X.dispose();
});

test('DaiAE fit: compiled and eager runs give the same records and weights (AE-l2, AE-l1), the compiled one ran as a graph, no tensor growth', async () => {
  const native = await compiles();
  const X = daiTwinData();
  for (const o of [{ penalty: 'l2', c2: 0.5 }, { penalty: 'l1', c2: 0.3, weightDecay: 0 }] as Partial<DaiAEOptions>[]) {
    await compiledVsEagerFit((compiledStep) => new DaiAE({ ...DAI_FIT_BASE, ...o, compiledStep }), X, native, `${o.penalty}`);
  }
  X.dispose();
});
