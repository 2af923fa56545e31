/**
 * Builds the Jupyter notebooks from their percent-format TypeScript sources.
 *
 *   notebooks/src/NN-name.ts  ->  notebooks/NN-name.ipynb     (kernel tslab, language typescript, no outputs)
 *
 *   tsx scripts/build-notebooks.ts            write every .ipynb whose content changed
 *   tsx scripts/build-notebooks.ts --check    write nothing; exit 1 listing the .ipynb files that are out of date
 *                                             (also an executed notebook whose outputs belong to an older source)
 *   tsx scripts/build-notebooks.ts FILE...    only these sources
 *   tsx scripts/build-notebooks.ts --adopt quick [FILE...]
 *                                             copy the executed notebooks of results/quick/notebooks/ (from
 *                                             `npm run reproduce -- --scale quick`) into notebooks/, with their
 *                                             outputs made small (see adoptExecuted) and stamped with the hash of
 *                                             the source they ran
 *
 * Executed notebooks: a committed notebook may carry the outputs of a run (figures as PNG beside the vega-lite
 * spec, HTML tables, the claims table), so it reads on a code host before anyone runs it. Its metadata
 * `rml.source_sha256` is the hash of the cells it executed (sourceHash). The build keeps such a notebook while its
 * cells and hash match the current source; when the source changed, `--check` fails ("outputs belong to an older
 * source") and a plain build rewrites the notebook without outputs, so stale outputs are never left beside new code.
 *
 * Source format (the "percent" format of jupytext/VS Code, see notebooks/README.md):
 *   // %%                  starts a code cell (text after the marker is ignored, e.g. `// %% set-up`)
 *   // %% [markdown]       starts a markdown cell; each of its lines starts with `// ` (or is `//` for a blank line)
 * Leading and trailing blank lines of a cell are dropped; text before the first marker becomes a code cell when
 * it is not blank. The output is deterministic (same source -> same bytes), so `--check` is a plain comparison.
 *
 * Markdown tables are checked at build time: every row must have as many cells as its header (a `|` inside
 * backticks still splits a cell in GitHub / JupyterLab markdown, so write norms as `‖x‖` or escape the pipe as
 * `\|`). A broken table fails the build with the source file, line and cell counts.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface NotebookCell { cell_type: 'code' | 'markdown'; source: string }

const MARKER = /^\/\/\s?%%(.*)$/;

/** Splits percent-format source text into cells. */
export function parsePercent(text: string): NotebookCell[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const cells: { type: 'code' | 'markdown'; lines: string[]; line: number }[] = [];
  let cur: { type: 'code' | 'markdown'; lines: string[]; line: number } = { type: 'code', lines: [], line: 1 };
  lines.forEach((line, i) => {
    const m = line.match(MARKER);
    if (m) {
      cells.push(cur);
      cur = { type: /\[\s*markdown\s*\]/i.test(m[1]) ? 'markdown' : 'code', lines: [], line: i + 1 };
    } else {
      cur.lines.push(line);
    }
  });
  cells.push(cur);
  const out: NotebookCell[] = [];
  cells.forEach((c, idx) => {
    let ls = c.lines;
    if (c.type === 'markdown') {
      ls = ls.map((l, k) => {
        if (l.trim() === '') return '';
        const m = l.match(/^\s*\/\/ ?(.*)$/);
        if (!m) throw new Error(`markdown cell starting at line ${c.line}: line ${c.line + 1 + k} does not start with "// ": ${JSON.stringify(l)}`);
        return m[1];
      });
    }
    while (ls.length && ls[0].trim() === '') ls = ls.slice(1);
    while (ls.length && ls[ls.length - 1].trim() === '') ls = ls.slice(0, -1);
    if (ls.length === 0 && (idx === 0 || c.type === 'code')) return; // empty preamble / empty code cell
    out.push({ cell_type: c.type, source: ls.map((l) => l.replace(/\s+$/, '')).join('\n') });
  });
  return out;
}

// ------------------------------------------------------------------------------------------------ markdown tables
/** The cells of one GFM table row: split on unescaped `|` (also inside backticks, as GFM does), outer pipes dropped. */
export function splitTableRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === '|') { cur += '\\|'; i++; continue; }
    if (s[i] === '|') { cells.push(cur.trim()); cur = ''; } else cur += s[i];
  }
  cells.push(cur.trim());
  return cells;
}

const TABLE_DELIMITER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

export interface TableProblem { line: number; text: string; cells: number; expected: number }

