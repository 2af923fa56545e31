// %% [markdown]
// # Rethink Autoencoders: Robust Manifold Learning (Li, Mehta, Qian & Sun, ICML 2020 UDL workshop)
//
// The paper asks what the robust version of an autoencoder should be. For sparse corruption `X^ = X + C` it
// models the corruption with the l1 norm and compares four linear formulations (Sec. 2.2, Appendix B):
//
// | model | problem | paper's verdict |
// |---|---|---|
// | convex robust PCA (principal component pursuit) | `min ‖X‖_* + lambda ‖C‖_1  s.t.  X^ = X + C` | the classic baseline |
// | robust autoencoder | `min_{A,B} ‖X^ - B A X^‖_1` | provably fails: recovery would need `row(X^) = row(X)` |
// | robust factorization | `min_{B,Z} ‖X^ - B Z‖_1` | works in a regime at least as large as convex RPCA |
// | over-parameterised robust factorization | the same with `p` larger than the true rank | keeps working reasonably |
//
// and then their nonlinear versions (Sec. 2.3): **RDAE** `min_{W,V} ||X^ - g_V(f_W(X^))||_1` and **RNLF**
// `min_{V,Z} ||X^ - g_V(Z)||_1` (a decoder and one free code per image), evaluated by restoring corrupted test
// images and classifying the restorations with a classifier trained on clean data (Table 1, Figures 1-4).
// The models are trained on the corrupted test images themselves: unsupervised, no clean data.
//
// | piece | module |
// |---|---|
// | convex RPCA (inexact ALM, Lin, Chen & Ma 2009) | `src/models/rpca.ts` |
// | linear autoencoder (tied / untied, l2 / l1) | `src/models/linear-ae.ts` |
// | linear factorization (rank p, l2 / l1, over-parameterised allowed) | `src/models/factorization.ts` |
// | conv encoder / decoder of Tables 3-4, ResNet of Tables 5-6 | `src/nets/conv28.ts`, `src/nets/resnet32.ts` |
// | RDAE, RNLF | `src/models/rdae.ts`, `src/models/rnlf.ts` |
// | Candes et al. data, Table 2 corruptions, the pretrained classifier (PC) | `src/data/synthetic.ts`, `src/corruptions.ts`, `src/classifiers/pc.ts` |
// | the experiment cells (resumable sweeps under `results/<scale>/02-rethink-autoencoders/`) | `src/papers/li2020.ts` |
//
// **What the paper does not say, and what we chose** (each choice is in the module's header comment):
// the solver of the linear models in Figure 5 (we use normalised subgradient steps with geometric decay from a
// small random start, the method of Charisopoulos et al. 2019 that the paper cites for robust factorization;
// its step size was set once on one instance, `n = 100, r = 10, rho = 0.1, p = 2r`, and is shared by all cells and
// methods); how much larger `p` is in the over-parameterised case (`p = 2r`); Figure 5's measure and grid (we
// plot the success rate at `||L - L0||_F / ||L0||_F < 1e-3`, Candes et al.'s criterion, and the error itself);
// the number of training epochs of RDAE / RNLF; LeakyReLU slope (0.2), initialisation (PyTorch defaults); the
// initial codes of RNLF (N(0, 1)).
//
// **Scales** (`RML_SCALE`). **paper**: 400 x 400 matrices on a 10 x 10 grid of rank and sparsity, 10 trials per
// cell; 10,000 test images per Table-1 cell, every severity and mixup, the clean column, learning rates
// 1e-4 (network) and 10 (codes), 200 epochs with x0.1 every 100 (the epoch count is our assumption). Days on 2
// cores. **quick** (the default, ~15-25 minutes on 2 cores): 100 x 100 matrices on a 6 x 6 grid, 1 trial;
// Table 1 for MNIST and Fashion-MNIST at impulse severities 2, 4, 6 and Gaussian severities 2, 6, on the first
// 1,000 test images, 20 epochs, and a network learning rate of 1e-3 instead of 1e-4 (20 epochs of 10 batches are
// 200 steps, ~100x fewer than the paper's 10,000 images x ~200 epochs; at 1e-4 the networks barely move in that
// budget). The learning rate was raised for that reason alone, not tuned on the results.
//
// Long sweeps can be run outside Jupyter with `RML_SCALE=quick npx tsx scripts/li2020-precompute.ts` (same code,
// same results stores); the notebook then reads the finished cells back and computes only what is missing. **smoke** only proves that every cell
// runs; its numbers mean nothing.

