import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { fusedAvailable } from '../../src/backend';
import { FusedAdam, makeFusedAdam } from '../../src/train/adam';
import { makeOptimizer } from '../../src/train/loop';

const ready = initBackend();
let uid = 0;

function makeVars(rng: Rng, shapes: number[][], prefix = 'fusedtest'): tf.Variable[] {
  return shapes.map((s) => tf.variable(tf.tensor(rng.normalArray(s.reduce((a, b) => a * b, 1), 0, 0.5), s), true, `${prefix}/${uid++}`));
}

function maxRelDiff(a: Float32Array | number[], b: Float32Array | number[]): number {
  let m = 0, scale = 0;
  for (let i = 0; i < a.length; i++) { m = Math.max(m, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(b[i])); }
  return m / Math.max(scale, 1e-12);
}

/** Gradient maps typed for AdamOptimizer.applyGradients (typed as a variable map in tfjs 4.22). */
const G = (m: Record<string, tf.Tensor>) => m as unknown as Record<string, tf.Variable>;

const native = async () => { await ready; return fusedAvailable(); };

test('FusedAdam matches tf.train.adam over 12 steps (weights and moments, ~1e-6)', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const rng = new Rng(11);
  const shapes = [[7, 5], [5], [5, 3], [3]];
  const a = makeVars(rng.fork('v'), shapes), b = a.map((v) => tf.variable(v.clone(), true, `fusedtest/b${uid++}`));
  const X = tf.tensor2d(rng.normalArray(16 * 7, 0, 1), [16, 7]);
  const Y = tf.tensor2d(rng.normalArray(16 * 3, 0, 1), [16, 3]);
  const lossOf = (v: tf.Variable[]) => () => tf.tidy(() => {
    const h = tf.tanh(tf.add(tf.matMul(X, v[0]), v[1]));
    return tf.losses.meanSquaredError(Y, tf.add(tf.matMul(h, v[2]), v[3])) as tf.Scalar;
  });
  const ref = tf.train.adam(0.01), fused = new FusedAdam(0.01);
  for (let s = 0; s < 12; s++) {
    tf.tidy(() => { ref.minimize(lossOf(a), false, a); });
    tf.tidy(() => { fused.minimize(lossOf(b), false, b); });
  }
  for (let i = 0; i < a.length; i++) {
    const d = maxRelDiff(b[i].dataSync() as Float32Array, a[i].dataSync() as Float32Array);
    assert.ok(d < 2e-6, `variable ${i}: max relative difference ${d}`);
  }
  assert.equal(fused.iterations, 12);
  const wr = await ref.getWeights(), wf = await fused.getWeights();
  assert.equal(wf.length, wr.length);
  for (let i = 1; i < wr.length; i++) {
    const d = maxRelDiff(wf[i].tensor.dataSync() as Float32Array, wr[i].tensor.dataSync() as Float32Array);
    assert.ok(d < 2e-5, `slot ${wr[i].name}: ${d}`);
  }
  wf.forEach((w) => w.tensor.dispose());
  ref.dispose(); fused.dispose();
  tf.dispose([...a, ...b, X, Y]);
});

test('FusedAdam resynchronises when a variable is assigned outside the optimizer', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const rng = new Rng(3);
  const [w] = makeVars(rng, [[4, 4]]);
  const [w2] = [tf.variable(w.clone(), true, `fusedtest/c${uid++}`)];
  const ref = tf.train.adam(0.05), fused = new FusedAdam(0.05);
  const g = tf.tensor2d(rng.normalArray(16, 0, 1), [4, 4]);
  for (let s = 0; s < 3; s++) {
    ref.applyGradients(G({ [w.name]: g }));
    fused.applyGradients({ [w2.name]: g });
    if (s === 1) { tf.tidy(() => { w.assign(tf.mul(w, 0.5)); w2.assign(tf.mul(w2, 0.5)); }); }
  }
  assert.ok(maxRelDiff(w2.dataSync() as Float32Array, w.dataSync() as Float32Array) < 2e-6);
  ref.dispose(); fused.dispose(); tf.dispose([w, w2, g]);
});

