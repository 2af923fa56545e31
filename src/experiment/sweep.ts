/**
 * Cells as the unit of distribution. A paper driver lists its notebook's cells (`CellSpec`s): which results store
 * (file + code version) the cell lives in, its parameters, a rough work estimate and a `compute()` that returns the
 * result. The notebook loops over the same list and writes through `store.cell(params, compute)`; `npm run sweep`
 * plans the list, runs any subset of it in other processes (a local pool, Slurm array tasks, Kubernetes indexed
 * pods) into the same stores, and the notebook then renders with nothing left to compute.
 *
 *   export function zhou2017Cells(scale: Scale, seed: number): CellSpec[] { ... }        // in src/papers/zhou2017.ts
 *   const plan = planCells('01-robust-deep-autoencoders', zhou2017Cells(scale, seed), scale, seed);
 *   await runPlannedCell(plan[3]);                                                         // into results/<scale>/...
 *
 * A planned cell has a stable index (its place in the driver's list: drivers list cells in a fixed order, the
 * notebook's loop order) and a content hash of (notebook, store file, code version, parameters, scale, seed), so
 * a task started from a manifest can check that the code it runs still plans the same cell.
 */
import crypto from 'node:crypto';
import { ResultsStore, paramsKey, type CellStatus, type Params } from './store';
import type { Scale } from './scale';

interface CellBase {
  /** Short experiment name (one results store), e.g. 'fig2'. */
  experiment: string;
  /** The store's file, relative to results/<scale>/ (as the notebook opens it). */
  file: string;
  /** The store's code version (bumped when the code changes what a cell computes). */
  version: string;
  params: Params;
  /** Rough work of the cell in GFLOP (for the plan's cost estimate and for scheduling big cells first). */
  gflop?: number;
  /**
   * Every store key a `write` spec stores (default: `[params]`): a spec may stand for several stored cells that
   * are computed together (e.g. a row of a grid fitted in one batched run). Done when all of them are stored.
   */
  covers?: Params[];
}

/** A cell computed by `compute()` and stored as `store.cell(params, compute)`. */
export interface ComputeCellSpec<R = unknown> extends CellBase { compute: () => Promise<R>; write?: undefined }

/**
 * A cell stored by a driver function that takes the store and calls `store.cell(...)` itself (e.g.
 * `phaseCell(store, ...)`): `write(store)` must store every key of `covers` (default `[params]`), else the run fails.
 */
export interface WriteCellSpec extends CellBase { write: (store: ResultsStore) => Promise<unknown>; compute?: undefined }

export type CellSpec<R = unknown> = ComputeCellSpec<R> | WriteCellSpec;

/** How a notebook computes (or reads back) one listed cell through its store. */
export async function computeCell<R = unknown>(store: ResultsStore, c: CellSpec<R>): Promise<unknown> {
  return c.write ? c.write(store) : store.cell(c.params, c.compute!);
}

const coveredKeys = (c: Pick<CellBase, 'params' | 'covers'>): Params[] => (c.covers?.length ? c.covers : [c.params]);

interface Placement { notebook: string; index: number; hash: string; scale: Scale; seed: number }
export type PlannedCell<R = unknown> = CellSpec<R> & Placement;

/** The manifest's JSON form of a planned cell (no function). */
export type ManifestCell = CellBase & Placement;

export function cellHash(notebook: string, c: { file: string; version: string; params: Params }, scale: Scale, seed: number): string {
  return crypto.createHash('sha256').update(JSON.stringify([notebook, c.file, c.version, paramsKey(c.params), scale, seed])).digest('hex').slice(0, 16);
}

/** Indexes and hashes a driver's cells; throws on a cell listed twice (same store, version and parameters). */
export function planCells(notebook: string, specs: CellSpec[], scale: Scale, seed: number): PlannedCell[] {
  const seen = new Map<string, number>();
  return specs.map((c, index) => {
    if (typeof c.compute !== 'function' && typeof c.write !== 'function') throw new Error(`${notebook}: cell ${index} (${(c as CellBase).experiment}) has neither compute() nor write(store)`);
    const hash = cellHash(notebook, { ...c, params: c.covers?.length ? { ...c.params, $covers: paramsKey(Object.fromEntries(c.covers.map((p, i) => [String(i), paramsKey(p)]))) } : c.params }, scale, seed);
    const dup = seen.get(hash);
    if (dup !== undefined) throw new Error(`${notebook}: cells ${dup} and ${index} are the same cell (${c.file} ${paramsKey(c.params)})`);
    seen.set(hash, index);
    return { ...c, notebook, index, hash, scale, seed };
  });
}

