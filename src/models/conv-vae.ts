/**
 * Convolutional VAE for 64x64 RGB images: Ren et al. 2020's CelebA model (Appendix B.2: "nine hidden layers which
 * project the input data of CelebA from 64x64x3 to 32x32x64, 16x16x128, 8x8x256, 4x4x512 and 100 dimensions with
 * convolutional layers and decode it back to 64x64x3"), as in the authors' PyTorch code
 * (`Pytorch/RVAE/BasicAutoencoder/DeepCNNVAE.py`, a DCGAN-style VAE):
 *
 *   encoder  conv 4x4 stride 2 (pad 1): 3 -> 64 (LeakyReLU 0.2), 64 -> 128, 128 -> 256, 256 -> 512 (BatchNorm +
 *            LeakyReLU), flatten 4*4*512 -> linear mu (100), linear logVar (100)
 *   decoder  linear 100 -> 4*4*512 (ReLU), transposed conv 4x4 stride 2: 512 -> 256 -> 128 -> 64 (BatchNorm + ReLU),
 *            64 -> 3 (BatchNorm, sigmoid)
 *   loss     Bernoulli cross-entropy summed over pixels + KL; Adam lr 1e-4, betas (0.5, 0.999), batch 128;
 *            z = mu + exp(logVar / 2) eps (their PyTorch code has the correct reparameterisation).
 * BatchNorm uses batch statistics in training and running averages (momentum 0.1, PyTorch's) at inference.
 * Rows of X are images flattened in HWC order (the `ImageSet` layout), so the model takes the same n x d matrices
 * as the MLP VAE and can be the inner model of the RVAE (`new RVAE({ architecture: 'conv', ... })`).
 * `channels` and `imageShape` are options, so tests run it on small fixture images.
 */
import { tf } from '../backend';
import { Rng } from '../random';
import { mapBatches, makeOptimizer } from '../train/loop';
import { Progress } from '../progress';
import { BaseModel, EpochRecord, FitOptions, Generative, Reconstructor } from './base';
import { InnerContext, InnerModel } from '../train/alternating';
import { assertInt, assertPositive, InputError } from '../validate';

export interface ConvVAEOptions {
  /** [height, width, channels]; height and width divisible by 2^channels.length. */
  imageShape: [number, number, number];
  /** Feature maps of the stride-2 convolutions (the decoder mirrors them). */
  channels: number[];
  latentDim: number;
  batchNorm: boolean;
  epochs: number;
  batchSize: number;
  learningRate: number;
  beta1: number;
  shuffle: boolean;
  seed: number;
}

export const CONV_VAE_DEFAULTS: ConvVAEOptions = {
  imageShape: [64, 64, 3],
  channels: [64, 128, 256, 512],
  latentDim: 100,
  batchNorm: true,
  epochs: 100,
  batchSize: 128,
  learningRate: 1e-4,
  beta1: 0.5,
  shuffle: true,
  seed: 0,
};

interface BN { gamma: tf.Variable; beta: tf.Variable; mean: tf.Variable; variance: tf.Variable }

function glorot(shape: number[], fanIn: number, fanOut: number, rng: Rng, name: string): tf.Variable {
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  const n = shape.reduce((a, b) => a * b, 1);
  return own(tf.tensor(rng.uniformArray(n, -lim, lim), shape), true, name);
}

/** A variable from a fresh tensor; the tensor itself is released (the variable keeps the data). */
function own(t: tf.Tensor, trainable: boolean, name: string): tf.Variable {
  const v = tf.variable(t, trainable, `${name}_${uidN++}`);
  t.dispose();
  return v;
}
let uidN = 0;

export class ConvVAE extends BaseModel<ConvVAEOptions> implements Reconstructor, Generative, InnerModel {
  private vars: Record<string, tf.Variable> = {};
  private bns: Record<string, BN> = {};
  private optimizer: tf.Optimizer | null = null;
  private rng: Rng;
  private pendingStats: { key: string; mean: tf.Tensor; variance: tf.Tensor }[] = [];
  private epochsDone = 0;

