/**
 * The alternating robust solver shared by RDA (Zhou & Paffenroth, KDD 2017, Sec. 4.1), the robust VAE (Ren et
 * al.) and their l2,1 variants: one loop, with the inner model and the penalty passed in as parts.
 *
 * Problem (Zhou & Paffenroth eq. 7, 9, 10):   min  ||L - D(E(L))||_F^2 + lambda * P(S)   s.t.  X = L + S
 * with P = ||S||_1 (element-wise noise), ||S||_2,1 over columns (a corrupted feature) or over rows (an outlying
 * instance: eq. 10, ||S^T||_2,1).
 *
 * Algorithm (paper, Sec. 4.1; the authors' code does the same steps):
 *   L = 0, S = 0, LS = X
 *   repeat `outer` times:
 *     1. L = X - S                                   (in the first iteration L = X)
 *     2. train the inner model on L for `innerEpochs` epochs (back-propagation)
 *     3. L = inner(L)                                (reconstruction of what it was trained on)
 *     4.-5. S = prox_{t, P}(X - L)                   (t: the threshold, see "lambda conventions" below)
 *     6. c1 = ||X - L - S||_F / ||X||_F,  c2 = ||LS - L - S||_F / ||X||_F   (convergence measures)
 *     7. LS = L + S
 *
 * Convergence (two conventions, option `stopRule`):
 *   - 'paper' (Sec. 4.1): break when c1 < tol OR c2 < tol, with c2 = ||LS - L - S||_F / ||X||_F.
 *   - 'code' (the authors' l1 RDA, RobustDeepAutoencoder.py): break when c1 < tol AND c2' < tol, where
 *     c2' = min(mu, sqrt(mu)) * ||LS - L - S||_F / ||X||_F, mu = X.size / (4 ||X||_1), ||X||_1 = numpy's matrix
 *     1-norm = the largest absolute COLUMN sum. Their l2,1 outlier code has no convergence test at all
 *     (it always runs `outer` iterations): use stopRule 'none'.
 *   The paper starts with LS = X, the code with LS0 = 0 (so its first c2 is ||L + S||_F / ||X||_F); we follow the
 *   code's start under stopRule 'code' and the paper's otherwise.
 *   Both c2 and c2' are recorded in every outer record (`c2`, `c2code`), whatever the stop rule.
 *
 * Lambda conventions (option `lambdaConvention`; `effectiveThreshold` computes t):
 *   - 'paper':      t = lambda  (prox_{lambda} of eq. 11 / 12, as printed in Sec. 4.2-4.3).
 *   - 'code-l1':    t = lambda / mu, mu = X.size / (4 * largest column sum of |X|): the authors' l1 RDA. For MNIST
 *                   rows x 784, mu ~ 784 / (4 * 0.45) ~ 400, so t ~ lambda / 400; the formula was presumably meant
 *                   with the entry-wise sum (mu ~ 2), i.e. the code's threshold is ~100-200x smaller than intended.
 *   - 'code-l21-n': t = lambda * N (N = number of rows of X): the authors' outlier notebook passes lambda_ = lam * N
 *                   with lam in 1e-4..1.5e-3 and does not divide by mu.
 *
 * Objective trace (Figure 7): after every inner epoch we record
 *     objective = dataFit(L) + lambda_t * P(S),   L = X - S (the data the inner model trains on, S fixed),
 * with dataFit = ||L - inner(L)||_F^2 by default (the inner model may define its own, e.g. a VAE's loss) and
 * lambda_t the threshold t actually used in the prox (so objective and prox are the same problem). After each
 * prox step a point with the new S (and L = X - S) is recorded too, with `prox: 1`: the "staircase" of Fig. 7.
 *
 * Tensor ownership: the caller keeps X. The result's L and S belong to the caller. The solver disposes everything
 * else; the number of live tensors after `fitAlternating` equals the number before plus two (L and S).
 */
