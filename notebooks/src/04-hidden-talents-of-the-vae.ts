// %% [markdown]
// # Hidden Talents of the Variational Autoencoder: the VAE as nonlinear robust PCA
//
// Dai, Wang, Aston, Hua & Wipf (arXiv 1706.05148, JMLR version). Their theory (Sections 2-4) says that a VAE with
// a Gaussian decoder whose covariance Sigma_x is free behaves like robust PCA, `min n rank[L] + ||S||_0`, but
// with the energy smoothed by the encoder covariance Sigma_z: the VAE should (i) recover points on a nonlinear
// manifold from data where a fraction nu of the entries are gross outliers, better than an autoencoder of the
// same capacity and better than convex RPCA; (ii) switch off unneeded latent dimensions by driving whole columns
// of the first decoder layer W1 to zero; (iii) push the used dimensions of Sigma_z towards 0 and the unused ones
// towards 1.
//
// What runs here (all code in the library, this notebook only picks a scale and draws):
//
// | piece | module |
// |---|---|
// | ground-truth manifolds of Sec. 5.1, inverse-network certificate, singular values | `src/data/manifold.ts` |
// | the VAE of Sec. 5.1 (diagonal Sigma_z sharing the encoder, exp output; closed-form Sigma_x per sample; tau samples; any depths) | `src/models/dai-vae.ts` |
// | AE-l2 / AE-l1 (Sigma_z = 0, weight decay C1, latent penalty C2) | `src/models/dai-ae.ts` |
// | convex RPCA by inexact ALM | `src/models/rpca.ts` |
// | W1 column norms, nonzero-column count (0.05 x max), Sigma_z statistics | `src/inspect/latent.ts` |
// | the experiment cells (resumable, `results/<scale>/04-hidden-talents-of-the-vae/`), the tables and root-cause texts | `src/papers/dai2017.ts` |
// | the claim rules (a verdict from measured numbers) | `src/papers/dai2017-claims.ts` |
//
// Scales (`RML_SCALE`): **paper** is the paper's protocol (n = 10^6, widths 2000/1000, 200 epochs at learning rate
// 1e-4, i.e. ~2,000,000 Adam steps per network, the full 10 x 11 grid, 10 trials). **quick** (48 min cold on 2
// cores shared with three other quick runs, load ~10; ~25 min estimated alone) trains every network at the paper's
// learning rate 1e-4 and batch 100 on n = 3,000 samples, for 12,000 steps on the Sec. 5.1 / 5.2 grids (6,000 on
// MNIST), and spends the rest on **budget ladders**: one long run per decisive cell, read out at 1.5k, 3k, 6k, 12k,
// 24k, 48k steps, so every claim is shown against the budget the paper has and quick lacks (steps, learning rate,
// width). **long** (one machine overnight) runs the same cells further (grids at 48k steps, the ladder cell to
// 192k, widths up to the paper's 1000/2000). **smoke** only proves that every cell runs. Earlier quick runs used
// ~1,500 steps at learning rate 1e-3: the ladders below show that this left the VAE on its prior (every claim but
// one failed at that budget).
//
// Two settings the paper does not state, used for every model at every scale: Glorot-uniform initialisation
// (the Keras / TensorFlow default; the paper says "randomly initialized"; He initialisation made the VAE stay
// on its prior for the whole of a short run), and the floor alpha on diag(Sigma_x) set to 5e-3 x the mean column
// variance of the observed X (the paper only asks alpha to be small; an absolute 1e-4, ~5e-5 of the Sec. 5.1
// data's variance, makes the log r^2 data term's stochastic gradient spiky and slowed the VAE down 2-4x).
//
// Every verdict below comes from a rule in `src/papers/dai2017-claims.ts` (`verdictFig1Dominance`, `verdictTable1`, ...,
// unit-tested on fixed numbers); the notebook only calls them and shows the numbers.

