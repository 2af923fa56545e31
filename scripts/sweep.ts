/**
 * Sweeps over a notebook's cells, in this process, in a local worker pool, or as a Slurm job array / Kubernetes
 * Indexed Job, all writing into the notebook's own results stores (results/<scale>/...). The notebook then renders
 * from the stores and computes only what is missing.
 *
 *   npm run sweep -- plan   --notebook NAME [--scale S] [--seed N] [--manifest FILE]
 *   npm run sweep -- run    (--notebook NAME [--scale S] | --manifest FILE) [--index I[,J,A-B]] [--shard K/N]
 *                           [--experiment E] [--jobs N]
 *   npm run sweep -- status [--notebook NAME | --manifest FILE] [--scale S]     (default: every registered notebook)
 *   npm run sweep -- merge  [--notebook NAME | --manifest FILE] [--scale S]
 *   npm run sweep -- slurm  --notebook NAME [--scale S] [--partition P] [--time T] [--mem M] [--cpus C] [--gpus G]
 *                           [--max-parallel K] [--all] [--account A] [--submit [--rounds R]]
 *   npm run sweep -- k8s    --notebook NAME [--scale S] [--image IMG] [--pvc CLAIM] [--workdir DIR] [--cpus C]
 *                           [--mem M] [--gpus G] [--max-parallel K]
 *
 * plan     writes the manifest (default results/<scale>/sweeps/<notebook>.json): every cell's stable index,
 *          experiment, store file, code version, parameters and content hash, plus the git commit; prints the
 *          count and a cost estimate (from the stored cells' measured seconds where there are any, else from the
 *          cells' work in GFLOP at an assumed 20 GFLOP/s per core).
 * run      computes the selected cells (default: all) into the stores; a finished cell is skipped; a cell that
 *          fails writes its error (results store marker + stderr) and the command exits 1 after the other cells.
 *          With --manifest the cells are checked against the manifest's hashes (exit 3 if the code now plans a
 *          different cell: plan again). --shard K/N takes the cells whose index is K mod N (K = 0..N-1).
 *          --jobs N runs N worker processes (biggest cells first), each with TF_NUM_INTRAOP_THREADS =
 *          max(1, floor(cores / N)) and TF_NUM_INTEROP_THREADS = 1 unless those are set already.
 * status   done / running / failed / missing per experiment (from the stores' files), and the Slurm jobs this
 *          manifest was submitted as (squeue / sacct) when Slurm's clients are installed.
 * merge    rewrites every store's JSON-lines file whole, the cells in plan order (safe while workers run).
 * slurm    writes an sbatch job-array script (one array task per cell not yet done, --all for every cell; task id =
 *          cell index; a log per task under results/<scale>/sweeps/logs/) and submits it with --submit. With
 *          --rounds R (R > 1) a small job after the array plans again and submits the cells still missing, up to R
 *          arrays in all: failed or killed cells get another try, and a driver can list cells that depend on
 *          other cells' results (tuned settings) once those are in the store (list them after those cells).
 * k8s      writes a Kubernetes Indexed Job manifest (JOB_COMPLETION_INDEX = cell index) for the same plan.
 */
import { fork, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SCALES, getSeed, type Scale } from '../src/experiment/scale';
import { codeCommit, resultsRoot } from '../src/experiment/store';
import { planCells, manifestCell, runPlannedCell, cellStates, mergeStores, storeOf, type ManifestCell, type PlannedCell } from '../src/experiment/sweep';
import { NOTEBOOK_CELLS, NOTEBOOK_ROUNDS, notebookCells, resolveNotebook } from '../src/papers/registry';

const ROOT = path.resolve(__dirname, '..');
const GFLOPS_PER_CORE = 20;

export interface Manifest { notebook: string; scale: Scale; seed: number; commit: string; created: string; host: string; cells: ManifestCell[] }

interface Args { cmd: string; notebook?: string; scale: Scale; seed: number; manifest?: string; index?: number[]; shard?: [number, number]; experiment?: string; jobs: number;
  partition?: string; time?: string; mem?: string; cpus?: number; gpus?: number; maxParallel?: number; account?: string; submit: boolean; all: boolean;
  image?: string; pvc?: string; workdir?: string; rounds: number; round: number; roundsGiven?: boolean }

