/**
 * The dense-stack training step (forward, TensorFlow's gradient kernels, Adam) as ONE TensorFlow graph run.
 *
 * Same maths as `denseTrainStep(new FusedAdam(...), ...)` in src/train/fused.ts (which it is tested against):
 * the forward pass h_{k+1} = act(h_k W_k + b_k) (or h_k W_k^T for tied decoder weights), the loss (mean squared
 * or mean absolute error), the hand-written backward pass (SigmoidGrad, BiasAddGrad, MatMul with transpose
 * flags; tied weights' two gradients summed), and one `ResourceApplyAdam` per variable with the tfjs Adam's
 * bias correction (eps' = eps sqrt(1 - b2^t), b^t accumulated in float32). Built once per network with
 * src/train/graph.ts and run as a single `TF_SessionRun` per step, so TensorFlow's executor runs independent
 * kernels (dW and dX of a layer, the Adam updates) side by side and no kernel returns to JavaScript.
 *
 * The tf.Variables stay the source of truth: the step fetches the updated weights with the loss and assigns them
 * back, and a variable assigned elsewhere (re-initialisation, a projection) is copied into the graph before the
 * next step. Native backend only (`GraphSession.available()`); elsewhere use `denseTrainStep`.
 */
import { tf } from '../backend';
import { A, DT, GraphBuilder, GraphSession } from './graph';
import { FusedActivation, FusedDenseLayer, FusedLoss } from './fused';
import { InputError } from '../validate';

export interface DenseGraphAdamOptions {
  loss: FusedLoss;
  learningRate: number;
  beta1: number;
  beta2: number;
  /** Adam epsilon; default the backend's (1e-7 in float32), as tf.train.adam. */
  epsilon?: number;
  /** Train towards a separate target tensor (else the input: an autoencoder). */
  withTarget: boolean;
}

interface VarSlot { variable: tf.Variable; name: string; last: object | null }

const F = A.type(DT.float);

/** Adam on a dense stack, one graph run per step. Create once per network; `dispose()` frees the session. */
export class DenseGraphAdam {
  /** Read at every step (a schedule may change it). */
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Optimizer steps taken since the last `resetSlots()`. */
  iterations = 0;
  private readonly session: GraphSession;
  private readonly vars: VarSlot[] = [];
  private readonly withTarget: boolean;
  private acc1: number;
  private acc2: number;
  private fetches: string[];
  private disposed = false;