// %%
import 'tsx/cjs';
import { setupNotebook, figure, table, markdown } from 'rml/notebook';
import { tf } from 'rml/backend';
import { ClaimsTable } from 'rml/experiment/claims';
import { lines, heatmapPanels } from 'rml/plots';
import {
  daiConfig, daiStore, mnistRecoveryCell, mnistSpectrumCell, PHASE_MODELS, stepsPerEpoch, trainSteps,
  manifoldRows, certifyLadderRows, recoveryRows, recoverySummary, daiConfigRows, phaseGrid, fig1CellsOf, fig1GridLadder,
  ladderCellRuns, c2ReadingRows, computeDaiCells, PHASE_LABELS, manifoldTableRows, c2Tuning, fig1GridRows, fig1GridMeanPoints,
  fig1LadderPanelRows, ladderCellTableRows, c2ReadingTableRows, storeCounts, ladderSeries, certificateBest, certificateRootCause, fig1LadderNote,
  fig1RootCause, c2FootnoteRootCause, sigmaZCells, fig3HistogramRows, fig3FractionRows, fig3Inputs, fig3RootCause, sigmaZRuns, fig4Rows,
  fig4LadderPoints, fig4RootCause, pruningRuns, meanCount, table1Rows, pruningLrRuns, table1LadderNote, table1RootCause, fig2bRuns,
  fig2bRootCause, fig5bTableRows, alphaRuns, alphaRows, recoveryNmse, tauRows, fig5bRootCause,
} from 'rml/papers/dai2017';
import {
  addDaiClaim, verdictFig1Dominance, verdictFig1Recovery, verdictCertificate, verdictFarFromLowRank, verdictFig3Bimodal, verdictFig3Growth,
  verdictFig4, verdictTable1, verdictFig2b, verdictFig5b, verdictTau, verdictC2Footnote,
} from 'rml/papers/dai2017-claims';
import { fmt } from 'rml/papers/verdict';
const nb = await setupNotebook('04-hidden-talents-of-the-vae');
const cfg = daiConfig(nb.scale);
const claims = new ClaimsTable(nb.name);
const t0 = Date.now();
const tensorsAtStart = tf.memory().numTensors;
const steps = trainSteps;
// Every stored cell of this notebook, in order: the list `npm run sweep` runs in other processes (daiCells). Each
// section computes its listed cells first (computeDaiCells: a cell already in the store is read back), then reads them
// through the driver. Listed afresh per section: the AE cells at the tuned C2 appear once the tuning is stored.
// Training progress bars while computing a cell (off unless RML_PROGRESS=1; reading the store prints nothing).
const run = { progress: process.env.RML_PROGRESS === '1' };
const computeListed = (store: ReturnType<typeof daiStore>, ...experiments: string[]) => computeDaiCells(store, nb.scale, nb.seed, experiments, run);
const ladderData = ladderSeries;
table('config', daiConfigRows(cfg), {
  caption: `Experiment sizes at scale "${nb.scale}" (steps = Adam steps of batch ${cfg.phase.train.batchSize}; the paper: ~2,000,000 per network)`,
});

// %% [markdown]
// ## 1. The ground-truth manifolds (Sec. 5.1)
//
// `z ~ N(0, I_kappa)` goes through a fixed random ReLU network `z(kappa)-D1(r1)-D2(r2)-l(d)` (He initialisation).
// Two checks the paper asks for: (a) L must be far from low rank, otherwise RPCA would suffice; we report how
// many singular values hold 90% / 99% of the energy of (centred) L, against kappa; (b) the manifold must be
// invertible by a network the size of the models' encoders: with the generator held fixed we train
// `l(d)-E1(r2)-E2(r1)-z(kappa)` and report its held-out relative error `||z_hat - z||^2 / ||z||^2`, with a ladder
// on its training epochs for the hardest manifold(s).

// %%
const manStore = daiStore('manifolds', nb.scale);
await computeListed(manStore, 'manifolds', 'certify');
const manifolds = await manifoldRows(manStore, cfg.phase, nb.seed);
table('manifolds', manifoldTableRows(manifolds), {
  caption: `Ground-truth manifolds (d = ${cfg.phase.d}); a linear subspace would put 100% of the energy in kappa values. Inverse trained ` +
    `${cfg.phase.certify.epochs} epochs on ${cfg.phase.certify.n} pairs`,
});
await figure('manifold-singular-values', lines({
  data: manifolds.flatMap((m) => m.singularValues.map((s, i) => ({ index: i + 1, value: s / m.singularValues[0], kappa: `kappa = ${m.kappa}` }))),
  x: 'index', y: 'value', series: 'kappa', logY: true, points: false, xTitle: 'singular value index', yTitle: 'singular value / largest (log)',
  title: 'Singular-value decay of the clean manifold data L', subtitle: 'slow decay = far from low rank',
}));
const certLadder = await certifyLadderRows(manStore, cfg.phase, nb.seed);
await figure('ladder-certificate', lines({
  data: certLadder.map((c) => ({ steps: c.epochs * stepsPerEpoch(cfg.phase.certify, cfg.phase.certify.n), value: c.testRelError,
    series: `kappa = ${c.kappa}` })),
  x: 'steps', y: 'value', series: 'series', logX: true, logY: true, xTitle: 'Adam steps of the inverse network (log)',
    yTitle: 'held-out ||z_hat - z||^2 / ||z||^2 (log)',
  rules: [{ y: 0.01, label: '"essentially zero" (rule: < 0.01)' }], title: 'Ladder: certificate of the inverse network vs training',
    subtitle: `lr ${cfg.phase.certify.learningRate}, ${cfg.phase.certify.n} training pairs; the paper trains it to "essentially zero"`,
}));
const certV = verdictCertificate(certificateBest(manifolds, certLadder, cfg.phase.kappas));
addDaiClaim(claims, 'Sec. 5.1: the ground-truth manifold is invertible by an encoder-sized network', 'essentially zero reconstruction error', certV,
  `best over the certificate ladder (up to ${Math.max(...cfg.phase.certifyLadder.epochs)} epochs for kappa ${cfg.phase.certifyLadder.kappas.join(', ')})`);
