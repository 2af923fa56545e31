/**
 * Rendering vega-lite specs to SVG, PNG and PDF without a browser.
 *
 * vega 5.33 + vega-lite 5.23 are loaded with `require` (vega 6 is ESM-only with a top-level await and breaks
 * `require` inside tslab). SVG comes from a headless vega View; PNG from rasterising that SVG with
 * @resvg/resvg-js (prebuilt, no cairo), using DejaVu Sans when it is installed, else the system's sans-serif;
 * PDF from drawing the same SVG as vector paths and text with pdfkit + svg-to-pdfkit, the figure font embedded
 * (subset), 1 SVG px = 1 pt (so a figure `width` of 238 is a 3.3 in paper column).
 * Embedded images (data: URLs, used by `imageGrid`) are kept in the SVG, rasterised by resvg, and embedded in the PDF.
 *
 * Text widths: without a browser canvas vega guesses every text as 0.8 x font size per character, ~40% wider
 * than DejaVu Sans, which left wide empty margins beside titles, axis titles and legends. Here vega measures
 * text with the figure font's own glyph advances (fontkit, a pdfkit dependency), as a browser would.
 */
import fs from 'node:fs';
import path from 'node:path';

/* eslint-disable @typescript-eslint/no-var-requires */
const vega = require('vega') as typeof import('vega');
const vl = require('vega-lite') as typeof import('vega-lite');
/* eslint-enable @typescript-eslint/no-var-requires */

export type VegaLiteSpec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FONT_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts', '/usr/share/fonts/truetype', '/Library/Fonts', 'C:\\Windows\\Fonts'];

function findFontFile(re: RegExp, dirs = FONT_DIRS, depth = 3): string | null {
  for (const dir of dirs) {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { continue; }
    for (const e of entries) if (e.isFile() && re.test(e.name)) return path.join(dir, e.name);
    if (depth > 0) {
      const hit = findFontFile(re, entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name)), depth - 1);
      if (hit) return hit;
    }
  }
  return null;
}

let fontCache: { family: string; file: string | null } | null = null;
/** The bold / italic files beside the regular figure font (DejaVuSans-Bold.ttf ...), or null. */
function fontVariant(bold: boolean, italic: boolean): string | null {
  const f = figureFont().file;
  if (!f) return null;
  if (!bold && !italic) return f;
  const ext = path.extname(f), base = f.slice(0, -ext.length).replace(/-Regular$/, '');
  const suffix = bold && italic ? ['-BoldOblique', '-BoldItalic'] : bold ? ['-Bold'] : ['-Oblique', '-Italic'];
  for (const sfx of suffix) if (fs.existsSync(base + sfx + ext)) return base + sfx + ext;
  return null;
}

// ------------------------------------------------------------------------------------------------ text metrics
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FontkitFont = { unitsPerEm: number; layout(text: string): { advanceWidth: number } };
const fkFonts = new Map<string, FontkitFont | null>();
function fkFont(file: string | null): FontkitFont | null {
  if (!file) return null;
  if (!fkFonts.has(file)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      fkFonts.set(file, (require('fontkit') as { openSync(f: string): FontkitFont }).openSync(file));
    } catch {
      fkFonts.set(file, null);
    }
  }
  return fkFonts.get(file)!;
}

/** Width in px of `text` at `size` px in the figure font (its glyph advances; 0.6 em per character without it). */
export function textWidth(text: string, size: number, opts: { bold?: boolean; italic?: boolean } = {}): number {
  if (!text || !(size > 0)) return 0;
  const f = fkFont(fontVariant(!!opts.bold, !!opts.italic)) ?? fkFont(figureFont().file);
  if (!f) return 0.6 * size * text.length;
  return (f.layout(text).advanceWidth / f.unitsPerEm) * size;
}

