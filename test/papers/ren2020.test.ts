import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { ResultsStore } from '../../src/experiment/store';
import {
  renConfig, prepareRenData, renCell, runRenCell, corruptFor, pooledPixelFeatureNet, decodeSamples, encodeSamples, paperFid,
  REN_MODELS, REN2020_TABLE2, improvement,
} from '../../src/papers/ren2020';

const ready = initBackend();

/** 28x28 fixture "digits": random strokes. */
function fixture(n: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  const out = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) {
    const x0 = 6 + rng.int(16), y0 = 4 + rng.int(6), len = 10 + rng.int(8);
    for (let t = 0; t < len; t++) { const y = y0 + t, x = x0 + Math.round(Math.sin(t / 3) * 3); for (const dx of [0, 1]) out[i * 784 + y * 28 + x + dx] = 1; }
  }
  return tf.tensor2d(out, [n, 784]);
}

test('ren2020: every model runs through a cell (train, sample, FID, grid); the store resumes; no leaks', async () => {
  await ready;
  const cfg = { ...renConfig('smoke'), nTrain: 120, nGen: 60, nRef: 60, outer: 2, inner: 1, hidden: [16], latentDim: 4, rpcaMaxIter: 5, gridN: 4 };
  const clean = fixture(cfg.nTrain, 1);
  const data = prepareRenData('mnist', clean, pooledPixelFeatureNet([28, 28, 1], 4), cfg);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ren2020-'));
  const store = new ResultsStore(path.join(dir, 'cells.jsonl'), { version: 'test' });
  const before = tf.memory().numTensors;
  for (const model of REN_MODELS) {
    const row = await renCell(store, { dataset: 'mnist', noise: 'salt-pepper', level: 0.1, model, lambda: model === 'RVAE' || model === 'RDA+VAE' ? 50 : 0, seed: 0 }, () => data, cfg);
    assert.ok(Number.isFinite(row.fid) && row.fid >= 0, `${model} fid ${row.fid}`);
    assert.equal(row.featureNet, 'mean-pooled pixels 4x4x1 (16-d)');
    assert.ok(row.trainSeconds > 0);
    assert.equal(decodeSamples(row.samples).length, 4 * 784);
    if (model === 'RVAE') assert.ok(row.sparsityS >= 0 && row.sparsityS <= 1);
  }
  assert.equal(store.computed, REN_MODELS.length);
  const again = new ResultsStore(path.join(dir, 'cells.jsonl'), { version: 'test' });
  const r2 = await renCell(again, { dataset: 'mnist', noise: 'salt-pepper', level: 0.1, model: 'VAE', lambda: 0, seed: 0 }, () => data, cfg);
  assert.equal(again.reused, 1);
  assert.ok(Number.isFinite(r2.fid));
  // gaussian corruption path
  const g = await runRenCell({ dataset: 'mnist', noise: 'gaussian', level: 0.3, model: 'VAE', lambda: 0, seed: 0 }, data, cfg);
  assert.ok(Number.isFinite(g.fid));
  assert.equal(tf.memory().numTensors, before);
  clean.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('ren2020: corruption is the same for every model of a cell; samples round-trip; paper tables', async () => {
  await ready;
  const clean = fixture(10, 2);
  const a = corruptFor(clean, 'salt-pepper', 0.29, 0, 'mnist'), b = corruptFor(clean, 'salt-pepper', 0.29, 0, 'mnist');
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  // int(0.29 * 784) = 227 draws per image with replacement: between 1 and 227 flipped entries per row
  const diff = tf.tidy(() => tf.sum(tf.cast(tf.notEqual(a, clean), 'float32'), 1).dataSync());
  for (const v of diff) assert.ok(v > 150 && v <= 227, `${v}`);
  const enc = encodeSamples(a);
  const dec = decodeSamples(enc);
  assert.deepEqual(Array.from(dec), Array.from(a.dataSync()));
  tf.dispose([a, b, clean]);
  assert.equal(paperFid('mnist', 0.09, 'RVAE'), 43.34);
  assert.equal(paperFid('fashion-mnist', 0.41, 'RDA+VAE'), 102.12);
  assert.equal(paperFid('mnist', 0.29, 'VAE'), undefined);
  assert.equal(Object.keys(REN2020_TABLE2).length, 7);
  assert.ok(Math.abs(improvement(100, 58) - 42) < 1e-12);
});
