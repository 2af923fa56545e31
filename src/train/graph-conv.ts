/**
 * The conv28 RDAE training step (Li et al. 2020, Table 3) as ONE TensorFlow graph run: forward, TensorFlow's
 * gradient kernels and ResourceApplyAdam for every trainable variable in a single `TF_SessionRun`
 * (src/train/graph.ts), the convolutional counterpart of src/train/graph-dense.ts.
 *
 * Same maths as tfjs autodiff of `conv28Decode(dec, conv28Encode(enc, x, true), true)` with the l1 / l2
 * `imageLoss` and tf.train.adam (which it is tested against):
 *
 *   forward   Conv2D + BiasAdd for the encoder's k4/s2 convs ('SAME' on 28 -> 14 -> 7 pads one pixel each side:
 *             conv28.ts' explicit padding 1); the 7x7 'VALID' conv on the 7x7 map and the decoder's 7x7 'VALID'
 *             transposed conv on the 1x1 code are matrix products over the flattened (h, w, c) features (MatMul,
 *             exactly those convolutions); the decoder's k4/s2 'SAME' transposed convs (tf.conv2dTranspose in
 *             conv28.ts) as Conv2DBackpropInput, or for the 7x7x128 -> 14x14x64 one (the costly one) as a 2x2
 *             stride-1 Conv2D computing the four output phases + DepthToSpace (option `phases`);
 *             FusedBatchNormV3 (is_training: batch moments, biased variance in the normalisation), LeakyRelu 0.2,
 *             Sigmoid;
 *   backward  SigmoidGrad, BiasAddGrad, Conv2DBackpropFilter (dW of the k4 layers; for the two 64 <-> 128 ones a
 *             stride-1 Conv2D over SpaceToDepth phases), Conv2D (dX of a transposed conv), the same phase
 *             decomposition (dX of the 64 -> 128 encoder conv), MatMul (the 7x7 layers),
 *             FusedBatchNormGradV3, LeakyReluGrad;
 *   update    ResourceApplyAdam with the tfjs Adam's bias correction (eps' = eps sqrt(1 - b2^t), b^t in float32).
 *
 * BatchNorm running moments follow conv28.ts `bnForward`: running = (1 - momentum) running + momentum batch, with
 * the Bessel-corrected batch variance (FusedBatchNormV3's `batch_variance` output is already m / (m - 1) times
 * the biased one). They are fed in and the new values fetched and assigned to their tf.Variables every step.
 *
 * Trainable weights live in the session as resource variables and reach their tf.Variables after every step, or
 * with `readback: 'deferred'` (RDAE) at `syncOut()`, once per epoch (src/train/graph-adam.ts); a variable assigned
 * elsewhere is copied in before the next step.
 * Native backend only (`GraphSession.available()`).
 */
import { tf, oneDnnEnabled } from '../backend';
import { A, Attr, DT } from './graph';
import { F, GraphAdam, GraphAdamOptions } from './graph-adam';
import { InputError } from '../validate';
import { BN_EPS, BN_MOMENTUM, BNLayer, Conv28Decoder, Conv28Encoder, ConvLayer, LEAKY_SLOPE } from '../nets/conv28';

export type ConvGraphLoss = 'l1' | 'l2';

export interface ConvGraphAdamOptions extends GraphAdamOptions {
  /** 'l1' = mean absolute error (RDAE), 'l2' = mean squared error (imageLoss). Default 'l1'. */
  loss?: ConvGraphLoss;
  /**
   * Compute the 4x4 / stride-2 layers between 7x7x128 and 14x14x64 maps by phase decomposition (default true):
   * the transposed conv (decoder layer 2 forward, and encoder layer 2's gradient w.r.t. its input) as a 2x2
   * stride-1 Conv2D giving the four output phases + DepthToSpace, and both layers' filter gradients as a stride-1
   * Conv2D over SpaceToDepth phases (batch and channels swapped). TensorFlow's CPU Conv2DBackpropInput is several
   * times and Conv2DBackpropFilter ~20% slower than these. false: Conv2DBackpropInput / Conv2DBackpropFilter.
   * Same values up to rounding. Default: true only where TensorFlow runs its Eigen kernels (oneDNN off, see
   * `oneDnnEnabled()` in src/backend.ts). Measured on an AMD EPYC family 26, batch 100, 40 interleaved steps:
   * oneDNN off: phases 333 ms vs TensorFlow's kernels 437 ms a step; oneDNN on: phases 208 ms vs 103 ms (oneDNN's
   * backprop convolutions are fast, the extra SpaceToDepth / DepthToSpace copies are not).
   */
  phases?: boolean;
}

