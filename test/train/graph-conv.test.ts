import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { GraphSession } from '../../src/train/graph';
import { ConvGraphAdam } from '../../src/train/graph-conv';
import { Conv28Decoder, Conv28Encoder, conv28AllVariables, conv28Decode, conv28Decoder, conv28Encode, conv28Encoder, conv28Variables } from '../../src/nets/conv28';

const ready = initBackend();
const native = async () => { await ready; return GraphSession.available(); };

interface Net { e: Conv28Encoder; d: Conv28Decoder; all: tf.Variable[]; trainable: tf.Variable[] }
/** The same conv28 network (same seed), built afresh. */
function net(seed: number, channels = 1): Net {
  const r = new Rng(seed);
  const e = conv28Encoder(30, r.fork('e'), channels), d = conv28Decoder(30, r.fork('d'), channels);
  return { e, d, all: [...conv28AllVariables(e), ...conv28AllVariables(d)], trainable: [...conv28Variables(e), ...conv28Variables(d)] };
}

/** The eager reference: tfjs autodiff of conv28 encode/decode in training mode (updates the BN running moments). */
function eagerStep(opt: tf.Optimizer, n: Net, x: tf.Tensor4D, loss: 'l1' | 'l2'): number {
  const l = tf.tidy(() => opt.minimize(() => {
    const r = tf.sub(conv28Decode(n.d, conv28Encode(n.e, x, true), true), x);
    return (loss === 'l1' ? tf.mean(tf.abs(r)) : tf.mean(tf.square(r))) as tf.Scalar;
  }, true, n.trainable)!);
  const v = l.dataSync()[0];
  l.dispose();
  return v;
}

/** Conv biases followed by BatchNorm: their exact gradient is 0 (BN removes the channel mean), so Adam moves them by rounding noise. */
const preBnBiases = (n: Net) => new Set([n.e.c1.b, n.e.c2.b, n.d.d1.b, n.d.d2.b]);
const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const relNorm = (a: tf.Tensor, b: tf.Tensor, ref: tf.Tensor) => tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0] / Math.max(1e-30, tf.norm(tf.sub(a, ref)).dataSync()[0]));

function images(rng: Rng, n: number, channels = 1): tf.Tensor4D {
  return tf.tensor4d(rng.uniformArray(n * 28 * 28 * channels), [n, 28, 28, channels]);
}

test('ConvGraphAdam: the gradients are those of tfjs autodiff (linearised Adam, eps = 1: update = lr * gradient), with and without the phase decompositions', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const before = tf.memory().numTensors;
  for (const phases of [true, false]) {
    const a = net(3), b = net(3), init = net(3);
    const x = images(new Rng(4), 8);
    const opt = tf.train.adam(1e-2, 0.9, 0.999, 1);
    const g = new ConvGraphAdam(b.e, b.d, { loss: 'l1', learningRate: 1e-2, epsilon: 1, phases });
    const p = eagerStep(opt, a, x, 'l1'), q = g.step(x);
    assert.ok(Math.abs(p - q.dataSync()[0]) <= 1e-5 * p, `phases ${phases}: loss ${p} vs ${q.dataSync()[0]}`);
    const skip = preBnBiases(a);
    a.all.forEach((w, k) => {
      if (skip.has(w)) assert.ok(maxAbs(w, b.all[k]) < 1e-7, `${w.name}: a pre-BN bias moved`);
      else if (w.trainable) assert.ok(relNorm(w, b.all[k], init.all[k]) < 1e-4, `phases ${phases} ${w.name}: gradient differs by ${relNorm(w, b.all[k], init.all[k])} (relative)`);
      else assert.ok(maxAbs(w, b.all[k]) < 1e-5, `${w.name}: running moment differs by ${maxAbs(w, b.all[k])}`);
    });
    tf.dispose([q, x]); opt.dispose(); g.dispose();
    for (const n of [a, b, init]) tf.dispose(n.all);
  }
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});

test('ConvGraphAdam: same losses, weights and BN running moments as tfjs autodiff + tf.train.adam over several steps (l1 and l2, batches of 8 and 5), no tensor growth', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const rng = new Rng(11);
  for (const loss of ['l1', 'l2'] as const) {
    const before = tf.memory().numTensors;
    const a = net(loss === 'l1' ? 5 : 6), b = net(loss === 'l1' ? 5 : 6), init = net(loss === 'l1' ? 5 : 6);
    const xs = [images(rng, 8), images(rng, 5)];
    const opt = tf.train.adam(1e-4);
    const g = new ConvGraphAdam(b.e, b.d, { loss, learningRate: 1e-4 });
    let count = 0;
    const steps = 6;
    for (let s = 0; s < steps; s++) {
      const x = xs[s % 3 === 2 ? 1 : 0];
      const p = eagerStep(opt, a, x, loss);
      const qt = g.step(x);
      const q = qt.dataSync()[0];
      qt.dispose();
      if (s === 0) count = tf.memory().numTensors; // tf.train.adam creates its moments at the first step
      assert.ok(Math.abs(p - q) <= 1e-4 * p, `${loss} step ${s}: loss ${p} vs ${q}`);
    }
    assert.equal(tf.memory().numTensors, count, `${loss}: tensor count constant across steps`);
    assert.equal(g.iterations, steps);
    const skip = preBnBiases(a);
    a.all.forEach((w, k) => {
      const v = b.all[k];
      if (skip.has(w)) assert.ok(maxAbs(w, v) <= 2 * steps * 1e-4, `${w.name}`); // noise-driven, but at most lr per step
      else if (w.trainable) assert.ok(relNorm(w, v, init.all[k]) < 1e-2, `${loss} ${w.name}: ${relNorm(w, v, init.all[k])} of the change differs`);
      else assert.ok(maxAbs(w, v) < 1e-4 && maxAbs(w, init.all[k]) > 1e-4, `${loss} ${w.name}: running moment off by ${maxAbs(w, v)}`);
    });
    tf.dispose(xs); opt.dispose(); g.dispose();
    for (const n of [a, b, init]) tf.dispose(n.all);
    assert.equal(tf.memory().numTensors, before, `${loss}: tensors leaked`);
  }
});

