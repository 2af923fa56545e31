import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { GAN } from '../../src/models/gan';
import { VAE } from '../../src/models/vae';
import { manifoldData } from './helpers';

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

test('GAN: fused Adam (makeOptimizer, beta1 = 0.5) and plain tf.train.adam give the same generator', async () => {
  await ready;
  const X = manifoldData(2, 100, 12);
  const samples = async (fused: boolean) => {
    const prev = process.env.RML_FUSED;
    process.env.RML_FUSED = fused ? '1' : '0';
    try {
      const g = new GAN({ hidden: [10], latentDim: 2, epochs: 3, batchSize: 25, beta1: 0.5, seed: 3 });
      await g.fit(X, { progress: false });
      const S = g.sample(8, 1); const s = Array.from(S.dataSync()); S.dispose();
      g.dispose();
      return s;
    } finally {
      if (prev === undefined) delete process.env.RML_FUSED; else process.env.RML_FUSED = prev;
    }
  };
  const a = await samples(true), b = await samples(false);
  const maxDiff = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
  assert.ok(maxDiff < 1e-5, `fused vs plain Adam: max |d sample| = ${maxDiff}`);
  X.dispose();
});