  constructor(layers: FusedDenseLayer[], opts: Partial<DenseGraphAdamOptions> & { learningRate: number }) {
    if (!GraphSession.available()) throw new Error('DenseGraphAdam needs the native TensorFlow backend (tfjs-node); use denseTrainStep elsewhere');
    if (!layers.length) throw new InputError('DenseGraphAdam: no layers');
    const loss = opts.loss ?? 'mse';
    if (loss !== 'mse' && loss !== 'l1') throw new InputError(`DenseGraphAdam: unknown loss "${loss as string}"; use mse or l1`);
    if (!(opts.learningRate > 0)) throw new InputError(`DenseGraphAdam: learningRate must be > 0, got ${opts.learningRate}`);
    this.learningRate = opts.learningRate;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? tf.backend().epsilon();
    this.withTarget = !!opts.withTarget;
    this.acc1 = Math.fround(this.beta1);
    this.acc2 = Math.fround(this.beta2);

    const g = new GraphBuilder();
    const varOf = new Map<tf.Variable, number>();
    const handle = (t: tf.Tensor): number => {
      if (!(t instanceof tf.Variable)) throw new InputError('DenseGraphAdam: every W and b must be a tf.Variable');
      let k = varOf.get(t);
      if (k === undefined) {
        k = this.vars.length;
        varOf.set(t, k);
        this.vars.push({ variable: t, name: `v${k}`, last: null });
        g.variable(`v${k}`, t.shape);
        g.variable(`v${k}_m`, t.shape);
        g.variable(`v${k}_v`, t.shape);
        // Load a value (feed `in_v<k>`), and reset the moments.
        g.after(g.constFloat(0, [], `loaded_v${k}`), [g.assign(`v${k}`, g.placeholder(`in_v${k}`, DT.float, t.shape))], `load_v${k}`);
        const z = g.op('ZerosLike', [g.read(`v${k}`, `cur_v${k}`)], { T: F });
        g.after(g.constFloat(0, [], `zero_v${k}`), [g.assign(`v${k}_m`, z), g.assign(`v${k}_v`, z)], `reset_v${k}`);
      }
      return k;
    };
    const spec = layers.map((l) => ({ W: handle(l.W), b: l.b ? handle(l.b) : -1, act: l.act, transposeW: !!l.transposeW }));
    const x = g.placeholder('x', DT.float, [-1, layers[0].transposeW ? layers[0].W.shape[1]! : layers[0].W.shape[0]!]);
    const target = this.withTarget ? g.placeholder('target', DT.float, null) : x;
    // One read per variable for the whole step (tied weights are read once).
    const val = this.vars.map((v) => g.read(v.name, `r_${v.name}`));
    const mm = (a: string, b: string, ta: boolean, tb: boolean) => g.op('MatMul', [a, b], { T: F, transpose_a: A.b(ta), transpose_b: A.b(tb) });
    const nhwc = A.s('NHWC');
    const hs: string[] = [x], zs: string[] = [];
    let h = x;
    for (const l of spec) {
      let z = mm(h, val[l.W], false, l.transposeW);
      if (l.b >= 0) z = g.op('BiasAdd', [z, val[l.b]], { T: F, data_format: nhwc });
      zs.push(z);
      h = activation(g, l.act, z);
      hs.push(h);
    }
    const diff = g.op('Sub', [h, target], { T: F });
    const axes = g.constInt([0, 1], [2]);
    const nf = g.op('Cast', [g.op('Size', [diff], { T: F, out_type: A.type(DT.int32) })], { SrcT: A.type(DT.int32), DstT: F });
    let value: string, dh: string;
    if (loss === 'mse') {
      value = g.op('Mean', [g.op('Square', [diff], { T: F }), axes], { T: F, Tidx: A.type(DT.int32), keep_dims: A.b(false) });
      dh = g.op('Mul', [diff, g.op('RealDiv', [g.constFloat(2), nf], { T: F })], { T: F });
    } else {
      value = g.op('Mean', [g.op('Abs', [diff], { T: F }), axes], { T: F, Tidx: A.type(DT.int32), keep_dims: A.b(false) });
      dh = g.op('Mul', [g.op('Sign', [diff], { T: F }), g.op('RealDiv', [g.constFloat(1), nf], { T: F })], { T: F });
    }
    const grads: (string | null)[] = this.vars.map(() => null);
    const addGrad = (k: number, gr: string) => { grads[k] = grads[k] ? g.op('AddV2', [grads[k]!, gr], { T: F }) : gr; };
    for (let i = spec.length - 1; i >= 0; i--) {
      const l = spec[i];
      const dz = activationGrad(g, l.act, dh, hs[i + 1], zs[i]);
      if (l.b >= 0) addGrad(l.b, g.op('BiasAddGrad', [dz], { T: F, data_format: nhwc }));
      addGrad(l.W, l.transposeW ? mm(dz, hs[i], true, false) : mm(hs[i], dz, true, false));
      if (i > 0) dh = mm(dz, val[l.W], false, !l.transposeW);
    }
    const lr = g.placeholder('lr', DT.float, []), b1p = g.placeholder('b1p', DT.float, []), b2p = g.placeholder('b2p', DT.float, []);
    const eps = g.placeholder('eps', DT.float, []);
    const b1 = g.constFloat(this.beta1), b2 = g.constFloat(this.beta2);
    const applies = this.vars.map((v, k) => g.op('ResourceApplyAdam', [v.name, `${v.name}_m`, `${v.name}_v`, b1p, b2p, lr, b1, b2, eps, grads[k]!], { T: F, use_locking: A.b(false), use_nesterov: A.b(false) }, `apply_${v.name}`));
    // The loss and the updated weights, after every update.
    g.after(value, applies, 'loss');
    this.vars.forEach((v, k) => g.op('ReadVariableOp', [v.name, `^${applies[k]}`], { dtype: F }, `new_${v.name}`));
    this.fetches = ['loss', ...this.vars.map((v) => `new_${v.name}`)];
    this.session = GraphSession.load(g);
    this.resetSlots();
  }

