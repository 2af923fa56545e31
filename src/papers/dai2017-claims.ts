/**
 * Claim rules of notebook 04 (Dai et al., Hidden Talents of the VAE): pure functions from measured numbers to a
 * verdict (no tensors, no store), tested on fixed inputs in test/papers/dai2017-claims.test.ts and
 * test/papers/dai2017.test.ts. The driver (src/papers/dai2017.ts) re-exports them.
 */
import type { Claim, ClaimsTable, Verdict } from '../experiment/claims';
import type { C2Reading } from './dai2017';
/**
 * The rules that turn measured numbers into a claim's verdict (yes / partly / no). Pure functions of the numbers
 * (no tensors, no store), so they are unit-tested on fixed inputs (test/papers/dai2017-claims.test.ts) and the notebook only
 * calls them and displays the result. `ours` is the measured summary for the claims table; `note` says why a
 * verdict is not "yes" where the numbers show it.
 */
export interface DaiVerdict { holds: Verdict; ours: string; note: string }

const f3 = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
/** yes when `yes`, else partly when `partly`, else no. */
const grade = (yes: boolean, partly: boolean): Verdict => {
  if (yes) return true;
  return partly ? 'partly' : false;
};
/** The non-empty notes joined by "; ". */
const notes = (...parts: string[]) => parts.filter(Boolean).join('; ');

/** One (kappa, nu) cell of Figure 1: the NMSE of each model (AEs at their tuned C2). */
export interface Fig1Cell { kappa: number; nu: number; vae: number; aeL2: number; aeL1: number; rpca: number }

/**
 * Fig. 1, "the VAE outperforms RPCA and the AE models by a wide margin" (cells with outliers): yes when the VAE
 * has the lowest NMSE in every cell with nu > 0 AND its mean is below half of each competitor's mean; partly when
 * it is best in more than half of those cells; else no.
 */
export function verdictFig1Dominance(cells: Fig1Cell[]): DaiVerdict {
  const out = cells.filter((c) => c.nu > 0);
  if (!out.length) return { holds: 'n/a', ours: 'no cells with outliers', note: '' };
  const won = out.filter((c) => c.vae < Math.min(c.aeL2, c.aeL1, c.rpca)).length;
  const m = { vae: avg(out.map((c) => c.vae)), l2: avg(out.map((c) => c.aeL2)), l1: avg(out.map((c) => c.aeL1)), rpca: avg(out.map((c) => c.rpca)) };
  const wide = m.vae < 0.5 * Math.min(m.l2, m.l1, m.rpca);
  const holds = grade(won === out.length && wide, won > out.length / 2);
  const lost = out.filter((c) => !(c.vae < Math.min(c.aeL2, c.aeL1, c.rpca))).map((c) => `kappa ${c.kappa} / nu ${c.nu}`);
  return {
    holds, ours: `mean NMSE (nu > 0) VAE ${f3(m.vae)}, AE-l2 ${f3(m.l2)}, AE-l1 ${f3(m.l1)}, RPCA ${f3(m.rpca)}; VAE best in ${won}/${out.length} cells`,
    note: holds === true ? '' : notes(lost.length ? `VAE not best at ${lost.join(', ')}` : '', wide ? '' : 'VAE mean not below half of every competitor\'s'),
  };
}

/** Fig. 1(a): NMSE ~0 over most of the grid: yes when more than half of the cells with outliers are below `tol` (0.05); partly when any is. */
export function verdictFig1Recovery(cells: Pick<Fig1Cell, 'nu' | 'vae'>[], tol = 0.05): DaiVerdict {
  const out = cells.filter((c) => c.nu > 0);
  if (!out.length) return { holds: 'n/a', ours: 'no cells with outliers', note: '' };
  const ok = out.filter((c) => c.vae < tol).length;
  const best = f3(Math.min(...out.map((c) => c.vae)));
  return { holds: grade(ok > out.length / 2, ok > 0), ours: `VAE NMSE < ${tol} in ${ok}/${out.length} cells with outliers (best ${best})`, note: '' };
}