const certCause = certificateRootCause(certLadder, cfg.phase);
if (certV.holds !== true && certCause) markdown(certCause);
addDaiClaim(claims, 'Sec. 5.1: L is far from low-rank', 'not well represented by a low-rank approximation', verdictFarFromLowRank(manifolds));

// %% [markdown]
// ## 2. Figure 1: phase transitions (manifold dimension kappa x outlier ratio nu)
//
// Every model sees only X (a fraction nu of the entries of L replaced by N(0, 1) values) and returns L-hat;
// the score is `NMSE = ||L - L_hat||_F^2 / ||L||_F^2` (eq. 20). The VAE uses the default C2 = 1 (its own KL);
// the AEs' C2 is tuned first on one cell (the paper tunes it "for optimal performance", C2 = 1e3 for AE-l2).
// Every network is read at every ladder rung on the way, so the grid below also shows what the older, shorter
// quick budget (1,500 steps) gave.

// %%
const phaseStore = daiStore('phase', nb.scale);
await computeListed(phaseStore, 'c2-tune');
const { tuned, rows: tuneRows } = await c2Tuning(phaseStore, cfg.phase, nb.seed);
table('c2-tuning', tuneRows, { caption: `C2 tuning on kappa = ${cfg.phase.tuneCell.kappa}, nu = ${cfg.phase.tuneCell.nu} (separate data seed), ` +
  `${steps(cfg.phase.train, cfg.phase.n)} steps` });

// %%
await computeListed(phaseStore, 'phase');
const phase = await phaseGrid(phaseStore, cfg.phase, tuned, nb.seed);
const label = PHASE_LABELS;
// the four panels side by side with one colour scale, as in the paper (heatmapPanels)
await figure('fig1', heatmapPanels({
  // a blank cell would read as white = recovered: nu = 0 is drawn only where every model ran there (else it is in the table)
  data: phase.filter((p) => p.nu > 0 || PHASE_MODELS.every((m) => cfg.phase.nu0Models.includes(m)))
    .map((p) => ({ model: label[p.model], nu: p.nu, kappa: p.kappa, NMSE: Math.min(1, p.r.nmse) })),
  panel: 'model', panelOrder: PHASE_MODELS.map((m) => label[m]),
  x: 'nu', y: 'kappa', color: 'NMSE', domain: [0, 1], scheme: 'blues', text: '.2f', xTitle: 'outlier ratio nu', yTitle: 'manifold dimension kappa',
  title: 'Figure 1: NMSE of the recovered L',
    subtitle: `white = NMSE 0 (recovered), dark = 1 (failure); networks: ${steps(cfg.phase.train, cfg.phase.n)} Adam steps at lr ` +
    `${cfg.phase.train.learningRate}; RPCA: converged ` +
    `ALM${PHASE_MODELS.every((m) => cfg.phase.nu0Models.includes(m)) ? '' : '; nu = 0 (not run for every model) is in the table below'}`,
}));
const gridRows = fig1GridRows(phase, cfg.phase);
table('fig1-nmse', gridRows, { caption: 'Figure 1 values; the paper gives the figure only (VAE white over most of the grid, AE-l2 / AE-l1 / RPCA ' +
  'mostly dark)' });
const fig1Cells = fig1CellsOf(phase);
// the same rule on the grid read at each rung (every network's ladder): when does the VAE overtake?
const gridLadder = fig1GridLadder(phase);
await figure('ladder-fig1-grid-mean', lines({
  data: fig1GridMeanPoints(gridLadder, tuned),
  x: 'steps', y: 'value', series: 'series', logX: true, zero: true, xTitle: 'Adam steps (log)', yTitle: 'mean NMSE over the cells with outliers',
  rules: [{ y: 0, label: 'paper VAE: ~0 (white)' }], title: 'Ladder: Figure 1 grid mean NMSE vs training steps',
    subtitle: `every grid network read at each rung; lr ${cfg.phase.train.learningRate}; paper ~2,000,000 steps`,
}));
table('ladder-fig1-grid', gridLadder.map((g) => ({ steps: g.steps, verdict: String(g.v.holds), summary: g.v.ours })),
  { caption: 'The Figure 1 rule applied to the grid at each rung' });
