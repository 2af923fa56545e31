/**
 * Fused training kernels for the native TensorFlow backend (tfjs-node).
 *
 * Why: tfjs' own `tf.train.adam` dispatches ~15 small kernels per variable per step through the tfjs engine
 * (each with JS bookkeeping), so on the MLP autoencoder 784-512-256-49-256-512-784 the Adam update alone took
 * ~15 ms of a ~33 ms step (../shared/REFERENCE.md, "Performance facts"). TensorFlow has a fused Adam kernel
 * (`ResourceApplyAdam`) that Keras and TF1 use, and tfjs-node's binding can run any TensorFlow op by name. Here
 * each variable's Adam update is ONE `ResourceApplyAdam` on TensorFlow resource variables holding the weight and
 * its two moments, plus one `ReadVariableOp` that hands the new weight back to the tf.Variable.
 *
 * Maths: identical to `tf.train.adam` (tfjs-core 4.22 AdamOptimizer):
 *   m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  w <- w - lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
 * TensorFlow's kernel computes w -= lr_t m / (sqrt(v) + eps') with lr_t = lr sqrt(1-b2^t)/(1-b1^t); the two agree
 * exactly when eps' = eps sqrt(1-b2^t), which is what we pass each step. b1^t, b2^t are accumulated in float32
 * as tfjs does, so the two optimizers differ only by float rounding (test/train/fused.test.ts checks ~1e-6).
 *
 * On other backends (wasm, cpu) `makeFusedAdam` returns the plain `tf.train.adam`.
 */
import { tf, nativeBackend, fusedAvailable, NativeBackend } from '../backend';

export { nativeBackend, fusedAvailable } from '../backend';

/* eslint-disable @typescript-eslint/no-explicit-any */

type NamedTensor = { name: string; tensor: tf.Tensor };

let resourceCounter = 0;

interface Slot { handle: tf.Tensor; m: tf.Tensor; v: tf.Tensor; name: string; last: object | null }

/**
 * Adam as one TensorFlow `ResourceApplyAdam` kernel per variable. Same maths, defaults and slot naming as
 * `tf.train.adam`; usable wherever a `tf.Optimizer` is (minimize / applyGradients / getWeights / setWeights).
 * Needs the native TensorFlow backend (use `makeFusedAdam` to fall back to tf.train.adam elsewhere).
 * Call `dispose()` when done: the TensorFlow resources (weights copy and moments) live outside tfjs' memory count.
 */
