// Claim rules of notebooks 00-02 (src/papers/{sun2020,zhou2017,li2020}-claims.ts) on fixed numbers: each rule gives
// yes, partly and no on inputs built for each, so no rule says "yes" for every input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fig2Claims, fig2Region, outlierF1Claim, isolationForestClaim, staircaseClaim, type Fig2Difference } from '../../src/papers/zhou2017-claims';
import { rpcaRecoveryClaim, robustAEFailsClaim, factorizationRegionClaim, overParameterisedClaim, restorationClaim, gracefulDegradationClaim } from '../../src/papers/li2020-claims';
import { sameSubspaceClaim, differentBasesClaim, pcaErrorClaim, spectralDecayClaim, deepBeatsPcaClaim, outlierScoreClaim } from '../../src/papers/sun2020-claims';
import { median, threshold } from '../../src/papers/verdict';

const d = (k: number, lambda: number, errAE: number, errRDA: number): Fig2Difference => ({ k, lambda, errAE, errRDA, diff: errAE - errRDA, relGain: errAE / errRDA - 1 });

test('Fig. 2 rule (Zhou & Paffenroth): regions, lambda*, and yes / partly / no', () => {
  assert.deepEqual([10, 50, 80, 300, 350].map(fig2Region), ['low', 'low', 'middle', 'middle', 'extreme']);
  // The paper's picture: equal at the ends, RDA 30% better in the middle (at lambda 20, not at lambda 5).
  const paperLike = [d(10, 5, 0.1, 0.1), d(100, 5, 0.2, 0.21), d(300, 5, 0.3, 0.31), d(350, 5, 0.5, 0.5),
    d(10, 20, 0.1, 0.1), d(100, 20, 0.24, 0.2), d(300, 20, 0.39, 0.3), d(350, 20, 0.5, 0.5)];
  const j = fig2Claims(paperLike, 1000);
  assert.equal(j.lambdaStar, 20);
  assert.equal(j.middle.holds, true);
  assert.equal(j.equal.holds, true);
  assert.match(j.middle.ours, /up to 30% higher \(k = 300\); RDA better in 2\/2/);
  assert.ok(Math.abs(j.se - Math.sqrt(0.25 / 1000)) < 1e-15);
  // RDA better in one middle cell only: partly; worse everywhere: no.
  assert.equal(fig2Claims([d(100, 20, 0.21, 0.2), d(300, 20, 0.29, 0.3), d(10, 20, 0.1, 0.1)], 1000).middle.holds, 'partly');
  const worse = fig2Claims([d(100, 20, 0.2, 0.25), d(300, 20, 0.3, 0.35), d(10, 20, 0.1, 0.2), d(350, 20, 0.5, 0.6)], 1000);
  assert.equal(worse.middle.holds, false);
  assert.equal(worse.equal.holds, false);
  // Large differences at the ends: not "equal".
  assert.equal(fig2Claims([d(100, 20, 0.3, 0.2), d(10, 20, 0.3, 0.1), d(350, 20, 0.9, 0.5)], 1000).equal.holds, false);
  assert.equal(fig2Claims([], 1000).middle.holds, 'n/a');
});

test('Zhou & Paffenroth outlier, Isolation Forest and staircase rules', () => {
  assert.equal(outlierF1Claim({ f1: 0.66, lam: 7e-4 }, { f1: 0.376, contamination: 0.07 }).holds, true);
  assert.equal(outlierF1Claim({ f1: 0.40, lam: 7e-4 }, { f1: 0.376, contamination: 0.07 }).holds, 'partly');
  assert.equal(outlierF1Claim({ f1: 0.30, lam: 7e-4 }, { f1: 0.376, contamination: 0.07 }).holds, false);
  assert.equal(outlierF1Claim({ f1: NaN, lam: 7e-4 }, { f1: 0.376, contamination: 0.07 }).holds, false);
  assert.equal(isolationForestClaim({ f1: 0.376, contamination: 0.07 }, { f1: 0.379, contamination: 0.05 }).holds, true);
  assert.equal(isolationForestClaim({ f1: 0.376, contamination: 0.07 }, { f1: 0.30, contamination: 0.05 }).holds, 'partly');
  assert.equal(isolationForestClaim({ f1: 0.376, contamination: 0.07 }, null).holds, 'partly');
  assert.equal(isolationForestClaim({ f1: 0.2, contamination: 0.07 }, null).holds, false);
  assert.equal(staircaseClaim([{ lambda: 1, proxShare: 0.98 }, { lambda: 50, proxShare: 0 }], 5).holds, true);
  assert.equal(staircaseClaim([{ lambda: 1, proxShare: 0.98 }, { lambda: 5, proxShare: 0.1 }], 5).holds, 'partly');
  assert.equal(staircaseClaim([{ lambda: 50, proxShare: 0 }], 5).holds, false);
});

