/**
 * Executes the notebooks headless and summarises their claims.
 *
 *   npm run reproduce [-- --scale smoke|quick|paper] [--only NAME[,NAME]] [--timeout SECONDS] [--keep-going] [--jobs N]
 *   npm run test:notebooks            (= --scale smoke --test: every notebook, ends with "N passed, N failed")
 *
 * Steps: rebuild notebooks/*.ipynb from notebooks/src/*.ts; run each notebook with the tslab kernel through
 * nbclient (scripts/run_notebook.py in .venv) with RML_SCALE and RML_NOTEBOOK=1 set and the Jupyter folders
 * inside the project (.jupyter/); save the executed notebook to results/<scale>/notebooks/; print one line per
 * notebook and, at the end, a summary with each notebook's claims table (results/<scale>/claims/<name>.csv).
 * A failing cell fails the run with the cell's source and its real error text. `--only` matches a notebook's
 * name or its number prefix ("01", "01-robust-deep-autoencoders", "rda" as a substring). Without --keep-going a
 * failure stops the run, except in --test mode, which always runs every notebook.
 * `--jobs N` (N > 1) first computes the cells of every selected notebook that lists its cells
 * (src/papers/registry.ts) with `npm run sweep -- run --jobs N` (N worker processes, TensorFlow's
 * intra-op threads split between them), then executes the notebooks, which find those cells in the stores.
 * Default: min(2, cores) at quick / long / paper scale, 1 at smoke. Measured on an idle 2-core AMD EPYC family 26,
 * notebook 01's 41 quick cells: --jobs 1 (one process, 2 TensorFlow threads) 156 s, --jobs 2 (two processes, one
 * thread each) 93 s, same results; at smoke the pool is slower (20 s vs 27 s: each worker loads the data again).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { buildNotebooks, notebookSources } from './build-notebooks';
import { SCALES, type Scale } from '../src/experiment/scale';
import { ClaimsTable, claimsDir } from '../src/experiment/claims';
import { NOTEBOOK_CELLS } from '../src/papers/registry';
import { formatTable, type Row } from '../src/tables';

const ROOT = path.resolve(__dirname, '..');
const NB_DIR = path.join(ROOT, 'notebooks');
const PY = path.join(ROOT, '.venv', 'bin', 'python');

interface Args { scale: Scale; only: string[]; test: boolean; timeout: number | null; keepGoing: boolean; jobs: number }

function parseArgs(argv: string[]): Args {
  const a: Args = { scale: 'quick', only: [], test: false, timeout: null, keepGoing: false, jobs: -1 };
  const envScale = process.env.RML_SCALE?.trim();
  if (envScale) a.scale = envScale as Scale;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const val = () => {
      const eq = arg.indexOf('=');
      if (eq >= 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--scale' || arg.startsWith('--scale=')) a.scale = val() as Scale;
    else if (arg === '--only' || arg.startsWith('--only=')) a.only.push(...val().split(',').map((s) => s.trim()).filter(Boolean));
    else if (arg === '--timeout' || arg.startsWith('--timeout=')) a.timeout = Number(val());
    else if (arg === '--jobs' || arg.startsWith('--jobs=')) a.jobs = Number(val());
    else if (arg === '--test') a.test = true;
    else if (arg === '--keep-going') a.keepGoing = true;
    else if (arg === '-h' || arg === '--help') {
      console.log(fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^\/\*\*|^ \* ?/gm, ''));
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (see --help)`);
  }
  if (!(SCALES as readonly string[]).includes(a.scale)) throw new Error(`--scale ${a.scale}: use one of ${SCALES.join(', ')}`);
  if (a.timeout !== null && !(a.timeout > 0)) throw new Error('--timeout must be a positive number of seconds');
  if (a.jobs === -1) a.jobs = defaultJobs(a.scale); // not given
  else if (!Number.isInteger(a.jobs) || a.jobs < 1) throw new Error('--jobs must be a whole number >= 1');
  return a;
}

/** Seconds a single cell may take, by scale (generous: a paper-scale training cell can run for hours). */
function cellTimeout(scale: Scale): number {
  return scale === 'smoke' ? 900 : scale === 'quick' ? 4 * 3600 : 48 * 3600;
}

function jupyterEnv(): NodeJS.ProcessEnv {
  return {
    JUPYTER_RUNTIME_DIR: path.join(ROOT, '.jupyter', 'runtime'),
    JUPYTER_DATA_DIR: path.join(ROOT, '.jupyter', 'data'),
    JUPYTER_CONFIG_DIR: path.join(ROOT, '.jupyter', 'config'),
    JUPYTER_PLATFORM_DIRS: '1',
  };
}

