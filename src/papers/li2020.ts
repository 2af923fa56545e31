/**
 * Experiment drivers for Li, Mehta, Qian & Sun (2020), "Rethink Autoencoders: Robust Manifold Learning".
 *
 *  - `phaseTransition`: Figure 5 / Appendix B. Convex RPCA, robust autoencoder, robust factorization and
 *    over-parameterised robust factorization on the Candes et al. (2011) protocol (L0 = U V^T, U, V with
 *    N(0, 1/n) entries, Bernoulli(rho) support of +-1 corruptions; success = ||L - L0||_F/||L0||_F < 1e-3).
 *  - `restorationCell`: Table 1 / Figures 1-4. Corrupt the test images (Table 2 severities), fit RDAE and
 *    RNLF on the corrupted images only, and measure the pretrained classifier's accuracy on clean, corrupted
 *    and restored images.
 *
 * Every cell is written through a `ResultsStore` (one JSON line per finished cell, keyed by its parameters and a
 * code version), so an interrupted sweep resumes where it stopped and a finished one is only read back.
 */
import type { Scale } from '../experiment/scale';
import { tf } from '../backend';
import { Rng } from '../random';
import { ResultsStore, Params } from '../experiment/store';
import { lowRankPlusSparse } from '../data/synthetic';
import { fitFactorizationBatch, LinearSolverOptions } from '../models/factorization';
import { fitLinearAEBatch } from '../models/linear-ae';
import { InputError } from '../validate';
import { impulseNoise, gaussianNoise } from '../corruptions';
import { RDAE } from '../models/rdae';
import { RNLF } from '../models/rnlf';
import { ImageSet, firstN, toMatrix } from '../data/images';
import type { ImageNetSpec } from '../nets/conv28';

// ------------------------------------------------------------------------------------------------------------
// Figure 5: phase transitions

export const PHASE_METHODS = ['convex-rpca', 'robust-ae', 'robust-factorization', 'robust-factorization-over'] as const;
export type PhaseMethod = (typeof PHASE_METHODS)[number];

export const PHASE_METHOD_TITLES: Record<PhaseMethod, string> = {
  'convex-rpca': 'convex RPCA (PCP, inexact ALM)',
  'robust-ae': 'robust autoencoder ||X - BAX||_1',
  'robust-factorization': 'robust factorization ||X - BZ||_1, p = r',
  'robust-factorization-over': 'robust factorization, p = 2r (over-parameterised)',
};

/**
 * The gradient solver of the three nonconvex models in the sweep: normalised subgradient steps with geometric
 * decay (Charisopoulos et al. 2019, cited by Li et al. for robust factorization) from a small random
 * initialisation. Li et al. do not state their solver for Figure 5. The step size was chosen once on a single
 * instance (n = 100, r = 10, rho = 0.1, p = 2r) and is the same for every cell and method.
 */
export const PHASE_SOLVER: Partial<LinearSolverOptions> = {
  optimizer: 'subgradient', learningRate: 0.3, decayEvery: 1, decayFactor: 0.993, iterations: 1000, initScale: 1e-3, logEvery: 1000,
};

export interface PhaseGrid {
  /** Matrix size n1 = n2 = n (the paper: 400). */
  n: number;
  /** Ranks as fractions of n (x axis). */
  rankFractions: number[];
  /** Corruption densities rho (y axis). */
  rhos: number[];
  trials: number;
  /** Over-parameterised factorization uses p = overFactor * r (capped at n). */
  overFactor: number;
  /** Iterations of the gradient solver (PHASE_SOLVER.iterations by default). */
  iterations?: number;
  /** Initial step and its geometric decay per iteration (PHASE_SOLVER's by default; budget ladders vary them). */
  learningRate?: number;
  decayFactor?: number;
  /** Scale of the random initialisation of the factors (PHASE_SOLVER's 1e-3 by default). */
  initScale?: number;
  methods?: readonly PhaseMethod[];
  seed: number;
}

export interface PhaseCell { method: PhaseMethod; n: number; rank: number; rankFraction: number; rho: number; trial: number }
export interface PhaseResult { relErr: number; success: boolean; seconds: number; p: number }
export type PhaseRow = PhaseCell & PhaseResult;

