/**
 * Linear autoencoder X ~ B A X and its robust (l1) version, Li, Mehta, Qian & Sun (2020), "Rethink Autoencoders:
 * Robust Manifold Learning", Sec. 2.1-2.2 and Appendix B:
 *
 *   autoencoder          min_{A, B} ||X - B A X||_F^2     (PCA: B spans the top-p eigenspace, Baldi & Hornik 1989)
 *   robust autoencoder   min_{A, B} ||X^ - B A X^||_1     (provably fails for sparse corruption, Appendix B:
 *                                                         recovery would need row(X^) = row(X))
 *
 * Orientation: rows are samples, so the data matrix is m x n (the paper's X^T) and the model maps a row x to
 * x A^T B^T:
 *   A: p x n   the encoder (the paper's A);    B: n x p   the decoder (the paper's B).
 * `tied: true` sets A = B^T (the autoencoder of Sun's lecture, min ||x - B B^T x||); then only B is learned.
 *
 * Solver: the same full-batch gradient solver as `LinearFactorization` (see factorization.ts for the choice of
 * optimiser, the compiled Adam step and the unit-RMS scaling; the map is linear, so scaling the data does not
 * change A and B).
 */
import { tf } from '../backend';
import { toRng } from '../random';
import { InputError, assertInt } from '../validate';
import { BaseModel, Decomposition, FitOptions, RobustModel, Transformer } from './base';
import {
  LINEAR_SOLVER_DEFAULTS, LinearSolverOptions, SolverRun, columnMeans, randomFactor, rmsScale, runSolver, stripUndefined,
  validateSolverOptions,
} from '../train/linear-solver';

export interface LinearAEBatchResult {
  /** [k, p, n] encoders (for tied models, B^T). */
  A: tf.Tensor3D;
  /** [k, n, p] decoders. */
  B: tf.Tensor3D;
  /** [k, 1, n] column means (zeros unless center). */
  mean: tf.Tensor3D;
  /** [k, m, n] reconstruction (X - mean) A^T B^T + mean. */
  L: tf.Tensor3D;
  run: SolverRun;
}

/** The residual X - X A^T B^T (A = B^T when `A` is null: tied) of B [k, n, p], A [k, p, n] on data X [k, m, n] (input 0). */
export function linearAEResidual(B: tf.Variable, A: tf.Variable | null): (data: tf.Tensor[]) => tf.Tensor {
  return ([x]) => {
    const code = A ? tf.matMul(x, A, false, true) : tf.matMul(x, B); // [k, m, p]
    return tf.sub(x, tf.matMul(code, B, false, true));
  };
}

/** Fits k independent linear autoencoders of code size p on X: [k, m, n]. Returned tensors belong to the caller. */
export async function fitLinearAEBatch(X: tf.Tensor3D, rank: number, opts: Partial<LinearSolverOptions & { tied: boolean }> = {}, progress?: boolean): Promise<LinearAEBatchResult> {
  const { tied = false, ...rest } = stripUndefined(opts);
  const o: LinearSolverOptions = { ...LINEAR_SOLVER_DEFAULTS, ...rest };
  validateSolverOptions(o, 'fitLinearAEBatch');
  if (X.rank !== 3) throw new InputError(`fitLinearAEBatch: X must be [k, m, n], got [${X.shape}]`);
  const [k, , n] = X.shape;
  assertInt(rank, 'fitLinearAEBatch: rank', 1);
  const rng = toRng(o.seed).fork('linear-ae');
  const mean = columnMeans(X, o.center);
  const scale = rmsScale(X);
  const Xs = tf.tidy(() => tf.div(tf.sub(X, mean), scale)) as tf.Tensor3D;
  // Balanced init: the product B A has entries of size ~ initScale^2 / sqrt(p) * sqrt(p) (as for factorization).
  const std = o.initScale * Math.pow(rank, -0.25) / Math.pow(n, 0.25);
  const B = randomFactor([k, n, rank], std, rng.fork('B'), 'B');
  const A = tied ? null : randomFactor([k, rank, n], std, rng.fork('A'), 'A');
  try {
    const run = await runSolver(A ? [B, A] : [B], [Xs], linearAEResidual(B, A), o, `linear AE(${o.loss}, p=${rank}${tied ? ', tied' : ''})`, progress);
    const Aout = (A ? tf.clone(A) : tf.transpose(B, [0, 2, 1])) as tf.Tensor3D;
    const Bout = tf.clone(B) as tf.Tensor3D;
    const L = tf.tidy(() => tf.add(tf.matMul(tf.matMul(tf.sub(X, mean), Aout, false, true), Bout, false, true), mean)) as tf.Tensor3D;
    return { A: Aout, B: Bout, mean, L, run };
  } finally {
    tf.dispose([Xs, scale, B, ...(A ? [A] : [])]);
  }
}

