/**
 * Linear factorization X ~ Z B^T and its robust (l1) version, Li, Mehta, Qian & Sun (2020),
 * "Rethink Autoencoders: Robust Manifold Learning", Sec. 2.1-2.2 and Appendices A-B:
 *
 *   factorization          min_{B, Z} ||X - B Z||_F^2      (PCA: any local minimiser spans the top-p eigenspace, Thm A.1)
 *   robust factorization   min_{B, Z} ||X^ - B Z||_1       (robust PCA; works even when p is larger than the true rank)
 *
 * Orientation: in this library rows are samples, so the data matrix is m x n (the paper's X^T) and the model
 * is X ~ Z B^T with
 *   B: n x p   the basis (decoder), exactly the paper's B;
 *   Z: m x p   row i is the code of sample i (the paper's Z, p x m, transposed).
 *
 * Solver: full-batch (sub)gradient training of B and Z together with Adam and step decay of the learning rate.
 * The paper gives no optimiser for its linear simulations (Appendix B only says "direct simulation"); Adam with
 * step decay is what it uses for every other model (Sec. 3.1), so we use the same here. The defaults below were
 * chosen once so that the l1 fit converges to float32 accuracy on one easy instance (n = 100, rank 5, 5%
 * corruption) and were not tuned on the phase-transition grid. The data are scaled to unit RMS before fitting
 * (Adam's step is scale-free, so this makes one learning rate work for any data scale) and scaled back after.
 *
 * The solver is src/train/linear-solver.ts (shared with the linear autoencoder). Its Adam steps are `CompiledStep`s
 * (src/train/compile.ts): the loss written in tfjs, its tfjs gradients and Adam run as one TensorFlow graph per step
 * on the native backend (`compiledStep: false`: the same step eagerly).
 *
 * `fitFactorizationBatch` fits k independent problems of the same shape at once ([k, m, n] tensors and batched
 * matmuls; Adam is per-coordinate, so the problems do not interact). The phase-transition sweep uses it to fit a
 * whole row of the grid in one pass.
 */
import { tf } from '../backend';
import { CompiledStep } from '../train/compile';
import { toRng } from '../random';
import { InputError, assertInt } from '../validate';
import {
  LINEAR_SOLVER_DEFAULTS, LinearSolverOptions, SolverRun, columnMeans, learningRateAt, randomFactor, rmsScale, runSolver, stripUndefined,
  validateSolverOptions,
} from '../train/linear-solver';
import { BaseModel, Decomposition, FitOptions, RobustModel, Transformer } from './base';

/** The solver and its options live in src/train/linear-solver.ts (shared with the linear autoencoder). */
export * from '../train/linear-solver';

/** The factorization residual X - Z B^T of the variables B [k, n, p] and Z [k, m, p] on data X [k, m, n] (input 0). */
export function factorizationResidual(B: tf.Variable, Z: tf.Variable): (data: tf.Tensor[]) => tf.Tensor {
  return ([x]) => tf.sub(x, tf.matMul(Z, B, false, true));
}

// ------------------------------------------------------------------------------------------------------------

export interface BatchFactorizationResult {
  /** [k, n, p] bases (in the data's scale). */
  B: tf.Tensor3D;
  /** [k, m, p] codes. */
  Z: tf.Tensor3D;
  /** [k, 1, n] column means removed before fitting (zeros unless center). */
  mean: tf.Tensor3D;
  /** [k, m, n] low-rank part Z B^T + mean. */
  L: tf.Tensor3D;
  run: SolverRun;
}

/**
 * Fits k independent (robust) factorizations X_k ~ Z_k B_k^T + mean_k of rank p. X: [k, m, n].
 * All returned tensors belong to the caller.
 */
