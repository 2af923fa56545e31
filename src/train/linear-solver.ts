/**
 * The full-batch gradient solver shared by the linear models of Li, Mehta, Qian & Sun (2020) (factorization and
 * linear autoencoder, src/models/factorization.ts and linear-ae.ts): k independent problems of one shape at once,
 * Adam as a CompiledStep (one TensorFlow graph per step on tfjs-node), plain SGD, or normalised subgradient steps.
 */
import { tf } from '../backend';
import { CompiledStep } from './compile';
import { Rng } from '../random';
import { Progress } from '../progress';
import { InputError, assertInt, assertOneOf, assertPositive } from '../validate';

export type LinearLoss = 'l2' | 'l1';
export type LinearOptimizer = 'adam' | 'sgd' | 'subgradient';

/** Options shared by the linear autoencoder and the linear factorization solvers. */
export interface LinearSolverOptions {
  /** 'l2': squared Frobenius loss (PCA); 'l1': entrywise absolute loss (robust). */
  loss: LinearLoss;
  /**
   * 'adam'; 'sgd' (plain (sub)gradient steps of size learningRate on the mean loss); 'subgradient': normalised
   * subgradient steps x <- x - lr * g / ||g||_F (joint norm over all factors of one problem), the method of
   * Charisopoulos et al. (2019), whom Li et al. cite for robust factorization; use it with geometric decay
   * (decayEvery = 1, decayFactor = q < 1).
   */
  optimizer: LinearOptimizer;
  /** Initial learning rate (on data scaled to unit RMS). */
  learningRate: number;
  /** Number of full-batch gradient steps. */
  iterations: number;
  /** Multiply the learning rate by `decayFactor` every `decayEvery` steps (0 = never). Li et al. Sec. 3.1 use x0.1 steps. */
  decayEvery: number;
  decayFactor: number;
  /** Standard deviation of the random initial factors is initScale * p^(-1/4) (so the initial product has entries ~ initScale^2). */
  initScale: number;
  /** Subtract the column means before fitting (PCA convention; the paper assumes zero-centred data). */
  center: boolean;
  /** Record the loss every this many steps (each record costs a GPU/CPU sync). */
  logEvery: number;
  seed: number;
  /**
   * Adam only: run each step as one compiled TensorFlow graph (src/train/compile.ts) on the native backend
   * (default true); false: the same step eagerly (tfjs autodiff, the same Adam kernel). 'sgd' and 'subgradient'
   * steps are eager either way.
   */
  compiledStep: boolean;
}

export const LINEAR_SOLVER_DEFAULTS: LinearSolverOptions = {
  loss: 'l2',
  optimizer: 'adam',
  learningRate: 0.01,
  iterations: 3000,
  decayEvery: 1000,
  decayFactor: 0.1,
  initScale: 0.1,
  center: false,
  logEvery: 100,
  seed: 0,
  compiledStep: true,
};

export function validateSolverOptions(o: LinearSolverOptions, who: string): void {
  assertOneOf(o.loss, `${who}: loss`, ['l1', 'l2'] as const);
  assertOneOf(o.optimizer, `${who}: optimizer`, ['adam', 'sgd', 'subgradient'] as const);
  assertPositive(o.learningRate, `${who}: learningRate`);
  assertInt(o.iterations, `${who}: iterations`, 1);
  assertInt(o.decayEvery, `${who}: decayEvery`, 0);
  assertPositive(o.decayFactor, `${who}: decayFactor`);
  assertPositive(o.initScale, `${who}: initScale`);
  assertInt(o.logEvery, `${who}: logEvery`, 1);
  if (typeof o.compiledStep !== 'boolean') throw new InputError(`${who}: compiledStep must be true or false, got ${String(o.compiledStep)}`);
}

/** Per-problem mean loss of a residual [k, m, n] -> [k]. */
export function residualLoss(R: tf.Tensor, loss: LinearLoss): tf.Tensor1D {
  const axes = R.shape.slice(1).map((_, i) => i + 1);
  return (loss === 'l1' ? tf.mean(tf.abs(R), axes) : tf.mean(tf.square(R), axes)) as tf.Tensor1D;
}

/** The learning rate at step t (0-based) under step decay. */
export function learningRateAt(o: Pick<LinearSolverOptions, 'learningRate' | 'decayEvery' | 'decayFactor'>, t: number): number {
  return o.decayEvery > 0 ? o.learningRate * Math.pow(o.decayFactor, Math.floor(t / o.decayEvery)) : o.learningRate;
}

