/**
 * The VAE training step of src/models/vae.ts (Ren et al.'s MLP VAE) as ONE TensorFlow graph run.
 *
 *   encoder  h = act(... act(x W1 + b1) ...)          (the hidden layers)
 *   heads    mu = h Wmu + bmu,  lv = h Wlv + blv
 *   sample   z = mu + s * eps,  s = exp(lv / 2) ('sigma') or exp(lv) ('authors-code'); eps fed (same draw as eager)
 *   decoder  a = logits of the mirrored stack (hidden activation, linear last layer)
 *   loss     mean over the batch of recon + KL,   recon = sum_j softplus(a) - x a         (Bernoulli)
 *                                                         = sum_j (x - sigmoid(a))^2 / (2 sd^2)  (Gaussian)
 *                                                 KL = -1/2 sum_k (1 + lv - mu^2 - exp(lv))
 * Backward pass written out (n = batch rows):
 *   dL/da  = (sigmoid(a) - x) / n  (Bernoulli);  SigmoidGrad(sigmoid(a), (sigmoid(a) - x) / (sd^2 n))  (Gaussian)
 *   dL/dmu = dL/dz + mu / n;   dL/dlv = dL/dz * c s eps + (exp(lv) - 1) / (2 n),  c = 1/2 or 1
 *   dL/dh  = dmu Wmu^T + dlv Wlv^T, then the encoder's dense backward pass.
 * Adam through src/train/graph-adam.ts; tested equal to the tfjs-autodiff VAE step (test/train/graph-vae.test.ts).
 */
import { tf } from '../backend';
import { A, DT } from './graph';
import { F, GraphAdam, GraphAdamOptions } from './graph-adam';
import { batchRows, denseBackwardGraph, denseForwardGraph, linearHeadGraph } from './graph-dense';
import { FusedActivation, FusedDenseLayer } from './fused';
import { InputError } from '../validate';

export interface VaeGraphLayers {
  /** Encoder hidden layers (W: in x out, b), all with `activation`. */
  enc: { W: tf.Variable; b: tf.Variable }[];
  muHead: { W: tf.Variable; b: tf.Variable };
  lvHead: { W: tf.Variable; b: tf.Variable };
  /** Decoder layers: `activation` on all but the last, which gives the logits. */
  dec: { W: tf.Variable; b: tf.Variable }[];
  activation: FusedActivation;
}

export interface VaeGraphOptions extends GraphAdamOptions {
  likelihood: 'bernoulli' | 'gaussian';
  /** Decoder standard deviation of the Gaussian likelihood. */
  gaussianStd?: number;
  reparam: 'sigma' | 'authors-code';
}

/** Adam on the MLP VAE's negative ELBO, one graph run per step. `dispose()` frees the session. */
export class VaeGraphAdam extends GraphAdam {
  readonly latentDim: number;