// %%
import 'tsx/cjs';
import fs from 'node:fs';
import path from 'node:path';
import { setupNotebook, figure, table, markdown } from 'rml/notebook';
import { ClaimsTable } from 'rml/experiment/claims';
import { ResultsStore } from 'rml/experiment/store';
import { heatmapPanels, lines, imageGrid, bars } from 'rml/plots';
import { tf } from 'rml';
import { RobustPCA } from 'rml/models/rpca';
import { lowRankPlusSparse } from 'rml/data/synthetic';
import { loadMnist } from 'rml/data/mnist';
import { loadFashionMnist } from 'rml/data/fashion-mnist';
import { getClassifier } from 'rml/classifiers/pc';
import { conv28Spec } from 'rml/nets/conv28';
import { resnet32Spec } from 'rml/nets/resnet32';
import { CIFAR_SOURCES, loadCifar10, loadCifar100 } from 'rml/data/cifar';
import { dataRoot } from 'rml/data/paths';
import {
  li2020Config, phaseTransition, phaseSummary, PHASE_METHODS, PHASE_METHOD_TITLES, PHASE_SOLVER, restorationCell, overParamLadder, overParamRungs,
  table1Rows, paperAccuracy, type RestorationParams, type RestorationResult, type RestorationSeverity,
} from 'rml/papers/li2020';
import { rpcaRecoveryClaim, robustAEFailsClaim, factorizationRegionClaim, overParameterisedClaim, restorationClaim, gracefulDegradationClaim } from 'rml/papers/li2020-claims';
const nb = await setupNotebook('02-rethink-autoencoders');
const cfg = li2020Config(nb.scale, nb.seed);
const claims = new ClaimsTable(nb.name);
const VERSION = 'li2020-v1';
const tStart = Date.now();
const timings: { step: string; seconds: number }[] = [];
const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const R = cfg.restoration;
table('config', [
  { experiment: 'Figure 5 (phase transition)', size: `${cfg.phase.n} x ${cfg.phase.n}, ranks ${cfg.phase.rankFractions.join(', ')} x n, rho ${cfg.phase.rhos.join(', ')}, ${cfg.phase.trials} trial(s)`, training: `${cfg.phase.iterations} normalised subgradient steps, lr ${PHASE_SOLVER.learningRate} x ${PHASE_SOLVER.decayFactor}^t; over-parameterised p = ${cfg.phase.overFactor}r` },
  { experiment: 'Table 1 / Figures 1-4', size: `${R.n} test images of ${R.datasets.join(', ')}; ${R.noises.join(', ')} noise at severities ${R.noises.map((z) => `${z} ${R.severities[z].join(', ')}`).join('; ')}${R.clean ? ' + clean' : ''}`, training: `${R.epochs} epochs, batch ${R.batchSize}, Adam lr ${R.learningRate} (codes ${R.codeLearningRate}), x0.1 every ${R.decayEvery} epochs, code dim ${R.codeDim}` },
], { caption: `Experiment sizes at scale "${nb.scale}"` });

// %% [markdown]
// ## Convex robust PCA: a sanity check and a timing
//
// Before the phase transition: principal component pursuit (inexact ALM, `lambda = 1/sqrt(max(m, n))`, stop at
// `||D - L - S||_F / ||D||_F < 1e-7`) on one Candes et al. instance, and its run time on a 784 x m matrix (the
// shape of an MNIST data matrix).