const NHWC = A.s('NHWC');
const I32 = A.type(DT.int32);

/** Adam on the conv28 encoder + decoder, one graph run per step. Create once per network; `dispose()` frees the session. */
export class ConvGraphAdam extends GraphAdam {
  readonly loss: ConvGraphLoss;
  private readonly bns: BNLayer[];
  private readonly inShape: [number, number, number];

  constructor(enc: Conv28Encoder, dec: Conv28Decoder, opts: ConvGraphAdamOptions) {
    super('ConvGraphAdam', opts);
    if (enc?.kind !== 'conv28-encoder' || dec?.kind !== 'conv28-decoder') throw new InputError('ConvGraphAdam: pass a conv28Encoder and a conv28Decoder (src/nets/conv28.ts)');
    if (enc.codeDim !== dec.codeDim) throw new InputError(`ConvGraphAdam: encoder code ${enc.codeDim} != decoder code ${dec.codeDim}`);
    const loss = opts.loss ?? 'l1';
    if (loss !== 'l1' && loss !== 'l2') throw new InputError(`ConvGraphAdam: unknown loss "${loss as string}"; use l1 or l2`);
    const usePhases = opts.phases ?? !oneDnnEnabled();
    if (typeof usePhases !== 'boolean') throw new InputError(`ConvGraphAdam: phases must be true or false, got ${String(usePhases)}`);
    this.loss = loss;
    const C = enc.c1.inC;
    if (dec.d3.outC !== C) throw new InputError(`ConvGraphAdam: decoder output has ${dec.d3.outC} channels, encoder input ${C}`);
    this.inShape = [28, 28, C];
    this.bns = [enc.bn1, enc.bn2, dec.bn1, dec.bn2];
    const g = this.g;
    const all = [...[enc.c1, enc.c2, enc.c3, dec.d1, dec.d2, dec.d3].flatMap((l) => [l.W, l.b]), ...this.bns.flatMap((b) => [b.gamma, b.beta])];
    if (new Set(all).size !== all.length) throw new InputError('ConvGraphAdam: a variable appears twice in the network');
    for (const v of all) this.value(v); // declare in a fixed order

    // ---- op helpers
    const convAttrs = (s: number, pad: 'SAME' | 'VALID'): Record<string, Attr> => ({ T: F, strides: A.ints([1, s, s, 1]), padding: A.s(pad), data_format: NHWC, dilations: A.ints([1, 1, 1, 1]), use_cudnn_on_gpu: A.b(true) });
    const conv2d = (x: string, w: string, s: number, pad: 'SAME' | 'VALID') => g.op('Conv2D', [x, w], convAttrs(s, pad));
    const convBackInput = (sizes: string, w: string, dy: string, s: number, pad: 'SAME' | 'VALID') => g.op('Conv2DBackpropInput', [sizes, w, dy], convAttrs(s, pad));
    const convBackFilter = (x: string, w: tf.Variable, dy: string, s: number, pad: 'SAME' | 'VALID') => g.op('Conv2DBackpropFilter', [x, g.constInt(w.shape, [4]), dy], convAttrs(s, pad));
    const biasAdd = (x: string, b: string) => g.op('BiasAdd', [x, b], { T: F, data_format: NHWC });
    const biasGrad = (dy: string) => g.op('BiasAddGrad', [dy], { T: F, data_format: NHWC });
    const lrelu = (x: string) => g.op('LeakyRelu', [x], { T: F, alpha: A.f(LEAKY_SLOPE) });
    const lreluGrad = (dy: string, x: string) => g.op('LeakyReluGrad', [dy, x], { T: F, alpha: A.f(LEAKY_SLOPE) });
    const bnAttrs = (): Record<string, Attr> => ({ T: F, U: F, epsilon: A.f(BN_EPS), data_format: NHWC, is_training: A.b(true) });
    const mul = (a: string, b: string) => g.op('Mul', [a, b], { T: F });
    const matmul = (a: string, b: string, ta: boolean, tb: boolean) => g.op('MatMul', [a, b], { T: F, transpose_a: A.b(ta), transpose_b: A.b(tb) });
    const reshape = (t: string, shape: number[]) => g.op('Reshape', [t, g.constInt(shape, [shape.length])], { T: F, Tshape: I32 });
    const empty = g.constFloat([], [0], 'empty');
    const W = (l: ConvLayer) => this.value(l.W), B = (l: ConvLayer) => this.value(l.b);

    const x = g.placeholder('x', DT.float, [-1, ...this.inShape]);
    // Batch size of this step (the last batch of an epoch may be smaller), for the transposed convs' output sizes.
    const shapeOf = (t: string) => g.op('Shape', [t], { T: F, out_type: I32 });
    const nvec = g.op('Slice', [shapeOf(x), g.constInt([0], [1]), g.constInt([1], [1])], { T: I32, Index: I32 });
    const batchSizes = (h: number, w: number, c: number) => g.op('ConcatV2', [nvec, g.constInt([h, w, c], [3]), g.constInt(0)], { T: I32, N: A.i(2), Tidx: I32 });

    /**
     * Transposed conv, filter [4, 4, outC, inC], stride 2, 'SAME' (one pixel of padding): [n, h, w, inC] -> [n, 2h, 2w, outC].
     * Output row 2a uses input rows a-1, a with filter rows 3, 1; row 2a+1 uses rows a, a+1 with filter rows 2, 0
     * (columns alike). So: pad the input by one, a 2x2 stride-1 'VALID' Conv2D with the four phase kernels side by
     * side in the output channels, the phase (r, c) read at offset (r, c), and DepthToSpace interleaves the phases.
     */
    const convT2 = (h: string, hw: [number, number], w: string, outC: number): string => {
      if (!usePhases) return convBackInput(batchSizes(2 * hw[0], 2 * hw[1], outC), w, h, 2, 'SAME');
      const wt = g.op('Transpose', [w, g.constInt([0, 1, 3, 2], [4])], { T: F, Tperm: I32 }); // [4, 4, inC, outC]
      const taps = [g.constInt([3, 1], [2]), g.constInt([2, 0], [2])];
      const gather = (p: string, idx: string, axis: number) => g.op('GatherV2', [p, idx, g.constInt(axis)], { Tparams: F, Tindices: I32, Taxis: I32, batch_dims: A.i(0) });
      const rows = taps.map((t) => gather(wt, t, 0));
      const kernels: string[] = [];
      for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) kernels.push(gather(rows[r], taps[c], 1));
      const k = g.op('ConcatV2', [...kernels, g.constInt(3)], { T: F, N: A.i(4), Tidx: I32 }); // [2, 2, inC, 4 outC]
      const hp = g.op('Pad', [h, g.constInt([0, 0, 1, 1, 1, 1, 0, 0], [4, 2])], { T: F, Tpaddings: I32 });
      const all4 = conv2d(hp, k, 1, 'VALID'); // [n, h + 1, w + 1, 4 outC]
      const phases: string[] = [];
      for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) {
        phases.push(g.op('Slice', [all4, g.constInt([0, r, c, (2 * r + c) * outC], [4]), g.constInt([-1, hw[0], hw[1], outC], [4])], { T: F, Index: I32 }));
      }
      return g.op('DepthToSpace', [g.op('ConcatV2', [...phases, g.constInt(3)], { T: F, N: A.i(4), Tidx: I32 })], { T: F, block_size: A.i(2), data_format: NHWC });
    };

    /**
     * Filter gradient of a 4x4 / stride-2 'SAME' conv of h ([n, 2H, 2W, Ci]) with output gradient dy ([n, H, W, Co]):
     * dW[2q + r, 2p + c, i, o] = sum_{n,a,b} hp[n, 2(a + q) + r, 2(b + p) + c, i] dy[n, a, b, o] (hp: h padded by one)
     * is, over the SpaceToDepth phases of hp, a stride-1 'VALID' correlation with the batch as the channels:
     * Conv2D(phases^T [4 Ci, H + 1, W + 1, n], dy^T [H, W, n, Co]) -> [4 Ci, 2, 2, Co], rearranged to [4, 4, Ci, Co].
     */
    const filterGrad2 = (h: string, w: tf.Variable, dyn: string): string => {
      if (!usePhases) return convBackFilter(h, w, dyn, 2, 'SAME');
      const [, , ci, co] = w.shape;
      const tr = (t: string, perm: number[]) => g.op('Transpose', [t, g.constInt(perm, [perm.length])], { T: F, Tperm: I32 });
      const hp = g.op('Pad', [h, g.constInt([0, 0, 1, 1, 1, 1, 0, 0], [4, 2])], { T: F, Tpaddings: I32 });
      const ph = g.op('SpaceToDepth', [hp], { T: F, block_size: A.i(2), data_format: NHWC });
      const o = conv2d(tr(ph, [3, 1, 2, 0]), tr(dyn, [1, 2, 0, 3]), 1, 'VALID');
      return reshape(tr(reshape(o, [2, 2, ci, 2, 2, co]), [3, 0, 4, 1, 2, 5]), w.shape);
    };

    // ---- forward
    const bnNodes: string[] = [];
    const bn = (a: string, l: BNLayer) => {
      const node = g.op('FusedBatchNormV3', [a, this.value(l.gamma), this.value(l.beta), empty, empty], { ...bnAttrs(), exponential_avg_factor: A.f(1) });
      bnNodes.push(node);
      return node;
    };
    const code = enc.codeDim, f3 = 7 * 7 * enc.c3.inC, f1 = 7 * 7 * dec.d1.outC;
    const a1 = biasAdd(conv2d(x, W(enc.c1), enc.c1.stride, 'SAME'), B(enc.c1));
    const n1 = bn(a1, enc.bn1), h1 = lrelu(n1);
    const a2 = biasAdd(conv2d(h1, W(enc.c2), enc.c2.stride, 'SAME'), B(enc.c2));
    const n2 = bn(a2, enc.bn2), h2 = lrelu(n2);
    // The 7x7 'VALID' conv on a 7x7 input is a matrix product over the flattened (h, w, c) features.
    const h2f = reshape(h2, [-1, f3]), w3 = reshape(W(enc.c3), [f3, code]);
    const z = biasAdd(matmul(h2f, w3, false, false), B(enc.c3)); // [n, code]
    // ... and its transpose (7x7 'VALID' transposed conv on the 1x1 code) the product with the filter's transpose.
    const wd1 = reshape(W(dec.d1), [f1, code]);
    const a4 = biasAdd(reshape(matmul(z, wd1, false, true), [-1, 7, 7, dec.d1.outC]), B(dec.d1));
    const n4 = bn(a4, dec.bn1), h4 = lrelu(n4);
    const a5 = biasAdd(convT2(h4, [7, 7], W(dec.d2), dec.d2.outC), B(dec.d2));
    const n5 = bn(a5, dec.bn2), h5 = lrelu(n5);
    const a6 = biasAdd(convBackInput(batchSizes(28, 28, dec.d3.outC), W(dec.d3), h5, dec.d3.stride, 'SAME'), B(dec.d3));
    const y = g.op('Sigmoid', [a6], { T: F });

    // ---- loss: mean over every pixel of |y - x| or (y - x)^2
    const diff = g.op('Sub', [y, x], { T: F });
    const nf = g.op('Cast', [g.op('Size', [diff], { T: F, out_type: I32 })], { SrcT: I32, DstT: F });
    const mean = (t: string) => g.op('Mean', [t, g.constInt([0, 1, 2, 3], [4])], { T: F, Tidx: I32, keep_dims: A.b(false) });
    let value: string, dy: string;
    if (loss === 'l1') {
      value = mean(g.op('Abs', [diff], { T: F }));
      dy = mul(g.op('Sign', [diff], { T: F }), g.op('RealDiv', [g.constFloat(1), nf], { T: F }));
    } else {
      value = mean(g.op('Square', [diff], { T: F }));
      dy = mul(diff, g.op('RealDiv', [g.constFloat(2), nf], { T: F }));
    }

    // ---- backward
    const bnGrad = (dn: string, a: string, l: BNLayer, node: string) => {
      const r = g.op('FusedBatchNormGradV3', [dn, a, this.value(l.gamma), `${node}:3`, `${node}:4`, `${node}:5`], bnAttrs());
      this.addGrad(l.gamma, `${r}:1`);
      this.addGrad(l.beta, `${r}:2`);
      return r; // output 0: dL/da
    };
    const da6 = g.op('SigmoidGrad', [y, dy], { T: F });
    this.addGrad(dec.d3.b, biasGrad(da6));
    // Transposed conv y = conv^T(h; W): dW = Conv2DBackpropFilter(input = dy, out_backprop = h), dh = Conv2D(dy, W).
    this.addGrad(dec.d3.W, convBackFilter(da6, dec.d3.W, h5, dec.d3.stride, 'SAME'));
    const dh5 = conv2d(da6, W(dec.d3), dec.d3.stride, 'SAME');
    const da5 = bnGrad(lreluGrad(dh5, n5), a5, dec.bn2, bnNodes[3]);
    this.addGrad(dec.d2.b, biasGrad(da5));
    this.addGrad(dec.d2.W, filterGrad2(da5, dec.d2.W, h4));
    const dh4 = conv2d(da5, W(dec.d2), dec.d2.stride, 'SAME');
    const da4 = bnGrad(lreluGrad(dh4, n4), a4, dec.bn1, bnNodes[2]);
    this.addGrad(dec.d1.b, biasGrad(da4));
    const da4f = reshape(da4, [-1, f1]);
    this.addGrad(dec.d1.W, reshape(matmul(da4f, z, true, false), dec.d1.W.shape));
    const dz = matmul(da4f, wd1, false, false); // [n, code]
    // Conv y = conv(h; W): dW = Conv2DBackpropFilter(h, dy), dh = the transposed conv of dy.
    this.addGrad(enc.c3.b, biasGrad(dz));
    this.addGrad(enc.c3.W, reshape(matmul(h2f, dz, true, false), enc.c3.W.shape));
    const dh2 = reshape(matmul(dz, w3, false, true), [-1, 7, 7, enc.c3.inC]);
    const da2 = bnGrad(lreluGrad(dh2, n2), a2, enc.bn2, bnNodes[1]);
    this.addGrad(enc.c2.b, biasGrad(da2));
    this.addGrad(enc.c2.W, filterGrad2(h1, enc.c2.W, da2));
    const dh1 = convT2(da2, [7, 7], W(enc.c2), enc.c2.inC);
    const da1 = bnGrad(lreluGrad(dh1, n1), a1, enc.bn1, bnNodes[0]);
    this.addGrad(enc.c1.b, biasGrad(da1));
    this.addGrad(enc.c1.W, convBackFilter(x, enc.c1.W, da1, enc.c1.stride, 'SAME'));

    // ---- BatchNorm running moments (fed in, new values fetched): (1 - m) running + m batch, the batch variance
    // Bessel-corrected as conv28.ts does (FusedBatchNormV3's batch_variance output already is).
    const keep = g.constFloat(1 - BN_MOMENTUM), mom = g.constFloat(BN_MOMENTUM);
    const extras: string[] = [];
    this.bns.forEach((l, k) => {
      const rm = this.fed(l.mean), rv = this.fed(l.variance); // fed with the current running moments every step
      extras.push(g.op('AddV2', [mul(rm, keep), mul(`${bnNodes[k]}:1`, mom)], { T: F }));
      extras.push(g.op('AddV2', [mul(rv, keep), mul(`${bnNodes[k]}:2`, mom)], { T: F }));
    });
    this.compile(value, extras);
  }

  /**
   * One Adam step on the batch `x` ([n, 28, 28, c] in [0, 1]; the autoencoder's target is x). Updates the weights
   * and the BatchNorm running moments; returns the batch loss before the step (caller disposes).
   */
  step(x: tf.Tensor4D): tf.Scalar {
    if (x.rank !== 4 || x.shape[1] !== this.inShape[0] || x.shape[2] !== this.inShape[1] || x.shape[3] !== this.inShape[2]) {
      throw new InputError(`ConvGraphAdam.step: x must be [n, ${this.inShape.join(', ')}], got [${x.shape}]`);
    }
    const outs = this.runStep({ x });
    this.bns.forEach((l, k) => {
      l.mean.assign(outs[1 + 2 * k]);
      l.variance.assign(outs[2 + 2 * k]);
    });
    tf.dispose(outs.slice(1));
    return outs[0] as tf.Scalar;
  }
}