function usage(): string { return fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^\/\*\*|^ \* ?/gm, ''); }

function parseIndexList(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`--index ${s}: use I, I,J or A-B`);
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`--index ${part}: empty range`);
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

function parseArgs(argv: string[]): Args {
  const cmd = argv[0] ?? 'help';
  const a: Args = { cmd, scale: (process.env.RML_SCALE?.trim() || 'quick') as Scale, seed: getSeed(), jobs: 1, submit: false, all: false, rounds: 1, round: 1 };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const val = () => { if (eq >= 0) return arg.slice(eq + 1); const v = argv[++i]; if (v === undefined) throw new Error(`${name} needs a value`); return v; };
    const int = (min = 0) => { const v = val(); const n = Number(v); if (!Number.isInteger(n) || n < min) throw new Error(`${name} ${v}: give an integer >= ${min}`); return n; };
    switch (name) {
      case '--notebook': a.notebook = val(); break;
      case '--scale': a.scale = val() as Scale; break;
      case '--seed': a.seed = int(); break;
      case '--manifest': a.manifest = path.resolve(val()); break;
      case '--index': a.index = parseIndexList(val()); break;
      case '--shard': {
        const v = val(); const m = /^(\d+)\/(\d+)$/.exec(v);
        if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new Error(`--shard ${v}: use K/N with 0 <= K < N`);
        a.shard = [Number(m[1]), Number(m[2])]; break;
      }
      case '--experiment': a.experiment = val(); break;
      case '--jobs': a.jobs = int(1); break;
      case '--partition': a.partition = val(); break;
      case '--time': a.time = val(); break;
      case '--mem': a.mem = val(); break;
      case '--account': a.account = val(); break;
      case '--cpus': a.cpus = int(1); break;
      case '--gpus': a.gpus = int(0); break;
      case '--max-parallel': a.maxParallel = int(1); break;
      case '--image': a.image = val(); break;
      case '--pvc': a.pvc = val(); break;
      case '--workdir': a.workdir = val(); break;
      case '--submit': a.submit = true; break;
      case '--rounds': a.rounds = int(1); a.roundsGiven = true; break;
      case '--round': a.round = int(1); break;
      case '--all': a.all = true; break;
      case '-h': case '--help': a.cmd = 'help'; break;
      default: throw new Error(`unknown argument ${arg} (see npm run sweep -- help)`);
    }
  }
  if (!(SCALES as readonly string[]).includes(a.scale)) throw new Error(`--scale ${a.scale}: use one of ${SCALES.join(', ')}`);
  return a;
}

const defaultManifest = (notebook: string, scale: Scale) => path.join(resultsRoot(), scale, 'sweeps', `${notebook}.json`);
const rel = (p: string) => path.relative(process.cwd(), p) || '.';

/** The plan from the code (and, with --manifest, checked against the manifest). */
async function loadPlan(a: Args): Promise<{ plan: PlannedCell[]; manifest: Manifest | null; manifestFile: string }> {
  let manifest: Manifest | null = null;
  let notebook: string, scale = a.scale, seed = a.seed;
  if (a.manifest) {
    manifest = JSON.parse(fs.readFileSync(a.manifest, 'utf8')) as Manifest;
    notebook = manifest.notebook; scale = manifest.scale; seed = manifest.seed;
  } else {
    if (!a.notebook) throw new Error('give --notebook NAME or --manifest FILE');
    notebook = resolveNotebook(a.notebook);
  }
  process.env.RML_SCALE = scale; // the drivers and the backend read the scale / seed from the environment too
  process.env.RML_SEED = String(seed);
  const plan = planCells(notebook, await notebookCells(notebook, scale, seed), scale, seed);
  return { plan, manifest, manifestFile: a.manifest ?? defaultManifest(notebook, scale) };
}

