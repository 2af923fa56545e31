/**
 * Robust Deep Autoencoder (RDA), Zhou & Paffenroth, "Anomaly Detection with Robust Deep Autoencoders", KDD 2017.
 *
 *   min_theta,S  ||L - D(E(L))||_F^2 + lambda P(S)   s.t.  X = L + S                               (eq. 7, 9, 10)
 *
 * P = ||S||_1 (Sec. 3.1, element-wise noise), ||S||_2,1 over columns (eq. 9, corrupted features) or over rows
 * (eq. 10, ||S^T||_2,1: outlying instances). Solved by the alternating algorithm of Sec. 4.1 (train the deep AE
 * on L = X - S, L = D(E(L)), S = prox(X - L)), implemented once in `src/train/alternating.ts`; this class is that
 * solver with a `DeepAutoencoder` (sigmoid layers, tied weights, Sec. 5.1) as the inner model.
 *
 * lambda conventions (option `lambdaConvention`, see alternating.ts):
 *   'paper'      threshold t = lambda (eq. 11-12 as printed);
 *   'code-l1'    t = lambda / mu, mu = X.size / (4 * largest column sum of |X|) (authors' l1 RDA code);
 *   'code-l21-n' t = lambda * N (authors' outlier notebook: lambda_ = lam * N, lam = 1e-4..1.5e-3).
 *
 *   const rda = new RobustDeepAutoencoder({ layers: [784, 400, 200], penalty: 'l21-rows', lambda: 0.00065,
 *                                           lambdaConvention: 'code-l21-n', outer: 20, innerEpochs: 50 });
 *   await rda.fit(X);
 *   rda.S, rda.L                 // the split of the fitted data (owned by the model)
 *   rda.outlierRows()            // rows of S that are not all zero (Sec. 5.3's prediction)
 *   const det = rda.asDetector() // l2,1 (rows) only: scores NEW rows, ||x - D(E(x))||_2 > threshold (see detector.ts)
 *   rda.features()               // hidden layer of X - S (the authors' transform), the Fig. 2 features
 *   rda.history.outer            // c1, c2 (paper), c2code (authors' scaled c2) per outer iteration
 *   rda.objective                // Fig. 7's objective after each inner epoch and each prox step
 */
import { tf } from '../backend';
import { mapBatches } from '../batches';
import { FitOptions, Transformer } from './base';
import { AlternatingRobustModel } from './alternating-model';
import { DeepAutoencoder, DEEP_AE_DEFAULTS, DeepAutoencoderOptions } from './autoencoder';
import {
  InnerModel, LambdaConvention, Penalty, PenaltyName, penaltyOf, StopRule,
} from '../train/alternating';
import { assertInt, assertNonNegative, InputError } from '../validate';
import { reconstructionErrorDetector, type DetectorThresholdOptions, type ScoreDetector } from './detector';

export interface RdaOptions extends DeepAutoencoderOptions {
  penalty: PenaltyName | Penalty;
  lambda: number;
  lambdaConvention: LambdaConvention;
  /** Outer iterations (max). Authors' code: 20. */
  outer: number;
  /** Inner AE epochs per outer iteration. Authors' outlier code: 50; Fig. 7: 5. */
  innerEpochs: number;
  tol: number;
  stopRule: StopRule;
  /** Record the objective after every inner epoch (Fig. 7); one extra forward pass each. */
  traceObjective: boolean;
}

export const RDA_DEFAULTS: RdaOptions = {
  ...DEEP_AE_DEFAULTS,
  penalty: 'l1',
  lambda: 1,
  lambdaConvention: 'paper',
  outer: 20, // authors' code
  innerEpochs: 50, // authors' code
  tol: 1e-7, // authors' code
  stopRule: 'code',
  traceObjective: true,
};

export class RobustDeepAutoencoder extends AlternatingRobustModel<RdaOptions> implements Transformer {
  /** The inner deep autoencoder (its weights after the last outer iteration). */
  ae: DeepAutoencoder | null = null;
  private Xfit: tf.Tensor2D | null = null;

  constructor(opts: Partial<RdaOptions> = {}) {
    super(RDA_DEFAULTS, opts);
    penaltyOf(this.params.penalty);
    assertNonNegative(this.params.lambda, 'lambda');
    assertInt(this.params.outer, 'outer', 1);
    assertInt(this.params.innerEpochs, 'innerEpochs', 0);
  }

