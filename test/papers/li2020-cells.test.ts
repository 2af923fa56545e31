/**
 * Notebook 02 (Li et al. 2020) as a sweep: li2020Cells lists every stored cell with the store keys the notebook has
 * always written (so existing results stores are reused), a phase-row spec stores exactly its `covers` and computes
 * them as the whole-grid sweep does, and the display / claim helpers the notebook calls give the expected rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'rml-li2020-cells-'));
process.env.RML_RESULTS_DIR = DIR; // before any store is opened (storeOf keeps one object per store file)
test.after(() => fs.rmSync(DIR, { recursive: true, force: true }));

import { planCells, runPlannedCell } from '../../src/experiment/sweep';
import { ResultsStore, paramsKey, type Params } from '../../src/experiment/store';
import { notebookCells, resolveNotebook } from '../../src/papers/registry';
import {
  li2020Cells, li2020Config, phaseTransition, phaseRows, phaseSummary, fig5Summary, fig5ClaimRows, table1ClaimRows, overParamRungs, overParamRungKey,
  LI2020_NOTEBOOK, LI2020_STORES, type RestorationParams, type RestorationResult, type PhaseRow,
} from '../../src/papers/li2020';
import { initBackend } from '../../src/backend';

const keys = (ps: Params[]) => ps.map(paramsKey).sort();

test('li2020Cells: smoke and quick plans list every stored cell of notebook 02 with its existing store key', async () => {
  assert.equal(resolveNotebook('02'), LI2020_NOTEBOOK);
  const smoke = planCells(LI2020_NOTEBOOK, await notebookCells('02', 'smoke', 0), 'smoke', 0); // throws on a cell listed twice
  // smoke: 2 ranks x 4 methods (Fig. 5 rows), 2 rungs x 2 ranks (ladder rows), 1 Table-1 cell; no CIFAR offline
  assert.deepEqual(smoke.map((c) => c.experiment), [...Array(8).fill('fig5'), ...Array(4).fill('fig5-overparam'), 'table1']);
  assert.deepEqual(planCells(LI2020_NOTEBOOK, li2020Cells('smoke', 0), 'smoke', 0).map((c) => c.hash), smoke.map((c) => c.hash), 'same code, same plan');
  // Figure 5: the covered keys are exactly the keys phaseTransition stores, version li2020-v1-phase
  const P = li2020Config('smoke', 0).phase;
  const fig5 = smoke.filter((c) => c.experiment === 'fig5');
  assert.ok(fig5.every((c) => c.file === '02-rethink-autoencoders/phase.jsonl' && c.version === 'li2020-v1-phase' && typeof c.write === 'function'));
  const want: Params[] = [];
  for (const method of ['convex-rpca', 'robust-ae', 'robust-factorization', 'robust-factorization-over']) {
    for (const rankFraction of P.rankFractions) for (const rho of P.rhos) want.push({ method, n: 30, rank: Math.max(1, Math.round(rankFraction * 30)), rankFraction, rho, trial: 0 });
  }
  assert.deepEqual(keys(fig5.flatMap((c) => c.covers!)), keys(want));
  // the ladder: one store per rung, named by the rung's settings, version li2020-v1-overparam
  const ladder = smoke.filter((c) => c.experiment === 'fig5-overparam');
  assert.deepEqual([...new Set(ladder.map((c) => c.file))], overParamRungs('smoke').map((r) => `02-rethink-autoencoders/overparam-ladder/${overParamRungKey(r)}.jsonl`));
  assert.ok(ladder.every((c) => c.version === 'li2020-v1-overparam' && c.covers!.length === P.rhos.length * P.trials));
  // Table 1: the notebook's RestorationParams, version li2020-v1-table1
  const t1 = smoke.filter((c) => c.experiment === 'table1');
  assert.deepEqual(t1.map((c) => ({ file: c.file, version: c.version, params: c.params })), [{
    file: '02-rethink-autoencoders/table1.jsonl', version: 'li2020-v1-table1',
    params: { dataset: 'mnist', noise: 'impulse', severity: 6, n: 200, epochs: 2, learningRate: 1e-3, codeLearningRate: 10, codeDim: 30, batchSize: 100, decayEvery: 100, seed: 0 },
  }]);
  assert.ok(smoke.every((c) => (c.gflop ?? 0) > 0));
  // quick: 6 ranks x 4 methods, 7 rungs x 6 ranks, 2 data sets x (3 impulse + 2 Gaussian severities)
  const quick = planCells(LI2020_NOTEBOOK, li2020Cells('quick', 0), 'quick', 0);
  const count = (e: string) => quick.filter((c) => c.experiment === e).length;
  assert.deepEqual([count('fig5'), count('fig5-overparam'), count('table1')], [24, 42, 10]);
  assert.equal(quick.filter((c) => c.experiment === 'fig5').reduce((n, c) => n + c.covers!.length, 0), 144);
  assert.deepEqual(quick.filter((c) => c.experiment === 'table1').map((c) => `${c.params.dataset} ${c.params.noise} ${c.params.severity}`), [
    'mnist impulse 2', 'mnist impulse 4', 'mnist impulse 6', 'mnist gaussian 2', 'mnist gaussian 6',
    'fashion-mnist impulse 2', 'fashion-mnist impulse 4', 'fashion-mnist impulse 6', 'fashion-mnist gaussian 2', 'fashion-mnist gaussian 6',
  ]);
});

test('a Figure-5 row spec stores exactly its covered cells, with the results of the whole-grid sweep; a second run computes nothing', async () => {
  await initBackend();
  const plan = planCells(LI2020_NOTEBOOK, li2020Cells('smoke', 0, { log: () => {} }), 'smoke', 0);
  const row = plan.find((c) => c.experiment === 'fig5' && c.params.method === 'robust-factorization' && c.params.rank === 3)!;
  const first = await runPlannedCell(row);
  assert.equal(first.state, 'computed');
  const store = new ResultsStore(LI2020_STORES.phase.file, { version: LI2020_STORES.phase.version, scale: 'smoke' });
  assert.equal(store.size, row.covers!.length, 'only the row was computed');
  for (const k of row.covers!) assert.ok(store.has(k), paramsKey(k));
  assert.equal((await runPlannedCell(row)).state, 'stored');
  // the same cells computed by the notebook's former call (phaseTransition over the whole grid) in another store
  const P = li2020Config('smoke', 0).phase;
  const other = new ResultsStore(path.join(DIR, 'whole-grid.jsonl'), { version: 'x' });
  const whole = await phaseTransition(other, { ...P, methods: ['robust-factorization'] });
  const mine = phaseRows(store, { ...P, methods: ['robust-factorization'] });
  for (const r of mine) {
    const w = whole.find((x) => x.rank === r.rank && x.rho === r.rho)!;
    assert.equal(r.relErr, w.relErr, `rank ${r.rank} rho ${r.rho}: same fit as the whole-grid sweep`);
  }
  assert.equal(mine.length, row.covers!.length);
});

test('fig5Summary and the claim rows the notebook shows', () => {
  const mk = (method: PhaseRow['method'], rankFraction: number, rho: number, relErr: number): PhaseRow =>
    ({ method, n: 10, rank: 1, rankFraction, rho, trial: 0, relErr, success: relErr < 1e-3, seconds: 0, p: 1 });
  const rows: PhaseRow[] = [];
  for (const [f, rho] of [[0.1, 0.1], [0.1, 0.3], [0.3, 0.1], [0.3, 0.3]]) {
    rows.push(mk('convex-rpca', f, rho, rho < 0.2 ? 1e-5 : 0.5), mk('robust-ae', f, rho, 0.9), mk('robust-factorization', f, rho, f < 0.2 ? 1e-4 : 5e-3),
      mk('robust-factorization-over', f, rho, 5e-3));
  }
  const s = fig5Summary(phaseSummary(rows));
  assert.equal(s.cells, 4);
  assert.deepEqual(s.successes, { 'convex-rpca': 2, 'robust-ae': 0, 'robust-factorization': 2, 'robust-factorization-over': 0 });
  assert.deepEqual(s.below1e2, { 'convex-rpca': 2, 'robust-ae': 0, 'robust-factorization': 4, 'robust-factorization-over': 4 });
  assert.equal(s.panels.length, 16);
  assert.deepEqual(s.logDomain, [-5, 0]);
  const [ae, rf] = fig5ClaimRows(s, li2020Config('quick', 0).phase, 'quick');
  assert.equal(ae.holds, true);
  assert.equal(rf.holds, true);
  assert.equal(rf.ours, '2.0 vs 2.0 of 4 cells');
  assert.match(rf.note!, /n = 100 \(paper 400\)/);
  // Table 1: restoration at the worst impulse severity, graceful degradation per noise with >= 2 severities
  const R = { ...li2020Config('quick', 0).restoration, datasets: ['mnist' as const], noises: ['impulse' as const] };
  const cell = (severity: 2 | 6, corrupted: number, rdae: number, rnlf: number) => ({
    dataset: 'mnist', noise: 'impulse', severity, accClean: 0.99, accCorrupted: corrupted, accRDAE: rdae, accRNLF: rnlf,
  }) as unknown as RestorationParams & RestorationResult;
  const claims = table1ClaimRows([cell(2, 0.9, 0.95, 0.94), cell(6, 0.2, 0.9, 0.85)], R, 'quick');
  assert.equal(claims.length, 2);
  assert.equal(claims[0].paper, 'corrupted 14.68%, RDAE 95.88%, RNLF 93.61%');
  assert.equal(claims[0].ours, 'corrupted 20.00%, RDAE 90.00%, RNLF 85.00%');
  assert.equal(claims[0].holds, true);
  assert.equal(claims[1].paper, 'drop severity 2 -> 6: corrupted 57.6, RDAE 2.5, RNLF 4.8 points');
  assert.equal(claims[1].holds, true);
  assert.equal(table1ClaimRows([cell(6, 0.2, 0.9, 0.85)], R, 'paper').length, 1, 'one severity: no degradation claim');
  assert.equal(table1ClaimRows([cell(6, 0.2, 0.9, 0.85)], R, 'paper')[0].note, '');
});