function fmtTime(s: number): string {
  if (s < 90) return `${s.toFixed(1)} s`;
  if (s < 5400) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

function checkToolchain(): string | null {
  if (!fs.existsSync(PY)) return `no Python venv at ${path.relative(ROOT, PY)}: run \`npm run setup\``;
  const env = { ...process.env, ...jupyterEnv() };
  const r = spawnSync(PY, ['-c', 'import nbclient, nbformat; from jupyter_client.kernelspec import KernelSpecManager as K; import sys; sys.exit(0 if "tslab" in K().find_kernel_specs() else 4)'], { env, encoding: 'utf8' });
  if (r.status === 4) return 'the tslab kernel is not registered in .venv: run `npm run setup`';
  if (r.status !== 0) return `nbclient is not usable in .venv (${(r.stderr || '').trim().split('\n').pop()}): run \`npm run setup\``;
  return null;
}

function selectNotebooks(only: string[]): string[] {
  const all = fs.existsSync(NB_DIR) ? fs.readdirSync(NB_DIR).filter((f) => /^\d\d-[\w.-]+\.ipynb$/.test(f)).sort().map((f) => f.replace(/\.ipynb$/, '')) : [];
  if (!only.length) return all;
  const picked = all.filter((n) => only.some((o) => n === o || n.startsWith(`${o}-`) || n.split('-')[0] === o || n.includes(o)));
  const unmatched = only.filter((o) => !all.some((n) => n === o || n.startsWith(`${o}-`) || n.split('-')[0] === o || n.includes(o)));
  if (unmatched.length) throw new Error(`--only ${unmatched.join(',')}: no such notebook (have: ${all.join(', ') || 'none'})`);
  return picked;
}

interface Outcome { name: string; ok: boolean; seconds: number; status: number; output: string; error?: string }

/**
 * Wall time of each notebook run, merged into results/<scale>/timings.json ({ notebooks: { name: { seconds, ok,
 * finished, poolSeconds } } }; poolSeconds: its cells computed by the worker pool first, when it has registered
 * cells): `npm run bench` reads it for its per-notebook rows (runs with --only update their entries).
 */
function recordTiming(scale: string, name: string, seconds: number, ok: boolean, field: 'seconds' | 'poolSeconds' = 'seconds'): void {
  const file = path.join(ROOT, 'results', scale, 'timings.json');
  let j: { notebooks: Record<string, Record<string, unknown>> } = { notebooks: {} };
  try { j = JSON.parse(fs.readFileSync(file, 'utf8')); if (!j || typeof j.notebooks !== 'object') j = { notebooks: {} }; } catch { /* first run */ }
  const now = { finished: new Date().toISOString(), cores: os.cpus().length, loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100) };
  // The pool's time (the notebook's cells computed by worker processes before it runs) is kept beside the notebook's own.
  if (field === 'poolSeconds') j.notebooks[name] = { ...(j.notebooks[name] ?? {}), poolSeconds: Math.round(seconds * 10) / 10, poolOk: ok, poolFinished: now.finished };
  else j.notebooks[name] = { ...(j.notebooks[name]?.poolSeconds !== undefined ? { poolSeconds: j.notebooks[name].poolSeconds } : {}), seconds: Math.round(seconds * 10) / 10, ok, ...now };
  try { fs.writeFileSync(file, JSON.stringify(j, null, 1) + '\n'); } catch (e) { console.log(`(could not write ${file}: ${(e as Error).message})`); }
}

