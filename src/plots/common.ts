/** Options and helpers shared by the spec builders. */
import type { VegaLiteSpec } from './render';

export type Datum = Record<string, unknown>;

/** Total figure widths of a two-column paper, in px = pt (1 px of the SVG is 1 pt in the PDF). */
export const PAPER_WIDTH = { column: 238, page: 504 } as const; // 3.3 in, 7 in
export type PaperSize = keyof typeof PAPER_WIDTH;

/**
 * A vega-lite parameter a reader can move inline (JupyterLab renders the control under the chart); the saved
 * SVG / PNG / PDF show the chart at `init`. The chart shows the rows whose `field` equals the chosen value.
 */
export interface ExploreOption {
  /** The data field the control picks a value of (e.g. 'lambda', 'budget'). */
  field: string;
  /** Label beside the control (default the field name). */
  title?: string;
  /** The values to offer (default: the field's distinct values, sorted). */
  values?: (number | string)[];
  /** The value shown first and in the static files (default: the first value). */
  init?: number | string;
  /** 'select' (dropdown, default), 'radio', or 'range' (a slider over the positions of the values). */
  input?: 'select' | 'radio' | 'range';
}

export interface CommonOptions {
  /** Figure title (bold, top left). */
  title?: string;
  /** Second title line (grey), e.g. the scale or the data size; wrapped to the figure's width. */
  subtitle?: string;
  /** Plot area width in px (default depends on the chart; with `paper`, the whole figure's width). */
  width?: number;
  /** Plot area height in px. */
  height?: number;
  /**
   * Size and theme for a two-column paper: 'column' = one column (3.3 in = 238 pt wide in all), 'page' = the full
   * text width (7 in = 504 pt); fonts 8-10 pt, tight padding. Default: screen size (larger fonts).
   */
  paper?: PaperSize;
  /** An inline control that picks the value of one field (see ExploreOption). */
  explore?: ExploreOption;
}

/** Estimated width in px of `text` at `size` (DejaVu Sans averages ~0.58 em per character). */
function approxWidth(text: string, size: number): number {
  return 0.58 * size * text.length;
}

/** Splits `text` into lines of at most `maxPx` (estimated), at spaces. */
export function wrapText(text: string, maxPx: number, size: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    const next = cur ? `${cur} ${w}` : w;
    if (cur && approxWidth(next, size) > maxPx) { lines.push(cur); cur = w; } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines.length ? lines : [''];
}

/**
 * The vega-lite title object for the options (undefined when there is no title). With `widthPx` (the figure's
 * estimated width) a longer title / subtitle is wrapped onto several lines instead of widening the figure.
 */
export function titleOf(o: CommonOptions, widthPx?: number): VegaLiteSpec | undefined {
  if (!o.title && !o.subtitle) return undefined;
  const paper = !!o.paper;
  const wrap = (t: string, size: number, minPx: number) => {
    if (!widthPx) return t;
    const lines = wrapText(t, Math.max(widthPx, minPx), size);
    return lines.length === 1 ? lines[0] : lines;
  };
  // a title wraps only when clearly wider than the figure (a short figure may carry a normal-length title)
  return { text: wrap(o.title ?? '', paper ? 10 : 15, paper ? 200 : 460), ...(o.subtitle ? { subtitle: wrap(o.subtitle, paper ? 8 : 12, paper ? 150 : 300) } : {}) };
}

/** Drops undefined values (vega-lite rejects some `undefined` properties in schema checks). */
export function clean<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A finite-number check used to drop non-positive values on log axes with a clear message. */
export function positiveOnly(data: Datum[], fields: string[], where: string): Datum[] {
  const kept = data.filter((d) => fields.every((f) => typeof d[f] === 'number' && (d[f] as number) > 0));
  if (kept.length < data.length) console.warn(`${where}: dropped ${data.length - kept.length} row(s) with non-positive ${fields.join('/')} on a log axis`);
  return kept;
}

