import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, nativeBackend } from '../../src/backend';
import { VAE, VAEOptions, vaeParamCount } from '../../src/models/vae';
import { twinCheck } from '../train/twin';
import { manifoldData } from './helpers';

const ready = initBackend();
/** Whether the training step compiles here (tfjs-node and RML_COMPILE not 0): compiled-only asserts need it. */
const native = async () => { await ready; return nativeBackend() !== null && process.env.RML_COMPILE !== '0'; };

/** The likelihood x reparameterisation x activation variants the step must compile for. */
const VARIANTS: Partial<VAEOptions>[] = [
  { likelihood: 'bernoulli', reparam: 'sigma', activation: 'sigmoid' },
  { likelihood: 'bernoulli', reparam: 'authors-code', activation: 'relu' },
  { likelihood: 'gaussian', gaussianStd: 0.5, reparam: 'sigma', activation: 'tanh' },
];

test('VAE: paper architecture 784-512-256-49-256-512-784 has the counted parameters; shapes and ranges', async () => {
  await ready;
  const vae = new VAE({ epochs: 0 });
  const X = tf.zeros([3, 784]) as tf.Tensor2D;
  await vae.fit(X, { progress: false });
  // encoder 784*512+512 + 512*256+256, two heads 2*(256*49+49), decoder 49*256+256 + 256*512+512 + 512*784+784
  const expected = 784 * 512 + 512 + 512 * 256 + 256 + 2 * (256 * 49 + 49) + 49 * 256 + 256 + 256 * 512 + 512 + 512 * 784 + 784;
  assert.equal(vae.nParams, expected);
  assert.equal(vaeParamCount(784), expected);
  const { mu, logVar } = vae.encode(X);
  assert.deepEqual(mu.shape, [3, 49]); assert.deepEqual(logVar.shape, [3, 49]);
  const S = vae.sample(7, 1);
  assert.deepEqual(S.shape, [7, 784]);
  const [lo, hi] = [S.min().dataSync()[0], S.max().dataSync()[0]];
  assert.ok(lo >= 0 && hi <= 1);
  tf.dispose([X, mu, logVar, S]);
  vae.dispose();
});

test('VAE: Bernoulli loss = softplus form of the cross-entropy + KL, checked by hand', async () => {
  await ready;
  const X = manifoldData(1, 20, 12);
  const vae = new VAE({ hidden: [6], latentDim: 2, epochs: 0, seed: 2 });
  await vae.fit(X, { progress: false });
  // With logVar forced to a value we can check: compare evaluate() with a hand computation at the same eps seed.
  const ev = vae.evaluate(X, 7);
  const { mu, logVar } = vae.encode(X);
  const klHand = tf.tidy(() => tf.mean(tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mu)), tf.exp(logVar)), 1))).dataSync()[0]);
  assert.ok(Math.abs(ev.kl - klHand) < 1e-4, `${ev.kl} vs ${klHand}`);
  assert.ok(ev.recon > 0 && Number.isFinite(ev.recon));
  tf.dispose([X, mu, logVar]);
  vae.dispose();
});

test("VAE: reparam 'sigma' draws z = mu + exp(logVar/2) eps, 'authors-code' z = mu + exp(logVar) eps", async () => {
  await ready;
  const X = manifoldData(3, 50, 10);
  const mk = async (reparam: 'sigma' | 'authors-code') => {
    const v = new VAE({ hidden: [8], latentDim: 3, epochs: 2, batchSize: 25, learningRate: 1e-2, seed: 4, reparam });
    await v.fit(X, { progress: false });
    return v;
  };
  for (const reparam of ['sigma', 'authors-code'] as const) {
    const v = await mk(reparam);
    const z = v.sampleLatent(X, 99);
    const { mu, logVar } = v.encode(X);
    const eps = tf.randomNormal(mu.shape, 0, 1, 'float32', 99);
    const s = reparam === 'sigma' ? tf.exp(tf.mul(logVar, 0.5)) : tf.exp(logVar);
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(z, tf.add(mu, tf.mul(s, eps))))).dataSync()[0]);
    assert.ok(err < 1e-5, `${reparam}: ${err}`);
    tf.dispose([z, mu, logVar, eps, s]);
    v.dispose();
  }
  X.dispose();
});