function checkAgainstManifest(cells: PlannedCell[], manifest: Manifest | null, plan: PlannedCell[]): void {
  if (!manifest) return;
  // (the plan may have grown since: a driver lists dependent cells once their inputs are stored, at the end)
  void plan;
  for (const c of cells) {
    const m = manifest.cells[c.index];
    if (!m || m.hash !== c.hash) throw Object.assign(new Error(`cell ${c.index}: the code plans ${c.experiment} ${JSON.stringify(c.params)} (${c.hash}), the manifest ${m ? `${m.experiment} ${JSON.stringify(m.params)} (${m.hash})` : 'nothing'}: plan again`), { exitCode: 3 });
  }
}

function selectCells(plan: PlannedCell[], a: Args): PlannedCell[] {
  let cells = plan;
  if (a.index) {
    const bad = a.index.filter((i) => i >= plan.length);
    if (bad.length) throw new Error(`--index ${bad.join(',')}: the plan has cells 0..${plan.length - 1}`);
    cells = a.index.map((i) => plan[i]);
  }
  if (a.shard) cells = cells.filter((c) => c.index % a.shard![1] === a.shard![0]);
  if (a.experiment) {
    cells = cells.filter((c) => c.experiment === a.experiment);
    if (!cells.length) throw new Error(`--experiment ${a.experiment}: none of the selected cells (experiments: ${[...new Set(plan.map((c) => c.experiment))].join(', ')})`);
  }
  return cells;
}