// %%
{
  const c = cfg.rpcaCheck;
  const d = lowRankPlusSparse({ n1: c.n, n2: c.n, rank: c.rank, rho: c.rho, seed: nb.rng.fork('rpca-check') });
  const X = tf.tensor2d(d.X, [c.n, c.n]);
  const t0 = Date.now();
  const m = await new RobustPCA().fit(X, { progress: false });
  const secs = (Date.now() - t0) / 1000;
  const L = m.L64!.data;
  let num = 0, den = 0;
  for (let i = 0; i < L.length; i++) { num += (L[i] - d.L0[i]) ** 2; den += d.L0[i] ** 2; }
  const err = Math.sqrt(num / den);
  const t = cfg.rpcaTiming;
  const dt = lowRankPlusSparse({ n1: t.rows, n2: t.cols, rank: t.rank, rho: t.rho, seed: nb.rng.fork('rpca-timing') });
  const Xt = tf.tensor2d(dt.X, [t.rows, t.cols]);
  const t1 = Date.now();
  const mt = await new RobustPCA().fit(Xt, { progress: false });
  const secsT = (Date.now() - t1) / 1000;
  const Lt = mt.L64!.data;
  let numT = 0, denT = 0;
  for (let i = 0; i < Lt.length; i++) { numT += (Lt[i] - dt.L0[i]) ** 2; denT += dt.L0[i] ** 2; }
  table('rpca-check', [
    { matrix: `${c.n} x ${c.n}, rank ${c.rank}, ${100 * c.rho}% corrupted`, 'relative error of L': err.toExponential(2), iterations: m.iterations, 'rank of L': m.rank, seconds: fmt(secs, 1) },
    { matrix: `${t.rows} x ${t.cols}, rank ${t.rank}, ${100 * t.rho}% corrupted`, 'relative error of L': Math.sqrt(numT / denT).toExponential(2), iterations: mt.iterations, 'rank of L': mt.rank, seconds: fmt(secsT, 1) },
  ], { caption: 'Convex RPCA (src/models/rpca.ts). Success in Candes et al. means relative error < 1e-3.' });
  timings.push({ step: `RPCA ${c.n}x${c.n}`, seconds: secs }, { step: `RPCA ${t.rows}x${t.cols}`, seconds: secsT });
  void claims.add({
    claim: `Convex RPCA recovers a ${c.n} x ${c.n} rank-${c.rank} matrix with ${100 * c.rho}% sparse corruption (Candes et al. protocol)`,
    paper: 'exact recovery (Candes et al. 2011); our bar: relative error < 1e-6', ...rpcaRecoveryClaim(err, m.iterations, secs),
    note: `784 x ${t.cols} timing: ${fmt(secsT, 1)} s`,
  });
  tf.dispose([X, Xt]);
  m.dispose(); mt.dispose();
}

// %% [markdown]
// ## Figure 5: phase transitions of the four linear robust formulations
//
// Candes et al. (2011) protocol: `L0 = U V^T` with `U, V` n x r of iid `N(0, 1/n)` entries, corruption support
// Bernoulli(rho) with random signs `+-1`, the same matrix for every method. A cell is a success when the recovered
// low-rank part has relative error below `1e-3`. The paper's Figure 5 (four panels, left to right: convex
// relaxation, robust autoencoder, robust factorization, over-parameterised robust factorization) shows the robust
// autoencoder failing almost everywhere, and robust factorization succeeding in a region larger than the convex
// relaxation's, and still reasonably when the rank is over-specified. The linear models are fitted a whole row of
// the grid at a time (batched matmuls, `fitFactorizationBatch` / `fitLinearAEBatch`).

