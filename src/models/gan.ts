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
import { mapBatches, makeOptimizer } from '../train/loop';
import { GraphSession } from '../train/graph';
import { GanDiscriminatorGraphAdam, GanGeneratorGraphAdam } from '../train/graph-gan';
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
   * On tfjs-node, run the discriminator and the generator step each as ONE TensorFlow graph
   * (src/train/graph-gan.ts): same losses, noise and dropout draws, same updates to float rounding as tfjs
   * autodiff (test/train/graph-gan.test.ts). false = tfjs autodiff. Default true.
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

export class GAN extends BaseModel<GANOptions> implements Generative {
  private gen: DenseLayer[] = [];
  private disc: DenseLayer[] = [];
  private optG: tf.Optimizer | null = null;
  private optD: tf.Optimizer | null = null;

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

  private generate(Z: tf.Tensor2D): tf.Tensor2D {
    let h = Z;
    this.gen.forEach((l, i) => { h = denseForward(h, l, i + 1 < this.gen.length ? this.params.activation : 'linear'); });
    return tf.sigmoid(h);
  }

  /** Discriminator logits; dropout on hidden layers when `seed` is given (training). */
  private discriminate(X: tf.Tensor2D, seed?: number): tf.Tensor2D {
    let h = X;
    this.disc.forEach((l, i) => {
      const last = i + 1 === this.disc.length;
      h = denseForward(h, l, last ? 'linear' : this.params.activation);
      if (!last && seed !== undefined && this.params.dropoutRate > 0) h = tf.dropout(h, this.params.dropoutRate, undefined, seed + i) as tf.Tensor2D;
    });
    return h;
  }

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
    const net = { gen: this.gen, disc: this.disc, activation: p.activation, dropout: p.dropoutRate > 0 };
    const adam = { learningRate: p.learningRate, beta1: p.beta1 };
    const graph = p.compiledStep && GraphSession.available() ? { d: new GanDiscriminatorGraphAdam(net, adam), g: new GanGeneratorGraphAdam(net, adam) } : null;
    if (!graph) {
      // tfjs autodiff: one fused-Adam optimizer per network (the graph steps hold their own Adam state).
      this.optG = makeOptimizer('adam', p.learningRate, { beta1: p.beta1 });
      this.optD = makeOptimizer('adam', p.learningRate, { beta1: p.beta1 });
    }
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
            const z1 = tf.randomNormal([size, p.latentDim], 0, 1, 'float32', zs1) as tf.Tensor2D;
            if (graph) {
              // The eager step's dropout multipliers (tf.dropout of ones with the same seeds), fed to the graphs.
              const masks = (seed: number) => (p.dropoutRate > 0 ? this.disc.slice(0, -1).map((l, i) => tf.dropout(tf.ones([size, l.W.shape[1]!]), p.dropoutRate, undefined, seed + i) as tf.Tensor2D) : []);
              const dlG = graph.d.step(xb, z1, masks(ds), masks(ds + 100));
              const z2g = tf.randomNormal([size, p.latentDim], 0, 1, 'float32', zs2) as tf.Tensor2D;
              const glG = graph.g.step(z2g, masks(ds + 200));
              return [tf.add(dSum, tf.mul(dlG, size / n)), tf.add(gSum, tf.mul(glG, size / n))];
            }
            const dl = this.optD!.minimize(() => {
              const real = this.discriminate(xb, ds);
              const fake = this.discriminate(this.generate(z1), ds + 100);
              // -log sigmoid(real) - log(1 - sigmoid(fake))
              return tf.mean(tf.add(tf.softplus(tf.neg(real)), tf.softplus(fake))) as tf.Scalar;
            }, true, dVars) as tf.Scalar;
            const z2 = tf.randomNormal([size, p.latentDim], 0, 1, 'float32', zs2) as tf.Tensor2D;
            const gl = this.optG!.minimize(() => {
              const fake = this.discriminate(this.generate(z2), ds + 200);
              return tf.mean(tf.softplus(tf.neg(fake))) as tf.Scalar; // -log sigmoid(D(G(z)))
            }, true, gVars) as tf.Scalar;
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
      graph?.d.dispose();
      graph?.g.dispose();
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
    const out = mapBatches(Z, 2000, (zb) => this.generate(zb as tf.Tensor2D)) as tf.Tensor2D;
    Z.dispose();
    return out;
  }

  /** Discriminator probability that each row is real (no dropout). */
  score(X: tf.Tensor2D): tf.Tensor1D {
    this.checkInput(X, 'score');
    return tf.tidy(() => tf.sigmoid(this.discriminate(X)).reshape([-1])) as tf.Tensor1D;
  }

  dispose(): void {
    disposeLayers(this.gen); disposeLayers(this.disc);
    this.gen = []; this.disc = [];
    this.optG?.dispose(); this.optD?.dispose();
    this.optG = null; this.optD = null;
    this._fitted = false;
  }
}
