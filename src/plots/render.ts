/**
 * Rendering vega-lite specs to SVG and PNG without a browser.
 *
 * vega 5.33 + vega-lite 5.23 are loaded with `require` (vega 6 is ESM-only with a top-level await and breaks
 * `require` inside tslab). SVG comes from a headless vega View; PNG from rasterising that SVG with
 * @resvg/resvg-js (prebuilt, no cairo), using DejaVu Sans when it is installed, else the system's sans-serif.
 * Embedded images (data: URLs, used by `imageGrid`) are kept in the SVG and rasterised by resvg.
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

/** Writes `<pathWithoutExt>.svg` and `.png`; returns both paths and the contents. */
export async function save(spec: VegaLiteSpec, pathWithoutExt: string, opts: { scale?: number } = {}): Promise<{ svgPath: string; pngPath: string; svg: string; png: Buffer }> {
  const svg = await toSVG(spec);
  const png = svgToPNG(svg, opts.scale ?? 2);
  fs.mkdirSync(path.dirname(pathWithoutExt), { recursive: true });
  const svgPath = `${pathWithoutExt}.svg`;
  const pngPath = `${pathWithoutExt}.png`;
  fs.writeFileSync(svgPath, svg);
  fs.writeFileSync(pngPath, png);
  return { svgPath, pngPath, svg, png };
}

/** The spec with the shared config merged in (what `figure` shows in JupyterLab, so it matches the files). */
export function withConfig(spec: VegaLiteSpec): VegaLiteSpec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...mergeConfig(spec) };
}
