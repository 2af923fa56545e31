// The held-out extension of notebook 01: its claim rule (labelled as our extension, yes / partly / no on fixed
// numbers), the held-out data (disjoint from the training mix, ~5% outliers) and the curves from a stored result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heldoutClaim } from '../../src/papers/zhou2017-claims';
import { heldoutCurves, heldoutData, outlierData, zhou2017Cells, ZHOU2017_HELDOUT, ZHOU2017_STORES, ZHOU2017_PAPER } from '../../src/papers/zhou2017';
import { rocAuc, trapezoid } from '../../src/metrics/ranking';

test('held-out claim: labelled as our extension, not the paper; yes / partly / no', () => {
  const iso = { f1: 0.30, auc: 0.80, ap: 0.30 };
  const yes = heldoutClaim({ f1: 0.55, auc: 0.93, ap: 0.6, trainF1: 0.6 }, iso);
  assert.equal(yes.holds, true);
  assert.match(yes.claim, /^Our extension \(not a paper claim\)/);
  assert.match(yes.paper, /^not in the paper/);
  assert.match(yes.ours, /held-out F1 0\.550 vs 0\.300, ROC AUC 0\.930 vs 0\.800, AP 0\.600 vs 0\.300; RDA training-row F1 0\.600/);
  // beats Isolation Forest but does not transfer (held-out F1 far below training F1): partly
  assert.equal(heldoutClaim({ f1: 0.45, auc: 0.93, ap: 0.6, trainF1: 0.7 }, iso).holds, 'partly');
  // higher AUC only: partly; worse in F1 and AUC: no; NaN: no
  assert.equal(heldoutClaim({ f1: 0.25, auc: 0.85, ap: 0.2, trainF1: 0.3 }, iso).holds, 'partly');
  assert.equal(heldoutClaim({ f1: 0.2, auc: 0.7, ap: 0.2, trainF1: 0.2 }, iso).holds, false);
  assert.equal(heldoutClaim({ f1: NaN, auc: 0.9, ap: 0.5, trainF1: 0.6 }, iso).holds, false);
});

test('held-out data: MNIST test split, all 982 fours + 54 others (5.2%), disjoint from the training mix; one planned cell per scale', async () => {
  const test = await heldoutData(ZHOU2017_HELDOUT.testOutliers, 0);
  assert.equal(test.n, 982 + 54);
  assert.equal(test.isOutlier.reduce((a, b) => a + b, 0), 54);
  for (let i = 0; i < test.n; i++) assert.equal(test.labels[i] === 4, !test.isOutlier[i]);
  const train = await outlierData({ nInliers: 4859, nOutliers: 265 }, 0);
  // disjoint images: no held-out image equals a training image (compare by content, hashed)
  const key = (X: Float32Array, i: number) => { let h = 0; for (let j = 0; j < 784; j++) h = (h * 31 + Math.round(X[i * 784 + j] * 255)) | 0; return h; };
  const trainKeys = new Set(Array.from({ length: train.n }, (_, i) => key(train.X, i)));
  const clash = Array.from({ length: test.n }, (_, i) => i).filter((i) => trainKeys.has(key(test.X, i)));
  assert.ok(clash.length <= 2, `${clash.length} held-out images hash like a training image`); // MNIST has a few near-duplicates across splits
  assert.ok(Math.abs(54 / 1036 - 265 / 5124) < 0.002);
  assert.equal(ZHOU2017_HELDOUT.lam, ZHOU2017_PAPER.rdaBestLambda);
  for (const scale of ['smoke', 'quick'] as const) {
    const cells = zhou2017Cells(scale, 0).filter((c) => c.experiment === 'heldout');
    assert.equal(cells.length, 1);
    assert.equal(cells[0].file, ZHOU2017_STORES.heldout.file);
    assert.deepEqual(cells[0].params, { lam: 0.00065, testOutliers: 54, ifContamination: 0.11 });
  }
  // the held-out cell comes last: the indices of the earlier cells do not move
  const all = zhou2017Cells('smoke', 0);
  assert.equal(all[all.length - 1].experiment, 'heldout');
});

test('held-out curves from stored scores: ROC from (0, 0) to (1, 1) with the trapezoid = rocAuc; PR points per threshold', () => {
  const r = { scores: { rda: [3, 2.5, 1, 0.5, 0.2], iso: [0.5, 0.6, 0.4, 0.7, 0.3] }, isOutlier: [1, 1, 0, 0, 0] };
  const c = heldoutCurves(r);
  const rda = c.roc.filter((p) => p.method === 'l2,1 RDA');
  assert.deepEqual([rda[0].fpr, rda[0].tpr], [0, 0]);
  assert.deepEqual([rda[rda.length - 1].fpr, rda[rda.length - 1].tpr], [1, 1]);
  assert.equal(trapezoid(rda.map((p) => p.fpr), rda.map((p) => p.tpr)), 1);
  const iso = c.roc.filter((p) => p.method === 'Isolation Forest');
  assert.ok(Math.abs(trapezoid(iso.map((p) => p.fpr), iso.map((p) => p.tpr)) - rocAuc(r.scores.iso, r.isOutlier)) < 1e-12);
  assert.equal(c.pr.filter((p) => p.method === 'Isolation Forest').length, 5);
});

test('heldoutCell at toy size: operating points consistent with the stored scores; no tensor growth', async () => {
  const { tf, initBackend } = await import('../../src/backend');
  const { heldoutCell, zhou2017Config } = await import('../../src/papers/zhou2017');
  await initBackend();
  const train = await outlierData({ nInliers: 190, nOutliers: 10 }, 1);
  const test = await heldoutData(54, 1);
  const cfg = { ...zhou2017Config('smoke').outlier, layers: [784, 16, 8], outer: 2, innerEpochs: 1, ifTrees: 20 };
  const before = tf.memory().numTensors;
  const r = await heldoutCell({ train, test, lam: 0.00065, cfg, ifContamination: 0.11, seed: 1 });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(r.nTrain, 200); assert.equal(r.nTest, 1036); assert.equal(r.testOutliers, 54); assert.equal(r.trainOutliers, 10);
  assert.ok(Math.abs(r.rda.threshold - 0.00065 * 200) < 1e-12, 'threshold = lam * N_train');
  // the stored (6-digit) scores reproduce the operating point except for a score within 6 digits of the threshold
  const near = r.scores.rda.filter((s) => Math.abs(s - r.rda.threshold) <= 1e-5 * Math.abs(s)).length;
  const flagged = r.scores.rda.filter((s) => s > r.rda.threshold).length;
  assert.ok(Math.abs(flagged - r.rda.test.flagged) <= near, `${flagged} vs ${r.rda.test.flagged}`);
  assert.equal(r.rda.test.tp + r.rda.test.fn, 54);
  assert.ok(r.rda.trainAgreement >= 0 && r.rda.trainAgreement <= 1);
  for (const m of [r.rda, r.iso]) for (const v of [m.auc, m.ap, m.trainAuc, m.test.f1]) assert.ok(v >= 0 && v <= 1);
  assert.ok(Math.abs(r.iso.train.flagged - 0.11 * 200) <= 1, `IF flags ~11% of the training rows: ${r.iso.train.flagged}`);
});
