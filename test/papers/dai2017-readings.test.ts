/** Notebook 04's readings in the driver: table pivots and root-cause texts on fixed numbers, store reads at daiCells' keys. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DAI_SCALES, daiCells, certificateBest, certificateRootCause, fig3HistogramRows, fig3FractionRows, fig3Inputs, fig4Rows, fig4LadderPoints,
  fig4RootCause, table1Rows, meanCount, table1LadderNote, table1RootCause, fig2bRootCause, fig5bTableRows, alphaRows, tauRows, recoveryNmse,
  fig5bRootCause, c2FootnoteRootCause, ladderSeries, storeCounts, pruningRuns, pruningLrRuns, fig2bRuns, sigmaZRuns, alphaRuns,
  type PhaseGridEntry, type PhaseCellResult, type DaiLadderPoint, type PruningRun, type RecoveryRow, type SigmaZRun, type CertifyLadderRow,
  type ManifoldCellResult, type LadderCellRuns, manifoldTableRows, fig1GridRows, fig1GridMeanPoints, fig1LadderPanelRows, ladderCellTableRows,
  c2ReadingTableRows, PHASE_LABELS,
} from '../../src/papers/dai2017';
import { verdictFig3Bimodal, verdictFig3Growth } from '../../src/papers/dai2017-claims';
import { paramsKey, type ResultsStore } from '../../src/experiment/store';

const rung = (steps: number, p: Partial<DaiLadderPoint> = {}): DaiLadderPoint => ({ steps, nmse: 0.5, nonzeroColumns: 30, ...p });
const phaseResult = (p: Partial<PhaseCellResult>): PhaseCellResult => p as PhaseCellResult;
const sigma = (fracNearZero: number, fracNearOne: number, usedDims: number, counts = [3, 0, 2]) =>
  ({ meanPerDim: [0.01, 0.9], edges: [0, 0.4, 0.8, 1.2], counts, max: 1, fracNearZero, fracNearOne, usedDims });

test('certificate: best held-out error over grid and ladder per kappa; the root cause names budget or size from the ladder trend', () => {
  const P = DAI_SCALES.quick.phase;
  const man = P.kappas.map((kappa) => ({ kappa, certTestRelError: 0.2 }) as ManifoldCellResult);
  const top = Math.max(...P.certifyLadder.kappas);
  const ladder = (errs: number[]): CertifyLadderRow[] =>
      errs.map((e, i) => ({ kappa: top, epochs: 10 * 2 ** i, testRelError: e, trainRelError: e / 2, seconds: 1 }));
  const best = certificateBest(man, ladder([0.3, 0.05]), P.kappas);
  assert.equal(best.find((b) => b.kappa === top)!.testRelError, 0.05);
  assert.ok(best.filter((b) => b.kappa !== top).every((b) => b.testRelError === 0.2));
  const falling = certificateRootCause(ladder([0.3, 0.05]), P)!;
  assert.match(falling, new RegExp(`kappa = ${top}: 3.0e-1 at 10 epochs, 5.0e-2 at 20 epochs \\(train error at the last rung 2.5e-2\\)`));
  assert.match(falling, /\*\*Budget\*\*: still falling/);
  assert.match(certificateRootCause(ladder([0.1, 0.099]), P)!, /stopped falling.*\*\*sample size \/ width\*\*/);
  assert.equal(certificateRootCause([], P), null);
});