// %%
const phaseStore = new ResultsStore(`${nb.name}/phase.jsonl`, { version: `${VERSION}-phase` });
const tPhase = Date.now();
const phaseRows = await phaseTransition(phaseStore, cfg.phase, async (X) => {
  const m = await new RobustPCA().fit(X, { progress: false });
  const L = Float32Array.from(m.L64!.data);
  m.dispose();
  return L;
}, (s) => console.log(s));
timings.push({ step: 'Figure 5 sweep', seconds: (Date.now() - tPhase) / 1000 });
console.log(`Figure 5: ${phaseRows.length} cells (${phaseStore.computed} computed, ${phaseRows.length - phaseStore.computed} read back from the results store) in ${((Date.now() - tPhase) / 1000).toFixed(0)} s`);
const phase = phaseSummary(phaseRows);
/** Panels side by side, like the paper's figure (each panel keeps its own data; config from the first). */
const logLo = Math.min(-3, Math.floor(Math.min(...phase.map((r) => r.log10RelErr)))), logHi = Math.max(0, Math.ceil(Math.max(...phase.map((r) => r.log10RelErr))));
// the four panels side by side as in the paper, one colour scale (heatmapPanels)
const phasePanels = phase.map((r) => ({ ...r, panel: PHASE_METHOD_TITLES[r.method] }));
const panelOrder = PHASE_METHODS.map((m) => PHASE_METHOD_TITLES[m]);
await figure('fig5-success', heatmapPanels({
  data: phasePanels, panel: 'panel', panelOrder, x: 'rankFraction', y: 'rho', color: 'successRate', domain: [0, 1], scheme: 'greys', text: '.1f',
  xTitle: 'rank(L0) / n', yTitle: 'corrupted fraction rho', colorTitle: 'success rate',
  title: 'Figure 5: phase transitions (success rate: relative error of L < 1e-3; dark = success)',
  subtitle: `left to right as in the paper: convex relaxation, robust AE, robust factorization, over-parameterised; n = ${cfg.phase.n}, ${cfg.phase.trials} trial(s) per cell`,
}));
await figure('fig5-log-error', heatmapPanels({
  data: phasePanels, panel: 'panel', panelOrder, x: 'rankFraction', y: 'rho', color: 'log10RelErr', domain: [logLo, logHi], scheme: 'viridis', text: '.1f',
  xTitle: 'rank(L0) / n', yTitle: 'corrupted fraction rho', colorTitle: 'log10 error',
  title: 'Figure 5 as errors: log10 ‖L − L0‖_F / ‖L0‖_F (median over trials)', subtitle: '-3 and below counts as a success',
}));
const successCount = (m: string) => phase.filter((r) => r.method === m).reduce((s, r) => s + r.successRate, 0);
const cells = phase.filter((r) => r.method === 'robust-factorization').length;
const nRPCA = successCount('convex-rpca'), nAE = successCount('robust-ae'), nRF = successCount('robust-factorization'), nOver = successCount('robust-factorization-over');
table('fig5-summary', PHASE_METHODS.map((m) => ({
  method: PHASE_METHOD_TITLES[m], 'successful cells': `${fmt(successCount(m), 1)} of ${cells}`,
  'median log10 error': fmt(median(phase.filter((r) => r.method === m).map((r) => r.log10RelErr)), 1),
  'cells with error < 1e-2': phase.filter((r) => r.method === m && r.medianRelErr < 1e-2).length,
})), { caption: 'Figure 5 summary (success = relative error < 1e-3)' });
function median(a: number[]): number { const s = [...a].sort((x, y) => x - y); return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN; }
claims.add({ claim: 'Fig. 5 / App. B: the robust autoencoder ||X - BAX||_1 almost always fails on linear data', paper: 'fails almost everywhere', ...robustAEFailsClaim(nAE, cells) });
claims.add({
  claim: 'Fig. 5: robust factorization (p = r) succeeds in a region at least as large as convex RPCA', paper: 'larger region than the convex relaxation',
  ...factorizationRegionClaim(nRF, nRPCA, cells),
  note: nb.scale === 'paper' ? '' : `n = ${cfg.phase.n} (paper 400), ${cfg.phase.trials} trial(s) per cell`,
});
console.log(`successful cells: convex RPCA ${fmt(nRPCA, 1)}, robust AE ${fmt(nAE, 1)}, robust factorization ${fmt(nRF, 1)}, over-parameterised ${fmt(nOver, 1)} (of ${cells})`);

// %% [markdown]
// ### Budget ladder: does over-specifying the rank keep working?
//
// The paper shows the over-parameterised panel of Fig. 5 without stating p, the solver, its step sizes or its
// stopping rule ("continues to work reasonably even if we over-specify the rank p", App. B). Our panel uses
// p = 2r and the same normalised subgradient method as p = r. The ladder walks what the paper leaves open, on
// the same matrices: how far p exceeds r, more iterations (with the same total step decay), a smaller initial
// scale (small initialisation is what lets over-parameterised subgradient methods recover low rank in theory),
// and, at the `long` scale, the paper's n = 400. The reference is p = r (the exact rank) and convex RPCA.

// %%
const ladder = await overParamLadder(cfg.phase, overParamRungs(nb.scale),
  (key) => new ResultsStore(`${nb.name}/overparam-ladder/${key}.jsonl`, { version: `${VERSION}-overparam` }), (s) => console.log(s));
