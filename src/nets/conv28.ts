/**
 * The convolutional encoder / decoder for 28 x 28 grey images of Li, Mehta, Qian & Sun (2020), Appendix C,
 * Table 3 (RDAE) and Table 4 (RNLF, the decoder alone), written with plain tf.Variables (NHWC):
 *
 *   encoder  conv 4x4/2 pad 1, 64      -> 64 x 14 x 14,  BatchNorm, LeakyReLU
 *            conv 4x4/2 pad 1, 128     -> 128 x 7 x 7,   BatchNorm, LeakyReLU
 *            conv 7x7/1 pad 0, code    -> code x 1 x 1                        (code dimension 30)
 *   decoder  deconv 7x7/1 pad 0, 128   -> 128 x 7 x 7,   BatchNorm, LeakyReLU
 *            deconv 4x4/2 pad 1, 64    -> 64 x 14 x 14,  BatchNorm, LeakyReLU
 *            deconv 4x4/2 pad 1, 1     -> 1 x 28 x 28,   Sigmoid
 *
 * Not stated in the paper, chosen as PyTorch 1.4 (the paper's framework) defaults or the usual DCGAN choice:
 * LeakyReLU slope 0.2 (DCGAN; PyTorch's default would be 0.01), conv biases on, PyTorch's default initialisation
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (fan_in of a transposed conv counted as PyTorch does: out_channels * k * k),
 * BatchNorm with PyTorch's eps 1e-5 and momentum 0.1; batch statistics while training, running statistics
 * in `training = false` mode (PyTorch's model.eval()).
 * A PyTorch "deconv k/s pad p" equals tfjs conv2dTranspose with 'same' padding here (k = 4, s = 2, p = 1:
 * output 2x the input, one pixel of padding each side) and 'valid' for the 7x7 layer on a 1x1 input.
 */
import { tf } from '../backend';
import { Rng } from '../random';

export interface ConvLayer { W: tf.Variable; b: tf.Variable; k: number; stride: number; inC: number; outC: number; transpose: boolean }
export interface BNLayer { gamma: tf.Variable; beta: tf.Variable; mean: tf.Variable; variance: tf.Variable; channels: number }

/** tf.variable keeps its own copy: the initial tensor is disposed so it does not leak (one helper for all nets). */
import { newVariable } from './mlp';
export const makeVariable = newVariable;

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;
export const LEAKY_SLOPE = 0.2;

/** conv (filter [k, k, in, out]) or transposed conv (filter [k, k, out, in]) with PyTorch's default init. */
export function convLayer(inC: number, outC: number, k: number, stride: number, transpose: boolean, rng: Rng, name: string): ConvLayer {
  const fanIn = (transpose ? outC : inC) * k * k;
  const lim = 1 / Math.sqrt(fanIn);
  const shape: [number, number, number, number] = transpose ? [k, k, outC, inC] : [k, k, inC, outC];
  const W = makeVariable(tf.tensor4d(rng.uniformArray(k * k * inC * outC, -lim, lim), shape), `${name}/W`);
  const b = makeVariable(tf.tensor1d(rng.uniformArray(outC, -lim, lim)), `${name}/b`);
  return { W, b, k, stride, inC, outC, transpose };
}

export function bnLayer(channels: number, name: string): BNLayer {
  return {
    gamma: makeVariable(tf.ones([channels]), `${name}/gamma`),
    beta: makeVariable(tf.zeros([channels]), `${name}/beta`),
    mean: makeVariable(tf.zeros([channels]), `${name}/mean`, false),
    variance: makeVariable(tf.ones([channels]), `${name}/var`, false),
    channels,
  };
}

/** True when TensorFlow's 'same' padding of a size-`size` input (kernel k, stride s) pads exactly p on each side. */
function samePadsBy(size: number, k: number, s: number, p: number): boolean {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return Math.floor(total / 2) === p && total - Math.floor(total / 2) === p && out === Math.floor((size + 2 * p - k) / s) + 1;
}