/** Sec. 5.1 certificate: "essentially zero" held-out error of the inverse network: yes when every kappa is below 0.01, partly below 0.1. */
export function verdictCertificate(rows: { kappa: number; testRelError: number }[]): DaiVerdict {
  if (!rows.length) return { holds: 'n/a', ours: 'no manifolds', note: '' };
  const worst = rows.reduce((a, b) => (b.testRelError > a.testRelError ? b : a));
  const ours = rows.map((r) => `kappa ${r.kappa}: ${r.testRelError.toExponential(1)}`).join('; ');
  return { holds: grade(worst.testRelError < 0.01, worst.testRelError < 0.1), ours, note: `worst: kappa ${worst.kappa}` };
}

/** Sec. 5.1: L is far from low rank: yes when 99% of the energy needs more than kappa singular values at every kappa. */
export function verdictFarFromLowRank(rows: { kappa: number; rank99: number }[]): DaiVerdict {
  if (!rows.length) return { holds: 'n/a', ours: 'no manifolds', note: '' };
  return { holds: rows.every((r) => r.rank99 > r.kappa), ours: rows.map((r) => `kappa ${r.kappa}: 99% energy needs rank ${r.rank99}`).join('; '), note: '' };
}

/** A Figure 3 panel: fractions of diag(Sigma_z) entries < 0.05 and > 0.5. */
export interface Fig3Cell { kappa: number; nu: number; fracNearZero: number; fracNearOne: number }

/** Fig. 3: every panel bimodal at 0 and 1: yes when every panel has > 90% of its entries near 0 or near 1; partly when some do. */
export function verdictFig3Bimodal(cells: Fig3Cell[]): DaiVerdict {
  if (!cells.length) return { holds: 'n/a', ours: 'no VAE cells', note: '' };
  const bi = cells.filter((c) => c.fracNearZero + c.fracNearOne > 0.9);
  const worst = cells.reduce((a, b) => (b.fracNearZero + b.fracNearOne < a.fracNearZero + a.fracNearOne ? b : a));
  const between = f3(1 - worst.fracNearZero - worst.fracNearOne, 2);
  return { holds: grade(bi.length === cells.length, bi.length > 0), ours: `${bi.length}/${cells.length} panels have > 90% of entries < 0.05 or > 0.5`,
    note: bi.length === cells.length ? '' : `least bimodal: kappa ${worst.kappa} / nu ${worst.nu} (${between} in between)` };
}

/**
 * Fig. 3, left column (nu = 0): the fraction near 0 grows with kappa, roughly kappa / dim z. yes when it does not
 * fall with kappa, rises from the smallest to the largest kappa, and every value is within a factor 2 of
 * kappa / dim z; partly when it rises (first to last) but misses the factor 2 somewhere; else no.
 */
export function verdictFig3Growth(rows: { kappa: number; fracNearZero: number }[], latentDim: number): DaiVerdict {
  const r = [...rows].filter((x) => Number.isFinite(x.fracNearZero)).sort((a, b) => a.kappa - b.kappa);
  if (r.length < 2) return { holds: 'n/a', ours: 'fewer than two kappas at nu = 0', note: '' };
  const monotone = r.every((x, i) => i === 0 || x.fracNearZero >= r[i - 1].fracNearZero - 1e-9);
  const rises = r[r.length - 1].fracNearZero > r[0].fracNearZero;
  const near = r.every((x) => { const e = x.kappa / latentDim; return x.fracNearZero <= 2 * e && x.fracNearZero >= e / 2; });
  return { holds: grade(monotone && rises && near, rises),
    ours: r.map((x) => `kappa ${x.kappa}: ${f3(x.fracNearZero, 2)} (kappa/${latentDim} = ${f3(x.kappa / latentDim, 2)})`).join('; '),
    note: notes(monotone ? '' : 'not monotone in kappa', near ? '' : 'some fraction off kappa/dim z by more than 2x') };
}