await figure('fig5-overparam-ladder', bars({
  data: ladder.flatMap((r) => [{ rung: r.label, count: r.successes, measure: 'error < 1e-3 (success)' }, { rung: r.label, count: r.below1e2, measure: 'error < 1e-2' }]),
  x: 'rung', y: 'count', series: 'measure', sort: ladder.map((r) => r.label),
  title: 'Over-specified rank: cells recovered', subtitle: `of ${cells} phase-grid cells; convex RPCA: ${fmt(nRPCA, 0)} successes, p = r: ${fmt(nRF, 0)}`,
  xTitle: 'rung', yTitle: 'cells', horizontal: true, text: 'd',
}));
table('fig5-overparam-ladder', ladder.map((r) => ({ rung: r.label, n: r.n, 'p / r': r.overFactor, iterations: r.iterations, 'step decay': r.decayFactor, 'initial scale': r.initScale, 'error < 1e-3': `${r.successes} of ${r.cells}`, 'error < 1e-2': `${r.below1e2} of ${r.cells}` })),
  { caption: 'Over-parameterisation ladder (robust factorization, normalised subgradient with geometric step decay; same matrices per n)' });
const exactRung = ladder.find((r) => r.overFactor === 1 && r.n === cfg.phase.n);
const overRungs = ladder.filter((r) => r.overFactor > 1);
const bestOver = overRungs.length ? overRungs.reduce((a, b) => (b.successes > a.successes ? b : a)) : null;
claims.add({
  claim: 'Fig. 5: over-parameterised robust factorization (p = 2r) keeps working reasonably', paper: '"continues to work reasonably"',
  ...overParameterisedClaim(nOver, nRF, phase.filter((r) => r.method === 'robust-factorization-over' && r.medianRelErr < 1e-2).length, cells),
  note: bestOver && exactRung
    ? `ladder: p = r recovers ${exactRung.successes} cells; the best over-specified rung (${bestOver.label}) ${bestOver.successes}, with < 1e-2 in ${bestOver.below1e2}. `
      + 'More iterations do not help (the spare rank absorbs part of the corruption), nor does a smaller initial scale or a mild over-specification. '
      + 'Root cause: an unstated setting (the paper gives no solver, p or stopping rule for Fig. 5)'
    : 'ladder not run',
});

// %% [markdown]
// ## Table 1 and Figures 1-4: restoring corrupted MNIST and Fashion-MNIST test images
//
// For each (data set, noise, severity) the test images are corrupted with Table 2's noise (impulse: the fraction
// of pixels set to 0 or 1; Gaussian: the standard deviation of added noise, clipped to [0, 1]). An RDAE
// (Table 3) and an RNLF (Table 4) are trained on the corrupted images only, with the l1 loss, and their outputs are
// classified by the pretrained classifier PC (a small CNN trained on the clean training set,
// `src/classifiers/pc.ts`; the paper does not describe its PC). Accuracy on the clean images is PC's accuracy on
// the same test images. Note that Gaussian noise is dense, not sparse: the l1 model is not designed for it.
// Our PC is not the paper's network (which is not described), so its accuracy on the corrupted images (the "PC"
// row) can differ a lot from the paper's: what carries over is the gap between corrupted and restored images
// and how it changes with severity, not the absolute values.

// %%
const classifiers: Record<string, Awaited<ReturnType<typeof getClassifier>>> = {};
const tPc = Date.now();
for (const ds of R.datasets) classifiers[ds] = await getClassifier(ds, { ...R.classifier, progress: false });
timings.push({ step: 'classifiers (load or train)', seconds: (Date.now() - tPc) / 1000 });
table('classifiers', R.datasets.map((ds) => ({ dataset: ds, architecture: classifiers[ds].info.architecture, 'train images': classifiers[ds].info.trainSize, epochs: classifiers[ds].info.epochs, 'test accuracy (%)': fmt(100 * classifiers[ds].info.testAccuracy) })),
  { caption: 'The pretrained classifiers (trained on clean training images; cached under data/models/)' });