import { tf } from '../backend';
import { Progress } from '../progress';
import { EpochRecord, OuterRecord } from '../records';
import { shrinkL1, shrinkL21Cols, shrinkL21Rows } from '../linalg/shrink';
import { assertInt, assertMatrix, assertNonNegative, assertOneOf, InputError } from '../validate';

// ---------------------------------------------------------------------------------------------------------------
// Penalties and their proximal operators

/** A penalty P(S) with its proximal operator prox_{t P}(V) = argmin_S 0.5||S - V||_F^2 + t P(S). */
export interface Penalty {
  readonly name: string;
  /** prox_{t P}(V); returns a new tensor (caller disposes). */
  prox(V: tf.Tensor2D, t: number): tf.Tensor2D;
  /** P(S) as a number. */
  value(S: tf.Tensor2D): number;
  /** Which units of S are non-zero (rows for 'l21-rows', columns for 'l21-cols', entries for 'l1'). */
  support?(S: tf.Tensor2D): Uint8Array;
}

export type PenaltyName = 'l1' | 'l21-rows' | 'l21-cols';
export const PENALTIES: readonly PenaltyName[] = ['l1', 'l21-rows', 'l21-cols'];

// The operators themselves live in src/linalg/shrink.ts (eq. 11 and eq. 12; tested against the paper's loops).
export const proxL1 = (V: tf.Tensor2D, t: number): tf.Tensor2D => shrinkL1(V, t);
/** l2,1 over rows (instances, eq. 10, ||S^T||_2,1): a whole row is kept (shrunk) or zeroed. */
export const proxL21Rows = shrinkL21Rows;
/** l2,1 over columns (features, eq. 8-9, ||S||_2,1): a whole column is kept (shrunk) or zeroed. */
export const proxL21Cols = shrinkL21Cols;

function scalarOf(f: () => tf.Tensor): number {
  const s = tf.tidy(f);
  const v = s.dataSync()[0];
  s.dispose();
  return v;
}

function supportOf(f: () => tf.Tensor): Uint8Array {
  const s = tf.tidy(f);
  const d = s.dataSync();
  s.dispose();
  // A bool tensor's data is already a Uint8Array of 0 / 1 (the map below took ~0.5 s on 5,000 x 784 entries).
  return d instanceof Uint8Array ? d : Uint8Array.from(d, (x) => (x ? 1 : 0));
}

export const L1_PENALTY: Penalty = {
  name: 'l1',
  prox: proxL1,
  value: (S) => scalarOf(() => tf.sum(tf.abs(S))),
  support: (S) => supportOf(() => tf.notEqual(S, 0).reshape([-1])),
};
export const L21_ROWS_PENALTY: Penalty = {
  name: 'l21-rows',
  prox: proxL21Rows,
  value: (S) => scalarOf(() => tf.sum(tf.sqrt(tf.sum(tf.square(S), 1)))),
  support: (S) => supportOf(() => tf.any(tf.notEqual(S, 0), 1)),
};
export const L21_COLS_PENALTY: Penalty = {
  name: 'l21-cols',
  prox: proxL21Cols,
  value: (S) => scalarOf(() => tf.sum(tf.sqrt(tf.sum(tf.square(S), 0)))),
  support: (S) => supportOf(() => tf.any(tf.notEqual(S, 0), 0)),
};

export function penaltyOf(p: PenaltyName | Penalty): Penalty {
  if (typeof p !== 'string') {
    if (!p || typeof p.prox !== 'function' || typeof p.value !== 'function') throw new InputError('penalty: expected "l1", "l21-rows", "l21-cols" or an object { name, prox(V, t), value(S) }');
    return p;
  }
  assertOneOf(p, 'penalty', PENALTIES);
  return p === 'l1' ? L1_PENALTY : p === 'l21-rows' ? L21_ROWS_PENALTY : L21_COLS_PENALTY;
}

