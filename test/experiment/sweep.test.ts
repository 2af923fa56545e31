import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planCells, cellHash, runPlannedCell, cellStates, mergeStores, computeCell, type CellSpec } from '../../src/experiment/sweep';
import { ResultsStore } from '../../src/experiment/store';
import { compressRanges, sbatchScript, indexedJobManifest } from '../../scripts/sweep';

const ROOT = path.resolve(__dirname, '..', '..');
const TOY = path.join(ROOT, 'test', 'fixtures', 'toy-sweep.ts');

const spec = (i: number, version = 'v1'): CellSpec => ({ experiment: 'e', file: 'nb/e.jsonl', version, params: { i }, compute: async () => i });

test('planCells: stable indices, content hashes that change with version, scale and seed; a cell listed twice is an error', () => {
  const p = planCells('nb', [spec(0), spec(1), spec(2)], 'smoke', 0);
  assert.deepEqual(p.map((c) => c.index), [0, 1, 2]);
  assert.equal(p[1].hash, cellHash('nb', spec(1), 'smoke', 0));
  assert.equal(planCells('nb', [spec(0), spec(1), spec(2)], 'smoke', 0)[2].hash, p[2].hash, 'same code, same hash');
  assert.notEqual(cellHash('nb', spec(1, 'v2'), 'smoke', 0), p[1].hash);
  assert.notEqual(cellHash('nb', spec(1), 'quick', 0), p[1].hash);
  assert.notEqual(cellHash('nb', spec(1), 'smoke', 1), p[1].hash);
  assert.throws(() => planCells('nb', [spec(0), spec(1), spec(0)], 'smoke', 0), /cells 0 and 2 are the same cell/);
});