export async function fitFactorizationBatch(X: tf.Tensor3D, rank: number, opts: Partial<LinearSolverOptions> = {}, progress?: boolean): Promise<BatchFactorizationResult> {
  const o: LinearSolverOptions = { ...LINEAR_SOLVER_DEFAULTS, ...stripUndefined(opts) };
  validateSolverOptions(o, 'fitFactorizationBatch');
  if (X.rank !== 3) throw new InputError(`fitFactorizationBatch: X must be [k, m, n], got [${X.shape}]`);
  const [k, m, n] = X.shape;
  assertInt(rank, 'fitFactorizationBatch: rank', 1);
  const rng = toRng(o.seed).fork('factorization');
  const mean = columnMeans(X, o.center);
  const scale = rmsScale(X);
  const Xs = tf.tidy(() => tf.div(tf.sub(X, mean), scale)) as tf.Tensor3D;
  const std = o.initScale * Math.pow(rank, -0.25);
  const B = randomFactor([k, n, rank], std, rng.fork('B'), 'B');
  const Z = randomFactor([k, m, rank], std, rng.fork('Z'), 'Z');
  try {
    const run = await runSolver([B, Z], [Xs], factorizationResidual(B, Z), o, `factorization(${o.loss}, p=${rank})`, progress);
    const Bout = tf.tidy(() => tf.mul(B, scale)) as tf.Tensor3D;
    const Zout = tf.clone(Z) as tf.Tensor3D;
    const L = tf.tidy(() => tf.add(tf.matMul(Zout, Bout, false, true), mean)) as tf.Tensor3D;
    return { B: Bout, Z: Zout, mean, L, run };
  } finally {
    tf.dispose([Xs, scale, B, Z]);
  }
}


// ------------------------------------------------------------------------------------------------------------

export interface LinearFactorizationOptions extends LinearSolverOptions {
  /** Rank p of the factorization (may exceed the true rank: over-parameterised robust factorization). */
  rank: number;
}

export const LINEAR_FACTORIZATION_DEFAULTS: LinearFactorizationOptions = { ...LINEAR_SOLVER_DEFAULTS, rank: 2 };

/**
 * X ~ Z B^T (+ column means when `center`), l2 (PCA) or l1 (robust factorization), Li et al. (2020) Sec. 2.1-2.2.
 *
 *   const f = await new LinearFactorization({ rank: 20, loss: 'l1' }).fit(Xhat);
 *   f.B          // n x p basis (the paper's B)
 *   f.Z          // m x p codes of the fitted rows (the paper's Z^T)
 *   const { L, S } = f.decompose();      // L = Z B^T (+ mean), S = Xhat - L
 *   const codes = f.transform(Xnew);     // codes of new rows (least squares for l2; l1 fit of the codes for l1)
 */
export class LinearFactorization extends BaseModel<LinearFactorizationOptions> implements RobustModel, Transformer {
  private _B: tf.Tensor2D | null = null;
  private _Z: tf.Tensor2D | null = null;
  private _mean: tf.Tensor2D | null = null;
  private _X: tf.Tensor2D | null = null;

  constructor(opts: Partial<LinearFactorizationOptions> = {}) {
    super(LINEAR_FACTORIZATION_DEFAULTS, opts);
    validateSolverOptions(this.params, 'LinearFactorization');
    assertInt(this.params.rank, 'LinearFactorization: rank', 1);
  }

  /** n x p basis. Owned by the model. */
  get B(): tf.Tensor2D { this.checkFitted('B'); return this._B!; }
  /** m x p codes of the fitted rows (row i = code of sample i). Owned by the model. */
  get Z(): tf.Tensor2D { this.checkFitted('Z'); return this._Z!; }
  /** 1 x n column means removed before fitting (zeros unless center). Owned by the model. */
  get mean(): tf.Tensor2D { this.checkFitted('mean'); return this._mean!; }

  async fit(X: tf.Tensor2D, opts: FitOptions = {}): Promise<this> {
    this.checkFitInput(X);
    if (this.params.rank > Math.max(X.shape[0], X.shape[1])) throw new InputError(`LinearFactorization.fit: rank ${this.params.rank} exceeds both dimensions of X [${X.shape}]`);
    this.disposeState();
    const t0 = Date.now();
    const X3 = tf.expandDims(X, 0) as tf.Tensor3D;
    const r = await fitFactorizationBatch(X3, this.params.rank, this.params, opts.progress);
    X3.dispose();
    this._B = tf.tidy(() => tf.squeeze(r.B, [0])) as tf.Tensor2D;
    this._Z = tf.tidy(() => tf.squeeze(r.Z, [0])) as tf.Tensor2D;
    this._mean = tf.tidy(() => tf.squeeze(r.mean, [0])) as tf.Tensor2D;
    this._X = tf.clone(X);
    tf.dispose([r.B, r.Z, r.mean, r.L]);
    this.history = {
      epochs: r.run.losses.map((l) => ({ epoch: l.iter, loss: l.loss[0], seconds: 0 })),
      outer: [], seconds: (Date.now() - t0) / 1000, stopped: 'max-iterations',
    };
    for (const e of this.history.epochs) opts.onEpoch?.(e);
    this._fitted = true;
    return this;
  }

