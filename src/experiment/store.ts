/**
 * A resumable results store: one JSON-lines file per sweep, one line per finished cell, safe to share between
 * many processes on one file system (several notebooks, a local worker pool, the tasks of a Slurm job array on
 * an NFS home).
 *
 *   const store = new ResultsStore('01-rda/lambda-noise.jsonl', { version: 'rda-v2' });   // results/<scale>/01-rda/...
 *   for (const lambda of lambdas) for (const noise of noises)
 *     await store.cell({ lambda, noise }, async () => ({ f1: await run(lambda, noise) }));
 *   table('sweep', store.rows());                                                       // [{ lambda, noise, f1 }, ...]
 *
 * Each line holds the cell's parameters, the code-version string, its result and its provenance (host, pid,
 * backend, git commit, seconds, finish time). `cell(params, fn)` returns the stored result when a cell with the
 * same parameters AND version exists, otherwise computes `fn()`, stores it and returns it. A rerun therefore skips
 * finished cells and an interrupted run resumes; bump `version` when the code changes what a cell computes.
 * Results must be JSON values (numbers, strings, arrays, plain objects); NaN and +-Infinity survive the round
 * trip. A relative file name is placed under `results/<scale>/`.
 *
 * Sharing (no locks, no daemon; only operations that are atomic on NFS too):
 *  - a finished cell is first written whole to a temporary file in the claims folder `<file>.cells/`, fsynced,
 *    and then hard-linked to its claim name `<id>.json` (`id` = hash of version and parameters). `link` fails if
 *    the name exists, so of two processes that computed the same cell the FIRST TO FINISH wins; the other drops
 *    its result and returns the winner's (a reader therefore always sees one result per cell, the same one);
 *  - the winner then appends the line to the JSON-lines file (one `write` in append mode). That file is a
 *    convenience copy in the old layout: a torn or lost line (a writer killed mid-write, NFS clients appending at
 *    once) is ignored on read because the claim file holds the cell; `npm run sweep -- merge` (or `compact()`)
 *    rewrites the JSON-lines file whole from the claims;
 *  - a SIGKILLed writer leaves at most a temporary file (ignored, removed by `compact()`) and a stale "running"
 *    marker; its cell is simply missing and is computed again by the next run;
 *  - `<id>.running-<host>-<pid>` and `<id>.failed-<host>-<pid>.json` markers let `status()` tell running and
 *    failed cells from missing ones.
 * Reading: the claim files are authoritative; a line of the JSON-lines file without a claim (files written
 * before claims existed) counts too, the first such line per cell winning. `rows()` / `entries()` list the cells
 * this object asked for through `cell()` in the order it asked (so a notebook's tables do not depend on which
 * worker finished first), then the remaining cells in file order.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getScale, type Scale } from './scale';

export type Params = Record<string, string | number | boolean | null>;

/** Where and how a cell was computed. */
export interface Provenance { host: string; pid: number; backend: string; commit: string }

export interface StoredCell<R = unknown> extends Partial<Provenance> { key: string; params: Params; version: string; result: R; seconds: number; finished: string }

export type CellState = 'done' | 'running' | 'failed' | 'missing';

export interface CellStatus { state: CellState; key: string; id: string; detail?: string; host?: string; pid?: number }

/** Canonical JSON of the parameters (keys sorted), used as the cell's key. */
export function paramsKey(params: Params): string {
  const keys = Object.keys(params).sort();
  return JSON.stringify(keys.map((k) => [k, encode(params[k])]));
}

/** File-name-safe id of one cell of one code version. */
export function cellId(version: string, key: string): string {
  return crypto.createHash('sha256').update(`${version}\0${key}`).digest('hex').slice(0, 32);
}

function encode(v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
  if (Array.isArray(v)) return v.map(encode);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>).map(encode);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}