export function manifestCell(c: PlannedCell): ManifestCell {
  const { compute: _compute, write: _write, ...rest } = c; // eslint-disable-line @typescript-eslint/no-unused-vars
  return rest as ManifestCell;
}

const stores = new Map<string, ResultsStore>();
/** The results store of a cell (one object per store file and version in this process). */
export function storeOf(c: Pick<PlannedCell, 'file' | 'version' | 'scale'>, fresh = false): ResultsStore {
  const k = `${c.scale}\0${c.file}\0${c.version}`;
  let s = stores.get(k);
  if (!s || fresh) { s = new ResultsStore(c.file, { version: c.version, scale: c.scale }); stores.set(k, s); }
  return s;
}

export interface CellOutcome { index: number; state: 'computed' | 'stored' | 'duplicate'; seconds: number }

/** Computes one cell into its store (skipped when it is there already; another process's finished result wins). */
export async function runPlannedCell(c: PlannedCell): Promise<CellOutcome> {
  const store = storeOf(c);
  const t0 = performance.now();
  const before = { computed: store.computed, dup: store.duplicates };
  if (c.write) {
    store.reload(); // other processes may have stored some of its cells since
    const keys = coveredKeys(c);
    if (keys.every((k) => store.has(k))) return { index: c.index, state: 'stored', seconds: 0 };
    await c.write(store);
    const missing = keys.filter((k) => !store.has(k));
    if (missing.length) throw new Error(`cell ${c.index} (${c.experiment}): write(store) did not store ${missing.map((k) => paramsKey(k)).join(', ')} (its params / covers must be the keys the driver stores)`);
  } else {
    await store.cell(c.params, c.compute!);
  }
  const seconds = (performance.now() - t0) / 1000;
  const state = store.computed > before.computed ? 'computed' : store.duplicates > before.dup ? 'duplicate' : 'stored';
  return { index: c.index, state, seconds };
}

/** The state of every planned cell, from the stores' files as they are now. */
export function cellStates(cells: Pick<PlannedCell, 'file' | 'version' | 'scale' | 'params' | 'covers' | 'index' | 'experiment'>[]): (CellStatus & { index: number; experiment: string })[] {
  const fresh = new Map<string, ResultsStore>();
  const rank: Record<CellStatus['state'], number> = { failed: 3, running: 2, missing: 1, done: 0 };
  return cells.map((c) => {
    const k = `${c.scale}\0${c.file}\0${c.version}`;
    let s = fresh.get(k);
    if (!s) { s = new ResultsStore(c.file, { version: c.version, scale: c.scale }); fresh.set(k, s); }
    // a spec covering several stored cells: done when all are; else its worst state (failed > running > missing)
    const st = coveredKeys(c).map((p) => s!.status(p)).sort((x, y) => rank[y.state] - rank[x.state])[0];
    return { ...st, index: c.index, experiment: c.experiment };
  });
}

/** Rewrites every store of the plan whole, its cells in plan order (see ResultsStore.compact). */
export function mergeStores(cells: Pick<PlannedCell, 'file' | 'version' | 'scale' | 'params' | 'covers'>[]): { file: string; cells: number }[] {
  const byStore = new Map<string, { c: Pick<PlannedCell, 'file' | 'version' | 'scale'>; order: Params[] }>();
  for (const c of cells) {
    const k = `${c.scale}\0${c.file}\0${c.version}`;
    if (!byStore.has(k)) byStore.set(k, { c, order: [] });
    byStore.get(k)!.order.push(...coveredKeys(c));
  }
  return [...byStore.values()].map(({ c, order }) => {
    const s = new ResultsStore(c.file, { version: c.version, scale: c.scale });
    return { file: s.file, cells: s.compact(order) };
  });
}

/** Once-per-process memo for the data a driver's cells share (loaded only when a cell is computed). */
export function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => (p ??= fn().catch((e) => { p = null; throw e; }));
}

/**
 * Training work of a dense autoencoder in GFLOP: about 6 flops per weight per sample per epoch (forward,
 * backward, update); tied decoder weights count twice.
 */
export function denseTrainGflop(layers: number[], samples: number, epochs: number, tied = true): number {
  let w = 0;
  for (let i = 1; i < layers.length; i++) w += layers[i - 1] * layers[i];
  return (6 * (tied ? 2 : 1) * w * samples * epochs) / 1e9;
}
