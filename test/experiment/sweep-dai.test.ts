/**
 * Notebook 04 (Dai et al.) as a sweep: its cell list (daiCells) plans distinct cells with stable indexes, lists the
 * AE cells at the tuned C2 only once the tune cells are stored (at the end, so the other indexes do not move), and
 * a sweep run of every smoke cell leaves the notebook's own driver calls nothing to compute.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planCells } from '../../src/experiment/sweep';
import { paramsKey } from '../../src/experiment/store';
import {
  daiCells, daiConfig, daiStore, phaseKey, phaseCell, tuneC2, pruningCell, mnistRecoveryCell, mnistSpectrumCell, mnistPruningCell, certifyCell, manifoldCell,
  phaseTrainFor, pruningLrConfig, mnistAlphaConfig, DAI_NOTEBOOK, type DaiStoreName,
} from '../../src/papers/dai2017';

const ROOT = path.resolve(__dirname, '..', '..');
const ORDER = ['manifolds', 'certify', 'c2-tune', 'phase', 'ladder', 'c2-readings', 'sigma-z', 'pruning', 'pruning-lr', 'mnist-recovery', 'mnist-pruning', 'mnist-spectrum', 'mnist-alpha'];

function withResultsDir<T>(fn: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rml-dai-sweep-'));
  const prev = process.env.RML_RESULTS_DIR;
  process.env.RML_RESULTS_DIR = dir;
  return Promise.resolve(fn(dir)).finally(() => {
    if (prev === undefined) delete process.env.RML_RESULTS_DIR; else process.env.RML_RESULTS_DIR = prev;
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

const isTunedAe = (c: { experiment: string; params: Record<string, unknown> }) => (c.experiment === 'phase' || c.experiment === 'ladder') && (c.params.model === 'ae-l2' || c.params.model === 'ae-l1');

test('daiCells: distinct cells with stable indexes in the notebook order at smoke and quick; the tuned-C2 AE cells come last, once the tuning is stored', () => withResultsDir(async () => {
  for (const scale of ['smoke', 'quick'] as const) {
    const plan = planCells(DAI_NOTEBOOK, daiCells(scale, 0), scale, 0); // throws on a cell listed twice
    assert.deepEqual(plan.map((c) => c.index), plan.map((_, i) => i));
    assert.deepEqual(planCells(DAI_NOTEBOOK, daiCells(scale, 0), scale, 0).map((c) => c.hash), plan.map((c) => c.hash), `${scale}: same code and store, same plan`);
    assert.deepEqual([...new Set(plan.map((c) => c.experiment))], ORDER, `${scale}: experiments in the notebook's order`);
    assert.equal(plan.filter(isTunedAe).length, 0, `${scale}: no AE cell at a tuned C2 before the tuning is stored`);
    assert.ok(plan.every((c) => c.file.startsWith(`${DAI_NOTEBOOK}/`) && typeof c.write === 'function'));
  }
  const cfg = daiConfig('smoke');
  const before = planCells(DAI_NOTEBOOK, daiCells('smoke', 0), 'smoke', 0);
  assert.equal(before.length, 39);
  // store made-up tune results (only the NMSE is read): AE-l2 best at C2 = 1000, AE-l1's only candidate C2 = 1
  const store = daiStore('phase', 'smoke');
  const P = cfg.phase, fake: Record<string, Record<number, number>> = { 'ae-l2': { 1: 0.5, 1000: 0.4 }, 'ae-l1': { 1: 0.3 } };
  for (const model of ['ae-l2', 'ae-l1'] as const) for (const c2 of P.c2Grid[model]) {
    await store.cell(phaseKey(P, P.tuneCell.kappa, P.tuneCell.nu, model, { c2, seed: 1000 }), () => ({ nmse: fake[model][c2] }));
  }
  const after = planCells(DAI_NOTEBOOK, daiCells('smoke', 0), 'smoke', 0);
  assert.equal(after.length, 46);
  assert.deepEqual(after.slice(0, before.length).map((c) => c.hash), before.map((c) => c.hash), 'the cells listed before keep their indexes');
  const added = after.slice(before.length);
  assert.ok(added.every(isTunedAe), 'only the tuned-C2 AE cells are added, at the end');
  assert.deepEqual([...new Set(added.map((c) => `${c.params.model}:${c.params.c2}`))].sort(), ['ae-l1:1', 'ae-l2:1000']);
  // grid (kappas x nus > 0 x 2 AEs) + ladder cell (2 AEs) + width ladder (AE-l2 per width)
  assert.equal(added.length, P.kappas.length * P.nus.filter((nu) => nu > 0).length * 2 + 2 + P.widthLadder.widths.length);
}));

function sweep(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'sweep.ts'), ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1', ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('sweep run of every 04 smoke cell (two rounds), then the notebook\'s driver calls compute nothing', { timeout: 300_000 }, () => withResultsDir(async (dir) => {
  const env = { RML_RESULTS_DIR: dir };
  let r = sweep(['run', '--notebook', '04', '--scale', 'smoke'], env);
  assert.equal(r.code, 0, r.err.slice(-2000));
  assert.match(r.out, /round 2: 7 more cell\(s\) now listed/);
  assert.match(r.out, /46 cell\(s\) ok, 0 failed/);
  r = sweep(['status', '--notebook', '04', '--scale', 'smoke'], env);
  assert.equal(r.code, 0, r.err.slice(-2000));
  assert.match(r.out, /: 46 cells/);
  const rows = r.out.split('\n').map((l) => /^\s+([a-z0-9-]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/.exec(l)).filter((m) => m !== null);
  assert.equal(rows.length, 13, r.out);
  assert.equal(rows.reduce((a, m) => a + Number(m![2]), 0), 46, 'every cell done');
  assert.ok(rows.every((m) => m![3] === '0' && m![4] === '0' && m![5] === '0'), 'none running, failed or missing');

  // The notebook's calls, as notebooks/src/04-hidden-talents-of-the-vae.ts makes them (one or more per section),
  // against the swept stores: every one is read back.
  const { initBackend } = await import('../../src/backend');
  await initBackend();
  const cfg = daiConfig('smoke'), P = cfg.phase, M = cfg.mnist, seed = 0;
  const stores = { man: daiStore('manifolds', 'smoke'), phase: daiStore('phase', 'smoke'), sig: daiStore('sigma-z', 'smoke'), prune: daiStore('pruning', 'smoke'), mn: daiStore('mnist', 'smoke') };
  await manifoldCell(stores.man, P, P.kappas[0], seed);
  await certifyCell(stores.man, P, P.certifyLadder.kappas[0], P.certifyLadder.epochs.at(-1)!, seed);
  const tuned = { 'ae-l2': (await tuneC2(stores.phase, P, 'ae-l2', seed)).best, 'ae-l1': (await tuneC2(stores.phase, P, 'ae-l1', seed)).best };
  for (const model of ['vae', 'ae-l2', 'ae-l1', 'rpca'] as const) await phaseCell(stores.phase, P, P.kappas.at(-1)!, P.nus.at(-1)!, model, { c2: tuned[model as 'ae-l2'], seed });
  const lc = P.ladderCell;
  for (const model of ['vae', 'ae-l1'] as const) await phaseCell(stores.phase, P, lc.kappa, lc.nu, model, { c2: tuned[model as 'ae-l1'], seed, train: phaseTrainFor(P, lc.steps, undefined, [P.widthLadder.steps, P.lrLadder.steps]) });
  await phaseCell(stores.phase, P, lc.kappa, lc.nu, 'ae-l2', { c2: tuned['ae-l2'], seed, train: phaseTrainFor(P, P.widthLadder.steps), modelHidden: P.widthLadder.widths[0] });
  await phaseCell(stores.phase, P, lc.kappa, lc.nu, 'vae', { seed, train: phaseTrainFor(P, P.lrLadder.steps, P.lrLadder.rates[0]) });
  await phaseCell(stores.phase, P, P.tuneCell.kappa, P.tuneCell.nu, 'ae-l2', { c2: 1, seed: seed + 1000, c2Reading: P.c2Readings.at(-1)! });
  await phaseCell(stores.sig, P, cfg.sigmaZ.kappa, cfg.sigmaZ.nus.at(-1)!, 'vae', { latentDim: cfg.sigmaZ.kappa, seed });
  await pruningCell(stores.prune, cfg.pruning, cfg.pruning.encoderDepths.at(-1)!, cfg.pruning.decoderDepths.at(-1)!, 0);
  await pruningCell(stores.prune, pruningLrConfig(cfg.pruning, cfg.pruning.lrLadder.rates[0]), cfg.pruning.lrLadder.ne, cfg.pruning.lrLadder.nd, 0);
  await mnistRecoveryCell(stores.mn, M, M.nus[0], 'rpca');
  await mnistPruningCell(stores.mn, M, M.kappas.at(-1)!, 'ae', 0);
  await mnistSpectrumCell(stores.mn, Math.min(M.n, 10000));
  await mnistRecoveryCell(stores.mn, M, M.nus.at(-1)!, `vae-tau${M.taus.at(-1)!}`);
  await mnistRecoveryCell(stores.mn, mnistAlphaConfig(M, M.alphaLadder[0]), M.nus[0], `vae-tau${M.taus[0]}`);
  for (const [name, s] of Object.entries(stores)) {
    assert.equal(s.computed, 0, `${name}: the notebook's calls found every cell in the store`);
    assert.ok(s.reused > 0, name);
  }
  // and every listed cell is one the stores hold (params = the keys the drivers stored)
  for (const c of daiCells('smoke', seed)) assert.ok(daiStore(c.file.split('/')[1].replace(/\.jsonl$/, '') as DaiStoreName, 'smoke').has(c.params), `${c.experiment} ${paramsKey(c.params)}`);
}));