// Figure 1 at every rung of the ladder, with a slider over the training budget (the static files show the last rung)
await figure('ladder-fig1-panels', heatmapPanels({
  data: fig1LadderPanelRows(gridLadder),
  panel: 'model', panelOrder: [label.vae, label['ae-l2'], label['ae-l1']],
  x: 'nu', y: 'kappa', color: 'NMSE', domain: [0, 1], scheme: 'blues', text: '.2f', xTitle: 'outlier ratio nu', yTitle: 'manifold dimension kappa',
  explore: { field: 'steps', title: 'Adam steps', init: gridLadder[gridLadder.length - 1]?.steps, input: 'select' },
  title: 'Ladder: Figure 1 (cells with outliers) at each training budget', subtitle: 'pick the number of Adam steps; white = recovered',
}));

// %% [markdown]
// ### Ladders on the decisive cell
//
// The grid budget is short of the paper's by two orders of magnitude, so the cell the C2 tuning uses is trained
// further (steps), at other learning rates and at other widths. The paper's value is "white" (NMSE ~0) for the
// VAE and dark for the AEs.

// %%
await computeListed(phaseStore, 'ladder');
const lc = cfg.phase.ladderCell;
const lcRuns = await ladderCellRuns(phaseStore, cfg.phase, tuned, nb.seed);
const longRuns = lcRuns.long, rpcaLc = lcRuns.rpca, widthRuns = lcRuns.width, lrRuns = lcRuns.lr;
await figure('ladder-fig1-steps', lines({
  data: longRuns.flatMap((l) => ladderData(l.r.ladder, l.model === 'vae' ? 'VAE' : `${label[l.model].slice(4)} (C2 = ${tuned[l.model]})`)),
  x: 'steps', y: 'value', series: 'series', logX: true, logY: true, xTitle: 'Adam steps (log)', yTitle: 'NMSE (log)',
  rules: [{ y: rpcaLc.nmse, label: `RPCA ${fmt(rpcaLc.nmse)}` }, { y: longRuns[0].r.nmseInput, label: `X itself ${fmt(longRuns[0].r.nmseInput)}` },
    { y: 0.01, label: 'paper VAE: ~0 (white)' }],
  title: `Ladder: NMSE vs steps at kappa = ${lc.kappa}, nu = ${lc.nu}`,
    subtitle: `lr ${cfg.phase.train.learningRate}, widths ${cfg.phase.hidden.join('/')}, n = ${cfg.phase.n}`,
}));
await figure('ladder-fig1-width', lines({
  data: widthRuns.flatMap((x) => ladderData(x.r.ladder, `${x.model === 'vae' ? 'VAE' : 'AE-l2'} ${x.w.join('/')}`)),
  x: 'steps', y: 'value', series: 'series', logX: true, logY: true, xTitle: 'Adam steps (log)', yTitle: 'NMSE (log)', rules: [{ y: 0.01,
    label: 'paper VAE: ~0' }],
  title: `Ladder: model width (r1/r2) at kappa = ${lc.kappa}, nu = ${lc.nu}`, subtitle: `paper widths 1000/2000; generator ${cfg.phase.hidden.join('/')}`,
}));
await figure('ladder-fig1-lr', lines({
  data: lrRuns.flatMap((x) => [...ladderData(x.r.ladder, `NMSE, lr ${x.lr}`), ...ladderData(x.r.ladder, `used dims / 50, lr ${x.lr}`,
    'usedDims').map((d) => ({ ...d, value: d.value / cfg.phase.latentDim }))]),
  x: 'steps', y: 'value', series: 'series', logX: true, zero: true, xTitle: 'Adam steps (log)', yTitle: 'NMSE, or used latent dims / 50',
  rules: [{ y: lc.kappa / cfg.phase.latentDim, label: `truth kappa / 50 = ${fmt(lc.kappa / cfg.phase.latentDim, 2)}` }],
  title: `Ladder: VAE learning rate at kappa = ${lc.kappa}, nu = ${lc.nu}`, subtitle: 'used dims = mean [Sigma_z]_jj < 0.05',
}));
table('ladder-fig1', ladderCellTableRows(lcRuns, tuned), {
  caption: `NMSE at each rung (column = Adam steps), kappa = ${lc.kappa}, nu = ${lc.nu}; RPCA ${fmt(rpcaLc.nmse)}, X itself ` +
    `${fmt(longRuns[0].r.nmseInput)}`,
});

// %%
const domV = verdictFig1Dominance(fig1Cells);
const recV = verdictFig1Recovery(fig1Cells);
const ladderNote = fig1LadderNote(lcRuns, cfg.phase);
addDaiClaim(claims, 'Fig. 1: VAE NMSE far below AE-l2, AE-l1 and RPCA across the grid (nu > 0)', 'VAE ~0 on most cells; others mostly ~1', domV,
  `grid at ${steps(cfg.phase.train, cfg.phase.n)} steps; ${ladderNote}`);
addDaiClaim(claims, 'Fig. 1(a): the VAE recovers L (NMSE near 0) over most of the grid', 'NMSE ~0 on most (kappa, nu) cells', recV,
  `${steps(cfg.phase.train, cfg.phase.n)} steps x batch 100 vs the paper's ~2,000,000`);
