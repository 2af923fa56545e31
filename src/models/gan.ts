/**
 * A fully connected GAN (Goodfellow et al. 2014), the GAN baseline of Ren et al. 2020 (Sec. 4, Tables 1-4:
 * "a GAN of the same size"). The generator has the VAE decoder's shape (latent -> reversed hidden -> d) and the
 * discriminator the encoder's shape (d -> hidden -> 1), so the GAN has about the VAE's parameter count (the VAE's
 * two latent heads are replaced by the one-unit discriminator output; `nParams` gives the exact number).
 *
 * Following the authors' code (`GAN_sameStructureVAE_SP.py`): ReLU hidden layers, weights N(0, 0.02^2)
 * (truncated normal there), zero biases, Adam with learning rate 2e-4, batch 200, consecutive batches, one
 * discriminator step then one generator step per batch, the non-saturating generator loss -log D(G(z)), and
 * dropout on every discriminator hidden layer (TF1 `keep_prob = 0.3`, i.e. drop rate 0.7).
 * Deviations: the output is a sigmoid (images in [0, 1]) where the code has tanh on [0, 1] data (its [-1, 1]
 * normalisation is commented out), and the losses use logits (softplus form) instead of log(D + 0.01).
 */
import { tf } from '../backend';
import { Rng } from '../random';
import { Activation, DenseLayer, mlp, denseForward, layerVariables, disposeLayers, countParams } from '../nets/mlp';
import { mapBatches } from '../train/loop';
import { CompiledStep, StepLoss } from '../train/compile';
import { BaseModel, EpochRecord, FitOptions, Generative } from './base';
import { Progress } from '../progress';
import { assertInt, assertInRange, assertPositive, InputError } from '../validate';

export interface GANOptions {
  /** Discriminator hidden sizes (d -> hidden -> 1); the generator uses them reversed (latent -> ... -> d). */
  hidden: number[];
  latentDim: number;
  activation: Activation;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Adam beta1 (TF1 default 0.9 in the authors' code). */
  beta1: number;
  /** Dropout rate on the discriminator's hidden layers (authors' code: keep_prob 0.3 -> rate 0.7). */
  dropoutRate: number;
  shuffle: boolean;
  seed: number;
  /**
   * true (default): on tfjs-node the discriminator step and the generator step (ganDiscriminatorLoss /
   * ganGeneratorLoss, tfjs's gradients of them, Adam) each run as ONE traced TensorFlow graph
   * (src/train/compile.ts); the same steps to float rounding as the eager ones (test/models/gan.test.ts).
   * false: tfjs autodiff step by step.
   */
  compiledStep: boolean;
}

export const GAN_DEFAULTS: GANOptions = {
  hidden: [512, 256],
  latentDim: 49,
  activation: 'relu',
  epochs: 600,
  batchSize: 200,
  learningRate: 2e-4,
  beta1: 0.9,
  dropoutRate: 0.7,
  shuffle: false,
  seed: 0,
  compiledStep: true,
};

export interface GANEpochRecord extends EpochRecord { dLoss: number; gLoss: number }

/** The two networks: G (latent -> hidden -> d, sigmoid output) and D (d -> hidden -> 1 logit). */
export interface GanNet { gen: DenseLayer[]; disc: DenseLayer[]; activation: Activation }

/** G(z): hidden layers with the activation, a sigmoid output (images in [0, 1]). */
export function ganGenerate(net: GanNet, z: tf.Tensor2D): tf.Tensor2D {
  let h = z;
  net.gen.forEach((l, i) => { h = denseForward(h, l, i + 1 < net.gen.length ? net.activation : 'linear'); });
  return tf.sigmoid(h);
}

/**
 * D's logits [B, 1]. `masks` (training): one dropout multiplier per hidden layer, [B, width] with entries 0 or
 * 1 / (1 - rate) (what tf.dropout multiplies by; drawn outside the step, see ganDropoutMasks); none = no dropout.
 */
export function ganDiscriminate(net: GanNet, x: tf.Tensor2D, masks: tf.Tensor[] = []): tf.Tensor2D {
  let h = x;
  net.disc.forEach((l, i) => {
    const last = i + 1 === net.disc.length;
    h = denseForward(h, l, last ? 'linear' : net.activation);
    if (!last && masks.length) h = tf.mul(h, masks[i]) as tf.Tensor2D;
  });
  return h;
}

/** The dropout multipliers of D's hidden layers for a batch of `rows` (tf.dropout of ones, seeds seed + i); [] when rate is 0. */
export function ganDropoutMasks(net: GanNet, rows: number, rate: number, seed: number): tf.Tensor2D[] {
  if (!(rate > 0)) return [];
  return net.disc.slice(0, -1).map((l, i) => tf.tidy(() => tf.dropout(tf.ones([rows, l.W.shape[1]!]), rate, undefined, seed + i) as tf.Tensor2D));
}

function splitMasks(net: GanNet, masks: tf.Tensor[], passes: number, who: string): tf.Tensor[][] {
  const k = net.disc.length - 1;
  if (masks.length !== 0 && masks.length !== passes * k) throw new InputError(`${who}: expects 0 or ${passes * k} dropout masks (${k} per pass), got ${masks.length}`);
  return Array.from({ length: passes }, (_, p) => masks.slice(p * k, (p + 1) * k));
}

/**
 * The discriminator's loss for CompiledStep, L_D = mean( softplus(-D(x)) + softplus(D(G(z))) ), i.e.
 * -log sigmoid(D(x)) - log(1 - sigmoid(D(G(z)))). Inputs [x, z, ...masks of the real pass, ...masks of the fake
 * pass] (no masks without dropout). G's weights are read, not trained.
 */
export function ganDiscriminatorLoss(net: GanNet): StepLoss {
  return (inputs) => {
    const [x, z, ...masks] = inputs;
    const [mr, mf] = splitMasks(net, masks, 2, 'GAN discriminator step');
    const real = ganDiscriminate(net, x as tf.Tensor2D, mr);
    const fake = ganDiscriminate(net, ganGenerate(net, z as tf.Tensor2D), mf);
    return tf.mean(tf.add(tf.softplus(tf.neg(real)), tf.softplus(fake))) as tf.Scalar;
  };
}

/** The generator's non-saturating loss, L_G = mean softplus(-D(G(z))) = -log sigmoid(D(G(z))). Inputs [z, ...masks]; D's weights are read, not trained. */
export function ganGeneratorLoss(net: GanNet): StepLoss {
  return (inputs) => {
    const [z, ...masks] = inputs;
    const [m] = splitMasks(net, masks, 1, 'GAN generator step');
    return tf.mean(tf.softplus(tf.neg(ganDiscriminate(net, ganGenerate(net, z as tf.Tensor2D), m)))) as tf.Scalar;
  };
}

export class GAN extends BaseModel<GANOptions> implements Generative {
  private gen: DenseLayer[] = [];
  private disc: DenseLayer[] = [];
  /** The steps' status after the last fit ('graph': each ran as one traced TensorFlow graph). */
  stepStatus: { d: string; g: string } | null = null;