test('Li et al. rules: RPCA recovery, Fig. 5 regions, Table 1 restoration and degradation', () => {
  assert.equal(rpcaRecoveryClaim(5.2e-7, 19, 0.6).holds, true);
  assert.equal(rpcaRecoveryClaim(1e-4, 19, 0.6).holds, 'partly');
  assert.equal(rpcaRecoveryClaim(0.1, 19, 0.6).holds, false);
  assert.equal(robustAEFailsClaim(0, 36).holds, true);
  assert.equal(robustAEFailsClaim(10, 36).holds, false);
  assert.equal(factorizationRegionClaim(22, 7, 36).holds, true);
  assert.equal(factorizationRegionClaim(6, 7, 36).holds, 'partly');
  assert.equal(factorizationRegionClaim(2, 7, 36).holds, false);
  assert.equal(overParameterisedClaim(12, 22, 20, 36).holds, true);
  assert.equal(overParameterisedClaim(1, 22, 12, 36).holds, 'partly');
  assert.equal(overParameterisedClaim(0, 22, 0, 36).holds, false);
  assert.equal(restorationClaim({ corrupted: 0.545, rdae: 0.88, rnlf: 0.822 }).holds, true);
  assert.equal(restorationClaim({ corrupted: 0.545, rdae: 0.65, rnlf: 0.62 }).holds, 'partly');
  assert.equal(restorationClaim({ corrupted: 0.545, rdae: 0.55, rnlf: 0.5 }).holds, false);
  const lo = { corrupted: 0.93, rdae: 0.95, rnlf: 0.9 };
  assert.equal(gracefulDegradationClaim(lo, { corrupted: 0.545, rdae: 0.88, rnlf: 0.82 }).holds, true);
  assert.equal(gracefulDegradationClaim(lo, { corrupted: 0.545, rdae: 0.6, rnlf: 0.4 }).holds, 'partly');
  assert.equal(gracefulDegradationClaim(lo, { corrupted: 0.9, rdae: 0.5, rnlf: 0.4 }).holds, false);
});

test('Sun lecture rules: subspace, bases, PCA error, spectrum, deep vs PCA, outlier AUC', () => {
  const s = (maxAngleDeg: number, meanAngleDeg: number, nonOrthonormality: number, errorRatio: number) => ({ maxAngleDeg, meanAngleDeg, nonOrthonormality, errorRatio });
  const tied = s(0, 0, 0, 1), untied = s(0.1, 0.01, 0.5, 1), fac = s(0.16, 0.008, 8, 1.0001);
  assert.equal(sameSubspaceClaim(tied, untied, fac).holds, true);
  assert.equal(sameSubspaceClaim(tied, untied, s(5, 0.5, 8, 1)).holds, 'partly');
  assert.equal(sameSubspaceClaim(tied, untied, s(30, 10, 8, 1)).holds, false);
  assert.equal(differentBasesClaim(tied, untied, fac).holds, true);
  assert.equal(differentBasesClaim(s(0, 0, 0.3, 1), untied, fac).holds, false);
  assert.equal(pcaErrorClaim(tied, untied, fac).holds, true);
  assert.equal(pcaErrorClaim(tied, untied, s(0, 0, 8, 1.2)).holds, false);
  assert.equal(spectralDecayClaim(0.834, 82).holds, true);
  assert.equal(spectralDecayClaim(0.5, 300).holds, false);
  assert.equal(deepBeatsPcaClaim({ pca: 0.0249, ae: 0.0124, factorization: 0.0175 }).holds, true);
  assert.equal(deepBeatsPcaClaim({ pca: 0.0249, ae: 0.0124, factorization: 0.03 }).holds, 'partly');
  assert.equal(deepBeatsPcaClaim({ pca: 0.01, ae: 0.0124, factorization: 0.03 }).holds, false);
  assert.equal(outlierScoreClaim([{ model: 'PCA', auc: 0.915 }, { model: 'deep AE', auc: 0.9 }]).holds, true);
  assert.equal(outlierScoreClaim([{ model: 'PCA', auc: 0.6 }]).holds, false);
  assert.equal(outlierScoreClaim([]).holds, false);
});

test('verdict helpers', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.ok(Number.isNaN(median([])));
  assert.equal(threshold(0.3, 0.2, 0.05), true);
  assert.equal(threshold(0.1, 0.2, 0.05), 'partly');
  assert.equal(threshold(0.01, 0.2, 0.05), false);
  assert.equal(threshold(NaN, 0.2, 0.05), false);
});