  constructor(net: VaeGraphLayers, opts: VaeGraphOptions) {
    super('VaeGraphAdam', opts);
    if (!net.dec.length) throw new InputError('VaeGraphAdam: the decoder has no layers');
    if (opts.likelihood !== 'bernoulli' && opts.likelihood !== 'gaussian') throw new InputError(`VaeGraphAdam: unknown likelihood "${opts.likelihood as string}"`);
    if (opts.reparam !== 'sigma' && opts.reparam !== 'authors-code') throw new InputError(`VaeGraphAdam: unknown reparam "${opts.reparam as string}"`);
    const sd = opts.gaussianStd ?? 1;
    if (opts.likelihood === 'gaussian' && !(sd > 0)) throw new InputError(`VaeGraphAdam: gaussianStd must be > 0, got ${sd}`);
    this.latentDim = net.muHead.W.shape[1]!;
    const g = this.g;
    const val = (t: tf.Tensor) => this.value(t);
    const add = (t: tf.Tensor, gr: string) => this.addGrad(t, gr);
    const op = (name: string, ins: string[]) => g.op(name, ins, { T: F });
    const sum1 = (t: string) => g.op('Sum', [t, g.constInt(1)], { T: F, Tidx: A.type(DT.int32), keep_dims: A.b(false) });
    const mean0 = (t: string) => g.op('Mean', [t, g.constInt(0)], { T: F, Tidx: A.type(DT.int32), keep_dims: A.b(false) });

    const d = net.enc.length ? net.enc[0].W.shape[0]! : net.muHead.W.shape[0]!;
    const x = g.placeholder('x', DT.float, [-1, d]);
    const eps = g.placeholder('noise', DT.float, [-1, this.latentDim]);
    const encL: FusedDenseLayer[] = net.enc.map((l) => ({ W: l.W, b: l.b, act: net.activation }));
    const decL: FusedDenseLayer[] = net.dec.map((l, i) => ({ W: l.W, b: l.b, act: i + 1 < net.dec.length ? net.activation : 'linear' }));
    const fe = denseForwardGraph(g, x, encL, val);
    const h = fe.out;
    const muHead = linearHeadGraph(g, h, net.muHead, val, add), lvHead = linearHeadGraph(g, h, net.lvHead, val, add);
    const mu = muHead.out, lv = lvHead.out;
    const c = opts.reparam === 'sigma' ? 0.5 : 1;
    const elv = op('Exp', [lv]);
    const s = c === 1 ? elv : op('Exp', [op('Mul', [lv, g.constFloat(c)])]);
    const seps = op('Mul', [s, eps]);
    const z = op('AddV2', [mu, seps]);
    const fd = denseForwardGraph(g, z, decL, val);
    const a = fd.out;
    const invN = op('RealDiv', [g.constFloat(1), batchRows(g, x)]);
    const sig = op('Sigmoid', [a]);
    let recon: string, da: string;
    if (opts.likelihood === 'bernoulli') {
      recon = sum1(op('Sub', [op('Softplus', [a]), op('Mul', [x, a])]));
      da = op('Mul', [op('Sub', [sig, x]), invN]);
    } else {
      const k = 1 / (sd * sd);
      recon = op('Mul', [sum1(op('SquaredDifference', [x, sig])), g.constFloat(k / 2)]);
      da = g.op('SigmoidGrad', [sig, op('Mul', [op('Sub', [sig, x]), op('Mul', [invN, g.constFloat(k)])])], { T: F });
    }
    // KL = -1/2 sum(1 + lv - mu^2 - exp(lv))
    const kl = op('Mul', [sum1(op('Sub', [op('Sub', [op('AddV2', [lv, g.constFloat(1)]), op('Square', [mu])]), elv])), g.constFloat(-0.5)]);
    const loss = mean0(op('AddV2', [recon, kl]));
    const reconMean = mean0(recon), klMean = mean0(kl);

    const dz = denseBackwardGraph(g, decL, fd, da, val, add, true)!;
    const dmu = op('AddV2', [dz, op('Mul', [mu, invN])]);
    const dlv = op('AddV2', [op('Mul', [op('Mul', [dz, seps]), g.constFloat(c)]), op('Mul', [op('Sub', [elv, g.constFloat(1)]), op('Mul', [invN, g.constFloat(0.5)])])]);
    const dh = op('AddV2', [muHead.back(dmu), lvHead.back(dlv)]);
    if (encL.length) denseBackwardGraph(g, encL, fe, dh, val, add, false);
    this.compile(loss, [reconMean, klMean]);
  }

  /**
   * One Adam step on the batch `x` with the standard-normal draw `noise` (rows x latentDim). Returns the batch
   * loss and its two parts (mean per image, before the update; caller disposes).
   */
  step(x: tf.Tensor2D, noise: tf.Tensor2D): { loss: tf.Scalar; recon: tf.Scalar; kl: tf.Scalar } {
    if (noise.shape[0] !== x.shape[0] || noise.shape[1] !== this.latentDim) throw new InputError(`VaeGraphAdam.step: noise must be [${x.shape[0]}, ${this.latentDim}], got [${noise.shape}]`);
    const [loss, recon, kl] = this.runStep({ x, noise }) as tf.Scalar[];
    return { loss, recon, kl };
  }
}