  constructor(opts: Partial<GANOptions> = {}) {
    super(GAN_DEFAULTS, opts);
    const p = this.params;
    if (!Array.isArray(p.hidden) || p.hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new InputError(`GAN: hidden must be an array of positive integers, got ${JSON.stringify(p.hidden)}`);
    assertInt(p.latentDim, 'GAN latentDim');
    assertInt(p.epochs, 'GAN epochs', 0);
    assertInt(p.batchSize, 'GAN batchSize');
    assertPositive(p.learningRate, 'GAN learningRate');
    assertInRange(p.dropoutRate, 'GAN dropoutRate', 0, 0.99);
  }

  get nParams(): number { return countParams([...layerVariables(this.gen), ...layerVariables(this.disc)]); }
  get generatorParams(): number { return countParams(layerVariables(this.gen)); }

  private build(d: number): void {
    const p = this.params;
    const r = new Rng(p.seed).fork('gan-init');
    this.gen = mlp([p.latentDim, ...[...p.hidden].reverse(), d], r.fork('G'), 'gan_G', { std: 0.02 });
    this.disc = mlp([d, ...p.hidden, 1], r.fork('D'), 'gan_D', { std: 0.02 });
  }

  private get net(): GanNet { return { gen: this.gen, disc: this.disc, activation: this.params.activation }; }

  async fit(X: tf.Tensor2D, opts: FitOptions = {}): Promise<this> {
    this.checkFitInput(X);
    this.dispose();
    const p = this.params;
    const n = X.shape[0], d = X.shape[1];
    this.build(d);
    const rng = new Rng(p.seed).fork('gan-train');
    const bs = Math.min(p.batchSize, n), nb = Math.ceil(n / bs);
    const gVars = layerVariables(this.gen), dVars = layerVariables(this.disc);
    const bar = new Progress(p.epochs, opts.label ?? 'GAN', { enabled: opts.progress ?? p.epochs * nb > 50 });
    const net = this.net;
    // Two compiled steps, each with its own Adam. Per-step read-back: each step reads the other network's weights
    // (fed by value at every run), so the generator step sees the discriminator just updated, as in the eager loop.
    const adam = { learningRate: p.learningRate, beta1: p.beta1, compile: p.compiledStep };
    const stepD = new CompiledStep(ganDiscriminatorLoss(net), dVars, { ...adam, label: 'GAN discriminator' });
    const stepG = new CompiledStep(ganGeneratorLoss(net), gVars, { ...adam, label: 'GAN generator' });
    const t0 = Date.now();
    this.history = { epochs: [], outer: [], seconds: 0 };
    try {
      for (let e = 0; e < p.epochs; e++) {
        const te = Date.now();
        const perm = p.shuffle ? rng.permutation(n) : null;
        let dSum = tf.scalar(0), gSum = tf.scalar(0);
        for (let b = 0; b < nb; b++) {
          const start = b * bs, size = Math.min(bs, n - start);
          const [zs1, zs2, ds] = [rng.tfSeed(), rng.tfSeed(), rng.tfSeed()];
          const next = tf.tidy(() => {
            const xb = perm ? tf.gather(X, tf.tensor1d(perm.subarray(start, start + size), 'int32')) as tf.Tensor2D : tf.slice(X, start, size);
            // Every random draw is made here and fed to the steps (a traced step cannot draw): z and the dropout
            // multipliers, with the seeds the eager loop used (tf.dropout(h) = h * tf.dropout(ones), same seed).
            const z1 = tf.randomNormal([size, p.latentDim], 0, 1, 'float32', zs1) as tf.Tensor2D;
            const dl = stepD.step([xb, z1, ...ganDropoutMasks(net, size, p.dropoutRate, ds), ...ganDropoutMasks(net, size, p.dropoutRate, ds + 100)]);
            const z2 = tf.randomNormal([size, p.latentDim], 0, 1, 'float32', zs2) as tf.Tensor2D;
            const gl = stepG.step([z2, ...ganDropoutMasks(net, size, p.dropoutRate, ds + 200)]);
            return [tf.add(dSum, tf.mul(dl, size / n)), tf.add(gSum, tf.mul(gl, size / n))];
          });
          dSum.dispose(); gSum.dispose();
          [dSum, gSum] = next as [tf.Scalar, tf.Scalar];
        }
        const dLoss = (await dSum.data())[0], gLoss = (await gSum.data())[0];
        dSum.dispose(); gSum.dispose();
        if (!Number.isFinite(dLoss) || !Number.isFinite(gLoss)) throw new Error(`GAN: loss became non-finite at epoch ${e + 1}`);
        const rec: GANEpochRecord = { epoch: e + 1, loss: dLoss + gLoss, dLoss, gLoss, seconds: (Date.now() - te) / 1000 };
        this.history.epochs.push(rec);
        bar.tick({ d: dLoss, g: gLoss });
        if (opts.onEpoch?.(rec) === false) break;
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.stepStatus = { d: stepD.status, g: stepG.status };
      stepD.dispose();
      stepG.dispose();
    }
    bar.done();
    this.history.seconds = (Date.now() - t0) / 1000;
    this.history.stopped = 'epochs';
    this._fitted = true;
    return this;
  }

  /** n images G(z), z ~ N(0, I), seeded; caller disposes. */
  sample(n: number, seed = 0): tf.Tensor2D {
    this.checkFitted('sample');
    assertInt(n, 'sample n');
    const Z = tf.tensor2d(new Rng(seed).fork('prior').normalArray(n * this.params.latentDim), [n, this.params.latentDim]);
    const out = mapBatches(Z, 2000, (zb) => ganGenerate(this.net, zb as tf.Tensor2D)) as tf.Tensor2D;
    Z.dispose();
    return out;
  }

  /** Discriminator probability that each row is real (no dropout). */
  score(X: tf.Tensor2D): tf.Tensor1D {
    this.checkInput(X, 'score');
    return tf.tidy(() => tf.sigmoid(ganDiscriminate(this.net, X)).reshape([-1])) as tf.Tensor1D;
  }

  dispose(): void {
    disposeLayers(this.gen); disposeLayers(this.disc);
    this.gen = []; this.disc = [];
    this._fitted = false;
  }
}
