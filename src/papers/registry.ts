/**
 * Which notebooks list their cells (see src/experiment/sweep.ts), and the function that lists them. A driver is
 * loaded only when its notebook is planned (loading a driver loads TensorFlow).
 *
 * To register a notebook: export `fooCells(scale, seed): CellSpec[]` from its driver (src/papers/foo.ts) listing
 * every `store.cell(...)` of the notebook in the notebook's order, make the notebook loop over that list
 * (`for (const c of cells) await computeCell(store, c)`, or `store.cell(c.params, c.compute)` for compute specs),
 * and add a line here.
 *  - A driver function that takes the store and calls `store.cell` itself (`phaseCell(store, ...)`) becomes a
 *    `write: (store) => phaseCell(store, ...)` spec whose `params` are the key it stores (checked after the run).
 *  - Cells fitted together (a batched row of a grid) are one spec with `covers: [key, key, ...]`.
 *  - Cells whose parameters come from other cells' results (a tuned c2) are listed only once those results are
 *    in the store (the lister may read the stores), after them; `sweep slurm --rounds R` then submits them.
 *  - Data every cell needs is loaded once per process (`memo`); anything written to a shared cache (a trained
 *    classifier under data/) must be written atomically (temporary file + rename) or made a cell of its own.
 */
import type { CellSpec } from '../experiment/sweep';
import type { Scale } from '../experiment/scale';

export type CellLister = (scale: Scale, seed: number) => CellSpec[];

export const NOTEBOOK_CELLS: Record<string, () => Promise<CellLister>> = {
  '00-autoencoders-and-factorization': async () => (await import('./sun2020')).sun2020Cells,
  '01-robust-deep-autoencoders': async () => (await import('./zhou2017')).zhou2017Cells,
  '02-rethink-autoencoders': async () => (await import('./li2020')).li2020Cells,
  '03-robust-variational-autoencoders': async () => (await import('./ren2020')).ren2020Cells,
  '04-hidden-talents-of-the-vae': async () => (await import('./dai2017')).daiCells,
};

/**
 * Notebooks whose lister adds cells once other cells are stored (dependent cells, listed at the end): how many
 * rounds `sweep slurm` submits and `sweep run` (whole plan) runs when --rounds is not given. 04: the AE cells at
 * the tuned C2 come after the C2 tuning cells.
 */
export const NOTEBOOK_ROUNDS: Record<string, number> = {
  '04-hidden-talents-of-the-vae': 2,
};

/**
 * `RML_SWEEP_EXTRA=/path/module.ts` registers one more notebook from a module exporting `notebook` (its name) and
 * `cells` (a CellLister): the tests' toy sweeps, or a user's own experiment list.
 */
function extra(): Record<string, () => Promise<CellLister>> {
  const file = process.env.RML_SWEEP_EXTRA;
  if (!file) return {};
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const m = require(file) as { notebook: string; cells: CellLister };
  if (typeof m.notebook !== 'string' || typeof m.cells !== 'function') throw new Error(`RML_SWEEP_EXTRA=${file}: export notebook (a name) and cells(scale, seed)`);
  return { [m.notebook]: async () => m.cells };
}

function registry(): Record<string, () => Promise<CellLister>> { return { ...NOTEBOOK_CELLS, ...extra() }; }

/** The registered notebook `name` stands for: a full name, its number ("01") or a unique substring ("robust-deep"). */
export function resolveNotebook(name: string): string {
  const all = Object.keys(registry());
  if (all.includes(name)) return name;
  const hits = all.filter((n) => n.split('-')[0] === name || n.startsWith(`${name}-`) || n.includes(name));
  if (hits.length === 1) return hits[0];
  if (hits.length > 1) throw new Error(`--notebook ${name} is ambiguous: ${hits.join(', ')}`);
  throw new Error(`--notebook ${name}: no registered cells (registered: ${all.join(', ')}; see src/papers/registry.ts)`);
}

export async function notebookCells(name: string, scale: Scale, seed: number): Promise<CellSpec[]> {
  return (await registry()[resolveNotebook(name)]())(scale, seed);
}
