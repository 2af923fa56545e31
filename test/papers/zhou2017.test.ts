import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import {
  ZHOU2017_SCALES, twoThirdsSplit, denoiseDifferences, denoiseData, denoiseCell, outlierData, outlierCell,
  isolationForestSweep, convergenceCell, bestBy,
} from '../../src/papers/zhou2017';

const ready = initBackend();

test('paper-scale configuration follows the paper / the authors\' code', () => {
  const p = ZHOU2017_SCALES.paper;
  assert.deepEqual(p.denoise.layers, [784, 196, 49]);
  assert.equal(p.denoise.corruptions[0], 10);
  assert.equal(p.denoise.corruptions[p.denoise.corruptions.length - 1], 350);
  assert.equal(p.denoise.lambdas[0], 0.1);
  assert.equal(p.denoise.lambdas[p.denoise.lambdas.length - 1], 100);
  assert.equal(p.denoise.rfTrees, 50);
  assert.equal(p.denoise.lambdaFactor, 10);
  assert.deepEqual(p.outlier.layers, [784, 400, 200]);
  assert.equal(p.outlier.outer, 20); assert.equal(p.outlier.innerEpochs, 50); assert.equal(p.outlier.batchSize, 133);
  assert.equal(p.outlier.nInliers + p.outlier.nOutliers, 5124);
  assert.equal(p.outlier.contaminations[0], 0.01);
  assert.equal(p.outlier.contaminations[p.outlier.contaminations.length - 1], 0.69);
  assert.equal(p.outlier.ifTrees, 100);
  assert.equal(p.convergence.batchSize, 30); assert.equal(p.convergence.innerEpochs, 5);
  for (const s of ['smoke', 'quick'] as const) assert.equal(ZHOU2017_SCALES[s].outlier.nInliers + ZHOU2017_SCALES[s].outlier.nOutliers, 5124, `${s}: F1 on the same 5,124 images`);
});

test('twoThirdsSplit is a seeded partition 2/3 - 1/3', () => {
  const s = twoThirdsSplit(300, 4);
  assert.equal(s.train.length, 200); assert.equal(s.test.length, 100);
  assert.deepEqual([...s.train, ...s.test].sort((a, b) => a - b), Array.from({ length: 300 }, (_, i) => i));
  assert.deepEqual(Array.from(twoThirdsSplit(300, 4).test), Array.from(s.test));
});

test('denoiseDifferences joins AE and RDA cells by corruption level', () => {
  const d = denoiseDifferences([{ k: 10, lambda: null, error: 0.2 }, { k: 10, lambda: 1, error: 0.1 }, { k: 20, lambda: 1, error: 0.3 }]);
  assert.equal(d.length, 1);
  assert.ok(Math.abs(d[0].diff - 0.1) < 1e-12);
  assert.ok(Math.abs(d[0].relGain - 1) < 1e-12); // AE error 100% higher
  assert.equal(bestBy([{ a: 1 }, { a: 3 }, { a: 2 }], 'a').a, 3);
});

test('denoise, outlier and convergence cells run at toy size without leaking tensors', async () => {
  await ready;
  const cfg = ZHOU2017_SCALES.smoke;
  const data = await denoiseData(120, 0);
  const before = tf.memory().numTensors;
  const small = { ...cfg.denoise, outer: 1, innerEpochs: 1, rfTrees: 5, examples: 2 };
  const ae = await denoiseCell({ data, k: 50, lambda: null, cfg: small, seed: 0 });
  const rda = await denoiseCell({ data, k: 50, lambda: 1, cfg: small, seed: 0 });
  for (const r of [ae, rda]) {
    assert.ok(r.error >= 0 && r.error <= 1);
    assert.equal(r.corrupted.length, 2 * 784); assert.equal(r.output.length, 2 * 784);
  }
  assert.deepEqual(ae.corrupted, rda.corrupted, 'AE and RDA see the same corrupted images');
  assert.equal(ae.sDensity, 0);
  // an RDA whose S stays 0 (huge lambda) is the AE baseline exactly: same schedule, same seed
  const rdaInf = await denoiseCell({ data, k: 50, lambda: 1e6, cfg: small, seed: 0 });
  assert.equal(rdaInf.sDensity, 0);
  assert.deepEqual(rdaInf.output, ae.output);
  assert.equal(rdaInf.error, ae.error);
  assert.ok(rda.threshold > 0);
  const od = await outlierData({ nInliers: 100, nOutliers: 9 }, 0);
  assert.equal(od.n, 109);
  const o = await outlierCell({ data: od, lam: 0.01, cfg: { ...cfg.outlier, outer: 1, innerEpochs: 1, sImages: 2 }, seed: 0 });
  assert.equal(o.rowNorms.length, 109);
  assert.equal(o.flagged, o.rowNorms.filter((v) => v > 0).length);
  assert.equal(o.tp + o.fn, 9);
  const c = await convergenceCell({ data, lambda: 5, cfg: { ...cfg.convergence, outer: 2, innerEpochs: 2 }, seed: 0 });
  assert.equal(c.trace.length, 2 * 2 + 2);
  assert.deepEqual(c.trace.map((p) => p.prox), [0, 0, 1, 0, 0, 1]);
  assert.equal(tf.memory().numTensors, before);
  const sweep = isolationForestSweep(od, [0.05, 0.1], { trees: 20, seeds: 2, seed: 0 });
  assert.equal(sweep.points.length, 2);
  for (const p of sweep.points) assert.ok(p.f1 >= 0 && p.f1 <= 1);
});