test('Figure 3 pivots: histogram bars without empty bins, fractions per VAE panel, the verdict inputs per kappa at nu = 0', () => {
  const grid: PhaseGridEntry[] = [
    { kappa: 2, nu: 0, model: 'vae', r: phaseResult({ sigmaZ: sigma(0.1, 0.85, 5), nonzeroColumns: 7,
          ladder: [rung(1500, { usedDims: 3 }), rung(3000, { usedDims: 5 })] }) },
    { kappa: 2, nu: 0, model: 'ae-l2', r: phaseResult({ nmse: 0.1, ladder: [] }) },
    { kappa: 8, nu: 0.5, model: 'vae', r: phaseResult({ sigmaZ: sigma(0.3, 0.3, 1), nonzeroColumns: 9, ladder: [rung(1500)] }) },
  ];
  const h = fig3HistogramRows(grid);
  assert.equal(h.length, 4); // two panels, the empty middle bin dropped
  assert.deepEqual(h[1], { nu: 'nu = 0', kappa: 'kappa = 2', lo: 0.8, hi: 1.2, count: 2 });
  const f = fig3FractionRows(grid, 50);
  assert.equal(f.length, 2);
  assert.deepEqual([f[0]['in between'], f[0]['expected near 0 (kappa / dim z)'], f[0]['used dims at 3000'], f[1]['used dims at 1500']],
      ['0.050', '0.040', 5, '-']);
  const inputs = fig3Inputs(grid, [2, 8]);
  assert.deepEqual(inputs.growth, [{ kappa: 2, fracNearZero: 0.1 }, { kappa: 8, fracNearZero: NaN }]); // kappa 8 has no nu = 0 panel
  assert.equal(verdictFig3Bimodal(inputs.bimodal).holds, 'partly'); // 0.95 bimodal, 0.6 not
  assert.equal(verdictFig3Growth(inputs.growth, 50).holds, 'n/a');
});

test('Figure 4: counts of dimensions near 1 at the end and per rung, and the root cause lists them', () => {
  const runs: SigmaZRun[] = [
    { nu: 0, r: phaseResult({ nmse: 0.01, sigmaZ: { ...sigma(1, 0, 10), meanPerDim: [0.01, 0.02, 0.6] },
          ladder: [rung(1500, { meanPerDim: [1, 1, 1] }), rung(3000, { meanPerDim: [0.01, 1, 1] })] }) },
    { nu: 0.5, r: phaseResult({ nmse: 0.4, sigmaZ: { ...sigma(1, 0, 10), meanPerDim: [0.9, 0.7, 0.01] },
          ladder: [rung(1500, { meanPerDim: [1, 1, 0.2] }), rung(3000, { meanPerDim: [0.9, 0.7, 0.01] })] }) },
  ];
  const rows = fig4Rows(runs);
  assert.deepEqual([rows[0]['dims with mean var > 0.5'], rows[0]['dims with mean var < 0.05'],
      rows[0]['largest mean var'], rows[0]['> 0.5 at 1500'], rows[0]['> 0.5 at 3000']], [1, 2, '0.600', 3, 2]);
  assert.deepEqual(fig4LadderPoints(runs).map((p) => p.value), [3, 2, 2, 2]);
  assert.match(fig4RootCause(runs), /nu 0: 3 > 2; nu 0.5: 2 > 2 \(rungs 1500, 3000\)/);
});

test('Table 1: the pivot puts ours (mean over trials) beside the paper; the ladder note and root cause read trial 0', () => {
  const R = { ...DAI_SCALES.quick.pruning, encoderDepths: [0, 3], decoderDepths: [0, 1] };
  const run = (ne: number, nd: number, counts: number[], ladder: number[]): PruningRun =>
    ({ ne, nd, counts, norms: [], nmse: [], ladder: [ladder.map((c, i) => rung(1500 * 2 ** i, { nonzeroColumns: c }))] });
  const runs = [run(0, 0, [30, 30], [30, 30]), run(0, 1, [21, 22], [30, 21]), run(3, 0, [29], [30, 29]), run(3, 1, [20], [25, 20])];
  assert.equal(meanCount(runs[1]), 21.5);
  assert.deepEqual(table1Rows(runs, R), [
    { Ne: 0, 'Nd=0 ours': '30.0', 'Nd=0 paper': '30.0', 'Nd=1 ours': '21.5', 'Nd=1 paper': '21.1' },
    { Ne: 3, 'Nd=0 ours': '29.0', 'Nd=0 paper': '30.0', 'Nd=1 ours': '20.0', 'Nd=1 paper': '20.4' },
  ]);
  assert.equal(table1LadderNote(runs), 'ladder: Ne 0/Nd 1: 30>21; Ne 3/Nd 1: 25>20 at 1500, 3000 steps');
  const lr = [{ lr: 1e-3, r: { nonzeroColumns: 20, sortedNorms: [], nmse: 0.1, seconds: 1,
        ladder: [rung(1500, { nonzeroColumns: 24 }), rung(3000, { nonzeroColumns: 20 })] } }];
  const cause = table1RootCause(runs, lr, R);
  assert.match(cause, /Ne 0\/Nd 0: 30 > 30; Ne 0\/Nd 1: 30 > 21; Ne 3\/Nd 0: 30 > 29; Ne 3\/Nd 1: 25 > 20\. /);
  assert.match(cause, new RegExp(`At lr 0.001: 24 > 20 \\(Ne ${R.lrLadder.ne}/Nd ${R.lrLadder.nd}, rungs 1500, 3000\\)\\. `));
});