/**
 * Rows of markdown tables whose cell count differs from their header's (line numbers 1-based within `md`).
 * A table is a header line with a `|`, then a delimiter row (`|---|---|`), then the lines with a `|` up to the
 * first line without one; fenced code blocks are skipped.
 */
export function checkMarkdownTables(md: string): TableProblem[] {
  const lines = md.split('\n');
  const problems: TableProblem[] = [];
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const f = lines[i].match(/^\s*(```+|~~~+)/);
    if (f) { fence = fence === null ? f[1][0] : fence === f[1][0] ? null : fence; continue; }
    if (fence !== null || i === 0 || !TABLE_DELIMITER.test(lines[i]) || !lines[i].includes('-') || !lines[i - 1].includes('|')) continue;
    const expected = splitTableRow(lines[i - 1]).length;
    const delim = splitTableRow(lines[i]).length;
    if (delim !== expected) problems.push({ line: i + 1, text: lines[i], cells: delim, expected });
    let j = i + 1;
    for (; j < lines.length && lines[j].includes('|') && lines[j].trim() !== ''; j++) {
      const n = splitTableRow(lines[j]).length;
      if (n !== expected) problems.push({ line: j + 1, text: lines[j], cells: n, expected });
    }
    i = j - 1;
  }
  return problems;
}

/** Throws when a markdown cell of the source has a broken table (message: file:line, cell counts, the row). */
export function assertTables(text: string, file: string): void {
  const cells = parsePercent(text);
  const srcLines = text.replace(/\r\n?/g, '\n').split('\n');
  const msgs: string[] = [];
  for (const c of cells) {
    if (c.cell_type !== 'markdown') continue;
    for (const p of checkMarkdownTables(c.source)) {
      const at = srcLines.findIndex((l) => l.replace(/^\s*\/\/ ?/, '').replace(/\s+$/, '') === p.text);
      msgs.push(`${file}:${at + 1}: table row has ${p.cells} cells, its header ${p.expected} (a | inside backticks splits a cell: write ‖ or \\|): ${p.text.trim()}`);
    }
  }
  if (msgs.length) throw new Error(`broken markdown table(s):\n${msgs.join('\n')}`);
}

/** Turns cells into nbformat 4.5 JSON text (no outputs, deterministic cell ids). */
export function toIpynb(cells: NotebookCell[], name: string): string {
  const nb = {
    cells: cells.map((c, i) => {
      const src = c.source.split('\n').map((l, k, a) => (k < a.length - 1 ? l + '\n' : l));
      const id = `${name.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 40)}-${String(i).padStart(3, '0')}`;
      return c.cell_type === 'code'
        ? { cell_type: 'code', execution_count: null, id, metadata: {}, outputs: [], source: src }
        : { cell_type: 'markdown', id, metadata: {}, source: src };
    }),
    metadata: {
      // Exactly what JupyterLab writes once the tslab kernel is connected (its kernelspec and kernel_info_reply
      // language_info, tslab 1.0.22), so opening a notebook does not mark it modified.
      kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' },
      language_info: { codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true }, file_extension: '.ts', mimetype: 'text/typescript', name: 'typescript', version: '3.7.2' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(nb, null, 1) + '\n';
}

export interface BuildResult {
  source: string;
  target: string;
  changed: boolean;
  /** The committed notebook carries outputs of a run of the current source (kept as is). */
  executed?: boolean;
  /** The committed notebook carries outputs of an OLDER source (a build drops them; --check fails). */
  staleOutputs?: boolean;
}

// ------------------------------------------------------------------------------------------------ executed notebooks
/** SHA-256 of the cells (type and source) a notebook is built from: what its outputs belong to. */
export function sourceHash(cells: NotebookCell[]): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const crypto = require('node:crypto') as typeof import('node:crypto');
  return crypto.createHash('sha256').update(JSON.stringify(cells.map((c) => [c.cell_type, c.source]))).digest('hex');
}

interface IpynbCell { cell_type: string; source: string | string[]; outputs?: unknown[]; execution_count?: number | null; metadata?: Record<string, unknown>; id?: string }
interface Ipynb { cells: IpynbCell[]; metadata: Record<string, unknown> & { rml?: { source_sha256?: string; scale?: string; executed?: string } } }

const joinSource = (s: string | string[]) => (Array.isArray(s) ? s.join('') : s);
/** The (type, source) cells of an .ipynb. */
export function cellsOf(nb: Ipynb): NotebookCell[] {
  return nb.cells.map((c) => ({ cell_type: c.cell_type as NotebookCell['cell_type'], source: joinSource(c.source) }));
}
/** True when any code cell has outputs. */
export function hasOutputs(nb: Ipynb): boolean {
  return nb.cells.some((c) => (c.outputs?.length ?? 0) > 0);
}

/**
 * Whether the outputs of an executed notebook belong to `cells`: its cells equal them and its stamped hash is
 * theirs. 'none' when the notebook has no outputs.
 */
export function outputsState(nb: Ipynb, cells: NotebookCell[]): 'none' | 'current' | 'stale' {
  if (!hasOutputs(nb)) return 'none';
  const same = JSON.stringify(cellsOf(nb)) === JSON.stringify(cells);
  return same && nb.metadata?.rml?.source_sha256 === sourceHash(cells) ? 'current' : 'stale';
}

/**
 * Makes an executed notebook (nbclient's output) fit to commit: per-cell execution timestamps dropped, every
 * figure's PNG re-rendered at 1x from its vega-lite spec (the 2x PNG, SVG and PDF stay in figures/; an image
 * grid keeps only its PNG, its spec would repeat the same pixels), the
 * notebook metadata set as the build writes it plus `rml` { source_sha256, scale, executed }. `renderPNG` turns a
 * vega-lite spec into PNG bytes (scripts pass src/plots' toPNG; tests a stub).
 */
export async function adoptExecuted(nb: Ipynb, cells: NotebookCell[], name: string, o: { scale: string; executed?: string; renderPNG?: (spec: object) => Promise<Buffer> }): Promise<string> {
  const want = JSON.stringify(cells);
  if (JSON.stringify(cellsOf(nb)) !== want) throw new Error(`${name}: the executed notebook ran other cells than the current source (re-run it: npm run reproduce -- --scale ${o.scale} --only ${name.slice(0, 2)})`);
  const fresh = JSON.parse(toIpynb(cells, name)) as Ipynb;
  for (let i = 0; i < fresh.cells.length; i++) {
    const src = nb.cells[i], dst = fresh.cells[i];
    if (dst.cell_type !== 'code') continue;
    dst.execution_count = src.execution_count ?? null;
    const outs: Record<string, unknown>[] = [];
    for (const out of (src.outputs ?? []) as Record<string, unknown>[]) {
      const copy: Record<string, unknown> = { ...out };
      const data = copy.data as Record<string, unknown> | undefined;
      const spec = data?.['application/vnd.vegalite.v5+json'];
      if (data && spec && o.renderPNG) copy.data = { ...data, 'image/png': (await o.renderPNG(spec as object)).toString('base64') };
      // an image grid's spec only wraps PNG strips the PNG already shows: keep the PNG alone (nothing to explore)
      if (data && spec && (spec as { mark?: { type?: string } }).mark?.type === 'image' && (copy.data as Record<string, unknown>)['image/png']) {
        const { ['application/vnd.vegalite.v5+json']: _drop, ...rest } = copy.data as Record<string, unknown>;
        void _drop;
        copy.data = rest;
      }
      if (copy.metadata && typeof copy.metadata === 'object') copy.metadata = {};
      outs.push(copy);
    }
    dst.outputs = outs;
  }
  fresh.metadata.rml = { source_sha256: sourceHash(cells), scale: o.scale, ...(o.executed ? { executed: o.executed } : {}) };
  return JSON.stringify(fresh, null, 1) + '\n';
}

/** Builds (or with check=true only compares) the notebooks for the given sources. */
export function buildNotebooks(sources: string[], opts: { check?: boolean; outDir?: string } = {}): BuildResult[] {
  return sources.map((src) => {
    const name = path.basename(src, '.ts');
    const target = path.join(opts.outDir ?? path.dirname(path.dirname(path.resolve(src))), `${name}.ipynb`);
    const source = fs.readFileSync(src, 'utf8');
    assertTables(source, path.relative(process.cwd(), src) || src);
    const cells = parsePercent(source);
    const text = toIpynb(cells, name);
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
    if (current === text) return { source: src, target, changed: false };
    let state: 'none' | 'current' | 'stale' = 'none';
    if (current !== null) {
      try { state = outputsState(JSON.parse(current) as Ipynb, cells); } catch { state = 'none'; }
    }
    if (state === 'current') return { source: src, target, changed: false, executed: true };
    if (!opts.check) {
      if (state === 'stale') console.warn(`${path.relative(process.cwd(), target)}: its outputs belong to an older source; rewritten without outputs (re-run and \`npm run notebooks -- --adopt quick\` to commit new ones)`);
      fs.writeFileSync(target, text);
    }
    return { source: src, target, changed: true, staleOutputs: state === 'stale' };
  });
}