  /** L = Z B^T + mean and S = X - L on the fitted data. Caller disposes. */
  decompose(): Decomposition {
    this.checkFitted('decompose');
    return tf.tidy(() => {
      const L = tf.add(tf.matMul(this._Z!, this._B!, false, true), this._mean!) as tf.Tensor2D;
      return { L, S: tf.sub(this._X!, L) as tf.Tensor2D };
    });
  }

  /**
   * Codes of new rows with the basis fixed: least squares for l2 (exact); for l1 a fit of the codes alone by the
   * same solver, started from the least-squares codes. Caller disposes.
   */
  transform(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'transform');
    const ls = tf.tidy(() => {
      const Xc = tf.sub(X, this._mean!);
      const BtB = tf.matMul(this._B!, this._B!, true, false);
      // (B^T B)^-1 B^T x via Cholesky-free solve: use the pseudo-inverse through QR of B.
      const [Q, R] = tf.linalg.qr(this._B!);
      void BtB;
      const QtX = tf.matMul(Xc, Q); // m x p  (= Z R^T)
      return solveUpperTransposed(R as tf.Tensor2D, QtX as tf.Tensor2D);
    });
    if (this.params.loss === 'l2') return ls;
    return this.l1Codes(X, ls);
  }

  /** Reconstruction of new rows: transform(X) B^T + mean. Caller disposes. */
  reconstruct(X: tf.Tensor2D): tf.Tensor2D {
    const Z = this.transform(X);
    const out = tf.tidy(() => tf.add(tf.matMul(Z, this._B!, false, true), this._mean!)) as tf.Tensor2D;
    Z.dispose();
    return out;
  }

  /** Synchronous l1 code fit with B fixed (plain loop; small problems): Adam on the codes, as the fit. */
  private l1Codes(X: tf.Tensor2D, init: tf.Tensor2D): tf.Tensor2D {
    const o = this.params;
    const scale = tf.tidy(() => rmsScale(tf.expandDims(tf.sub(X, this._mean!), 0) as tf.Tensor3D).reshape([]) as tf.Scalar);
    const Xs = tf.tidy(() => tf.div(tf.sub(X, this._mean!), scale));
    const Bs = tf.tidy(() => tf.div(this._B!, scale));
    const Z = tf.variable(init, true);
    const step = new CompiledStep(([x, b]) => tf.mean(tf.abs(tf.sub(x, tf.matMul(Z, b, false, true)))) as tf.Scalar, [Z],
      { learningRate: o.learningRate, readback: 'deferred', compile: o.compiledStep, label: 'LinearFactorization codes' });
    try {
      for (let t = 0; t < o.iterations; t++) {
        step.learningRate = learningRateAt(o, t);
        step.step([Xs, Bs]).dispose();
      }
    } finally {
      step.dispose(); // copies the codes into Z first
    }
    const out = tf.clone(Z) as tf.Tensor2D;
    tf.dispose([scale, Xs, Bs, Z, init]);
    return out;
  }

  private disposeState(): void {
    tf.dispose([this._B, this._Z, this._mean, this._X].filter((t): t is tf.Tensor2D => t !== null));
    this._B = this._Z = this._mean = this._X = null;
  }

  dispose(): void {
    this.disposeState();
    this._fitted = false;
  }
}

/** Solves Y = Z R^T for Z with R upper triangular p x p (rows of Y are right-hand sides). */
export function solveUpperTransposed(R: tf.Tensor2D, Y: tf.Tensor2D): tf.Tensor2D {
  // Z R^T = Y  <=>  R Z^T = Y^T: back substitution, done on the host (p is small).
  const p = R.shape[0];
  const r = R.arraySync();
  const yt = Y.transpose().arraySync() as number[][];
  const m = Y.shape[0];
  const zt: number[][] = Array.from({ length: p }, () => new Array(m).fill(0));
  for (let i = p - 1; i >= 0; i--) {
    const rii = r[i][i];
    for (let c = 0; c < m; c++) {
      let s = yt[i][c];
      for (let j = i + 1; j < p; j++) s -= r[i][j] * zt[j][c];
      zt[i][c] = Math.abs(rii) > 1e-12 ? s / rii : 0;
    }
  }
  return tf.tensor2d(zt).transpose() as tf.Tensor2D;
}