// ---------------------------------------------------------------------------------------------------------------
// Lambda conventions

export type LambdaConvention = 'paper' | 'code-l1' | 'code-l21-n';
export const LAMBDA_CONVENTIONS: readonly LambdaConvention[] = ['paper', 'code-l1', 'code-l21-n'];

/** The authors' mu = X.size / (4 ||X||_1) with numpy's matrix 1-norm (largest absolute column sum). */
export function codeMu(X: tf.Tensor2D): number {
  const maxColSum = scalarOf(() => tf.max(tf.sum(tf.abs(X), 0)));
  if (maxColSum === 0) return Infinity;
  return X.size / (4 * maxColSum);
}

/** The prox threshold t for `lambda` under a convention (see the header). */
export function effectiveThreshold(lambda: number, X: tf.Tensor2D, convention: LambdaConvention = 'paper'): number {
  assertNonNegative(lambda, 'lambda');
  assertOneOf(convention, 'lambdaConvention', LAMBDA_CONVENTIONS);
  if (convention === 'paper') return lambda;
  if (convention === 'code-l1') return lambda / codeMu(X);
  return lambda * X.shape[0];
}

// ---------------------------------------------------------------------------------------------------------------
// The solver

export interface InnerContext {
  /** 0-based outer iteration. */
  outer: number;
  /** Epochs already run before this call (number inner epochs across outer iterations). */
  epochOffset: number;
  /**
   * Call after each epoch with its record; the solver adds `objective` (and `outer`) to it and may return false
   * to ask the inner model to stop early. Inner models that cannot call it per epoch may skip it; the solver
   * then records the objective once after `trainOn` returns.
   */
  onEpoch: (r: EpochRecord) => void | boolean;
}

/** The part of the model that learns the clean data: an autoencoder, a VAE, ... */
export interface InnerModel {
  /** Trains on L (rows are samples) for `epochs` epochs; returns one record per epoch. Must not keep L. */
  trainOn(L: tf.Tensor2D, epochs: number, ctx: InnerContext): Promise<EpochRecord[]>;
  /** The reconstruction of L through the model (caller disposes). */
  reconstruct(L: tf.Tensor2D): tf.Tensor2D;
  /** Optional data-fit term of the objective; default ||L - reconstruct(L)||_F^2. */
  dataFit?(L: tf.Tensor2D): number;
}

export type StopRule = 'paper' | 'code' | 'none';

export interface AlternatingOptions {
  X: tf.Tensor2D;
  inner: InnerModel;
  penalty: PenaltyName | Penalty;
  /** lambda in the chosen convention (>= 0). */
  lambda: number;
  /** How lambda maps to the prox threshold. Default 'paper' (t = lambda). */
  lambdaConvention?: LambdaConvention;
  /** Number of outer iterations (max). Paper / code: 20. */
  outer: number;
  /** Inner epochs per outer iteration. Code: 50 (outlier task); Fig. 7: 5. */
  innerEpochs: number;
  /** Convergence tolerance for c1 / c2. Code: 1e-7. */
  tol?: number;
  /** 'paper' (c1 < tol or c2 < tol), 'code' (c1 < tol and min(mu, sqrt mu) c2 < tol), 'none'. Default 'code'. */
  stopRule?: StopRule;
  /** Record the objective after every inner epoch (one extra forward pass each). Default true. */
  traceObjective?: boolean;
  /** Initial S (default zeros). Copied. */
  S0?: tf.Tensor2D;
  /** Called after each outer iteration with its record and the current L, S (owned by the solver; do not keep). */
  onOuter?: (r: OuterRecord, state: { L: tf.Tensor2D; S: tf.Tensor2D }) => void | boolean;
  /** Called after each inner epoch (with `objective` filled in when traced). Return false to stop the inner run. */
  onEpoch?: (r: EpochRecord) => void | boolean;
  /** Progress bar: true / false, or an existing bar to tick. */
  progress?: boolean | Progress;
  label?: string;
}