/** Success threshold of Candes et al. (2011). */
export const PHASE_SUCCESS_TOL = 1e-3;

export function rankOf(n: number, frac: number): number { return Math.max(1, Math.round(frac * n)); }

function instance(n: number, rank: number, rho: number, trial: number, seed: number) {
  // the same matrix for every method: the seed depends on the cell, not on the method
  return lowRankPlusSparse({ n1: n, n2: n, rank, rho, seed: new Rng(seed).fork(`phase:${n}:${rank}:${rho}:${trial}`) });
}

function relErr(L: Float32Array | ArrayLike<number>, L0: Float32Array, offset = 0): number {
  let num = 0, den = 0;
  for (let i = 0; i < L0.length; i++) { const d = L[offset + i] - L0[i]; num += d * d; den += L0[i] * L0[i]; }
  return Math.sqrt(num / den);
}

/** A solver for convex RPCA: takes the n x n data, returns the low-rank part (row-major). */
export type ConvexRPCASolver = (X: tf.Tensor2D) => Promise<Float32Array>;

/**
 * Runs (or reads back) every cell of the phase-transition grid. Gradient methods are fitted a whole row of the
 * grid (one rank, all unfinished rho values and trials) at a time with batched matmuls.
 * `rpca` solves convex RPCA (the library's RobustPCA); cells of 'convex-rpca' are skipped when it is absent.
 */
