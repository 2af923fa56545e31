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
      kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' },
      language_info: { codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true }, file_extension: '.ts', mimetype: 'text/typescript', name: 'typescript', version: '5.0' },
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
    const text = toIpynb(parsePercent(fs.readFileSync(src, 'utf8')), name);
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
  const results = buildNotebooks(sources, { check });
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