/** The percent-format sources in a folder (default notebooks/src), sorted by name. */
export function notebookSources(dir = path.join(__dirname, '..', 'notebooks', 'src')): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /^\d\d-[\w.-]+\.ts$/.test(f)).sort().map((f) => path.join(dir, f));
}

async function adoptMain(scale: string, files: string[]): Promise<void> {
  const root = path.join(__dirname, '..');
  const dir = fs.existsSync(scale) && fs.statSync(scale).isDirectory() ? scale : path.join(root, 'results', scale, 'notebooks');
  const { toPNG } = await import('../src/plots/render');
  let n = 0;
  for (const src of files.length ? files : notebookSources()) {
    const name = path.basename(src, '.ts');
    const executed = path.join(dir, `${name}.ipynb`);
    if (!fs.existsSync(executed)) { console.log(`skip     ${name}: no ${path.relative(process.cwd(), executed)}`); continue; }
    const source = fs.readFileSync(src, 'utf8');
    assertTables(source, path.relative(process.cwd(), src));
    const nb = JSON.parse(fs.readFileSync(executed, 'utf8')) as Ipynb;
    if (!hasOutputs(nb)) { console.log(`skip     ${name}: ${path.relative(process.cwd(), executed)} has no outputs`); continue; }
    const text = await adoptExecuted(nb, parsePercent(source), name, { scale: path.basename(path.dirname(dir)) || scale, executed: fs.statSync(executed).mtime.toISOString(), renderPNG: (spec) => toPNG(spec, 1) });
    const target = path.join(path.dirname(path.dirname(path.resolve(src))), `${name}.ipynb`);
    fs.writeFileSync(target, text);
    console.log(`adopted  ${path.relative(process.cwd(), target)}  ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB (executed ${path.relative(process.cwd(), executed)})`);
    n++;
  }
  console.log(`${n} executed notebook(s) adopted`);
}

