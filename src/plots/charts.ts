/**
 * vega-lite 5 spec builders for the papers' charts: heatmaps (phase transitions, lambda x noise grids), lines
 * (error / F1 / FID against a parameter, training curves), histograms and bars. Each returns a plain spec;
 * show and save it with `figure(name, spec)` (src/notebook.ts) or `save(spec, path)` (render.ts).
 * Put units in axis titles ("noise fraction (%)", "time (s)").
 */
import { luminance, schemeColor, type VegaLiteSpec } from './render';
import {
  PAPER_WIDTH, checkPlainText, clean, distinctSorted, exploreParts, integerAxis, integerField, mergeConfigs, paperConfig, positiveOnly, titleOf, wrapText,
  type CommonOptions, type Datum,
} from './common';

// ------------------------------------------------------------------------------------------------ heatmap
export interface HeatmapOptions extends CommonOptions {
  data: Datum[];
  /** Field names of the column, row and colour values. */
  x: string;
  y: string;
  color: string;
  xTitle?: string;
  yTitle?: string;
  colorTitle?: string;
  /** Diverging colour scale centred at `center` (default 0): blue < center < red. */
  diverging?: boolean;
  center?: number;
  /** Colour domain [min, max] (default: the data's; with `diverging` symmetric around the centre). */
  domain?: [number, number];
  /** vega colour scheme (default 'viridis'; 'blueorange' when diverging). */
  scheme?: string;
  /** Reverse the colour scheme (e.g. so that "good" is dark). */
  reverse?: boolean;
  /** Logarithmic colour scale (positive values only). */
  logColor?: boolean;
  /** Write each cell's value in it: true (d3 format '.2f') or a d3 format string ('.0%', '.3g'). */
  text?: boolean | string;
  /** Row order: 'ascending' puts the smallest y at the BOTTOM (like a plot axis, the default), 'descending' at the top. */
  yOrder?: 'ascending' | 'descending';
  /** Axis label formats for numeric x / y values (d3 format strings). */
  xFormat?: string;
  yFormat?: string;
  /** Legend label format (d3 format string). */
  legendFormat?: string;
}

interface HeatmapCore { layers: VegaLiteSpec[]; data: Datum[]; xs: unknown[]; ys: unknown[]; cellW: number; cellH: number; legend: VegaLiteSpec }