/** Fig. 4: with dim z = kappa, nu <= 0.3 keeps every mean variance near 0 and nu > 0.3 pushes some towards 1 (> 0.5). */
export function verdictFig4(rows: { nu: number; meanPerDim: number[] }[]): DaiVerdict {
  const ones = rows.map((r) => ({ nu: r.nu, n: r.meanPerDim.filter((v) => v > 0.5).length }));
  const ours = `dims with mean variance > 0.5: ${ones.map((o) => `nu ${o.nu}: ${o.n}`).join(', ')}`;
  const lo = ones.filter((o) => o.nu <= 0.3), hi = ones.filter((o) => o.nu > 0.3);
  if (!hi.length || !lo.length) return { holds: 'n/a', ours, note: 'needs nu on both sides of 0.3' };
  const onesLow = Math.max(...lo.map((o) => o.n)), onesHigh = Math.max(...hi.map((o) => o.n));
  let note = '';
  if (onesLow > 0) note = `${onesLow} dimension(s) already near 1 at nu <= 0.3`;
  else if (onesHigh === 0) note = 'no dimension near 1 at nu > 0.3';
  return { holds: grade(onesLow === 0 && onesHigh > 0, onesHigh > onesLow), ours, note };
}

/**
 * Table 1: 30 (all) nonzero W1 columns at Nd = 0, the truth (20) at Nd >= 1 (paper: 20-21.1). yes when every Nd >= 1
 * cell is within 1.5 of the truth and every Nd = 0 cell is above truth + 1.5; partly when at least one Nd >= 1 cell
 * is within 1.5 of the truth; else no.
 */
export function verdictTable1(cells: { ne: number; nd: number; count: number }[], truth: number, latentDim: number): DaiVerdict {
  const nd0 = cells.filter((c) => c.nd === 0), deep = cells.filter((c) => c.nd >= 1);
  if (!deep.length) return { holds: 'n/a', ours: 'no Nd >= 1 cells', note: '' };
  const near = deep.filter((c) => Math.abs(c.count - truth) <= 1.5);
  const sep = nd0.every((c) => c.count > truth + 1.5);
  const ours = cells.map((c) => `Ne ${c.ne} / Nd ${c.nd}: ${f3(c.count, 1)}`).join('; ') + ` (truth ${truth}, dim z ${latentDim})`;
  const off = deep.filter((c) => Math.abs(c.count - truth) > 1.5).map((c) => `Ne ${c.ne} / Nd ${c.nd}: ${f3(c.count, 1)}`);
  let note = '';
  if (off.length) note = `off the truth: ${off.join(', ')}`;
  else if (!sep) note = 'an Nd = 0 cell pruned';
  return { holds: grade(near.length === deep.length && sep, near.length > 0), ours, note };
}

/** Fig. 2b (MNIST): the VAE prunes at large kappa (nonzero < kappa for kappa >= 15) while the plain AE keeps all kappa columns. */
export function verdictFig2b(rows: { kappa: number; model: 'vae' | 'ae'; nonzero: number }[]): DaiVerdict {
  const big = rows.filter((r) => r.model === 'vae' && r.kappa >= 15), ae = rows.filter((r) => r.model === 'ae');
  const ours = rows.map((r) => `${r.model.toUpperCase()} kappa ${r.kappa}: ${r.nonzero}`).join(', ');
  if (!big.length) return { holds: 'n/a', ours, note: 'no VAE with kappa >= 15' };
  const prunes = big.every((r) => r.nonzero < r.kappa), aeAll = ae.every((r) => r.nonzero === r.kappa);
  return { holds: grade(prunes && aeAll, big.some((r) => r.nonzero < r.kappa)), ours, note: aeAll ? '' : 'the AE pruned too' };
}

/**
 * Fig. 5b: the VAE (best tau) below convex RPCA at every corruption level: yes at every level, partly at some.
 * A VAE estimate with mean |L-hat| below a quarter of mean |L| is the blank-image solution and is named in the note.
 */
export function verdictFig5b(rows: { nu: number; vae: number; rpca: number; vaeMeanAbs?: number; meanAbsClean?: number }[]): DaiVerdict {
  if (!rows.length) return { holds: 'n/a', ours: 'no levels', note: '' };
  const wins = rows.filter((r) => r.vae < r.rpca).length;
  const blank = rows.filter((r) => r.vaeMeanAbs !== undefined && r.meanAbsClean !== undefined && r.vaeMeanAbs < 0.25 * r.meanAbsClean).map((r) => r.nu);
  return { holds: grade(wins === rows.length, wins > 0), ours: rows.map((r) => `nu ${r.nu}: VAE ${f3(r.vae)} vs RPCA ${f3(r.rpca)}`).join('; '),
    note: blank.length ? `blank-image estimate (mean |L-hat| < mean |L| / 4) at nu ${blank.join(', ')}` : '' };
}