test('ConvGraphAdam: follows weights and running moments assigned outside it, resets its moments, rejects bad use', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const before = tf.memory().numTensors;
  const a = net(8, 2), b = net(8, 2);
  const x = images(new Rng(9), 6, 2);
  let opt = tf.train.adam(1e-3);
  const g = new ConvGraphAdam(b.e, b.d, { loss: 'l1', learningRate: 1e-3 });
  const both = () => { const p = eagerStep(opt, a, x, 'l1'); const q = g.step(x); const v = q.dataSync()[0]; q.dispose(); return [p, v]; };
  for (let s = 0; s < 2; s++) both();
  // Outside assignments (a re-initialisation, a projection) must be seen by the next graph step.
  for (const [w, v] of [[a.d.d2.W, b.d.d2.W], [a.e.bn1.mean, b.e.bn1.mean]] as const) {
    const nw = tf.tidy(() => tf.mul(w, 0.5));
    w.assign(nw); v.assign(nw); nw.dispose();
  }
  const [p, q] = both();
  assert.ok(Math.abs(p - q) < 1e-4 * p, `after an outside assignment: ${p} vs ${q}`);
  assert.ok(maxAbs(a.e.bn1.mean, b.e.bn1.mean) < 1e-5);
  // resetSlots = a fresh optimizer from here on.
  opt.dispose();
  opt = tf.train.adam(1e-3);
  g.resetSlots();
  assert.equal(g.iterations, 0);
  for (let s = 0; s < 2; s++) { const [p2, q2] = both(); assert.ok(Math.abs(p2 - q2) < 1e-4 * p2, `after reset: ${p2} vs ${q2}`); }
  assert.throws(() => g.step(tf.zeros([2, 28, 28, 1]) as tf.Tensor4D), /x must be \[n, 28, 28, 2\]/);
  assert.throws(() => new ConvGraphAdam(b.e, b.d, { learningRate: 0 }), /learningRate must be > 0/);
  assert.throws(() => new ConvGraphAdam(b.e, b.d, { learningRate: 1, loss: 'huber' as never }), /unknown loss/);
  assert.throws(() => new ConvGraphAdam(b.d as never, b.e as never, { learningRate: 1 }), /conv28Encoder and a conv28Decoder/);
  g.dispose();
  assert.throws(() => g.step(x), /after dispose/);
  opt.dispose();
  tf.dispose([x, ...a.all, ...b.all]);
  assert.ok(tf.memory().numTensors <= before + 1, 'tensors leaked (the rejected zeros batch aside)');
});

test('RDAE (conv28, Adam) trains through ConvGraphAdam by default: same epoch losses and restorations as its eager path (graphStep: false)', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const { RDAE } = await import('../../src/models/rdae');
  const before = tf.memory().numTensors;
  const X = tf.tensor2d(new Rng(12).uniformArray(24 * 784), [24, 784]);
  const fit = (graphStep: boolean, loss: 'l1' | 'l2') => new RDAE({ epochs: 2, batchSize: 10, learningRate: 1e-3, loss, graphStep }).fit(X, { progress: false });
  for (const loss of ['l1', 'l2'] as const) {
    const [g, e] = [await fit(true, loss), await fit(false, loss)];
    const lg = g.history.epochs.map((r) => r.loss), le = e.history.epochs.map((r) => r.loss);
    lg.forEach((v, i) => assert.ok(Math.abs(v - le[i]) <= 1e-4 * le[i], `${loss} epoch ${i + 1}: ${v} (graph) vs ${le[i]} (eager)`));
    const [Rg, Re] = [g.reconstruct(X), e.reconstruct(X)];
    assert.ok(maxAbs(Rg, Re) < 1e-3, `${loss}: restorations differ by ${maxAbs(Rg, Re)}`);
    tf.dispose([Rg, Re]); g.dispose(); e.dispose();
  }
  assert.throws(() => new RDAE({ graphStep: 'yes' as never }), /graphStep/);
  X.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});