interface TextItem { fontSize?: number; fontWeight?: string | number; fontStyle?: string; limit?: number; ellipsis?: string }
function measureItem(item: TextItem, line: unknown): number {
  const size = item.fontSize ?? 11;
  const bold = item.fontWeight === 'bold' || item.fontWeight === 'bolder' || Number(item.fontWeight) >= 600;
  const o = { bold, italic: item.fontStyle === 'italic' || item.fontStyle === 'oblique' };
  let text = line == null ? '' : String(line).trim();
  let w = textWidth(text, size, o);
  if (item.limit && item.limit > 0 && w > item.limit) {
    // vega truncates to the limit with an ellipsis; measure what it will draw
    const ell = item.ellipsis ?? '…';
    let lo = 0, hi = text.length;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (textWidth(text.slice(0, mid) + ell, size, o) <= item.limit) lo = mid; else hi = mid - 1; }
    text = text.slice(0, lo) + ell;
    w = textWidth(text, size, o);
  }
  return w;
}
(vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics.width = measureItem;
/** The font family used for text in figures: DejaVu Sans when installed, else Liberation Sans / Arial / sans-serif. */
export function figureFont(): { family: string; file: string | null } {
  if (fontCache) return fontCache;
  const candidates: [string, RegExp][] = [['DejaVu Sans', /^DejaVuSans\.ttf$/], ['Liberation Sans', /^LiberationSans-Regular\.ttf$/], ['Arial', /^arial\.ttf$/i]];
  for (const [family, re] of candidates) {
    const file = findFontFile(re);
    if (file) return (fontCache = { family, file });
  }
  return (fontCache = { family: 'sans-serif', file: null });
}

/**
 * The colour a vega colour scheme gives at t in [0, 1] (continuous schemes interpolate, discrete ones pick the
 * nearest entry), as [r, g, b] in 0..255; null for an unknown scheme.
 */
export function schemeColor(scheme: string, t: number): [number, number, number] | null {
  const sch = (vega as unknown as { scheme(name: string): unknown }).scheme(scheme);
  let css: string | undefined;
  const u = Math.min(1, Math.max(0, t));
  if (typeof sch === 'function') css = (sch as (t: number) => string)(u);
  else if (Array.isArray(sch) && sch.length) css = sch[Math.min(sch.length - 1, Math.round(u * (sch.length - 1)))];
  if (!css) return null;
  const hex = css.match(/^#([0-9a-f]{6})$/i);
  if (hex) return [0, 2, 4].map((i) => parseInt(hex[1].slice(i, i + 2), 16)) as [number, number, number];
  const rgb = css.match(/rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)/);
  return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])] : null;
}

/** Relative luminance (0 black .. 1 white) of an sRGB colour. */
export function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** The config every figure gets (readable sizes, one font); a spec's own config overrides it. */
export function baseConfig(): VegaLiteSpec {
  const font = figureFont().family;
  return {
    font,
    background: 'white',
    padding: 8,
    title: { fontSize: 15, fontWeight: 'bold', anchor: 'start', offset: 10, subtitleFontSize: 12, subtitleColor: '#555' },
    axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', gridColor: '#e6e6e6', tickColor: '#888', domainColor: '#888' },
    legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal' },
    header: { labelFontSize: 13, titleFontSize: 13 },
    view: { stroke: '#bbb' },
    text: { font },
  };
}

function mergeConfig(spec: VegaLiteSpec): VegaLiteSpec {
  const base = baseConfig();
  const own = spec.config ?? {};
  const config: VegaLiteSpec = { ...base };
  for (const [k, v] of Object.entries(own)) {
    config[k] = v && typeof v === 'object' && !Array.isArray(v) && base[k] && typeof base[k] === 'object' ? { ...base[k], ...v } : v;
  }
  return { ...spec, config };
}

/** Compiles a vega-lite spec to a vega spec (throws with vega-lite's message on an invalid spec). */
export function compile(spec: VegaLiteSpec): VegaLiteSpec {
  return vl.compile(mergeConfig(spec) as never).spec as VegaLiteSpec;
}

/** Renders a vega-lite spec to SVG text. */
export async function toSVG(spec: VegaLiteSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec) as never), { renderer: 'none', logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises SVG text to PNG bytes at `scale` x the SVG's size (white background). */
export function svgToPNG(svg: string, scale = 2): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const font = figureFont();
  const fam = font.family === 'sans-serif' ? 'DejaVu Sans' : font.family;
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    // Every generic family maps to the figure font: resvg 2.6 panics (killing the kernel) when a text element's
    // family list resolves to no loaded font.
    font: {
      loadSystemFonts: true, defaultFontFamily: fam, sansSerifFamily: fam, serifFamily: fam, monospaceFamily: fam, cursiveFamily: fam, fantasyFamily: fam,
      ...(font.file ? { fontFiles: [font.file] } : {}),
    },
    imageRendering: 1, // optimizeSpeed: nearest-neighbour for embedded images (crisp pixels)
  });
  return r.render().asPng();
}

/** Renders a vega-lite spec to PNG bytes (`scale` 2 = 2x the figure's CSS size, sharp on screens and paper). */
export async function toPNG(spec: VegaLiteSpec, scale = 2): Promise<Buffer> {
  return svgToPNG(await toSVG(spec), scale);
}

/**
 * Draws SVG text (as vega writes it) into a vector PDF page of the SVG's size (1 px = 1 pt), with the figure font
 * embedded; deterministic bytes for the same SVG.
 */
