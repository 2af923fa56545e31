/** The driver's shape (scales, stores, cells) and the read-back helpers that moved out of notebook 04. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DAI_SCALES, DAI_STORES, DAI_CODE_VERSION, daiConfig, daiStore, daiCells, recoverySummary, recoveryModelName, type RecoveryRow,
  fig1CellsOf, fig1GridLadder, daiConfigRows, verdictFig1Dominance, upToSteps, type PhaseGridEntry,
} from '../../src/papers/dai2017';
import { paramsKey } from '../../src/experiment/store';

test('daiConfig(scale) is DAI_SCALES[scale]; daiStore opens the listed store at the code version', () => {
  for (const s of ['smoke', 'quick', 'long', 'paper'] as const) assert.equal(daiConfig(s), DAI_SCALES[s]);
  for (const name of Object.keys(DAI_STORES) as (keyof typeof DAI_STORES)[]) {
    const st = daiStore(name, 'smoke');
    assert.ok(st.file.endsWith(`/smoke/04-hidden-talents-of-the-vae/${name}.jsonl`), st.file);
    assert.equal(st.version, DAI_CODE_VERSION);
    assert.equal(DAI_STORES[name].version, DAI_CODE_VERSION);
  }
});

test('daiCells: the progress option changes no key, and every cell is in a listed store', () => {
  const keys = (cells: { file: string; params: Record<string, unknown> }[]) => cells.map((c) => `${c.file} ${paramsKey(c.params as never)}`);
  const plain = daiCells('smoke', 0);
  assert.deepEqual(keys(daiCells('smoke', 0, { progress: true })), keys(plain));
  assert.ok(plain.every((c) => Object.values(DAI_STORES).some((s) => s.file === c.file && s.version === c.version)));
});

test('recoverySummary: per nu the best VAE over tau against RPCA; a missing RPCA row is an error', () => {
  const r = (nu: number, model: string, NMSE: number, meanAbs = 0.1): RecoveryRow => ({ nu, model, NMSE, input: 1, meanAbs, meanAbsClean: 0.13, ladder: [] });
  const rows = [r(0.1, 'VAE tau = 1', 0.9, 0.01), r(0.1, 'VAE tau = 5', 0.5, 0.08), r(0.1, 'RPCA', 0.3), r(0.5, 'VAE tau = 1', 0.95), r(0.5, 'RPCA', 0.6)];
  assert.deepEqual(recoverySummary(rows, [0.1, 0.5]), [
    { nu: 0.1, vae: 0.5, rpca: 0.3, vaeMeanAbs: 0.08, meanAbsClean: 0.13 },
    { nu: 0.5, vae: 0.95, rpca: 0.6, vaeMeanAbs: 0.1, meanAbsClean: 0.13 },
  ]);
  assert.throws(() => recoverySummary(rows.filter((x) => x.model !== 'RPCA'), [0.1]), /needs a VAE and an RPCA row/);
  assert.equal(recoveryModelName('rpca'), 'RPCA');
  assert.equal(recoveryModelName('vae-tau5'), 'VAE tau = 5');
});

test('fig1CellsOf / fig1GridLadder: the four models side by side, and the rule at every ladder rung', () => {
  const cell = (nmse: number, ladder: number[] = []) => ({ nmse, nmseInput: 1, nonzeroColumns: NaN, finalLoss: NaN, seconds: 0,
    ladder: ladder.map((v, i) => ({ steps: 1500 * 2 ** i, nmse: v, nonzeroColumns: NaN })) });
  const grid: PhaseGridEntry[] = [];
  for (const kappa of [2, 8]) {
    grid.push({ kappa, nu: 0, model: 'vae', r: cell(0.01, [0.5, 0.01]) }, { kappa, nu: 0, model: 'rpca', r: cell(0) });
    grid.push({ kappa, nu: 0.5, model: 'vae', r: cell(0.02, [0.9, 0.02]) }, { kappa, nu: 0.5, model: 'ae-l2', r: cell(0.6, [0.3, 0.6]) });
    grid.push({ kappa, nu: 0.5, model: 'ae-l1', r: cell(0.7, [0.4, 0.7]) }, { kappa, nu: 0.5, model: 'rpca', r: cell(0.8) });
  }
  const cells = fig1CellsOf(grid);
  assert.deepEqual(cells.map((c) => [c.kappa, c.nu, c.vae, c.aeL2, c.aeL1, c.rpca]), [[2, 0.5, 0.02, 0.6, 0.7, 0.8], [8, 0.5, 0.02, 0.6, 0.7, 0.8]]);
  const ladder = fig1GridLadder(grid);
  assert.deepEqual(ladder.map((g) => g.steps), [1500, 3000]);
  assert.deepEqual(ladder[0].cells[0], { kappa: 2, nu: 0.5, vae: 0.9, aeL2: 0.3, aeL1: 0.4, rpca: 0.8 }); // the VAE behind at the first rung
  assert.notEqual(ladder[0].v.holds, true);
  assert.equal(ladder[1].v.holds, verdictFig1Dominance(cells).holds); // the last rung is the end of training
  assert.throws(() => fig1CellsOf(grid.filter((p) => p.model !== 'rpca')), /no rpca cell at kappa 2, nu 0.5/);
  assert.equal(daiConfigRows(DAI_SCALES.quick).length, 5);
});

test('upToSteps: a run read at s steps (ladder cut at s, NMSE and used dimensions of that rung)', () => {
  const r = {
    nmse: 0.1, nmseInput: 1, nonzeroColumns: NaN, finalLoss: NaN, seconds: 0,
    ladder: [1500, 3000, 6000].map((steps, i) => ({ steps, nmse: 0.5 / (i + 1), nonzeroColumns: NaN, usedDims: 10 + i })),
    sigmaZ: { counts: [], edges: [], max: 1, meanPerDim: [], fracNearZero: 0.2, fracNearOne: 0.7, usedDims: 12 },
  };
  const u = upToSteps(r, 3000);
  assert.deepEqual(u.ladder.map((p) => p.steps), [1500, 3000]);
  assert.equal(u.nmse, 0.25);
  assert.equal(u.sigmaZ!.usedDims, 11);
  assert.equal(r.ladder.length, 3); // the run itself is not changed
  assert.throws(() => upToSteps(r, 1000), /no ladder rung at or below 1000 steps/);
});
