/**
 * Robust PCA by Principal Component Pursuit (Candes, Li, Ma & Wright 2011), solved by the inexact augmented
 * Lagrange multiplier method of Lin, Chen & Ma 2009 (Algorithm 5; the MATLAB `inexact_alm_rpca`):
 *
 *     min ||L||_* + lambda ||S||_1   s.t.   D = L + S
 *
 *     Y0 = D / max(||D||_2, ||D||_inf / lambda)   (||D||_inf = largest |entry|),  mu0 = 1.25 / ||D||_2,
 *     repeat:  S = shrink_{lambda/mu}(D - L + Y/mu)
 *              L = SVT_{1/mu}(D - S + Y/mu)        (singular value thresholding, partial SVD)
 *              Y = Y + mu (D - L - S);   mu = min(rho mu, 1e7 mu0)
 *     until ||D - L - S||_F / ||D||_F < tol.
 *
 * Defaults follow the MATLAB code: tol 1e-7, maxIter 1000, rho 1.5, and the rank prediction of its partial SVD
 * (start with sv = 10 singular values; svp = number above 1/mu; sv = svp + 1 if svp < sv, else svp + 5% of
 * min(m, n)). lambda defaults to 1/sqrt(max(m, n)) (Candes et al. 2011, Thm 1.1 and most ports); the MATLAB
 * code uses 1/sqrt(m) with m the number of ROWS of D, where its columns are samples, i.e. 1/sqrt(#features)
 * in this library's orientation -- pass `lambda: RobustPCA.matlabLambda(X)` for that variant.
 *
 * Numerics: all iterates (L, S, Y) are Float64 (JS); each SVT uses `randomizedSvd64` warm-started from the
 * previous right singular vectors (a cold start adds float32 power iterations on the tfjs backend) and a
 * Float64 Rayleigh-Ritz step, so the residual reaches 1e-7 and L is accurate to ~1e-9 on exact low-rank
 * problems. Cost per iteration: three register-blocked Float64 products with the data (M Omega, Q^T M, and
 * L = W V^T) of widths k', k', rank, plus two elementwise passes; no transposes or float32 copies.
 *
 * Rows are samples. `decompose()` returns the fitted L and S. RPCA has no map for NEW data: `reconstruct(X)`
 * projects rows onto the learned row space of L (X V V^T, V = the top right singular vectors of L), without a
 * sparse part -- a convenience, not part of the paper; `transform(X)` gives the codes X V in that row space.
 */
import { tf } from '../backend';
import { BaseModel, Decomposition, FitOptions, OuterRecord, RobustModel, Transformer } from './base';
import { InputError, assertInt, assertPositive, assertInRange } from '../validate';
import { Mat64, frobenius64, gemmNT } from '../linalg/dense';
import { randomizedSvd64, spectralNorm64 } from '../linalg/svd';
import { native64Available, svt64n } from '../linalg/native64';
import { Rng } from '../random';
import { Progress } from '../progress';

export interface RobustPCAOptions {
  /** Weight of ||S||_1. Default 1/sqrt(max(m, n)) (Candes et al. 2011). */
  lambda: number | undefined;
  /** Stop when ||D - L - S||_F / ||D||_F < tol (Lin et al. 2009 code: 1e-7). */
  tol: number;
  /** Iteration cap (code: 1000). */
  maxIter: number;
  /** mu growth factor (code: 1.5). */
  rho: number;
  /** Initial mu; default 1.25 / ||D||_2 (code). */
  mu0: number | undefined;
  /** mu is capped at mu0 * muMaxFactor (code: 1e7). */
  muMaxFactor: number;
  /** Seed of the random start vectors of the partial SVD. */
  seed: number;
  /**
   * Power iterations per partial SVD when warm-started from the previous right singular vectors (default 0: one
   * Float64 Rayleigh-Ritz step on the warm block, same iterations and accuracy at tol 1e-7); a cold start uses 3.
   */
  powerIterations: number;
  /**
   * Run the SVT on TensorFlow's double-precision kernels when the native backend is active (default true;
   * src/linalg/native64.ts): same maths in Float64; above ~20% of min(m, n) predicted rank it switches to the
   * exact SVT from the Gram matrix's eigendecomposition. false = the pure-JS randomized route.
   */
  native: boolean;
  /**
   * Native route: use the exact SVT from the Gram matrix's eigendecomposition once the predicted rank plus
   * oversampling exceeds this fraction of min(m, n) (default 0.2; 0 = always, as the NumPy "Gram" peer).
   */
  denseFraction: number;
}