/** One point of the objective trace (Fig. 7): after an inner epoch, or (prox = 1) right after a prox step. */
export interface ObjectivePoint { step: number; outer: number; epoch: number; objective: number; dataFit: number; penalty: number; prox: 0 | 1 }

export interface AlternatingHistory {
  epochs: EpochRecord[];
  outer: OuterRecord[];
  objective: ObjectivePoint[];
  seconds: number;
  stopped: 'converged' | 'max-iterations' | 'callback';
  /** The prox threshold used. */
  threshold: number;
  /** The authors' mu (for c2code and the 'code-l1' convention). */
  mu: number;
}

export interface AlternatingResult { L: tf.Tensor2D; S: tf.Tensor2D; history: AlternatingHistory }

function frob(f: () => tf.Tensor): number { return Math.sqrt(scalarOf(() => tf.sum(tf.square(f())))); }

/**
 * Runs the alternating robust solver. Returns L (the last reconstruction D(E(X - S)) of step 3), S and the
 * history. Note X - L - S != 0 in general: c1 measures the gap.
 */
export async function fitAlternating(opts: AlternatingOptions): Promise<AlternatingResult> {
  const { X, inner } = opts;
  assertMatrix(X, 'fitAlternating: X');
  if (!inner || typeof inner.trainOn !== 'function' || typeof inner.reconstruct !== 'function') {
    throw new InputError('fitAlternating: inner must have trainOn(L, epochs, ctx) and reconstruct(L)');
  }
  const penalty = penaltyOf(opts.penalty);
  assertNonNegative(opts.lambda, 'lambda');
  assertInt(opts.outer, 'outer', 1);
  assertInt(opts.innerEpochs, 'innerEpochs', 0);
  const tol = opts.tol ?? 1e-7;
  assertNonNegative(tol, 'tol');
  const stopRule = opts.stopRule ?? 'code';
  assertOneOf(stopRule, 'stopRule', ['paper', 'code', 'none'] as const);
  const convention = opts.lambdaConvention ?? 'paper';
  const t = effectiveThreshold(opts.lambda, X, convention);
  const mu = codeMu(X);
  const muScale = Math.min(mu, Math.sqrt(mu));
  const trace = opts.traceObjective !== false;
  if (opts.S0) assertMatrix(opts.S0, 'fitAlternating: S0', { rows: X.shape[0], cols: X.shape[1] });

  const xNorm = frob(() => X) || 1;
  const t0 = Date.now();
  const totalEpochs = opts.outer * opts.innerEpochs;
  const bar = opts.progress instanceof Progress ? opts.progress
    : new Progress(Math.max(1, totalEpochs), opts.label ?? `alternating ${penalty.name}`, { enabled: opts.progress !== false });
  const ownBar = !(opts.progress instanceof Progress);

  let S: tf.Tensor2D = opts.S0 ? opts.S0.clone() : tf.zerosLike(X);
  let L: tf.Tensor2D = tf.zerosLike(X);
  // LS (the previous L + S, for c2): the paper initialises LS = X; the authors' code LS0 = L + S = 0.
  let LS: tf.Tensor2D = stopRule === 'code' ? tf.zerosLike(X) : X.clone();
  const history: AlternatingHistory = { epochs: [], outer: [], objective: [], seconds: 0, stopped: 'max-iterations', threshold: t, mu };
  let step = 0;

  const dataFitOf = (Lin: tf.Tensor2D): number => {
    if (inner.dataFit) return inner.dataFit(Lin);
    return scalarOf(() => tf.sum(tf.square(tf.sub(Lin, inner.reconstruct(Lin)))));
  };
  let penaltyValue = penalty.value(S);
  const record = (Lin: tf.Tensor2D, outer: number, epoch: number, prox: 0 | 1): number => {
    const fit = dataFitOf(Lin);
    const obj = fit + t * penaltyValue;
    history.objective.push({ step: step++, outer, epoch, objective: obj, dataFit: fit, penalty: penaltyValue, prox });
    return obj;
  };

  let epochOffset = 0;
  try {
    for (let it = 0; it < opts.outer; it++) {
      const tIt = Date.now();
      // 1. L = X - S
      const Lin = tf.sub(X, S) as tf.Tensor2D;
      // 2. train the inner model on L
      let tracedThisCall = 0;
      const ctx: InnerContext = {
        outer: it,
        epochOffset,
        onEpoch: (r) => {
          r.outer = it + 1;
          tracedThisCall++;
          bar.tick({ outer: it + 1, loss: r.loss });
          if (trace) r.objective = record(Lin, it + 1, r.epoch, 0);
          return opts.onEpoch?.(r);
        },
      };
      let recs: EpochRecord[] = [];
      try {
        recs = opts.innerEpochs > 0 ? await inner.trainOn(Lin, opts.innerEpochs, ctx) : [];
        if (tracedThisCall === 0) {
          bar.tick({ outer: it + 1 }, recs.length);
          if (trace) {
            const obj = record(Lin, it + 1, epochOffset + recs.length, 0);
            if (recs.length) recs[recs.length - 1].objective = obj;
          }
        }
        for (const r of recs) { r.outer = it + 1; history.epochs.push(r); }
        epochOffset += recs.length;
        // 3. L = inner(L)
        L.dispose();
        L = inner.reconstruct(Lin);
      } finally {
        Lin.dispose();
      }
      // 4.-5. S = prox(X - L); 6. c1 = ||X - L - S|| / ||X|| from the same X - L
      const [Snew, c1sq] = tf.tidy(() => {
        const R = tf.sub(X, L) as tf.Tensor2D;
        const Sn = penalty.prox(R, t);
        return [Sn, tf.sum(tf.square(tf.sub(R, Sn)))];
      });
      S.dispose();
      S = Snew;
      penaltyValue = penalty.value(S);
      // 6. convergence measures
      const c1 = Math.sqrt(c1sq.dataSync()[0]) / xNorm;
      c1sq.dispose();
      const dLS = frob(() => tf.sub(tf.sub(LS, L), S)) / xNorm;
      const c2code = muScale * dLS;
      // 7. LS = L + S
      LS.dispose();
      LS = tf.add(L, S) as tf.Tensor2D;
      let objective: number | undefined;
      if (trace) {
        const Lnext = tf.sub(X, S) as tf.Tensor2D;
        try { objective = record(Lnext, it + 1, epochOffset, 1); } finally { Lnext.dispose(); }
      }
      const support = penalty.support ? penalty.support(S) : null;
      let nnz = 0;
      if (support) for (let i = 0; i < support.length; i++) nnz += support[i];
      const rec: OuterRecord = {
        iter: it + 1, c1, c2: dLS, c2code, seconds: (Date.now() - tIt) / 1000, objective,
        penalty: penaltyValue, threshold: t, nonzeroGroups: support ? nnz : undefined,
        lastLoss: recs.length ? recs[recs.length - 1].loss : undefined,
      };
      history.outer.push(rec);
      const go = opts.onOuter?.(rec, { L, S });
      const converged = stopRule === 'paper' ? (c1 < tol || dLS < tol) : stopRule === 'code' ? (c1 < tol && c2code < tol) : false;
      if (converged) { history.stopped = 'converged'; break; }
      if (go === false) { history.stopped = 'callback'; break; }
      await new Promise((r) => setImmediate(r));
    }
  } catch (e) {
    L.dispose(); S.dispose(); LS.dispose();
    throw e;
  } finally {
    if (ownBar) bar.done();
  }
  LS.dispose();
  history.seconds = (Date.now() - t0) / 1000;
  return { L, S, history };
}
