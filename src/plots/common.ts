/** Options and helpers shared by the spec builders. */
import type { VegaLiteSpec } from './render';

export type Datum = Record<string, unknown>;

export interface CommonOptions {
  /** Figure title (bold, top left). */
  title?: string;
  /** Second title line (grey), e.g. the scale or the data size. */
  subtitle?: string;
  /** Plot area width in px (default depends on the chart). */
  width?: number;
  /** Plot area height in px. */
  height?: number;
}

/** The vega-lite title object for the options (undefined when there is no title). */
export function titleOf(o: CommonOptions): VegaLiteSpec | undefined {
  if (!o.title && !o.subtitle) return undefined;
  return { text: o.title ?? '', ...(o.subtitle ? { subtitle: o.subtitle } : {}) };
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