const DEFAULTS: RobustPCAOptions = {
  lambda: undefined, tol: 1e-7, maxIter: 1000, rho: 1.5, mu0: undefined, muMaxFactor: 1e7, seed: 0, powerIterations: 0, native: true, denseFraction: 0.2,
};

export interface RpcaRecord extends OuterRecord { rank: number; mu: number; sv: number; nnzS: number }

export class RobustPCA extends BaseModel<RobustPCAOptions> implements RobustModel, Transformer {
  /** Fitted parts, Float64, same orientation as the input. */
  L64: Mat64 | null = null;
  S64: Mat64 | null = null;
  /** Rank of L (number of singular values kept in the last SVT). */
  rank = 0;
  iterations = 0;
  /** lambda actually used. */
  lambda = NaN;
  /** Singular values of L (descending) and its top right singular vectors (d x rank, Float64). */
  singularValues = new Float64Array(0);
  private V: Mat64 | null = null;
  declare history: import('./base').TrainingHistory & { outer: RpcaRecord[] };

  constructor(opts: Partial<RobustPCAOptions> = {}) {
    super(DEFAULTS, opts);
    const p = this.params;
    if (p.lambda !== undefined) assertPositive(p.lambda, 'RobustPCA: lambda');
    assertInRange(p.tol, 'RobustPCA: tol', 0, 1);
    assertInt(p.maxIter, 'RobustPCA: maxIter');
    if (!(p.rho > 1)) throw new InputError(`RobustPCA: rho must be > 1, got ${p.rho}`);
    if (p.mu0 !== undefined) assertPositive(p.mu0, 'RobustPCA: mu0');
    assertPositive(p.muMaxFactor, 'RobustPCA: muMaxFactor');
    assertInt(p.powerIterations, 'RobustPCA: powerIterations', 0, 50);
    assertInRange(p.denseFraction, 'RobustPCA: denseFraction', 0, 1);
  }

  /** The MATLAB code's lambda = 1/sqrt(#rows of D) with samples as D's columns = 1/sqrt(#features) here. */
  static matlabLambda(X: tf.Tensor2D | Mat64): number {
    const d = X instanceof tf.Tensor ? X.shape[1] : X.cols;
    return 1 / Math.sqrt(d);
  }

  /** Fits on a tf.Tensor2D (float32, copied to Float64) or directly on a Float64 `Mat64` (exact input). */
  async fit(X: tf.Tensor2D | Mat64, opts: FitOptions = {}): Promise<this> {
    let D: Mat64;
    if (X instanceof tf.Tensor) {
      this.checkFitInput(X);
      D = { rows: X.shape[0], cols: X.shape[1], data: Float64Array.from(X.dataSync()) };
    } else {
      if (!X || !(X.data instanceof Float64Array) || X.data.length !== X.rows * X.cols || X.rows < 1 || X.cols < 1) throw new InputError('RobustPCA.fit: X must be a tf.Tensor2D or a Mat64 {rows, cols, data: Float64Array}');
      for (let i = 0; i < X.data.length; i++) if (!Number.isFinite(X.data[i])) throw new InputError(`RobustPCA.fit: non-finite value at flat index ${i}`);
      D = X;
      this.nFeatures = X.cols;
    }
    this.solve(D, opts);
    this._fitted = true;
    return this;
  }