export class FusedAdam extends tf.Optimizer {
  static get className(): string { return 'FusedAdam'; }
  /** Read at every step (a schedule may change it, as with tf.train.adam). */
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private readonly be: NativeBackend;
  private readonly slots = new Map<string, Slot>();
  private consts: { lr: tf.Scalar; lrValue: number; b1: tf.Scalar; b2: tf.Scalar } | null = null;
  /** b1^t and b2^t accumulated in float32 as tfjs' Adam does (t = iterations + 1). */
  private acc1: number;
  private acc2: number;
  private disposed = false;

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) {
    super();
    const be = nativeBackend();
    if (!be) throw new Error('FusedAdam needs the native TensorFlow backend (tfjs-node); use makeFusedAdam() to fall back to tf.train.adam');
    this.be = be;
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon ?? tf.backend().epsilon();
    this.acc1 = Math.fround(beta1);
    this.acc2 = Math.fround(beta2);
  }

  private attrT(): unknown { const b = this.be.binding; return { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT }; }
  private attrDtype(): unknown { const b = this.be.binding; return { name: 'dtype', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT }; }

  private newResource(shape: number[]): tf.Tensor {
    const b = this.be.binding;
    const [h] = this.be.executeMultipleOutputs('VarHandleOp', [
      this.attrDtype(),
      { name: 'shape', type: b.TF_ATTR_SHAPE, value: shape },
      { name: 'container', type: b.TF_ATTR_STRING, value: '' },
      { name: 'shared_name', type: b.TF_ATTR_STRING, value: `rml_fused_${process.pid}_${resourceCounter++}` },
    ], [], 1);
    return tf.keep(h);
  }

  private assignResource(handle: tf.Tensor, value: tf.Tensor): void {
    const b = this.be.binding;
    this.be.executeMultipleOutputs('AssignVariableOp', [this.attrDtype(), { name: 'validate_shape', type: b.TF_ATTR_BOOL, value: false }], [handle, value], 0);
  }

  private readResource(handle: tf.Tensor): tf.Tensor {
    return this.be.executeSingleOutput('ReadVariableOp', [this.attrDtype()], [handle]);
  }

  private slotFor(name: string, variable: tf.Variable): Slot {
    let s = this.slots.get(name);
    if (!s) {
      s = { handle: this.newResource(variable.shape), m: this.newResource(variable.shape), v: this.newResource(variable.shape), name, last: null };
      tf.tidy(() => {
        const z = tf.zerosLike(variable);
        this.assignResource(s!.m, z);
        this.assignResource(s!.v, z);
      });
      this.slots.set(name, s);
    }
    return s;
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    if (this.disposed) throw new Error('FusedAdam: used after dispose()');
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const b = this.be.binding;
    if (!this.consts) {
      this.consts = tf.tidy(() => ({ lr: tf.keep(tf.scalar(this.learningRate)), lrValue: this.learningRate, b1: tf.keep(tf.scalar(this.beta1)), b2: tf.keep(tf.scalar(this.beta2)) }));
    } else if (this.consts.lrValue !== this.learningRate) {
      this.consts.lr.dispose();
      this.consts.lr = tf.keep(tf.scalar(this.learningRate));
      this.consts.lrValue = this.learningRate;
    }
    const { lr, b1, b2 } = this.consts;
    const a1 = this.acc1, a2 = this.acc2;
    const attrs = [this.attrT(), { name: 'use_locking', type: b.TF_ATTR_BOOL, value: false }, { name: 'use_nesterov', type: b.TF_ATTR_BOOL, value: false }];
    tf.tidy(() => {
      const b1p = tf.scalar(a1), b2p = tf.scalar(a2);
      // eps' = eps * sqrt(1 - b2^t), with 1 - b2^t rounded to float32 as tfjs' sub(1, accBeta2) does.
      const eps = tf.scalar(this.epsilon * Math.sqrt(Math.fround(1 - a2)));
      names.forEach((name, i) => {
        const variable = tf.engine().registeredVariables[name];
        if (!variable) throw new Error(`FusedAdam: no variable named "${name}"`);
        const grad = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (grad == null) return;
        const s = this.slotFor(name, variable);
        // The tf.Variable may have been assigned elsewhere (re-initialisation, projection): resync the resource.
        if (s.last !== variable.dataId) this.assignResource(s.handle, variable);
        this.be.executeMultipleOutputs('ResourceApplyAdam', attrs, [s.handle, s.m, s.v, b1p, b2p, lr, b1, b2, eps, grad], 0);
        const next = this.readResource(s.handle);
        variable.assign(next);
        s.last = variable.dataId as object;
      });
    });
    this.acc1 = Math.fround(a1 * Math.fround(this.beta1));
    this.acc2 = Math.fround(a2 * Math.fround(this.beta2));
    this.incrementIterations();
  }

  /** [iterations, m of each variable, v of each variable], named `<var>/m`, `<var>/v` as tf.train.adam does. */
  async getWeights(): Promise<NamedTensor[]> {
    const slots = [...this.slots.values()];
    const ms = slots.map((s) => ({ name: `${s.name}/m`, tensor: this.readResource(s.m) }));
    const vs = slots.map((s) => ({ name: `${s.name}/v`, tensor: this.readResource(s.v) }));
    return [await this.saveIterations(), ...ms, ...vs];
  }

  async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const t = this.iterations_ + 1;
    // b^t accumulated in float32 exactly as applyGradients does.
    let a1 = Math.fround(this.beta1), a2 = Math.fround(this.beta2);
    for (let i = 1; i < t; i++) { a1 = Math.fround(a1 * Math.fround(this.beta1)); a2 = Math.fround(a2 * Math.fround(this.beta2)); }
    this.acc1 = a1;
    this.acc2 = a2;
    const k = rest.length / 2;
    for (let i = 0; i < k; i++) {
      const name = rest[i].name.replace(/\/m$/, '');
      const variable = tf.engine().registeredVariables[name];
      if (!variable) throw new Error(`FusedAdam.setWeights: no variable named "${name}"`);
      const s = this.slotFor(name, variable);
      this.assignResource(s.m, rest[i].tensor);
      this.assignResource(s.v, rest[i + k].tensor);
    }
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  /** Frees the TensorFlow resources (weight copies and moments). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const b = this.be.binding;
    for (const s of this.slots.values()) {
      for (const h of [s.handle, s.m, s.v]) {
        try {
          this.be.executeMultipleOutputs('DestroyResourceOp', [{ name: 'ignore_lookup_error', type: b.TF_ATTR_BOOL, value: true }], [h], 0);
        } catch { /* already gone */ }
        h.dispose();
      }
    }
    this.slots.clear();
    if (this.consts) tf.dispose([this.consts.lr, this.consts.b1, this.consts.b2]);
    this.consts = null;
  }
}

