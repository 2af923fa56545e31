/**
 * The shape every paper's claim rule returns: what we measured, as text, and whether the claim holds here. The
 * rules themselves are pure functions of measured numbers, one per claim, beside each paper's driver
 * (src/papers/<paper>-claims.ts or the driver itself), unit-tested on fixed numbers; notebooks call them and show
 * the result in their claims table (src/experiment/claims.ts).
 */
import type { Verdict } from '../experiment/claims';

export type { Verdict };

export interface ClaimVerdict { ours: string; holds: Verdict; note?: string }

/** Fixed-point text of a number ('n/a' when not finite). */
export function fmt(v: number, digits = 3): string { return Number.isFinite(v) ? v.toFixed(digits) : 'n/a'; }

export function mean(xs: number[]): number { return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN; }

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

/** 'yes' above `yes`, 'partly' above `partly`, else 'no' (higher is better). */
export function threshold(value: number, yes: number, partly: number): Verdict {
  if (!Number.isFinite(value)) return false;
  return value > yes ? true : value > partly ? 'partly' : false;
}