  private solve(D: Mat64, opts: FitOptions): void {
    const t0 = Date.now();
    const { rows: m, cols: n, data: d } = D;
    const N = m * n, p = Math.min(m, n);
    const P = this.params;
    const lambda = P.lambda ?? 1 / Math.sqrt(Math.max(m, n));
    this.lambda = lambda;
    const rng = new Rng(P.seed);
    const dnorm = frobenius64(d);
    this.history = { epochs: [], outer: [], seconds: 0 } as typeof this.history;
    if (dnorm === 0) {
      this.L64 = { rows: m, cols: n, data: new Float64Array(N) }; this.S64 = { rows: m, cols: n, data: new Float64Array(N) };
      this.rank = 0; this.iterations = 0; this.history.stopped = 'converged'; this.V = { rows: n, cols: 0, data: new Float64Array(0) };
      return;
    }
    const norm2 = spectralNorm64(D, rng.fork('norm'));
    let normInf = 0;
    for (let i = 0; i < N; i++) normInf = Math.max(normInf, Math.abs(d[i]));
    const dual = Math.max(norm2, normInf / lambda);
    const Y = new Float64Array(N);
    for (let i = 0; i < N; i++) Y[i] = d[i] / dual;
    const A = new Float64Array(N), E = new Float64Array(N), M = new Float64Array(N);
    let mu = P.mu0 ?? 1.25 / norm2;
    const muBar = mu * P.muMaxFactor;
    let sv = Math.min(10, p);
    let V: Mat64 | undefined;
    let svp = 0;
    let s = new Float64Array(0);
    const progress = opts.progress ? new Progress(P.maxIter, opts.label ?? 'RobustPCA (iterations, up to maxIter)') : null;
    let stopped = 'max-iterations';
    let iter = 0;
    const useNative = P.native && native64Available();
    // Records the iteration, grows mu; true when converged.
    const done = (residual: number, dE2: number, nnz: number, ti: number): boolean => {
      const rec: RpcaRecord = { iter, c1: residual, c2: Math.sqrt(dE2) / dnorm, seconds: (Date.now() - ti) / 1000, rank: svp, mu, sv, nnzS: nnz };
      this.history.outer.push(rec);
      opts.onOuter?.(rec);
      progress?.tick({ residual: residual.toExponential(2), rank: svp });
      mu = Math.min(mu * P.rho, muBar);
      if (residual < P.tol) { stopped = 'converged'; return true; }
      return false;
    };
    while (iter < P.maxIter) {
      iter++;
      const ti = Date.now();
      const inv = 1 / mu, thr = lambda / mu;
      let nnz = 0, dE2 = 0;
      // S-step: E = shrink(D - A + Y/mu, lambda/mu); then M = D - E + Y/mu for the L-step.
      for (let i = 0; i < N; i++) {
        const t = d[i] - A[i] + Y[i] * inv;
        const e = t > thr ? t - thr : t < -thr ? t + thr : 0;
        if (e !== 0) nnz++;
        dE2 += (e - E[i]) * (e - E[i]);
        E[i] = e;
        M[i] = d[i] - e + Y[i] * inv;
      }
      // L-step: singular value thresholding at 1/mu with the MATLAB code's rank prediction.
      if (useNative) {
        // Double-precision TensorFlow kernels (src/linalg/native64.ts): A = SVT(M) directly.
        const r = svt64n(M, m, n, inv, sv, { oversample: Math.max(5, Math.ceil(0.1 * sv)), start: V ? { data: V.data, cols: V.cols } : undefined, random: () => rng.uniform(), out: A, denseFraction: P.denseFraction });
        svp = r.svp;
        sv = svp < sv ? Math.min(svp + 1, p) : Math.min(svp + Math.round(0.05 * p), p);
        V = { rows: n, cols: r.vCols, data: r.V };
        s = r.s;
      } else {
        const svd = randomizedSvd64({ rows: m, cols: n, data: M }, sv, {
          oversample: Math.max(5, Math.ceil(0.1 * sv)), powerIterations: V ? P.powerIterations : Math.max(3, P.powerIterations), start: V, rng,
        });
        const kk = svd.s.length;
        svp = 0;
        while (svp < Math.min(sv, kk) && svd.s[svp] > inv) svp++;
        sv = svp < sv ? Math.min(svp + 1, p) : Math.min(svp + Math.round(0.05 * p), p);
        V = svd.V;
        s = svd.s;
        // A = U(:, 1:svp) diag(s - 1/mu) Vt(1:svp, :) = W Vk^T with W = U(:, 1:svp) diag(s - 1/mu) (m x svp) and
        // Vk = V(:, 1:svp) (n x svp): one register-blocked Float64 product written into A.
        const U = svd.U.data, Vd = svd.V.data;
        const W = new Float64Array(m * svp), Vk = new Float64Array(n * svp);
        for (let i = 0; i < m; i++) for (let j = 0; j < svp; j++) W[i * svp + j] = U[i * kk + j] * (s[j] - inv);
        for (let i = 0; i < n; i++) for (let j = 0; j < svp; j++) Vk[i * svp + j] = Vd[i * kk + j];
        if (svp > 0) gemmNT(W, m, svp, Vk, n, A); else A.fill(0);
      }
      // Dual update Y += mu (D - A - E), fused with the residual of the stopping rule.
      let z2 = 0;
      for (let i = 0; i < N; i++) {
        const z = d[i] - A[i] - E[i];
        z2 += z * z;
        Y[i] += mu * z;
      }
      if (done(Math.sqrt(z2) / dnorm, dE2, nnz, ti)) break;
    }
    progress?.done();
    this.iterations = iter;
    this.rank = svp;
    // Singular values of L = thresholded singular values of the last SVT.
    const lastInv = 1 / this.history.outer[iter - 1].mu;
    this.singularValues = Float64Array.from(s.subarray(0, svp), (x) => x - lastInv);
    // Keep the top-svp right singular vectors (n x svp) of L for reconstruct().
    const kk = V!.cols, Vk = new Float64Array(n * svp);
    for (let i = 0; i < n; i++) for (let j = 0; j < svp; j++) Vk[i * svp + j] = V!.data[i * kk + j];
    this.V = { rows: n, cols: svp, data: Vk };
    this.L64 = { rows: m, cols: n, data: A };
    this.S64 = { rows: m, cols: n, data: E };
    this.history.stopped = stopped;
    this.history.seconds = (Date.now() - t0) / 1000;
  }