function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Object.keys(o).length === 1 && typeof o.$num === 'string') return Number(o.$num);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
  }
  return v;
}

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The results folder: `results/` in the project (`RML_RESULTS_DIR` moves the stores elsewhere, e.g. for tests). */
export function resultsRoot(): string {
  return process.env.RML_RESULTS_DIR ? path.resolve(process.env.RML_RESULTS_DIR) : path.join(PROJECT_ROOT, 'results');
}

/** `results/<scale>/<rel>` for a relative path (project root = the folder above src/); absolute paths stay. */
export function resultsPath(file: string, scale: Scale = getScale()): string {
  return path.isAbsolute(file) ? file : path.join(resultsRoot(), scale, file);
}

let commitCache: string | null = null;
/**
 * The project's git commit (`RML_COMMIT` if set, e.g. on a cluster copy without .git; else read from .git
 * without running git), with `+dirty`-free short form; 'unknown' when neither is available.
 */
export function codeCommit(): string {
  if (process.env.RML_COMMIT) return process.env.RML_COMMIT;
  if (commitCache !== null) return commitCache;
  commitCache = 'unknown';
  try {
    const git = path.join(PROJECT_ROOT, '.git');
    const head = fs.readFileSync(path.join(git, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) commitCache = head.slice(0, 12);
    else {
      const ref = head.slice(5);
      const loose = path.join(git, ref);
      if (fs.existsSync(loose)) commitCache = fs.readFileSync(loose, 'utf8').trim().slice(0, 12);
      else {
        const packed = fs.readFileSync(path.join(git, 'packed-refs'), 'utf8').split('\n').find((l) => l.endsWith(` ${ref}`));
        if (packed) commitCache = packed.slice(0, 12);
      }
    }
  } catch { /* not a git checkout */ }
  return commitCache;
}

/** The tfjs backend of this process if the project's backend module is loaded (the store never loads it). */
function backendName(): string {
  for (const id of Object.keys(require.cache)) {
    if (/[\\/]src[\\/]backend\.(ts|js)$/.test(id)) {
      try { return (require.cache[id]!.exports as { backendInfo(): string }).backendInfo(); } catch { return 'unknown'; }
    }
  }
  return 'none';
}

export function provenance(): Provenance {
  return { host: os.hostname(), pid: process.pid, backend: backendName(), commit: codeCommit() };
}

/** Is process `pid` on this host alive? (Another host's processes cannot be checked: undefined.) */
function alive(host: string | undefined, pid: number | undefined): boolean | undefined {
  if (host !== os.hostname() || !pid) return undefined;
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Test hook: `RML_STORE_PAUSE=before-link|after-link` stops a writer there (so a test can SIGKILL it mid-write). */
function pauseHook(stage: 'before-link' | 'after-link'): void {
  if (process.env.RML_STORE_PAUSE !== stage) return;
  fs.writeSync(1, `store: paused ${stage}\n`);
  const sab = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(sab, 0, 0, 1000);
}

const safe = (s: string) => s.replace(/[^\w.-]/g, '_');

function readJSON(file: string): unknown {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return undefined; }
}

export class ResultsStore {
  readonly file: string;
  /** The claims folder beside the JSON-lines file (`<file>.cells/`). */
  readonly claimsDir: string;
  readonly version: string;
  private cells = new Map<string, StoredCell>();
  /** Keys asked for through `cell()`, in order (the order of `entries()`). */
  private asked: string[] = [];
  private askedSet = new Set<string>();
  /** Lines that could not be parsed when the file was read (e.g. a half-written last line). */
  skippedLines = 0;
  /** Cells computed (not read back) by this store object. */
  computed = 0;
  /** Cells served from the files by this store object. */
  reused = 0;
  /** Cells this object computed but another process had finished first (their result was dropped). */
  duplicates = 0;

  constructor(file: string, opts: { version: string; scale?: Scale }) {
    if (!opts || typeof opts.version !== 'string' || opts.version === '') throw new Error('ResultsStore: give a non-empty code version string, e.g. { version: "rda-v1" }');
    this.file = resultsPath(file, opts.scale);
    this.claimsDir = `${this.file}.cells`;
    this.version = opts.version;
    this.reload();
  }

  /** Re-reads the JSON-lines file and the claims (cells other processes finished since). */
  reload(): void {
    const cells = new Map<string, StoredCell>();
    let skipped = 0;
    const fromLines: StoredCell[] = [];
    if (fs.existsSync(this.file)) {
      for (const line of fs.readFileSync(this.file, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          const rec = JSON.parse(line) as StoredCell;
          if (typeof rec.key !== 'string' || !('result' in rec)) { skipped++; continue; }
          if (rec.version === this.version) fromLines.push(rec);
        } catch {
          skipped++;
        }
      }
    }
    const claims = new Map<string, StoredCell>();
    for (const rec of this.readClaims()) claims.set(rec.key, rec);
    // file order first (a claim replaces its line: they are the same cell), then claims without a line
    for (const rec of fromLines) {
      if (cells.has(rec.key)) continue;
      cells.set(rec.key, this.decoded(claims.get(rec.key) ?? rec));
    }
    const rest = [...claims.values()].filter((r) => !cells.has(r.key)).sort((a, b) => (a.finished < b.finished ? -1 : a.finished > b.finished ? 1 : a.key < b.key ? -1 : 1));
    for (const rec of rest) cells.set(rec.key, this.decoded(rec));
    this.cells = cells;
    this.skippedLines = skipped;
  }

  private decoded(rec: StoredCell): StoredCell {
    return { ...rec, params: decode(rec.params) as Params, result: decode(rec.result) };
  }

  private readClaims(): StoredCell[] {
    if (!fs.existsSync(this.claimsDir)) return [];
    const out: StoredCell[] = [];
    for (const f of fs.readdirSync(this.claimsDir)) {
      if (!/^[0-9a-f]{32}\.json$/.test(f)) continue;
      const rec = readJSON(path.join(this.claimsDir, f)) as StoredCell | undefined;
      if (rec && typeof rec.key === 'string' && 'result' in rec && rec.version === this.version) out.push(rec);
    }
    return out;
  }

  private readClaim(id: string): StoredCell | undefined {
    const rec = readJSON(path.join(this.claimsDir, `${id}.json`)) as StoredCell | undefined;
    return rec && typeof rec.key === 'string' && 'result' in rec && rec.version === this.version ? this.decoded(rec) : undefined;
  }

  /** Number of finished cells (this version). */
  get size(): number { return this.cells.size; }

  has(params: Params): boolean { return this.cells.has(paramsKey(params)); }

  get<R = unknown>(params: Params): R | undefined { return this.cells.get(paramsKey(params))?.result as R | undefined; }

  /** The whole stored record (with provenance) of a finished cell. */
  record<R = unknown>(params: Params): StoredCell<R> | undefined { return this.cells.get(paramsKey(params)) as StoredCell<R> | undefined; }

  private ask(key: string): void {
    if (!this.askedSet.has(key)) { this.askedSet.add(key); this.asked.push(key); }
  }

  /** The stored result for `params`, or computes `fn()`, stores it and returns it (another process's finished result wins). */
  async cell<R>(params: Params, fn: () => R | Promise<R>): Promise<R> {
    const key = paramsKey(params);
    this.ask(key);
    const hit = this.cells.get(key);
    if (hit) { this.reused++; return hit.result as R; }
    const id = cellId(this.version, key);
    const other = this.readClaim(id); // finished by another process since this store was read
    if (other) { this.cells.set(key, other); this.reused++; return other.result as R; }
    fs.mkdirSync(this.claimsDir, { recursive: true });
    const prov = provenance();
    const tag = `${safe(prov.host)}-${prov.pid}`;
    const running = path.join(this.claimsDir, `${id}.running-${tag}`);
    try { fs.writeFileSync(running, JSON.stringify({ key, params: encode(params), started: new Date().toISOString(), ...prov }) + '\n'); } catch { /* a marker only */ }
    const t0 = performance.now();
    let result: R;
    try {
      result = await fn();
    } catch (e) {
      const err = e as Error;
      try {
        fs.writeFileSync(path.join(this.claimsDir, `${id}.failed-${tag}.json`), JSON.stringify({ key, params: encode(params), version: this.version, error: String(err?.stack ?? err), failed: new Date().toISOString(), seconds: (performance.now() - t0) / 1000, ...prov }, null, 1) + '\n');
      } catch { /* the error is thrown anyway */ }
      fs.rmSync(running, { force: true });
      throw e;
    }
    const rec: StoredCell<R> = { key, params, version: this.version, result, seconds: (performance.now() - t0) / 1000, finished: new Date().toISOString(), ...prov };
    const won = this.publish(id, rec);
    fs.rmSync(running, { force: true });
    if (!won) {
      const winner = this.readClaim(id);
      if (winner) { this.cells.set(key, winner); this.duplicates++; this.reused++; return winner.result as R; }
    }
    if (won) this.appendLine(rec);
    this.cells.set(key, { ...rec, params: decode(encode(params)) as Params, result: decode(encode(result)) });
    this.computed++;
    return result;
  }

  /** Writes the claim `<id>.json` atomically; false when another process's claim is already there. */
  private publish(id: string, rec: StoredCell): boolean {
    const final = path.join(this.claimsDir, `${id}.json`);
    const tmp = path.join(this.claimsDir, `.tmp-${id}-${safe(os.hostname())}-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, JSON.stringify(encode(rec)) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    pauseHook('before-link');
    try {
      try {
        fs.linkSync(tmp, final);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return false;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
        // a file system without hard links: exclusive copy (a reader may briefly see a partial file: ignored)
        try { fs.copyFileSync(tmp, final, fs.constants.COPYFILE_EXCL); } catch (e2) { if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false; throw e2; }
      }
      pauseHook('after-link');
      return true;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  private appendLine(rec: StoredCell): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const line = JSON.stringify(encode(rec)) + '\n';
    // A killed run may have left a last line without its newline: start on a fresh line (an extra newline is harmless).
    let prefix = '';
    try {
      const st = fs.statSync(this.file);
      if (st.size > 0) {
        const fd = fs.openSync(this.file, 'r');
        const b = Buffer.alloc(1);
        fs.readSync(fd, b, 0, 1, st.size - 1);
        fs.closeSync(fd);
        if (b[0] !== 0x0a) prefix = '\n';
      }
    } catch { /* no file yet */ }
    const fd = fs.openSync(this.file, 'a');
    try {
      fs.writeSync(fd, prefix + line);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** All finished cells: those asked for through `cell()` in that order, then the rest in file order. */
  entries<R = unknown>(): StoredCell<R>[] {
    const out: StoredCell[] = [];
    for (const k of this.asked) { const c = this.cells.get(k); if (c) out.push(c); }
    for (const [k, c] of this.cells) if (!this.askedSet.has(k)) out.push(c);
    return out as StoredCell<R>[];
  }

  /**
   * Flat rows for tables and plots: `{ ...params, ...result }` when the result is a plain object, else
   * `{ ...params, result }`. Nested values are kept as they are.
   */
  rows(): Record<string, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
    return this.entries().map((c) => {
      const r = c.result;
      return r && typeof r === 'object' && !Array.isArray(r) ? { ...c.params, ...(r as object) } : { ...c.params, result: r };
    });
  }

  /**
   * The state of one cell from the files as they are now: done, running (a live marker; on another host a
   * marker counts as running), failed (an error record and no result), or missing (also: a marker whose
   * process on this host is dead, i.e. a killed task).
   */
  status(params: Params): CellStatus {
    const key = paramsKey(params);
    const id = cellId(this.version, key);
    if (this.readClaim(id) || (this.cells.has(key) && !fs.existsSync(path.join(this.claimsDir, `${id}.json`)))) return { state: 'done', key, id };
    const files = fs.existsSync(this.claimsDir) ? fs.readdirSync(this.claimsDir).filter((f) => f.startsWith(`${id}.`)) : [];
    for (const f of files.filter((x) => x.includes('.running-'))) {
      const m = readJSON(path.join(this.claimsDir, f)) as { host?: string; pid?: number; started?: string } | undefined;
      const live = alive(m?.host, m?.pid);
      if (live === false) continue;
      return { state: 'running', key, id, host: m?.host, pid: m?.pid, detail: `since ${m?.started ?? '?'}` };
    }
    const failed = files.filter((x) => x.includes('.failed-')).map((f) => readJSON(path.join(this.claimsDir, f)) as { error?: string; host?: string; pid?: number; failed?: string } | undefined).filter(Boolean);
    if (failed.length) {
      failed.sort((a, b) => ((a!.failed ?? '') < (b!.failed ?? '') ? 1 : -1));
      const f = failed[0]!;
      return { state: 'failed', key, id, host: f.host, pid: f.pid, detail: (f.error ?? '').split('\n')[0] };
    }
    return { state: 'missing', key, id };
  }

  /**
   * Rewrites the JSON-lines file whole from the claims and the lines (lines of other versions kept first, then
   * this version's cells: in `order` (keys or params) when given, else file order), atomically (temporary file +
   * rename). Removes temporary files and markers of dead processes on this host and error records of cells
   * that are done. Returns the number of cells written.
   */
  compact(order: (string | Params)[] = []): number {
    this.reload();
    const keep: string[] = [];
    if (fs.existsSync(this.file)) {
      for (const line of fs.readFileSync(this.file, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        try { const rec = JSON.parse(line) as StoredCell; if (typeof rec.key === 'string' && 'result' in rec && rec.version !== this.version) keep.push(line); } catch { /* torn */ }
      }
    }
    const keys = order.map((o) => (typeof o === 'string' ? o : paramsKey(o)));
    const seen = new Set<string>();
    const recs: StoredCell[] = [];
    for (const k of keys) { const c = this.cells.get(k); if (c && !seen.has(k)) { seen.add(k); recs.push(c); } }
    for (const [k, c] of this.cells) if (!seen.has(k)) { seen.add(k); recs.push(c); }
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${safe(os.hostname())}-${process.pid}`;
    fs.writeFileSync(tmp, [...keep, ...recs.map((r) => JSON.stringify(encode(r)))].map((l) => l + '\n').join(''));
    const fd = fs.openSync(tmp, 'r+');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, this.file);
    if (fs.existsSync(this.claimsDir)) {
      const doneIds = new Set(recs.map((r) => cellId(this.version, r.key)));
      const host = safe(os.hostname());
      for (const f of fs.readdirSync(this.claimsDir)) {
        const full = path.join(this.claimsDir, f);
        const tmpM = /^\.tmp-[0-9a-f]{32}-(.+)-(\d+)-[0-9a-f]{8}$/.exec(f);
        const runM = /^([0-9a-f]{32})\.running-(.+)-(\d+)$/.exec(f);
        const failM = /^([0-9a-f]{32})\.failed-.+\.json$/.exec(f);
        if (tmpM && tmpM[1] === host && alive(os.hostname(), Number(tmpM[2])) === false) fs.rmSync(full, { force: true });
        else if (runM && runM[2] === host && alive(os.hostname(), Number(runM[3])) === false) fs.rmSync(full, { force: true });
        else if (failM && doneIds.has(failM[1])) fs.rmSync(full, { force: true });
      }
    }
    this.skippedLines = 0;
    return recs.length;
  }
}
