import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { ManifoldGenerator, makeManifoldData, singularValueProfile, symmetricEigenvalues } from '../../src/data/manifold';

test('ManifoldGenerator: shapes, fixed He-initialised ReLU network, seeded, no leaks', async () => {
  await initBackend();
  const before = tf.memory().numTensors;
  const g = new ManifoldGenerator({ kappa: 3, hidden: [40, 60], outDim: 20, seed: 7 });
  const h = new ManifoldGenerator({ kappa: 3, hidden: [40, 60], outDim: 20, seed: 7 });
  assert.deepEqual(g.layers.map((l) => l.W.shape), [[3, 40], [40, 60], [60, 20]]);
  assert.deepEqual(g.layers[0].W.dataSync(), h.layers[0].W.dataSync(), 'same seed, same weights');
  // He init: std sqrt(2 / fan_in)
  const w = Array.from(g.layers[1].W.dataSync());
  const sd = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(Math.abs(sd - Math.sqrt(2 / 40)) < 0.02, `std ${sd}`);
  const a = g.sample(50, 1), b = g.sample(50, 1);
  assert.deepEqual(a.L.shape, [50, 20]);
  assert.deepEqual(a.Z.shape, [50, 3]);
  assert.deepEqual(a.L.dataSync(), b.L.dataSync());
  // L is the network applied to Z
  const manual = tf.tidy(() => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(a.Z, g.layers[0].W), g.layers[0].b)), g.layers[1].W), g.layers[1].b)), g.layers[2].W), g.layers[2].b));
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(manual, a.L))).dataSync()[0]) < 1e-5);
  tf.dispose([a.Z, a.L, b.Z, b.L, manual]);
  g.dispose(); h.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => new ManifoldGenerator({ kappa: 0, hidden: [4, 4], outDim: 4, seed: 0 }), /kappa/);
  assert.throws(() => new ManifoldGenerator({ kappa: 2, hidden: [4] as unknown as [number, number], outDim: 4, seed: 0 }), /hidden/);
});

test('makeManifoldData: corruption by N(0,1) replacement at rate nu; dispose frees everything', async () => {
  await initBackend();
  const before = tf.memory().numTensors;
  const D = makeManifoldData({ kappa: 2, hidden: [16, 16], outDim: 50, seed: 1, n: 400, nu: 0.3 });
  const frac = tf.tidy(() => D.mask.mean().dataSync()[0]);
  assert.ok(Math.abs(frac - 0.3) < 0.02, `corrupted fraction ${frac}`);
  const same = tf.tidy(() => tf.mul(tf.sub(1, D.mask), tf.abs(tf.sub(D.X, D.L))).max().dataSync()[0]);
  assert.equal(same, 0, 'untouched entries equal L');
  D.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => makeManifoldData({ kappa: 2, hidden: [4, 4], outDim: 4, seed: 1, n: 10, nu: 1.5 }), /nu/);
});

test('singularValueProfile: exact for a low-rank matrix; eigenvalues of a known matrix', async () => {
  await initBackend();
  const U = tf.randomNormal([300, 3], 0, 1, 'float32', 1), V = tf.randomNormal([3, 12], 0, 1, 'float32', 2);
  const L = tf.matMul(U, V) as tf.Tensor2D;
  const p = singularValueProfile(L, 3);
  assert.equal(p.values.length, 12);
  assert.ok(p.rank99 <= 3);
  assert.ok(p.energyAtKappa! > 0.9999);
  tf.dispose([U, V, L]);
  const ev = symmetricEigenvalues(Float64Array.from([2, 1, 1, 2]), 2).sort();
  assert.ok(Math.abs(ev[0] - 1) < 1e-9 && Math.abs(ev[1] - 3) < 1e-9);
});