/**
 * Applies a conv layer. `pad`: 'same' for the k=4/s=2/p=1 layers (identical to PyTorch padding 1 here),
 * 'valid' for p=0, or a number (symmetric explicit padding, convolutions only).
 */
export function convForward(x: tf.Tensor4D, l: ConvLayer, pad: 'same' | 'valid' | number): tf.Tensor4D {
  const [n, h, w] = x.shape;
  if (!l.transpose) {
    // A k x k 'valid' convolution of a k x k map (conv28's last encoder layer) is one matrix product over the
    // flattened (h, w, c) features: the same sums, one MatMul (and MatMul gradients) instead of Conv2D kernels.
    if ((pad === 'valid' || pad === 0) && h === l.k && w === l.k) {
      const y = tf.matMul(tf.reshape(x, [n, l.k * l.k * l.inC]), tf.reshape(l.W, [l.k * l.k * l.inC, l.outC]));
      return tf.reshape(tf.add(y, l.b), [n, 1, 1, l.outC]) as tf.Tensor4D;
    }
    // tfjs-node only takes 'same' / 'valid': explicit padding p is TensorFlow's 'same' where that pads p on every
    // side (k4/s2/p1 on even sizes, k3/s1/p1), else a zero pad then a 'valid' convolution (PyTorch semantics).
    const mode = typeof pad === 'number' ? (pad > 0 && samePadsBy(h, l.k, l.stride, pad) && samePadsBy(w, l.k, l.stride, pad) ? 'same' : 'valid') : pad;
    const xin = typeof pad === 'number' && pad > 0 && mode === 'valid' ? tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) as tf.Tensor4D : x;
    return tf.add(tf.conv2d(xin, l.W as unknown as tf.Tensor4D, l.stride, mode), l.b) as tf.Tensor4D;
  }
  // A k x k 'valid' transposed convolution of a 1 x 1 map (conv28's first decoder layer) is one matrix product:
  // out[n, i, j, c] = sum_z z[n, z] W[i, j, c, z].
  if (pad === 'valid' && h === 1 && w === 1) {
    const y = tf.matMul(tf.reshape(x, [n, l.inC]), tf.reshape(l.W, [l.k * l.k * l.outC, l.inC]), false, true);
    return tf.add(tf.reshape(y, [n, l.k, l.k, l.outC]), l.b) as tf.Tensor4D;
  }
  let oh: number, ow: number;
  if (pad === 'valid') { oh = (h - 1) * l.stride + l.k; ow = (w - 1) * l.stride + l.k; }
  else if (pad === 'same') { oh = h * l.stride; ow = w * l.stride; }
  else throw new Error('convForward: transposed convolutions take "same" or "valid" padding');
  const y = tf.conv2dTranspose(x, l.W as unknown as tf.Tensor4D, [n, oh, ow, l.outC], l.stride, pad);
  return tf.add(y, l.b) as tf.Tensor4D;
}

/**
 * BatchNorm over N, H, W (or N for rank-2 input). In training mode it normalises with the batch moments and
 * updates the running moments (PyTorch: running = (1 - momentum) running + momentum batch, unbiased variance).
 */
