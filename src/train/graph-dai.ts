/**
 * The training step of Dai et al.'s VAE / AE-l2 / AE-l1 (src/models/dai-vae.ts, tau = 1) as ONE TensorFlow graph run.
 *
 * Objective per batch of B rows (dai-vae.ts `objective`, weight decay included):
 *   h = ReLU encoder(x);  mu = h Wmu + bmu;  VAE: lv = h Wlv + blv, z = mu + exp(lv / 2) eps;  AE: z = mu
 *   mx = decoder(z) (ReLU hidden layers, linear output);  r2 = (x - mx)^2;  s2 = max(r2, alpha)
 *   loss = mean_i sum_j [log s2 + r2 / s2]  +  mean_i latent_i  +  C1 sum ||theta||^2
 *   latent = sum_k (exp(lv) + mu^2 - lv - 1)  (VAE: 2 KL),   C2 sum mu^2  (AE-l2),   C2 sum |mu|  (AE-l1)
 * Backward pass written out: d(log s2 + r2 / s2)/d r2 = 1 / s2 on both sides of alpha (the max passes its
 * gradient to r2 where r2 >= alpha, as tf.maximum's gradient does), so dL/dmx = 2 (mx - x) / (s2 B);
 *   dL/dmu = dL/dz + 2 mu / B (VAE), 2 C2 mu / B (l2), C2 sign(mu) / B (l1);
 *   dL/dlv = dL/dz * eps * exp(lv / 2) / 2 + (exp(lv) - 1) / B;   every weight also gets 2 C1 W.
 * Adam per variable through src/train/graph-adam.ts (elementwise, so the same update as the eager path's Adam on
 * one flat parameter vector). Tested equal to the tfjs-autodiff step (test/train/graph-dai.test.ts).
 */
import { tf } from '../backend';
import { A, DT } from './graph';
import { F, GraphAdam, GraphAdamOptions } from './graph-adam';
import { batchRows, denseBackwardGraph, denseForwardGraph, linearHeadGraph } from './graph-dense';
import { FusedDenseLayer } from './fused';
import { InputError } from '../validate';

type Layer = { W: tf.Variable; b: tf.Variable };

export interface DaiGraphLayers { enc: Layer[]; muHead: Layer; logVarHead: Layer | null; dec: Layer[] }

export interface DaiGraphOptions extends GraphAdamOptions {
  latentPenalty: 'kl' | 'l2' | 'l1';
  c2: number;
  weightDecay: number;
  minVariance: number;
}

export class DaiGraphAdam extends GraphAdam {
  readonly latentDim: number;
  readonly isVAE: boolean;

