/**
 * A small persistent pool of worker threads that grows random-forest trees in parallel, behind a SYNCHRONOUS call
 * (RandomForestClassifier.fit stays synchronous):
 *
 *   - the column matrix and the labels live in SharedArrayBuffers (posted once per fit, never copied);
 *   - trees are claimed one at a time from a shared counter by the calling thread and the workers alike, so
 *     `nJobs` threads = the calling thread + (nJobs - 1) workers; tree t is always grown from
 *     `new Rng(seed).fork(`tree${t}`)`, so the forest does not depend on who grew which tree;
 *   - a worker posts each tree (its typed arrays, transferred) on its result port and then bumps a shared
 *     "finished" counter; the calling thread, done with its own claims, blocks in `Atomics.wait` on that counter
 *     and collects the trees with `receiveMessageOnPort` (no event loop needed), in tree-index order;
 *   - workers are created lazily, `unref()`ed (they never keep the process alive) and reused by later fits; a
 *     worker still starting (loading TypeScript takes ~0.5 s) simply joins late or not at all: the calling thread
 *     grows whatever is unclaimed. A worker that cannot start is dropped with one line on stderr (the trees are
 *     then grown in the calling thread); a tree a worker failed on is regrown in the calling thread.
 *
 * The workers load forest-worker (.ts through tsx's CommonJS hook when this file is TypeScript, so it works under
 * `node --import tsx`, `tsx` and the tslab kernel alike; plain `require` of the .js when compiled). The worker's
 * module graph is TensorFlow-free: random.ts, tree-core.ts, forest-grow.ts.
 *
 * A worker killed mid-tree (not an exception: e.g. an out-of-memory abort) cannot report it: after 120 s without
 * any tree finishing, the calling thread stops waiting and grows the missing trees itself (one stderr line).
 * Exceptions in a worker are caught and reported, and those trees are regrown in the calling thread.
 */
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { Rng } from '../../random';
import { ColumnMatrix, FlatTree, FlatTreeFields } from './tree-core';
import { ClassTreeOptions, growClassTree } from './forest-grow';
import type { ForestJobMessage } from './forest-worker';

/** Threads available to this process (os.availableParallelism where Node has it). */
export function availableThreads(): number {
  const o = os as { availableParallelism?: () => number };
  return Math.max(1, typeof o.availableParallelism === 'function' ? o.availableParallelism() : os.cpus().length);
}

interface PoolWorker {
  worker: Worker;
  port: MessagePort;
  /** Int32[1]: 0 starting, 1 ready, 2 failed. */
  status: Int32Array;
  failed: boolean;
  error?: string;
}

const pool: PoolWorker[] = [];
let jobCounter = 0;
let stallMs = 120000;
/** Tests only: how long growForest waits without any worker finishing a tree before growing the rest itself. */
export function setForestStallMsForTests(ms: number): void { stallMs = ms; }
let warned = false;

function warnOnce(msg: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(`RandomForestClassifier: ${msg}; growing those trees in the calling thread instead\n`);
}

// runs in the worker (CommonJS eval): load the entry (through tsx for .ts), then say ready or failed
const BOOT = `
const { workerData: w } = require('node:worker_threads');
const status = new Int32Array(w.status);
try {
  if (w.register) require(w.register);
  require(w.entry).serveForestJobs(w.port);
  Atomics.store(status, 0, 1);
} catch (e) {
  try { w.port.postMessage({ startError: String((e && e.stack) || e) }); } catch (_) {}
  Atomics.store(status, 0, 2);
}
Atomics.notify(status, 0);
`;

let entryOverride: string | undefined;
/** Tests only: the worker loads this file instead of forest-worker (e.g. a missing one, to test the fallback). */
export function setForestWorkerEntryForTests(file: string | undefined): void { entryOverride = file; }

function entryFiles(): { entry: string; register?: string } {
  if (entryOverride) return { entry: entryOverride, register: require.resolve('tsx/cjs') };
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `forest-worker${ext}`);
  return ext === '.ts' || ext === '.mts' || ext === '.cts' ? { entry, register: require.resolve('tsx/cjs') } : { entry };
}

