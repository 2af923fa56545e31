import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { DeepAutoencoder } from '../../src/models/autoencoder';
import { manifoldData } from './helpers';

const ready = initBackend();

test('DeepAutoencoder: tied weights, shapes, sigmoid range, variable count', async () => {
  await ready;
  const ae = new DeepAutoencoder({ layers: [20, 8, 3], seed: 1 });
  // tied: W 20x8, 8x3, encoder biases 8, 3, decoder biases 8, 20
  assert.equal(ae.variables.length, 6);
  assert.deepEqual(ae.variables.map((v) => v.shape), [[20, 8], [8], [8, 3], [3], [8], [20]]);
  const untied = new DeepAutoencoder({ layers: [20, 8, 3], tied: false, seed: 1 });
  assert.equal(untied.variables.length, 8);
  const X = manifoldData(1, 50, 20);
  // the untrained network through its public forward pass (reconstruct / transform need fit(): the contract)
  const R = ae.forward(X), H = ae.encode(X);
  assert.deepEqual(R.shape, [50, 20]);
  assert.deepEqual(H.shape, [50, 3]);
  const [lo, hi] = [R.min().dataSync()[0], R.max().dataSync()[0]];
  assert.ok(lo > 0 && hi < 1);
  // tied decoder = sigmoid(h W^T + b): check by hand for the last layer
  const manual = tf.tidy(() => {
    const h1 = tf.sigmoid(tf.add(tf.matMul(X, ae.encoder[0].W), ae.encoder[0].b));
    const h2 = tf.sigmoid(tf.add(tf.matMul(h1, ae.encoder[1].W), ae.encoder[1].b));
    const d1 = tf.sigmoid(tf.add(tf.matMul(h2, ae.encoder[1].W, false, true), ae.decoderBias[0]));
    return tf.sigmoid(tf.add(tf.matMul(d1, ae.encoder[0].W, false, true), ae.decoderBias[1]));
  });
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(manual, R))).dataSync()[0]) < 1e-5);
  tf.dispose([R, H, X, manual]);
  ae.dispose(); untied.dispose();
});

test('DeepAutoencoder: fit lowers the reconstruction error; same seed gives the same result; no tensor leaks', async () => {
  await ready;
  const X = manifoldData(2, 200, 30);
  const before = tf.memory().numTensors;
  const run = async () => {
    const ae = new DeepAutoencoder({ layers: [30, 12, 4], epochs: 15, batchSize: 50, learningRate: 3e-2, seed: 3 });
    const e0 = ae.dataFit(X);
    await ae.fit(X, { progress: false });
    const e1 = ae.dataFit(X);
    const losses = ae.history.epochs.map((r) => r.loss);
    ae.dispose();
    return { e0, e1, losses };
  };
  const a = await run();
  assert.ok(a.e1 < 0.5 * a.e0, `error ${a.e0} -> ${a.e1}`);
  assert.equal(a.losses.length, 15);
  const b = await run();
  assert.deepEqual(a.losses, b.losses);
  assert.equal(tf.memory().numTensors, before);
  X.dispose();
});

test('DeepAutoencoder: rejects bad options and inputs', async () => {
  await ready;
  assert.throws(() => new DeepAutoencoder({ layers: [10] }), /layers/);
  assert.throws(() => new DeepAutoencoder({ learningRate: -1 }), /learningRate/);
  assert.throws(() => new DeepAutoencoder({ nope: 1 } as never), /unknown option/);
  const ae = new DeepAutoencoder({ layers: [5, 2] });
  const X = tf.ones([3, 4]) as tf.Tensor2D;
  await assert.rejects(ae.fit(X), /5 columns/);
  assert.throws(() => ae.reconstruct(X), /call fit\(\) first/);
  X.dispose(); ae.dispose();
});

test('DeepAutoencoder: the compiled step trains exactly as tfjs autodiff (tied and untied, adam and sgd), no tensor growth', async () => {
  await ready;
  const { fusedAvailable } = await import('../../src/backend');
  const compiles = fusedAvailable() && process.env.RML_COMPILE !== '0';
  const X = manifoldData(4, 120, 24);
  for (const [tied, optimizer] of [[true, 'adam'], [false, 'adam'], [true, 'sgd']] as const) {
    const fitOne = async (compiledStep: boolean) => {
      const ae = new DeepAutoencoder({ layers: [24, 10, 4], tied, optimizer, epochs: 6, batchSize: 40, learningRate: 1e-2, seed: 5, compiledStep });
      await ae.fit(X, { progress: false });
      if (optimizer === 'adam') assert.equal(ae.trainingStep!.status, compiledStep && compiles ? 'graph' : 'eager', 'the Adam step ran as a traced graph');
      const losses = ae.history.epochs.map((r) => r.loss);
      const w = ae.variables.map((v) => Array.from(v.dataSync()));
      ae.dispose();
      return { losses, w };
    };
    const before = tf.memory().numTensors;
    const a = await fitOne(true), b = await fitOne(false);
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind by either path');
    // The loss fell, and both paths agree to float rounding at every epoch and in every weight.
    assert.ok(a.losses[5] < a.losses[0], `loss fell (${a.losses[0]} -> ${a.losses[5]})`);
    a.losses.forEach((l, i) => assert.ok(Math.abs(l - b.losses[i]) < 1e-5 * Math.max(1, Math.abs(b.losses[i])), `${tied}/${optimizer} epoch ${i}: ${l} vs ${b.losses[i]}`));
    let worst = 0;
    a.w.forEach((wa, k) => wa.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - b.w[k][j])); }));
    assert.ok(worst < 1e-4, `${tied}/${optimizer}: weights differ by ${worst}`);
  }
  if (!fusedAvailable()) console.log('# native backend not active: both paths were tfjs autodiff');
  X.dispose();
});