  constructor(opts: Partial<ConvVAEOptions> = {}) {
    super(CONV_VAE_DEFAULTS, opts);
    const p = this.params;
    const [h, w, c] = p.imageShape;
    const f = 2 ** p.channels.length;
    if (!Number.isInteger(h / f) || !Number.isInteger(w / f) || c < 1) throw new InputError(`ConvVAE: imageShape [${p.imageShape}] must have height and width divisible by ${f}`);
    assertInt(p.latentDim, 'ConvVAE latentDim');
    assertInt(p.batchSize, 'ConvVAE batchSize');
    assertPositive(p.learningRate, 'ConvVAE learningRate');
    this.rng = new Rng(p.seed).fork('convvae');
  }

  get built(): boolean { return this.optimizer !== null; }

  get variables(): tf.Variable[] {
    return [...Object.values(this.vars), ...Object.values(this.bns).flatMap((b) => [b.gamma, b.beta])];
  }

  get nParams(): number { return this.variables.reduce((s, v) => s + v.size, 0); }

  private bottom(): [number, number, number] {
    const p = this.params;
    const f = 2 ** p.channels.length;
    return [p.imageShape[0] / f, p.imageShape[1] / f, p.channels[p.channels.length - 1]];
  }

  private build(): void {
    if (this.built) return;
    const p = this.params;
    const r = new Rng(p.seed).fork('convvae-init');
    const cin = p.imageShape[2];
    const ch = [cin, ...p.channels];
    for (let i = 0; i < p.channels.length; i++) {
      this.vars[`e${i}`] = glorot([4, 4, ch[i], ch[i + 1]], 16 * ch[i], 16 * ch[i + 1], r.fork(`e${i}`), `cvae_e${i}`);
      this.vars[`eb${i}`] = own(tf.zeros([ch[i + 1]]), true, `cvae_eb${i}`);
      if (p.batchNorm && i > 0) this.bns[`e${i}`] = this.makeBN(ch[i + 1], `e${i}`);
    }
    const [bh, bw, bc] = this.bottom();
    const flat = bh * bw * bc;
    this.vars.mu = glorot([flat, p.latentDim], flat, p.latentDim, r.fork('mu'), 'cvae_mu');
    this.vars.mub = own(tf.zeros([p.latentDim]), true, 'cvae_mub');
    this.vars.lv = glorot([flat, p.latentDim], flat, p.latentDim, r.fork('lv'), 'cvae_lv');
    this.vars.lvb = own(tf.zeros([p.latentDim]), true, 'cvae_lvb');
    this.vars.d = glorot([p.latentDim, flat], p.latentDim, flat, r.fork('d'), 'cvae_d');
    this.vars.db = own(tf.zeros([flat]), true, 'cvae_db');
    const dch = [...ch].reverse(); // bc, ..., cin
    for (let i = 0; i < p.channels.length; i++) {
      // conv2dTranspose filter: [h, w, outChannels, inChannels]
      this.vars[`t${i}`] = glorot([4, 4, dch[i + 1], dch[i]], 16 * dch[i], 16 * dch[i + 1], r.fork(`t${i}`), `cvae_t${i}`);
      this.vars[`tb${i}`] = own(tf.zeros([dch[i + 1]]), true, `cvae_tb${i}`);
      if (p.batchNorm) this.bns[`t${i}`] = this.makeBN(dch[i + 1], `t${i}`);
    }
    this.optimizer = makeOptimizer('adam', p.learningRate, { beta1: p.beta1, beta2: 0.999 });
  }

  private makeBN(c: number, key: string): BN {
    return {
      gamma: own(tf.ones([c]), true, `cvae_bn_g_${key}`),
      beta: own(tf.zeros([c]), true, `cvae_bn_b_${key}`),
      mean: own(tf.zeros([c]), false, `cvae_bn_m_${key}`),
      variance: own(tf.ones([c]), false, `cvae_bn_v_${key}`),
    };
  }

  private bn(x: tf.Tensor4D, key: string, training: boolean): tf.Tensor4D {
    const b = this.bns[key];
    if (!b) return x;
    if (training) {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      this.pendingStats.push({ key, mean: tf.keep(mean.clone()), variance: tf.keep(variance.clone()) });
      return tf.batchNorm(x, mean, variance, b.beta, b.gamma, 1e-5) as tf.Tensor4D;
    }
    return tf.batchNorm(x, b.mean, b.variance, b.beta, b.gamma, 1e-5) as tf.Tensor4D;
  }

