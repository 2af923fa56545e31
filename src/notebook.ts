/**
 * Notebook helpers: one set-up call, then figures, tables and text that show inline in Jupyter (tslab) AND land
 * in files, so a headless run (`npm run reproduce`) leaves every figure and table on disk.
 *
 *   import 'tsx/cjs';                                      // first line of the set-up cell: lets tslab load .ts
 *   import { setupNotebook, figure, table, markdown } from 'rml/notebook';
 *   const nb = await setupNotebook('01-robust-deep-autoencoders');
 *   await figure('loss', lines({ ... }));                  // figures/01-.../loss.svg, .png, .pdf, .data.csv; shown inline
 *   table('results', rows, { caption: 'Table 1' });        // figures/01-.../results.csv, shown inline
 *
 * Inside tslab a figure is one display_data carrying the vega-lite spec (JupyterLab renders it natively, with
 * tooltips and any `explore` control) and a PNG (classic Notebook, nbconvert, GitHub, saved notebooks). Every figure
 * is written as SVG, PNG (2x), PDF (vector, font embedded, 1 px = 1 pt) and, when it has data, `<name>.data.csv`
 * (the rows it draws, all positions of an `explore` control included) so it can be redrawn elsewhere. Outside a notebook (plain node, tests) the same calls only write the
 * files and print their paths. Where files go: `figures/<notebook>/` at quick and paper scale; at smoke scale
 * `results/smoke/figures/<notebook>/`, so `npm test` never overwrites the real figures. `RML_FIGURES_DIR`
 * overrides the root folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { backendInfo, initBackend } from './backend';
import { getScale, getSeed, type Scale } from './experiment/scale';
import { Rng } from './random';
import { save, withConfig, type VegaLiteSpec } from './plots/render';
import { rowsToHTML, saveCSV, tableRows, formatTable, type DataFrameLike, type RowLike } from './tables';

/** The project root (this file lives in src/). */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

export interface NotebookContext {
  name: string;
  scale: Scale;
  seed: number;
  rng: Rng;
  backend: string;
  /** Folder of this notebook's figures and tables. */
  figDir: string;
  /** Folder of this notebook's results at this scale: `results/<scale>/<notebook>/`. */
  resultsDir: string;
  inNotebook: boolean;
}

let ctx: NotebookContext | null = null;

// ------------------------------------------------------------------------------------------------ tslab display
export { inNotebook, display, newDisplayId } from './display';
import { inNotebook, display } from './display';

// ------------------------------------------------------------------------------------------------ set-up
function figuresRoot(scale: Scale): string {
  if (process.env.RML_FIGURES_DIR) return path.resolve(process.env.RML_FIGURES_DIR);
  return scale === 'smoke' ? path.join(PROJECT_ROOT, 'results', 'smoke', 'figures') : path.join(PROJECT_ROOT, 'figures');
}

/**
 * Call once at the top of a notebook: initialises the backend and prints backend, scale, seed and figure folder.
 * `name` is the notebook's file name without extension (e.g. '01-robust-deep-autoencoders').
 */
export async function setupNotebook(name: string, opts: { seed?: number } = {}): Promise<NotebookContext> {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`setupNotebook: "${name}" is not a plain file name`);
  await initBackend();
  const scale = getScale();
  const seed = opts.seed ?? getSeed();
  const figDir = path.join(figuresRoot(scale), name);
  const resultsDir = path.join(PROJECT_ROOT, 'results', scale, name);
  fs.mkdirSync(figDir, { recursive: true });
  fs.mkdirSync(resultsDir, { recursive: true });
  ctx = { name, scale, seed, rng: new Rng(seed), backend: backendInfo(), figDir, resultsDir, inNotebook: inNotebook() };
  const rel = (p: string) => path.relative(PROJECT_ROOT, p) || '.';
  console.log([
    `notebook  ${name}`,
    `backend   ${ctx.backend}`,
    `scale     ${scale}   (RML_SCALE = smoke | quick | paper)`,
    `seed      ${seed}   (RML_SEED)`,
    `figures   ${rel(figDir)}/`,
    `results   ${rel(resultsDir)}/`,
  ].join('\n'));
  return ctx;
}

/** The current notebook context (set by `setupNotebook`; a default one named after RML_NOTEBOOK_NAME or 'scratch'). */
export function notebookContext(): NotebookContext {
  if (ctx) return ctx;
  const scale = getScale();
  const name = process.env.RML_NOTEBOOK_NAME ?? 'scratch';
  const seed = getSeed();
  ctx = { name, scale, seed, rng: new Rng(seed), backend: backendInfo(), figDir: path.join(figuresRoot(scale), name), resultsDir: path.join(PROJECT_ROOT, 'results', scale, name), inNotebook: inNotebook() };
  return ctx;
}

// ------------------------------------------------------------------------------------------------ outputs
function checkName(kind: string, name: string): void {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`${kind}: "${name}" is not a plain file name (letters, digits, _ . -)`);
}

/**
 * Shows a vega-lite spec and saves `<figDir>/<name>.svg`, `.png`, `.pdf` and `.data.csv` (returns nothing, so a
 * cell ending in `await figure(...)` prints no value).
 * `scale` is the PNG's pixel ratio (default 2). For a paper, build the chart with `paper: 'column' | 'page'`.
 */
export async function figure(name: string, spec: VegaLiteSpec, opts: { scale?: number } = {}): Promise<void> {
  checkName('figure', name);
  const c = notebookContext();
  const { svgPath, pngPath, pdfPath, csvPath, png } = await save(spec, path.join(c.figDir, name), { scale: opts.scale ?? 2 });
  const shown = display({ 'application/vnd.vegalite.v5+json': withConfig(spec), 'image/png': png, 'text/plain': `[figure ${name}]` });
  if (!shown) console.log(`figure saved: ${path.relative(process.cwd(), svgPath)} (+ ${[pngPath, pdfPath, csvPath].filter(Boolean).map((p) => path.basename(p!)).join(', ')})`);
}

/** Shows a table (rows of objects or a danfojs DataFrame) as HTML and saves `<figDir>/<name>.csv`. */
export function table(name: string, data: readonly RowLike[] | DataFrameLike, opts: { caption?: string; maxRows?: number } = {}): void {
  checkName('table', name);
  const c = notebookContext();
  const rows = tableRows(data);
  const file = saveCSV(rows, path.join(c.figDir, `${name}.csv`));
  const shown = display({ 'text/html': rowsToHTML(rows, opts), 'text/plain': (opts.caption ? opts.caption + '\n' : '') + formatTable(rows) });
  if (!shown) console.log(`${opts.caption ? opts.caption + '\n' : ''}${formatTable(rows.slice(0, opts.maxRows ?? 50))}\ntable saved: ${path.relative(process.cwd(), file)}`);
}

/** Shows markdown text (printed as is outside a notebook). */
export function markdown(text: string): void {
  if (!display({ 'text/markdown': text, 'text/plain': text })) console.log(text);
}

/** Shows raw HTML (printed as is outside a notebook). */
export function html(text: string): void {
  if (!display({ 'text/html': text, 'text/plain': text.replace(/<[^>]+>/g, '') })) console.log(text);
}