  constructor(net: DaiGraphLayers, opts: DaiGraphOptions) {
    super('DaiGraphAdam', opts);
    if (!net.dec.length) throw new InputError('DaiGraphAdam: the decoder has no layers');
    this.isVAE = net.logVarHead !== null;
    if (this.isVAE !== (opts.latentPenalty === 'kl')) throw new InputError('DaiGraphAdam: the KL goes with a variance head (the VAE), l2 / l1 without (the AEs)');
    if (!(opts.minVariance > 0)) throw new InputError(`DaiGraphAdam: minVariance must be > 0, got ${opts.minVariance}`);
    this.latentDim = net.muHead.W.shape[1]!;
    const g = this.g;
    const val = (t: tf.Tensor) => this.value(t);
    const add = (t: tf.Tensor, gr: string) => this.addGrad(t, gr);
    const op = (name: string, ins: string[]) => g.op(name, ins, { T: F });
    const c = (v: number) => g.constFloat(v);
    const sum1 = (t: string) => g.op('Sum', [t, g.constInt(1)], { T: F, Tidx: A.type(DT.int32), keep_dims: A.b(false) });
    const mean0 = (t: string) => g.op('Mean', [t, g.constInt(0)], { T: F, Tidx: A.type(DT.int32), keep_dims: A.b(false) });

    const d = (net.enc.length ? net.enc[0].W.shape[0] : net.muHead.W.shape[0])!;
    const x = g.placeholder('x', DT.float, [-1, d]);
    const encL: FusedDenseLayer[] = net.enc.map((l) => ({ W: l.W, b: l.b, act: 'relu' }));
    const decL: FusedDenseLayer[] = net.dec.map((l, i) => ({ W: l.W, b: l.b, act: i + 1 < net.dec.length ? 'relu' : 'linear' }));
    const fe = denseForwardGraph(g, x, encL, val);
    const h = fe.out;
    const muHead = linearHeadGraph(g, h, net.muHead, val, add);
    const lvHead = net.logVarHead ? linearHeadGraph(g, h, net.logVarHead, val, add) : null;
    const mu = muHead.out;
    const invB = op('RealDiv', [c(1), batchRows(g, x)]);
    let z = mu, latent: string, lv = '', v = '', sdEps = '';
    if (this.isVAE) {
      const eps = g.placeholder('noise', DT.float, [-1, this.latentDim]);
      lv = lvHead!.out;
      v = op('Exp', [lv]);
      sdEps = op('Mul', [op('Exp', [op('Mul', [lv, c(0.5)])]), eps]);
      z = op('AddV2', [mu, sdEps]);
      latent = sum1(op('Sub', [op('AddV2', [v, op('Square', [mu])]), op('AddV2', [lv, c(1)])]));
    } else {
      latent = op('Mul', [sum1(opts.latentPenalty === 'l2' ? op('Square', [mu]) : op('Abs', [mu])), c(opts.c2)]);
    }
    const fd = denseForwardGraph(g, z, decL, val);
    const diff = op('Sub', [fd.out, x]);
    const r2 = op('Square', [diff]);
    const s2 = op('Maximum', [r2, c(opts.minVariance)]);
    const data = sum1(op('AddV2', [op('Log', [s2]), op('RealDiv', [r2, s2])]));
    const dataMean = mean0(data), latentMean = mean0(latent);
    let loss = op('AddV2', [dataMean, latentMean]);

    // Backward.
    const dmx = op('Mul', [op('RealDiv', [diff, s2]), op('Mul', [invB, c(2)])]);
    const dz = denseBackwardGraph(g, decL, fd, dmx, val, add, true)!;
    let dmu: string;
    if (this.isVAE) dmu = op('AddV2', [dz, op('Mul', [mu, op('Mul', [invB, c(2)])])]);
    else if (opts.latentPenalty === 'l2') dmu = op('AddV2', [dz, op('Mul', [mu, op('Mul', [invB, c(2 * opts.c2)])])]);
    else dmu = op('AddV2', [dz, op('Mul', [op('Sign', [mu]), op('Mul', [invB, c(opts.c2)])])]);
    let dh = muHead.back(dmu);
    if (this.isVAE) {
      const dlv = op('AddV2', [op('Mul', [op('Mul', [dz, sdEps]), c(0.5)]), op('Mul', [op('Sub', [v, c(1)]), invB])]);
      dh = op('AddV2', [dh, lvHead!.back(dlv)]);
    }
    if (encL.length) denseBackwardGraph(g, encL, fe, dh, val, add, false);
    // Weight decay C1 sum ||theta||^2 on every parameter.
    if (opts.weightDecay > 0) {
      const all = [...net.enc, net.muHead, ...(net.logVarHead ? [net.logVarHead] : []), ...net.dec].flatMap((l) => [l.W, l.b]);
      const squares = all.map((w) => g.op('Sum', [op('Square', [val(w)]), g.constInt(Array.from({ length: w.rank }, (_, i) => i), [w.rank])], { T: F, Tidx: A.type(DT.int32), keep_dims: A.b(false) }));
      loss = op('AddV2', [loss, op('Mul', [g.op('AddN', squares, { T: F, N: A.i(squares.length) }), c(opts.weightDecay)])]);
      for (const w of all) add(w, op('Mul', [val(w), c(2 * opts.weightDecay)]));
    }
    this.compile(loss, [dataMean, latentMean]);
  }

  /** One Adam step on the batch `x` (noise: the standard-normal draw, VAE only). Returns the loss and its parts (caller disposes). */
  step(x: tf.Tensor2D, noise?: tf.Tensor2D): { loss: tf.Scalar; data: tf.Scalar; latent: tf.Scalar } {
    const feeds: Record<string, tf.Tensor> = { x };
    if (this.isVAE) {
      if (!noise || noise.shape[0] !== x.shape[0] || noise.shape[1] !== this.latentDim) throw new InputError(`DaiGraphAdam.step: the VAE needs noise of shape [${x.shape[0]}, ${this.latentDim}], got ${noise ? `[${noise.shape}]` : 'none'}`);
      feeds.noise = noise;
    }
    const [loss, data, latent] = this.runStep(feeds) as tf.Scalar[];
    return { loss, data, latent };
  }
}