markdown(fig1RootCause(domV, lcRuns, cfg.phase, nb.scale));

// %% [markdown]
// ### Footnote 12: AE-l2 with C2 = 1 "much worse" than C2 = 10^3
//
// The paper does not say how C2 (and C1 = 5e-4) are scaled against the data term. `aeConvention` in
// `src/papers/dai2017.ts` lists readings: **sum** (the data term summed over the d entries, C2 and C1 as written: this
// code's default and the one the paper's text implies, since its C2 = 1 is "the default value as produced by the VAE
// KL term"), **mean-d** (a Keras-style loss averaged over the d entries: C2 and C1 effectively x d), **c1-dataset**
// (C1 once on the objective summed over all n samples: weight decay C1 / n per sample, nearly off), **mean-z** (C2
// on the mean over the latent dimensions: C2 / dim z). Each is run with C2 = 1 and 10^3 on the tune cell.

// %%
await computeListed(phaseStore, 'c2-readings');
const readingRows = await c2ReadingRows(phaseStore, cfg.phase, nb.seed);
table('c2-readings', c2ReadingTableRows(readingRows),
  { caption: `AE-l2 on kappa = ${cfg.phase.tuneCell.kappa}, nu = ${cfg.phase.tuneCell.nu}, ${steps(cfg.phase.train, cfg.phase.n)} steps, per reading of C2` });
const c2V = verdictC2Footnote(readingRows);
addDaiClaim(claims, 'Footnote 12: AE-l2 with C2 = 1 is much worse than with the tuned C2 = 10^3', 'C2 = 1 much worse (not shown)', c2V);
if (c2V.holds !== true) markdown(c2FootnoteRootCause(readingRows));

// %% [markdown]
// ## 3. Figure 3: histograms of the diagonal of Sigma_z (Sec. 5.3)
//
// From the VAE cells of Figure 1 (dim z = 50): the prediction is a split into values near 0 (dimensions used
// by the manifold, about kappa / 50 of them) and near 1 (unused dimensions, pushed to the prior by the KL),
// with more values moving to 1 when kappa and nu are both large.

// %%
const histKappas = cfg.phase.kappas, histNus = cfg.phase.nus;
const histRows = fig3HistogramRows(phase);
await figure('fig3-sigma-z-histograms', {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  title: { text: 'Figure 3: diagonal of Sigma_z (log counts)',
    subtitle: `rows: kappa; columns: outlier ratio nu; VAE with dim z = ${cfg.phase.latentDim}, ${steps(cfg.phase.train, cfg.phase.n)} steps` },
  data: { values: histRows },
  facet: { row: { field: 'kappa', type: 'nominal', sort: histKappas.map((k) => `kappa = ${k}`), title: null }, column: { field: 'nu', type: 'nominal',
    sort: histNus.map((v) => `nu = ${v}`), title: null } },
  spec: { width: 170, height: 90, mark: { type: 'rect', color: '#4c78a8' }, encoding: {
    x: { field: 'lo', type: 'quantitative', title: '[Sigma_z]_jj (last bin: >= 1.15)', scale: { domain: [0, 1.2] } }, x2: { field: 'hi' },
    y: { field: 'count', type: 'quantitative', scale: { type: 'log' }, title: 'count' }, y2: { datum: 1 } } },
  resolve: { scale: { x: 'shared', y: 'shared' } },
});
const vaeCells = sigmaZCells(phase);
table('fig3-fractions', fig3FractionRows(phase, cfg.phase.latentDim), {
  caption: 'Fractions of diag(Sigma_z) entries near 0 and near 1 (paper: near 0 ~ kappa/50 at nu = 0, all panels bimodal), and the used ' +
    'dimensions at each rung',
});
await figure('ladder-fig3-used-dims', lines({
  data: [...vaeCells.flatMap((p) => ladderData(p.r.ladder, `kappa ${p.kappa}, nu ${p.nu}`, 'usedDims')),
    ...longRuns[0].r.ladder.map((q) => ({ steps: q.steps, value: q.usedDims!, series: `kappa ${lc.kappa}, nu ${lc.nu} (long)` }))],
  x: 'steps', y: 'value', series: 'series', logX: true, zero: true, xTitle: 'Adam steps (log)', yTitle: 'used latent dims (mean [Sigma_z]_jj < 0.05)',
  rules: cfg.phase.kappas.map((k) => ({ y: k, label: `kappa = ${k}` })), title: 'Ladder: Sigma_z dimensions pushed to 0 vs training steps',
    subtitle: 'paper (converged): about kappa of 50 near 0 at nu = 0',
}));
const fig3In = fig3Inputs(phase, cfg.phase.kappas);
const fig3bV = verdictFig3Bimodal(fig3In.bimodal);
const fig3gV = verdictFig3Growth(fig3In.growth, cfg.phase.latentDim);
addDaiClaim(claims, 'Fig. 3: diag(Sigma_z) splits into values near 0 (used) and near 1 (unused)', 'all 12 panels bimodal at 0 and 1', fig3bV);
addDaiClaim(claims, 'Fig. 3: the fraction of Sigma_z near 0 grows with kappa (about kappa / 50 at nu = 0)', 'proportional to kappa / 50', fig3gV,
  `used dims on the ladder cell: ${longRuns[0].r.ladder.map((q) => `${q.usedDims} at ${q.steps}`).join(', ')} (truth ${lc.kappa})`);