test('Figure 5b: table per nu, tau rows, alpha rows and the root cause (budget vs not budget from the blank-image ratio)', () => {
  const row = (nu: number, model: string, NMSE: number, ratios: number[]): RecoveryRow =>
    ({ nu, model, NMSE, input: nu, meanAbs: ratios.at(-1)! * 0.2, meanAbsClean: 0.2,
        ladder: ratios.map((q, i) => rung(1500 * 2 ** i, { meanAbsEstimate: q * 0.2 })) });
  const rows = [row(0.1, 'VAE tau = 1', 0.99, [0.01, 0.01]), row(0.1, 'VAE tau = 5', 0.9, [0.01, 0.02]), row(0.1, 'RPCA', 0.2, [1])];
  const t = fig5bTableRows(rows, [0.1]);
  assert.deepEqual(t, [{ nu: 0.1, 'NMSE of X': '0.100', 'VAE tau = 1': '0.990', 'VAE tau = 1: mean |L-hat|': '0.002', 'VAE tau = 5': '0.900',
    'VAE tau = 5: mean |L-hat|': '0.004', RPCA: '0.200', 'RPCA: mean |L-hat|': '0.200', 'mean |L|': '0.200' }]);
  const M = { ...DAI_SCALES.quick.mnist, nus: [0.1], taus: [1, 5] };
  assert.deepEqual(tauRows(rows, M), [{ nu: 0.1, tauLow: 0.99, tauHigh: 0.9 }]);
  assert.equal(recoveryNmse(rows, 0.1, 'RPCA'), 0.2);
  assert.throws(() => recoveryNmse(rows, 0.5, 'RPCA'), /no RPCA row at nu = 0.5/);
  const alpha = [{ alphaRel: 0.005, r: rows[0] }, { alphaRel: 0.5, r: row(0.1, 'VAE tau = 1', 0.7, [0.2, 0.5]) }];
  assert.deepEqual(alphaRows(alpha)[1], { 'alpha / var(X)': 0.5, NMSE: '0.700', 'mean |L-hat| / mean |L|': '0.500',
      'ratio at 1500': '0.200', 'ratio at 3000': '0.500' });
  const stays = fig5bRootCause(rows, alpha);
  assert.match(stays, /VAE tau = 1 nu 0.1: 0.010 > 0.010; VAE tau = 5 nu 0.1: 0.010 > 0.020\. A ratio near 0 .*\*\*not budget\*\*/);
  assert.match(stays, /alpha 0.005 x var\(X\): NMSE 0.990, ratio 0.010; alpha 0.5 x var\(X\): NMSE 0.700, ratio 0.500\./);
  const leaves = fig5bRootCause([row(0.1, 'VAE tau = 1', 0.6, [0.01, 0.4]), rows[2]], alpha);
  assert.match(leaves, /leaving the blank image with more steps: there it is \*\*budget\*\*/);
});

