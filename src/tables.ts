/**
 * Result tables: rows of plain objects (or danfojs-node DataFrames) -> HTML for the notebook, CSV for the files.
 *
 * danfojs-node is loaded lazily, only by `toDataFrame` / `fromCSV` (it takes seconds to load and brings its own
 * reference to tfjs-node; package.json `overrides` points that at the project's tfjs-node 4.22, so the same
 * native backend is shared and `tf.getBackend()` stays 'tensorflow'). Plain-row helpers (`rowsToCSV`,
 * `rowsToHTML`, `formatTable`) never load it.
 */
import fs from 'node:fs';
import path from 'node:path';

export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;
/** Any plain object works as an input row (interfaces included); non-primitive values are shown as JSON. */
export type RowLike = object;

/** A minimal structural type for a danfojs DataFrame (avoids loading danfojs for its types). */
export interface DataFrameLike { columns: string[]; values: unknown[][] | unknown[]; shape: number[] }

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Danfo = any;
let danfo: Danfo | null = null;
/** The danfojs-node module (loaded on first use; ~2-10 s). */
export function danfojs(): Danfo {
  if (!danfo) {
    require('./backend'); // the native tfjs backend first, so danfojs finds it registered
    danfo = require('danfojs-node');
  }
  return danfo;
}

export function isDataFrame(x: unknown): x is DataFrameLike {
  return !!x && typeof x === 'object' && Array.isArray((x as DataFrameLike).columns) && Array.isArray((x as DataFrameLike).shape) && 'values' in (x as object);
}

/** Rows -> danfojs DataFrame (columns in first-seen key order; missing values become null). */
export function toDataFrame(rows: readonly RowLike[]): DataFrameLike {
  const cols = columnsOf(rows);
  const dfd = danfojs();
  if (rows.length === 0) return new dfd.DataFrame([], { columns: cols });
  return new dfd.DataFrame(rows.map((r) => Object.fromEntries(cols.map((c) => [c, toCell(get(r, c)) ?? null]))), { columns: cols });
}

/** DataFrame or rows -> rows. */
export function tableRows(data: readonly RowLike[] | DataFrameLike): Row[] {
  if (!isDataFrame(data)) return (data as readonly RowLike[]).map((r) => Object.fromEntries(Object.keys(r).map((k) => [k, toCell(get(r, k))])));
  const cols = data.columns;
  const vals = data.values as unknown[][];
  if (data.shape[0] === 0) return [];
  const matrix = Array.isArray(vals[0]) ? vals : (vals as unknown[]).map((v) => [v]);
  return matrix.map((r) => Object.fromEntries(cols.map((c, j) => [c, r[j] as Cell])));
}

const get = (r: RowLike, k: string): unknown => (r as Record<string, unknown>)[k];

/** A value as a table cell: primitives as they are, other values (arrays, objects) as JSON text. */
export function toCell(v: unknown): Cell {
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return JSON.stringify(Array.from(v as unknown as ArrayLike<number>));
  try { return JSON.stringify(v); } catch { return String(v); }
}