/** Adam with the fused TensorFlow kernel on the native backend; `tf.train.adam` elsewhere (wasm, cpu). */
export function makeFusedAdam(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tf.Optimizer {
  return fusedAvailable() ? new FusedAdam(learningRate, beta1, beta2, epsilon ?? null) : tf.train.adam(learningRate, beta1, beta2, epsilon);
}

// ------------------------------------------------------------------------------------------------------------
// A compiled forward-backward for dense stacks (the MLP autoencoders of Zhou & Paffenroth, Ren et al.).
//
// tfjs' autodiff records every op on a tape and replays composite gradients (a sigmoid's gradient is three
// kernels, a bias gradient a Sum plus Reshapes, ...): ~160 kernels for the 6-layer MLP step. Written out by hand
// with TensorFlow's own gradient kernels (SigmoidGrad, BiasAddGrad, MatMul with transpose flags) the same
// step is ~45 kernels: 3 per layer forward, 4 per layer backward, 4 for the loss.

/** Activations the compiled dense step supports (the same names as src/nets/mlp.ts). */
export type FusedActivation = 'linear' | 'sigmoid' | 'relu' | 'tanh' | 'leakyrelu' | 'elu' | 'softplus';
export const FUSED_ACTIVATIONS: readonly FusedActivation[] = ['linear', 'sigmoid', 'relu', 'tanh', 'leakyrelu', 'elu', 'softplus'];

/** One dense layer of the stack: h' = act(h W + b), or act(h W^T + b) with transposeW (tied decoder weights). */
export interface FusedDenseLayer { W: tf.Variable | tf.Tensor; b?: tf.Variable | tf.Tensor; act: FusedActivation; transposeW?: boolean }

/** Reconstruction losses: mean squared error (tf.losses.meanSquaredError) or mean absolute error. */
export type FusedLoss = 'mse' | 'l1';

interface Ops {
  be: NativeBackend;
  T: unknown; fmt: unknown; mm: Record<string, unknown[]>; red: unknown[]; lrelu: unknown[];
}
let opsCache: { be: NativeBackend; ops: Ops } | null = null;
function ops(): Ops {
  const be = nativeBackend();
  if (!be) throw new Error('the compiled dense step needs the native TensorFlow backend');
  if (opsCache && opsCache.be === be) return opsCache.ops;
  const b = be.binding;
  const T = { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT };
  const mm = (ta: boolean, tb: boolean) => [T, { name: 'transpose_a', type: b.TF_ATTR_BOOL, value: ta }, { name: 'transpose_b', type: b.TF_ATTR_BOOL, value: tb }];
  const o: Ops = {
    be, T,
    fmt: { name: 'data_format', type: b.TF_ATTR_STRING, value: 'NHWC' },
    mm: { nn: mm(false, false), nt: mm(false, true), tn: mm(true, false) },
    red: [T, { name: 'Tidx', type: b.TF_ATTR_TYPE, value: b.TF_INT32 }, { name: 'keep_dims', type: b.TF_ATTR_BOOL, value: false }],
    lrelu: [T, { name: 'alpha', type: b.TF_ATTR_FLOAT, value: 0.2 }],
  };
  opsCache = { be, ops: o };
  return o;
}

function varName(t: tf.Tensor): string | null { return t instanceof tf.Variable ? t.name : null; }

/**
 * Loss and gradients of a dense stack, computed with TensorFlow's fused gradient kernels (native backend only).
 * `target` defaults to `x` (an autoencoder). Gradients are keyed by variable name (tied weights are summed), so
 * `optimizer.applyGradients(grads)` works. Same values as `tf.variableGrads` of the tfjs forward pass
 * (test/train/fused.test.ts). The caller disposes `value` and `grads` (or runs this inside tf.tidy).
 */
export function denseLossAndGrads(x: tf.Tensor2D, layers: FusedDenseLayer[], loss: FusedLoss = 'mse', target: tf.Tensor2D = x): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const o = ops();
  const ex = (op: string, attrs: unknown[], ins: tf.Tensor[]) => o.be.executeSingleOutput(op, attrs, ins);
  const T = [o.T];
  const grads: tf.NamedTensorMap = {};
  const addGrad = (t: tf.Tensor, g: tf.Tensor) => {
    const name = varName(t);
    if (!name) return;
    grads[name] = grads[name] ? ex('AddV2', T, [grads[name], g]) : g;
  };
  let value!: tf.Scalar;
  const kept = tf.tidy(() => {
    const hs: tf.Tensor[] = [x];
    const zs: tf.Tensor[] = [];
    let h: tf.Tensor = x;
    for (const l of layers) {
      let z = ex('MatMul', l.transposeW ? o.mm.nt : o.mm.nn, [h, l.W]);
      if (l.b) z = ex('BiasAdd', [o.T, o.fmt], [z, l.b]);
      zs.push(z);
      switch (l.act) {
        case 'linear': h = z; break;
        case 'sigmoid': h = ex('Sigmoid', T, [z]); break;
        case 'relu': h = ex('Relu', T, [z]); break;
        case 'tanh': h = ex('Tanh', T, [z]); break;
        case 'leakyrelu': h = ex('LeakyRelu', o.lrelu, [z]); break;
        case 'elu': h = ex('Elu', T, [z]); break;
        case 'softplus': h = ex('Softplus', T, [z]); break;
        default: throw new Error(`denseLossAndGrads: unsupported activation "${l.act as string}"`);
      }
      hs.push(h);
    }
    const diff = ex('Sub', T, [h, target]);
    const n = diff.size;
    const axes = tf.tensor1d([0, 1], 'int32');
    let dh: tf.Tensor;
    if (loss === 'mse') {
      value = ex('Mean', o.red, [ex('Square', T, [diff]), axes]) as tf.Scalar;
      dh = ex('Mul', T, [diff, tf.scalar(2 / n)]);
    } else if (loss === 'l1') {
      value = ex('Mean', o.red, [ex('Abs', T, [diff]), axes]) as tf.Scalar;
      dh = ex('Mul', T, [ex('Sign', T, [diff]), tf.scalar(1 / n)]);
    } else {
      throw new Error(`denseLossAndGrads: unknown loss "${loss as string}"; use mse or l1`);
    }
    for (let i = layers.length - 1; i >= 0; i--) {
      const l = layers[i];
      let dz: tf.Tensor;
      switch (l.act) {
        case 'linear': dz = dh; break;
        case 'sigmoid': dz = ex('SigmoidGrad', T, [hs[i + 1], dh]); break;
        case 'relu': dz = ex('ReluGrad', T, [dh, hs[i + 1]]); break;
        case 'tanh': dz = ex('TanhGrad', T, [hs[i + 1], dh]); break;
        case 'leakyrelu': dz = ex('LeakyReluGrad', o.lrelu, [dh, zs[i]]); break;
        case 'elu': dz = ex('EluGrad', T, [dh, hs[i + 1]]); break;
        case 'softplus': dz = ex('SoftplusGrad', T, [dh, zs[i]]); break;
        default: throw new Error(`unsupported activation ${l.act as string}`);
      }
      if (l.b) addGrad(l.b, ex('BiasAddGrad', [o.T, o.fmt], [dz]));
      // h' = h W: dW = h^T dz;  h' = h W^T: dW = dz^T h.
      addGrad(l.W, l.transposeW ? ex('MatMul', o.mm.tn, [dz, hs[i]]) : ex('MatMul', o.mm.tn, [hs[i], dz]));
      if (i > 0) dh = ex('MatMul', l.transposeW ? o.mm.nn : o.mm.nt, [dz, l.W]);
    }
    return [value, ...Object.values(grads)];
  });
  void kept;
  return { value, grads };
}