// %%
if (fig3bV.holds !== true || fig3gV.holds !== true) markdown(fig3RootCause(phase, lcRuns, cfg.phase));

// %% [markdown]
// ## 4. Figure 4: mean diag(Sigma_z), sorted, for kappa = dim z = 10 as nu varies
//
// With no spare latent dimensions, perfect recovery needs every variance near 0; the paper sees some pushed to 1
// once nu > 0.30 (the VAE settles for a lower-dimensional approximation).

// %%
const sigStore = daiStore('sigma-z', nb.scale);
await computeListed(sigStore, 'sigma-z');
const fig4 = await sigmaZRuns(sigStore, cfg, nb.seed);
await figure('fig4-sorted-mean-sigma-z', lines({
  data: fig4.flatMap((f) => [...f.r.sigmaZ!.meanPerDim].sort((a, b) => a - b).map((v, i) => ({ rank: i + 1, value: v, nu: `nu = ${f.nu}` }))),
  x: 'rank', y: 'value', series: 'nu', xTitle: 'latent dimension (sorted)', yTitle: 'mean [Sigma_z]_jj', zero: true,
  title: `Figure 4: sorted mean diag(Sigma_z), kappa = dim z = ${cfg.sigmaZ.kappa}`, subtitle: 'paper: all near 0 for nu <= 0.3; some near 1 for nu > 0.3',
}));
await figure('ladder-fig4', lines({
  data: fig4LadderPoints(fig4),
  x: 'steps', y: 'value', series: 'series', logX: true, zero: true, xTitle: 'Adam steps (log)', yTitle: 'dims with mean variance > 0.5',
  rules: [{ y: 0, label: 'paper nu <= 0.3: 0' }], title: 'Ladder: Figure 4 dimensions near 1 vs training steps',
    subtitle: `kappa = dim z = ${cfg.sigmaZ.kappa}; paper: > 0 only for nu > 0.3`,
}));
table('fig4', fig4Rows(fig4), { caption: 'Figure 4 in numbers, with the ladder' });
const fig4V = verdictFig4(fig4.map((f) => ({ nu: f.nu, meanPerDim: f.r.sigmaZ!.meanPerDim })));
addDaiClaim(claims, 'Fig. 4: outliers above ~30% push some Sigma_z variances to 1 (none below)', 'nu <= 0.3: all near 0; nu > 0.3: some near 1', fig4V);
if (fig4V.holds !== true) markdown(fig4RootCause(fig4));

// %% [markdown]
// ## 5. Table 1 and Figure 2a: pruning of W1 by encoder / decoder depth (Sec. 5.2)
//
// Clean data from `z(20)-D1(200)-D2(200)-x(400)`, VAEs with `Ne` encoder and `Nd` decoder hidden layers and
// dim z = 30. A column of W1 (the first decoder layer, eq. 21) counts as zero when its norm is below 0.05 x the
// largest. Paper: 30 at Nd = 0 (an affine decoder uses every dimension), 20-21 for Nd >= 1.

// %%
const pruneStore = daiStore('pruning', nb.scale);
await computeListed(pruneStore, 'pruning', 'pruning-lr');
const prune = await pruningRuns(pruneStore, cfg.pruning);
const scaleNote = nb.scale === 'paper' ? '' : ` (ours: ground truth ${cfg.pruning.kappa}, dim z ${cfg.pruning.latentDim}, ` +
  `${steps(cfg.pruning.train, cfg.pruning.n)} steps, n = ${cfg.pruning.n})`;