/** Column names in first-seen order over all rows. */
export function columnsOf(rows: readonly RowLike[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

/** Formats a number for display: integers as is, others with 4 significant digits (exponent when tiny/huge). */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

function displayCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return formatNumber(v);
  return String(v);
}

function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : String(v)) : String(v);
  return /[",\n\r]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC-4180 CSV (full precision numbers, header line, trailing newline). */
export function rowsToCSV(rows: readonly RowLike[], columns = columnsOf(rows)): string {
  return [columns.map((c) => csvCell(c)).join(','), ...rows.map((r) => columns.map((c) => csvCell(toCell(get(r, c)))).join(','))].join('\n') + '\n';
}

/** Parses CSV written by `rowsToCSV` (numbers, true/false and empty cells are typed back). */
export function parseCSV(text: string): Row[] {
  const records: string[][] = [];
  let field = '', rec: string[] = [], inQ = false, quoted = false;
  const pushField = () => { rec.push(quoted ? field : field); field = ''; quoted = false; };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQ) {
      if (ch === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else inQ = false; } else field += ch;
    } else if (ch === '"') { inQ = true; quoted = true; } else if (ch === ',') pushField();
    else if (ch === '\n' || ch === '\r') { if (ch === '\r' && text[i + 1] === '\n') i++; pushField(); records.push(rec); rec = []; }
    else field += ch;
  }
  if (field !== '' || rec.length) { pushField(); records.push(rec); }
  if (!records.length) return [];
  const [head, ...body] = records;
  const typed = (s: string): Cell => {
    if (s === '') return null;
    if (s === 'true') return true;
    if (s === 'false') return false;
    const n = Number(s);
    return s.trim() !== '' && !Number.isNaN(n) && /^[-+0-9.eEInfinityNa]+$/.test(s) ? n : s;
  };
  return body.filter((r) => !(r.length === 1 && r[0] === '')).map((r) => Object.fromEntries(head.map((h, j) => [h, typed(r[j] ?? '')])));
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An HTML table (numbers right-aligned, 4 significant digits) with an optional caption. */
export function rowsToHTML(input: readonly RowLike[], opts: { caption?: string; columns?: string[]; maxRows?: number } = {}): string {
  const rows = tableRows(input);
  const cols = opts.columns ?? columnsOf(rows);
  const max = opts.maxRows ?? 200;
  const shown = rows.slice(0, max);
  const numeric = cols.map((c) => shown.length > 0 && shown.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === 'number'));
  const th = cols.map((c, j) => `<th style="text-align:${numeric[j] ? 'right' : 'left'}">${esc(c)}</th>`).join('');
  const body = shown.map((r) => `<tr>${cols.map((c, j) => `<td style="text-align:${numeric[j] ? 'right' : 'left'}">${esc(displayCell(r[c]))}</td>`).join('')}</tr>`).join('\n');
  const more = rows.length > max ? `<tr><td colspan="${cols.length}"><i>... ${rows.length - max} more rows (see the CSV)</i></td></tr>` : '';
  const cap = opts.caption ? `<caption style="caption-side:top;text-align:left;font-weight:bold">${esc(opts.caption)}</caption>` : '';
  return `<table class="rml-table">${cap}<thead><tr>${th}</tr></thead><tbody>\n${body}${more}</tbody></table>`;
}

/** A plain-text table (for consoles and the reproduce summary); long cells are cut to `maxWidth`. */
export function formatTable(input: readonly RowLike[], opts: { columns?: string[]; maxWidth?: number } = {}): string {
  const rows = tableRows(input);
  const cols = opts.columns ?? columnsOf(rows);
  const w = opts.maxWidth ?? 60;
  const cut = (s: string) => (s.length > w ? s.slice(0, w - 1) + '…' : s);
  const cells = rows.map((r) => cols.map((c) => cut(displayCell(r[c]))));
  const widths = cols.map((c, j) => Math.max(c.length, ...cells.map((r) => r[j].length)));
  const numeric = cols.map((c) => rows.length > 0 && rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === 'number'));
  const line = (vals: string[]) => vals.map((v, j) => (numeric[j] ? v.padStart(widths[j]) : v.padEnd(widths[j]))).join('  ').trimEnd();
  return [line(cols), widths.map((n) => '-'.repeat(n)).join('  '), ...cells.map(line)].join('\n');
}

/** Writes rows or a DataFrame to a CSV file (folders created); returns the path. */
export function saveCSV(data: readonly RowLike[] | DataFrameLike, file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, rowsToCSV(tableRows(data)));
  return file;
}

/** Reads a CSV file into rows (no danfojs needed). */
export function readCSV(file: string): Row[] {
  return parseCSV(fs.readFileSync(file, 'utf8'));
}