  /** Zeroes Adam's moments and its step count (a fresh optimizer on the same weights). */
  resetSlots(): void {
    this.syncIn(true);
    tf.dispose(this.session.run({}, this.vars.map((v) => `reset_${v.name}`)));
    this.iterations = 0;
    this.acc1 = Math.fround(this.beta1);
    this.acc2 = Math.fround(this.beta2);
  }

  /** Copies tf.Variables assigned outside this optimizer into the graph. */
  private syncIn(force = false): void {
    const stale = this.vars.filter((v) => force || v.last !== v.variable.dataId);
    if (!stale.length) return;
    const feeds: Record<string, tf.Tensor> = {};
    for (const v of stale) feeds[`in_${v.name}`] = v.variable;
    tf.dispose(this.session.run(feeds, stale.map((v) => `load_${v.name}`)));
    for (const v of stale) v.last = v.variable.dataId as object;
  }

  /** One Adam step on the batch `x` (towards `target` when built withTarget). Returns the batch loss before the step. */
  step(x: tf.Tensor2D, target?: tf.Tensor2D): tf.Scalar {
    if (this.disposed) throw new Error('DenseGraphAdam: used after dispose()');
    if (this.withTarget !== !!target) throw new InputError(this.withTarget ? 'DenseGraphAdam.step: this optimizer was built withTarget; pass the target batch' : 'DenseGraphAdam.step: built without a target; train towards x');
    this.syncIn();
    const a1 = this.acc1, a2 = this.acc2;
    const consts = [tf.scalar(this.learningRate), tf.scalar(a1), tf.scalar(a2), tf.scalar(this.epsilon * Math.sqrt(Math.fround(1 - a2)))];
    const feeds: Record<string, tf.Tensor> = { x, lr: consts[0], b1p: consts[1], b2p: consts[2], eps: consts[3] };
    if (target) feeds.target = target;
    const outs = this.session.run(feeds, this.fetches);
    tf.dispose(consts);
    this.vars.forEach((v, k) => {
      v.variable.assign(outs[k + 1]);
      outs[k + 1].dispose();
      v.last = v.variable.dataId as object;
    });
    this.acc1 = Math.fround(a1 * Math.fround(this.beta1));
    this.acc2 = Math.fround(a2 * Math.fround(this.beta2));
    this.iterations++;
    return outs[0] as tf.Scalar;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.session.dispose();
  }
}

function activation(g: GraphBuilder, act: FusedActivation, z: string): string {
  switch (act) {
    case 'linear': return z;
    case 'sigmoid': return g.op('Sigmoid', [z], { T: F });
    case 'relu': return g.op('Relu', [z], { T: F });
    case 'tanh': return g.op('Tanh', [z], { T: F });
    case 'leakyrelu': return g.op('LeakyRelu', [z], { T: F, alpha: A.f(0.2) });
    case 'elu': return g.op('Elu', [z], { T: F });
    case 'softplus': return g.op('Softplus', [z], { T: F });
    default: throw new InputError(`DenseGraphAdam: unsupported activation "${act as string}"`);
  }
}

/** dL/dz from dL/dh for h = act(z) (TensorFlow's gradient kernels, as denseLossAndGrads). */
function activationGrad(g: GraphBuilder, act: FusedActivation, dh: string, h: string, z: string): string {
  switch (act) {
    case 'linear': return dh;
    case 'sigmoid': return g.op('SigmoidGrad', [h, dh], { T: F });
    case 'relu': return g.op('ReluGrad', [dh, h], { T: F });
    case 'tanh': return g.op('TanhGrad', [h, dh], { T: F });
    case 'leakyrelu': return g.op('LeakyReluGrad', [dh, z], { T: F, alpha: A.f(0.2) });
    case 'elu': return g.op('EluGrad', [dh, h], { T: F });
    case 'softplus': return g.op('SoftplusGrad', [dh, z], { T: F });
    default: throw new InputError(`DenseGraphAdam: unsupported activation "${act as string}"`);
  }
}
