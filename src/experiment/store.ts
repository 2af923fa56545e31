/**
 * A resumable results store: one JSON-lines file per sweep, one line per finished cell.
 *
 *   const store = new ResultsStore('01-rda/lambda-noise.jsonl', { version: 'rda-v2' });   // results/<scale>/01-rda/...
 *   for (const lambda of lambdas) for (const noise of noises)
 *     await store.cell({ lambda, noise }, async () => ({ f1: await run(lambda, noise) }));
 *   table('sweep', store.rows());                                                       // [{ lambda, noise, f1 }, ...]
 *
 * Each line holds the cell's parameters, the code-version string and its result. `cell(params, fn)` returns the
 * stored result when a line with the same parameters AND version exists, otherwise computes `fn()`, appends the
 * line (flushed to disk at once) and returns it. A rerun therefore skips finished cells and an interrupted run
 * resumes; bump `version` when the code changes what a cell computes. A half-written last line (a run killed
 * mid-write) is ignored. Results must be JSON values (numbers, strings, arrays, plain objects); NaN and
 * +-Infinity survive the round trip. A relative file name is placed under `results/<scale>/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { getScale, type Scale } from './scale';

export type Params = Record<string, string | number | boolean | null>;

export interface StoredCell<R = unknown> { key: string; params: Params; version: string; result: R; seconds: number; finished: string }

/** Canonical JSON of the parameters (keys sorted), used as the cell's key. */
export function paramsKey(params: Params): string {
  const keys = Object.keys(params).sort();
  return JSON.stringify(keys.map((k) => [k, encode(params[k])]));
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

/** `results/<scale>/<rel>` for a relative path (project root = the folder above src/); absolute paths stay. */
export function resultsPath(file: string, scale: Scale = getScale()): string {
  return path.isAbsolute(file) ? file : path.join(path.resolve(__dirname, '..', '..'), 'results', scale, file);
}

export class ResultsStore {
  readonly file: string;
  readonly version: string;
  private cells = new Map<string, StoredCell>();
  /** Lines that could not be parsed when the file was read (e.g. a half-written last line). */
  readonly skippedLines: number;
  /** Cells computed (not read back) by this store object. */
  computed = 0;
  /** Cells served from the file by this store object. */
  reused = 0;

  constructor(file: string, opts: { version: string; scale?: Scale }) {
    if (!opts || typeof opts.version !== 'string' || opts.version === '') throw new Error('ResultsStore: give a non-empty code version string, e.g. { version: "rda-v1" }');
    this.file = resultsPath(file, opts.scale);
    this.version = opts.version;
    let skipped = 0;
    if (fs.existsSync(this.file)) {
      for (const line of fs.readFileSync(this.file, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          const rec = JSON.parse(line) as StoredCell;
          if (typeof rec.key !== 'string' || !('result' in rec)) { skipped++; continue; }
          if (rec.version === this.version) this.cells.set(rec.key, { ...rec, params: decode(rec.params) as Params, result: decode(rec.result) });
        } catch {
          skipped++;
        }
      }
    }
    this.skippedLines = skipped;
  }

  /** Number of finished cells (this version). */
  get size(): number { return this.cells.size; }

  has(params: Params): boolean { return this.cells.has(paramsKey(params)); }

  get<R = unknown>(params: Params): R | undefined { return this.cells.get(paramsKey(params))?.result as R | undefined; }

  /** The stored result for `params`, or computes `fn()`, appends it and returns it. */
  async cell<R>(params: Params, fn: () => R | Promise<R>): Promise<R> {
    const key = paramsKey(params);
    const hit = this.cells.get(key);
    if (hit) { this.reused++; return hit.result as R; }
    const t0 = performance.now();
    const result = await fn();
    const rec: StoredCell<R> = { key, params, version: this.version, result, seconds: (performance.now() - t0) / 1000, finished: new Date().toISOString() };
    this.append(rec);
    this.cells.set(key, { ...rec, params: decode(encode(params)) as Params, result: decode(encode(result)) });
    this.computed++;
    return result;
  }

  private append(rec: StoredCell): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const line = JSON.stringify(encode(rec)) + '\n';
    // A killed run may have left a last line without its newline: start on a fresh line.
    let prefix = '';
    if (fs.existsSync(this.file)) {
      const st = fs.statSync(this.file);
      if (st.size > 0) {
        const fd = fs.openSync(this.file, 'r');
        const b = Buffer.alloc(1);
        fs.readSync(fd, b, 0, 1, st.size - 1);
        fs.closeSync(fd);
        if (b[0] !== 0x0a) prefix = '\n';
      }
    }
    const fd = fs.openSync(this.file, 'a');
    try {
      fs.writeSync(fd, prefix + line);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** All finished cells in file order, each as stored. */
  entries<R = unknown>(): StoredCell<R>[] { return [...this.cells.values()] as StoredCell<R>[]; }

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
}
