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
