import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf, initBackend } from '../../src/backend';
import { ResultsStore } from '../../src/experiment/store';
import {
  DAI_SCALES, manifoldCell, phaseCell, tuneC2, pruningCell, trainOptions, meanColumnVariance, ladderEpochs, stepsPerEpoch, aeConvention, C2_READINGS,
} from '../../src/papers/dai2017';

const cfg = DAI_SCALES.smoke;

test('DAI_SCALES: the paper scale is the paper protocol', () => {
  const p = DAI_SCALES.paper;
  assert.equal(p.phase.n, 1e6);
  assert.deepEqual(p.phase.hidden, [1000, 2000]);
  assert.equal(p.phase.latentDim, 50);
  assert.deepEqual(p.phase.kappas, [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
  assert.equal(p.phase.nus[p.phase.nus.length - 1], 0.5);
  assert.deepEqual({ ...p.phase.train, init: undefined, alphaRel: undefined }, { epochs: 200, learningRate: 1e-4, batchSize: 100, init: undefined, alphaRel: undefined, ladder: [] });
  assert.deepEqual(p.phase.rpca, { tol: 1e-7, maxIter: 1000 });
  assert.equal(p.pruning.latentDim, 30); assert.equal(p.pruning.kappa, 20); assert.deepEqual(p.pruning.genHidden, [200, 200]); assert.equal(p.pruning.d, 400);
  assert.deepEqual(p.mnist.hidden, [1000, 500, 250]);
  assert.deepEqual(p.mnist.taus, [1, 5]);
  for (const s of ['smoke', 'quick'] as const) assert.ok(DAI_SCALES[s].phase.n < p.phase.n);
});

test('trainOptions: alpha is alphaRel x the mean column variance of the observed X; every scale uses Glorot init', async () => {
  await initBackend();
  const before = tf.memory().numTensors;
  // columns with variances 4 and 0.25 around different means: mean column variance (4 + 0.25) / 2
  const X = tf.tensor2d([[2, 10.5], [-2, 9.5], [2, 10.5], [-2, 9.5]]);
  assert.ok(Math.abs(meanColumnVariance(X) - 2.125) < 1e-6);
  const o = trainOptions({ epochs: 3, learningRate: 1e-3, batchSize: 10, init: 'glorot', alphaRel: 0.01, ladder: [] }, X);
  assert.ok(Math.abs(o.minVariance! - 0.02125) < 1e-8);
  assert.deepEqual([o.epochs, o.learningRate, o.batchSize, o.init], [3, 1e-3, 10, 'glorot']);
  X.dispose();
  assert.equal(tf.memory().numTensors, before);
  for (const s of ['paper', 'quick', 'smoke'] as const) {
    const c = DAI_SCALES[s];
    for (const t of [c.phase.train, c.pruning.train, c.mnist.train]) { assert.equal(t.init, 'glorot'); assert.ok(t.alphaRel > 0 && t.alphaRel < 0.05); }
  }
  // convex RPCA: the paper's stopping rule at every scale (one algorithm; the scale changes sizes only)
  for (const s of ['paper', 'quick', 'smoke'] as const) {
    assert.deepEqual(DAI_SCALES[s].phase.rpca, { tol: 1e-7, maxIter: 1000 });
    assert.deepEqual(DAI_SCALES[s].mnist.rpca, { tol: 1e-7, maxIter: 1000 });
  }
});

test('phase / manifold / pruning cells run, are stored, resume without recomputing, and leak no tensors', async () => {
  await initBackend();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dai-'));
  const file = path.join(dir, 'cells.jsonl');
  const before = tf.memory().numTensors;
  const store = new ResultsStore(file, { version: 't' });
  const man = await manifoldCell(store, cfg.phase, 2);
  assert.ok(man.singularValues.length === cfg.phase.d && man.rank99 >= 1);
  assert.ok(Number.isFinite(man.certTestRelError));
  const vae = await phaseCell(store, cfg.phase, 2, 0.3, 'vae');
  assert.ok(vae.nmse > 0 && Number.isFinite(vae.nmse));
  assert.ok(vae.sigmaZ && vae.sigmaZ.meanPerDim.length === cfg.phase.latentDim);
  assert.ok(vae.nonzeroColumns >= 1 && vae.nonzeroColumns <= cfg.phase.latentDim);
  const ae = await phaseCell(store, cfg.phase, 2, 0.3, 'ae-l1', { c2: 3 });
  assert.equal(ae.sigmaZ, undefined);
  const rp = await phaseCell(store, cfg.phase, 2, 0.3, 'rpca');
  assert.ok(Number.isFinite(rp.nmse));
  const t = await tuneC2(store, cfg.phase, 'ae-l2');
  assert.ok(cfg.phase.c2Grid['ae-l2'].includes(t.best));
  const pr = await pruningCell(store, cfg.pruning, 1, 1);
  assert.equal(pr.sortedNorms.length, cfg.pruning.latentDim);
  assert.ok(pr.sortedNorms.every((v, i) => i === 0 || v <= pr.sortedNorms[i - 1]));
  assert.equal(tf.memory().numTensors, before, 'tensors leaked by the cells');
  const computed = store.computed;
  // a second store on the same file serves every cell without training
  const again = new ResultsStore(file, { version: 't' });
  const t0 = Date.now();
  const vae2 = await phaseCell(again, cfg.phase, 2, 0.3, 'vae');
  await tuneC2(again, cfg.phase, 'ae-l2');
  await pruningCell(again, cfg.pruning, 1, 1);
  assert.equal(again.computed, 0);
  assert.ok(again.reused >= 3 && Date.now() - t0 < 2000);
  assert.equal(vae2.nmse, vae.nmse);
  assert.ok(computed >= 6);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('ladder epochs: rungs in optimiser steps become whole epochs, capped by the run, with the last epoch always read', () => {
  assert.equal(stepsPerEpoch({ batchSize: 100 }, 3000), 30);
  assert.equal(stepsPerEpoch({ batchSize: 100 }, 3050), 31);
  assert.deepEqual(ladderEpochs({ batchSize: 100, epochs: 400, ladder: [1500, 3000, 6000, 24000] }, 3000), [50, 100, 200, 400]);
  assert.deepEqual(ladderEpochs({ batchSize: 100, epochs: 7, ladder: [] }, 3000), [7]);
  // every scale's ladder lies inside its run and the paper scale reads the end only
  for (const s of ['smoke', 'quick', 'long'] as const) {
    const c = DAI_SCALES[s];
    for (const [t, n] of [[c.phase.train, c.phase.n], [c.pruning.train, c.pruning.n], [c.mnist.train, c.mnist.n]] as const) {
      const es = ladderEpochs(t, n);
      assert.equal(es[es.length - 1], t.epochs);
      assert.ok(t.ladder.every((st) => st < t.epochs * stepsPerEpoch(t, n)), `${s}: a rung beyond the run`);
    }
  }
});

test('aeConvention: each reading of the paper C2 / C1 maps to this code\'s per-sample objective', () => {
  const dims = { d: 100, n: 3000, latentDim: 50 };
  assert.deepEqual(aeConvention('sum', 1000, dims), { c2: 1000, weightDecay: 5e-4 });
  assert.deepEqual(aeConvention('mean-d', 1, dims), { c2: 100, weightDecay: 5e-2 });
  assert.deepEqual(aeConvention('c1-dataset', 1, dims), { c2: 1, weightDecay: 5e-4 / 3000 });
  assert.deepEqual(aeConvention('mean-z', 1000, dims), { c2: 20, weightDecay: 5e-4 });
  assert.equal(C2_READINGS.length, 4);
  assert.throws(() => aeConvention('sum', -1, dims), /C2/);
  assert.throws(() => aeConvention('bogus' as never, 1, dims), /unknown reading/);
});

test('the exported keys (phaseKey, pruningKey, ...) are the keys the cell functions store; bestC2 keeps the first of equal NMSEs', async () => {
  const dai = await import('../../src/papers/dai2017');
  const { paramsKey } = await import('../../src/experiment/store');
  // a store that records the key each cell function asks for and computes nothing
  const asked: string[] = [];
  const fake = { cell: async (params: Record<string, unknown>) => { asked.push(paramsKey(params as never)); return { nmse: 0.5, ladder: [], meanAbsClean: 1 }; } } as unknown as ResultsStore;
  const P = cfg.phase, M = cfg.mnist, R = cfg.pruning;
  const train = dai.phaseTrainFor(P, 9, 1e-4, [6]);
  const pairs: [Promise<unknown>, Record<string, unknown>][] = [
    [dai.manifoldCell(fake, P, 4, 3), dai.manifoldKey(P, 4, 3)],
    [dai.certifyCell(fake, P, 4, 2, 3), dai.certifyKey(P, 4, 2, 3)],
    [phaseCell(fake, P, 2, 0.3, 'ae-l1', { c2: 10, seed: 1, train, modelHidden: [24, 48], c2Reading: 'mean-d' }), dai.phaseKey(P, 2, 0.3, 'ae-l1', { c2: 10, seed: 1, train, modelHidden: [24, 48], c2Reading: 'mean-d' })],
    [phaseCell(fake, P, 2, 0.3, 'rpca', { seed: 1 }), dai.phaseKey(P, 2, 0.3, 'rpca', { seed: 1 })],
    [pruningCell(fake, dai.pruningLrConfig(R, 1e-4), 1, 1, 0), dai.pruningKey(dai.pruningLrConfig(R, 1e-4), 1, 1, 0)],
    [dai.mnistSpectrumCell(fake, 200), dai.mnistSpectrumKey(200)],
    [dai.mnistPruningCell(fake, M, 3, 'ae', 0), dai.mnistPruningKey(M, 3, 'ae', 0)],
    [dai.mnistRecoveryCell(fake, dai.mnistAlphaConfig(M, 0.5), 0.1, 'vae-tau2'), dai.mnistRecoveryKey(dai.mnistAlphaConfig(M, 0.5), 0.1, 'vae-tau2')],
    [dai.mnistRecoveryCell(fake, M, 0.1, 'rpca'), dai.mnistRecoveryKey(M, 0.1, 'rpca')],
  ];
  for (const [i, [p, key]] of pairs.entries()) { await p; assert.equal(asked[i], paramsKey(key as never), `cell ${i}`); }
  assert.notEqual(paramsKey(dai.pruningKey(dai.pruningLrConfig(R, 1e-4), 1, 1, 0)), paramsKey(dai.pruningKey(R, 1, 1, 0)), 'the lr rung is its own cell');
  assert.equal(dai.bestC2([{ c2: 1, nmse: 0.4 }, { c2: 10, nmse: 0.3 }, { c2: 100, nmse: 0.3 }]), 10);
  assert.throws(() => dai.bestC2([]), /no C2/);
});