function main(): void {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const ai = args.indexOf('--adopt');
  if (ai >= 0) {
    const scale = args[ai + 1];
    if (!scale || scale.startsWith('--')) { console.error('--adopt needs a scale (quick) or a folder of executed notebooks'); process.exit(2); }
    adoptMain(scale, args.filter((a, i) => !a.startsWith('--') && i !== ai + 1)).catch((e) => { console.error((e as Error).message); process.exit(1); });
    return;
  }
  const files = args.filter((a) => !a.startsWith('--'));
  const sources = files.length ? files : notebookSources();
  let results: BuildResult[];
  try {
    results = buildNotebooks(sources, { check });
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  const rel = (p: string) => path.relative(process.cwd(), p);
  // Orphans: an .ipynb in notebooks/ with no source (only reported, never deleted).
  if (!files.length) {
    const nbDir = path.join(__dirname, '..', 'notebooks');
    const have = new Set(results.map((r) => path.basename(r.target)));
    for (const f of fs.existsSync(nbDir) ? fs.readdirSync(nbDir) : []) {
      if (/^\d\d-.*\.ipynb$/.test(f) && !have.has(f)) console.warn(`note: ${rel(path.join(nbDir, f))} has no source in notebooks/src/`);
    }
  }
  const stale = results.filter((r) => r.changed);
  if (check) {
    const outs = stale.filter((r) => r.staleOutputs), plain = stale.filter((r) => !r.staleOutputs);
    if (outs.length) console.error(`outputs belong to an older source (re-run them, then \`npm run notebooks -- --adopt quick\`; or \`npm run notebooks\` to drop them): ${outs.map((r) => rel(r.target)).join(', ')}`);
    if (plain.length) console.error(`out of date (run \`npm run notebooks\`): ${plain.map((r) => rel(r.target)).join(', ')}`);
    if (stale.length) process.exit(1);
    const ex = results.filter((r) => r.executed).length;
    console.log(`${results.length} notebook(s) up to date${ex ? ` (${ex} with outputs of their current source)` : ''}`);
    return;
  }
  for (const r of results) console.log(`${r.changed ? (r.staleOutputs ? 'wrote (stale outputs dropped)' : 'wrote    ') : r.executed ? 'unchanged (executed)' : 'unchanged'} ${rel(r.target)}`);
}

if (require.main === module) main();
