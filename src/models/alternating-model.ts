/**
 * The model side of the alternating robust solver (src/train/alternating.ts): the state and plumbing shared by
 * every model that splits X = L + S by alternating inner training and a prox step (RDA, Zhou & Paffenroth 2017;
 * RVAE, Ren et al. 2020). A subclass builds its inner model and calls `runAlternating`; L, S, the prox threshold,
 * the objective trace and the history are stored here the same way for all of them.
 */
import { tf } from '../backend';
import { BaseModel, Decomposition, FitOptions, OuterRecord, RobustModel } from './base';
import { fitAlternating, InnerModel, LambdaConvention, ObjectivePoint, Penalty, PenaltyName, StopRule } from '../train/alternating';

/** The solver settings every alternating model carries among its options. */
export interface AlternatingParams {
  lambda: number;
  lambdaConvention: LambdaConvention;
  outer: number;
  innerEpochs: number;
  tol: number;
  stopRule: StopRule;
  traceObjective: boolean;
}

export abstract class AlternatingRobustModel<P extends AlternatingParams> extends BaseModel<P> implements RobustModel {
  /** L = inner model's reconstruction of X - S after the last outer iteration (owned by the model). */
  L: tf.Tensor2D | null = null;
  /** The sparse part S = prox(X - L) (owned by the model). */
  S: tf.Tensor2D | null = null;
  /** Fig. 7's trace (Zhou & Paffenroth): objective after each inner epoch and (prox = 1) after each prox step. */
  objective: ObjectivePoint[] = [];
  /** The prox threshold actually used (lambda in the paper's units). */
  threshold = NaN;

  abstract reconstruct(X: tf.Tensor2D): tf.Tensor2D;

  /** Runs the alternating solver on X with this model's settings and stores L, S, the trace and the history. */
  protected async runAlternating(X: tf.Tensor2D, inner: InnerModel, penalty: PenaltyName | Penalty, opts: FitOptions, label: string): Promise<void> {
    const p = this.params;
    const res = await fitAlternating({
      X, inner, penalty, lambda: p.lambda, lambdaConvention: p.lambdaConvention,
      outer: p.outer, innerEpochs: p.innerEpochs, tol: p.tol, stopRule: p.stopRule, traceObjective: p.traceObjective,
      onEpoch: opts.onEpoch, onOuter: opts.onOuter ? (r: OuterRecord, state: { L: tf.Tensor2D; S: tf.Tensor2D }) => opts.onOuter!(r, state) : undefined,
      progress: opts.progress, label: opts.label ?? label,
    });
    this.L = res.L;
    this.S = res.S;
    this.threshold = res.history.threshold;
    this.objective = res.history.objective;
    this.history = { epochs: res.history.epochs, outer: res.history.outer, seconds: res.history.seconds, stopped: res.history.stopped };
    this._fitted = true;
  }

  /** { L, S } of the fitted data (copies; caller disposes). */
  decompose(): Decomposition {
    this.checkFitted('decompose');
    return { L: this.L!.clone(), S: this.S!.clone() };
  }

  /** Disposes L and S. */
  protected releaseParts(): void {
    for (const t of [this.L, this.S]) if (t && !t.isDisposed) t.dispose();
    this.L = this.S = null;
  }
}