table('table1', table1Rows(prune, cfg.pruning), {
  caption: `Table 1: nonzero columns of W1 (mean over ${cfg.pruning.trials} trial(s)); paper: truth 20, dim z 30${scaleNote}`,
});
const neMax = Math.max(...cfg.pruning.encoderDepths);
await figure('fig2a-sorted-w1-norms', lines({
  data: prune.filter((p) => p.ne === neMax).flatMap((p) => p.norms[0].map((v, i) => ({ index: i + 1, norm: v, Nd: `Nd = ${p.nd}` }))),
  x: 'index', y: 'norm', series: 'Nd', zero: true, xTitle: 'column of W1 (sorted by norm)', yTitle: '||w_j||_2',
  title: `Figure 2a: sorted column norms of W1, Ne = ${neMax}`, subtitle: `paper: a clear gap after ${cfg.pruning.kappa} columns for Nd >= 2; none for Nd = 0`,
}));
await figure('ladder-table1', lines({
  data: prune.flatMap((p) => ladderData(p.ladder[0], `Ne ${p.ne}, Nd ${p.nd}`, 'nonzeroColumns')),
  x: 'steps', y: 'value', series: 'series', logX: true, zero: true, xTitle: 'Adam steps (log)', yTitle: 'nonzero columns of W1',
  rules: [{ y: cfg.pruning.kappa, label: `truth ${cfg.pruning.kappa} (paper Nd >= 1: 20-21.1)` }, { y: cfg.pruning.latentDim,
    label: `dim z ${cfg.pruning.latentDim} (paper Nd = 0)` }],
  title: 'Ladder: Table 1 nonzero W1 columns vs training steps', subtitle: `lr ${cfg.pruning.train.learningRate}, width ${cfg.pruning.width}, trial 0`,
}));
const lrP = cfg.pruning.lrLadder;
const pruneLr = await pruningLrRuns(pruneStore, cfg.pruning);
const gridLrCell = prune.find((p) => p.ne === lrP.ne && p.nd === lrP.nd);
await figure('ladder-table1-lr', lines({
  data: [...(gridLrCell ? ladderData(gridLrCell.ladder[0], `lr ${cfg.pruning.train.learningRate} (grid)`, 'nonzeroColumns') : []),
    ...pruneLr.flatMap((x) => ladderData(x.r.ladder, `lr ${x.lr}`, 'nonzeroColumns'))],
  x: 'steps', y: 'value', series: 'series', logX: true, zero: true, xTitle: 'Adam steps (log)', yTitle: 'nonzero columns of W1',
  rules: [{ y: cfg.pruning.kappa, label: `truth ${cfg.pruning.kappa}` }],
    title: `Ladder: Table 1 pruning vs learning rate (Ne = ${lrP.ne}, Nd = ${lrP.nd})`, subtitle: "the paper: lr 1e-4 for ~2,000,000 steps",
}));
const t1V = verdictTable1(prune.map((p) => ({ ne: p.ne, nd: p.nd, count: meanCount(p) })), cfg.pruning.kappa, cfg.pruning.latentDim);
addDaiClaim(claims, 'Table 1: W1 pruning finds the true dimension when the decoder has at least one hidden layer',
  '30 at Nd = 0; 20-21 at Nd >= 1 (truth 20)', t1V, table1LadderNote(prune));

// %%
if (t1V.holds !== true) markdown(table1RootCause(prune, pruneLr, cfg.pruning));

// %% [markdown]
// ## 6. MNIST: Figure 2b (pruning vs latent size) and Figure 5 / Appendix A (recovering corrupted digits)
//
// A caution for reading short runs: about 80% of MNIST pixels are exactly 0, and the closed-form Sigma_x turns
// every exactly fitted entry into a reward of -log(1/alpha). A network that outputs the blank image earns that on
// all background pixels and treats the strokes as "outliers" (L-hat = 0, S = the digits: NMSE ~1). Whether a run
// is there shows as mean |L-hat| far below mean |L|; the ladders follow it over training.

// %%
const mnStore = daiStore('mnist', nb.scale);
await computeListed(mnStore, 'mnist-recovery', 'mnist-pruning', 'mnist-spectrum', 'mnist-alpha');
const mnistMeanAbs = (await mnistRecoveryCell(mnStore, cfg.mnist, cfg.mnist.nus[0], 'rpca')).meanAbsClean;
const fig2b = await fig2bRuns(mnStore, cfg.mnist);
await figure('fig2b-mnist-nonzero-columns', lines({
  data: fig2b.map((r) => ({ kappa: r.kappa, nonzero: r.nonzero, model: r.model === 'vae' ? 'VAE' : 'AE (C2 = 0)' })), x: 'kappa', y: 'nonzero',
    series: 'model', zero: true, xTitle: 'latent dimension kappa', yTitle: 'nonzero columns of W1',
  title: 'Figure 2b: nonzero columns of W1 on MNIST',
    subtitle: `paper: VAE plateaus near 15 for kappa > 15; AE always kappa (${steps(cfg.mnist.train, cfg.mnist.n)} steps, n = ${cfg.mnist.n})`,
}));
await figure('ladder-fig2b', lines({
  data: fig2b.flatMap((r) => ladderData(r.ladder, `${r.model === 'vae' ? 'VAE' : 'AE'} kappa ${r.kappa}`, 'nonzeroColumns')),
  x: 'steps', y: 'value', series: 'series', logX: true, zero: true, xTitle: 'Adam steps (log)', yTitle: 'nonzero columns of W1', rules: [{ y: 15,
    label: 'paper VAE plateau ~15' }],
  title: 'Ladder: Figure 2b nonzero W1 columns vs training steps', subtitle: `MNIST n = ${cfg.mnist.n}, lr ${cfg.mnist.train.learningRate}`,
}));
const v2b = verdictFig2b(fig2b);
addDaiClaim(claims, 'Fig. 2b: on MNIST the VAE uses a bounded number of latent dimensions (plateau near 15); the AE uses all',
  'VAE ~15 for kappa > 15; AE = kappa', v2b);