function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return 'n/a';
  return s < 90 ? `${s.toFixed(1)} s` : s < 5400 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(2)} h`;
}

/** Seconds per cell: the mean measured seconds per GFLOP of the experiment's stored cells, else the assumed rate. */
function estimate(plan: PlannedCell[]): { experiment: string; cells: number; done: number; secondsPerCell: number; basis: string }[] {
  const out = [];
  for (const e of [...new Set(plan.map((c) => c.experiment))]) {
    const cells = plan.filter((c) => c.experiment === e);
    const store = storeOf(cells[0], true);
    const recs = cells.map((c) => ({ c, r: store.record(c.params) })).filter((x) => x.r);
    const gflop = cells.reduce((s, c) => s + (c.gflop ?? 0), 0) / cells.length;
    let secondsPerCell = NaN, basis = 'no estimate';
    if (recs.length) {
      const rate = recs.reduce((s, x) => s + x.r!.seconds, 0) / Math.max(1e-9, recs.reduce((s, x) => s + (x.c.gflop ?? 0), 0));
      secondsPerCell = gflop > 0 ? rate * gflop : recs.reduce((s, x) => s + x.r!.seconds, 0) / recs.length;
      basis = `measured: ${recs.length} stored cell(s) (host ${recs[0].r!.host ?? '?'})`;
    } else if (gflop > 0) {
      secondsPerCell = gflop / GFLOPS_PER_CORE;
      basis = `${gflop.toFixed(0)} GFLOP / cell at an assumed ${GFLOPS_PER_CORE} GFLOP/s (one core)`;
    }
    out.push({ experiment: e, cells: cells.length, done: recs.length, secondsPerCell, basis });
  }
  return out;
}

async function cmdPlan(a: Args): Promise<void> {
  const { plan, manifestFile } = await loadPlan({ ...a, manifest: undefined });
  const m: Manifest = { notebook: plan[0]?.notebook ?? resolveNotebook(a.notebook!), scale: a.scale, seed: a.seed, commit: codeCommit(), created: new Date().toISOString(), host: os.hostname(), cells: plan.map(manifestCell) };
  const file = a.manifest ?? manifestFile;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(m, null, 1) + '\n');
  const est = estimate(plan);
  let total = 0, left = 0;
  console.log(`${m.notebook} at ${a.scale} scale (seed ${a.seed}, commit ${m.commit}): ${plan.length} cells -> ${rel(file)}`);
  for (const e of est) {
    total += e.cells * e.secondsPerCell; left += (e.cells - e.done) * e.secondsPerCell;
    console.log(`  ${e.experiment.padEnd(12)} ${String(e.cells).padStart(4)} cells (${e.done} done)  ~${fmtSeconds(e.secondsPerCell)} per cell  [${e.basis}]`);
  }
  console.log(`estimated cost: ${fmtSeconds(total)} of one process in all, ${fmtSeconds(left)} still to compute (rough: the first cell of an experiment also loads its data)`);
}

/** Runs cells in this process, in order; returns the number that failed. */
async function runHere(cells: PlannedCell[], log = (s: string) => console.log(s)): Promise<number> {
  const { initBackend } = await import('../src/backend');
  await initBackend();
  let failed = 0;
  for (const c of cells) {
    const t0 = Date.now();
    try {
      const o = await runPlannedCell(c);
      log(`cell ${c.index} ${c.experiment} ${JSON.stringify(c.params)}: ${o.state}${o.state === 'stored' ? '' : ` in ${o.seconds.toFixed(1)} s`}`);
    } catch (e) {
      failed++;
      console.error(`cell ${c.index} ${c.experiment} ${JSON.stringify(c.params)}: FAILED after ${((Date.now() - t0) / 1000).toFixed(1)} s\n${(e as Error)?.stack ?? e}`);
    }
  }
  return failed;
}

/** N worker processes (this script's `worker` command over IPC), biggest cells first; returns the number that failed. */
async function runPool(cells: PlannedCell[], jobs: number, manifestArgs: string[]): Promise<number> {
  const n = Math.min(jobs, cells.length);
  const threads = String(Math.max(1, Math.floor(os.cpus().length / n)));
  const queue = [...cells].sort((x, y) => (y.gflop ?? 0) - (x.gflop ?? 0) || x.index - y.index).map((c) => c.index);
  console.log(`pool: ${n} worker processes, TF_NUM_INTRAOP_THREADS=${process.env.TF_NUM_INTRAOP_THREADS ?? threads} each, ${queue.length} cells`);
  let failed = 0;
  await Promise.all(Array.from({ length: n }, (_, w) => new Promise<void>((resolve) => {
    const env = { ...process.env, TF_NUM_INTRAOP_THREADS: process.env.TF_NUM_INTRAOP_THREADS ?? threads, TF_NUM_INTEROP_THREADS: process.env.TF_NUM_INTEROP_THREADS ?? '1', OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? threads };
    const child = fork(__filename, ['worker', ...manifestArgs], { env, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let current: number | null = null;
    const next = () => {
      const i = queue.shift();
      if (i === undefined) { child.send({ done: true }); return; }
      current = i;
      child.send({ index: i });
    };
    child.on('message', (m: { ready?: boolean; index?: number; ok?: boolean }) => {
      if (m.index !== undefined && m.ok === false) failed++;
      current = null;
      next();
    });
    child.on('exit', (code, signal) => {
      if (current !== null) { failed++; console.error(`worker ${w}: exited (${signal ?? code}) while computing cell ${current}`); }
      resolve();
    });
  })));
  if (queue.length) console.error(`pool: every worker exited; ${queue.length} cell(s) not run (${queue.join(', ')})`);
  return failed + queue.length;
}

/** The pool's worker: computes the cells the parent sends, one at a time. */
async function cmdWorker(a: Args): Promise<void> {
  const { plan } = await loadPlan(a);
  const byIndex = new Map(plan.map((c) => [c.index, c]));
  const { initBackend } = await import('../src/backend');
  await initBackend();
  process.on('message', async (m: { index?: number; done?: boolean }) => {
    if (m.done) { process.disconnect?.(); return; }
    const c = byIndex.get(m.index!)!;
    const failed = await runHere([c]);
    process.send!({ index: c.index, ok: failed === 0 });
  });
  process.send!({ ready: true });
}

async function cmdRun(a: Args): Promise<number> {
  const { plan, manifest } = await loadPlan(a);
  const cells = selectCells(plan, a);
  checkAgainstManifest(cells, manifest, plan);
  const t0 = Date.now();
  const where = process.env.SLURM_ARRAY_TASK_ID !== undefined ? ` (Slurm job ${process.env.SLURM_ARRAY_JOB_ID}_${process.env.SLURM_ARRAY_TASK_ID} on ${os.hostname()})` : process.env.JOB_COMPLETION_INDEX !== undefined ? ` (Kubernetes index ${process.env.JOB_COMPLETION_INDEX} on ${os.hostname()})` : '';
  console.log(`${plan[0]?.notebook} at ${plan[0]?.scale} scale: ${cells.length} of ${plan.length} cells${where}`);
  const manifestArgs = a.manifest ? ['--manifest', a.manifest] : ['--notebook', plan[0].notebook, '--scale', plan[0].scale, '--seed', String(plan[0].seed)];
  let failed = a.jobs > 1 && cells.length > 1 ? await runPool(cells, a.jobs, manifestArgs) : await runHere(cells);
  let ran = cells.length;
  // the whole notebook (no --manifest / --index / --shard): plan again for the cells a driver lists only once
  // the cells they depend on are stored (NOTEBOOK_ROUNDS), and run those too
  const rounds = a.roundsGiven ? a.rounds : NOTEBOOK_ROUNDS[plan[0]?.notebook ?? ''] ?? 1;
  const seen = new Set(plan.map((c) => c.hash));
  for (let round = 2; round <= rounds && !a.manifest && !a.index && !a.shard; round++) {
    const again = (await loadPlan(a)).plan;
    const more = (a.experiment ? again.filter((c) => c.experiment === a.experiment) : again).filter((c) => !seen.has(c.hash));
    if (!more.length) break;
    for (const c of more) seen.add(c.hash);
    console.log(`round ${round}: ${more.length} more cell(s) now listed (they depend on cells stored in the previous round)`);
    failed += a.jobs > 1 && more.length > 1 ? await runPool(more, a.jobs, manifestArgs) : await runHere(more);
    ran += more.length;
  }
  console.log(`${ran - failed} cell(s) ok, ${failed} failed, ${fmtSeconds((Date.now() - t0) / 1000)}`);
  return failed ? 1 : 0;
}

function have(cmd: string): boolean { return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0; }

const slurmRecord = (manifestFile: string) => manifestFile.replace(/\.json$/, '.slurm.json');

async function cmdStatus(a: Args): Promise<number> {
  const { plan, manifestFile } = await loadPlan(a);
  const states = cellStates(plan);
  const rows: Record<string, Record<string, number>> = {};
  for (const s of states) { rows[s.experiment] ??= { done: 0, running: 0, failed: 0, missing: 0 }; rows[s.experiment][s.state]++; }
  console.log(`${plan[0]?.notebook} at ${plan[0]?.scale} scale: ${plan.length} cells`);
  console.log(`  ${'experiment'.padEnd(12)} ${['done', 'running', 'failed', 'missing'].map((h) => h.padStart(8)).join('')}`);
  for (const [e, r] of Object.entries(rows)) console.log(`  ${e.padEnd(12)} ${['done', 'running', 'failed', 'missing'].map((h) => String(r[h]).padStart(8)).join('')}`);
  for (const s of states.filter((x) => x.state === 'failed')) console.log(`  failed: cell ${s.index} (${s.experiment}) on ${s.host ?? '?'}: ${s.detail}`);
  for (const s of states.filter((x) => x.state === 'running')) console.log(`  running: cell ${s.index} (${s.experiment}) on ${s.host ?? '?'} pid ${s.pid ?? '?'} ${s.detail ?? ''}`);
  const rec = slurmRecord(manifestFile);
  if (fs.existsSync(rec)) {
    const jobs = (JSON.parse(fs.readFileSync(rec, 'utf8')) as { jobs: { id: string; submitted: string }[] }).jobs;
    const ids = jobs.map((j) => j.id).join(',');
    if (have('squeue')) {
      const q = spawnSync('squeue', ['-h', '-j', ids, '-o', '%i %T %M %R'], { encoding: 'utf8' });
      const lines = (q.stdout || '').trim().split('\n').filter(Boolean);
      console.log(`squeue (jobs ${ids}): ${lines.length ? '' : 'nothing queued or running'}`);
      for (const l of lines) console.log(`  ${l}`);
    }
    if (have('sacct')) {
      const s = spawnSync('sacct', ['-n', '-P', '-X', '-j', ids, '-o', 'JobID,State,ExitCode,Elapsed'], { encoding: 'utf8' });
      const lines = (s.stdout || '').trim().split('\n').filter(Boolean);
      const byState: Record<string, number> = {};
      for (const l of lines) { const st = l.split('|')[1]?.split(' ')[0] ?? '?'; byState[st] = (byState[st] ?? 0) + 1; }
      if (s.status === 0 && lines.length) console.log(`sacct (jobs ${ids}): ${Object.entries(byState).map(([k, v]) => `${v} ${k}`).join(', ')}`);
      else {
        // no accounting database (or nothing recorded): the controller still knows recent jobs (MinJobAge)
        const c = spawnSync('scontrol', ['-o', 'show', 'job', ids], { encoding: 'utf8' });
        const st: Record<string, number> = {};
        for (const l of (c.stdout || '').split('\n').filter(Boolean)) { const m = /JobState=(\S+)/.exec(l); if (m) st[m[1]] = (st[m[1]] ?? 0) + 1; }
        console.log(`sacct: ${(s.stderr || '').trim().split('\n')[0] || 'no records'}${Object.keys(st).length ? `; scontrol: ${Object.entries(st).map(([k, v]) => `${v} ${k}`).join(', ')}` : ''}`);
      }
    }
  }
  return states.some((s) => s.state === 'failed') ? 1 : 0;
}

async function cmdMerge(a: Args): Promise<void> {
  const { plan } = await loadPlan(a);
  for (const r of mergeStores(plan)) console.log(`${rel(r.file)}: ${r.cells} cells`);
}

/** "0-3,5,7-9" for sorted indices. */
export function compressRanges(xs: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length;) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    out.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/** The node binary this project runs with (the one running this script), for batch jobs. */
function nodeBinary(): string { return process.env.RML_NODE ?? process.execPath; }

export function sbatchScript(o: { notebook: string; scale: Scale; seed: number; manifest: string; indices: number[]; root: string; node: string; logDir: string;
  partition?: string; time?: string; mem?: string; cpus?: number; gpus?: number; maxParallel?: number; account?: string }): string {
  const cpus = o.cpus ?? 1;
  const sb = [
    `--job-name=rml-${o.notebook.split('-')[0]}-${o.scale}`,
    `--array=${compressRanges(o.indices)}${o.maxParallel ? `%${o.maxParallel}` : ''}`,
    `--output=${o.logDir}/%x-%A_%a.out`,
    `--cpus-per-task=${cpus}`,
    '--ntasks=1',
    ...(o.partition ? [`--partition=${o.partition}`] : []),
    ...(o.account ? [`--account=${o.account}`] : []),
    ...(o.time ? [`--time=${o.time}`] : []),
    ...(o.mem ? [`--mem=${o.mem}`] : []),
    ...(o.gpus ? [`--gpus-per-task=${o.gpus}`] : []),
  ];
  return `#!/bin/bash
