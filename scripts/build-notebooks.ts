/**
 * Builds the Jupyter notebooks from their percent-format TypeScript sources.
 *
 *   notebooks/src/NN-name.ts  ->  notebooks/NN-name.ipynb     (kernel tslab, language typescript, no outputs)
 *
 *   tsx scripts/build-notebooks.ts            write every .ipynb whose content changed
 *   tsx scripts/build-notebooks.ts --check    write nothing; exit 1 listing the .ipynb files that are out of date
 *   tsx scripts/build-notebooks.ts FILE...    only these sources
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

export interface BuildResult { source: string; target: string; changed: boolean }

/** Builds (or with check=true only compares) the notebooks for the given sources. */
export function buildNotebooks(sources: string[], opts: { check?: boolean; outDir?: string } = {}): BuildResult[] {
  return sources.map((src) => {
    const name = path.basename(src, '.ts');
    const target = path.join(opts.outDir ?? path.dirname(path.dirname(path.resolve(src))), `${name}.ipynb`);
    const source = fs.readFileSync(src, 'utf8');
    assertTables(source, path.relative(process.cwd(), src) || src);
    const text = toIpynb(parsePercent(source), name);
    const changed = !fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text;
    if (changed && !opts.check) fs.writeFileSync(target, text);
    return { source: src, target, changed };
  });
}

/** The percent-format sources in a folder (default notebooks/src), sorted by name. */
export function notebookSources(dir = path.join(__dirname, '..', 'notebooks', 'src')): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /^\d\d-[\w.-]+\.ts$/.test(f)).sort().map((f) => path.join(dir, f));
}

function main(): void {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
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
    if (stale.length) {
      console.error(`out of date (run \`npm run notebooks\`): ${stale.map((r) => rel(r.target)).join(', ')}`);
      process.exit(1);
    }
    console.log(`${results.length} notebook(s) up to date`);
    return;
  }
  for (const r of results) console.log(`${r.changed ? 'wrote    ' : 'unchanged'} ${rel(r.target)}`);
}

if (require.main === module) main();
