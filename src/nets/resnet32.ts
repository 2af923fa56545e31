/**
 * The residual encoder / decoder for 32 x 32 x 3 images (CIFAR-10 / CIFAR-100) of Li, Mehta, Qian & Sun (2020),
 * Appendix C, Table 5 (RDAE) and Table 6 (RNLF, the decoder alone); residual blocks "adopted from Brock et al.
 * (2018)" (BigGAN), written with plain tf.Variables (NHWC):
 *
 *   encoder  conv 3x3, C                 -> C x 32 x 32
 *            ResBlock down  C  -> 2C      -> 16 x 16
 *            ResBlock down  2C -> 4C      -> 8 x 8
 *            ResBlock down  4C -> 8C      -> 4 x 4
 *            reshape, linear -> code                                 (C = 128, code = 1024 in the paper)
 *   decoder  linear code -> 8C x 4 x 4, reshape
 *            ResBlock up 8C -> 4C (8), 4C -> 2C (16), 2C -> C (32)
 *            BatchNorm, ReLU, conv 3x3 -> 3, tanh                    (images scaled to [-1, 1])
 *
 * BigGAN blocks (Brock et al. 2018, Fig. 15): down = ReLU, conv3x3, ReLU, conv3x3, avg-pool 2, plus a 1x1-conv
 * + avg-pool shortcut; up = BN, ReLU, nearest upsample x2, conv3x3, BN, ReLU, conv3x3, plus an upsample + 1x1-conv
 * shortcut. Unconditional BatchNorm (no class embedding), no spectral norm, no attention (not mentioned by Li et
 * al.). `base` (C) is a parameter so tests can build a small version; the paper's network has C = 128 (~60 M
 * parameters: far beyond a 2-core CPU at CIFAR scale, see the notebook).
 */
import { tf } from '../backend';
import { Rng } from '../random';
import {
  BNLayer, ConvLayer, ImageDecoder, ImageEncoder, ImageNetSpec, bnForward, bnLayer, convForward, convLayer, makeVariable,
} from './conv28';

interface Linear { W: tf.Variable; b: tf.Variable }

function linear(inD: number, outD: number, rng: Rng, name: string): Linear {
  const lim = 1 / Math.sqrt(inD);
  return {
    W: makeVariable(tf.tensor2d(rng.uniformArray(inD * outD, -lim, lim), [inD, outD]), `${name}/W`),
    b: makeVariable(tf.tensor1d(rng.uniformArray(outD, -lim, lim)), `${name}/b`),
  };
}

interface DownBlock { c1: ConvLayer; c2: ConvLayer; sc: ConvLayer }
interface UpBlock { bn1: BNLayer; c1: ConvLayer; bn2: BNLayer; c2: ConvLayer; sc: ConvLayer }

function downBlock(inC: number, outC: number, rng: Rng, name: string): DownBlock {
  return {
    c1: convLayer(inC, outC, 3, 1, false, rng.fork('c1'), `${name}/c1`),
    c2: convLayer(outC, outC, 3, 1, false, rng.fork('c2'), `${name}/c2`),
    sc: convLayer(inC, outC, 1, 1, false, rng.fork('sc'), `${name}/sc`),
  };
}
function upBlock(inC: number, outC: number, rng: Rng, name: string): UpBlock {
  return {
    bn1: bnLayer(inC, `${name}/bn1`), c1: convLayer(inC, outC, 3, 1, false, rng.fork('c1'), `${name}/c1`),
    bn2: bnLayer(outC, `${name}/bn2`), c2: convLayer(outC, outC, 3, 1, false, rng.fork('c2'), `${name}/c2`),
    sc: convLayer(inC, outC, 1, 1, false, rng.fork('sc'), `${name}/sc`),
  };
}

const pool = (x: tf.Tensor4D) => tf.avgPool(x, 2, 2, 'valid') as tf.Tensor4D;
const up2 = (x: tf.Tensor4D) => tf.image.resizeNearestNeighbor(x, [x.shape[1] * 2, x.shape[2] * 2]) as tf.Tensor4D;

