import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { RobustDeepAutoencoder } from '../../src/models/rda';
import { manifoldData } from './helpers';

const ready = initBackend();

test('RDA l21-rows flags outlying rows (uniform noise rows among manifold rows); no leaks', async () => {
  await ready;
  const n = 200, d = 30;
  const rng = new Rng(5);
  const inl = manifoldData(7, n, d);
  const outIdx = [5, 40, 77, 123, 190];
  const mask = new Float32Array(n); for (const i of outIdx) mask[i] = 1;
  const X = tf.tidy(() => {
    const noise = tf.tensor2d(rng.uniformArray(n * d), [n, d]);
    const m = tf.tensor2d(mask, [n, 1]);
    return tf.add(tf.mul(inl, tf.sub(1, m)), tf.mul(noise, m)) as tf.Tensor2D;
  });
  const before = tf.memory().numTensors;
  const rda = new RobustDeepAutoencoder({
    layers: [d, 12, 4], penalty: 'l21-rows', lambda: 1.0, outer: 6, innerEpochs: 10, batchSize: 40, learningRate: 3e-2, seed: 1, stopRule: 'none',
  });
  await rda.fit(X, { progress: false });
  const flags = rda.outlierRows();
  const flagged = [...flags].map((f, i) => (f ? i : -1)).filter((i) => i >= 0);
  const tp = flagged.filter((i) => outIdx.includes(i)).length;
  assert.ok(tp >= 4, `found ${tp} of 5 outliers; flagged ${flagged}`);
  assert.ok(flagged.length <= 8, `flagged ${flagged.length} rows`);
  assert.equal(rda.history.outer.length, 6);
  assert.equal(rda.history.epochs.length, 6 * 10);
  assert.equal(rda.objective.length, 6 * 10 + 6);
  const F = rda.features();
  assert.deepEqual(F.shape, [n, 4]);
  F.dispose();
  const { L, S } = rda.decompose();
  assert.deepEqual(L.shape, [n, d]); assert.deepEqual(S.shape, [n, d]);
  tf.dispose([L, S]);
  rda.dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([inl, X]);
});

test('RDA l1 puts flipped pixels into S and denoises better than the AE output it starts from', async () => {
  await ready;
  const n = 300, d = 30;
  const rng = new Rng(9);
  const clean = manifoldData(11, n, d);
  const flip = new Float32Array(n * d); for (let i = 0; i < flip.length; i++) flip[i] = rng.uniform() < 0.05 ? 1 : 0;
  const X = tf.tidy(() => {
    const f = tf.tensor2d(flip, [n, d]);
    const flipped = tf.where(tf.greater(clean, 0.5), tf.zerosLike(clean), tf.onesLike(clean));
    return tf.add(tf.mul(clean, tf.sub(1, f)), tf.mul(flipped, f)) as tf.Tensor2D;
  });
  const common = { layers: [d, 12, 4], outer: 5, innerEpochs: 10, batchSize: 50, learningRate: 3e-2, seed: 2, stopRule: 'none' as const };
  const rda = new RobustDeepAutoencoder({ ...common, penalty: 'l1', lambda: 0.3 });
  await rda.fit(X, { progress: false });
  const S = rda.S!;
  // support of S overlaps the flipped entries much better than chance
  const s = S.dataSync();
  let hit = 0, nz = 0, nf = 0;
  for (let i = 0; i < s.length; i++) { if (s[i] !== 0) { nz++; if (flip[i]) hit++; } if (flip[i]) nf++; }
  assert.ok(nz > 0 && hit / nz > 0.5, `precision of S support ${hit}/${nz}`);
  assert.ok(hit / nf > 0.5, `recall of S support ${hit}/${nf}`);
  const errL = tf.tidy(() => tf.mean(tf.square(tf.sub(rda.L!, clean))).dataSync()[0]);
  const errX = tf.tidy(() => tf.mean(tf.square(tf.sub(X, clean))).dataSync()[0]);
  assert.ok(errL < errX, `L is closer to the clean data than X: ${errL} vs ${errX}`);
  // staircase trace: one prox point per outer iteration, objectives finite
  assert.equal(rda.objective.filter((p) => p.prox === 1).length, 5);
  assert.ok(rda.objective.every((p) => Number.isFinite(p.objective)));
  rda.dispose();
  tf.dispose([clean, X]);
});

test('RDA l21-cols isolates corrupted features (two columns of noise across all instances)', async () => {
  await ready;
  const n = 150, d = 20;
  const clean = manifoldData(21, n, d);
  const rng = new Rng(22);
  const colMask = new Float32Array(d); colMask[7] = 1; colMask[13] = 1;
  const X = tf.tidy(() => {
    const m = tf.tensor2d(colMask, [1, d]);
    const noise = tf.tensor2d(rng.uniformArray(n * d), [n, d]);
    return tf.add(tf.mul(clean, tf.sub(1, m)), tf.mul(noise, m)) as tf.Tensor2D; // columns 7 and 13 replaced by noise
  });
  const rda = new RobustDeepAutoencoder({ layers: [d, 10, 4], penalty: 'l21-cols', lambda: 3, outer: 5, innerEpochs: 10, batchSize: 30, learningRate: 3e-2, seed: 4, stopRule: 'none' });
  await rda.fit(X, { progress: false });
  const cols = tf.tidy(() => tf.any(tf.notEqual(rda.S!, 0), 0).arraySync() as unknown as boolean[]);
  const flagged = cols.map((b, j) => (b ? j : -1)).filter((j) => j >= 0);
  assert.ok(flagged.includes(7) && flagged.includes(13), `flagged columns ${flagged}`);
  assert.deepEqual(flagged, [7, 13]);
  rda.dispose();
  tf.dispose([clean, X]);
});