/**
 * One optimizer step of a dense stack: the compiled forward-backward on the native backend, tfjs autodiff
 * elsewhere (same maths). Returns the loss (caller disposes).
 */
export function denseTrainStep(optimizer: tf.Optimizer, x: tf.Tensor2D, layers: FusedDenseLayer[], loss: FusedLoss = 'mse', target: tf.Tensor2D = x): tf.Scalar {
  if (fusedAvailable()) {
    return tf.tidy(() => {
      const { value, grads } = denseLossAndGrads(x, layers, loss, target);
      optimizer.applyGradients(grads);
      return value;
    });
  }
  const vars = layers.flatMap((l) => [l.W, l.b]).filter((v): v is tf.Variable => v instanceof tf.Variable);
  return tf.tidy(() => optimizer.minimize(() => denseForwardLoss(x, layers, loss, target), true, vars) as tf.Scalar);
}

/** The tfjs (autodiff) loss of a dense stack: the reference the compiled step is checked against. */
export function denseForwardLoss(x: tf.Tensor2D, layers: FusedDenseLayer[], loss: FusedLoss = 'mse', target: tf.Tensor2D = x): tf.Scalar {
  let h: tf.Tensor = x;
  for (const l of layers) {
    let z = tf.matMul(h, l.W, false, !!l.transposeW);
    if (l.b) z = tf.add(z, l.b);
    switch (l.act) {
      case 'linear': h = z; break;
      case 'sigmoid': h = tf.sigmoid(z); break;
      case 'relu': h = tf.relu(z); break;
      case 'tanh': h = tf.tanh(z); break;
      case 'leakyrelu': h = tf.leakyRelu(z, 0.2); break;
      case 'elu': h = tf.elu(z); break;
      case 'softplus': h = tf.softplus(z); break;
      default: throw new Error(`unsupported activation ${l.act as string}`);
    }
  }
  return loss === 'mse' ? tf.losses.meanSquaredError(target, h) as tf.Scalar : tf.mean(tf.abs(tf.sub(h, target))) as tf.Scalar;
}

