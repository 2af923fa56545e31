/**
 * The driver's shape (scales, stores, cells, claim rules) and the helpers that moved out of notebook 01: the
 * Fig. 7 prox share, the Isolation Forest curves, the held-out table and the full claims list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ZHOU2017_SCALES, ZHOU2017_STORES, zhou2017Config, zhou2017Store, zhou2017Cells, zhou2017ConfigRows, proxShares,
  isolationForestCurves, heldoutTableRows, type HeldoutResult, type HeldoutScores, type ContaminationPoint,
} from '../../src/papers/zhou2017';
import { zhou2017Claims, fig2Claims } from '../../src/papers/zhou2017-claims';
import { paramsKey } from '../../src/experiment/store';

test('zhou2017Config(scale) is ZHOU2017_SCALES[scale]; the config table has one row per experiment', () => {
  for (const s of ['smoke', 'quick', 'long', 'paper'] as const) assert.equal(zhou2017Config(s), ZHOU2017_SCALES[s]);
  const rows = zhou2017ConfigRows(ZHOU2017_SCALES.quick);
  assert.equal(rows.length, 4);
  assert.match(rows[0].grid, /^k 10,100,200,300,350 x lambda 5,10,20$/);
});

test('zhou2017Store opens the listed store; the progress option changes no cell key', () => {
  const st = zhou2017Store('fig5', 'smoke');
  assert.ok(st.file.endsWith(`/smoke/${ZHOU2017_STORES.fig5.file}`), st.file);
  assert.equal(st.version, ZHOU2017_STORES.fig5.version);
  const keys = (cells: { file: string; params: object }[]) => cells.map((c) => `${c.file} ${paramsKey(c.params as never)}`);
  assert.deepEqual(keys(zhou2017Cells('smoke', 0, { progress: true })), keys(zhou2017Cells('smoke', 0)));
  assert.ok(zhou2017Cells('smoke', 0).every((c) => Object.values(ZHOU2017_STORES).some((s) => s.file === c.file && s.version === c.version)));
});

test('proxShares: share of the total decrease at prox steps, NaN without a decrease', () => {
  const trace = [10, 8, 5, 4.5, 2.5].map((objective, step) => ({ step, epoch: step, outer: 0, objective, prox: step % 2 === 0 && step > 0 ? 1 : 0 }));
  const outer = [{ iter: 0, c1: 0.1, c2: 0.2, c2code: 0.3 }, { iter: 1, c1: 0.01, c2: 0.02, c2code: 0.03 }];
  const [r] = proxShares([{ lambda: 5, threshold: 0.1, trace, outer }]);
  // decreases 2 (epoch), 3 (prox), 0.5 (epoch), 2 (prox): 5 of 7.5 at prox steps
  assert.ok(Math.abs(r.proxShare - 5 / 7.5) < 1e-12);
  assert.deepEqual([r.first, r.final, r.c1, r.c2, r.c2code], [10, 2.5, 0.01, 0.02, 0.03]);
  const flat = proxShares([{ lambda: 50, threshold: 1, trace: trace.map((p) => ({ ...p, objective: 1 })), outer }]);
  assert.ok(Number.isNaN(flat[0].proxShare));
});

test('isolationForestCurves: three metrics per point and implementation', () => {
  const p: ContaminationPoint = { contamination: 0.1, precision: 0.5, recall: 0.4, f1: 0.44, precisionSd: 0, recallSd: 0, f1Sd: 0 };
  assert.equal(isolationForestCurves([p, { ...p, contamination: 0.2 }], null).length, 6);
  const both = isolationForestCurves([p], [p]);
  assert.deepEqual(both.map((r) => r.curve), ['precision ours', 'recall ours', 'f1 ours', 'precision sklearn', 'recall sklearn', 'f1 sklearn']);
  assert.equal(both[5].implementation, 'scikit-learn');
});

function heldoutFixture(): HeldoutResult {
  const s = (f1: number): HeldoutScores => ({ precision: f1, recall: f1, f1, tp: 1, fp: 1, fn: 1, flagged: 2 });
  return {
    lam: 0.00065, nTrain: 5124, nTest: 1036, trainOutliers: 265, testOutliers: 54,
    rda: { test: s(0.6), train: s(0.62), threshold: 3.3, auc: 0.9, ap: 0.7, trainAuc: 0.91, fittedS: s(0.65), trainAgreement: 0.99, testAtContamination: s(0.5) },
    iso: { test: s(0.3), train: s(0.31), threshold: 0.5, auc: 0.8, ap: 0.3, trainAuc: 0.8, contamination: 0.11 },
    scores: { rda: [], iso: [] }, isOutlier: [], seconds: 1,
  };
}

test('heldoutTableRows: six rows, held-out first, blanks where a method has no threshold-free score', () => {
  const rows = heldoutTableRows(heldoutFixture());
  assert.equal(rows.length, 6);
  assert.equal(rows[0].F1, '0.600');
  assert.equal(rows[2]['ROC AUC'], '');
  assert.match(String(rows[3].rows), /^training \(5124\)$/);
});

test('zhou2017Claims: six claims; n/a at smoke except the Isolation Forest check; judged at quick', () => {
  const diffs = [10, 100, 200, 350].map((k) => ({ k, lambda: 20, errAE: 0.3, errRDA: k === 100 || k === 200 ? 0.2 : 0.3, diff: 0, relGain: 0 }))
    .map((r) => ({ ...r, diff: r.errAE - r.errRDA, relGain: r.errAE / r.errRDA - 1 }));
  const base = {
    cfg: ZHOU2017_SCALES.quick, fig2: fig2Claims(diffs, 1000), ladder: [], rdaBest: { f1: 0.6, lam: 0.00065 },
    ifBest: { f1: 0.37, contamination: 0.11 }, skBest: null, proxShare: [{ lambda: 5, proxShare: 0.5 }], heldout: heldoutFixture(),
  };
  const smoke = zhou2017Claims({ ...base, scale: 'smoke' });
  assert.equal(smoke.length, 6);
  assert.deepEqual(smoke.map((c) => c.holds), ['n/a', 'n/a', 'n/a', 'partly', 'n/a', 'n/a']);
  const quick = zhou2017Claims({ ...base, scale: 'quick' });
  assert.deepEqual(quick.map((c) => c.holds), [true, true, true, 'partly', true, true]);
  assert.match(quick[1].note!, /^judged at lambda\*/);
});