/** Numeric-aware sort of distinct values (numbers ascending, then strings in first-seen order). */
export function distinctSorted(values: unknown[]): unknown[] {
  const seen: unknown[] = [];
  for (const v of values) if (!seen.includes(v)) seen.push(v);
  if (seen.every((v) => typeof v === 'number')) return (seen as number[]).sort((a, b) => a - b);
  return seen;
}

/** True when every finite value of `field` is an integer (an axis of counts, steps, epochs, ranks). */
export function integerField(data: Datum[], field: string): boolean {
  let any = false;
  for (const d of data) {
    const v = d[field];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) return false;
    any = true;
  }
  return any;
}

/** Axis settings for an integer quantitative axis: ticks only at whole numbers, no decimals. */
export function integerAxis(format?: string): VegaLiteSpec {
  return { tickMinStep: 1, format: format ?? 'd' };
}

/** TeX left in a title (`_{`, `^{`, `\frac` ...): figures show plain text, so write σⱼ, Σ, ≤ or words instead. */
export function checkPlainText(where: string, ...texts: (string | undefined | null)[]): void {
  for (const t of texts) {
    if (typeof t === 'string' && /[_^]\{|\\[a-zA-Z]+/.test(t)) throw new Error(`${where}: "${t}" contains TeX markup (${t.match(/[_^]\{|\\[a-zA-Z]+/)![0]}); figures show plain text: write it in words or Unicode (σ², Σ, ≤, ‖x‖)`);
  }
}

// ------------------------------------------------------------------------------------------------ paper theme
/** The theme of figures for a two-column paper (fonts in pt: ticks 8, axis titles 9, title 10). */
export function paperConfig(): VegaLiteSpec {
  return {
    padding: 2,
    title: { fontSize: 10, subtitleFontSize: 8, offset: 4, subtitlePadding: 2 },
    axis: { labelFontSize: 8, titleFontSize: 9, titlePadding: 3, tickSize: 3, labelPadding: 2 },
    legend: { labelFontSize: 8, titleFontSize: 8, gradientThickness: 8, symbolSize: 40, rowPadding: 2, padding: 0, offset: 6 },
    header: { labelFontSize: 9, titleFontSize: 9, labelPadding: 2 },
    text: { fontSize: 8 },
  };
}

/** Merges config objects one level deep (later wins). */
export function mergeConfigs(...cs: (VegaLiteSpec | undefined)[]): VegaLiteSpec {
  const out: VegaLiteSpec = {};
  for (const c of cs) {
    if (!c) continue;
    for (const [k, v] of Object.entries(c)) out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' ? { ...out[k], ...v } : v;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ explore
/** The parameter and filter of an `explore` option for the given data (null without one). */
export function exploreParts(data: Datum[], e: ExploreOption | undefined): { params: VegaLiteSpec[]; filter: VegaLiteSpec } | null {
  if (!e) return null;
  const values = e.values ?? (distinctSorted(data.map((d) => d[e.field]).filter((v) => v !== undefined && v !== null)) as (number | string)[]);
  if (!values.length) throw new Error(`explore: field "${e.field}" has no values in the data`);
  const init = e.init ?? values[0];
  if (!values.includes(init)) throw new Error(`explore: init ${JSON.stringify(init)} is not one of the values of "${e.field}"`);
  const name = `pick_${e.field.replace(/\W/g, '_')}`;
  const label = e.title ?? e.field;
  const field = `datum[${JSON.stringify(e.field)}]`;
  if (e.input === 'range') {
    // a slider over the positions 0..n-1 of the values (which may be log-spaced); the label names the value
    return {
      params: [{ name, value: values.indexOf(init), bind: { input: 'range', min: 0, max: values.length - 1, step: 1, name: `${label} (position in ${JSON.stringify(values)}) ` } }],
      filter: { filter: `${field} === ${JSON.stringify(values)}[${name}]` },
    };
  }
  return {
    params: [{ name, value: init, bind: { input: e.input ?? 'select', options: values, name: `${label} ` } }],
    filter: { filter: `${field} === ${name}` },
  };
}