export interface LinearAutoencoderOptions extends LinearSolverOptions {
  /** Code size p. */
  rank: number;
  /** Tie the encoder to the decoder: A = B^T. */
  tied: boolean;
}

export const LINEAR_AE_DEFAULTS: LinearAutoencoderOptions = { ...LINEAR_SOLVER_DEFAULTS, rank: 2, tied: false };

/**
 * Linear autoencoder x -> B A x (rows: x A^T B^T), loss 'l2' (PCA) or 'l1' (robust autoencoder).
 *
 *   const ae = await new LinearAutoencoder({ rank: 10, loss: 'l2' }).fit(X);
 *   ae.A, ae.B                      // p x n encoder, n x p decoder (owned by the model)
 *   const codes = ae.transform(X);  // m x p, (x - mean) A^T
 *   const Xr = ae.reconstruct(X);   // m x n
 *   const { L, S } = ae.decompose();
 */
export class LinearAutoencoder extends BaseModel<LinearAutoencoderOptions> implements RobustModel, Transformer {
  private _A: tf.Tensor2D | null = null;
  private _B: tf.Tensor2D | null = null;
  private _mean: tf.Tensor2D | null = null;
  private _X: tf.Tensor2D | null = null;

  constructor(opts: Partial<LinearAutoencoderOptions> = {}) {
    super(LINEAR_AE_DEFAULTS, opts);
    validateSolverOptions(this.params, 'LinearAutoencoder');
    assertInt(this.params.rank, 'LinearAutoencoder: rank', 1);
  }

  /** p x n encoder (B^T when tied). Owned by the model. */
  get A(): tf.Tensor2D { this.checkFitted('A'); return this._A!; }
  /** n x p decoder. Owned by the model. */
  get B(): tf.Tensor2D { this.checkFitted('B'); return this._B!; }
  /** 1 x n column means (zeros unless center). Owned by the model. */
  get mean(): tf.Tensor2D { this.checkFitted('mean'); return this._mean!; }

  async fit(X: tf.Tensor2D, opts: FitOptions = {}): Promise<this> {
    this.checkFitInput(X);
    if (this.params.rank > X.shape[1]) throw new InputError(`LinearAutoencoder.fit: rank ${this.params.rank} exceeds the number of columns ${X.shape[1]}`);
    this.disposeState();
    const t0 = Date.now();
    const X3 = tf.expandDims(X, 0) as tf.Tensor3D;
    const r = await fitLinearAEBatch(X3, this.params.rank, this.params, opts.progress);
    X3.dispose();
    this._A = tf.tidy(() => tf.squeeze(r.A, [0])) as tf.Tensor2D;
    this._B = tf.tidy(() => tf.squeeze(r.B, [0])) as tf.Tensor2D;
    this._mean = tf.tidy(() => tf.squeeze(r.mean, [0])) as tf.Tensor2D;
    this._X = tf.clone(X);
    tf.dispose([r.A, r.B, r.mean, r.L]);
    this.history = {
      epochs: r.run.losses.map((l) => ({ epoch: l.iter, loss: l.loss[0], seconds: 0 })),
      outer: [], seconds: (Date.now() - t0) / 1000, stopped: 'max-iterations',
    };
    for (const e of this.history.epochs) opts.onEpoch?.(e);
    this._fitted = true;
    return this;
  }

  /** Codes (x - mean) A^T, m x p. Caller disposes. */
  transform(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'transform');
    return tf.tidy(() => tf.matMul(tf.sub(X, this._mean!), this._A!, false, true)) as tf.Tensor2D;
  }

  /** (x - mean) A^T B^T + mean, m x n. Caller disposes. */
  reconstruct(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'reconstruct');
    return tf.tidy(() => tf.add(tf.matMul(tf.matMul(tf.sub(X, this._mean!), this._A!, false, true), this._B!, false, true), this._mean!)) as tf.Tensor2D;
  }

  /** L = reconstruct(X_fit), S = X_fit - L. Caller disposes. */
  decompose(): Decomposition {
    this.checkFitted('decompose');
    return tf.tidy(() => {
      const L = this.reconstruct(this._X!);
      return { L, S: tf.sub(this._X!, L) as tf.Tensor2D };
    });
  }

  private disposeState(): void {
    tf.dispose([this._A, this._B, this._mean, this._X].filter((t): t is tf.Tensor2D => t !== null));
    this._A = this._B = this._mean = this._X = null;
  }

  dispose(): void {
    this.disposeState();
    this._fitted = false;
  }
}
