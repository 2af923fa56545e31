import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, nativeBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { DaiAE, DaiAEOptions, DAI_AE_L2_PAPER_C2 } from '../../src/models/dai-ae';
import { DaiLossOptions } from '../../src/models/dai-vae';
import { twinCheck } from '../train/twin';
import { daiTwinNet, daiTwinData } from './dai-twin';

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
  const base: Partial<DaiAEOptions> = { encoderHidden: [12, 8], decoderHidden: [8, 12], latentDim: 4, epochs: 4, batchSize: 20, learningRate: 3e-3, minVariance: 1e-3, weightDecay: 5e-4, seed: 2 };
  for (const o of [{ penalty: 'l2', c2: 0.5 }, { penalty: 'l1', c2: 0.3, weightDecay: 0 }] as Partial<DaiAEOptions>[]) {
    const run = async (compiledStep: boolean) => {
      const m = new DaiAE({ ...base, ...o, compiledStep });
      await m.fit(X);
      const rec = m.history.epochs.map((r) => [r.loss, (r as { data?: number }).data ?? 0, (r as { latent?: number }).latent ?? 0]);
      const w = m.variables.map((v) => Array.from(v.dataSync()));
      const status = m.stepStatus;
      m.dispose();
      return { rec, w, status };
    };
    const before = tf.memory().numTensors;
    const a = await run(true), b = await run(false);
    assert.equal(tf.memory().numTensors, before, `${o.penalty}: tensors leaked`);
    assert.equal(b.status, 'eager');
    if (!native) continue;
    assert.equal(a.status, 'graph', `${o.penalty}: the fit did not run the compiled step`);
    // As in dai-vae.test.ts: 16 Adam steps at the default epsilon, compared loosely.
    a.rec.forEach((r, e) => r.forEach((v, j) => assert.ok(Math.abs(v - b.rec[e][j]) <= 2e-4 * Math.max(1, Math.abs(b.rec[e][j])), `${o.penalty} epoch ${e} part ${j}: ${v} vs ${b.rec[e][j]}`)));
    let worst = 0;
    a.w.forEach((wa, k) => wa.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - b.w[k][j])); }));
    assert.ok(worst < 1e-3, `${o.penalty}: weights differ by ${worst}`);
  }
  X.dispose();
});
