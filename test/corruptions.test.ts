import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../src/backend';
import { Rng } from '../src/random';
import { saltPepperFlip, impulseNoise, gaussianNoise, uniformReplace, gaussianReplace, LI2020_SEVERITY_TABLE, RVAE_SALT_PEPPER_FRACTIONS, RVAE_GAUSSIAN_FACTORS } from '../src/corruptions';

before(async () => { await initBackend(); });

function randomImages(n: number, d: number, seed: number): tf.Tensor2D {
  return tf.tensor2d(new Rng(seed).uniformArray(n * d), [n, d]);
}

function arrays(r: { corrupted: tf.Tensor2D; mask: tf.Tensor2D }) {
  const out = { c: r.corrupted.dataSync() as Float32Array, m: r.mask.dataSync() as Float32Array };
  r.corrupted.dispose(); r.mask.dispose();
  return out;
}

test('saltPepperFlip reproduces the per-row k draws with replacement', () => {
  const n = 20, d = 50, k = 30, seed = 7;
  const X = randomImages(n, d, 1);
  const x = X.dataSync();
  const before0 = tf.memory().numTensors;
  const { c, m } = arrays(saltPepperFlip(X, { k, seed }));
  assert.equal(tf.memory().numTensors, before0);
  // replay the documented draw order: row by row, rng.int(d) k times, each draw flips the current value
  const rng = new Rng(seed);
  const expect = Float32Array.from(x);
  for (let i = 0; i < n; i++) {
    const touched = new Set<number>();
    for (let j = 0; j < k; j++) {
      const p = rng.int(d); touched.add(p);
      expect[i * d + p] = expect[i * d + p] > 0.5 ? 0 : 1;
    }
    assert.ok(touched.size <= k);
    let cnt = 0;
    for (let j = 0; j < d; j++) {
      cnt += m[i * d + j];
      assert.equal(m[i * d + j], touched.has(j) ? 1 : 0);
      if (!touched.has(j)) assert.equal(c[i * d + j], x[i * d + j]);
      else assert.ok(c[i * d + j] === 0 || c[i * d + j] === 1);
    }
    assert.equal(cnt, touched.size);
  }
  assert.deepEqual(Array.from(c), Array.from(expect));
  X.dispose();
});

test('saltPepperFlip: single flips go > 0.5 -> 0 and <= 0.5 -> 1; fraction uses int(f*d)', () => {
  const X = tf.tensor2d([[0.2, 0.5, 0.51, 0.9]]);
  // with k = 1 exactly one entry changes, and it is flipped by the rule
  for (let s = 0; s < 10; s++) {
    const { c, m } = arrays(saltPepperFlip(X, { k: 1, seed: s }));
    const j = m.indexOf(1);
    assert.equal(m.reduce((a, b) => a + b, 0), 1);
    assert.equal(c[j], [1, 1, 0, 0][j]);
  }
  // 0.29 * 100 = 28.999999999999996 -> int() gives 28 draws, as Python does
  const Y = randomImages(3, 100, 2);
  const a = arrays(saltPepperFlip(Y, { fraction: 0.29, seed: 3 }));
  const b = arrays(saltPepperFlip(Y, { k: 28, seed: 3 }));
  assert.deepEqual(Array.from(a.c), Array.from(b.c));
  X.dispose(); Y.dispose();
});

test('same seed, same output; different seed, different output', () => {
  const X = randomImages(10, 100, 3);
  for (const f of [
    (s: number) => saltPepperFlip(X, { fraction: 0.1, seed: s }),
    (s: number) => impulseNoise(X, { severity: 2, seed: s }),
    (s: number) => impulseNoise(X, { severity: 'mixup', seed: s }),
    (s: number) => gaussianNoise(X, { std: 0.3, seed: s }),
    (s: number) => uniformReplace(X, { fraction: 0.2, seed: s }),
    (s: number) => gaussianReplace(X, { fraction: 0.2, seed: s }),
  ]) {
    const a = arrays(f(5)), b = arrays(f(5)), c = arrays(f(6));
    assert.deepEqual(Array.from(a.c), Array.from(b.c));
    assert.deepEqual(Array.from(a.m), Array.from(b.m));
    assert.notDeepEqual(Array.from(a.c), Array.from(c.c));
  }
  X.dispose();
});

test('fraction-based corruptions touch the expected fraction', () => {
  const n = 200, d = 400;
  const X = randomImages(n, d, 4);
  const x = X.dataSync();
  for (const frac of [0.05, 0.3]) {
    // impulse (bernoulli): fraction within 4 binomial standard deviations, values 0/1 where masked
    const imp = arrays(impulseNoise(X, { fraction: frac, seed: 1 }));
    const cnt = imp.m.reduce((a, b) => a + b, 0);
    const sd = Math.sqrt(n * d * frac * (1 - frac));
    assert.ok(Math.abs(cnt - n * d * frac) < 4 * sd, `impulse ${frac}: ${cnt / (n * d)}`);
    let salt = 0;
    for (let e = 0; e < n * d; e++) {
      if (imp.m[e]) { assert.ok(imp.c[e] === 0 || imp.c[e] === 1); salt += imp.c[e]; } else assert.equal(imp.c[e], x[e]);
    }
    assert.ok(Math.abs(salt / cnt - 0.5) < 0.05);
    // exact sampling: exactly round(frac*d) per row
    for (const r of [impulseNoise(X, { fraction: frac, seed: 2, sampling: 'exact' }), uniformReplace(X, { fraction: frac, seed: 2 }), gaussianReplace(X, { fraction: frac, seed: 2 })]) {
      const { m, c } = arrays(r);
      for (let i = 0; i < n; i++) {
        let rc = 0;
        for (let j = 0; j < d; j++) { rc += m[i * d + j]; if (!m[i * d + j]) assert.equal(c[i * d + j], x[i * d + j]); }
        assert.equal(rc, Math.round(frac * d));
      }
    }
  }
  // uniformReplace values lie in [0,1); gaussianReplace values look standard normal
  const u = arrays(uniformReplace(X, { fraction: 0.5, seed: 9 }));
  const g = arrays(gaussianReplace(X, { fraction: 0.5, seed: 9 }));
  let gs = 0, gs2 = 0, gc = 0;
  for (let e = 0; e < n * d; e++) {
    if (u.m[e]) assert.ok(u.c[e] >= 0 && u.c[e] < 1);
    if (g.m[e]) { gs += g.c[e]; gs2 += g.c[e] ** 2; gc++; }
  }
  assert.ok(Math.abs(gs / gc) < 0.05 && Math.abs(gs2 / gc - 1) < 0.05);
  X.dispose();
});

