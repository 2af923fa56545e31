/** Dai's claim rules (src/papers/dai2017-claims.ts) on fixed numbers: each verdict, its worst case, and the claims-table row. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  verdictFig1Dominance, verdictFig1Recovery, verdictCertificate, verdictFarFromLowRank, verdictFig3Bimodal, verdictFig3Growth, verdictFig4,
  verdictTable1, verdictFig2b, verdictFig5b, verdictTau, verdictC2Footnote, ladderTrend, daiClaim, addDaiClaim, type Fig1Cell,
} from '../../src/papers/dai2017-claims';
import * as driver from '../../src/papers/dai2017';
import { ClaimsTable } from '../../src/experiment/claims';

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
  assert.equal(verdictTau([{ nu: 0.1, tauLow: 0.9832, tauHigh: 0.9829 },
  { nu: 0.5, tauLow: 0.995, tauHigh: 0.9951 }]).holds, false); // the quick run's two blank images
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
    verdictFig3Growth([{ kappa: 2, fracNearZero: 0.5 }, { kappa: 20, fracNearZero: 0 }], 50),
    verdictFig4([{ nu: 0, meanPerDim: [1] }, { nu: 0.5, meanPerDim: [0] }]),
    verdictTable1([{ ne: 0, nd: 0, count: 20 }, { ne: 0, nd: 1, count: 30 }], 20, 30),
    verdictFig2b([{ kappa: 30, model: 'vae', nonzero: 30 }, { kappa: 30, model: 'ae', nonzero: 30 }]),
    verdictFig5b([{ nu: 0.1, vae: 1, rpca: 0.1 }]), verdictTau([{ nu: 0.1, tauLow: 0, tauHigh: 1 }]),
    verdictC2Footnote([{ reading: 'sum', nmseC2One: 0, nmseC2Tuned: 1 }]),
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

test('daiClaim: the rule\'s verdict and note, with the extra note joined by "; " (empty parts dropped)', () => {
  const v = verdictTau([{ nu: 0.1, tauLow: 0.5, tauHigh: 0.4 }, { nu: 0.5, tauLow: 0.5, tauHigh: 0.5 }]);
  assert.deepEqual(daiClaim('App. A', 'tau = 5 better', v, 'ladder: 1 > 2'),
    { claim: 'App. A', paper: 'tau = 5 better', ours: 'nu 0.1: 0.400 vs 0.500; nu 0.5: 0.500 vs 0.500', holds: 'partly', note: 'ladder: 1 > 2' });
  const c = verdictCertificate([{ kappa: 2, testRelError: 0.05 }, { kappa: 20, testRelError: 0.2 }]);
  assert.equal(c.holds, false);
  assert.equal(daiClaim('cert', 'zero', c, 'best over the ladder').note, 'worst: kappa 20; best over the ladder');
  assert.equal(daiClaim('cert', 'zero', c).note, 'worst: kappa 20');
  const table = new ClaimsTable('04-test');
  assert.equal(addDaiClaim(table, 'cert', 'zero', c, 'x'), undefined); // a notebook cell ending with it displays nothing
  assert.deepEqual([table.claims[0].claim, table.claims[0].holds, table.claims[0].note], ['cert', false, 'worst: kappa 20; x']);
});

test('the driver re-exports every claim rule (one implementation)', () => {
  assert.equal(driver.verdictFig1Dominance, verdictFig1Dominance);
  assert.equal(driver.verdictC2Footnote, verdictC2Footnote);
  assert.equal(driver.ladderTrend, ladderTrend);
});
