/**
 * Image grids: rows of images (clean / corrupted / restored / generated), one labelled row each.
 *
 * Each row is encoded as one PNG strip (nearest-neighbour upscaled, 2 px white gaps) and embedded as a data: URL
 * in an `image` mark, so the grid renders the same in JupyterLab, in the SVG file and in the PNG, and fast
 * (a 4 x 10 grid of 28 x 28 images renders in well under a second; one rect per pixel would take ~30k marks).
 */
import type { VegaLiteSpec } from './render';
import { PAPER_WIDTH, clean, mergeConfigs, paperConfig, titleOf, type CommonOptions } from './common';
import { encodePNG, pngDataURL } from './png';

/** Something holding n images: a flat Float32Array / number[] (n*h*w*c values) or a tensor whose first dim is n. */
export type ImageBatch = Float32Array | Float64Array | Uint8Array | number[] | { shape: number[]; dataSync(): ArrayLike<number> };

export interface ImageRow {
  label: string;
  images: ImageBatch;
  /** Value range mapped to black..white for this row (overrides the grid's `range`). */
  range?: [number, number] | 'auto' | 'abs';
}

export interface ImageGridOptions extends CommonOptions {
  rows: ImageRow[];
  /** Image height and width in pixels. */
  height: number;
  width: number;
  /** 1 (grey, default) or 3 (RGB). */
  channels?: 1 | 3;
  /** Memory layout of each image: 'hwc' (tfjs, default) or 'chw' (PyTorch / CIFAR binary files). */
  layout?: 'hwc' | 'chw';
  /** Images per row (default: as many as the shortest row has, at most 10). */
  cols?: number;
  /**
   * Value range shown black..white: [lo, hi] (default [0, 1], values outside are clipped), 'auto' (each image
   * stretched to its own min..max) or 'abs' (|x| stretched to 0..max|x|, for sparse parts S).
   */
  range?: [number, number] | 'auto' | 'abs';
  /** Screen pixels per image pixel (default: images about 56 px tall). */
  pixelSize?: number;
  /** Draw white-on-black as black-on-white (for sparse masks). */
  invert?: boolean;
}

function flatten(batch: ImageBatch): { data: ArrayLike<number>; n: number | null } {
  if (batch && typeof (batch as { dataSync?: unknown }).dataSync === 'function') {
    const t = batch as { shape: number[]; dataSync(): ArrayLike<number> };
    return { data: t.dataSync(), n: t.shape[0] };
  }
  return { data: batch as ArrayLike<number>, n: null };
}

/** Encodes `cols` images of one row as a PNG strip. */
export function rowStrip(row: ImageRow, o: ImageGridOptions, cols: number, px: number, gap: number): Buffer {
  const { height: h, width: w } = o;
  const c = o.channels ?? 1;
  const per = h * w * c;
  const { data } = flatten(row.images);
  const W = cols * w * px + (cols - 1) * gap;
  const H = h * px;
  const out = new Uint8Array(W * H * c).fill(255);
  const range = row.range ?? o.range ?? [0, 1];
  for (let k = 0; k < cols; k++) {
    const off = k * per;
    let lo = 0, hi = 1;
    if (range === 'auto' || range === 'abs') {
      lo = Infinity; hi = -Infinity;
      for (let i = 0; i < per; i++) {
        const v = range === 'abs' ? Math.abs(data[off + i]) : data[off + i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (range === 'abs') lo = 0;
      if (!(hi > lo)) hi = lo + 1;
    } else {
      [lo, hi] = range;
    }
    const scale = 255 / (hi - lo);
    const x0 = k * (w * px + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++) {
          const idx = o.layout === 'chw' ? ch * h * w + y * w + x : (y * w + x) * c + ch;
          let v = data[off + idx];
          if (range === 'abs') v = Math.abs(v);
          let b = Math.round((v - lo) * scale);
          b = Number.isFinite(b) ? (b < 0 ? 0 : b > 255 ? 255 : b) : 0;
          if (o.invert) b = 255 - b;
          for (let dy = 0; dy < px; dy++) {
            const rowOff = ((y * px + dy) * W + x0 + x * px) * c + ch;
            for (let dx = 0; dx < px; dx++) out[rowOff + dx * c] = b;
          }
        }
      }
    }
  }
  return encodePNG(out, W, H, c);
}

/** A vega-lite spec showing rows of images with their labels on the left. */
export function imageGrid(o: ImageGridOptions): VegaLiteSpec {
  if (!o.rows?.length) throw new Error('imageGrid: no rows');
  if (!(o.height > 0 && o.width > 0)) throw new Error('imageGrid: give the image height and width');
  const c = o.channels ?? 1;
  if (c !== 1 && c !== 3) throw new Error('imageGrid: channels must be 1 or 3');
  const per = o.height * o.width * c;
  const counts = o.rows.map((r) => {
    const { data, n } = flatten(r.images);
    if (data.length % per !== 0) throw new Error(`imageGrid: row "${r.label}" has ${data.length} values, not a multiple of ${o.height}x${o.width}x${c}`);
    return n ?? data.length / per;
  });
  const cols = Math.min(o.cols ?? Math.min(10, ...counts), ...counts);
  if (cols < 1) throw new Error('imageGrid: a row has no images');
  const px = o.pixelSize ?? Math.max(1, Math.round(56 / Math.max(o.height, o.width)));
  const gap = 2;
  const stripW = cols * o.width * px + (cols - 1) * gap;
  const stripH = o.height * px;
  const values = o.rows.map((r) => ({ label: r.label, url: pngDataURL(rowStrip(r, o, cols, px, gap)) }));
  // With `paper`, the strips are drawn scaled down to fit the column / page beside their labels (the embedded PNG
  // keeps its pixels; PDF and PNG exports resample it).
  const labelW = o.paper ? 70 : 0;
  const f = o.paper ? Math.min(1, (PAPER_WIDTH[o.paper] - labelW) / stripW) : 1;
  const showW = Math.round(stripW * f), showH = Math.round(stripH * f);
  const rowGap = o.paper ? 3 : 6;
  return clean({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: titleOf(o, o.paper ? PAPER_WIDTH[o.paper] : stripW + 120),
    width: showW,
    height: o.rows.length * (showH + rowGap),
    data: { values },
    mark: { type: 'image', width: showW, height: showH, align: 'left', baseline: 'middle', aspect: false },
    encoding: {
      x: { value: 0 },
      y: { field: 'label', type: 'nominal', sort: null, scale: { paddingInner: rowGap / (showH + rowGap), paddingOuter: 0 }, axis: { title: null, domain: false, ticks: false, labelPadding: o.paper ? 3 : 8, labelFontSize: o.paper ? 8 : 13, labelLimit: o.paper ? labelW - 4 : 220 } },
      url: { field: 'url', type: 'nominal' },
    },
    config: o.paper ? mergeConfigs(paperConfig(), { view: { stroke: null } }) : { view: { stroke: null } },
  });
}