// ------------------------------------------------------------------------------------------------------------
// Batch normalisation in training mode as TensorFlow's fused kernels.
//
// tfjs computes training-mode batch norm as tf.moments + tf.batchNorm, and its gradient as a composite of ~20
// element-wise kernels over the 4-D activations. TensorFlow's FusedBatchNormV3 (is_training = true) computes the
// batch statistics and the normalisation in one pass, and FusedBatchNormGradV3 the three gradients in one
// kernel: what Keras' BatchNormalization runs.

/**
 * y = scale * (x - mean_b) / sqrt(var_b + eps) + offset over the batch statistics of an NHWC tensor (mean and
 * biased variance over N, H, W), with TensorFlow's fused forward and gradient kernels on the native backend and
 * the tfjs composite elsewhere. Returns y plus the batch mean and the biased batch variance (for running
 * averages). Differentiable with respect to x, scale and offset.
 */
export function batchNormTrain(x: tf.Tensor4D, scale: tf.Tensor1D, offset: tf.Tensor1D, epsilon = 1e-3): { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const be = nativeBackend();
  if (!be) {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      const y = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))), scale), offset) as tf.Tensor4D;
      return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
    });
  }
  const b = be.binding;
  const attrs = (training: boolean) => [
    { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
    { name: 'U', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
    { name: 'epsilon', type: b.TF_ATTR_FLOAT, value: epsilon },
    { name: 'exponential_avg_factor', type: b.TF_ATTR_FLOAT, value: 1 },
    { name: 'data_format', type: b.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: b.TF_ATTR_BOOL, value: training },
  ];
  let stats: tf.Tensor[] = [];
  const f = tf.customGrad(((xx: tf.Tensor, ss: tf.Tensor, oo: tf.Tensor, save: tf.GradSaveFunc) => {
    const empty = tf.zeros([0]);
    // Outputs: y, batch_mean, batch_variance (unbiased, for running averages), reserve_space_1 (mean),
    // reserve_space_2 (inverse std or variance, kernel-specific), reserve_space_3.
    const outs = be.executeMultipleOutputs('FusedBatchNormV3', attrs(true), [xx, ss, oo, empty, empty], 6);
    stats = [tf.keep(outs[1]), tf.keep(outs[2])];
    save([xx, ss, outs[3], outs[4], outs[5]]);
    return {
      value: outs[0],
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sscale, r1, r2, r3] = saved;
        const g = be.executeMultipleOutputs('FusedBatchNormGradV3', attrs(true).filter((a: any) => a.name !== 'exponential_avg_factor'), [dy, sx, sscale, r1, r2, r3], 5);
        return [g[0], g[1], g[2]];
      },
    };
  }) as any) as (x: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.Tensor;
  const y = f(x, scale, offset) as tf.Tensor4D;
  // batch_variance is Bessel-corrected (m / (m - 1)); return the biased variance the normalisation used.
  const m = x.shape[0] * x.shape[1] * x.shape[2];
  const variance = tf.tidy(() => tf.mul(stats[1], m > 1 ? (m - 1) / m : 1)) as tf.Tensor1D;
  // The statistics were kept past customGrad's scope; hand out copies owned by the caller's scope instead.
  const mean = stats[0].clone() as tf.Tensor1D;
  tf.dispose(stats);
  return { y, mean, variance };
}