export async function phaseTransition(store: ResultsStore, grid: PhaseGrid, rpca?: ConvexRPCASolver, log: (s: string) => void = () => {}): Promise<PhaseRow[]> {
  const methods = grid.methods ?? PHASE_METHODS;
  for (const m of methods) if (!PHASE_METHODS.includes(m)) throw new InputError(`phaseTransition: unknown method "${m}"`);
  const solver = {
    ...PHASE_SOLVER, ...(grid.iterations ? { iterations: grid.iterations } : {}),
    ...(grid.learningRate ? { learningRate: grid.learningRate } : {}), ...(grid.decayFactor ? { decayFactor: grid.decayFactor } : {}),
    ...(grid.initScale ? { initScale: grid.initScale } : {}),
  };
  for (const frac of grid.rankFractions) {
    const rank = rankOf(grid.n, frac);
    for (const method of methods) {
      const todo: PhaseCell[] = [];
      for (const rho of grid.rhos) for (let trial = 0; trial < grid.trials; trial++) {
        const cell: PhaseCell = { method, n: grid.n, rank, rankFraction: frac, rho, trial };
        if (!store.has(cell as unknown as Params)) todo.push(cell);
      }
      if (todo.length === 0) continue;
      if (method === 'convex-rpca' && !rpca) { log('convex RPCA solver not available: skipped'); continue; }
      const t0 = Date.now();
      const data = todo.map((c) => instance(c.n, c.rank, c.rho, c.trial, grid.seed));
      if (method === 'convex-rpca') {
        for (let i = 0; i < todo.length; i++) {
          const t1 = Date.now();
          const X = tf.tensor2d(data[i].X, [grid.n, grid.n]);
          const L = await rpca!(X);
          X.dispose();
          const e = relErr(L, data[i].L0);
          await store.cell(todo[i] as unknown as Params, () => ({ relErr: e, success: e < PHASE_SUCCESS_TOL, seconds: (Date.now() - t1) / 1000, p: rank }));
        }
      } else {
        const k = todo.length;
        const big = new Float32Array(k * grid.n * grid.n);
        data.forEach((d, i) => big.set(d.X, i * grid.n * grid.n));
        const X3 = tf.tensor3d(big, [k, grid.n, grid.n]);
        const p = method === 'robust-factorization-over' ? Math.min(grid.n, Math.ceil(grid.overFactor * rank)) : rank;
        const opts = { ...solver, loss: 'l1' as const, seed: new Rng(grid.seed).fork(`${method}:${rank}`).nextUint32() };
        const res = method === 'robust-ae' ? await fitLinearAEBatch(X3, p, opts) : await fitFactorizationBatch(X3, p, opts);
        const L = await res.L.data();
        const secs = (Date.now() - t0) / 1000 / k;
        tf.dispose([X3, res.L, res.B, res.mean, ...('Z' in res ? [res.Z] : [res.A])]);
        for (let i = 0; i < k; i++) {
          const e = relErr(L, data[i].L0, i * grid.n * grid.n);
          await store.cell(todo[i] as unknown as Params, () => ({ relErr: e, success: e < PHASE_SUCCESS_TOL, seconds: secs, p }));
        }
      }
      log(`${method} rank ${rank}: ${todo.length} cells in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  return phaseRows(store, grid);
}

/** The stored rows of this grid (params + results), in grid order. */
export function phaseRows(store: ResultsStore, grid: PhaseGrid): PhaseRow[] {
  const out: PhaseRow[] = [];
  for (const method of grid.methods ?? PHASE_METHODS) for (const frac of grid.rankFractions) for (const rho of grid.rhos) for (let trial = 0; trial < grid.trials; trial++) {
    const cell: PhaseCell = { method, n: grid.n, rank: rankOf(grid.n, frac), rankFraction: frac, rho, trial };
    const r = store.get<PhaseResult>(cell as unknown as Params);
    if (r) out.push({ ...cell, ...r });
  }
  return out;
}

/** Per (method, rank, rho): success rate over trials and the median relative error. */
export function phaseSummary(rows: PhaseRow[]): { method: PhaseMethod; rankFraction: number; rho: number; successRate: number; medianRelErr: number; log10RelErr: number; trials: number }[] {
  const groups = new Map<string, PhaseRow[]>();
  for (const r of rows) {
    const key = `${r.method}|${r.rankFraction}|${r.rho}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  return [...groups.values()].map((g) => {
    const errs = g.map((r) => r.relErr).sort((a, b) => a - b);
    const med = errs.length % 2 ? errs[(errs.length - 1) / 2] : (errs[errs.length / 2 - 1] + errs[errs.length / 2]) / 2;
    return {
      method: g[0].method, rankFraction: g[0].rankFraction, rho: g[0].rho,
      successRate: g.filter((r) => r.success).length / g.length, medianRelErr: med, log10RelErr: Math.log10(Math.max(med, 1e-12)), trials: g.length,
    };
  });
}

// ------------------------------------------------------------------------------------------------------------
// Budget ladder for "over-parameterised robust factorization continues to work reasonably" (Fig. 5, App. B)

/**
 * One rung of the over-parameterisation ladder: the phase grid of robust factorization with p = overFactor x r and
 * one of the settings the paper leaves unstated (solver iterations, initial scale, matrix size) changed.
 */
export interface OverParamRung { label: string; overFactor: number; iterations?: number; decayFactor?: number; initScale?: number; n?: number }

/**
 * The rungs per scale. Li et al. give no solver, no p and no stopping rule for Fig. 5, so the ladder walks what
 * could matter: how far p exceeds r (1 = exact rank, the reference), the iterations (same total step decay), the
 * initial scale (small initialisation is what makes over-parameterised subgradient methods work in theory), and
 * n (the paper's 400; quick uses 100).
 */
export function overParamRungs(scale: Scale): OverParamRung[] {
  if (scale === 'smoke') return [{ label: 'p = r', overFactor: 1 }, { label: 'p = 2r', overFactor: 2 }];
  const base: OverParamRung[] = [
    { label: 'p = r', overFactor: 1 }, { label: 'p = 1.25r', overFactor: 1.25 }, { label: 'p = 1.5r', overFactor: 1.5 }, { label: 'p = 2r', overFactor: 2 },
    // more iterations with the same total decay of the step (0.993^1000 = (0.993^0.5)^2000 = (0.993^0.25)^4000): a slower schedule
    { label: 'p = 2r, 2000 it.', overFactor: 2, iterations: 2000, decayFactor: PHASE_SOLVER.decayFactor! ** 0.5 },
    { label: 'p = 2r, 4000 it.', overFactor: 2, iterations: 4000, decayFactor: PHASE_SOLVER.decayFactor! ** 0.25 },
    { label: 'p = 2r, init 1e-6', overFactor: 2, initScale: 1e-6 },
  ];
  if (scale === 'quick') return base;
  return [...base, { label: 'p = r, n = 200', overFactor: 1, n: 200 }, { label: 'p = 2r, n = 200', overFactor: 2, n: 200 }, { label: 'p = 2r, n = 400', overFactor: 2, n: 400 }];
}

/** A stable file-name key of a rung (its settings, not its label). */
export function overParamRungKey(r: OverParamRung): string {
  return `p${r.overFactor}-it${r.iterations ?? PHASE_SOLVER.iterations}-decay${r.decayFactor ?? PHASE_SOLVER.decayFactor}-init${r.initScale ?? PHASE_SOLVER.initScale}${r.n ? `-n${r.n}` : ''}`;
}

export interface OverParamLadderRow { label: string; key: string; overFactor: number; n: number; iterations: number; decayFactor: number; initScale: number; successes: number; below1e2: number; cells: number }

/**
 * Runs (or reads back) every rung on the phase grid (same matrices as Fig. 5 for the same n and seed), each rung in
 * its own store (`storeFor(key)`), and counts the cells with error < 1e-3 (success) and < 1e-2.
 */
export async function overParamLadder(grid: PhaseGrid, rungs: OverParamRung[], storeFor: (key: string) => ResultsStore, log: (s: string) => void = () => {}): Promise<OverParamLadderRow[]> {
  const out: OverParamLadderRow[] = [];
  for (const r of rungs) {
    if (!(r.overFactor >= 1)) throw new InputError(`overParamLadder: overFactor must be >= 1, got ${r.overFactor}`);
    const key = overParamRungKey(r);
    const g: PhaseGrid = {
      ...grid, n: r.n ?? grid.n, overFactor: r.overFactor, iterations: r.iterations ?? grid.iterations, decayFactor: r.decayFactor ?? grid.decayFactor, initScale: r.initScale ?? grid.initScale,
      methods: [r.overFactor === 1 ? 'robust-factorization' : 'robust-factorization-over'],
    };
    const rows = await phaseTransition(storeFor(key), g, undefined, log);
    out.push({
      label: r.label, key, overFactor: r.overFactor, n: g.n, iterations: g.iterations ?? PHASE_SOLVER.iterations!, decayFactor: g.decayFactor ?? PHASE_SOLVER.decayFactor!, initScale: g.initScale ?? PHASE_SOLVER.initScale!,
      successes: rows.filter((x) => x.success).length, below1e2: rows.filter((x) => x.relErr < 1e-2).length, cells: rows.length,
    });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------------
// Table 1 and Figures 1-4: restoration of corrupted test images, measured by a pretrained classifier

export type RestorationNoise = 'none' | 'impulse' | 'gaussian';
export type RestorationSeverity = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 'mixup';

/** Parameters of one Table-1 cell (everything that changes its result; the store keys on them). */
export interface RestorationParams {
  dataset: string;
  noise: RestorationNoise;
  severity: RestorationSeverity;
  /** Number of test images (the paper: 10,000). */
  n: number;
  epochs: number;
  /** RDAE / RNLF network learning rate, RNLF code learning rate. */
  learningRate: number;
  codeLearningRate: number;
  codeDim: number;
  batchSize: number;
  decayEvery: number;
  seed: number;
}

export interface RestorationResult {
  accClean: number;
  accCorrupted: number;
  accRDAE: number;
  accRNLF: number;
  /** Mean absolute error to the clean images (the models never see them). */
  maeCorrupted: number;
  maeRDAE: number;
  maeRNLF: number;
  secondsRDAE: number;
  secondsRNLF: number;
  lossRDAE: number[];
  lossRNLF: number[];
  /** A few images (rounded to 1/1000) for the figures: clean, corrupted, RDAE-restored, RNLF-restored. */
  examples: { clean: number[]; corrupted: number[]; rdae: number[]; rnlf: number[]; count: number };
}

export interface RestorationDeps {
  /** The test images (the first `params.n` are used). */
  images: ImageSet;
  /** Network of the models (conv28Spec() for MNIST / Fashion-MNIST, resnet32Spec() for CIFAR). */
  net: ImageNetSpec;
  /** Severity column of Table 2: 'mnist' (MNIST / Fashion-MNIST) or 'cifar'. */
  severityGroup: 'mnist' | 'cifar';
  /** Accuracy (0..1) of the pretrained classifier on n x d images in [0, 1]. */
  accuracy: (X: tf.Tensor2D, labels: Int32Array) => number | Promise<number>;
  /** Number of example images kept for the figures (default 8). */
  examples?: number;
  progress?: boolean;
  log?: (s: string) => void;
}

/** Applies the Table-2 corruption of a cell (seeded by the cell). Caller disposes. */
export function corruptForCell(X: tf.Tensor2D, p: Pick<RestorationParams, 'noise' | 'severity' | 'seed' | 'dataset'>, group: 'mnist' | 'cifar'): tf.Tensor2D {
  if (p.noise === 'none' || p.severity === 0) return tf.clone(X);
  const seed = new Rng(p.seed).fork(`corrupt:${p.dataset}:${p.noise}:${p.severity}`);
  const r = p.noise === 'impulse' ? impulseNoise(X, { severity: p.severity, seed, dataset: group }) : gaussianNoise(X, { severity: p.severity, seed, dataset: group });
  r.mask.dispose();
  return r.corrupted;
}

function round3(a: ArrayLike<number>): number[] { return Array.from(a, (v) => Math.round(v * 1000) / 1000); }

/**
 * One Table-1 cell: corrupt the test images, fit RDAE and RNLF on the corrupted images only (no clean data),
 * and measure the classifier on clean, corrupted and restored images. Stored in `store` (resumable).
 */
export async function restorationCell(store: ResultsStore, p: RestorationParams, deps: RestorationDeps): Promise<RestorationResult> {
  return store.cell(p as unknown as Params, async () => {
    const log = deps.log ?? (() => {});
    const set = firstN(deps.images, p.n);
    const X = toMatrix(set);
    const Xc = corruptForCell(X, p, deps.severityGroup);
    const mae = (A: tf.Tensor) => tf.tidy(() => tf.mean(tf.abs(tf.sub(A, X))).dataSync()[0]);
    const k = Math.min(deps.examples ?? 8, p.n), d = X.shape[1];
    const first = (A: tf.Tensor2D) => round3((A.dataSync() as Float32Array).subarray(0, k * d));
    const common = { net: deps.net, codeDim: p.codeDim, learningRate: p.learningRate, batchSize: p.batchSize, epochs: p.epochs, decayEvery: p.decayEvery, seed: p.seed, loss: 'l1' as const };
    try {
      const accClean = await deps.accuracy(X, set.labels);
      const accCorrupted = await deps.accuracy(Xc, set.labels);
      const label = `${p.dataset} ${p.noise} ${p.severity}`;
      const rdae = await new RDAE(common).fit(Xc, { progress: deps.progress, label: `RDAE ${label}` });
      const a = rdae.decompose();
      const accRDAE = await deps.accuracy(a.L, set.labels);
      const out1 = { maeRDAE: mae(a.L), secondsRDAE: rdae.history.seconds, lossRDAE: rdae.history.epochs.map((e) => e.loss), ex: first(a.L) };
      tf.dispose([a.L, a.S]);
      rdae.dispose();
      const rnlf = await new RNLF({ ...common, codeLearningRate: p.codeLearningRate }).fit(Xc, { progress: deps.progress, label: `RNLF ${label}` });
      const b = rnlf.decompose();
      const accRNLF = await deps.accuracy(b.L, set.labels);
      const out2 = { maeRNLF: mae(b.L), secondsRNLF: rnlf.history.seconds, lossRNLF: rnlf.history.epochs.map((e) => e.loss), ex: first(b.L) };
      tf.dispose([b.L, b.S]);
      rnlf.dispose();
      log(`${label}: accuracy clean ${(100 * accClean).toFixed(2)} corrupted ${(100 * accCorrupted).toFixed(2)} RDAE ${(100 * accRDAE).toFixed(2)} RNLF ${(100 * accRNLF).toFixed(2)} (%), ${(out1.secondsRDAE + out2.secondsRNLF).toFixed(0)} s`);
      return {
        accClean, accCorrupted, accRDAE, accRNLF,
        maeCorrupted: mae(Xc), maeRDAE: out1.maeRDAE, maeRNLF: out2.maeRNLF,
        secondsRDAE: out1.secondsRDAE, secondsRNLF: out2.secondsRNLF, lossRDAE: out1.lossRDAE, lossRNLF: out2.lossRNLF,
        examples: { clean: first(X), corrupted: first(Xc), rdae: out1.ex, rnlf: out2.ex, count: k },
      };
    } finally {
      tf.dispose([X, Xc]);
    }
  });
}

/** Table 1 of the paper: accuracy (%) for [clean, sev 1..6, mixup] x (impulse, gaussian), per row. */
export const LI2020_TABLE1: Record<string, Record<'PC' | 'RDAE' | 'RNLF', { impulse: number[]; gaussian: number[] }>> = (() => {
  // Each printed row alternates impulse / gaussian for: clean, severity 1..6, mixup.
  const rows: Record<string, Record<'PC' | 'RDAE' | 'RNLF', number[]>> = {
    mnist: {
      PC: [98.96, 98.96, 92.91, 89.28, 72.31, 73.92, 49.38, 54.85, 30.59, 34.87, 19.98, 20.15, 14.68, 13.14, 53.69, 54.79],
      RDAE: [98.70, 98.61, 98.55, 98.68, 98.41, 98.69, 98.10, 98.57, 97.81, 98.39, 96.98, 97.90, 95.88, 97.37, 97.87, 98.35],
      RNLF: [98.54, 98.32, 98.45, 98.55, 98.38, 98.57, 97.94, 98.40, 97.14, 97.82, 95.73, 96.85, 93.61, 94.27, 97.69, 97.82],
    },
    'fashion-mnist': {
      PC: [90.38, 90.38, 68.48, 81.94, 46.13, 71.44, 32.78, 57.28, 26.04, 44.29, 21.43, 34.70, 18.04, 28.39, 44.02, 58.14],
      RDAE: [86.91, 86.47, 86.43, 86.48, 85.93, 85.30, 85.48, 83.41, 85.17, 82.30, 84.60, 79.45, 83.89, 76.24, 85.58, 83.63],
      RNLF: [86.10, 85.81, 85.76, 85.26, 85.65, 84.24, 84.80, 81.55, 84.80, 78.93, 84.39, 75.53, 83.03, 71.24, 85.23, 81.73],
    },
    cifar10: {
      PC: [93.71, 93.71, 40.05, 75.19, 14.60, 52.35, 11.90, 41.78, 10.95, 32.48, 10.62, 25.60, 10.41, 21.54, 27.55, 48.49],
      RDAE: [85.55, 86.19, 86.19, 87.05, 85.75, 83.75, 85.50, 79.80, 85.29, 74.39, 84.81, 68.30, 82.22, 59.04, 84.85, 81.28],
      RNLF: [81.05, 83.63, 80.60, 84.08, 80.03, 79.59, 81.14, 77.12, 79.94, 72.40, 79.70, 70.34, 78.66, 64.46, 81.52, 77.22],
    },
    cifar100: {
      PC: [70.79, 70.79, 13.46, 38.90, 5.09, 23.66, 2.72, 19.04, 1.73, 15.52, 1.49, 12.45, 1.27, 10.47, 14.03, 27.07],
      RDAE: [53.73, 54.17, 53.51, 56.05, 54.10, 52.17, 52.18, 46.89, 52.44, 41.34, 53.05, 34.28, 51.32, 28.04, 53.64, 50.32],
      RNLF: [47.94, 49.19, 45.87, 46.91, 47.74, 42.72, 40.99, 43.52, 39.65, 42.25, 45.61, 37.62, 45.06, 32.52, 44.61, 43.88],
    },
  };
  const out: Record<string, Record<'PC' | 'RDAE' | 'RNLF', { impulse: number[]; gaussian: number[] }>> = {};
  for (const [ds, r] of Object.entries(rows)) {
    out[ds] = {} as Record<'PC' | 'RDAE' | 'RNLF', { impulse: number[]; gaussian: number[] }>;
    for (const m of ['PC', 'RDAE', 'RNLF'] as const) {
      out[ds][m] = { impulse: r[m].filter((_, i) => i % 2 === 0), gaussian: r[m].filter((_, i) => i % 2 === 1) };
    }
  }
  return out;
})();

/** Column index in LI2020_TABLE1 rows: 0 = clean, 1..6 = severity, 7 = mixup. */
export function table1Column(severity: RestorationSeverity): number {
  return severity === 'mixup' ? 7 : severity;
}

/** The paper's value for a (dataset, model, noise, severity) cell, in %, or undefined. */
export function paperAccuracy(dataset: string, model: 'PC' | 'RDAE' | 'RNLF', noise: RestorationNoise, severity: RestorationSeverity): number | undefined {
  const t = LI2020_TABLE1[dataset]?.[model];
  if (!t) return undefined;
  return (noise === 'gaussian' ? t.gaussian : t.impulse)[table1Column(noise === 'none' ? 0 : severity)];
}

/**
 * Table 1 laid out like the paper: one row per (model, source) with columns clean, severity 1..6 and mixup for
 * each noise ("impulse / gaussian" pairs), our numbers and the paper's side by side. Missing cells are ''.
 */
export function table1Rows(dataset: string, rows: (RestorationParams & RestorationResult)[], classifierName = 'PC'): Record<string, string>[] {
  const cols: RestorationSeverity[] = [0, 1, 2, 3, 4, 5, 6, 'mixup'];
  const find = (noise: RestorationNoise, sev: RestorationSeverity) => rows.find((r) => r.dataset === dataset && (sev === 0 ? r.noise === 'none' || r.severity === 0 : r.noise === noise && r.severity === sev));
  const out: Record<string, string>[] = [];
  const models: { key: 'PC' | 'RDAE' | 'RNLF'; label: string; field: 'accCorrupted' | 'accRDAE' | 'accRNLF' }[] = [
    { key: 'PC', label: classifierName, field: 'accCorrupted' },
    { key: 'RDAE', label: `RDAE + ${classifierName}`, field: 'accRDAE' },
    { key: 'RNLF', label: `RNLF + ${classifierName}`, field: 'accRNLF' },
  ];
  for (const m of models) {
    for (const source of ['ours', 'paper'] as const) {
      const row: Record<string, string> = { model: m.label, source };
      for (const sev of cols) {
        const name = sev === 0 ? 'clean' : sev === 'mixup' ? 'mixup' : `sev ${sev}`;
        const pair = (['impulse', 'gaussian'] as const).map((noise) => {
          if (source === 'paper') { const v = paperAccuracy(dataset, m.key, noise, sev); return v === undefined ? '' : v.toFixed(2); }
          // PC on the clean images is measured in every cell (same images): show it even when no clean cell ran
          const r = find(noise, sev) ?? (sev === 0 && m.field === 'accCorrupted' ? rows.find((x) => x.dataset === dataset) : undefined);
          if (!r) return '';
          const v = sev === 0 && m.field === 'accCorrupted' ? r.accClean : r[m.field];
          return (100 * v).toFixed(2);
        });
        row[name] = pair.every((x) => x === '') ? '' : `${pair[0] || '-'} / ${pair[1] || '-'}`;
      }
      out.push(row);
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------------
// Sizes per scale

export interface Li2020Config {
  phase: PhaseGrid;
  /** RPCA checks: the reviewer's 400 x 400 rank-20 5% instance and a timing on d x m. */
  rpcaCheck: { n: number; rank: number; rho: number };
  rpcaTiming: { rows: number; cols: number; rank: number; rho: number };
  restoration: {
    datasets: ('mnist' | 'fashion-mnist')[];
    noises: ('impulse' | 'gaussian')[];
    /** Severities per noise. */
    severities: { impulse: RestorationSeverity[]; gaussian: RestorationSeverity[] };
    /** Also fit the models on the clean images (the "Clean Image" column). */
    clean: boolean;
    n: number;
    epochs: number;
    learningRate: number;
    codeLearningRate: number;
    codeDim: number;
    batchSize: number;
    decayEvery: number;
    /** Settings of the pretrained classifier (src/classifiers/pc.ts). */
    classifier: { epochs?: number; trainSize?: number };
  };
}

/** Experiment sizes. Only `paper` uses the paper's protocol; the reductions are listed in the notebook. */
export function li2020Config(scale: Scale, seed = 0): Li2020Config {
  const grid = (lo: number, hi: number, step: number) => Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, i) => Math.round((lo + i * step) * 1000) / 1000);
  if (scale === 'smoke') {
    return {
      phase: { n: 30, rankFractions: [0.1, 0.3], rhos: [0.05, 0.3], trials: 1, overFactor: 2, iterations: 150, seed },
      rpcaCheck: { n: 60, rank: 3, rho: 0.05 },
      rpcaTiming: { rows: 784, cols: 300, rank: 10, rho: 0.1 },
      restoration: {
        datasets: ['mnist'], noises: ['impulse'], severities: { impulse: [6], gaussian: [6] }, clean: false, n: 200, epochs: 2,
        learningRate: 1e-3, codeLearningRate: 10, codeDim: 30, batchSize: 100, decayEvery: 100, classifier: { epochs: 1, trainSize: 2000 },
      },
    };
  }
  if (scale === 'quick') {
    return {
      phase: { n: 100, rankFractions: grid(0.05, 0.3, 0.05), rhos: grid(0.05, 0.3, 0.05), trials: 1, overFactor: 2, iterations: 1000, seed },
      rpcaCheck: { n: 400, rank: 20, rho: 0.05 },
      rpcaTiming: { rows: 784, cols: 5000, rank: 10, rho: 0.1 },
      restoration: {
        datasets: ['mnist', 'fashion-mnist'], noises: ['impulse', 'gaussian'], severities: { impulse: [2, 4, 6], gaussian: [2, 6] }, clean: false, n: 1000, epochs: 20,
        learningRate: 1e-3, codeLearningRate: 10, codeDim: 30, batchSize: 100, decayEvery: 100, classifier: {},
      },
    };
  }
  if (scale === 'long') {
    // One machine overnight: the phase grid at n = 200 with 3 trials, restoration on 3,000 images for 100 epochs.
    return {
      phase: { n: 200, rankFractions: grid(0.05, 0.5, 0.05), rhos: grid(0.05, 0.5, 0.05), trials: 3, overFactor: 2, iterations: 2000, seed },
      rpcaCheck: { n: 400, rank: 20, rho: 0.05 },
      rpcaTiming: { rows: 784, cols: 5000, rank: 10, rho: 0.1 },
      restoration: {
        datasets: ['mnist', 'fashion-mnist'], noises: ['impulse', 'gaussian'], severities: { impulse: [1, 2, 3, 4, 5, 6], gaussian: [1, 2, 3, 4, 5, 6] }, clean: true, n: 3000, epochs: 100,
        learningRate: 1e-3, codeLearningRate: 10, codeDim: 30, batchSize: 100, decayEvery: 100, classifier: {},
      },
    };
  }
  return {
    phase: { n: 400, rankFractions: grid(0.05, 0.5, 0.05), rhos: grid(0.05, 0.5, 0.05), trials: 10, overFactor: 2, iterations: 2000, seed },
    rpcaCheck: { n: 400, rank: 20, rho: 0.05 },
    rpcaTiming: { rows: 784, cols: 5000, rank: 10, rho: 0.1 },
    restoration: {
      datasets: ['mnist', 'fashion-mnist'], noises: ['impulse', 'gaussian'], severities: { impulse: [1, 2, 3, 4, 5, 6, 'mixup'], gaussian: [1, 2, 3, 4, 5, 6, 'mixup'] }, clean: true, n: 10000, epochs: 200,
      learningRate: 1e-4, codeLearningRate: 10, codeDim: 30, batchSize: 100, decayEvery: 100, classifier: {},
    },
  };
}