test('Figure 2b and footnote 12 root causes; ladderSeries; storeCounts', () => {
  const lad = [rung(1500, { nmse: 0.98, meanAbsEstimate: 0.01 }), rung(3000, { nmse: 0.5, meanAbsEstimate: 0.1 })];
  assert.match(fig2bRootCause([{ kappa: 5, model: 'vae', nonzero: 5, ladder: lad }], 0.2),
      /at the rungs 1500, 3000: VAE kappa 5: 0.98 \/ 0.05 > 0.50 \/ 0.50\. /);
  const c = (n: number[]) => phaseResult({ ladder: n.map((v, i) => rung(1500 * 2 ** i, { nmse: v })) });
  assert.match(c2FootnoteRootCause([{ reading: 'sum', one: c([0.3, 0.1]), k: c([0.6, 0.6]) }, { reading: 'mean-z', one: c([0.2, 0.2]), k: c([0.5, 0.4]) }]),
    /sum: C2 = 1 0.300 > 0.100; C2 = 10\^3 0.600 > 0.600\. mean-z: C2 = 1 0.200 > 0.200; C2 = 10\^3 0.500 > 0.400 \(rungs 1500, 3000 steps\)/);
  assert.deepEqual(ladderSeries(lad, 'x', 'meanAbsEstimate'), [{ steps: 1500, value: 0.01, series: 'x' }, { steps: 3000, value: 0.1, series: 'x' }]);
  const st = (file: string, computed: number, reused: number) => ({ file, computed, reused }) as unknown as ResultsStore;
  assert.equal(storeCounts([st('/a/phase.jsonl', 1, 2), st('/a/mnist.jsonl', 0, 3)]),
    'stored cells: 1 computed, 5 reused (phase.jsonl: 1 computed / 2 reused, mnist.jsonl: 0 computed / 3 reused)');
});

test('the section readers (pruningRuns, pruningLrRuns, sigmaZRuns, fig2bRuns, alphaRuns) ask only for keys daiCells lists', async () => {
  for (const scale of ['smoke', 'quick'] as const) {
    const cfg = DAI_SCALES[scale];
    const listed = new Set(daiCells(scale, 0).map((c) => paramsKey(c.params as never)));
    const asked: string[] = [];
    const fake = { cell: async (params: Record<string, unknown>) => {
      asked.push(paramsKey(params as never));
      return { nmse: 0.5, nmseInput: 1, ladder: [], meanAbsEstimate: 0.1, meanAbsClean: 1, nonzeroColumns: 3, sortedNorms: [], sigmaZ: sigma(0, 0, 0) };
    } } as unknown as ResultsStore;
    const prune = await pruningRuns(fake, cfg.pruning);
    assert.equal(prune.length, cfg.pruning.encoderDepths.length * cfg.pruning.decoderDepths.length);
    assert.ok(prune.every((p) => p.counts.length === cfg.pruning.trials));
    await pruningLrRuns(fake, cfg.pruning);
    assert.equal((await sigmaZRuns(fake, cfg, 0)).length, cfg.sigmaZ.nus.length);
    assert.equal((await fig2bRuns(fake, cfg.mnist)).length, cfg.mnist.kappas.length * 2 * cfg.mnist.trials);
    const first: RecoveryRow = { nu: cfg.mnist.nus[0], model: `VAE tau = ${cfg.mnist.taus[0]}`, NMSE: 1, input: 1, meanAbs: 0, meanAbsClean: 1, ladder: [] };
    const alpha = await alphaRuns(fake, cfg.mnist, [first]);
    assert.equal(alpha[0].r, first);
    assert.equal(alpha.length, 1 + cfg.mnist.alphaLadder.length);
    assert.ok(asked.length > 0);
    for (const k of asked) assert.ok(listed.has(k), `${scale}: ${k} is not a key daiCells lists`);
  }
});

