import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { GraphSession } from '../../src/train/graph';
import { VaeGraphAdam } from '../../src/train/graph-vae';
import { VAE, VAEOptions } from '../../src/models/vae';

const ready = initBackend();

/** Trains the same VAE twice, with the compiled graph step and with tfjs autodiff, and returns both histories and weights. */
async function twin(X: tf.Tensor2D, o: Partial<VAEOptions>) {
  const run = async (compiledStep: boolean) => {
    const vae = new VAE({ hidden: [10, 6], latentDim: 3, epochs: 3, batchSize: 16, learningRate: 1e-2, seed: 4, ...o, compiledStep });
    await vae.fit(X, { progress: false });
    await vae.partialFit(X, { epochs: 2, progress: false }); // the Adam state carries over between calls
    const losses = vae.history.epochs.map((r) => r.loss);
    const w = vae.variables.map((v) => Array.from(v.dataSync()));
    vae.dispose();
    return { losses, w };
  };
  return [await run(true), await run(false)];
}

test('VaeGraphAdam: the VAE trains as with tfjs autodiff (bernoulli/gaussian, sigma/authors-code reparam), same losses and weights, no tensor growth', async (t) => {
  await ready;
  if (!GraphSession.available()) { t.skip('native TensorFlow backend not available'); return; }
  const rng = new Rng(3);
  const X = tf.tensor2d(rng.uniformArray(50 * 12), [50, 12]);
  for (const o of [{ likelihood: 'bernoulli', reparam: 'sigma' }, { likelihood: 'bernoulli', reparam: 'authors-code', activation: 'relu' }, { likelihood: 'gaussian', gaussianStd: 0.5, reparam: 'sigma', activation: 'tanh' }] as Partial<VAEOptions>[]) {
    const before = tf.memory().numTensors;
    const [a, b] = await twin(X, o);
    assert.equal(tf.memory().numTensors, before, `${JSON.stringify(o)}: no tensors left behind`);
    assert.equal(a.losses.length, 5);
    assert.ok(a.losses[4] < a.losses[0], `loss fell: ${a.losses[0]} -> ${a.losses[4]}`);
    a.losses.forEach((l, i) => assert.ok(Math.abs(l - b.losses[i]) <= 1e-4 * Math.abs(b.losses[i]), `${JSON.stringify(o)} epoch ${i}: ${l} vs ${b.losses[i]}`));
    let worst = 0;
    a.w.forEach((wa, k) => wa.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - b.w[k][j])); }));
    assert.ok(worst < 1e-3, `${JSON.stringify(o)}: weights differ by ${worst}`);
  }
  X.dispose();
});

test('VaeGraphAdam: rejects bad options and noise of the wrong shape', async (t) => {
  await ready;
  if (!GraphSession.available()) { t.skip('native TensorFlow backend not available'); return; }
  const v = (s: number[]) => tf.variable(tf.zeros(s));
  const net = { enc: [{ W: v([4, 3]), b: v([3]) }], muHead: { W: v([3, 2]), b: v([2]) }, lvHead: { W: v([3, 2]), b: v([2]) }, dec: [{ W: v([2, 4]), b: v([4]) }], activation: 'sigmoid' as const };
  assert.throws(() => new VaeGraphAdam(net, { learningRate: 1e-3, likelihood: 'poisson' as 'gaussian', reparam: 'sigma' }), /unknown likelihood/);
  assert.throws(() => new VaeGraphAdam(net, { learningRate: 1e-3, likelihood: 'gaussian', gaussianStd: 0, reparam: 'sigma' }), /gaussianStd must be > 0/);
  assert.throws(() => new VaeGraphAdam({ ...net, dec: [] }, { learningRate: 1e-3, likelihood: 'bernoulli', reparam: 'sigma' }), /decoder has no layers/);
  const g = new VaeGraphAdam(net, { learningRate: 1e-3, likelihood: 'bernoulli', reparam: 'sigma' });
  const x = tf.zeros([5, 4]) as tf.Tensor2D;
  assert.throws(() => g.step(x, tf.zeros([5, 3]) as tf.Tensor2D), /noise must be \[5, 2\]/);
  const r = g.step(x, tf.zeros([5, 2]) as tf.Tensor2D);
  assert.ok(Number.isFinite(r.loss.dataSync()[0]));
  // loss = recon + kl
  assert.ok(Math.abs(r.loss.dataSync()[0] - r.recon.dataSync()[0] - r.kl.dataSync()[0]) < 1e-4);
  tf.dispose([r.loss, r.recon, r.kl, x]);
  g.dispose();
});