/** Data, layers and cell sizes shared by `heatmap` and `heatmapPanels`. */
function heatmapCore(o: HeatmapOptions, nxPanels = 1): HeatmapCore {
  checkPlainText('heatmap', o.title, o.subtitle, o.xTitle, o.yTitle, o.colorTitle);
  const xs = distinctSorted(o.data.map((d) => d[o.x]));
  const ys = distinctSorted(o.data.map((d) => d[o.y]));
  const yOrder = o.yOrder === 'descending' ? ys : [...ys].reverse();
  const vals = o.data.map((d) => d[o.color]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const center = o.center ?? 0;
  let domain = o.domain;
  if (!domain && o.diverging && vals.length) {
    const m = Math.max(...vals.map((v) => Math.abs(v - center))) || 1;
    domain = [center - m, center + m];
  }
  // One colour domain for every panel / every position of an `explore` control: the data's own extent.
  if (!domain && vals.length) domain = [Math.min(...vals), Math.max(...vals)];
  const schemeName = o.scheme ?? (o.diverging ? 'redblue' : 'viridis');
  const reverse = o.diverging && !o.scheme ? !o.reverse : !!o.reverse; // redblue runs red->blue: reversed so negative = blue
  const scale: VegaLiteSpec = clean({
    type: o.logColor ? 'log' : 'linear',
    scheme: schemeName,
    reverse: reverse || undefined,
    domain,
    domainMid: o.diverging ? center : undefined,
    zero: false,
  });
  // Text colour from the cell colour's luminance (white on dark cells, black on light ones), for any scheme.
  const [lo, hi] = domain ?? [0, 1];
  const tOf = (v: number): number => {
    if (o.logColor) { const a = Math.log10(lo), b = Math.log10(hi); return b > a ? (Math.log10(v) - a) / (b - a) : 0.5; }
    if (o.diverging) return v <= center ? (center > lo ? 0.5 * (v - lo) / (center - lo) : 0.5) : (hi > center ? 0.5 + 0.5 * (v - center) / (hi - center) : 0.5);
    return hi > lo ? (v - lo) / (hi - lo) : 0.5;
  };
  const data = o.data.map((d) => {
    const v = d[o.color];
    if (typeof v !== 'number' || !Number.isFinite(v)) return { ...d };
    const t = Math.min(1, Math.max(0, tOf(v)));
    const c = schemeColor(schemeName, reverse ? 1 - t : t);
    return { ...d, _dark: c ? luminance(c) < 0.36 : t < 0.45 };
  });
  const paper = o.paper;
  const textOn = !!o.text;
  const minCellW = textOn ? (paper ? 22 : 34) : (paper ? 8 : 18);
  const minCellH = textOn ? (paper ? 12 : 22) : (paper ? 6 : 14);
  let cellW = Math.max(minCellW, Math.min(60, Math.floor(480 / Math.max(1, xs.length * nxPanels))));
  let cellH = Math.max(minCellH, Math.min(40, Math.floor(360 / Math.max(1, ys.length))));
  if (!paper) {
    // a small grid (2 x 2 at smoke scale) still gets a readable plot: at least ~180 x 140 px
    cellW = Math.max(cellW, Math.ceil(180 / Math.max(1, xs.length)));
    cellH = Math.max(cellH, Math.ceil(140 / Math.max(1, ys.length)));
  }
  const xInt = integerField(o.data, o.x), yInt = integerField(o.data, o.y);
  const xEnc = clean({ field: o.x, type: 'ordinal', sort: xs, title: o.xTitle ?? o.x, axis: clean({ labelAngle: xs.length > 8 ? -45 : 0, format: o.xFormat ?? (xInt ? 'd' : undefined), labelOverlap: 'greedy' }) });
  const yEnc = clean({ field: o.y, type: 'ordinal', sort: yOrder, title: o.yTitle ?? o.y, axis: clean({ format: o.yFormat ?? (yInt ? 'd' : undefined), labelOverlap: 'greedy' }) });
  // Tooltip: every field of the cell (the x / y / colour fields under their axis titles), numbers in full.
  const fields: string[] = [];
  for (const d of o.data) for (const k of Object.keys(d)) if (!k.startsWith('_') && !fields.includes(k)) fields.push(k);
  const order = [o.x, o.y, o.color, ...fields.filter((k) => k !== o.x && k !== o.y && k !== o.color)].filter((k) => fields.includes(k));
  const titles: Record<string, string> = { [o.x]: o.xTitle ?? o.x, [o.y]: o.yTitle ?? o.y, [o.color]: o.colorTitle ?? o.color };
  const tooltip = order.map((k) => (o.data.every((d) => d[k] === undefined || d[k] === null || typeof d[k] === 'number')
    ? { field: k, type: 'quantitative', title: titles[k] ?? k, format: '.6~g' }
    : { field: k, type: 'nominal', title: titles[k] ?? k }));
  const legend = clean({ title: o.colorTitle ?? o.color, direction: 'vertical', format: o.legendFormat });
  const rect: VegaLiteSpec = {
    mark: { type: 'rect', stroke: 'white', strokeWidth: xs.length * ys.length > 400 ? 0 : 0.5 },
    encoding: {
      x: xEnc,
      y: yEnc,
      color: { field: o.color, type: 'quantitative', title: o.colorTitle ?? o.color, scale, legend },
      tooltip,
    },
  };
  const layers: VegaLiteSpec[] = [rect];
  if (o.text) {
    const fmt = typeof o.text === 'string' ? o.text : '.2f';
    layers.push({
      mark: { type: 'text', fontSize: paper ? 7 : Math.max(8, Math.min(12, Math.floor(cellW / 4))), baseline: 'middle' },
      encoding: {
        x: xEnc,
        y: yEnc,
        text: { field: o.color, type: 'quantitative', format: fmt },
        color: { condition: { test: `datum._dark === true`, value: 'white' }, value: 'black' },
        tooltip,
      },
    });
  }
  return { layers, data, xs, ys, cellW, cellH, legend };
}

/** A heatmap over a grid of discrete x and y values (e.g. rank x sparsity, lambda x noise). */
export function heatmap(o: HeatmapOptions): VegaLiteSpec {
  const ex = exploreParts(o.data, o.explore);
  const core = heatmapCore(o);
  let width = o.width ?? core.cellW * core.xs.length;
  let height = o.height ?? core.cellH * core.ys.length;
  if (o.paper) {
    const total = PAPER_WIDTH[o.paper];
    width = total; // the whole figure, axes and legend included (autosize fit)
    const plotW = total - 90;
    height = o.height ?? Math.round(Math.max(60, Math.min(o.paper === 'column' ? 200 : 260, plotW * (core.ys.length / core.xs.length) * 0.8)));
  }
  return finish(clean({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: titleOf(o, o.paper ? PAPER_WIDTH[o.paper] : width + 130),
    params: ex?.params,
    width,
    height,
    data: { values: core.data },
    transform: ex ? [ex.filter] : undefined,
    layer: core.layers,
    config: { axis: { grid: false }, view: { stroke: null } },
  }), o);
}

export interface HeatmapPanelsOptions extends HeatmapOptions {
  /** Field naming the panel of each row (one heatmap per value, side by side, ONE colour scale and legend). */
  panel: string;
  /** Panel order (default: first seen). */
  panelOrder?: string[];
  /** Panels per row (default: all in one row). */
  columns?: number;
  /** Plot width / height of EACH panel in px (default from the grid size; with `paper`, from the paper width). */
  panelWidth?: number;
  panelHeight?: number;
}

/**
 * Heatmap panels side by side with one shared colour scale and legend (a paper's multi-panel phase-transition
 * figure): `heatmapPanels({ data, panel: 'model', x: 'nu', y: 'kappa', color: 'NMSE', domain: [0, 1], ... })`.
 * Every option of `heatmap` applies to all panels (text, diverging, explore, paper ...).
 */
export function heatmapPanels(o: HeatmapPanelsOptions): VegaLiteSpec {
  const panels = (o.panelOrder ?? (distinctSorted(o.data.map((d) => d[o.panel])) as string[])).map(String);
  if (!panels.length) throw new Error('heatmapPanels: no panels (the data has no values of the panel field)');
  const missing = o.data.filter((d) => !panels.includes(String(d[o.panel])));
  if (missing.length) throw new Error(`heatmapPanels: ${missing.length} row(s) whose "${o.panel}" is not in panelOrder`);
  const columns = Math.max(1, Math.min(o.columns ?? panels.length, panels.length));
  const ex = exploreParts(o.data, o.explore);
  const core = heatmapCore(o, columns);
  let w = o.panelWidth ?? core.cellW * core.xs.length;
  let h = o.panelHeight ?? core.cellH * core.ys.length;
  const spacing = o.paper ? 6 : 14;
  if (o.paper) {
    const total = PAPER_WIDTH[o.paper];
    // y axis and legend (~60 pt together at the paper theme's font sizes) once, the panels share the rest
    w = o.panelWidth ?? Math.floor((total - 60 - spacing * (columns - 1)) / columns);
    h = o.panelHeight ?? Math.round(Math.max(50, Math.min(200, w * (core.ys.length / core.xs.length) * 0.9)));
  }
  const data = core.data.map((d) => ({ ...d, [o.panel]: String(d[o.panel]) }));
  const figW = columns * w + (columns - 1) * spacing + 130;
  // long panel names wrap onto lines as wide as a panel (a header wider than its panel would push the panels apart)
  const headerSize = o.paper ? 9 : 13;
  const wrapped: Record<string, string[]> = {};
  for (const p of panels) { const l = wrapText(p, Math.max(40, w - 4), headerSize * 1.05); if (l.length > 1) wrapped[p] = l; }
  const labelExpr = Object.keys(wrapped).length ? `(${JSON.stringify(wrapped)})[datum.value] || datum.value` : undefined;
  return finish(clean({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: titleOf(o, o.paper ? PAPER_WIDTH[o.paper] : figW),
    params: ex?.params,
    data: { values: data },
    transform: ex ? [ex.filter] : undefined,
    facet: { field: o.panel, type: 'nominal', sort: panels, title: null, header: clean({ labelFontWeight: 'bold', labelOrient: 'top', labelAnchor: 'start', labelPadding: 4, labelExpr, labelLimit: w + 20 }) },
    columns,
    spacing,
    spec: { width: w, height: h, layer: core.layers },
    resolve: { scale: { color: 'shared', x: 'shared', y: 'shared' } },
    config: { axis: { grid: false }, view: { stroke: null } },
  }), o, { facet: true });
}

/** Paper size and theme (a config merged under the spec's own), and the fitting of single views to the width. */
function finish(spec: VegaLiteSpec, o: CommonOptions, kind: { facet?: boolean } = {}): VegaLiteSpec {
  if (!o.paper) return spec;
  const out: VegaLiteSpec = { ...spec, config: mergeConfigs(paperConfig(), spec.config) };
  if (!kind.facet) {
    out.width = PAPER_WIDTH[o.paper];
    out.autosize = { type: 'fit-x', contains: 'padding' };
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ lines
export interface LinesOptions extends CommonOptions {
  data: Datum[];
  x: string;
  y: string;
  /** Field naming the series (one line and colour each). */
  series?: string;
  xTitle?: string;
  yTitle?: string;
  seriesTitle?: string;
  logX?: boolean;
  logY?: boolean;
  /** Draw points on the lines (default true when a series has at most 40 points). */
  points?: boolean;
  /** Fields of a lower / upper band drawn around each line (e.g. +- one standard deviation). */
  bandLow?: string;
  bandHigh?: string;
  /** y-axis domain [min, max] (default: the data's, zero included for linear axes when `zero`). */
  yDomain?: [number, number];
  xDomain?: [number, number];
  /** Include zero on a linear y axis (default false). */
  zero?: boolean;
  /** Horizontal reference lines, e.g. [{ y: 0.687, label: 'paper' }]. */
  rules?: { y: number; label?: string }[];
  /** Series order (default: first seen). */
  seriesOrder?: string[];
  xFormat?: string;
  yFormat?: string;
}

/** Line chart (one line per series) with optional log axes, points, error bands and reference rules. */
export function lines(o: LinesOptions): VegaLiteSpec {
  checkPlainText('lines', o.title, o.subtitle, o.xTitle, o.yTitle, o.seriesTitle);
  let data = o.data;
  if (o.logX) data = positiveOnly(data, [o.x], 'lines(logX)');
  if (o.logY) data = positiveOnly(data, [o.y], 'lines(logY)');
  const perSeries = o.series ? Math.max(0, ...countBy(data, o.series)) : data.length;
  const points = o.points ?? perSeries <= 40;
  const order = o.seriesOrder ?? (o.series ? (distinctSorted(data.map((d) => d[o.series!])) as string[]) : undefined);
  // integer data (steps, epochs, ranks, budgets) get ticks at whole numbers only
  const xInt = !o.logX && integerField(data, o.x), yInt = !o.logY && integerField(data, o.y) && !o.bandLow;
  const x = clean({ field: o.x, type: 'quantitative', title: o.xTitle ?? o.x, scale: clean({ type: o.logX ? 'log' : 'linear', domain: o.xDomain, zero: o.logX ? undefined : false, nice: !o.logX }), axis: clean({ format: o.xFormat, tickCount: o.logX ? undefined : 8, ...(xInt ? integerAxis(o.xFormat) : {}) }) });
  const y = clean({ field: o.y, type: 'quantitative', title: o.yTitle ?? o.y, scale: clean({ type: o.logY ? 'log' : 'linear', domain: o.yDomain, zero: o.logY ? undefined : !!o.zero }), axis: clean({ format: o.yFormat, ...(yInt ? integerAxis(o.yFormat) : {}) }) });
  const color = o.series ? { field: o.series, type: 'nominal', title: o.seriesTitle ?? o.series, sort: order, scale: { scheme: 'tableau10' }, legend: { symbolType: points ? 'circle' : 'stroke', symbolStrokeWidth: 2, symbolOpacity: 1, symbolFillColor: null } } : undefined;
  const layers: VegaLiteSpec[] = [];
  if (o.bandLow && o.bandHigh) {
    layers.push({ mark: { type: 'area', opacity: 0.18 }, encoding: clean({ x, y: { field: o.bandLow, type: 'quantitative', scale: y.scale, title: y.title }, y2: { field: o.bandHigh }, color }) });
  }
  layers.push({
    mark: clean({ type: 'line', strokeWidth: o.paper ? 1.25 : 2, point: points ? { size: o.paper ? 12 : 36, filled: true } : undefined, interpolate: 'linear' }),
    encoding: clean({
      x, y, color,
      strokeDash: undefined,
      tooltip: [o.series ? { field: o.series, type: 'nominal' } : undefined, { field: o.x, type: 'quantitative', format: '.4g' }, { field: o.y, type: 'quantitative', format: '.4g' }].filter(Boolean),
    }),
  });
  // Reference rules; a label goes above its line, or below when the next higher rule is too close for both.
  const ys = data.map((d) => Number(d[o.y])).filter(Number.isFinite).concat((o.rules ?? []).map((r) => r.y));
  const span = ys.length ? Math.max(...ys) - Math.min(...ys) || 1 : 1;
  const sortedRules = [...(o.rules ?? [])].sort((a, b) => b.y - a.y);
  let prevAbove: number | null = null;
  for (const r of sortedRules) {
    const close: boolean = prevAbove !== null && (o.logY ? Math.abs(Math.log10(prevAbove / r.y)) < 0.06 * Math.log10(Math.max(...ys) / Math.min(...ys) || 10) : prevAbove - r.y < 0.07 * span);
    const dy = close ? 12 : -7;
    prevAbove = close ? null : r.y;
    layers.push({ data: { values: [r] }, mark: { type: 'rule', strokeDash: [5, 4], color: '#555' }, encoding: { y: { field: 'y', type: 'quantitative' } } });
    if (r.label) layers.push({ data: { values: [r] }, mark: { type: 'text', align: 'right', dx: -4, dy, color: '#555', fontSize: 11 }, encoding: { y: { field: 'y', type: 'quantitative' }, x: { value: { expr: 'width' } }, text: { field: 'label' } } });
  }
  const ex = exploreParts(data, o.explore);
  const width = o.width ?? 420;
  return finish(clean({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: titleOf(o, o.paper ? PAPER_WIDTH[o.paper] : width + (o.series ? 160 : 60)),
    params: ex?.params,
    width,
    height: o.height ?? (o.paper ? Math.round(PAPER_WIDTH[o.paper] * (o.paper === 'column' ? 0.62 : 0.36)) : 280),
    data: { values: data },
    transform: ex ? [ex.filter] : undefined,
    layer: layers,
  }), o);
}

function countBy(data: Datum[], field: string): number[] {
  const m = new Map<unknown, number>();
  for (const d of data) m.set(d[field], (m.get(d[field]) ?? 0) + 1);
  return [...m.values()];
}

/** Scatter plot (optionally coloured by a series field). */
export function scatter(o: Omit<LinesOptions, 'bandLow' | 'bandHigh' | 'points'> & { size?: number; opacity?: number }): VegaLiteSpec {
  checkPlainText('scatter', o.title, o.subtitle, o.xTitle, o.yTitle, o.seriesTitle);
  let data = o.data;
  if (o.logX) data = positiveOnly(data, [o.x], 'scatter(logX)');
  if (o.logY) data = positiveOnly(data, [o.y], 'scatter(logY)');
  const ex = exploreParts(data, o.explore);
  return finish(clean({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: titleOf(o, o.paper ? PAPER_WIDTH[o.paper] : (o.width ?? 380) + 80),
    params: ex?.params,
    width: o.width ?? 380,
    height: o.height ?? (o.paper ? Math.round(PAPER_WIDTH[o.paper] * 0.62) : 300),
    data: { values: data },
    transform: ex ? [ex.filter] : undefined,
    mark: { type: 'circle', size: o.size ?? (o.paper ? 12 : 30), opacity: o.opacity ?? 0.7 },
    encoding: clean({
      x: clean({ field: o.x, type: 'quantitative', title: o.xTitle ?? o.x, scale: clean({ type: o.logX ? 'log' : 'linear', zero: o.logX ? undefined : false, domain: o.xDomain }) }),
      y: clean({ field: o.y, type: 'quantitative', title: o.yTitle ?? o.y, scale: clean({ type: o.logY ? 'log' : 'linear', zero: o.logY ? undefined : !!o.zero, domain: o.yDomain }) }),
      color: o.series ? { field: o.series, type: 'nominal', title: o.seriesTitle ?? o.series, sort: o.seriesOrder, scale: { scheme: 'tableau10' } } : undefined,
      tooltip: [o.series ? { field: o.series, type: 'nominal' } : undefined, { field: o.x, type: 'quantitative', format: '.6~g' }, { field: o.y, type: 'quantitative', format: '.6~g' }].filter(Boolean),
    }),
  }), o);
}

// ------------------------------------------------------------------------------------------------ histogram
export interface HistogramOptions extends CommonOptions {
  /** One set of values ... */
  values?: ArrayLike<number>;
  /** ... or several named sets, overlaid (semi-transparent) in one chart. */
  series?: { name: string; values: ArrayLike<number> }[];
  /** Number of bins (default 40) over the common range. */
  bins?: number;
  /** Logarithmic bins and x axis (positive values only). */
  logX?: boolean;
  /** Logarithmic count axis. */
  logY?: boolean;
  /** Show proportions (each series sums to 1) instead of counts. */
  density?: boolean;
  xTitle?: string;
  yTitle?: string;
  seriesTitle?: string;
  /** [min, max] of the binned range (default: the data's). */
  extent?: [number, number];
}

/** Binned counts as data rows (also used by `histogram`): { series, lo, hi, count, fraction }. */
export function binValues(o: HistogramOptions): { series: string; lo: number; hi: number; count: number; fraction: number }[] {
  const sets = o.series ?? (o.values ? [{ name: 'values', values: o.values }] : []);
  if (!sets.length) throw new Error('histogram: give values or series');
  const nb = o.bins ?? 40;
  const keep = (v: number) => Number.isFinite(v) && (!o.logX || v > 0);
  let lo = Infinity, hi = -Infinity;
  for (const s of sets) for (let i = 0; i < s.values.length; i++) { const v = s.values[i]; if (keep(v)) { if (v < lo) lo = v; if (v > hi) hi = v; } }
  if (o.extent) [lo, hi] = o.extent;
  if (!Number.isFinite(lo)) { lo = o.logX ? 1 : 0; hi = lo + 1; }
  if (hi <= lo) hi = lo + (o.logX ? lo : 1);
  const t = o.logX ? Math.log10 : (v: number) => v;
  const inv = o.logX ? (v: number) => 10 ** v : (v: number) => v;
  const a = t(lo), b = t(hi), w = (b - a) / nb;
  const rows: { series: string; lo: number; hi: number; count: number; fraction: number }[] = [];
  for (const s of sets) {
    const counts = new Array<number>(nb).fill(0);
    let total = 0;
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (!keep(v) || v < lo || v > hi) continue;
      counts[Math.min(nb - 1, Math.floor((t(v) - a) / w))]++;
      total++;
    }
    counts.forEach((c, k) => rows.push({ series: s.name, lo: inv(a + k * w), hi: inv(a + (k + 1) * w), count: c, fraction: total ? c / total : 0 }));
  }
  return rows;
}

/** Histogram of one or several value sets (bins computed here, so log bins and overlays are exact). */
export function histogram(o: HistogramOptions): VegaLiteSpec {
  checkPlainText('histogram', o.title, o.subtitle, o.xTitle, o.yTitle, o.seriesTitle);
  let rows = binValues(o);
  const yField = o.density ? 'fraction' : 'count';
  if (o.logY) rows = rows.filter((r) => r[yField] > 0);
  const multi = (o.series?.length ?? 0) > 1;
  return finish(clean({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: titleOf(o, o.paper ? PAPER_WIDTH[o.paper] : (o.width ?? 420) + (multi ? 160 : 60)),
    width: o.width ?? 420,
    height: o.height ?? (o.paper ? Math.round(PAPER_WIDTH[o.paper] * 0.55) : 260),
    data: { values: rows },
    mark: { type: 'rect', opacity: multi ? 0.55 : 0.9, stroke: 'white', strokeWidth: 0.3 },
    encoding: clean({
      x: { field: 'lo', type: 'quantitative', title: o.xTitle ?? 'value', scale: clean({ type: o.logX ? 'log' : 'linear', zero: o.logX ? undefined : false, nice: false }) },
      x2: { field: 'hi' },
      y: { field: yField, type: 'quantitative', title: o.yTitle ?? (o.density ? 'fraction' : 'count'), scale: clean({ type: o.logY ? 'log' : 'linear', zero: o.logY ? undefined : true }), stack: null },
      y2: o.logY ? undefined : { datum: 0 },
      color: multi ? { field: 'series', type: 'nominal', title: o.seriesTitle ?? null, sort: o.series!.map((s) => s.name), scale: { scheme: 'tableau10' } } : { value: '#4c78a8' },
      tooltip: [{ field: 'series', type: 'nominal' }, { field: 'lo', type: 'quantitative', format: '.6~g' }, { field: 'hi', type: 'quantitative', format: '.6~g' }, { field: 'count', type: 'quantitative' }, { field: 'fraction', type: 'quantitative', format: '.4~g' }],
    }),
  }), o);
}

// ------------------------------------------------------------------------------------------------ bars
export interface BarsOptions extends CommonOptions {
  data: Datum[];
  /** Category field (x) and value field (y). */
  x: string;
  y: string;
  /** Group field: bars side by side within each category. */
  series?: string;
  /** Category order: 'ascending' / 'descending' by value, 'none' (data order, default) or an explicit list. */
  sort?: 'ascending' | 'descending' | 'none' | string[];
  xTitle?: string;
  yTitle?: string;
  seriesTitle?: string;
  /** Horizontal bars (categories on the y axis): better for long method names. */
  horizontal?: boolean;
  /** Fields of error-bar ends. */
  errorLow?: string;
  errorHigh?: string;
  /** Write the value at the end of each bar (d3 format, e.g. '.2f'). */
  text?: boolean | string;
  logY?: boolean;
  yDomain?: [number, number];
}

/** Bar chart (grouped when `series` is given), optional error bars and value labels. */
export function bars(o: BarsOptions): VegaLiteSpec {
  checkPlainText('bars', o.title, o.subtitle, o.xTitle, o.yTitle, o.seriesTitle);
  const cats = distinctSorted(o.data.map((d) => d[o.x]));
  // Category order computed here (mean value per category), so every layer shares one explicit order.
  let sortExpr: unknown[] = cats;
  if (Array.isArray(o.sort)) sortExpr = o.sort;
  else if (o.sort === 'ascending' || o.sort === 'descending') {
    const mean = new Map<unknown, number>();
    for (const c of cats) {
      const v = o.data.filter((d) => d[o.x] === c).map((d) => Number(d[o.y])).filter(Number.isFinite);
      mean.set(c, v.length ? v.reduce((a, b) => a + b, 0) / v.length : -Infinity);
    }
    const dir = o.sort === 'ascending' ? 1 : -1;
    sortExpr = [...cats].sort((a, b) => dir * ((mean.get(a) as number) - (mean.get(b) as number)));
  }
  const nSeries = o.series ? new Set(o.data.map((d) => d[o.series!])).size : 1;
  const n = cats.length * nSeries;
  const band = Math.max(14, Math.min(40, Math.floor(420 / Math.max(1, n))));
  const width = o.width ?? (o.horizontal ? 380 : Math.max(200, band * n));
  // ~7 px per character at 12 px: tilt the labels when the longest does not fit its band.
  const longest = Math.max(0, ...cats.map((c) => String(c).length));
  const tilt = !o.horizontal && longest * 7 > (width / Math.max(1, cats.length)) - 6;
  const cat = clean({ field: o.x, type: 'nominal', sort: sortExpr, title: o.xTitle ?? o.x, axis: o.horizontal ? { labelLimit: 260 } : { labelAngle: tilt ? -35 : 0, labelAlign: tilt ? 'right' : 'center', labelLimit: 180 } });
  const val = clean({ field: o.y, type: 'quantitative', title: o.yTitle ?? o.y, scale: clean({ type: o.logY ? 'log' : 'linear', domain: o.yDomain }), axis: !o.logY && integerField(o.data, o.y) ? integerAxis() : undefined });
  const pos = o.horizontal ? { y: cat, x: val } : { x: cat, y: val };
  const groups = o.series ? distinctSorted(o.data.map((d) => d[o.series!])) : [];
  const offset = o.series ? (o.horizontal ? { yOffset: { field: o.series, type: 'nominal', sort: groups } } : { xOffset: { field: o.series, type: 'nominal', sort: groups } }) : {};
  const color = o.series ? { field: o.series, type: 'nominal', title: o.seriesTitle ?? o.series, sort: groups, scale: { scheme: 'tableau10' } } : { value: '#4c78a8' };
  const extra = [o.errorLow, o.errorHigh].filter((f): f is string => !!f).map((f) => ({ field: f, type: 'quantitative', format: '.6~g' }));
  const layers: VegaLiteSpec[] = [{ mark: { type: 'bar' }, encoding: { ...pos, ...offset, color, tooltip: [{ field: o.x }, ...(o.series ? [{ field: o.series }] : []), { field: o.y, type: 'quantitative', format: '.6~g' }, ...extra] } }];
  if (o.errorLow && o.errorHigh) {
    const vf = o.horizontal ? 'x' : 'y';
    layers.push({ mark: { type: 'rule', color: '#333' }, encoding: { ...(o.horizontal ? { y: cat } : { x: cat }), ...offset, [vf]: { field: o.errorLow, type: 'quantitative' }, [`${vf}2`]: { field: o.errorHigh } } });
  }
  if (o.text) {
    const fmt = typeof o.text === 'string' ? o.text : '.3g';
    layers.push({
      mark: o.horizontal ? { type: 'text', align: 'left', dx: 3, fontSize: 11 } : { type: 'text', baseline: 'bottom', dy: -2, fontSize: 11 },
      encoding: { ...pos, ...offset, text: { field: o.y, type: 'quantitative', format: fmt } },
    });
  }
  const ex = exploreParts(o.data, o.explore);
  return finish(clean({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: titleOf(o, o.paper ? PAPER_WIDTH[o.paper] : width + (o.horizontal ? 200 : 60) + (o.series ? 120 : 0)),
    params: ex?.params,
    width,
    height: o.height ?? (o.horizontal ? Math.max(o.paper ? 60 : 120, (o.paper ? 12 : band) * n) : o.paper ? Math.round(PAPER_WIDTH[o.paper] * 0.55) : 260),
    data: { values: o.data },
    transform: ex ? [ex.filter] : undefined,
    layer: layers,
  }), o);
}

// ------------------------------------------------------------------------------------------------ panels
/**
 * Several charts side by side (a multi-panel figure): `panels([lines(...), heatmap(...)], { columns: 2 })`.
 * Each panel keeps its own scales and legend; per-panel `config` entries are dropped (only the shared config
 * applies), so heatmap panels keep grid lines off through their axis settings here.
 */
export function panels(specs: VegaLiteSpec[], o: CommonOptions & { columns?: number; spacing?: number } = {}): VegaLiteSpec {
  if (!specs.length) throw new Error('panels: no charts');
  const strip = (s: VegaLiteSpec): VegaLiteSpec => {
    const { $schema, config, ...rest } = s;
    void $schema;
    if (config?.axis?.grid === false) {
      // carry the heatmap's "no grid" into its encodings
      const layers = (rest.layer ?? [rest]) as VegaLiteSpec[];
      for (const l of layers) for (const ch of ['x', 'y']) if (l.encoding?.[ch]) l.encoding[ch] = { ...l.encoding[ch], axis: { ...(l.encoding[ch].axis ?? {}), grid: false } };
    }
    return rest;
  };
  return finish(clean({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: titleOf(o, o.paper ? PAPER_WIDTH[o.paper] : undefined),
    columns: o.columns ?? specs.length,
    spacing: o.spacing ?? 24,
    concat: specs.map(strip),
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  }), o, { facet: true });
}