  private applyPendingStats(): void {
    for (const s of this.pendingStats) {
      const b = this.bns[s.key];
      tf.tidy(() => {
        b.mean.assign(tf.add(tf.mul(b.mean, 0.9), tf.mul(s.mean, 0.1)));
        b.variance.assign(tf.add(tf.mul(b.variance, 0.9), tf.mul(s.variance, 0.1)));
      });
      s.mean.dispose(); s.variance.dispose();
    }
    this.pendingStats = [];
  }

  private encodeRaw(X: tf.Tensor2D, training: boolean): { mu: tf.Tensor2D; logVar: tf.Tensor2D } {
    const p = this.params;
    const [h, w, c] = p.imageShape;
    let x = X.reshape([X.shape[0], h, w, c]) as tf.Tensor4D;
    for (let i = 0; i < p.channels.length; i++) {
      x = tf.add(tf.conv2d(x, this.vars[`e${i}`] as unknown as tf.Tensor4D, 2, 'same'), this.vars[`eb${i}`]) as tf.Tensor4D;
      x = this.bn(x, `e${i}`, training);
      x = tf.leakyRelu(x, 0.2);
    }
    const flat = x.reshape([X.shape[0], -1]) as tf.Tensor2D;
    return {
      mu: tf.add(tf.matMul(flat, this.vars.mu), this.vars.mub) as tf.Tensor2D,
      logVar: tf.add(tf.matMul(flat, this.vars.lv), this.vars.lvb) as tf.Tensor2D,
    };
  }

  private decodeLogits(Z: tf.Tensor2D, training: boolean): tf.Tensor2D {
    const p = this.params;
    const [bh, bw, bc] = this.bottom();
    const n = Z.shape[0];
    let x = tf.relu(tf.add(tf.matMul(Z, this.vars.d), this.vars.db)).reshape([n, bh, bw, bc]) as tf.Tensor4D;
    const dch = [p.imageShape[2], ...p.channels].reverse();
    for (let i = 0; i < p.channels.length; i++) {
      const [oh, ow] = [x.shape[1] * 2, x.shape[2] * 2];
      x = tf.add(tf.conv2dTranspose(x, this.vars[`t${i}`] as unknown as tf.Tensor4D, [n, oh, ow, dch[i + 1]], 2, 'same'), this.vars[`tb${i}`]) as tf.Tensor4D;
      x = this.bn(x, `t${i}`, training);
      if (i + 1 < p.channels.length) x = tf.relu(x);
    }
    return x.reshape([n, -1]) as tf.Tensor2D;
  }