/**
 * App. A: tau = 5 better than tau = 1 at every level (yes), at some (partly). "Better" = at least 2% lower NMSE:
 * two blank-image estimates (NMSE 0.983 vs 0.983) differ in the 4th digit, which is noise, not a better recovery.
 */
export function verdictTau(rows: { nu: number; tauLow: number; tauHigh: number }[]): DaiVerdict {
  if (!rows.length) return { holds: 'n/a', ours: 'no levels', note: '' };
  const better = rows.filter((r) => r.tauHigh < 0.98 * r.tauLow).length;
  return { holds: grade(better === rows.length, better > 0), ours: rows.map((r) => `nu ${r.nu}: ${f3(r.tauHigh)} vs ${f3(r.tauLow)}`).join('; '), note: '' };
}

/**
 * Footnote 12: AE-l2 with C2 = 1 is "much worse" than with C2 = 10^3. Per reading of C2 (aeConvention), "much
 * worse" = NMSE at C2 = 1 at least 1.5x the NMSE at 10^3 (and 0.02 above it). yes when the paper's reading ('sum',
 * the one the paper's text suggests) shows it, partly when only another reading does, else no.
 */
export function verdictC2Footnote(rows: { reading: C2Reading; nmseC2One: number; nmseC2Tuned: number }[]): DaiVerdict {
  if (!rows.length) return { holds: 'n/a', ours: 'not measured', note: '' };
  const much = (r: { nmseC2One: number; nmseC2Tuned: number }) => r.nmseC2One >= 1.5 * r.nmseC2Tuned && r.nmseC2One - r.nmseC2Tuned > 0.02;
  const ok = rows.filter(much).map((r) => r.reading);
  const primary = rows.find((r) => r.reading === 'sum');
  return { holds: grade(!!primary && much(primary), ok.length > 0),
    ours: rows.map((r) => `${r.reading}: C2 = 1 ${f3(r.nmseC2One)} vs 10^3 ${f3(r.nmseC2Tuned)}`).join('; '),
    note: ok.length ? `holds under: ${ok.join(', ')}` : 'holds under no reading tried' };
}

/** How a ladder ends: the metric at the first and last rungs and whether the last doubling still improved it by >= 10%. */
export interface LadderTrend { firstSteps: number; first: number; lastSteps: number; last: number; previous: number; stillImproving: boolean }

/** The trend of a ladder (rungs in any order; at least one). `lowerIsBetter` false for metrics that should rise. */
export function ladderTrend(points: { steps: number; value: number }[], lowerIsBetter = true): LadderTrend {
  if (!points.length) throw new Error('ladderTrend: no rungs');
  const p = [...points].sort((a, b) => a.steps - b.steps);
  const last = p[p.length - 1], prev = p.length > 1 ? p[p.length - 2] : last;
  const gain = lowerIsBetter ? prev.value - last.value : last.value - prev.value;
  const stillImproving = p.length > 1 && gain > 0 && gain >= 0.1 * Math.abs(prev.value);
  return { firstSteps: p[0].steps, first: p[0].value, lastSteps: last.steps, last: last.value, previous: prev.value, stillImproving };
}

/** A claims-table row from a verdict: the rule's note and an optional extra note (ladder readings) joined by "; ". */
export function daiClaim(claim: string, paper: string, v: DaiVerdict, extra = ''): Claim {
  return { claim, paper, ours: v.ours, holds: v.holds, note: [v.note, extra].filter(Boolean).join('; ') };
}

/** Adds daiClaim(...) to a claims table; returns nothing, so a notebook cell that ends with it displays nothing. */
export function addDaiClaim(table: Pick<ClaimsTable, 'add'>, claim: string, paper: string, v: DaiVerdict, extra = ''): void {
  table.add(daiClaim(claim, paper, v, extra));
}