test('gaussianNoise is clipped into [0,1]; std matches; mask = changed entries', () => {
  const n = 100, d = 300;
  const X = tf.fill([n, d], 0.5) as tf.Tensor2D;
  const { c, m } = arrays(gaussianNoise(X, { std: 0.1, seed: 1, clip: true }));
  let s2 = 0;
  for (let e = 0; e < n * d; e++) { assert.ok(c[e] >= 0 && c[e] <= 1); s2 += (c[e] - 0.5) ** 2; assert.equal(m[e], c[e] !== 0.5 ? 1 : 0); }
  assert.ok(Math.abs(Math.sqrt(s2 / (n * d)) - 0.1) < 0.005);
  const big = arrays(gaussianNoise(X, { std: 2, seed: 1 }));
  assert.ok(Math.min(...big.c) === 0 && Math.max(...big.c) === 1);
  const noclip = arrays(gaussianNoise(X, { std: 2, seed: 1, clip: false }));
  assert.ok(Math.min(...noclip.c) < 0 && Math.max(...noclip.c) > 1);
  // severities follow Li et al. Table 2 (MNIST column / CIFAR column)
  const s3 = arrays(gaussianNoise(X, { severity: 3, seed: 4, clip: false }));
  const sdv = Math.sqrt(s3.c.reduce((a, v) => a + (v - 0.5) ** 2, 0) / (n * d));
  assert.ok(Math.abs(sdv - LI2020_SEVERITY_TABLE.gaussian.mnist[2]) < 0.01);
  const c3 = arrays(gaussianNoise(X, { severity: 3, dataset: 'cifar', seed: 4, clip: false }));
  const sdc = Math.sqrt(c3.c.reduce((a, v) => a + (v - 0.5) ** 2, 0) / (n * d));
  assert.ok(Math.abs(sdc - 0.07) < 0.005);
  X.dispose();
});

test('mixup draws a level 0..6 per image and applies it', () => {
  const n = 700, d = 200;
  const X = tf.fill([n, d], 0.5) as tf.Tensor2D;
  const r = impulseNoise(X, { severity: 'mixup', seed: 3, sampling: 'exact' });
  const levels = r.levels!;
  const { m } = arrays(r);
  const seen = new Set(levels);
  assert.equal(seen.size, 7);
  for (let i = 0; i < n; i++) {
    const cnt = m.subarray(i * d, (i + 1) * d).reduce((a, b) => a + b, 0);
    assert.equal(cnt, levels[i] === 0 ? 0 : Math.round(LI2020_SEVERITY_TABLE.impulse.mnist[levels[i] - 1] * d));
  }
  X.dispose();
});

test('severity table and sweep constants', () => {
  assert.deepEqual(LI2020_SEVERITY_TABLE.impulse.mnist, [0.05, 0.1, 0.15, 0.2, 0.25, 0.3]);
  assert.deepEqual(LI2020_SEVERITY_TABLE.gaussian.cifar, [0.04, 0.06, 0.07, 0.08, 0.09, 0.1]);
  assert.equal(RVAE_SALT_PEPPER_FRACTIONS[0], 0.01); assert.equal(RVAE_SALT_PEPPER_FRACTIONS.at(-1), 0.51);
  assert.equal(RVAE_GAUSSIAN_FACTORS.length, 9);
});

test('bad inputs give clear errors and leak nothing', () => {
  const X = randomImages(2, 4, 1);
  const n0 = tf.memory().numTensors;
  const v = tf.tensor1d([1, 2]);
  assert.throws(() => saltPepperFlip(v as unknown as tf.Tensor2D, { k: 1, seed: 1 }), /rank 2/);
  const bad = tf.tensor2d([[0, NaN]]);
  assert.throws(() => impulseNoise(bad, { fraction: 0.1, seed: 1 }), /non-finite/);
  assert.throws(() => impulseNoise(X, { fraction: 1.5, seed: 1 }), /fraction must be in \[0, 1\]/);
  assert.throws(() => impulseNoise(X, { severity: 7, seed: 1 }), /severity/);
  assert.throws(() => gaussianNoise(X, { severity: 0, seed: 1 }), /severity/);
  assert.throws(() => gaussianNoise(X, { std: 0.1, severity: 2, seed: 1 }), /exactly one/);
  assert.throws(() => saltPepperFlip(X, { seed: 1 }), /exactly one/);
  assert.throws(() => uniformReplace(X, { fraction: -0.1, seed: 1 }), /fraction/);
  assert.throws(() => gaussianReplace(X, { fraction: 0.1 } as never), /seed/);
  assert.equal(tf.memory().numTensors, n0 + 2);
  v.dispose(); bad.dispose(); X.dispose();
});