const tableStore = new ResultsStore(`${nb.name}/table1.jsonl`, { version: `${VERSION}-table1` });
const tTable = Date.now();
const testSets: Record<string, Awaited<ReturnType<typeof loadMnist>>> = {};
for (const ds of R.datasets) testSets[ds] = ds === 'mnist' ? await loadMnist({ split: 'test' }) : await loadFashionMnist({ split: 'test' });
const cellsToRun: { dataset: string; noise: 'none' | 'impulse' | 'gaussian'; severity: RestorationSeverity }[] = [];
for (const ds of R.datasets) {
  if (R.clean) cellsToRun.push({ dataset: ds, noise: 'none', severity: 0 });
  for (const noise of R.noises) for (const severity of R.severities[noise]) cellsToRun.push({ dataset: ds, noise, severity });
}
for (const c of cellsToRun) {
  const p: RestorationParams = {
    ...c, n: R.n, epochs: R.epochs, learningRate: R.learningRate, codeLearningRate: R.codeLearningRate, codeDim: R.codeDim,
    batchSize: R.batchSize, decayEvery: R.decayEvery, seed: nb.seed,
  };
  await restorationCell(tableStore, p, {
    images: testSets[c.dataset], net: conv28Spec(1), severityGroup: 'mnist', progress: false, log: (s) => console.log(s),
    accuracy: (X, labels) => classifiers[c.dataset].accuracy(X, labels),
  });
}
timings.push({ step: 'Table 1 cells', seconds: (Date.now() - tTable) / 1000 });
const t1Rows = tableStore.rows().filter((r) => r.n === R.n && r.epochs === R.epochs && r.learningRate === R.learningRate) as (RestorationParams & RestorationResult)[];
console.log(`Table 1: ${t1Rows.length} cells (${tableStore.computed} computed, ${tableStore.reused} reused) in ${((Date.now() - tTable) / 1000).toFixed(0)} s`);

// %%
for (const ds of R.datasets) {
  table(`table1-${ds}`, table1Rows(ds, t1Rows.filter((r) => r.dataset === ds)),
    { caption: `Table 1, ${ds}: classifier accuracy (%) as "impulse / Gaussian"; rows "ours" (${R.n} test images, ${R.epochs} epochs) and "paper" (10,000 images). Empty: not run at this scale. Our "clean" column is PC on the uncorrupted images.` });
}
// accuracy against severity, ours vs paper
const sevPoints: Record<string, unknown>[] = [];
for (const r of t1Rows) {
  if (r.severity === 'mixup' || r.noise === 'none') continue;
  const s = r.severity as number;
  for (const [model, key, field] of [['PC on corrupted', 'PC', 'accCorrupted'], ['RDAE + PC', 'RDAE', 'accRDAE'], ['RNLF + PC', 'RNLF', 'accRNLF']] as const) {
    sevPoints.push({ panel: `${r.dataset}, ${r.noise}`, severity: s, accuracy: 100 * r[field], series: `${model} (ours)` });
    const pv = paperAccuracy(r.dataset, key, r.noise, r.severity);
    if (pv !== undefined) sevPoints.push({ panel: `${r.dataset}, ${r.noise}`, severity: s, accuracy: pv, series: `${model} (paper)` });
  }
}
for (const panel of [...new Set(sevPoints.map((p) => p.panel as string))]) {
  await figure(`table1-${panel.replace(/[^a-z0-9]+/gi, '-')}`, lines({
    data: sevPoints.filter((p) => p.panel === panel) as never, x: 'severity', y: 'accuracy', series: 'series', points: true, yDomain: [0, 100],
    title: `Table 1 as curves: ${panel}`, subtitle: `ours: ${R.n} test images, ${R.epochs} epochs; paper: 10,000 images`,
    xTitle: 'severity (Table 2)', yTitle: 'classifier accuracy (%)',
  }));
}

// %% [markdown]
// ### Figures 1-4: clean, corrupted and restored images
//
// The paper's Figures 1-4 show, per severity, clean images, their corrupted versions and the RDAE and RNLF
// restorations (MNIST impulse, MNIST Gaussian, Fashion-MNIST impulse, Fashion-MNIST Gaussian). The same first
// test images are shown for every severity.

