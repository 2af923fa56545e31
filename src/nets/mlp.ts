/**
 * Dense (fully connected) building blocks as plain tf.Variables, so models can tie weights (decoder = encoder^T,
 * Zhou & Paffenroth's code), share layers (Dai et al.'s encoder mean / variance heads) and inspect them (column
 * norms of the first decoder layer W1, Dai et al. Sec. 5.2).
 */
import { tf } from '../backend';
import { Rng } from '../random';

export type Activation = 'linear' | 'sigmoid' | 'relu' | 'tanh' | 'softplus' | 'elu' | 'leakyrelu';
export const ACTIVATIONS: readonly Activation[] = ['linear', 'sigmoid', 'relu', 'tanh', 'softplus', 'elu', 'leakyrelu'];

export interface DenseLayer { W: tf.Variable; b: tf.Variable }

/**
 * A dense layer in -> out. Glorot-uniform weights (Keras' and TF1 `xavier` default, the papers' codes), zero bias.
 * `init: 'normal'` draws N(0, std^2) instead.
 */
export function dense(inDim: number, outDim: number, rng: Rng, name: string, init: 'glorot' | { std: number } = 'glorot'): DenseLayer {
  const n = inDim * outDim;
  let w: Float32Array;
  if (init === 'glorot') {
    const lim = Math.sqrt(6 / (inDim + outDim));
    w = rng.uniformArray(n, -lim, lim);
  } else {
    w = rng.normalArray(n, 0, init.std);
  }
  return {
    W: newVariable(tf.tensor2d(w, [inDim, outDim]), `${name}/W`),
    b: newVariable(tf.zeros([outDim]), `${name}/b`),
  };
}

/**
 * A trainable variable initialised from `init`, which is disposed (tf.variable keeps a copy, so the initial tensor
 * would otherwise leak). Names get a unique suffix.
 */
export function newVariable(init: tf.Tensor, name: string, trainable = true): tf.Variable {
  const v = tf.variable(init, trainable, `${name}_${uid()}`);
  init.dispose();
  return v;
}

let counter = 0;
function uid(): number { return counter++; }

export function activate(x: tf.Tensor, act: Activation): tf.Tensor {
  switch (act) {
    case 'linear': return x;
    case 'sigmoid': return tf.sigmoid(x);
    case 'relu': return tf.relu(x);
    case 'tanh': return tf.tanh(x);
    case 'softplus': return tf.softplus(x);
    case 'elu': return tf.elu(x);
    case 'leakyrelu': return tf.leakyRelu(x, 0.2);
    default: throw new Error(`unknown activation "${act as string}"; use one of ${ACTIVATIONS.join(', ')}`);
  }
}

/** x W + b, then the activation (matMul and bias fused into one kernel). */
export function denseForward(x: tf.Tensor2D, l: DenseLayer, act: Activation, transposeW = false, bias?: tf.Tensor): tf.Tensor2D {
  // On tfjs-node the fused op is not one kernel (it runs MatMul, add and the activation anyway) and its gradient
  // goes through 3-D batch-of-one products and reshapes, which a traced graph (src/train/compile.ts) keeps; the
  // plain ops trace to MatMul + BiasAdd + activation, which TensorFlow fuses. Same maths either way.
  if (tf.getBackend() === 'tensorflow') return activate(tf.add(tf.matMul(x, l.W as unknown as tf.Tensor2D, false, transposeW), bias ?? l.b), act) as tf.Tensor2D;
  const fusedAct = act === 'relu' || act === 'linear' ? act : 'linear';
  const y = tf.fused.matMul({ a: x, b: l.W as unknown as tf.Tensor2D, transposeB: transposeW, bias: bias ?? l.b, activation: fusedAct });
  return (fusedAct === act ? y : activate(y, act)) as tf.Tensor2D;
}

/** Layers for the sizes [d0, d1, ..., dk] (k layers). */
export function mlp(sizes: number[], rng: Rng, name: string, init: 'glorot' | { std: number } = 'glorot'): DenseLayer[] {
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`${name}: layer sizes must be >= 2 positive integers, got [${sizes}]`);
  const out: DenseLayer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) out.push(dense(sizes[i], sizes[i + 1], rng.fork(`layer${i}`), `${name}${i}`, init));
  return out;
}

/** Runs x through the layers; `acts` is one activation for all layers or one per layer. */
export function mlpForward(x: tf.Tensor2D, layers: DenseLayer[], acts: Activation | Activation[]): tf.Tensor2D {
  let h = x;
  layers.forEach((l, i) => { h = denseForward(h, l, Array.isArray(acts) ? acts[i] : acts); });
  return h;
}

export function layerVariables(layers: DenseLayer[]): tf.Variable[] {
  return layers.flatMap((l) => [l.W, l.b]);
}

export function disposeLayers(layers: DenseLayer[]): void {
  for (const l of layers) { l.W.dispose(); l.b.dispose(); }
}

/** Number of trainable scalars. */
export function countParams(vars: tf.Variable[]): number {
  return vars.reduce((s, v) => s + v.size, 0);
}
