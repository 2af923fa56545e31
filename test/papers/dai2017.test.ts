import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf, initBackend } from '../../src/backend';
import { ResultsStore } from '../../src/experiment/store';
import {
  DAI_SCALES, manifoldCell, phaseCell, tuneC2, pruningCell, trainOptions, meanColumnVariance, ladderEpochs, stepsPerEpoch, aeConvention, C2_READINGS,
  verdictFig1Dominance, verdictFig1Recovery, verdictCertificate, verdictFarFromLowRank, verdictFig3Bimodal, verdictFig3Growth, verdictFig4,
  verdictTable1, verdictFig2b, verdictFig5b, verdictTau, verdictC2Footnote, ladderTrend, type Fig1Cell,
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

const cell = (kappa: number, nu: number, vae: number, aeL2: number, aeL1: number, rpca: number): Fig1Cell => ({ kappa, nu, vae, aeL2, aeL1, rpca });

test('verdict rules: Figure 1 dominance and recovery', () => {
  const good = [cell(2, 0.25, 0.01, 0.5, 0.6, 0.4), cell(8, 0.5, 0.05, 0.7, 0.8, 0.6), cell(8, 0, 0.9, 0.1, 0.1, 0.0)];
  assert.equal(verdictFig1Dominance(good).holds, true); // the nu = 0 cell does not count
  // best everywhere but not by a wide margin: partly
  assert.equal(verdictFig1Dominance([cell(2, 0.25, 0.10, 0.12, 0.6, 0.4), cell(8, 0.5, 0.20, 0.25, 0.8, 0.6)]).holds, 'partly');
  // best in 1 of 3: no, and the note names the lost cells
  const bad = verdictFig1Dominance([cell(2, 0.25, 0.1, 0.05, 0.6, 0.4), cell(8, 0.25, 0.3, 0.2, 0.8, 0.6), cell(8, 0.5, 0.1, 0.2, 0.8, 0.6)]);
  assert.equal(bad.holds, false);
  assert.match(bad.note, /kappa 2 \/ nu 0.25/);
  assert.equal(verdictFig1Dominance([cell(2, 0, 0, 1, 1, 1)]).holds, 'n/a');
  assert.equal(verdictFig1Recovery([{ nu: 0.25, vae: 0.01 }, { nu: 0.5, vae: 0.04 }, { nu: 0.5, vae: 0.3 }]).holds, true);
  assert.equal(verdictFig1Recovery([{ nu: 0.25, vae: 0.01 }, { nu: 0.5, vae: 0.4 }, { nu: 0.5, vae: 0.3 }]).holds, 'partly');
  assert.equal(verdictFig1Recovery([{ nu: 0.25, vae: 0.2 }, { nu: 0.5, vae: 0.4 }]).holds, false);
});

test('verdict rules: certificate, low rank, Figures 3 and 4', () => {
  assert.equal(verdictCertificate([{ kappa: 2, testRelError: 1e-5 }, { kappa: 20, testRelError: 5e-3 }]).holds, true);
  assert.equal(verdictCertificate([{ kappa: 2, testRelError: 1e-5 }, { kappa: 20, testRelError: 0.05 }]).holds, 'partly');
  assert.equal(verdictCertificate([{ kappa: 20, testRelError: 0.11 }]).holds, false);
  assert.equal(verdictFarFromLowRank([{ kappa: 2, rank99: 8 }, { kappa: 20, rank99: 79 }]).holds, true);
  assert.equal(verdictFarFromLowRank([{ kappa: 2, rank99: 2 }]).holds, false);
  const bi = (kappa: number, nu: number, z: number, o: number) => ({ kappa, nu, fracNearZero: z, fracNearOne: o });
  assert.equal(verdictFig3Bimodal([bi(2, 0, 0.04, 0.95), bi(8, 0.5, 0.2, 0.78)]).holds, true);
  assert.equal(verdictFig3Bimodal([bi(2, 0, 0.04, 0.95), bi(8, 0.5, 0.2, 0.5)]).holds, 'partly');
  assert.equal(verdictFig3Bimodal([bi(8, 0.5, 0.2, 0.5)]).holds, false);
  const g = (kappa: number, fracNearZero: number) => ({ kappa, fracNearZero });
  assert.equal(verdictFig3Growth([g(2, 0.04), g(8, 0.16), g(14, 0.26), g(20, 0.38)], 50).holds, true);
  assert.equal(verdictFig3Growth([g(2, 0.04), g(8, 0.16), g(14, 0.1), g(20, 0.38)], 50).holds, 'partly'); // not monotone
  assert.equal(verdictFig3Growth([g(2, 0.17), g(8, 0.19), g(14, 0.03), g(20, 0.01)], 50).holds, false); // the committed quick run
  const mp = (nu: number, ones: number) => ({ nu, meanPerDim: [...Array(10 - ones).fill(0.01), ...Array(ones).fill(0.97)] });
  assert.equal(verdictFig4([mp(0, 0), mp(0.25, 0), mp(0.5, 3)]).holds, true);
  assert.equal(verdictFig4([mp(0, 0), mp(0.25, 1), mp(0.5, 5)]).holds, 'partly');
  assert.equal(verdictFig4([mp(0, 0), mp(0.25, 0), mp(0.5, 0)]).holds, false);
  assert.equal(verdictFig4([mp(0, 0), mp(0.25, 0)]).holds, 'n/a');
});

test('verdict rules: Table 1, Figure 2b, Figure 5b, tau, the C2 footnote', () => {
  const t = (ne: number, nd: number, count: number) => ({ ne, nd, count });
  assert.equal(verdictTable1([t(0, 0, 30), t(0, 1, 21), t(0, 2, 20), t(3, 3, 20)], 20, 30).holds, true);
  assert.equal(verdictTable1([t(0, 0, 30), t(0, 1, 25), t(0, 2, 20), t(3, 3, 9)], 20, 30).holds, 'partly');
  assert.equal(verdictTable1([t(0, 0, 30), t(0, 1, 30), t(0, 2, 30)], 20, 30).holds, false); // the committed quick run
  assert.equal(verdictTable1([t(0, 0, 20), t(0, 1, 20)], 20, 30).holds, 'partly'); // Nd = 0 must not prune
  const r = (kappa: number, model: 'vae' | 'ae', nonzero: number) => ({ kappa, model, nonzero });
  assert.equal(verdictFig2b([r(5, 'vae', 5), r(5, 'ae', 5), r(30, 'vae', 16), r(30, 'ae', 30)]).holds, true);
  assert.equal(verdictFig2b([r(30, 'vae', 16), r(30, 'ae', 20)]).holds, 'partly'); // the AE pruned too: not yes
  assert.equal(verdictFig2b([r(30, 'vae', 30), r(30, 'ae', 30)]).holds, false);
  assert.equal(verdictFig2b([r(5, 'vae', 5)]).holds, 'n/a');
  assert.equal(verdictFig5b([{ nu: 0.1, vae: 0.1, rpca: 0.2 }, { nu: 0.5, vae: 0.3, rpca: 0.4 }]).holds, true);
  const blank = verdictFig5b([{ nu: 0.1, vae: 0.99, rpca: 0.19, vaeMeanAbs: 0.01, meanAbsClean: 0.13 }, { nu: 0.5, vae: 0.3, rpca: 0.4 }]);
  assert.equal(blank.holds, 'partly');
  assert.match(blank.note, /blank-image estimate .* nu 0.1/);
  assert.equal(verdictFig5b([{ nu: 0.1, vae: 0.99, rpca: 0.19 }]).holds, false);
  assert.equal(verdictTau([{ nu: 0.1, tauLow: 0.2, tauHigh: 0.1 }]).holds, true);
  assert.equal(verdictTau([{ nu: 0.1, tauLow: 0.2, tauHigh: 0.1 }, { nu: 0.5, tauLow: 0.2, tauHigh: 0.3 }]).holds, 'partly');
  assert.equal(verdictTau([{ nu: 0.1, tauLow: 0.1, tauHigh: 0.2 }]).holds, false);
  assert.equal(verdictTau([{ nu: 0.1, tauLow: 0.9832, tauHigh: 0.9829 }, { nu: 0.5, tauLow: 0.995, tauHigh: 0.9951 }]).holds, false); // the quick run's two blank images
  assert.equal(verdictC2Footnote([{ reading: 'sum', nmseC2One: 0.5, nmseC2Tuned: 0.2 }]).holds, true);
  const other = verdictC2Footnote([{ reading: 'sum', nmseC2One: 0.034, nmseC2Tuned: 0.217 }, { reading: 'c1-dataset', nmseC2One: 0.6, nmseC2Tuned: 0.2 }]);
  assert.equal(other.holds, 'partly');
  assert.match(other.note, /c1-dataset/);
  assert.equal(verdictC2Footnote([{ reading: 'sum', nmseC2One: 0.034, nmseC2Tuned: 0.217 }]).holds, false);
  assert.equal(verdictC2Footnote([{ reading: 'sum', nmseC2One: 0.21, nmseC2Tuned: 0.2 }]).holds, false); // not "much" worse
});

test('no verdict rule says "yes" for every input', () => {
  // Each rule, fed its worst case, must not answer yes (a rule that always says yes would pass every claim).
  const worst = [
    verdictFig1Dominance([cell(2, 0.25, 1, 0, 0, 0)]), verdictFig1Recovery([{ nu: 0.25, vae: 1 }]), verdictCertificate([{ kappa: 2, testRelError: 1 }]),
    verdictFarFromLowRank([{ kappa: 2, rank99: 1 }]), verdictFig3Bimodal([{ kappa: 2, nu: 0, fracNearZero: 0, fracNearOne: 0 }]),
    verdictFig3Growth([{ kappa: 2, fracNearZero: 0.5 }, { kappa: 20, fracNearZero: 0 }], 50), verdictFig4([{ nu: 0, meanPerDim: [1] }, { nu: 0.5, meanPerDim: [0] }]),
    verdictTable1([{ ne: 0, nd: 0, count: 20 }, { ne: 0, nd: 1, count: 30 }], 20, 30), verdictFig2b([{ kappa: 30, model: 'vae', nonzero: 30 }, { kappa: 30, model: 'ae', nonzero: 30 }]),
    verdictFig5b([{ nu: 0.1, vae: 1, rpca: 0.1 }]), verdictTau([{ nu: 0.1, tauLow: 0, tauHigh: 1 }]), verdictC2Footnote([{ reading: 'sum', nmseC2One: 0, nmseC2Tuned: 1 }]),
  ];
  for (const [i, v] of worst.entries()) assert.equal(v.holds, false, `rule ${i} said ${String(v.holds)} on its worst case`);
});

test('ladderTrend: first / last rung and whether the last doubling still helped', () => {
  const t = ladderTrend([{ steps: 3000, value: 0.8 }, { steps: 1500, value: 0.9 }, { steps: 6000, value: 0.4 }]);
  assert.deepEqual([t.firstSteps, t.first, t.lastSteps, t.last, t.previous, t.stillImproving], [1500, 0.9, 6000, 0.4, 0.8, true]);
  assert.equal(ladderTrend([{ steps: 1, value: 0.5 }, { steps: 2, value: 0.48 }]).stillImproving, false);
  assert.equal(ladderTrend([{ steps: 1, value: 20 }, { steps: 2, value: 30 }], false).stillImproving, true);
  assert.equal(ladderTrend([{ steps: 1, value: 0.5 }]).stillImproving, false);
  assert.equal(ladderTrend([{ steps: 1, value: 0 }, { steps: 2, value: 0 }], false).stillImproving, false); // flat at 0 is not improving
  assert.throws(() => ladderTrend([]), /no rungs/);
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