export function bnForward<T extends tf.Tensor>(x: T, l: BNLayer, training: boolean): T {
  const axes = x.rank === 4 ? [0, 1, 2] : [0];
  if (!training) return tf.batchNorm(x, l.mean, l.variance, l.beta, l.gamma, BN_EPS) as T;
  return bnTrain(x, l.gamma, l.beta, axes, (mean, variance) => {
    const count = axes.reduce((a, ax) => a * x.shape[ax], 1);
    tf.tidy(() => {
      const unbiased = tf.mul(variance, count / Math.max(1, count - 1));
      l.mean.assign(tf.add(tf.mul(l.mean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
      l.variance.assign(tf.add(tf.mul(l.variance, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)));
    });
  }) as T;
}

/**
 * Training-mode BatchNorm y = gamma (x - mean) / sqrt(var + eps) + beta with the batch moments over `axes` (handed to
 * `moments` for the running averages), as one tfjs op with its gradient stated in closed form (the standard
 * BatchNorm backward, as TensorFlow's FusedBatchNormGrad computes it):
 *   dx = gamma rstd (dy - mean(dy) - xhat mean(dy xhat)),  dgamma = sum(dy xhat),  dbeta = sum(dy).
 * The same maths as tfjs autodiff of tf.moments + tf.batchNorm, in ~10 kernels instead of ~60 (autodiff goes back
 * through the moments separately); written once, it is what both the eager and the compiled steps run.
 */
export function bnTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, axes: number[], moments: (mean: tf.Tensor, variance: tf.Tensor) => void = () => {}): tf.Tensor {
  type Fn = Parameters<typeof tf.customGrad>[0];
  const f = tf.customGrad(((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const { mean, variance } = tf.moments(xi, axes, true);
    moments(tf.reshape(mean, [gamma.shape[0]]), tf.reshape(variance, [gamma.shape[0]]));
    const rstd = tf.rsqrt(tf.add(variance, BN_EPS));
    const xhat = tf.mul(tf.sub(xi, mean), rstd);
    save([xhat, rstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, gs] = saved;
        const dyMean = tf.mean(dy, axes, true), dyx = tf.mean(tf.mul(dy, xh), axes, true);
        const dx = tf.mul(tf.mul(gs, rs), tf.sub(tf.sub(dy, dyMean), tf.mul(xh, dyx)));
        return [dx, tf.sum(tf.mul(dy, xh), axes), tf.sum(dy, axes)];
      },
    };
  }) as unknown as Fn);
  return f(x, gamma, beta);
}

export interface Conv28Encoder { kind: 'conv28-encoder'; c1: ConvLayer; bn1: BNLayer; c2: ConvLayer; bn2: BNLayer; c3: ConvLayer; codeDim: number }
export interface Conv28Decoder { kind: 'conv28-decoder'; d1: ConvLayer; bn1: BNLayer; d2: ConvLayer; bn2: BNLayer; d3: ConvLayer; codeDim: number }

/** Table 3 encoder: [n, 28, 28, 1] -> [n, codeDim]. */
export function conv28Encoder(codeDim: number, rng: Rng, channels = 1): Conv28Encoder {
  return {
    kind: 'conv28-encoder', codeDim,
    c1: convLayer(channels, 64, 4, 2, false, rng.fork('c1'), 'enc/c1'), bn1: bnLayer(64, 'enc/bn1'),
    c2: convLayer(64, 128, 4, 2, false, rng.fork('c2'), 'enc/c2'), bn2: bnLayer(128, 'enc/bn2'),
    c3: convLayer(128, codeDim, 7, 1, false, rng.fork('c3'), 'enc/c3'),
  };
}

/** Table 3 decoder = Table 4 factorization network: [n, codeDim] -> [n, 28, 28, 1] in (0, 1). */
export function conv28Decoder(codeDim: number, rng: Rng, channels = 1): Conv28Decoder {
  return {
    kind: 'conv28-decoder', codeDim,
    d1: convLayer(codeDim, 128, 7, 1, true, rng.fork('d1'), 'dec/d1'), bn1: bnLayer(128, 'dec/bn1'),
    d2: convLayer(128, 64, 4, 2, true, rng.fork('d2'), 'dec/d2'), bn2: bnLayer(64, 'dec/bn2'),
    d3: convLayer(64, channels, 4, 2, true, rng.fork('d3'), 'dec/d3'),
  };
}

const lrelu = (x: tf.Tensor4D) => tf.leakyRelu(x, LEAKY_SLOPE) as tf.Tensor4D;

export function conv28Encode(e: Conv28Encoder, x: tf.Tensor4D, training: boolean): tf.Tensor2D {
  let h = lrelu(bnForward(convForward(x, e.c1, 1), e.bn1, training));
  h = lrelu(bnForward(convForward(h, e.c2, 1), e.bn2, training));
  const z = convForward(h, e.c3, 'valid'); // [n, 1, 1, code]
  return tf.reshape(z, [x.shape[0], e.codeDim]) as tf.Tensor2D;
}

export function conv28Decode(d: Conv28Decoder, z: tf.Tensor2D, training: boolean): tf.Tensor4D {
  const z4 = tf.reshape(z, [z.shape[0], 1, 1, d.codeDim]) as tf.Tensor4D;
  let h = lrelu(bnForward(convForward(z4, d.d1, 'valid'), d.bn1, training));
  h = lrelu(bnForward(convForward(h, d.d2, 'same'), d.bn2, training));
  return tf.sigmoid(convForward(h, d.d3, 'same')) as tf.Tensor4D;
}

function convVars(l: ConvLayer): tf.Variable[] { return [l.W, l.b]; }
function bnVars(l: BNLayer): tf.Variable[] { return [l.gamma, l.beta]; }
function bnState(l: BNLayer): tf.Variable[] { return [l.mean, l.variance]; }

/** Trainable variables. */
export function conv28Variables(net: Conv28Encoder | Conv28Decoder): tf.Variable[] {
  return net.kind === 'conv28-encoder'
    ? [...convVars(net.c1), ...bnVars(net.bn1), ...convVars(net.c2), ...bnVars(net.bn2), ...convVars(net.c3)]
    : [...convVars(net.d1), ...bnVars(net.bn1), ...convVars(net.d2), ...bnVars(net.bn2), ...convVars(net.d3)];
}

/** Trainable variables and BatchNorm running moments (everything to dispose). */
export function conv28AllVariables(net: Conv28Encoder | Conv28Decoder): tf.Variable[] {
  return [...conv28Variables(net), ...bnState(net.bn1), ...bnState(net.bn2)];
}

export function disposeNet(vars: tf.Variable[]): void { for (const v of vars) v.dispose(); }

// ------------------------------------------------------------------------------------------------------------
// A small common interface for the image encoders / decoders of RDAE and RNLF (conv28 here, resnet32 too).

export interface ImageEncoder {
  encode(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  /** Trainable variables. */
  readonly trainable: tf.Variable[];
  /** Trainable variables and BatchNorm running moments. */
  readonly all: tf.Variable[];
}
export interface ImageDecoder {
  decode(z: tf.Tensor2D, training: boolean): tf.Tensor4D;
  readonly trainable: tf.Variable[];
  readonly all: tf.Variable[];
}
/** Output non-linearity of a decoder: sigmoid images in [0, 1], tanh images in [-1, 1]. */
export type OutputRange = 'sigmoid' | 'tanh';
export interface ImageNetSpec {
  name: string;
  height: number;
  width: number;
  channels: number;
  output: OutputRange;
  makeEncoder(codeDim: number, rng: Rng): ImageEncoder;
  makeDecoder(codeDim: number, rng: Rng): ImageDecoder;
}

/** Li et al. Tables 3-4: 28 x 28 x `channels` (1 for MNIST / Fashion-MNIST), sigmoid output. */
export function conv28Spec(channels = 1): ImageNetSpec {
  return {
    name: 'conv28', height: 28, width: 28, channels, output: 'sigmoid',
    makeEncoder: (codeDim, rng) => conv28ImageEncoder(conv28Encoder(codeDim, rng, channels)),
    makeDecoder: (codeDim, rng) => conv28ImageDecoder(conv28Decoder(codeDim, rng, channels)),
  };
}

/** A conv28 encoder as the ImageEncoder conv28Spec() makes (for callers that also need the layer objects). */
export function conv28ImageEncoder(e: Conv28Encoder): ImageEncoder {
  return { encode: (x, training) => conv28Encode(e, x, training), trainable: conv28Variables(e), all: conv28AllVariables(e) };
}

/** A conv28 decoder as the ImageDecoder conv28Spec() makes. */
export function conv28ImageDecoder(d: Conv28Decoder): ImageDecoder {
  return { decode: (z, training) => conv28Decode(d, z, training), trainable: conv28Variables(d), all: conv28AllVariables(d) };
}