// %%
let figNo = 0;
for (const ds of R.datasets) for (const noise of R.noises) {
  figNo++;
  const rows = t1Rows.filter((r) => r.dataset === ds && r.noise === noise && r.severity !== 'mixup').sort((a, b) => (a.severity as number) - (b.severity as number));
  if (!rows.length) continue;
  await figure(`fig${figNo}-${ds}-${noise}`, imageGrid({
    rows: [
      { label: 'clean', images: Float32Array.from(rows[0].examples.clean) },
      ...rows.flatMap((r) => [
        { label: `corrupted, severity ${r.severity}`, images: Float32Array.from(r.examples.corrupted) },
        { label: `RDAE, severity ${r.severity}`, images: Float32Array.from(r.examples.rdae) },
        { label: `RNLF, severity ${r.severity}`, images: Float32Array.from(r.examples.rnlf) },
      ]),
    ], height: 28, width: 28,
    title: `Figure ${figNo}: ${ds} restored by RDAE and RNLF, ${noise} noise`, subtitle: `models trained on the ${R.n} corrupted test images only (${R.epochs} epochs)`,
  }));
}
table('table1-errors', t1Rows.map((r) => ({
  dataset: r.dataset, noise: r.noise, severity: r.severity, 'MAE corrupted': fmt(r.maeCorrupted, 4), 'MAE RDAE': fmt(r.maeRDAE, 4), 'MAE RNLF': fmt(r.maeRNLF, 4),
  'RDAE s': fmt(r.secondsRDAE, 0), 'RNLF s': fmt(r.secondsRNLF, 0),
})), { caption: 'Mean absolute error to the clean images (never seen by the models) and training times' });

// %%
for (const ds of R.datasets) {
  const rows = t1Rows.filter((r) => r.dataset === ds && r.noise === 'impulse' && typeof r.severity === 'number');
  const worst = rows.sort((a, b) => (b.severity as number) - (a.severity as number))[0];
  if (!worst) continue;
  const sev = worst.severity;
  const pc = paperAccuracy(ds, 'PC', 'impulse', sev), pr = paperAccuracy(ds, 'RDAE', 'impulse', sev), pn = paperAccuracy(ds, 'RNLF', 'impulse', sev);
  claims.add({
    claim: `Table 1 (${ds}, impulse severity ${sev}): RDAE and RNLF restore images so that accuracy stays far above accuracy on the corrupted images`,
    paper: `corrupted ${fmt(pc!)}%, RDAE ${fmt(pr!)}%, RNLF ${fmt(pn!)}%`,
    ...restorationClaim({ corrupted: worst.accCorrupted, rdae: worst.accRDAE, rnlf: worst.accRNLF }),
    note: nb.scale === 'paper' ? '' : `${R.n} images, ${R.epochs} epochs, lr ${R.learningRate}: absolute accuracies are lower than with the paper's budget`,
  });
  // graceful degradation: restored accuracy drops less from the mildest to the worst severity than corrupted accuracy does
  const all = t1Rows.filter((r) => r.dataset === ds && typeof r.severity === 'number' && r.noise !== 'none');
  for (const noise of R.noises) {
    const s = all.filter((r) => r.noise === noise).sort((a, b) => (a.severity as number) - (b.severity as number));
    if (s.length < 2) continue;
    const lo = s[0], hi = s[s.length - 1];
    claims.add({
      claim: `Table 1 (${ds}, ${noise}): accuracy on restored images degrades gracefully with severity while accuracy on corrupted images collapses`,
      paper: `drop severity ${lo.severity} -> ${hi.severity}: corrupted ${fmt(paperAccuracy(ds, 'PC', noise, lo.severity)! - paperAccuracy(ds, 'PC', noise, hi.severity)!, 1)}, RDAE ${fmt(paperAccuracy(ds, 'RDAE', noise, lo.severity)! - paperAccuracy(ds, 'RDAE', noise, hi.severity)!, 1)}, RNLF ${fmt(paperAccuracy(ds, 'RNLF', noise, lo.severity)! - paperAccuracy(ds, 'RNLF', noise, hi.severity)!, 1)} points`,
      ...gracefulDegradationClaim({ corrupted: lo.accCorrupted, rdae: lo.accRDAE, rnlf: lo.accRNLF }, { corrupted: hi.accCorrupted, rdae: hi.accRDAE, rnlf: hi.accRNLF }),
      note: nb.scale === 'paper' ? '' : `severities ${s.map((r) => r.severity).join(', ')} only`,
    });
  }
}
console.log(`${claims.claims.length} claims so far`);