/** tf.leakyRelu with TensorFlow's LeakyRelu / LeakyReluGrad kernels (one kernel each way) on the native backend. */
export function leakyReluFused<T extends tf.Tensor>(x: T, alpha = 0.2): T {
  const be = nativeBackend();
  if (!be) return tf.leakyRelu(x, alpha) as T;
  const b = be.binding;
  const attrs = [{ name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT }, { name: 'alpha', type: b.TF_ATTR_FLOAT, value: alpha }];
  const f = tf.customGrad(((xx: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xx]);
    return {
      value: be.executeSingleOutput('LeakyRelu', attrs, [xx]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => be.executeSingleOutput('LeakyReluGrad', attrs, [dy, saved[0]]),
    };
  }) as any) as (x: tf.Tensor) => tf.Tensor;
  return f(x) as T;
}

/** x + b over the last axis with TensorFlow's BiasAdd / BiasAddGrad kernels on the native backend (tf.add elsewhere). */
export function biasAddFused<T extends tf.Tensor>(x: T, bias: tf.Tensor1D | tf.Variable): T {
  const be = nativeBackend();
  if (!be) return tf.add(x, bias) as T;
  const b = be.binding;
  const attrs = [{ name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT }, { name: 'data_format', type: b.TF_ATTR_STRING, value: 'NHWC' }];
  const f = tf.customGrad(((xx: tf.Tensor, bb: tf.Tensor) => ({
    value: be.executeSingleOutput('BiasAdd', attrs, [xx, bb]),
    gradFunc: (dy: tf.Tensor) => [dy, be.executeSingleOutput('BiasAddGrad', attrs, [dy])],
  })) as any) as (x: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  return f(x, bias) as T;
}
