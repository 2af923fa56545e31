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
