import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { GraphSession } from '../../src/train/graph';
import { GanDiscriminatorGraphAdam, GanGeneratorGraphAdam } from '../../src/train/graph-gan';
import { GAN, GANOptions } from '../../src/models/gan';

const ready = initBackend();

test('GAN graph steps: the GAN trains as with tfjs autodiff (with and without dropout), same losses and weights, no tensor growth', async (t) => {
  await ready;
  if (!GraphSession.available()) { t.skip('native TensorFlow backend not available'); return; }
  const X = tf.tensor2d(new Rng(6).uniformArray(60 * 12), [60, 12]);
  for (const o of [{ dropoutRate: 0.7 }, { dropoutRate: 0, activation: 'leakyrelu' }] as Partial<GANOptions>[]) {
    const run = async (compiledStep: boolean) => {
      const gan = new GAN({ hidden: [10, 6], latentDim: 3, epochs: 4, batchSize: 16, learningRate: 5e-3, seed: 3, ...o, compiledStep });
      await gan.fit(X, { progress: false });
      const rec = gan.history.epochs.map((r) => [(r as unknown as { dLoss: number }).dLoss, (r as unknown as { gLoss: number }).gLoss]);
      const S = gan.sample(5, 1);
      const s = Array.from(S.dataSync());
      S.dispose();
      gan.dispose();
      return { rec, s };
    };
    const before = tf.memory().numTensors;
    const a = await run(true), b = await run(false);
    assert.equal(tf.memory().numTensors, before, `${JSON.stringify(o)}: no tensors left behind`);
    a.rec.forEach((r, e) => r.forEach((v, j) => assert.ok(Math.abs(v - b.rec[e][j]) <= 1e-4 * Math.max(1, Math.abs(b.rec[e][j])), `${JSON.stringify(o)} epoch ${e} ${j ? 'G' : 'D'}: ${v} vs ${b.rec[e][j]}`)));
    const worst = Math.max(...a.s.map((v, i) => Math.abs(v - b.s[i])));
    assert.ok(worst < 1e-4, `${JSON.stringify(o)}: generated samples differ by ${worst}`);
  }
  X.dispose();
});

test('GAN graph steps: reject a discriminator without a one-unit output and wrong mask counts', async (t) => {
  await ready;
  if (!GraphSession.available()) { t.skip('native TensorFlow backend not available'); return; }
  const v = (s: number[]) => tf.variable(tf.zeros(s));
  const gen = [{ W: v([2, 4]), b: v([4]) }];
  const net = { gen, disc: [{ W: v([4, 3]), b: v([3]) }, { W: v([3, 1]), b: v([1]) }], activation: 'relu' as const, dropout: true };
  assert.throws(() => new GanDiscriminatorGraphAdam({ ...net, disc: [{ W: v([4, 2]), b: v([2]) }] }, { learningRate: 1e-3 }), /end in one unit/);
  const d = new GanDiscriminatorGraphAdam(net, { learningRate: 1e-3 }), g = new GanGeneratorGraphAdam(net, { learningRate: 1e-3 });
  const x = tf.zeros([5, 4]) as tf.Tensor2D, z = tf.zeros([5, 2]) as tf.Tensor2D;
  assert.throws(() => d.step(x, z), /1 dropout masks per pass expected, got 0 and 0/);
  assert.throws(() => g.step(z, []), /1 dropout masks expected/);
  const l = g.step(z, [tf.ones([5, 3]) as tf.Tensor2D]);
  assert.ok(Math.abs(l.dataSync()[0] - Math.log(2)) < 1e-6, 'all-zero nets: D(G(z)) = 0, L_G = log 2');
  tf.dispose([l, x, z]);
  d.dispose(); g.dispose();
});