export async function svgToPDF(svg: string, opts: { title?: string } = {}): Promise<Buffer> {
  /* eslint-disable @typescript-eslint/no-var-requires */
  const PDFDocument = require('pdfkit');
  const SVGtoPDF = require('svg-to-pdfkit');
  /* eslint-enable @typescript-eslint/no-var-requires */
  const m = svg.match(/<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/);
  if (!m) throw new Error('svgToPDF: the SVG has no width / height');
  const w = Number(m[1]), h = Number(m[2]);
  const epoch = new Date(0);
  const doc = new PDFDocument({ size: [w, h], margin: 0, compress: true, info: { Title: opts.title ?? '', Creator: 'rml (vega-lite, pdfkit)', Producer: 'pdfkit', CreationDate: epoch, ModDate: epoch } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const names: Record<string, string> = {};
  for (const [key, bold, italic] of [['R', false, false], ['B', true, false], ['I', false, true], ['BI', true, true]] as const) {
    const file = fontVariant(bold, italic) ?? figureFont().file;
    if (file) { doc.registerFont(`fig-${key}`, file); names[key] = `fig-${key}`; }
  }
  SVGtoPDF(doc, svg, 0, 0, {
    width: w, height: h, assumePt: true, preserveAspectRatio: 'xMinYMin meet',
    fontCallback: (_family: string, bold: boolean, italic: boolean) => names[bold && italic ? 'BI' : bold ? 'B' : italic ? 'I' : 'R'] ?? (bold ? 'Helvetica-Bold' : 'Helvetica'),
    warningCallback: () => { /* unsupported SVG bits are skipped silently (vega writes none we need) */ },
  });
  doc.end();
  return done;
}

/**
 * The data behind a figure as rows: the top-level `data.values` and those of every panel (concat / facet),
 * with a `panel` column naming the panel when there are several; image rows (data: URLs) are left out.
 */
export function figureData(spec: VegaLiteSpec): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const visit = (s: VegaLiteSpec, panel: string | null) => {
    if (!s || typeof s !== 'object') return;
    const vals = s.data?.values;
    if (Array.isArray(vals)) {
      for (const v of vals) {
        if (!v || typeof v !== 'object') continue;
        const row: Record<string, unknown> = {};
        let image = false;
        for (const [k, x] of Object.entries(v)) { if (k.startsWith('_')) continue; if (typeof x === 'string' && x.startsWith('data:image/')) image = true; else row[k] = x; }
        if (image) continue;
        out.push(panel !== null ? { panel, ...row } : row);
      }
    }
    const kids: VegaLiteSpec[] = [...(s.concat ?? []), ...(s.hconcat ?? []), ...(s.vconcat ?? [])];
    kids.forEach((k, i) => {
      const t = k.title;
      visit(k, typeof t === 'string' ? t : Array.isArray(t) ? t.join(' ') : t?.text ? [].concat(t.text).join(' ') : `panel ${i + 1}`);
    });
    if (s.spec) visit(s.spec, panel);
  };
  visit(spec, null);
  return out;
}

export type FigureFormat = 'svg' | 'png' | 'pdf' | 'csv';
export const FIGURE_FORMATS: readonly FigureFormat[] = ['svg', 'png', 'pdf', 'csv'];

/**
 * Writes `<pathWithoutExt>.svg`, `.png`, `.pdf` (vector, font embedded) and `.data.csv` (the figure's data, when
 * it has any besides images); `formats` picks a subset. Returns the paths and the SVG / PNG contents.
 */
export async function save(spec: VegaLiteSpec, pathWithoutExt: string, opts: { scale?: number; formats?: readonly FigureFormat[] } = {}): Promise<{ svgPath: string; pngPath: string; pdfPath: string | null; csvPath: string | null; svg: string; png: Buffer }> {
  const formats = new Set(opts.formats ?? FIGURE_FORMATS);
  const svg = await toSVG(spec);
  const png = svgToPNG(svg, opts.scale ?? 2);
  fs.mkdirSync(path.dirname(pathWithoutExt), { recursive: true });
  const svgPath = `${pathWithoutExt}.svg`;
  const pngPath = `${pathWithoutExt}.png`;
  if (formats.has('svg')) fs.writeFileSync(svgPath, svg);
  if (formats.has('png')) fs.writeFileSync(pngPath, png);
  let pdfPath: string | null = null, csvPath: string | null = null;
  if (formats.has('pdf')) {
    pdfPath = `${pathWithoutExt}.pdf`;
    const t = spec.title;
    fs.writeFileSync(pdfPath, await svgToPDF(svg, { title: typeof t === 'string' ? t : t?.text ? [].concat(t.text).join(' ') : path.basename(pathWithoutExt) }));
  }
  if (formats.has('csv')) {
    const rows = figureData(spec);
    if (rows.length) {
      csvPath = `${pathWithoutExt}.data.csv`;
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      fs.writeFileSync(csvPath, (require('../tables') as typeof import('../tables')).rowsToCSV(rows));
    }
  }
  return { svgPath, pngPath, pdfPath, csvPath, svg, png };
}

/** The spec with the shared config merged in (what `figure` shows in JupyterLab, so it matches the files). */
export function withConfig(spec: VegaLiteSpec): VegaLiteSpec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...mergeConfig(spec) };
}
