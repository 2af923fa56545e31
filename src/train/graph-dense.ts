/**
 * The dense-stack training step (forward, TensorFlow's gradient kernels, Adam) as ONE TensorFlow graph run.
 *
 * Same maths as `denseTrainStep(new FusedAdam(...), ...)` in src/train/fused.ts (which it is tested against):
 * the forward pass h_{k+1} = act(h_k W_k + b_k) (or h_k W_k^T for tied decoder weights), the loss (mean squared
 * or mean absolute error), the hand-written backward pass (SigmoidGrad, BiasAddGrad, MatMul with transpose
 * flags; tied weights' two gradients summed), and Adam through src/train/graph-adam.ts. The forward / backward
 * node builders are exported for other compiled models (the VAE, src/train/graph-vae.ts).
 */
import { tf } from '../backend';
import { A, DT, GraphBuilder } from './graph';
import { F, GraphAdam, GraphAdamOptions } from './graph-adam';
import { FusedActivation, FusedDenseLayer, FusedLoss } from './fused';
import { InputError } from '../validate';

export interface DenseGraphAdamOptions extends GraphAdamOptions {
  loss?: FusedLoss;
  /** Train towards a separate target tensor (else the input: an autoencoder). */
  withTarget?: boolean;
}

/** Adam on a dense stack, one graph run per step. Create once per network; `dispose()` frees the session. */
export class DenseGraphAdam extends GraphAdam {
  private readonly withTarget: boolean;

  constructor(layers: FusedDenseLayer[], opts: DenseGraphAdamOptions) {
    super('DenseGraphAdam', opts);
    if (!layers.length) throw new InputError('DenseGraphAdam: no layers');
    const loss = opts.loss ?? 'mse';
    if (loss !== 'mse' && loss !== 'l1') throw new InputError(`DenseGraphAdam: unknown loss "${loss as string}"; use mse or l1`);
    this.withTarget = !!opts.withTarget;
    const g = this.g;
    const l0 = layers[0];
    const x = g.placeholder('x', DT.float, [-1, (l0.transposeW ? l0.W.shape[1] : l0.W.shape[0])!]);
    const target = this.withTarget ? g.placeholder('target', DT.float, null) : x;
    const val = (t: tf.Tensor) => this.value(t);
    const fw = denseForwardGraph(g, x, layers, val);
    const diff = g.op('Sub', [fw.out, target], { T: F });
    const axes = g.constInt([0, 1], [2]);
    const nf = g.op('Cast', [g.op('Size', [diff], { T: F, out_type: A.type(DT.int32) })], { SrcT: A.type(DT.int32), DstT: F });
    let value: string, dOut: string;
    if (loss === 'mse') {
      value = g.op('Mean', [g.op('Square', [diff], { T: F }), axes], { T: F, Tidx: A.type(DT.int32), keep_dims: A.b(false) });
      dOut = g.op('Mul', [diff, g.op('RealDiv', [g.constFloat(2), nf], { T: F })], { T: F });
    } else {
      value = g.op('Mean', [g.op('Abs', [diff], { T: F }), axes], { T: F, Tidx: A.type(DT.int32), keep_dims: A.b(false) });
      dOut = g.op('Mul', [g.op('Sign', [diff], { T: F }), g.op('RealDiv', [g.constFloat(1), nf], { T: F })], { T: F });
    }
    denseBackwardGraph(g, layers, fw, dOut, val, (t, gr) => this.addGrad(t, gr), false);
    this.compile(value);
  }

  /** One Adam step on the batch `x` (towards `target` when built withTarget). Returns the batch loss before the step. */
  step(x: tf.Tensor2D, target?: tf.Tensor2D): tf.Scalar {
    if (this.withTarget !== !!target) throw new InputError(this.withTarget ? 'DenseGraphAdam.step: this optimizer was built withTarget; pass the target batch' : 'DenseGraphAdam.step: built without a target; train towards x');
    const feeds: Record<string, tf.Tensor> = { x };
    if (target) feeds.target = target;
    return this.runStep(feeds)[0] as tf.Scalar;
  }
}

/**
 * Nodes of a dense stack's forward pass: the input of every layer (hs, after its dropout mask), the
 * pre-activations (zs), the activations before the mask (acts), and the output.
 */
export interface DenseForwardNodes { hs: string[]; zs: string[]; acts: string[]; masks: (string | null)[]; out: string }

/**
 * Writes the forward pass of `layers` on node `x`; `value(t)` gives a weight's node. `masks[i]` (optional) is a
 * node multiplied into layer i's activation (dropout: the keep mask scaled by 1 / (1 - rate), as tf.dropout).
 */