  private lossParts(X: tf.Tensor2D, seed: number, training: boolean): { recon: tf.Tensor1D; kl: tf.Tensor1D } {
    const { mu, logVar } = this.encodeRaw(X, training);
    const eps = tf.randomNormal(mu.shape, 0, 1, 'float32', seed);
    const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as tf.Tensor2D;
    const logits = this.decodeLogits(z, training);
    const recon = tf.sum(tf.sub(tf.softplus(logits), tf.mul(X, logits)), 1) as tf.Tensor1D;
    const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mu)), tf.exp(logVar)), 1)) as tf.Tensor1D;
    return { recon, kl };
  }

  async fit(X: tf.Tensor2D, opts: FitOptions & { epochs?: number } = {}): Promise<this> {
    this.dispose();
    this.rng = new Rng(this.params.seed).fork('convvae');
    this.epochsDone = 0;
    this.history = { epochs: [], outer: [], seconds: 0 };
    return this.partialFit(X, opts);
  }

  /** More epochs on X keeping weights, BatchNorm statistics and Adam state. */
  async partialFit(X: tf.Tensor2D, opts: FitOptions & { epochs?: number } = {}): Promise<this> {
    const p = this.params;
    const d = p.imageShape[0] * p.imageShape[1] * p.imageShape[2];
    this.checkFitInput(X);
    if (X.shape[1] !== d) throw new InputError(`ConvVAE: rows must have ${d} values (imageShape [${p.imageShape}]), got ${X.shape[1]}`);
    this.build();
    this._fitted = true;
    const epochs = opts.epochs ?? p.epochs;
    assertInt(epochs, 'ConvVAE epochs', 0);
    const n = X.shape[0], bs = Math.min(p.batchSize, n), nb = Math.ceil(n / bs);
    const bar = new Progress(epochs, opts.label ?? 'ConvVAE', { enabled: opts.progress ?? epochs * nb > 20 });
    const t0 = Date.now();
    for (let e = 0; e < epochs; e++) {
      const te = Date.now();
      const perm = p.shuffle ? this.rng.permutation(n) : null;
      let total = 0;
      for (let b = 0; b < nb; b++) {
        const start = b * bs, size = Math.min(bs, n - start);
        const seed = this.rng.tfSeed();
        const l = tf.tidy(() => {
          const xb = perm ? tf.gather(X, tf.tensor1d(perm.subarray(start, start + size), 'int32')) as tf.Tensor2D : tf.slice(X, start, size);
          return this.optimizer!.minimize(() => {
            const { recon, kl } = this.lossParts(xb, seed, true);
            return tf.mean(tf.add(recon, kl)) as tf.Scalar;
          }, true, this.variables) as tf.Scalar;
        });
        this.applyPendingStats();
        total += l.dataSync()[0] * size;
        l.dispose();
      }
      const loss = total / n;
      if (!Number.isFinite(loss)) throw new Error(`ConvVAE: loss became ${loss} at epoch ${e + 1}`);
      const rec: EpochRecord = { epoch: this.epochsDone + e + 1, loss, seconds: (Date.now() - te) / 1000 };
      this.history.epochs.push(rec);
      bar.tick({ loss });
      if (opts.onEpoch?.(rec) === false) { this.epochsDone += e + 1; break; }
      if (e + 1 === epochs) this.epochsDone += epochs;
      await new Promise((r) => setImmediate(r));
    }
    bar.done();
    this.history.seconds += (Date.now() - t0) / 1000;
    this.history.stopped = 'epochs';
    return this;
  }

  async trainOn(L: tf.Tensor2D, epochs: number, ctx: InnerContext): Promise<EpochRecord[]> {
    const before = this.history.epochs.length;
    await this.partialFit(L, { epochs, progress: false, onEpoch: (r) => ctx.onEpoch(r) });
    return this.history.epochs.slice(before);
  }

  dataFit(L: tf.Tensor2D): number {
    return this.evaluate(L, 12345).loss * L.shape[0];
  }

  evaluate(X: tf.Tensor2D, seed = 0): { loss: number; recon: number; kl: number } {
    this.checkInput(X, 'evaluate');
    let recon = 0, kl = 0;
    const n = X.shape[0];
    for (let s = 0; s < n; s += 256) {
      const m = Math.min(256, n - s);
      const [r, k] = tf.tidy(() => {
        const parts = this.lossParts(X.slice([s, 0], [m, X.shape[1]]), seed + s, false);
        return [tf.sum(parts.recon), tf.sum(parts.kl)];
      });
      recon += r.dataSync()[0]; kl += k.dataSync()[0];
      r.dispose(); k.dispose();
    }
    return { loss: (recon + kl) / n, recon: recon / n, kl: kl / n };
  }

  reconstruct(X: tf.Tensor2D, opts: { mode?: 'mean' | 'sample'; seed?: number } = {}): tf.Tensor2D {
    this.checkInput(X, 'reconstruct');
    const seedRng = new Rng(opts.seed ?? 0).fork('recon');
    return mapBatches(X, 256, (xb) => {
      const { mu, logVar } = this.encodeRaw(xb as tf.Tensor2D, false);
      const z = opts.mode === 'sample' ? tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), tf.randomNormal(mu.shape, 0, 1, 'float32', seedRng.tfSeed()))) as tf.Tensor2D : mu;
      return tf.sigmoid(this.decodeLogits(z, false));
    }) as tf.Tensor2D;
  }

  sample(n: number, seed = 0): tf.Tensor2D {
    this.checkFitted('sample');
    assertInt(n, 'sample n');
    const Z = tf.tensor2d(new Rng(seed).fork('prior').normalArray(n * this.params.latentDim), [n, this.params.latentDim]);
    const out = mapBatches(Z, 256, (zb) => tf.sigmoid(this.decodeLogits(zb as tf.Tensor2D, false))) as tf.Tensor2D;
    Z.dispose();
    return out;
  }

  dispose(): void {
    for (const v of Object.values(this.vars)) v.dispose();
    for (const b of Object.values(this.bns)) { b.gamma.dispose(); b.beta.dispose(); b.mean.dispose(); b.variance.dispose(); }
    for (const s of this.pendingStats) { s.mean.dispose(); s.variance.dispose(); }
    this.vars = {}; this.bns = {}; this.pendingStats = [];
    this.optimizer?.dispose();
    this.optimizer = null;
    this._fitted = false;
  }
}