  /** The fitted L (low rank) and S (sparse), float32 tensors (caller disposes). Float64 copies: L64, S64. */
  decompose(): Decomposition {
    this.checkFitted('decompose');
    const { rows, cols } = this.L64!;
    return { L: tf.tensor2d(Float32Array.from(this.L64!.data), [rows, cols]), S: tf.tensor2d(Float32Array.from(this.S64!.data), [rows, cols]) };
  }

  /** Codes of new rows in the learned row space of L: X V (n x rank; V = the top right singular vectors of L). */
  transform(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'transform');
    const V = this.V!;
    if (V.cols === 0) return tf.zeros([X.shape[0], 0]) as tf.Tensor2D;
    return tf.tidy(() => tf.matMul(X, tf.tensor2d(Float32Array.from(V.data), [V.rows, V.cols])));
  }

  /** Projects new rows onto the learned row space of L: X V V^T (no sparse part; see the header). */
  reconstruct(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'reconstruct');
    const V = this.V!;
    if (V.cols === 0) return tf.zerosLike(X);
    return tf.tidy(() => {
      const Vt = tf.tensor2d(Float32Array.from(V.data), [V.rows, V.cols]);
      return tf.matMul(tf.matMul(X, Vt), Vt, false, true);
    });
  }

  dispose(): void {
    this.L64 = null; this.S64 = null; this.V = null;
    this._fitted = false;
  }
}