export function denseForwardGraph(g: GraphBuilder, x: string, layers: FusedDenseLayer[], value: (t: tf.Tensor) => string, masks: (string | null)[] = []): DenseForwardNodes {
  const hs: string[] = [x], zs: string[] = [], acts: string[] = [];
  let h = x;
  layers.forEach((l, i) => {
    let z = g.op('MatMul', [h, value(l.W)], { T: F, transpose_a: A.b(false), transpose_b: A.b(!!l.transposeW) });
    if (l.b) z = g.op('BiasAdd', [z, value(l.b)], { T: F, data_format: A.s('NHWC') });
    zs.push(z);
    const a = activationGraph(g, l.act, z);
    acts.push(a);
    h = masks[i] ? g.op('Mul', [a, masks[i]!], { T: F }) : a;
    hs.push(h);
  });
  return { hs, zs, acts, masks: layers.map((_, i) => masks[i] ?? null), out: h };
}

/**
 * Writes the backward pass of `layers` from dOut = dL/d(output); hands each weight's gradient to `addGrad`.
 * Returns dL/d(input) when `inputGrad` (else null: the first layer's input product is skipped).
 */
export function denseBackwardGraph(g: GraphBuilder, layers: FusedDenseLayer[], fw: DenseForwardNodes, dOut: string, value: (t: tf.Tensor) => string,
  addGrad: (t: tf.Tensor, grad: string) => void, inputGrad: boolean): string | null {
  const mm = (a: string, b: string, ta: boolean, tb: boolean) => g.op('MatMul', [a, b], { T: F, transpose_a: A.b(ta), transpose_b: A.b(tb) });
  let dh = dOut;
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    const dAct = fw.masks[i] ? g.op('Mul', [dh, fw.masks[i]!], { T: F }) : dh;
    const dz = activationGradGraph(g, l.act, dAct, fw.acts[i], fw.zs[i]);
    if (l.b) addGrad(l.b, g.op('BiasAddGrad', [dz], { T: F, data_format: A.s('NHWC') }));
    // h' = h W: dW = h^T dz, dh = dz W^T;  h' = h W^T: dW = dz^T h, dh = dz W.
    addGrad(l.W, l.transposeW ? mm(dz, fw.hs[i], true, false) : mm(fw.hs[i], dz, true, false));
    if (i > 0 || inputGrad) dh = mm(dz, value(l.W), false, !l.transposeW);
  }
  return inputGrad ? dh : null;
}

/**
 * A linear head y = h W + b on node h (the VAE's mean / log-variance heads): its output node, and `back(dy)`
 * that writes its backward pass (weight gradients to `addGrad`) and returns dL/dh.
 */
export function linearHeadGraph(g: GraphBuilder, h: string, l: { W: tf.Tensor; b: tf.Tensor }, value: (t: tf.Tensor) => string,
  addGrad: (t: tf.Tensor, grad: string) => void): { out: string; back: (dy: string) => string } {
  const layer: FusedDenseLayer[] = [{ W: l.W, b: l.b, act: 'linear' }];
  const fw = denseForwardGraph(g, h, layer, value);
  return { out: fw.out, back: (dy) => denseBackwardGraph(g, layer, fw, dy, value, addGrad, true)! };
}

/** The number of rows of a 2-D node, as a float32 scalar node (batch sizes vary: the last batch is smaller). */
export function batchRows(g: GraphBuilder, x: string): string {
  const shape = g.op('Cast', [g.op('Shape', [x], { T: F, out_type: A.type(DT.int32) })], { SrcT: A.type(DT.int32), DstT: F });
  return g.op('Squeeze', [g.op('Slice', [shape, g.constInt([0], [1]), g.constInt([1], [1])], { T: F, Index: A.type(DT.int32) })], { T: F, squeeze_dims: A.ints([0]) });
}

export function activationGraph(g: GraphBuilder, act: FusedActivation, z: string): string {
  switch (act) {
    case 'linear': return z;
    case 'sigmoid': return g.op('Sigmoid', [z], { T: F });
    case 'relu': return g.op('Relu', [z], { T: F });
    case 'tanh': return g.op('Tanh', [z], { T: F });
    case 'leakyrelu': return g.op('LeakyRelu', [z], { T: F, alpha: A.f(0.2) });
    case 'elu': return g.op('Elu', [z], { T: F });
    case 'softplus': return g.op('Softplus', [z], { T: F });
    default: throw new InputError(`compiled graph: unsupported activation "${act as string}"`);
  }
}

/** dL/dz from dL/dh for h = act(z) (TensorFlow's gradient kernels, as denseLossAndGrads). */
export function activationGradGraph(g: GraphBuilder, act: FusedActivation, dh: string, h: string, z: string): string {
  switch (act) {
    case 'linear': return dh;
    case 'sigmoid': return g.op('SigmoidGrad', [h, dh], { T: F });
    case 'relu': return g.op('ReluGrad', [dh, h], { T: F });
    case 'tanh': return g.op('TanhGrad', [h, dh], { T: F });
    case 'leakyrelu': return g.op('LeakyReluGrad', [dh, z], { T: F, alpha: A.f(0.2) });
    case 'elu': return g.op('EluGrad', [dh, h], { T: F });
    case 'softplus': return g.op('SoftplusGrad', [dh, z], { T: F });
    default: throw new InputError(`compiled graph: unsupported activation "${act as string}"`);
  }
}