# ${o.notebook} at ${o.scale} scale: one array task per cell (task id = cell index in ${path.relative(o.root, o.manifest)}).
# Written by \`npm run sweep -- slurm\`; resubmitting after a failure or a kill runs only the cells still missing.
${sb.map((s) => `#SBATCH ${s}`).join('\n')}
set -euo pipefail
cd ${JSON.stringify(o.root)}
export RML_SCALE=${o.scale} RML_SEED=${o.seed} RML_PROGRESS=0
# one process per task: TensorFlow's intra-op pool gets the task's CPUs
export TF_NUM_INTRAOP_THREADS="\${SLURM_CPUS_PER_TASK:-${cpus}}" TF_NUM_INTEROP_THREADS=1 OMP_NUM_THREADS="\${SLURM_CPUS_PER_TASK:-${cpus}}"
${o.gpus ? '' : '# CPU only: hide any GPU from TensorFlow\nexport CUDA_VISIBLE_DEVICES=""\n'}NODE=${JSON.stringify(o.node)}
[ -x "$NODE" ] || NODE="$(command -v node)"
echo "task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID on $(hostname) with $("$NODE" --version)"
exec "$NODE" --import tsx scripts/sweep.ts run --manifest ${JSON.stringify(o.manifest)} --index "$SLURM_ARRAY_TASK_ID"
`;
}

async function cmdSlurm(a: Args): Promise<number> {
  const { plan, manifestFile } = await loadPlan({ ...a, manifest: undefined });
  await cmdPlan({ ...a, manifest: manifestFile });
  const states = cellStates(plan);
  const indices = (a.all ? states : states.filter((s) => s.state !== 'done')).map((s) => s.index);
  const logDir = path.join(path.dirname(manifestFile), 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const script = manifestFile.replace(/\.json$/, '.sbatch');
  if (!indices.length) { console.log(`every cell is in the store already: nothing to submit${a.round > 1 ? ` (round ${a.round})` : ''}`); return 0; }
  fs.writeFileSync(script, sbatchScript({ notebook: plan[0].notebook, scale: plan[0].scale, seed: plan[0].seed, manifest: manifestFile, indices, root: ROOT, node: nodeBinary(), logDir, partition: a.partition, time: a.time, mem: a.mem, cpus: a.cpus, gpus: a.gpus, maxParallel: a.maxParallel, account: a.account }));
  console.log(`wrote ${rel(script)}: ${indices.length} array task(s) (${compressRanges(indices)}), logs in ${rel(logDir)}/`);
  if (!a.submit) { console.log(`submit with: sbatch ${rel(script)}   (or add --submit)`); return 0; }
  if (!have('sbatch')) { console.error('sbatch is not installed here: copy the script to a cluster login node (same checkout path) or run it where Slurm is'); return 2; }
  const r = spawnSync('sbatch', ['--parsable', script], { encoding: 'utf8' });
  if (r.status !== 0) { console.error(`sbatch failed: ${(r.stderr || r.stdout).trim()}`); return 2; }
  const id = r.stdout.trim().split(';')[0];
  const rec = slurmRecord(manifestFile);
  const prev = fs.existsSync(rec) ? (JSON.parse(fs.readFileSync(rec, 'utf8')) as { jobs: unknown[] }).jobs : [];
  fs.writeFileSync(rec, JSON.stringify({ jobs: [...prev, { id, submitted: new Date().toISOString(), indices: compressRanges(indices), script }] }, null, 1) + '\n');
  // notebooks with dependent cells default to their NOTEBOOK_ROUNDS (the rounds' jobs recompute the same default)
  const rounds = a.roundsGiven ? a.rounds : NOTEBOOK_ROUNDS[plan[0].notebook] ?? 1;
  console.log(`submitted job ${id}${a.round > 1 || rounds > 1 ? ` (round ${a.round} of at most ${rounds})` : ''}; follow it with: npm run sweep -- status --manifest ${rel(manifestFile)}`);
  if (a.round < rounds) {
    // a small job after the array plans again and submits what is still missing: cells that failed or were
    // killed, and cells a driver lists only once the cells they depend on are in the store (e.g. tuned settings)
    const argv = process.argv.slice(2).filter((x, i, all) => !x.startsWith('--round=') && x !== '--round' && all[i - 1] !== '--round');
    const cmd = `cd ${JSON.stringify(ROOT)} && exec ${JSON.stringify(nodeBinary())} --import tsx scripts/sweep.ts ${argv.map((x) => JSON.stringify(x)).join(' ')} --round ${a.round + 1}`;
    const f = spawnSync('sbatch', ['--parsable', `--dependency=afterany:${id}`, `--job-name=rml-${plan[0].notebook.split('-')[0]}-${plan[0].scale}-next`, `--output=${logDir}/%x-%j.out`, '--ntasks=1', '--cpus-per-task=1', '--time=00:30:00',
      ...(a.partition ? [`--partition=${a.partition}`] : []), ...(a.account ? [`--account=${a.account}`] : []), '--wrap', cmd], { encoding: 'utf8' });
    if (f.status !== 0) { console.error(`sbatch (next round) failed: ${(f.stderr || f.stdout).trim()}`); return 2; }
    console.log(`round ${a.round + 1} will be planned by job ${f.stdout.trim().split(';')[0]} once job ${id} has ended`);
  }
  return 0;
}

export function indexedJobManifest(o: { notebook: string; scale: Scale; seed: number; n: number; manifestRel: string; image: string; pvc: string; workdir: string; cpus: number; mem: string; gpus: number; maxParallel: number }): string {
  const name = `rml-${o.notebook.split('-')[0]}-${o.scale}`;
  const limits = [`cpu: "${o.cpus}"`, `memory: ${o.mem}`, ...(o.gpus ? [`nvidia.com/gpu: ${o.gpus}`] : [])];
  return `# ${o.notebook} at ${o.scale} scale: a Kubernetes Indexed Job, one pod per cell (JOB_COMPLETION_INDEX = cell index).