  private aeOptions(): Partial<DeepAutoencoderOptions> {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(DEEP_AE_DEFAULTS)) o[k] = (this.params as Record<string, unknown>)[k];
    return o as Partial<DeepAutoencoderOptions>;
  }

  async fit(X: tf.Tensor2D, opts: FitOptions = {}): Promise<this> {
    this.checkFitInput(X);
    if (X.shape[1] !== this.params.layers[0]) throw new InputError(`RobustDeepAutoencoder.fit: X must have ${this.params.layers[0]} columns (layers[0]), got shape [${X.shape}]`);
    this.release();
    this.ae = new DeepAutoencoder(this.aeOptions());
    const p = this.params;
    const ae = this.ae;
    // The solver's inner model: the autoencoder's forward pass, usable before its first epoch (innerEpochs 0).
    const inner: InnerModel = {
      trainOn: (L, epochs, ctx) => ae.trainOn(L, epochs, ctx),
      reconstruct: (L) => mapBatches(L, p.predictBatch, (xb) => ae.forward(xb as tf.Tensor2D)) as tf.Tensor2D,
      dataFit: (L) => ae.dataFit(L),
    };
    await this.runAlternating(X, inner, p.penalty, opts, `RDA ${penaltyOf(p.penalty).name} lambda=${p.lambda}`);
    this.Xfit = X.clone();
    return this;
  }

  /** D(E(X)) for new data through the learned autoencoder (caller disposes). */
  reconstruct(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'reconstruct');
    return this.innerMap(X, (xb) => this.ae!.forward(xb));
  }

  /** The innermost hidden layer E(X) of new data (caller disposes). */
  transform(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'transform');
    return this.innerMap(X, (xb) => this.ae!.encode(xb));
  }

  /** Hidden-layer features of the fitted data with S removed, E(X - S) (the authors' RDAE.transform). */
  features(): tf.Tensor2D {
    this.checkFitted('features');
    const Lc = tf.sub(this.Xfit!, this.S!) as tf.Tensor2D;
    try { return this.innerMap(Lc, (xb) => this.ae!.encode(xb)); } finally { Lc.dispose(); }
  }

  /** Per-row flag: 1 where the row of S is not all zero (the predicted outliers of Sec. 5.3). */
  outlierRows(): Uint8Array {
    this.checkFitted('outlierRows');
    const t = tf.tidy(() => tf.any(tf.notEqual(this.S!, 0), 1));
    const d = t.dataSync();
    t.dispose();
    return Uint8Array.from(d, (x) => (x ? 1 : 0));
  }

  /** Per-row l2 norm of S (a continuous outlier score). */
  rowNormsOfS(): Float32Array {
    this.checkFitted('rowNormsOfS');
    const t = tf.tidy(() => tf.sqrt(tf.sum(tf.square(this.S!), 1)));
    const d = t.dataSync() as Float32Array;
    t.dispose();
    return Float32Array.from(d);
  }

  /**
   * The fitted l2,1 (rows) RDA as an outlier detector for new rows (our extension; see src/models/detector.ts):
   * score(x) = ||x - D(E(x))||_2, the row norm the model's prox thresholds, and threshold = the fitted prox
   * threshold `this.threshold` (so predict(x) = 1 iff the prox would give x a non-zero row of S), or, with
   * `contamination`, the (1 - c) quantile of the training rows' scores. A view on this model: it throws once the
   * model is refit or disposed.
   */
  asDetector(opts: Pick<DetectorThresholdOptions, 'contamination'> = {}): ScoreDetector {
    this.checkFitted('asDetector');
    const pen = penaltyOf(this.params.penalty);
    if (pen !== penaltyOf('l21-rows')) throw new InputError(`RobustDeepAutoencoder.asDetector: needs penalty 'l21-rows' (one group per row), this model has '${pen.name}'; for other models use reconstructionErrorDetector(model, X) with a contamination`);
    for (const k of Object.keys(opts)) if (k !== 'contamination') throw new InputError(`RobustDeepAutoencoder.asDetector: unknown option "${k}"; known: contamination`);
    const ae = this.ae;
    return reconstructionErrorDetector(this, this.Xfit!, {
      name: 'l2,1 RDA', contamination: opts.contamination, defaultThreshold: this.threshold,
      isCurrent: () => this.fitted && this.ae === ae,
    });
  }

  /** fn over row blocks of X through the inner autoencoder (trained by the solver, possibly for 0 epochs). */
  private innerMap(X: tf.Tensor2D, fn: (xb: tf.Tensor2D) => tf.Tensor2D): tf.Tensor2D {
    return mapBatches(X, this.params.predictBatch, (xb) => fn(xb as tf.Tensor2D)) as tf.Tensor2D;
  }

  private release(): void {
    this.releaseParts();
    if (this.Xfit && !this.Xfit.isDisposed) this.Xfit.dispose();
    this.Xfit = null;
    this.ae?.dispose();
    this.ae = null;
  }

  dispose(): void { this.release(); this._fitted = false; }
}
