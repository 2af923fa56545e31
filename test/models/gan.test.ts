import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, nativeBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { mlp } from '../../src/nets/mlp';
import { GAN, GANOptions, GanNet, ganDiscriminatorLoss, ganGeneratorLoss, ganDropoutMasks } from '../../src/models/gan';
import { VAE } from '../../src/models/vae';
import { manifoldData } from './helpers';
import { twinCheck } from '../train/twin';

const ready = initBackend();

test('GAN: generator mirrors the VAE decoder; about the VAE parameter count; trains, samples in [0,1]; deterministic; no leaks', async () => {
  await ready;
  const X = manifoldData(1, 200, 20);
  const before = tf.memory().numTensors;
  const run = async () => {
    const g = new GAN({ hidden: [16, 8], latentDim: 3, epochs: 4, batchSize: 50, seed: 2 });
    await g.fit(X, { progress: false });
    const S = g.sample(6, 1);
    const s = Array.from(S.dataSync());
    assert.deepEqual(S.shape, [6, 20]);
    S.dispose();
    const p = g.score(X); assert.deepEqual(p.shape, [200]); p.dispose();
    const out = { s, n: g.nParams, gen: g.generatorParams, rec: g.history.epochs.map((e) => e.loss) };
    g.dispose();
    return out;
  };
  const a = await run(), b = await run();
  assert.deepEqual(a.s, b.s);
  assert.deepEqual(a.rec, b.rec);
  assert.ok(Math.min(...a.s) >= 0 && Math.max(...a.s) <= 1);
  // generator 3-8-16-20 = decoder of a VAE 20-16-8-3
  const v = new VAE({ hidden: [16, 8], latentDim: 3, epochs: 0 });
  await v.fit(X, { progress: false });
  assert.equal(a.gen, (3 * 8 + 8) + (8 * 16 + 16) + (16 * 20 + 20));
  // GAN total vs VAE total: differ only by the heads (VAE: 2 heads 8->3; GAN: discriminator output 8->1)
  assert.equal(v.nParams - a.n, 2 * (8 * 3 + 3) - (8 * 1 + 1));
  v.dispose();
  assert.equal(tf.memory().numTensors, before);
  X.dispose();
});

const compiles = async () => { await ready; return nativeBackend() !== null && process.env.RML_COMPILE !== '0'; };

/** G 3-6-10-12 and D 12-10-6-1 (Glorot, non-zero biases, seeded); `which` net's variables are trained, the other's read. */
function ganTwin(which: 'd' | 'g', activation: GANOptions['activation']) {
  const nets = new Map<tf.Variable, GanNet>();
  const make = () => {
    const r = new Rng(21);
    const net: GanNet = { gen: mlp([3, 6, 10, 12], r.fork('G'), 'twin_G'), disc: mlp([12, 10, 6, 1], r.fork('D'), 'twin_D'), activation };
    [...net.gen, ...net.disc].forEach((l, i) => tf.tidy(() => l.b.assign(tf.tensor1d(r.fork(`b${i}`).normalArray(l.b.size, 0, 0.1)))));
    const g = net.gen.flatMap((l) => [l.W, l.b]), d = net.disc.flatMap((l) => [l.W, l.b]);
    const [trained, others] = which === 'd' ? [d, g] : [g, d];
    nets.set(trained[0], net);
    return { trained, others };
  };
  const loss = (vars: tf.Variable[]) => (which === 'd' ? ganDiscriminatorLoss : ganGeneratorLoss)(nets.get(vars[0])!);
  return { make, loss };
}

test('GAN steps: each traced graph (discriminator, generator) equals its eager step (twin check, 3 steps from synced weights), with and without dropout, no tensor growth', async (t) => {
  if (!(await compiles())) { t.skip('no compiled step here (native backend missing or RML_COMPILE=0)'); return; }
  const X = tf.tensor2d(new Rng(6).uniformArray(60 * 12), [60, 12]);
  const before = tf.memory().numTensors;
  for (const [rate, act] of [[0.7, 'relu'], [0, 'leakyrelu']] as [number, GANOptions['activation']][]) {
    // tf.dropout(ones) as the model draws them: one multiplier per D hidden layer (widths 10, 6)
    const masks = (rows: number, seed: number) => (rate > 0 ? [10, 6].map((w, i) => tf.tidy(() => tf.dropout(tf.ones([rows, w]), rate, undefined, seed + i))) : []);
    const z = (k: number) => tf.randomNormal([20, 3], 0, 1, 'float32', 40 + k);
    const d = ganTwin('d', act);
    assert.equal(twinCheck({ make: d.make, loss: d.loss, inputs: (k) => [tf.slice(X, 20 * k, 20), z(k), ...masks(20, 50 + k), ...masks(20, 60 + k)] }), 'graph', `rate ${rate}: D step did not compile`);
    const g = ganTwin('g', act);
    assert.equal(twinCheck({ make: g.make, loss: g.loss, inputs: (k) => [z(k), ...masks(20, 70 + k)] }), 'graph', `rate ${rate}: G step did not compile`);
  }
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  X.dispose();
});