/** Per-problem RMS scale of a [k, m, n] batch (1 for an all-zero problem), shape [k, 1, 1]. */
export function rmsScale(X: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const s = tf.sqrt(tf.mean(tf.square(X), [1, 2], true));
    return tf.where(tf.greater(s, 0), s, tf.onesLike(s)) as tf.Tensor3D;
  });
}

export interface SolverRun {
  /** Loss (on the scaled data) every logEvery steps and at the end. */
  losses: { iter: number; loss: number[] }[];
  seconds: number;
}

/** The solver's loss: sum over the k problems of each one's mean loss (they do not interact), on the data inputs. */
export function solverLoss(residual: (data: tf.Tensor[]) => tf.Tensor, loss: LinearLoss): (data: tf.Tensor[]) => tf.Scalar {
  return (data) => tf.sum(residualLoss(residual(data), loss)) as tf.Scalar;
}

/**
 * Runs `iterations` full-batch steps on `vars` minimising sum_k loss_k (independent problems).
 * `residual(data)` must return the [k, m, n] residual of the current variables on the data tensors `data` (the
 * compiled step takes them as its inputs: a step may only read its inputs, tf.Variables and what it makes itself).
 */
export async function runSolver(
  vars: tf.Variable[], data: tf.Tensor[], residual: (data: tf.Tensor[]) => tf.Tensor, o: LinearSolverOptions, label: string, progress?: boolean,
): Promise<SolverRun> {
  const t0 = Date.now();
  const total = solverLoss(residual, o.loss);
  const adam = o.optimizer === 'adam'
    ? new CompiledStep(total, vars, { learningRate: o.learningRate, readback: 'deferred', compile: o.compiledStep, label })
    : null;
  const sgd = o.optimizer === 'sgd' ? tf.train.sgd(o.learningRate) : null;
  const normalizedStep = (lr: number) => tf.tidy(() => {
    const { grads } = tf.variableGrads(() => total(data), vars);
    const gs = vars.map((v) => grads[v.name]);
    // per-problem joint norm: sum over every axis but the first
    const sq = tf.addN(gs.map((g) => tf.sum(tf.square(g), g.shape.slice(1).map((_, i) => i + 1))));
    const inv = tf.div(lr, tf.add(tf.sqrt(sq), 1e-30));
    vars.forEach((v, i) => v.assign(tf.sub(v, tf.mul(gs[i], tf.reshape(inv, [inv.shape[0], ...new Array(v.rank - 1).fill(1)])))));
  });
  const losses: SolverRun['losses'] = [];
  const bar = new Progress(o.iterations, label, { enabled: progress ?? o.iterations * vars[0].size > 2e8 });
  try {
    for (let t = 0; t < o.iterations; t++) {
      const lr = learningRateAt(o, t);
      const log = (t + 1) % o.logEvery === 0 || t === o.iterations - 1;
      if (adam) {
        adam.learningRate = lr;
        adam.step(data).dispose();
        if (log) adam.syncOut(); // the loss below reads the tf.Variables
      } else if (sgd) {
        sgd.setLearningRate(lr);
        tf.tidy(() => { sgd.minimize(() => total(data), false, vars); });
      } else normalizedStep(lr);
      const per = log ? tf.tidy(() => residualLoss(residual(data), o.loss)) : null;
      if (per) {
        const v = Array.from(await per.data());
        per.dispose();
        if (v.some((x) => !Number.isFinite(x))) throw new Error(`${label}: loss became non-finite at step ${t + 1} (learning rate too high?)`);
        losses.push({ iter: t + 1, loss: v });
        bar.tick({ loss: v[0] }, t + 1 - bar.done_);
      }
    }
  } finally {
    adam?.dispose(); // copies the graph's weights into the tf.Variables first
    sgd?.dispose();
    bar.done();
  }
  return { losses, seconds: (Date.now() - t0) / 1000 };
}

let varCounter = 0;
export function randomFactor(shape: number[], std: number, rng: Rng, name: string): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  const init = tf.tensor(rng.normalArray(size, 0, std), shape, 'float32');
  const v = tf.variable(init, true, `${name}_${rng.nextUint32()}_${varCounter++}`);
  init.dispose(); // tf.variable keeps its own copy
  return v;
}

/** Column means of each problem, [k, 1, n] (zeros when not centring). */
export function columnMeans(X: tf.Tensor3D, center: boolean): tf.Tensor3D {
  return tf.tidy(() => (center ? tf.mean(X, 1, true) : tf.zeros([X.shape[0], 1, X.shape[2]])) as tf.Tensor3D);
}

export function stripUndefined<T extends object>(o: T): T {
  const out = {} as Record<string, unknown>;
  for (const [key, v] of Object.entries(o)) if (v !== undefined) out[key] = v;
  return out as T;
}
