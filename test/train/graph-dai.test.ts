import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { GraphSession } from '../../src/train/graph';
import { DaiGraphAdam } from '../../src/train/graph-dai';
import { DaiVAE, DaiVAEOptions } from '../../src/models/dai-vae';

const ready = initBackend();

test('DaiGraphAdam: the Dai VAE, AE-l2 and AE-l1 train as with tfjs autodiff (same records and weights), no tensor growth', async (t) => {
  await ready;
  if (!GraphSession.available()) { t.skip('native TensorFlow backend not available'); return; }
  const rng = new Rng(8);
  // Some entries far from the fit (r^2 > alpha) and many close to it (r^2 < alpha): both sides of the max.
  const X = tf.tensor2d(rng.normalArray(80 * 10).map((v, i) => (i % 7 === 0 ? 3 * v : 0.05 * v)), [80, 10]);
  const base: Partial<DaiVAEOptions> = { encoderHidden: [12, 8], decoderHidden: [8, 12], latentDim: 4, epochs: 4, batchSize: 20, learningRate: 3e-3, minVariance: 1e-3, weightDecay: 5e-4, seed: 2 };
  for (const o of [{ encoderCovariance: 'learned', latentPenalty: 'kl' }, { encoderCovariance: 'zero', latentPenalty: 'l2', c2: 0.5 }, { encoderCovariance: 'zero', latentPenalty: 'l1', c2: 0.3, weightDecay: 0 }] as Partial<DaiVAEOptions>[]) {
    const run = async (compiledStep: boolean) => {
      const m = new DaiVAE({ ...base, ...o, compiledStep });
      await m.fit(X);
      const rec = m.history.epochs.map((r) => [r.loss, (r as { data?: number }).data ?? 0, (r as { latent?: number }).latent ?? 0]);
      const w = m.variables.map((v) => Array.from(v.dataSync()));
      m.dispose();
      return { rec, w };
    };
    const before = tf.memory().numTensors;
    const a = await run(true), b = await run(false);
    assert.ok(tf.memory().numTensors <= before + 1, `${o.latentPenalty}: no tensor growth (${before} -> ${tf.memory().numTensors})`);
    assert.equal(a.rec.length, 4);
    a.rec.forEach((r, e) => r.forEach((v, j) => assert.ok(Math.abs(v - b.rec[e][j]) <= 2e-4 * Math.max(1, Math.abs(b.rec[e][j])), `${o.latentPenalty} epoch ${e} part ${j}: ${v} vs ${b.rec[e][j]}`)));
    let worst = 0;
    a.w.forEach((wa, k) => wa.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - b.w[k][j])); }));
    assert.ok(worst < 1e-3, `${o.latentPenalty}: weights differ by ${worst}`);
  }
  X.dispose();
});

test('DaiGraphAdam: rejects a KL without a variance head, bad alpha, missing noise', async (t) => {
  await ready;
  if (!GraphSession.available()) { t.skip('native TensorFlow backend not available'); return; }
  const v = (s: number[]) => tf.variable(tf.zeros(s));
  const net = { enc: [{ W: v([4, 3]), b: v([3]) }], muHead: { W: v([3, 2]), b: v([2]) }, logVarHead: null, dec: [{ W: v([2, 4]), b: v([4]) }] };
  const o = { learningRate: 1e-3, latentPenalty: 'l2' as const, c2: 1, weightDecay: 0, minVariance: 1e-3 };
  assert.throws(() => new DaiGraphAdam(net, { ...o, latentPenalty: 'kl' }), /KL goes with a variance head/);
  assert.throws(() => new DaiGraphAdam(net, { ...o, minVariance: 0 }), /minVariance must be > 0/);
  const vae = new DaiGraphAdam({ ...net, logVarHead: { W: v([3, 2]), b: v([2]) } }, { ...o, latentPenalty: 'kl' });
  assert.throws(() => vae.step(tf.zeros([5, 4]) as tf.Tensor2D), /needs noise of shape \[5, 2\]/);
  vae.dispose();
});