test('GAN fit: compiled and eager steps give the same losses and generator (with dropout and beta1 = 0.5, and without dropout), both steps ran as graphs, no tensor growth', async () => {
  const native = await compiles();
  const X = tf.tensor2d(new Rng(6).uniformArray(60 * 12), [60, 12]);
  for (const o of [{ dropoutRate: 0.7, beta1: 0.5 }, { dropoutRate: 0, activation: 'leakyrelu' }] as Partial<GANOptions>[]) {
    const run = async (compiledStep: boolean) => {
      const gan = new GAN({ hidden: [10, 6], latentDim: 3, epochs: 4, batchSize: 16, learningRate: 5e-3, seed: 3, ...o, compiledStep });
      await gan.fit(X, { progress: false });
      const rec = gan.history.epochs.map((r) => [(r as unknown as { dLoss: number }).dLoss, (r as unknown as { gLoss: number }).gLoss]);
      const S = gan.sample(5, 1);
      const s = Array.from(S.dataSync());
      S.dispose();
      const status = gan.stepStatus;
      gan.dispose();
      return { rec, s, status };
    };
    const before = tf.memory().numTensors;
    const a = await run(true), b = await run(false);
    assert.equal(tf.memory().numTensors, before, `${JSON.stringify(o)}: no tensors left behind`);
    assert.deepEqual(b.status, { d: 'eager', g: 'eager' });
    if (!native) continue;
    assert.deepEqual(a.status, { d: 'graph', g: 'graph' }, `${JSON.stringify(o)}: the steps did not compile`);
    // 16 steps of each network at Adam's default epsilon: rounding differences (twin check: ~1e-6 relative per
    // step) amplified where a gradient is near 0, so compare loosely.
    a.rec.forEach((r, e) => r.forEach((v, j) => assert.ok(Math.abs(v - b.rec[e][j]) <= 1e-4 * Math.max(1, Math.abs(b.rec[e][j])), `${JSON.stringify(o)} epoch ${e} ${j ? 'G' : 'D'}: ${v} vs ${b.rec[e][j]}`)));
    const worst = Math.max(...a.s.map((v, i) => Math.abs(v - b.s[i])));
    assert.ok(worst < 1e-4, `${JSON.stringify(o)}: generated samples differ by ${worst}`);
  }
  X.dispose();
});

test('GAN step losses: all-zero nets give L_D = 2 log 2 and L_G = log 2; wrong mask counts are refused; masks are tf.dropout multipliers', async () => {
  await ready;
  const r = new Rng(1);
  const net: GanNet = { gen: mlp([2, 4], r.fork('G'), 'zero_G'), disc: mlp([4, 3, 1], r.fork('D'), 'zero_D'), activation: 'relu' };
  const vars = [...net.gen, ...net.disc].flatMap((l) => [l.W, l.b]);
  vars.forEach((v) => v.assign(tf.zerosLike(v)));
  const x = tf.zeros([5, 4]), z = tf.zeros([5, 2]);
  const m = ganDropoutMasks(net, 5, 0.5, 7);
  assert.equal(m.length, 1);
  assert.deepEqual(m[0].shape, [5, 3]);
  assert.ok(Array.from(m[0].dataSync()).every((v) => v === 0 || v === 2), 'multipliers are 0 or 1 / (1 - rate)');
  assert.deepEqual(ganDropoutMasks(net, 5, 0, 7), []);
  const lg = tf.tidy(() => ganGeneratorLoss(net)([z, ...m], () => {}));
  const ld = tf.tidy(() => ganDiscriminatorLoss(net)([x, z, ...m, ...m], () => {}));
  assert.ok(Math.abs(lg.dataSync()[0] - Math.log(2)) < 1e-6, `L_G = ${lg.dataSync()[0]}`);
  assert.ok(Math.abs(ld.dataSync()[0] - 2 * Math.log(2)) < 1e-6, `L_D = ${ld.dataSync()[0]}`);
  assert.throws(() => ganDiscriminatorLoss(net)([x, z, ...m], () => {}), /expects 0 or 2 dropout masks \(1 per pass\), got 1/);
  assert.throws(() => ganGeneratorLoss(net)([z, ...m, ...m], () => {}), /expects 0 or 1 dropout masks/);
  tf.dispose([lg, ld, x, z, ...m, ...vars]);
});
