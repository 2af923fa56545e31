import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { imageGrid, heatmap, lines, histogram, bars, scatter, compile, toSVG, toPNG, save, figureFont, PNG_SIGNATURE, encodePNG, binValues } from '../../src/plots';

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

test('figure font: DejaVu Sans when installed, a named fallback otherwise', () => {
  const f = figureFont();
  assert.ok(f.family.length > 0);
  if (fs.existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf')) assert.equal(f.family, 'DejaVu Sans');
});

test('encodePNG writes a valid PNG (signature, IHDR size, decodable by resvg through an SVG)', async () => {
  const px = new Uint8Array(4 * 3).map((_, i) => i * 20);
  const png = encodePNG(px, 4, 3, 1);
  assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
  assert.equal(png.readUInt32BE(16), 4);
  assert.equal(png.readUInt32BE(20), 3);
  assert.throws(() => encodePNG(px, 5, 3, 1), /bytes/);
});

test('imageGrid: one embedded PNG strip per row, labels on the axis; renders to SVG and PNG', async () => {
  const n = 6, h = 28, w = 28;
  const a = new Float32Array(n * h * w).map((_, i) => (i % 29) / 28);
  const spec = imageGrid({ title: 'Grid', rows: [{ label: 'clean', images: a }, { label: 'corrupted', images: Array.from(a, (v) => 1 - v) }, { label: '|S|', images: a.map((v) => v - 0.5), range: 'abs' }], height: h, width: w, cols: 5 });
  compile(spec);
  assert.equal(spec.data.values.length, 3);
  for (const v of spec.data.values) assert.match(v.url, /^data:image\/png;base64,/);
  // the strip holds 5 images of 2x-upscaled 28 px with 2 px gaps
  const png = Buffer.from(spec.data.values[0].url.split(',')[1], 'base64');
  assert.equal(png.readUInt32BE(16), 5 * 56 + 4 * 2);
  assert.equal(png.readUInt32BE(20), 56);
  const svg = await toSVG(spec);
  assert.equal(count(svg, /<image /g), 3);
  for (const label of ['clean', 'corrupted', '|S|']) assert.ok(svg.includes(`>${label}<`), label);
  const out = await toPNG(spec, 1);
  assert.deepEqual(out.subarray(0, 8), PNG_SIGNATURE);
});

test('imageGrid accepts tensors-like batches, RGB in HWC and CHW layouts, and checks sizes', () => {
  const t = { shape: [2, 12], dataSync: () => new Float32Array(24).fill(0.5) };
  const spec = imageGrid({ rows: [{ label: 'rgb', images: t }], height: 2, width: 2, channels: 3 });
  assert.equal(spec.data.values.length, 1);
  const chw = imageGrid({ rows: [{ label: 'rgb', images: new Float32Array(24) }], height: 2, width: 2, channels: 3, layout: 'chw' });
  assert.equal(chw.data.values.length, 1);
  assert.throws(() => imageGrid({ rows: [{ label: 'x', images: new Float32Array(10) }], height: 2, width: 2 }), /multiple/);
  assert.throws(() => imageGrid({ rows: [], height: 2, width: 2 }), /no rows/);
});

test('heatmap: one rect per cell, diverging scale centred at 0, cell text', async () => {
  const data = [];
  for (const x of [0.1, 0.2, 0.3]) for (const y of [1, 2]) data.push({ x, y, v: x * (y === 1 ? -1 : 1) });
  const spec = heatmap({ data, x: 'x', y: 'y', color: 'v', diverging: true, text: '.2f', title: 'H', xTitle: 'noise (fraction)', yTitle: 'λ' });
  const vg = compile(spec);
  const color = (vg.scales as { name: string; domainMid?: number; domain?: unknown }[]).find((s) => s.name === 'color')!;
  assert.equal(color.domainMid, 0);
  assert.deepEqual(color.domain, [-0.3, 0.3]);
  const svg = await toSVG(spec);
  assert.equal(count(svg, /role-mark[^"]*marktype-rect|class="mark-rect role-mark/g) >= 1, true);
  assert.ok(svg.includes('-0.30') || svg.includes('−0.30'));
  assert.ok(svg.includes('noise (fraction)'));
  const rects = svg.split('class="mark-rect role-mark')[1].split('</g>')[0];
  assert.equal(count(rects, /<path /g), 6);
});

test('lines: one path per series; log axes drop non-positive values; reference rules', async () => {
  const data = [];
  for (const s of ['A', 'B']) for (let i = 1; i <= 5; i++) data.push({ s, x: 10 ** i, y: i * (s === 'A' ? 1 : 2) });
  data.push({ s: 'A', x: 0, y: 1 });
  const spec = lines({ data, x: 'x', y: 'y', series: 's', logX: true, title: 'L', xTitle: 'λ', yTitle: 'error (%)', rules: [{ y: 3, label: 'paper' }] });
  compile(spec);
  const svg = await toSVG(spec);
  // one line mark (one path) per series
  const groups = svg.split('class="mark-line role-mark').slice(1).map((g) => g.split('</g>')[0]);
  assert.equal(groups.length, 2);
  for (const g of groups) assert.equal(count(g, /<path /g), 1);
  assert.ok(svg.includes('paper'));
  assert.ok(svg.includes('error (%)'));
});

test('histogram: exact bin counts, overlays, log bins', async () => {
  const rows = binValues({ values: [0, 0.1, 0.2, 0.9, 1], bins: 2 });
  assert.deepEqual(rows.map((r) => r.count), [3, 2]);
  const log = binValues({ values: [1, 10, 100, 1000], bins: 3, logX: true });
  assert.deepEqual(log.map((r) => r.count), [1, 1, 2]);
  assert.ok(Math.abs(log[1].lo - 10) < 1e-9);
  const spec = histogram({ series: [{ name: 'in', values: [1, 2, 3] }, { name: 'out', values: [2, 3, 4] }], bins: 4, title: 'Hist', xTitle: 'error' });
  const svg = await toSVG(spec);
  const rects = svg.split('class="mark-rect role-mark')[1].split('</g>')[0];
  assert.equal(count(rects, /<path /g), 8);
  assert.ok(svg.includes('out'));
});

test('bars: sorted categories, grouped series, error rules and labels', async () => {
  const data = [{ m: 'RDA', f1: 0.69 }, { m: 'IF', f1: 0.37 }, { m: 'SVM', f1: 0.45 }];
  const spec = bars({ data, x: 'm', y: 'f1', sort: 'descending', text: '.2f', title: 'B', yTitle: 'F1' });
  const svg = await toSVG(spec);
  const bar = svg.split('class="mark-rect role-mark')[1].split('</g>')[0];
  assert.equal(count(bar, /<path /g), 3);
  const labels = [...svg.matchAll(/>(RDA|SVM|IF)</g)].map((m) => m[1]);
  assert.deepEqual(labels.slice(0, 3), ['RDA', 'SVM', 'IF']);
  const grouped = bars({ data: [{ c: 'a', g: 'x', v: 1, lo: 0.5, hi: 1.5 }, { c: 'a', g: 'y', v: 2, lo: 1.5, hi: 2.5 }, { c: 'b', g: 'x', v: 3, lo: 2, hi: 4 }], x: 'c', y: 'v', series: 'g', errorLow: 'lo', errorHigh: 'hi', horizontal: true });
  const gsvg = await toSVG(grouped);
  assert.equal(count(gsvg.split('class="mark-rule role-mark')[1].split('</g>')[0], /<line /g), 3);
  compile(scatter({ data, x: 'f1', y: 'f1' }));
});

test('save writes .svg and .png next to each other', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rml-plot-'));
  try {
    const r = await save(lines({ data: [{ x: 1, y: 1 }, { x: 2, y: 3 }], x: 'x', y: 'y' }), path.join(dir, 'sub', 'fig'));
    assert.ok(fs.readFileSync(r.svgPath, 'utf8').startsWith('<svg'));
    assert.deepEqual(fs.readFileSync(r.pngPath).subarray(0, 8), PNG_SIGNATURE);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an invalid spec fails with vega-lite\'s message', () => {
  assert.throws(() => compile({ mark: 'nope', data: { values: [] } }));
});

test('panels: charts side by side with independent colour scales', async () => {
  const { panels } = await import('../../src/plots');
  const hm = heatmap({ data: [{ x: 1, y: 1, v: 0 }, { x: 2, y: 1, v: 1 }], x: 'x', y: 'y', color: 'v', title: '(a)' });
  const ln = lines({ data: [{ x: 1, y: 1 }, { x: 2, y: 2 }], x: 'x', y: 'y', title: '(b)' });
  const spec = panels([hm, ln], { title: 'Both', columns: 2 });
  assert.equal(spec.concat.length, 2);
  assert.equal(spec.concat[0].$schema, undefined);
  const svg = await toSVG(spec);
  assert.ok(svg.includes('(a)') && svg.includes('(b)') && svg.includes('Both'));
  assert.throws(() => panels([]), /no charts/);
});

// ------------------------------------------------------------------------------------------------ issue 18: sizing, panels, paper, export
import { heatmapPanels, textWidth, svgToPDF, figureData, PAPER_WIDTH, wrapText } from '../../src/plots';

const svgSize = (svg: string) => { const m = svg.match(/<svg[^>]*width="([\d.]+)" height="([\d.]+)"/)!; return { w: Number(m[1]), h: Number(m[2]) }; };
const rootOffset = (svg: string) => { const m = svg.match(/<g fill="none" stroke-miterlimit="10" transform="translate\(([\d.]+),([\d.]+)\)"/)!; return { x: Number(m[1]), y: Number(m[2]) }; };
const grid = (xs: number[], ys: number[], f: (x: number, y: number) => number) => xs.flatMap((x) => ys.map((y) => ({ x, y, v: f(x, y) })));

test('text is measured with the figure font, not guessed at 0.8 em per character (no empty margins)', async () => {
  const w = textWidth('manifold dimension kappa', 13);
  if (figureFont().family === 'DejaVu Sans') assert.ok(Math.abs(w - 172.2) < 1, `${w}`); // DejaVu Sans advances
  assert.ok(w < 0.7 * 13 * 24, `${w}`);
  assert.ok(textWidth('Bold title', 15, { bold: true }) > textWidth('Bold title', 15));
  // a long y-axis title on a short heatmap: vega's guess (250 px for a 160 px plot) pushed the plot 53 px down
  const spec = heatmap({ data: grid([0, 0.25, 0.5], [2, 8, 14, 20], (x, y) => x * y), x: 'x', y: 'y', color: 'v', text: '.2f', xTitle: 'outlier ratio nu', yTitle: 'manifold dimension kappa' });
  const svg = await toSVG(spec);
  assert.ok(rootOffset(svg).y <= 20, `plot starts ${rootOffset(svg).y} px down`);
  const { w: W } = svgSize(svg);
  assert.ok(W < spec.width + 150, `figure ${W} px wide for a ${spec.width} px plot`);
});

test('heatmap: a 2 x 2 grid still gets a readable plot; long subtitles wrap instead of widening the figure', async () => {
  const spec = heatmap({ data: grid([1, 2], [1, 2], (x, y) => x - y), x: 'x', y: 'y', color: 'v', diverging: true, text: true, title: 'T', subtitle: 'a subtitle '.repeat(20) });
  assert.ok(spec.width >= 180 && spec.height >= 140, `${spec.width} x ${spec.height}`);
  assert.ok(Array.isArray(spec.title.subtitle) && spec.title.subtitle.length >= 2);
  const svg = await toSVG(spec);
  assert.ok(svgSize(svg).w < 520, `${svgSize(svg).w}`);
  assert.deepEqual(wrapText('aa bb cc', 1e9, 12), ['aa bb cc']);
});

test('heatmap: cell text is white on dark cells and black on light ones for any scheme; tooltips carry every field', async () => {
  const data = [{ x: 1, y: 1, v: 0.02, extra: 7, note: 'n' }, { x: 2, y: 1, v: 0.98, extra: 8, note: 'm' }];
  for (const [scheme, darkAtHigh] of [['blues', true], ['viridis', false], ['greys', true]] as const) {
    const spec = heatmap({ data, x: 'x', y: 'y', color: 'v', domain: [0, 1], scheme, text: '.2f' });
    const svg = await toSVG(spec);
    const fill = (label: string) => svg.match(new RegExp(`fill="(white|black)">${label}<`))![1];
    assert.equal(fill('0.98'), darkAtHigh ? 'white' : 'black', scheme);
    assert.equal(fill('0.02'), darkAtHigh ? 'black' : 'white', scheme);
    const tip = spec.layer[0].encoding.tooltip.map((t: { field: string }) => t.field);
    assert.deepEqual(tip, ['x', 'y', 'v', 'extra', 'note']);
  }
});

test('heatmapPanels: panels side by side with ONE colour scale and legend', async () => {
  const data = ['(a) VAE', '(b) AE-l2', '(c) RPCA'].flatMap((model, i) => grid([0, 0.25], [2, 8, 14], (x, y) => (x + y / 20 + i) / 4).map((d) => ({ ...d, model })));
  const spec = heatmapPanels({ data, panel: 'model', x: 'x', y: 'y', color: 'v', domain: [0, 1], scheme: 'blues', text: '.2f', title: 'Figure 1' });
  const vg = compile(spec);
  assert.equal((vg.scales as { name: string }[]).filter((s) => /color/.test(s.name)).length, 1);
  assert.equal((vg.legends ?? []).length, 1);
  const svg = await toSVG(spec);
  for (const m of ['(a) VAE', '(b) AE-l2', '(c) RPCA']) assert.ok(svg.includes(`>${m}<`), m);
  const rects = svg.split('class="mark-rect role-mark').slice(1).map((g) => count(g.split('</g>')[0], /<path /g));
  assert.equal(rects.reduce((a, b) => a + b, 0), 18);
  assert.throws(() => heatmapPanels({ data, panel: 'model', panelOrder: ['(a) VAE'], x: 'x', y: 'y', color: 'v' }), /not in panelOrder/);
  // long panel names wrap to the panel width instead of pushing the panels apart
  const long = ['convex RPCA (PCP, inexact ALM)', 'robust factorization, p = 2r (over-parameterised)'].flatMap((model) => grid([1, 2], [1, 2], (x, y) => x * y).map((d) => ({ ...d, model })));
  const lsvg = await toSVG(heatmapPanels({ data: long, panel: 'model', x: 'x', y: 'y', color: 'v', text: true }));
  const one = await toSVG(heatmap({ data: long.slice(0, 4), x: 'x', y: 'y', color: 'v', text: true }));
  assert.ok(svgSize(lsvg).w < 2 * svgSize(one).w + 40, `${svgSize(lsvg).w} vs one panel ${svgSize(one).w}`);
  assert.ok(lsvg.includes('>(PCP, inexact ALM)<') || lsvg.includes('>inexact ALM)<'), 'wrapped header line');
});

test('paper sizes: a single column is 238 pt wide, a full page 504 pt, with the small-font theme', async () => {
  const strip = imageGrid({ rows: [{ label: 'clean', images: new Float32Array(10 * 784).fill(0.5) }, { label: 'noisy', images: new Float32Array(10 * 784).fill(0.2) }], height: 28, width: 28, paper: 'column', title: 'Grid' });
  const gsvg = await toSVG(strip);
  assert.ok(svgSize(gsvg).w <= PAPER_WIDTH.column + 2, `image grid ${svgSize(gsvg).w} pt wide`);
  const data = [{ step: 0, v: 3 }, { step: 1, v: 2 }, { step: 2, v: 1.5 }];
  for (const paper of ['column', 'page'] as const) {
    const svg = await toSVG(lines({ data, x: 'step', y: 'v', title: 'T', xTitle: 'step', yTitle: 'value', paper }));
    assert.equal(svgSize(svg).w, PAPER_WIDTH[paper], paper);
    assert.ok(svg.includes('font-size="8px"'));
    const hm = await toSVG(heatmap({ data: grid([1, 2, 3], [1, 2], (x, y) => x * y), x: 'x', y: 'y', color: 'v', text: true, paper }));
    assert.equal(svgSize(hm).w, PAPER_WIDTH[paper], `heatmap ${paper}`);
  }
  const panelsSvg = await toSVG(heatmapPanels({ data: ['a', 'b', 'c', 'd'].flatMap((p) => grid([1, 2, 3], [1, 2], (x, y) => x * y).map((d) => ({ ...d, p }))), panel: 'p', x: 'x', y: 'y', color: 'v', paper: 'page' }));
  assert.ok(Math.abs(svgSize(panelsSvg).w - PAPER_WIDTH.page) <= 24, `${svgSize(panelsSvg).w}`);
});

test('integer axes get whole-number ticks; TeX in a title is refused', async () => {
  const svg = await toSVG(lines({ data: [{ step: 0, v: 1 }, { step: 1, v: 2 }, { step: 2, v: 3 }], x: 'step', y: 'v' }));
  const ticks = [...svg.matchAll(/aria-roledescription="axis"[^]*?<\/g><\/g><\/g>/g)].join('');
  assert.ok(!/>\d+\.5</.test(svg), 'no half-step tick labels');
  void ticks;
  assert.throws(() => lines({ data: [{ x: 1, y: 1 }], x: 'x', y: 'y', yTitle: 'Σ_{j≤k} σ_j²' }), /TeX/);
  assert.throws(() => heatmap({ data: [{ x: 1, y: 1, v: 1 }], x: 'x', y: 'y', color: 'v', colorTitle: '\\lambda' }), /TeX/);
});

test('explore: an inline control picks one value of a field; the static render shows the initial value', async () => {
  const data = [0.01, 0.1, 1].flatMap((lambda) => grid([10, 50], [0.1, 0.2], (x, y) => lambda * x * y).map((d) => ({ ...d, lambda })));
  const spec = heatmap({ data, x: 'x', y: 'y', color: 'v', text: '.3g', explore: { field: 'lambda', init: 0.1 } });
  assert.equal(spec.params[0].bind.input, 'select');
  assert.deepEqual(spec.params[0].bind.options, [0.01, 0.1, 1]);
  const svg = await toSVG(spec);
  const rects = svg.split('class="mark-rect role-mark')[1].split('</g>')[0];
  assert.equal(count(rects, /<path /g), 4, 'one lambda shown');
  assert.ok(svg.includes('>0.500<') && !svg.includes('>5.00<'), 'the cells of lambda 0.1 (0.1 x 50 x 0.1 = 0.5), not of lambda 1');
  // one colour domain for every lambda
  const dom = spec.layer[0].encoding.color.scale.domain;
  assert.ok(Math.abs(dom[0] - 0.01) < 1e-12 && dom[1] === 10, `${dom}`);
  const slider = lines({ data: data.map((d) => ({ ...d, budget: d.x })), x: 'y', y: 'v', series: 'lambda', explore: { field: 'budget', input: 'range' } });
  assert.equal(slider.params[0].bind.input, 'range');
  await toSVG(slider);
  assert.throws(() => heatmap({ data, x: 'x', y: 'y', color: 'v', explore: { field: 'lambda', init: 5 } }), /not one of/);
  assert.equal(figureData(spec).length, 12, 'the CSV keeps every lambda');
});

test('save writes SVG, PNG, a vector PDF with the font embedded, and the data as CSV', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rml-pdf-'));
  try {
    const spec = heatmap({ data: grid([1, 2], [1, 2], (x, y) => x + y), x: 'x', y: 'y', color: 'v', text: true, title: 'PDF check' });
    const r = await save(spec, path.join(dir, 'fig'));
    const pdf = fs.readFileSync(r.pdfPath!);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const raw = pdf.toString('latin1');
    assert.ok(/\/FontFile2/.test(raw), 'TrueType font embedded');
    assert.ok(/\/MediaBox \[0 0 [\d.]+ [\d.]+\]/.test(raw));
    assert.equal(raw.match(/\/Type \/Page\b/g)?.length, 1);
    assert.ok(!/\/Subtype \/Image/.test(raw), 'vector: no raster image in a chart without images');
    // same SVG, same bytes
    assert.deepEqual(await svgToPDF(r.svg, { title: 'PDF check' }), pdf);
    assert.equal(fs.readFileSync(r.csvPath!, 'utf8'), 'x,y,v\n1,1,2\n1,2,3\n2,1,3\n2,2,4\n');
    // image grids: the PDF embeds the strips, no CSV of data URLs
    const g = await save(imageGrid({ rows: [{ label: 'a', images: new Float32Array(2 * 16).fill(0.5) }], height: 4, width: 4 }), path.join(dir, 'grid'));
    assert.ok(/\/Subtype \/Image/.test(fs.readFileSync(g.pdfPath!).toString('latin1')));
    assert.equal(g.csvPath, null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