function downForward(b: DownBlock, x: tf.Tensor4D): tf.Tensor4D {
  let h = convForward(tf.relu(x) as tf.Tensor4D, b.c1, 1);
  h = convForward(tf.relu(h) as tf.Tensor4D, b.c2, 1);
  return tf.add(pool(h), pool(convForward(x, b.sc, 0))) as tf.Tensor4D;
}
function upForward(b: UpBlock, x: tf.Tensor4D, training: boolean): tf.Tensor4D {
  let h = up2(tf.relu(bnForward(x, b.bn1, training)) as tf.Tensor4D);
  h = convForward(h, b.c1, 1);
  h = convForward(tf.relu(bnForward(h, b.bn2, training)) as tf.Tensor4D, b.c2, 1);
  return tf.add(h, convForward(up2(x), b.sc, 0)) as tf.Tensor4D;
}

const convVars = (l: ConvLayer) => [l.W, l.b];
const bnTrain = (l: BNLayer) => [l.gamma, l.beta];
const bnState = (l: BNLayer) => [l.mean, l.variance];

/** Table 5 encoder with base width C (paper: 128). */
export function resnet32Encoder(codeDim: number, rng: Rng, base = 128, channels = 3): ImageEncoder {
  const c0 = convLayer(channels, base, 3, 1, false, rng.fork('c0'), 'renc/c0');
  const blocks = [downBlock(base, 2 * base, rng.fork('b1'), 'renc/b1'), downBlock(2 * base, 4 * base, rng.fork('b2'), 'renc/b2'), downBlock(4 * base, 8 * base, rng.fork('b3'), 'renc/b3')];
  const fc = linear(8 * base * 16, codeDim, rng.fork('fc'), 'renc/fc');
  const trainable = [...convVars(c0), ...blocks.flatMap((b) => [...convVars(b.c1), ...convVars(b.c2), ...convVars(b.sc)]), fc.W, fc.b];
  return {
    encode(x) {
      let h = convForward(x, c0, 1);
      for (const b of blocks) h = downForward(b, h);
      return tf.add(tf.matMul(tf.reshape(h, [x.shape[0], 8 * base * 16]), fc.W), fc.b) as tf.Tensor2D;
    },
    trainable, all: trainable,
  };
}

/** Table 5-6 decoder with base width C (paper: 128); tanh output in [-1, 1]. */
export function resnet32Decoder(codeDim: number, rng: Rng, base = 128, channels = 3): ImageDecoder {
  const fc = linear(codeDim, 8 * base * 16, rng.fork('fc'), 'rdec/fc');
  const blocks = [upBlock(8 * base, 4 * base, rng.fork('b1'), 'rdec/b1'), upBlock(4 * base, 2 * base, rng.fork('b2'), 'rdec/b2'), upBlock(2 * base, base, rng.fork('b3'), 'rdec/b3')];
  const bn = bnLayer(base, 'rdec/bn');
  const out = convLayer(base, channels, 3, 1, false, rng.fork('out'), 'rdec/out');
  const trainable = [fc.W, fc.b, ...blocks.flatMap((b) => [...bnTrain(b.bn1), ...convVars(b.c1), ...bnTrain(b.bn2), ...convVars(b.c2), ...convVars(b.sc)]), ...bnTrain(bn), ...convVars(out)];
  const state = [...blocks.flatMap((b) => [...bnState(b.bn1), ...bnState(b.bn2)]), ...bnState(bn)];
  return {
    decode(z, training) {
      let h = tf.reshape(tf.add(tf.matMul(z, fc.W), fc.b), [z.shape[0], 4, 4, 8 * base]) as tf.Tensor4D;
      for (const b of blocks) h = upForward(b, h, training);
      h = tf.relu(bnForward(h, bn, training)) as tf.Tensor4D;
      return tf.tanh(convForward(h, out, 1)) as tf.Tensor4D;
    },
    trainable, all: [...trainable, ...state],
  };
}

/** Li et al. Tables 5-6 for 32 x 32 x 3 images; `base` = C (paper 128). */
export function resnet32Spec(base = 128, channels = 3): ImageNetSpec {
  return {
    name: `resnet32-C${base}`, height: 32, width: 32, channels, output: 'tanh',
    makeEncoder: (codeDim, rng) => resnet32Encoder(codeDim, rng, base, channels),
    makeDecoder: (codeDim, rng) => resnet32Decoder(codeDim, rng, base, channels),
  };
}