function runOne(name: string, args: Args, index: number, total: number): Promise<Outcome> {
  const outDir = path.join(ROOT, 'results', args.scale, 'notebooks');
  const logDir = path.join(ROOT, 'results', args.scale, 'logs');
  fs.mkdirSync(outDir, { recursive: true });
  fs.mkdirSync(logDir, { recursive: true });
  const input = path.join(NB_DIR, `${name}.ipynb`);
  const output = path.join(outDir, `${name}.ipynb`);
  const report = path.join(logDir, `${name}.report.json`);
  const kernelLog = path.join(logDir, `${name}.kernel.log`);
  const logFile = path.join(logDir, `${name}.log`);
  fs.rmSync(path.join(claimsDir(args.scale), `${name}.csv`), { force: true }); // no stale claims in the summary
  fs.rmSync(report, { force: true });
  const timeout = args.timeout ?? cellTimeout(args.scale);
  const env = { ...process.env, ...jupyterEnv(), RML_SCALE: args.scale, RML_NOTEBOOK: '1', RML_NOTEBOOK_NAME: name, FORCE_COLOR: '0' };
  const t0 = Date.now();
  const tag = `[${index}/${total}] ${name}`;
  console.log(`${tag}: running at ${args.scale} scale ...`);
  return new Promise((resolve) => {
    const child = spawn(PY, [path.join(__dirname, 'run_notebook.py'), input, output, '--timeout', String(timeout), '--report', report, '--kernel-log', kernelLog], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = fs.createWriteStream(logFile);
    let captured = '';
    const onData = (chunk: Buffer) => {
      const s = chunk.toString();
      captured += s;
      log.write(s);
      // cell progress lines stream through; the failure report is printed once at the end
      for (const line of s.split('\n')) if (/^ {4}cell /.test(line)) console.log(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const stop = () => child.kill('SIGINT');
    process.once('SIGINT', stop);
    child.on('close', (code) => {
      process.removeListener('SIGINT', stop);
      log.end();
      const seconds = (Date.now() - t0) / 1000;
      const ok = code === 0;
      let error: string | undefined;
      if (!ok) {
        const i = captured.indexOf('='.repeat(78));
        error = i >= 0 ? captured.slice(i) : captured.slice(-4000);
        if (!captured.trim()) error = `run_notebook.py exited with ${code} and no output (see ${path.relative(ROOT, kernelLog)})`;
      }
      recordTiming(args.scale, name, seconds, ok);
      console.log(`${tag}  ${fmtTime(seconds)}  ${ok ? 'ok' : 'FAILED'}${ok ? '' : `  (executed notebook: ${path.relative(ROOT, output)})`}`);
      if (error) console.log(error.trimEnd());
      resolve({ name, ok, seconds, status: code ?? -1, output, error });
    });
  });
}

/** The pool size when --jobs is not given: two worker processes where there are two cores, except at smoke scale. */
export function defaultJobs(scale: Scale, cores = os.cpus().length): number {
  return scale === 'smoke' ? 1 : Math.max(1, Math.min(2, cores));
}

/** `--jobs N`: the registered notebooks' cells computed by a pool of N worker processes (npm run sweep -- run). */
function precomputeCells(names: string[], args: Args): void {
  for (const name of names.filter((n) => n in NOTEBOOK_CELLS)) {
    const t0 = Date.now();
    console.log(`${name}: computing its cells with ${args.jobs} worker processes (npm run sweep -- run --jobs ${args.jobs}) ...`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'sweep.ts'), 'run', '--notebook', name, '--scale', args.scale, '--jobs', String(args.jobs)], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, RML_SCALE: args.scale } });
    console.log(`${name}: cells ${r.status === 0 ? 'done' : `not all done (exit ${r.status ?? r.signal}); the notebook computes what is missing`} in ${fmtTime((Date.now() - t0) / 1000)}`);
    recordTiming(args.scale, name, (Date.now() - t0) / 1000, r.status === 0, 'poolSeconds');
  }
}

function claimsSummary(name: string, scale: Scale): string {
  const file = path.join(claimsDir(scale), `${name}.csv`);
  if (!fs.existsSync(file)) return `  (no claims table: ${path.relative(ROOT, file)} was not written)`;
  const rows = ClaimsTable.read(file) as Row[];
  if (!rows.length) return '  (claims table is empty)';
  return ClaimsTable.format(rows).split('\n').map((l) => '  ' + l).join('\n');
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`reproduce: ${(e as Error).message}`);
    process.exit(2);
  }
  const built = buildNotebooks(notebookSources());
  for (const b of built.filter((r) => r.changed)) console.log(`rebuilt ${path.relative(ROOT, b.target)} from ${path.relative(ROOT, b.source)}`);
  let names: string[];
  try {
    names = selectNotebooks(args.only);
  } catch (e) {
    console.error(`reproduce: ${(e as Error).message}`);
    process.exit(2);
  }
  if (!names.length) {
    console.log('no notebooks in notebooks/ (nothing to run)');
    if (args.test) console.log('0 passed, 0 failed');
    return;
  }
  const problem = checkToolchain();
  if (problem) {
    console.error(`reproduce: ${problem}`);
    if (args.test) console.log(`0 passed, ${names.length} failed`);
    process.exit(1);
  }
  console.log(`reproduce: ${names.length} notebook(s) at ${args.scale} scale (RML_SCALE=${args.scale}); executed notebooks -> results/${args.scale}/notebooks/`);
  const t0 = Date.now();
  if (args.jobs > 1) precomputeCells(names, args);
  const outcomes: Outcome[] = [];
  for (let i = 0; i < names.length; i++) {
    const o = await runOne(names[i], args, i + 1, names.length);
    outcomes.push(o);
    if (!o.ok && !args.test && !args.keepGoing) {
      const rest = names.slice(i + 1);
      if (rest.length) console.log(`stopping: ${rest.length} notebook(s) not run (${rest.join(', ')}); --keep-going runs them anyway`);
      break;
    }
  }
  const total = (Date.now() - t0) / 1000;
  const passed = outcomes.filter((o) => o.ok).length;
  const failed = outcomes.length - passed;

  console.log('\n' + '='.repeat(78));
  console.log(`SUMMARY (${args.scale} scale, ${fmtTime(total)})`);
  console.log(formatTable(outcomes.map((o) => ({ notebook: o.name, time: fmtTime(o.seconds), result: o.ok ? 'ok' : 'FAILED' }))));
  for (const o of outcomes) {
    console.log(`\nClaims: ${o.name}${o.ok ? '' : ' (notebook FAILED; claims may be missing)'}`);
    console.log(claimsSummary(o.name, args.scale));
  }
  const skipped = names.length - outcomes.length;
  console.log('');
  console.log(`${passed} passed, ${failed + skipped} failed${skipped ? ` (${skipped} not run)` : ''}`);
  if (failed + skipped > 0) process.exit(1);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
