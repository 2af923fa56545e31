import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, nativeBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { RVAE } from '../../src/models/rvae';
import { codeMu } from '../../src/train/alternating';
import { manifoldData } from './helpers';

const ready = initBackend();
/** Whether the training step compiles here (tfjs-node and RML_COMPILE not 0): compiled-only asserts need it. */
const native = async () => { await ready; return nativeBackend() !== null && process.env.RML_COMPILE !== '0'; };

function flipped(clean: tf.Tensor2D, frac: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  const d = clean.dataSync().slice();
  for (let i = 0; i < d.length; i++) if (rng.uniform() < frac) d[i] = d[i] > 0.5 ? 0 : 1;
  return tf.tensor2d(d, clean.shape);
}

test('RVAE: Algorithm 1 through the shared alternating solver; S catches flipped entries; c1/c2 recorded; no leaks', async () => {
  await ready;
  const clean = manifoldData(11, 300, 24);
  const X = flipped(clean, 0.05, 3);
  const before = tf.memory().numTensors;
  const r = new RVAE({ hidden: [16], latentDim: 3, activation: 'relu', batchSize: 50, learningRate: 1e-2, outer: 5, innerEpochs: 10, lambda: 0.3, lambdaConvention: 'paper', stopRule: 'none', seed: 1 });
  await r.fit(X, { progress: false });
  assert.equal(r.history.outer.length, 5);
  assert.equal(r.history.epochs.length, 50);
  assert.equal(r.threshold, 0.3);
  for (const o of r.history.outer) { assert.ok(Number.isFinite(o.c1) && Number.isFinite(o.c2)); }
  // where S is non-zero, the entry should mostly be a flipped one
  const { L, S } = r.decompose();
  const [prec, errL, errX] = tf.tidy(() => {
    const flip = tf.notEqual(X, clean);
    const nz = tf.notEqual(S, 0);
    const tp = tf.sum(tf.cast(tf.logicalAnd(flip, nz), 'float32'));
    const p = tf.div(tp, tf.maximum(tf.sum(tf.cast(nz, 'float32')), 1));
    return [p.dataSync()[0], tf.mean(tf.abs(tf.sub(tf.sub(X, S), clean))).dataSync()[0], tf.mean(tf.abs(tf.sub(X, clean))).dataSync()[0]];
  });
  assert.ok(prec > 0.5, `precision of S support ${prec}`);
  assert.ok(errL < errX, `X - S is closer to clean (${errL}) than X (${errX})`);
  const G = r.sample(4, 1);
  assert.deepEqual(G.shape, [4, 24]);
  tf.dispose([L, S, G]);
  r.dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([clean, X]);
});

test("RVAE: the authors' lambda convention divides by mu = X.size / (4 * largest column sum)", async () => {
  await ready;
  const X = manifoldData(2, 60, 10);
  const r = new RVAE({ hidden: [6], latentDim: 2, outer: 1, innerEpochs: 1, lambda: 15, batchSize: 30 });
  await r.fit(X, { progress: false });
  assert.ok(Math.abs(r.threshold - 15 / codeMu(X)) < 1e-9);
  assert.ok(r.vae && r.vae.nParams > 0);
  r.dispose(); X.dispose();
  assert.throws(() => new RVAE({ reconstruct: 'x' as never }), /reconstruct/);
  assert.throws(() => new RVAE({ architecture: 'x' as never }), /architecture/);
});

test("RVAE: reconstruct 'sample' (authors' code) runs; huge lambda leaves S empty so RVAE = VAE on X", async () => {
  await ready;
  const X = manifoldData(4, 80, 10);
  const r = new RVAE({ hidden: [6], latentDim: 2, outer: 2, innerEpochs: 1, lambda: 1e6, lambdaConvention: 'paper', reconstruct: 'sample', batchSize: 40, stopRule: 'none' });
  await r.fit(X, { progress: false });
  assert.equal(r.sparsity(), 0);
  r.dispose(); X.dispose();
});

test('RVAE: the inner VAE trains through the compiled step (status graph) exactly as through the eager one: same inner losses, c1 / c2, L and S; one step for all outer iterations', async () => {
  await ready;
  const compiles = await native();
  const clean = manifoldData(12, 80, 12);
  const X = flipped(clean, 0.05, 4);
  const before = tf.memory().numTensors;
  const run = async (compiledStep: boolean) => {
    const r = new RVAE({ hidden: [10], latentDim: 3, activation: 'relu', batchSize: 20, learningRate: 1e-2, outer: 3, innerEpochs: 2, lambda: 0.3, lambdaConvention: 'paper', stopRule: 'none', seed: 2, compiledStep });
    await r.fit(X, { progress: false });
    const step = r.vae!.trainingStep!;
    const { L, S } = r.decompose();
    const out = {
      status: step.status, iterations: step.iterations,
      losses: r.history.epochs.map((e) => e.loss), c1: r.history.outer.map((o) => o.c1), c2: r.history.outer.map((o) => o.c2), L, S,
    };
    r.dispose();
    return out;
  };
  const a = await run(true), b = await run(false);
  assert.equal(a.status, compiles ? 'graph' : 'eager');
  assert.equal(b.status, 'eager');
  assert.equal(a.iterations, 3 * 2 * 4, 'one Adam state across the outer iterations (4 batches x 2 epochs x 3 outer)');
  // 24 Adam steps from the same weights and noise, the same kernels: float rounding (see vae.test.ts).
  a.losses.forEach((l, i) => assert.ok(Math.abs(l - b.losses[i]) <= 1e-4 * Math.abs(b.losses[i]), `inner epoch ${i}: ${l} vs ${b.losses[i]}`));
  [['c1', a.c1, b.c1], ['c2', a.c2, b.c2]].forEach(([name, x, y]) => (x as number[]).forEach((v, i) => assert.ok(Math.abs(v - (y as number[])[i]) <= 1e-3 * Math.abs((y as number[])[i]) + 1e-6, `${name} at outer ${i}: ${v} vs ${(y as number[])[i]}`)));
  const rel = (p: tf.Tensor, q: tf.Tensor) => tf.tidy(() => tf.norm(tf.sub(p, q)).dataSync()[0] / Math.max(1e-12, tf.norm(q).dataSync()[0]));
  assert.ok(rel(a.L, b.L) < 1e-3, `L differs by ${rel(a.L, b.L)} relative`);
  // S = prox(X - L) and the soft threshold is 1-Lipschitz: S moves no more than L.
  const dS = tf.tidy(() => tf.norm(tf.sub(a.S, b.S)).dataSync()[0]), dL = tf.tidy(() => tf.norm(tf.sub(a.L, b.L)).dataSync()[0]);
  assert.ok(dS <= dL + 1e-6, `||dS|| = ${dS} > ||dL|| = ${dL}`);
  tf.dispose([a.L, a.S, b.L, b.S]);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  tf.dispose([clean, X]);
});