# The checkout (with node_modules from \`npm run setup\`) and results/ live on the volume ${o.pvc}, mounted at ${o.workdir}.
# Written by \`npm run sweep -- k8s\`; apply with: kubectl apply -f <this file>
apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  completionMode: Indexed
  completions: ${o.n}
  parallelism: ${o.maxParallel}
  backoffLimitPerIndex: 2
  maxFailedIndexes: ${o.n}
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: cell
          image: ${o.image}
          workingDir: ${o.workdir}
          command: ["sh", "-c", "exec node --import tsx scripts/sweep.ts run --manifest ${o.manifestRel} --index $JOB_COMPLETION_INDEX"]
          env:
            - { name: RML_SCALE, value: "${o.scale}" }
            - { name: RML_SEED, value: "${o.seed}" }
            - { name: RML_PROGRESS, value: "0" }
            - { name: TF_NUM_INTRAOP_THREADS, value: "${o.cpus}" }
            - { name: TF_NUM_INTEROP_THREADS, value: "1" }
          resources:
            requests: { ${limits.join(', ')} }
            limits: { ${limits.join(', ')} }
          volumeMounts:
            - { name: work, mountPath: ${o.workdir} }
      volumes:
        - name: work
          persistentVolumeClaim: { claimName: ${o.pvc} }