test('Sections 1-2 pivots: manifold table, Figure 1 grid rows ("-" where a model did not run), grid means, ladder panels and tables', () => {
  assert.deepEqual(manifoldTableRows([{ kappa: 2, std: 0.5, rank90: 3, rank99: 8, energyAtKappa: 0.9,
      certTestRelError: 1.234e-5, certTrainRelError: 2e-6 } as ManifoldCellResult]),
    [{ kappa: 2, 'std of L entries': '0.500', 'rank for 90% energy': 3, 'rank for 99% energy': 8, 'energy in top kappa': '0.900',
      'inverse: held-out rel. error': '1.23e-5', 'inverse: train rel. error': '2.00e-6' }]);
  const P = { ...DAI_SCALES.quick.phase, kappas: [2], nus: [0, 0.25] };
  const r = (nmse: number, extra: Partial<PhaseCellResult> = {}) => phaseResult({ nmse, nmseInput: 0.4, ladder: [rung(1500, { nmse: nmse + 0.5 })], ...extra });
  const grid: PhaseGridEntry[] = [
    { kappa: 2, nu: 0, model: 'vae', r: r(0.01, { sigmaZ: sigma(0.1, 0.9, 4) }) }, { kappa: 2, nu: 0, model: 'rpca', r: r(0.001) },
    { kappa: 2, nu: 0.25, model: 'vae', r: r(0.1) }, { kappa: 2, nu: 0.25, model: 'ae-l2', r: r(0.3) }, { kappa: 2, nu: 0.25, model: 'ae-l1', r: r(0.2) },
    { kappa: 2, nu: 0.25, model: 'rpca', r: r(0.4) },
  ];
  const rows = fig1GridRows(grid, P);
  assert.deepEqual(rows[0], { kappa: 2, nu: 0, 'NMSE of X': '0.400', VAE: '0.010', 'AE-l2': '-', 'AE-l1': '-', RPCA: '0.001', 'VAE at 1.5k steps': '0.510',
    'VAE used dims (Sigma_z < 0.05)': 4, 'paper (Fig. 1)': 'VAE ~0; RPCA ~0 (full rank)' });
  assert.deepEqual([rows[1]['AE-l2'], rows[1]['VAE used dims (Sigma_z < 0.05)'], rows[1]['paper (Fig. 1)']], ['0.300', '-', 'VAE ~0 (white); AEs, RPCA dark']);
  const cells = [{ kappa: 2, nu: 0.25, vae: 0.1, aeL2: 0.3, aeL1: 0.2, rpca: 0.4 }, { kappa: 8, nu: 0.25, vae: 0.3, aeL2: 0.5, aeL1: 2, rpca: 0.6 }];
  const means = fig1GridMeanPoints([{ steps: 1500, cells }], { 'ae-l2': 1000, 'ae-l1': 100 });
  assert.deepEqual(means.map((m) => [m.series, Number(m.value.toFixed(6))]),
      [['VAE', 0.2], ['AE-l2 (C2 = 1000)', 0.4], ['AE-l1 (C2 = 100)', 1.1], ['RPCA (converged)', 0.5]]);
  const panels = fig1LadderPanelRows([{ steps: 1500, cells }]);
  assert.equal(panels.length, 6); // three networks per cell, RPCA left out
  assert.deepEqual(panels[4], { model: PHASE_LABELS['ae-l2'], steps: 1500, nu: 0.25, kappa: 8, NMSE: 0.5 });
  assert.equal(panels[5].NMSE, 1); // capped for the colour scale
  const lad = (v: number) => phaseResult({ nmse: v, ladder: [rung(1500, { nmse: v + 0.1 }), rung(3000, { nmse: v })], sigmaZ: sigma(0, 0, 6) });
  const runs: LadderCellRuns = { long: [{ model: 'vae', r: lad(0.1) }, { model: 'ae-l2', r: lad(0.2) }], rpca: lad(0.3),
    width: [{ w: [100, 200], model: 'vae', r: lad(0.4) }], lr: [{ lr: 1e-3, r: lad(0.5) }] };
  assert.deepEqual(ladderCellTableRows(runs, { 'ae-l2': 1000 }), [
    { run: 'vae (C2 = 1), steps', 1500: '0.200', 3000: '0.100' }, { run: 'ae-l2 (C2 = 1000), steps', 1500: '0.300', 3000: '0.200' },
    { run: 'vae width 100/200', 1500: '0.500', 3000: '0.400' }, { run: 'vae lr 0.001 (used dims at end: 6)', 1500: '0.600', 3000: '0.500' },
  ]);
  assert.deepEqual(c2ReadingTableRows([{ reading: 'sum', nmseC2One: 0.1, nmseC2Tuned: 0.6, one: lad(0.1), k: phaseResult({ ladder: [] }) }]), [
    { reading: 'sum', 'NMSE C2 = 1': '0.100', 'NMSE C2 = 10^3': '0.600',
        'C2 = 1 at 1.5k steps': '0.200', 'C2 = 10^3 at 1.5k steps': 'n/a', paper: 'C2 = 1 much worse' },
  ]);
});