test('VAE: training lowers the negative ELBO; partialFit continues (epochs numbered on); same seed same result; no leaks', async () => {
  await ready;
  const X = manifoldData(5, 300, 16);
  const before = tf.memory().numTensors;
  const run = async () => {
    const v = new VAE({ hidden: [12], latentDim: 2, epochs: 8, batchSize: 50, learningRate: 1e-2, seed: 6, activation: 'relu' });
    await v.fit(X, { progress: false });
    await v.partialFit(X, { epochs: 2, progress: false });
    const h = v.history.epochs.map((e) => e.loss);
    const epochsSeen = v.history.epochs.map((e) => e.epoch);
    const S = v.sample(5, 3); const s = Array.from(S.dataSync()); S.dispose();
    v.dispose();
    return { h, epochsSeen, s };
  };
  const a = await run(), b = await run();
  assert.ok(a.h[a.h.length - 1] < a.h[0], `loss ${a.h[0]} -> ${a.h[a.h.length - 1]}`);
  assert.deepEqual(a.epochsSeen, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(a.h, b.h);
  assert.deepEqual(a.s, b.s);
  assert.equal(tf.memory().numTensors, before);
  X.dispose();
});

test('VAE: Gaussian likelihood trains; bad options are rejected', async () => {
  await ready;
  const X = manifoldData(8, 100, 10);
  const v = new VAE({ hidden: [8], latentDim: 2, epochs: 3, batchSize: 25, likelihood: 'gaussian', gaussianStd: 0.1, learningRate: 1e-2, activation: 'relu' });
  await v.fit(X, { progress: false });
  assert.ok(Number.isFinite(v.history.epochs[2].loss));
  v.dispose(); X.dispose();
  assert.throws(() => new VAE({ likelihood: 'poisson' as never }), /likelihood/);
  assert.throws(() => new VAE({ reparam: 'x' as never }), /reparam/);
  assert.throws(() => new VAE({ hidden: [0] }), /hidden/);
  assert.throws(() => new VAE({ foo: 1 } as never), /unknown option/);
  assert.throws(() => new VAE().sample(3), /fit/);
});

test('VAE: the compiled step equals the eager step it was traced from (twin check on the model\'s own loss and variables, every variant)', async (t) => {
  if (!(await native())) { t.skip('the step compiles only on tfjs-node with RML_COMPILE unset'); return; }
  const X = manifoldData(7, 64, 12);
  const before = tf.memory().numTensors;
  for (const o of VARIANTS) {
    const models: VAE[] = [];
    const status = twinCheck({
      // Two VAEs of the same seed: the twin check trains their variables (and disposes them).
      make: () => { const m = new VAE({ hidden: [10, 6], latentDim: 3, seed: 4, ...o }); m.build(12); models.push(m); return { trained: m.variables }; },
      loss: (vars) => models.find((m) => m.variables[0] === vars[0])!.stepLoss,
      // batch k of 16 rows and its reparameterisation noise (the twin check disposes both)
      inputs: (k) => [tf.slice(X, 16 * k, 16), tf.randomNormal([16, 3], 0, 1, 'float32', 50 + k)],
      steps: 4, learningRate: 1e-2,
    });
    assert.equal(status, 'graph', `${JSON.stringify(o)}: the step did not compile`);
  }
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  X.dispose();
});

test('VAE: trained compiled and eager through fit + partialFit, the same losses and weights (Adam state carried over), status graph / eager, no tensor growth', async () => {
  await ready;
  const compiles = await native();
  const X = manifoldData(3, 50, 12);
  for (const o of VARIANTS) {
    const run = async (compiledStep: boolean) => {
      const vae = new VAE({ hidden: [10, 6], latentDim: 3, epochs: 3, batchSize: 16, learningRate: 1e-2, seed: 4, ...o, compiledStep });
      await vae.fit(X, { progress: false }); // 50 rows in batches of 16: two batch shapes, two traced graphs
      await vae.partialFit(X, { epochs: 2, progress: false });
      const status = vae.trainingStep!.status, iterations = vae.trainingStep!.iterations;
      const losses = vae.history.epochs.map((r) => r.loss);
      const w = vae.variables.map((v) => Array.from(v.dataSync()));
      vae.dispose();
      return { losses, w, status, iterations };
    };
    const before = tf.memory().numTensors;
    const a = await run(true), b = await run(false);
    assert.equal(tf.memory().numTensors, before, `${JSON.stringify(o)}: tensors left behind`);
    assert.equal(a.status, compiles ? 'graph' : 'eager');
    assert.equal(b.status, 'eager');
    assert.equal(a.iterations, 5 * 4, 'one Adam step per batch, counted across fit and partialFit');
    assert.ok(a.losses[4] < a.losses[0], `loss fell: ${a.losses[0]} -> ${a.losses[4]}`);
    // Same kernels up to grappler's rewrites: float rounding only. Over 20 Adam steps with the default epsilon a
    // gradient within rounding of 0 can move a weight by +-lr (1e-2) differently, hence weights to 1e-3 in the
    // worst element (not seen in practice) and epoch losses to 1e-4 relative.
    a.losses.forEach((l, i) => assert.ok(Math.abs(l - b.losses[i]) <= 1e-4 * Math.abs(b.losses[i]), `${JSON.stringify(o)} epoch ${i}: ${l} vs ${b.losses[i]}`));
    let worst = 0;
    a.w.forEach((wa, k) => wa.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - b.w[k][j])); }));
    assert.ok(worst < 1e-3, `${JSON.stringify(o)}: weights differ by ${worst}`);
  }
  X.dispose();
});

test('VAE: repeated partialFit calls reuse one compiled step (no retrace, no tensor growth); the step rejects inputs that are not [x, eps]', async (t) => {
  await ready;
  const X = manifoldData(9, 60, 12);
  const vae = new VAE({ hidden: [8], latentDim: 2, epochs: 1, batchSize: 30, learningRate: 1e-2, seed: 1 });
  await vae.fit(X, { progress: false });
  const step = vae.trainingStep!;
  const counts: number[] = [];
  for (let i = 0; i < 4; i++) {
    await vae.partialFit(X, { epochs: 1, progress: false });
    counts.push(tf.memory().numTensors);
  }
  assert.equal(vae.trainingStep, step, 'the same step across calls');
  assert.equal(step.iterations, 5 * 2);
  assert.ok(counts.every((c) => c === counts[0]), `tensor count grows across fits: ${counts}`);
  if (await native()) assert.equal(step.status, 'graph');
  else t.diagnostic('the step runs eagerly here (not tfjs-node, or RML_COMPILE=0)');
  const x = tf.zeros([2, 12]);
  assert.throws(() => vae.stepLoss([x], () => {}), /expected inputs \[x, eps\]/);
  x.dispose();
  vae.dispose();
  X.dispose();
});
