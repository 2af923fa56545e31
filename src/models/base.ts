/**
 * One interface for every model in the library (scikit-learn / PyOD spirit).
 *
 * Rows are samples: X is n x d. A robust model splits the data it was fitted on into X = L + S (L: the clean,
 * low-dimensional part; S: the sparse corruption / outliers) without ever seeing clean data.
 *
 *   const m = new RobustDeepAutoencoder({ layers: [784, 200], lambda: 0.1 });
 *   await m.fit(X);                       // corrupted data only
 *   const { L, S } = m.decompose();       // on the data it was fitted to (caller disposes)
 *   const Lnew = m.reconstruct(Xnew);     // new data through the learned map
 *   m.history                             // losses, c1 / c2, timings
 *   m.dispose();
 *
 * Learned state is exposed as read-only properties after fitting (weights, S, the code Z, ...). Tensors returned
 * by methods belong to the caller (dispose them); tensors held as properties belong to the model (disposed by
 * `dispose()`).
 *
 * The contract every model keeps (checked for each entry of src/models/registry.ts by
 * test/models/conformance.test.ts): an unknown option is an InputError naming it; bad input (not a matrix, NaN,
 * empty, the wrong width) is an InputError; every capability (transform / reconstruct / decompose / sample /
 * asDetector) throws "call fit() first" before fit and after dispose; fit returns this; the same seed gives the
 * same result; dispose() is idempotent and repeated fit + dispose leaves no tensors behind. Outlier scores go
 * through one interface, OutlierDetector (./detector.ts).
 */
import { tf } from '../backend';
import { InputError, assertMatrix } from '../validate';

export interface Decomposition { L: tf.Tensor2D; S: tf.Tensor2D }

export type { EpochRecord, OuterRecord, TrainingHistory } from '../records';
import type { EpochRecord, OuterRecord, TrainingHistory } from '../records';

export function emptyHistory(): TrainingHistory { return { epochs: [], outer: [], seconds: 0 }; }

export interface ProgressOptions {
  /** Show a progress bar with ETA (terminal and notebook). Default true when the total work is over ~2 s. */
  progress?: boolean;
  /** Label of the progress bar. */
  label?: string;
}

export interface FitOptions extends ProgressOptions {
  /** Called after each epoch (inner epoch for alternating solvers). Return false to stop early. */
  onEpoch?: (r: EpochRecord) => void | boolean;
  /** Called after each outer iteration of an alternating solver, with that iteration's L (reconstruction) and S
   *  where the solver has them (owned by the solver: read them inside the callback, do not keep or dispose them). */
  onOuter?: (r: OuterRecord, state?: { L: tf.Tensor2D; S: tf.Tensor2D }) => void;
}

export interface Estimator {
  /** The options the model was built with, defaults filled in. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly fitted: boolean;
  readonly history: TrainingHistory;
  fit(X: tf.Tensor2D, opts?: FitOptions): Promise<this>;
  dispose(): void;
}

/** Maps new data through the learned encoder to features / codes. */
export interface Transformer extends Estimator { transform(X: tf.Tensor2D): tf.Tensor2D }
/** Maps new data through the learned map back to data space. */
export interface Reconstructor extends Estimator { reconstruct(X: tf.Tensor2D): tf.Tensor2D }
/** Splits the fitted data into X = L + S. */
export interface RobustModel extends Reconstructor { decompose(): Decomposition }
/** Draws new samples from the learned distribution (prior through the decoder). */
export interface Generative { sample(n: number, seed?: number): tf.Tensor2D }

/** Common plumbing: parameter bookkeeping, fitted checks, input validation, disposal of owned tensors. */
export abstract class BaseModel<P extends object> implements Estimator {
  readonly params: Readonly<P & Record<string, unknown>>;
  history: TrainingHistory = emptyHistory();
  protected _fitted = false;
  /** Number of columns seen at fit time. */
  nFeatures = 0;

  constructor(defaults: P, opts: Partial<P> = {}) {
    for (const k of Object.keys(opts)) {
      if (!(k in defaults)) throw new InputError(`${this.constructor.name}: unknown option "${k}"; known options: ${Object.keys(defaults).join(', ')}`);
    }
    const merged = { ...defaults } as Record<string, unknown>;
    for (const [k, v] of Object.entries(opts)) if (v !== undefined) merged[k] = v;
    this.params = Object.freeze(merged) as Readonly<P & Record<string, unknown>>;
  }

  get fitted(): boolean { return this._fitted; }

  abstract fit(X: tf.Tensor2D, opts?: FitOptions): Promise<this>;
  abstract dispose(): void;

  protected checkFitted(method: string): void {
    if (!this._fitted) throw new InputError(`${this.constructor.name}.${method}: call fit() first`);
  }

  /** Validates fit() input: a finite matrix; remembers its width. */
  protected checkFitInput(X: unknown, name = 'X'): asserts X is tf.Tensor2D {
    assertMatrix(X, `${this.constructor.name}.fit: ${name}`);
    this.nFeatures = (X as tf.Tensor2D).shape[1];
  }

  /** Validates input of transform / reconstruct: same width as at fit time. */
  protected checkInput(X: unknown, method: string): asserts X is tf.Tensor2D {
    this.checkFitted(method);
    assertMatrix(X, `${this.constructor.name}.${method}: X`, { cols: this.nFeatures });
  }
}

/** Disposes any tensors in a (possibly nested) value; ignores everything else. */
export function disposeAll(...xs: unknown[]): void {
  for (const x of xs) {
    if (!x) continue;
    if (x instanceof tf.Tensor || x instanceof tf.Variable) { if (!x.isDisposed) x.dispose(); }
    else if (Array.isArray(x)) disposeAll(...x);
    else if (typeof x === 'object' && (x as object).constructor === Object) disposeAll(...Object.values(x as object));
  }
}