`;
}

async function cmdK8s(a: Args): Promise<void> {
  const { plan, manifestFile } = await loadPlan({ ...a, manifest: undefined });
  await cmdPlan({ ...a, manifest: manifestFile });
  const out = manifestFile.replace(/\.json$/, '.k8s.yaml');
  fs.writeFileSync(out, indexedJobManifest({ notebook: plan[0].notebook, scale: plan[0].scale, seed: plan[0].seed, n: plan.length, manifestRel: path.relative(ROOT, manifestFile), image: a.image ?? 'node:20-bookworm', pvc: a.pvc ?? 'rml-work', workdir: a.workdir ?? '/work/rml', cpus: a.cpus ?? 1, mem: a.mem ?? '4Gi', gpus: a.gpus ?? 0, maxParallel: a.maxParallel ?? Math.min(plan.length, 8) }));
  console.log(`wrote ${rel(out)}: ${plan.length} indexed pods; apply with: kubectl apply -f ${rel(out)}`);
}

async function main(): Promise<number> {
  const a = parseArgs(process.argv.slice(2));
  switch (a.cmd) {
    case 'plan': await cmdPlan(a); return 0;
    case 'run': return cmdRun(a);
    case 'worker': await cmdWorker(a); return -1;
    case 'status': case 'merge': {
      // without --notebook / --manifest: every registered notebook at the scale
      const names = a.notebook || a.manifest ? [a.notebook] : Object.keys(NOTEBOOK_CELLS);
      let code = 0;
      for (const n of names) {
        if (a.cmd === 'merge') await cmdMerge({ ...a, notebook: n });
        else code = Math.max(code, await cmdStatus({ ...a, notebook: n }));
      }
      return code;
    }
    case 'slurm': return cmdSlurm(a);
    case 'k8s': await cmdK8s(a); return 0;
    case 'help': console.log(usage()); return 0;
    default: throw new Error(`unknown command "${a.cmd}": plan, run, status, merge, slurm, k8s (see npm run sweep -- help)`);
  }
}

if (require.main === module) {
  main().then((code) => { if (code >= 0) process.exitCode = code; }).catch((e) => {
    console.error(`sweep: ${(e as Error).message}`);
    process.exitCode = (e as { exitCode?: number }).exitCode ?? 2;
  });
}