test('Slurm job-array script and Kubernetes Indexed Job from a plan', () => {
  assert.equal(compressRanges([0, 1, 2, 5, 7, 8]), '0-2,5,7-8');
  assert.equal(compressRanges([4]), '4');
  const base = { notebook: '01-x', scale: 'smoke' as const, seed: 3, manifest: '/r/results/smoke/sweeps/01-x.json', indices: [0, 1, 2, 6], root: '/r', node: '/opt/node/bin/node', logDir: '/r/results/smoke/sweeps/logs' };
  const cpu = sbatchScript({ ...base, maxParallel: 2, cpus: 2, time: '01:00:00', mem: '4G', partition: 'short' });
  assert.match(cpu, /^#SBATCH --array=0-2,6%2$/m);
  assert.match(cpu, /^#SBATCH --output=\/r\/results\/smoke\/sweeps\/logs\/%x-%A_%a\.out$/m, 'a log per task');
  assert.match(cpu, /^#SBATCH --cpus-per-task=2$/m);
  assert.match(cpu, /^#SBATCH --partition=short$/m);
  assert.match(cpu, /^#SBATCH --time=01:00:00$/m);
  assert.match(cpu, /^#SBATCH --mem=4G$/m);
  assert.doesNotMatch(cpu, /gpus/);
  assert.match(cpu, /CUDA_VISIBLE_DEVICES=""/);
  assert.match(cpu, /RML_SCALE=smoke RML_SEED=3/);
  assert.match(cpu, /TF_NUM_INTRAOP_THREADS="\$\{SLURM_CPUS_PER_TASK:-2\}"/);
  assert.match(cpu, /NODE="\/opt\/node\/bin\/node"/);
  assert.match(cpu, /scripts\/sweep\.ts run --manifest "\/r\/results\/smoke\/sweeps\/01-x\.json" --index "\$SLURM_ARRAY_TASK_ID"/);
  const gpu = sbatchScript({ ...base, gpus: 1 });
  assert.match(gpu, /^#SBATCH --gpus-per-task=1$/m);
  assert.doesNotMatch(gpu, /CUDA_VISIBLE_DEVICES/);
  assert.match(gpu, /^#SBATCH --array=0-2,6$/m);
  const k8s = indexedJobManifest({ notebook: '01-x', scale: 'smoke', seed: 0, n: 10, manifestRel: 'results/smoke/sweeps/01-x.json', image: 'node:20', pvc: 'w', workdir: '/w', cpus: 2, mem: '4Gi', gpus: 1, maxParallel: 3 });
  for (const re of [/completionMode: Indexed/, /completions: 10/, /parallelism: 3/, /--index \$JOB_COMPLETION_INDEX/, /nvidia\.com\/gpu: 1/, /claimName: w/]) assert.match(k8s, re);
});

function sweep(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'sweep.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RML_SWEEP_EXTRA: TOY, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('sweep CLI on a toy notebook: plan, run --index / --shard / --jobs, a failing cell, status, merge, a stale manifest', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rml-sweep-'));
  const env = { RML_RESULTS_DIR: dir };
  try {
    const plan = sweep(['plan', '--notebook', '99-toy', '--scale', 'smoke', '--seed', '5'], env);
    assert.equal(plan.code, 0, plan.err);
    assert.match(plan.out, /6 cells/);
    const mfile = path.join(dir, 'smoke', 'sweeps', '99-toy-sweep.json');
    const m = JSON.parse(fs.readFileSync(mfile, 'utf8'));
    assert.equal(m.cells.length, 6);
    assert.deepEqual(m.cells.map((c: { index: number }) => c.index), [0, 1, 2, 3, 4, 5]);

    let r = sweep(['run', '--manifest', mfile, '--index', '0-1'], env);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /cell 0 first \{"i":0\}: computed/);
    r = sweep(['run', '--manifest', mfile, '--shard', '1/2'], env); // 1, 3, 5: cell 1 is skipped
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /cell 1 first \{"i":1\}: stored/);
    assert.match(r.out, /cell 5 second \{"i":5\}: computed/);

    r = sweep(['run', '--manifest', mfile, '--index', '2'], { ...env, TOY_FAIL: '2' });
    assert.equal(r.code, 1, 'a failing cell makes the command fail');
    assert.match(r.err, /toy cell 2 fails on purpose/);
    r = sweep(['status', '--manifest', mfile], env);
    assert.equal(r.code, 1, 'status fails while a cell has failed');
    assert.match(r.out, /first\s+3\s+0\s+1\s+0/);
    assert.match(r.out, /second\s+1\s+0\s+0\s+1/);
    assert.match(r.out, /failed: cell 2 \(first\).*toy cell 2 fails on purpose/);

    r = sweep(['run', '--manifest', mfile, '--jobs', '2'], env);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /pool: 2 worker processes, TF_NUM_INTRAOP_THREADS=\d+ each, 6 cells/);
    assert.match(r.out, /6 cell\(s\) ok, 0 failed/);
    r = sweep(['status', '--manifest', mfile], env);
    assert.equal(r.code, 0);
    assert.match(r.out, /first\s+4\s+0\s+0\s+0/);
    assert.match(r.out, /second\s+2\s+0\s+0\s+0/);
    r = sweep(['merge', '--manifest', mfile], env);
    assert.equal(r.code, 0, r.err);
    const lines = fs.readFileSync(path.join(dir, 'smoke', '99-toy-sweep', 'first.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.params.i), [0, 1, 2, 3], 'merged in plan order');
    assert.deepEqual(lines.map((l) => l.result.value), [5, 6, 9, 14]);
    const pooled = lines.filter((l) => l.params.i === 2); // computed by a pool worker (0, 1: --index; 1, 3: --shard)
    assert.ok(pooled.every((l) => l.result.threads !== null), 'pool workers get TF_NUM_INTRAOP_THREADS');

    // the code now plans other cells than the manifest: a task refuses to run
    m.cells[4].hash = '0000000000000000';
    fs.writeFileSync(mfile, JSON.stringify(m));
    r = sweep(['run', '--manifest', mfile, '--index', '4'], env);
    assert.equal(r.code, 3);
    assert.match(r.err, /plan again/);
    r = sweep(['run', '--notebook', '99-toy', '--scale', 'smoke', '--index', '9'], env);
    assert.equal(r.code, 2);
    assert.match(r.err, /cells 0\.\.5/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('registered notebooks plan at every scale without computing; 01 lists fig2 (AE + RDA per k), fig5, fig7 in the notebook order', async () => {
  const { NOTEBOOK_CELLS, notebookCells, resolveNotebook } = await import('../../src/papers/registry');
  const { zhou2017Config, ZHOU2017_STORES } = await import('../../src/papers/zhou2017');
  const { SCALES } = await import('../../src/experiment/scale');
  assert.equal(resolveNotebook('01'), '01-robust-deep-autoencoders');
  assert.throws(() => resolveNotebook('no-such-notebook'), /no registered cells/);
  for (const nb of Object.keys(NOTEBOOK_CELLS)) {
    for (const scale of SCALES) {
      const plan = planCells(nb, await notebookCells(nb, scale, 0), scale, 0); // throws on a duplicate cell
      assert.ok(plan.length > 0, `${nb} ${scale}`);
      assert.ok(plan.every((c) => c.file.startsWith(`${nb}/`) && c.version && (c.gflop ?? 0) > 0), `${nb} ${scale}: stores under the notebook's folder, a version, a work estimate`);
    }
  }
  for (const scale of SCALES) {
    const cfg = zhou2017Config(scale);
    const plan = planCells('01-robust-deep-autoencoders', await notebookCells('01', scale, 0), scale, 0);
    const fig2 = plan.filter((c) => c.experiment === 'fig2');
    assert.equal(fig2.length, cfg.denoise.corruptions.length * (cfg.denoise.lambdas.length + 1));
    assert.deepEqual(fig2.slice(0, cfg.denoise.lambdas.length + 1).map((c) => c.params), [null, ...cfg.denoise.lambdas].map((lambda) => ({ k: cfg.denoise.corruptions[0], lambda })));
    assert.deepEqual(plan.filter((c) => c.experiment === 'fig5').map((c) => c.params.lam), cfg.outlier.lams);
    assert.deepEqual(plan.filter((c) => c.experiment === 'fig7').map((c) => c.params.lambda), cfg.convergence.lambdas);
    const order = [...new Set(plan.map((c) => c.experiment))].filter((e) => ['fig2', 'fig5', 'fig7'].includes(e));
    assert.deepEqual(order, ['fig2', 'fig5', 'fig7']);
    for (const e of ['fig2', 'fig5', 'fig7'] as const) assert.ok(plan.filter((c) => c.experiment === e).every((c) => c.version === ZHOU2017_STORES[e].version && c.file === ZHOU2017_STORES[e].file));
  }
});

test('write(store) specs: a driver function that stores the cell itself, and one spec covering a batched row of cells', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rml-sweep-w-'));
  const before = process.env.RML_RESULTS_DIR;
  process.env.RML_RESULTS_DIR = dir;
  try {
    let calls = 0;
    // as e.g. phaseCell(store, ...) does: the driver builds the key and calls store.cell itself
    const row = async (store: ResultsStore, r: number) => { calls++; for (const c of [0, 1, 2]) await store.cell({ r, c }, async () => 10 * r + c); };
    const specs: CellSpec[] = [0, 1].map((r) => ({ experiment: 'grid', file: 'nb/grid.jsonl', version: 'w1', params: { r }, covers: [0, 1, 2].map((c) => ({ r, c })), write: (s: ResultsStore) => row(s, r) }));
    specs.push({ experiment: 'bad', file: 'nb/bad.jsonl', version: 'w1', params: { x: 1 }, write: async (s: ResultsStore) => s.cell({ x: 2 }, async () => 0) });
    const plan = planCells('nb', specs, 'smoke', 0);
    assert.notEqual(plan[0].hash, cellHash('nb', { file: specs[0].file, version: specs[0].version, params: specs[0].params }, 'smoke', 0), 'the covered keys are part of the hash');
    assert.equal(cellStates(plan)[0].state, 'missing');
    // another process stored one cell of row 1: still missing until all three are
    await new ResultsStore('nb/grid.jsonl', { version: 'w1', scale: 'smoke' }).cell({ r: 1, c: 2 }, async () => 12);
    assert.equal(cellStates(plan)[1].state, 'missing');
    assert.equal((await runPlannedCell(plan[1])).state, 'computed');
    assert.equal((await runPlannedCell(plan[0])).state, 'computed');
    assert.equal((await runPlannedCell(plan[0])).state, 'stored');
    assert.equal(calls, 2, 'a stored row is not written again');
    assert.deepEqual(cellStates(plan).slice(0, 2).map((s) => s.state), ['done', 'done']);
    await assert.rejects(runPlannedCell(plan[2]), /write\(store\) did not store \[\["x",1\]\]/);
    mergeStores(plan.slice(0, 2));
    const lines = fs.readFileSync(path.join(dir, 'smoke', 'nb', 'grid.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).result);
    assert.deepEqual(lines, [0, 1, 2, 10, 11, 12], 'merged in plan order, covered cells in their order');
    // the notebook side: computeCell reads back without calling the driver
    const nbStore = new ResultsStore('nb/grid.jsonl', { version: 'w1', scale: 'smoke' });
    for (const c of specs.slice(0, 2)) await computeCell(nbStore, c);
    assert.equal(calls, 4, 'write() is the driver function: it runs, and its store.cell calls read back');
    assert.equal(nbStore.computed, 0);
    assert.deepEqual(nbStore.rows().map((r) => r.result), [0, 1, 2, 10, 11, 12]);
  } finally {
    if (before === undefined) delete process.env.RML_RESULTS_DIR; else process.env.RML_RESULTS_DIR = before;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