function spawn(): PoolWorker {
  const { port1, port2 } = new MessageChannel();
  const status = new Int32Array(new SharedArrayBuffer(4));
  const pw: PoolWorker = { worker: undefined as unknown as Worker, port: port1, status, failed: false };
  try {
    const { entry, register } = entryFiles();
    pw.worker = new Worker(BOOT, {
      eval: true,
      execArgv: [], // no inherited loader flags (tsx's ESM hooks would start a hooks thread per worker)
      workerData: { port: port2, status: status.buffer, entry, register },
      transferList: [port2],
      name: 'rml-forest',
    });
    pw.worker.unref();
    // seen whenever the event loop runs: an exception outside the boot code, or an exit
    pw.worker.on('error', (e) => { pw.failed = true; pw.error ??= String(e?.stack ?? e); });
    pw.worker.on('exit', () => { pw.failed = true; pw.error ??= 'the worker thread exited'; });
  } catch (e) {
    pw.failed = true; pw.error = String((e as Error)?.message ?? e);
    Atomics.store(status, 0, 2);
  }
  return pw;
}

/** Drops failed workers (one warning in all); returns the live ones. */
function prune(): void {
  for (let i = pool.length - 1; i >= 0; i--) {
    const pw = pool[i];
    if (Atomics.load(pw.status, 0) === 2) {
      pw.failed = true;
      for (let m = receiveMessageOnPort(pw.port); m; m = receiveMessageOnPort(pw.port)) {
        const msg = m.message as { startError?: string };
        if (msg.startError) pw.error ??= msg.startError;
      }
    }
    if (pw.failed) {
      warnOnce(`a worker thread could not start or stopped (${(pw.error ?? 'unknown error').split('\n')[0]})`);
      pool.splice(i, 1);
      pw.port.close();
      void pw.worker?.terminate().catch(() => undefined);
    }
  }
}

/** Live workers (some may still be starting), spawning up to `count`. */
function workers(count: number): PoolWorker[] {
  prune();
  while (pool.length < count) {
    const pw = spawn();
    pool.push(pw);
    if (pw.failed) { prune(); break; }
  }
  return pool.slice(0, count);
}

/** Whether `count` workers are started and ready. */
export function forestPoolReady(count: number): boolean {
  return pool.length >= count && pool.slice(0, count).every((pw) => !pw.failed && Atomics.load(pw.status, 0) === 1);
}

/**
 * Starts the workers for `nJobs` threads (nJobs - 1 workers) and waits (blocking, at most `timeoutMs`) until
 * they are ready. Returns the number of threads ready (1 = the calling thread only).
 */
export function warmForestPool(nJobs = Math.min(2, availableThreads()), timeoutMs = 30000): number {
  const ws = workers(Math.max(0, nJobs - 1));
  const until = Date.now() + timeoutMs;
  for (const pw of ws) {
    while (Atomics.load(pw.status, 0) === 0) {
      const left = until - Date.now();
      if (left <= 0) break;
      Atomics.wait(pw.status, 0, 0, left);
    }
  }
  prune();
  return 1 + pool.slice(0, Math.max(0, nJobs - 1)).filter((pw) => Atomics.load(pw.status, 0) === 1).length;
}

/** A ColumnMatrix whose data lives in a SharedArrayBuffer (copied once when it does not). */
function sharedColumns(cm: ColumnMatrix): ColumnMatrix {
  if (cm.col.buffer instanceof SharedArrayBuffer) return cm;
  const col = new Float32Array(new SharedArrayBuffer(4 * cm.col.length));
  col.set(cm.col);
  return { n: cm.n, d: cm.d, col };
}

export interface ForestGrowth {
  trees: FlatTree[];
  /** Trees grown by worker threads (the rest by the calling thread). */
  byWorkers: number;
  /** Threads that took part (calling thread + workers that grew at least one tree). */
  threads: number;
}