if (v2b.holds !== true) markdown(fig2bRootCause(fig2b, mnistMeanAbs));

// %%
const spec = await mnistSpectrumCell(mnStore, Math.min(cfg.mnist.n, 10000));
await figure('fig5a-mnist-spectrum', lines({
  data: spec.singularValues.map((s, i) => ({ index: i + 1, value: s })), x: 'index', y: 'value', logY: true, points: false,
  xTitle: 'singular value index', yTitle: 'singular value (log)', title: 'Figure 5a: singular values of MNIST (centred)',
    subtitle: `90% of the energy in ${spec.rank90} values, 99% in ${spec.rank99}`,
}));
const fig5 = await recoveryRows(mnStore, cfg.mnist);
await figure('fig5b-mnist-recovery', lines({
  data: fig5.map((f) => ({ nu: f.nu, NMSE: f.NMSE, model: f.model })), x: 'nu', y: 'NMSE', series: 'model', zero: true,
    xTitle: 'fraction of pixels replaced by U[0, 1]', yTitle: 'NMSE',
  title: 'Figure 5b: recovering MNIST digits',
    subtitle: `paper: VAE (tau = 5 best) below RPCA at every corruption level (${steps(cfg.mnist.train, cfg.mnist.n)} steps)`,
}));
await figure('ladder-fig5b', lines({
  data: fig5.filter((f) => f.model !== 'RPCA').flatMap((f) => [...ladderData(f.ladder, `${f.model}, nu ${f.nu}: NMSE`),
    ...f.ladder.map((q) => ({ steps: q.steps, value: q.meanAbsEstimate! / f.meanAbsClean, series: `${f.model}, nu ${f.nu}: mean|L-hat| / mean|L|` }))]),
  x: 'steps', y: 'value', series: 'series', logX: true, zero: true, xTitle: 'Adam steps (log)', yTitle: 'NMSE, or mean |L-hat| / mean |L|',
  rules: cfg.mnist.nus.map((nu) => ({ y: fig5.find((f) => f.nu === nu && f.model === 'RPCA')!.NMSE, label: `RPCA nu ${nu}` })),
  title: 'Ladder: Figure 5b recovery and the blank-image estimate vs training steps', subtitle: 'ratio near 0 = blank image; near 1 = digits kept',
}));
table('fig5b', fig5bTableRows(fig5, cfg.mnist.nus), { caption: 'Figure 5b in numbers (NMSE; mean |L-hat| near 0 = the blank-image estimate)' });
const fig5Rows = recoverySummary(fig5, cfg.mnist.nus);
// Diagnostic (not used by any verdict): the same tau = 1 VAE with a shallower log r^2 well (larger alpha).
const nuA = cfg.mnist.nus[0];
const alphaR = await alphaRuns(mnStore, cfg.mnist, fig5);
table('fig5b-alpha', alphaRows(alphaR), {
  caption: `Diagnostic: the tau = ${cfg.mnist.taus[0]} VAE at nu = ${nuA} with a larger Sigma_x floor alpha (the paper gives no value; ` +
    `${cfg.mnist.train.alphaRel} x var(X) is used everywhere else). RPCA: ${fmt(recoveryNmse(fig5, nuA, 'RPCA'))}`,
});
const v5 = verdictFig5b(fig5Rows);
addDaiClaim(claims, 'Fig. 5b: the VAE recovers corrupted MNIST with lower NMSE than convex RPCA', 'VAE below RPCA for 5%-50% corruption', v5);
markdown(fig5bRootCause(fig5, alphaR));
const taus = cfg.mnist.taus;
const tauV = verdictTau(tauRows(fig5, cfg.mnist));
addDaiClaim(claims, `App. A: more latent samples (tau = ${taus[taus.length - 1]}) recover better than tau = ${taus[0]}`, 'tau = 5 better than tau = 1', tauV);

// %% [markdown]
// ## 7. Claims

// %%
claims.show();
console.log(storeCounts([manStore, phaseStore, sigStore, pruneStore, mnStore]));
markdown(`Total notebook time: ${((Date.now() - t0) / 1000).toFixed(0)} s at scale **${nb.scale}** (cells already in the results store are read back, ` +
  `not recomputed). Live tensors: ${tensorsAtStart} after set-up, ${tf.memory().numTensors} now (every cell disposes what it makes).`);
