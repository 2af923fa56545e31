import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { newVariable } from '../../src/nets/mlp';
import { trainLoop, makeOptimizer, mapBatches } from '../../src/train/loop';

test('trainLoop fits a linear regression, is seeded, and does not leak tensors', async () => {
  await initBackend();
  const rng = new Rng(0);
  const n = 256, d = 5;
  const X = tf.tensor2d(rng.normalArray(n * d), [n, d]);
  const wTrue = tf.tensor2d([[1], [-2], [0.5], [3], [0]]);
  const Y = tf.matMul(X, wTrue);
  const run = async (seed: number) => {
    const w = newVariable(tf.zeros([d, 1]), 'w');
    const opt = makeOptimizer('adam', 0.05);
    const recs = await trainLoop([X, Y], ([xb, yb]) => tf.losses.meanSquaredError(yb, tf.matMul(xb as tf.Tensor2D, w)) as tf.Scalar, [w], opt,
      { epochs: 60, batchSize: 32, shuffle: true, rng: new Rng(seed), progress: false });
    const out = w.dataSync().slice();
    w.dispose(); opt.dispose();
    return { recs, out };
  };
  const before = tf.memory().numTensors;
  const a = await run(1);
  const afterFirst = tf.memory().numTensors;
  const b = await run(1);
  assert.equal(tf.memory().numTensors, afterFirst, 'tensor count grows across runs');
  assert.equal(afterFirst, before, 'tensors leaked by a run');
  assert.deepEqual(a.out, b.out, 'same seed, same result');
  assert.ok(a.recs[a.recs.length - 1].loss < 1e-3 * a.recs[0].loss, `loss ${a.recs[0].loss} -> ${a.recs[a.recs.length - 1].loss}`);
  const truth = [1, -2, 0.5, 3, 0];
  a.out.forEach((v, i) => assert.ok(Math.abs(v - truth[i]) < 0.02, `w[${i}] = ${v}`));
  tf.dispose([X, wTrue, Y]);
});

test('trainLoop: early stop, consecutive batches, bad input', async () => {
  await initBackend();
  const X = tf.ones([10, 2]);
  const w = tf.variable(tf.zeros([2, 1]));
  const opt = makeOptimizer('sgd', 0.1);
  const seen: number[] = [];
  const recs = await trainLoop([X], ([xb], idx) => { seen.push(...idx.dataSync()); return tf.mean(tf.square(tf.sub(tf.matMul(xb as tf.Tensor2D, w), 1))) as tf.Scalar; }, [w], opt,
    { epochs: 10, batchSize: 4, progress: false, onEpoch: (r) => r.epoch < 3 });
  assert.equal(recs.length, 3);
  assert.deepEqual(seen.slice(0, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  await assert.rejects(trainLoop([X, tf.ones([3, 1])], () => tf.scalar(0), [w], opt, { epochs: 1, batchSize: 2, progress: false }), /same number of rows/);
  await assert.rejects(trainLoop([X], () => tf.scalar(0), [w], opt, { epochs: 1, batchSize: 0, progress: false }), /batchSize must be an integer/);
  assert.throws(() => makeOptimizer('adam', 0), /learningRate must be a finite number > 0/);
  const big = mapBatches(tf.range(0, 10).reshape([10, 1]), 3, (xb) => tf.mul(xb, 2));
  assert.deepEqual(Array.from(big.dataSync()), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  tf.dispose([X, w, big]); opt.dispose();
});

test('trainLoop reports a non-finite loss clearly', async () => {
  await initBackend();
  const X = tf.ones([4, 1]);
  const w = tf.variable(tf.zeros([1, 1]));
  const opt = makeOptimizer('sgd', 0.1);
  await assert.rejects(trainLoop([X], ([xb]) => tf.sum(tf.div(tf.matMul(xb as tf.Tensor2D, w), 0)) as tf.Scalar, [w], opt, { epochs: 1, batchSize: 4, progress: false, label: 'bad' }), /bad: loss became NaN/);
  tf.dispose([X, w]); opt.dispose();
});

test('trainLoop flush: once after every epoch before onEpoch, before an afterStep hook, and when training fails', async () => {
  await initBackend();
  const X = tf.ones([10, 2]);
  const log: string[] = [];
  let steps = 0;
  const step = () => { steps++; log.push('step'); return tf.scalar(steps === 7 ? NaN : 1); };
  await trainLoop([X], () => tf.scalar(0), [], null, {
    step, flush: () => log.push('flush'), epochs: 2, batchSize: 5, progress: false,
    onEpoch: () => { log.push('epoch'); },
  });
  assert.deepEqual(log, ['step', 'step', 'flush', 'epoch', 'step', 'step', 'flush', 'epoch', 'flush']);
  log.length = 0;
  await trainLoop([X], () => tf.scalar(0), [], null, { step, flush: () => log.push('flush'), afterStep: () => log.push('after'), epochs: 1, batchSize: 5, progress: false });
  assert.deepEqual(log, ['step', 'flush', 'after', 'step', 'flush', 'after', 'flush', 'flush']);
  log.length = 0;
  await assert.rejects(trainLoop([X], () => tf.scalar(0), [], null, { step, flush: () => log.push('flush'), epochs: 1, batchSize: 5, progress: false }), /loss became NaN/);
  assert.deepEqual(log, ['step', 'step', 'flush', 'flush'], 'flushed before the failure is reported, and again on the way out');
  X.dispose();
});