// %% [markdown]
// ## Table 1, CIFAR-10 / CIFAR-100 groups (ResNet)
//
// The same experiment with the ResNet encoder / decoder of Tables 5-6 (`src/nets/resnet32.ts`, images scaled to
// [-1, 1], tanh output, learning rates 5e-4 and 10) and the paper's classifier, a ResNet-56 trained on clean
// CIFAR. The code path (`restorationCell` with `resnet32Spec()`) is tested on fixture data in
// `test/papers/li2020.test.ts`. It runs here only when the CIFAR binary files are present under `data/` AND a
// pretrained ResNet-56 (tfjs layers model) is at `data/models/resnet56-<dataset>/model.json`: neither exists
// offline, and we do not train a ResNet-56 on CIFAR on 2 CPU cores. No CIFAR numbers are reported otherwise.

// %%
{
  const status = (['cifar10', 'cifar100'] as const).map((ds) => {
    const dataDir = path.join(dataRoot(), CIFAR_SOURCES[ds].folder);
    const hasData = (CIFAR_SOURCES[ds].files.test as readonly string[]).every((f) => fs.existsSync(path.join(dataDir, f)));
    const hasModel = fs.existsSync(path.join(dataRoot(), 'models', `resnet56-${ds}`, 'model.json'));
    return { dataset: ds, 'test data': hasData ? 'present' : 'missing', 'ResNet-56 classifier': hasModel ? 'present' : 'missing' };
  });
  table('cifar-status', status, { caption: 'CIFAR groups of Table 1: inputs needed' });
  const runnable = status.filter((s) => s['test data'] === 'present' && s['ResNet-56 classifier'] === 'present');
  if (runnable.length === 0) {
    markdown('**CIFAR-10 / CIFAR-100: not run.** The data (and a pretrained ResNet-56) are not available offline, so this notebook reports no CIFAR numbers. The paper\'s values are in `LI2020_TABLE1` (`src/papers/li2020.ts`).');
    void claims.add({ claim: 'Table 1 (CIFAR-10 / CIFAR-100): RDAE and RNLF with the ResNet of Tables 5-6 restore corrupted images', paper: 'CIFAR-10 impulse sev. 6: ResNet 10.41%, RDAE 82.22%, RNLF 78.66%', ours: 'not run', holds: 'n/a', note: 'CIFAR data and a pretrained ResNet-56 are not available offline; code path tested on fixtures' });
  } else {
    const cifarStore = new ResultsStore(`${nb.name}/table1-cifar.jsonl`, { version: `${VERSION}-cifar` });
    for (const s of runnable) {
      const set = s.dataset === 'cifar10' ? await loadCifar10({ split: 'test', download: false }) : await loadCifar100({ split: 'test', download: false });
      const model = await tf.loadLayersModel(`file://${path.join(dataRoot(), 'models', `resnet56-${s.dataset}`, 'model.json')}`);
      const accuracy = (X: tf.Tensor2D, labels: Int32Array) => tf.tidy(() => {
        const pred = (model.predict(tf.reshape(X, [-1, 32, 32, 3])) as tf.Tensor).argMax(-1).dataSync();
        let ok = 0; for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) ok++;
        return ok / labels.length;
      });
      const rows: (RestorationParams & RestorationResult)[] = [];
      for (const noise of R.noises) for (const severity of R.severities[noise]) {
        const p: RestorationParams = { dataset: s.dataset, noise, severity, n: R.n, epochs: R.epochs, learningRate: nb.scale === 'paper' ? 5e-4 : R.learningRate, codeLearningRate: 10, codeDim: 1024, batchSize: 100, decayEvery: 100, seed: nb.seed };
        rows.push({ ...p, ...(await restorationCell(cifarStore, p, { images: set, net: resnet32Spec(), severityGroup: 'cifar', accuracy, log: (x) => console.log(x) })) });
      }
      table(`table1-${s.dataset}`, table1Rows(s.dataset, rows, 'ResNet'), { caption: `Table 1, ${s.dataset}` });
      model.dispose();
    }
  }
}

// %% [markdown]
// ## Claims
//
// What the paper claims, what we measured at this scale, and whether it holds here.

// %%
for (const c of Object.values(classifiers)) c.dispose();
timings.push({ step: 'whole notebook', seconds: (Date.now() - tStart) / 1000 });
table('timings', timings.map((t) => ({ step: t.step, seconds: fmt(t.seconds, 1) })), { caption: `Run times at scale "${nb.scale}" (${nb.backend})` });
console.log(`tensors alive at the end: ${tf.memory().numTensors}`);
claims.show();
