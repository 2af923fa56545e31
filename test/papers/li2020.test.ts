import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { ResultsStore } from '../../src/experiment/store';
import { resnet32Spec } from '../../src/nets/resnet32';
import { conv28Spec } from '../../src/nets/conv28';
import {
  phaseTransition, phaseSummary, restorationCell, table1Rows, paperAccuracy, LI2020_TABLE1, li2020Config, type RestorationParams,
} from '../../src/papers/li2020';
import type { ImageSet } from '../../src/data/images';

const tmp = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'li2020-')), 'cells.jsonl');

test('paper Table 1 transcription: MNIST impulse severity 6 and the CIFAR-10 clean column', () => {
  assert.equal(paperAccuracy('mnist', 'PC', 'impulse', 6), 14.68);
  assert.equal(paperAccuracy('mnist', 'RDAE', 'impulse', 6), 95.88);
  assert.equal(paperAccuracy('mnist', 'RNLF', 'impulse', 6), 93.61);
  assert.equal(paperAccuracy('mnist', 'PC', 'gaussian', 'mixup'), 54.79);
  assert.equal(paperAccuracy('cifar10', 'PC', 'none', 0), 93.71);
  for (const ds of Object.values(LI2020_TABLE1)) for (const m of Object.values(ds)) { assert.equal(m.impulse.length, 8); assert.equal(m.gaussian.length, 8); }
  for (const s of ['smoke', 'quick', 'paper'] as const) assert.ok(li2020Config(s).phase.n > 0);
});

test('phase transition sweep: robust factorization succeeds where the robust AE fails; the sweep resumes from the store', async () => {
  await initBackend();
  const before = tf.memory().numTensors;
  const file = tmp();
  const grid = { n: 60, rankFractions: [0.05], rhos: [0.05, 0.1], trials: 1, overFactor: 2, iterations: 1000, seed: 1, methods: ['robust-ae', 'robust-factorization'] as const };
  const store = new ResultsStore(file, { version: 't' });
  const rows = await phaseTransition(store, grid);
  assert.equal(rows.length, 4);
  const s = phaseSummary(rows);
  for (const r of s) {
    if (r.method === 'robust-factorization') assert.ok(r.medianRelErr < 1e-3, `RF error ${r.medianRelErr} at rho ${r.rho}`);
    else assert.ok(r.medianRelErr > 1e-3, `robust AE error ${r.medianRelErr} at rho ${r.rho}`);
  }
  assert.equal(store.computed, 4);
  // a fresh store on the same file: nothing is recomputed
  const again = new ResultsStore(file, { version: 't' });
  const rows2 = await phaseTransition(again, grid);
  assert.equal(again.computed, 0);
  assert.deepEqual(rows2.map((r) => r.relErr), rows.map((r) => r.relErr));
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});

function fixtureSet(n: number, h: number, w: number, c: number, seed: number): ImageSet {
  const rng = new Rng(seed);
  return { images: rng.uniformArray(n * h * w * c), labels: Int32Array.from({ length: n }, (_, i) => i % 10), n, height: h, width: w, channels: c, name: 'fixture' };
}

test('restoration cell (Table 1 code path) on CIFAR-shaped fixture data with the ResNet of Tables 5-6; resumable', async () => {
  await initBackend();
  const before = tf.memory().numTensors;
  const file = tmp();
  const set = fixtureSet(6, 32, 32, 3, 3);
  let calls = 0;
  const accuracy = (X: tf.Tensor2D, labels: Int32Array) => { calls++; assert.deepEqual(X.shape, [4, 3072]); assert.equal(labels.length, 4); return 0.5; };
  const p: RestorationParams = { dataset: 'cifar10', noise: 'impulse', severity: 6, n: 4, epochs: 1, learningRate: 5e-4, codeLearningRate: 10, codeDim: 8, batchSize: 2, decayEvery: 100, seed: 0 };
  const deps = { images: set, net: resnet32Spec(4), severityGroup: 'cifar' as const, accuracy, examples: 2 };
  const r = await restorationCell(new ResultsStore(file, { version: 't' }), p, deps);
  assert.equal(calls, 4);
  assert.equal(r.accRDAE, 0.5);
  assert.equal(r.examples.count, 2);
  assert.equal(r.examples.rdae.length, 2 * 3072);
  assert.ok(r.maeCorrupted > 0 && r.maeRDAE > 0 && r.maeRNLF > 0);
  const rows = table1Rows('cifar10', [{ ...p, ...r }], 'ResNet');
  assert.equal(rows.length, 6);
  assert.equal(rows[2]['sev 6'], '50.00 / -');   // RDAE ours
  assert.equal(rows[3]['sev 6'], '82.22 / 59.04'); // RDAE paper
  // resumed: read back, no model is fitted and the classifier is not called again
  const store2 = new ResultsStore(file, { version: 't' });
  const r2 = await restorationCell(store2, p, deps);
  assert.equal(calls, 4);
  assert.equal(store2.reused, 1);
  assert.deepEqual(r2.examples.clean, r.examples.clean);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});

test('restoration cell on MNIST-shaped fixture data (conv28), Gaussian noise', async () => {
  await initBackend();
  const set = fixtureSet(4, 28, 28, 1, 4);
  const p: RestorationParams = { dataset: 'mnist', noise: 'gaussian', severity: 'mixup', n: 4, epochs: 1, learningRate: 1e-3, codeLearningRate: 10, codeDim: 30, batchSize: 4, decayEvery: 100, seed: 0 };
  const r = await restorationCell(new ResultsStore(tmp(), { version: 't' }), p, { images: set, net: conv28Spec(1), severityGroup: 'mnist', accuracy: () => 1 });
  assert.equal(r.accClean, 1);
  assert.equal(r.lossRDAE.length, 1);
});