test('FusedAdam frees its TensorFlow resources and leaks no tensors', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const rng = new Rng(5);
  const vars = makeVars(rng, [[6, 6], [6]]);
  const before = tf.memory().numTensors;
  const opt = new FusedAdam(1e-3);
  for (let s = 0; s < 4; s++) tf.tidy(() => { opt.minimize(() => tf.sum(tf.square(vars[0])).add(tf.sum(vars[1])) as tf.Scalar, false, vars); });
  opt.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => opt.applyGradients({ [vars[0].name]: tf.zerosLike(vars[0]) }), /dispose/);
  tf.dispose(vars);
});

test('FusedAdam getWeights / setWeights restore the optimizer state', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const rng = new Rng(9);
  const [w] = makeVars(rng, [[3, 2]]);
  const g1 = tf.tensor2d(rng.normalArray(6, 0, 1), [3, 2]), g2 = tf.tensor2d(rng.normalArray(6, 0, 1), [3, 2]);
  const a = new FusedAdam(0.1);
  a.applyGradients({ [w.name]: g1 });
  const saved = await a.getWeights();
  const w0 = w.clone();
  a.applyGradients({ [w.name]: g2 });
  const expected = w.dataSync().slice();
  const b = new FusedAdam(0.1);
  w.assign(w0);
  await b.setWeights(saved);
  assert.equal(b.iterations, 1);
  b.applyGradients({ [w.name]: g2 });
  const d = maxRelDiff(w.dataSync() as Float32Array, expected as Float32Array);
  assert.ok(d < 1e-6, `restored optimizer differs by ${d}`);
  saved.forEach((s) => s.tensor.dispose());
  a.dispose(); b.dispose(); tf.dispose([w, w0, g1, g2]);
});

test('makeOptimizer("adam") / makeFusedAdam behave as tf.train.adam on this backend', async () => {
  await ready;
  const rng = new Rng(21);
  const [w] = makeVars(rng, [[5, 5]]);
  const w2 = tf.variable(w.clone(), true, `fusedtest/d${uid++}`);
  const ref = tf.train.adam(0.02);
  const opts = [makeOptimizer('adam', 0.02), makeFusedAdam(0.02)];
  const g = tf.tensor2d(rng.normalArray(25, 0, 1), [5, 5]);
  for (const o of opts) {
    w2.assign(w);
    const r = tf.train.adam(0.02);
    const wr = tf.variable(w.clone(), true, `fusedtest/e${uid++}`);
    for (let s = 0; s < 5; s++) { o.applyGradients({ [w2.name]: g }); r.applyGradients(G({ [wr.name]: g })); }
    assert.ok(maxRelDiff(w2.dataSync() as Float32Array, wr.dataSync() as Float32Array) < 2e-6);
    o.dispose(); r.dispose(); wr.dispose();
  }
  ref.dispose(); tf.dispose([w, w2, g]);
});

test('FusedAdam reads learningRate at every step (learning-rate schedules), as tf.train.adam does', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const rng = new Rng(43);
  const [w] = makeVars(rng, [[3, 3]]);
  const w2 = tf.variable(w.clone(), true, `fusedtest/f${uid++}`);
  const g = tf.tensor2d(rng.normalArray(9, 0, 1), [3, 3]);
  const ref = tf.train.adam(0.1), fused = new FusedAdam(0.1);
  for (let s = 0; s < 4; s++) {
    const lr = 0.1 / (s + 1);
    (ref as unknown as { learningRate: number }).learningRate = lr;
    fused.learningRate = lr;
    ref.applyGradients(G({ [w.name]: g }));
    fused.applyGradients({ [w2.name]: g });
  }
  const d = maxRelDiff(w2.dataSync() as Float32Array, w.dataSync() as Float32Array);
  assert.ok(d < 1e-5, `${d}`); // a stale learning rate would differ by > 1e-2
  ref.dispose(); fused.dispose(); tf.dispose([w, w2, g]);
});