/**
 * Grows trees 0..nTrees-1 (tree t from `new Rng(seed).fork(`tree${t}`)`) with up to `nJobs` threads: the calling
 * thread and nJobs - 1 pool workers. Synchronous. The same trees as growing them one by one in this thread.
 * `callerClaims: false` (tests): the calling thread only waits, once the workers are ready (it still grows the
 * trees if none is).
 */
export function growForest(cm: ColumnMatrix, y: Int32Array, seed: number, nTrees: number, opts: ClassTreeOptions, nJobs: number, callerClaims = true): ForestGrowth {
  if (!callerClaims && nJobs > 1 && warmForestPool(Math.min(nJobs, nTrees)) < 2) callerClaims = true;
  const root = new Rng(seed);
  const local = (t: number) => growClassTree(cm, y, root.fork(`tree${t}`), opts);
  const ws = nJobs > 1 && nTrees > 1 ? workers(Math.min(nJobs, nTrees) - 1) : [];
  if (!ws.length) return { trees: Array.from({ length: nTrees }, (_, t) => local(t)), byWorkers: 0, threads: 1 };
  const shared = sharedColumns(cm);
  let ys = y;
  if (!(y.buffer instanceof SharedArrayBuffer)) { ys = new Int32Array(new SharedArrayBuffer(4 * y.length)); ys.set(y); }
  const sync = new Int32Array(new SharedArrayBuffer(8));
  const jobId = ++jobCounter;
  const job: ForestJobMessage = {
    jobId, n: shared.n, d: shared.d, col: shared.col.buffer as SharedArrayBuffer, y: ys.buffer as SharedArrayBuffer,
    seed, nTrees, opts, sync: sync.buffer as SharedArrayBuffer,
  };
  for (const pw of ws) pw.worker.postMessage(job);
  const trees: (FlatTree | undefined)[] = new Array(nTrees);
  // this thread claims trees too (and grows all of them if the workers are still starting)
  while (callerClaims) {
    const t = Atomics.add(sync, 0, 1);
    if (t >= nTrees) break;
    trees[t] = local(t);
    Atomics.add(sync, 1, 1);
  }
  // Wait for the workers' trees. A worker killed mid-tree (an abort, not an exception) would never finish its
  // claim: after STALL_MS without any tree finishing, stop waiting and grow the missing trees here (tree t is the
  // same whoever grows it; a late result of that job is ignored).
  let last = Atomics.load(sync, 1), since = Date.now(), stalled = false;
  while (last < nTrees) {
    Atomics.wait(sync, 1, last, 1000);
    const done = Atomics.load(sync, 1);
    if (done !== last) { last = done; since = Date.now(); continue; }
    if (Date.now() - since > stallMs) {
      warnOnce(`no worker finished a tree for ${Math.round(stallMs / 1000)} s`);
      stalled = true;
      break;
    }
  }
  let byWorkers = 0, threads = 1;
  for (const pw of ws) {
    let grew = 0;
    for (let m = receiveMessageOnPort(pw.port); m; m = receiveMessageOnPort(pw.port)) {
      const msg = m.message as { jobId?: number; t?: number; tree?: FlatTreeFields; error?: string; startError?: string };
      if (msg.startError) { pw.error ??= msg.startError; continue; }
      if (msg.jobId !== jobId || msg.t === undefined) continue; // (not expected: every job is collected in full)
      if (msg.tree) { trees[msg.t] = FlatTree.fromFields(msg.tree); grew++; }
      else warnOnce(`a worker failed on tree ${msg.t} (${(msg.error ?? '').split('\n')[0]})`);
    }
    byWorkers += grew;
    if (grew) threads++;
  }
  for (let t = 0; t < nTrees; t++) if (!trees[t]) trees[t] = local(t);
  if (stalled) for (const pw of ws) { pw.failed = true; pw.error ??= 'stalled'; } // replaced by fresh workers next time
  prune();
  return { trees: trees as FlatTree[], byWorkers, threads };
}
