/**
 * Ground-truth nonlinear manifolds of Dai, Wang, Aston, Hua & Wipf, "Hidden Talents of the Variational
 * Autoencoder", Sec. 5.1 ("Data Generation"):
 *
 *   z ~ N(0, I_kappa)  ->  z(kappa) - D1(r1) - D2(r2) - l(d)        a FIXED random 3-layer ReLU network
 *
 * (ReLU on the two hidden layers, linear output; weights drawn with the initialisation of He et al. 2015, the
 * paper's reference [22]: N(0, 2 / fan_in), zero biases). The outputs l^(i) are the rows of the clean matrix L,
 * which lies on a kappa-dimensional nonlinear manifold but is far from low-rank (see `singularValueProfile`).
 *
 * Certification (Sec. 5.1; trained by `certifyInverse` in src/train/certify.ts, which this data layer does not
 * import): the generator is held FIXED and a second 3-layer ReLU network
 * l(d) - E1(r2) - E2(r1) - z_hat(kappa) is trained with an l2 loss to map l back to z. A near-zero relative error
 * ||z_hat - z||^2 / ||z||^2 on held-out samples shows the manifold is invertible by a network the size of the
 * models' encoders, so a VAE whose encoder / decoder contain these shapes can in principle reconstruct L exactly.
 *
 * Corruption (Sec. 5.1): a fraction nu of the entries of L is replaced by N(0, 1) values (`gaussianReplace` of
 * src/corruptions.ts, independent Bernoulli(nu) per entry).
 *
 * Paper sizes: Sec. 5.1 d = 100 with (r1, r2) = (1000, 2000) (the VAE's mirror image), kappa = 2..20;
 * Sec. 5.2 (Table 1) z(20) - D1(200) - D2(200) - x(400).
 *
 * Rows are samples (n x d), as everywhere in this library.
 */
import { tf } from '../backend';
import { Rng, toRng } from '../random';
import { DenseLayer, mlp, mlpForward, disposeLayers } from '../nets/mlp';
import { mapBatches } from '../batches';
import { gaussianReplace } from '../corruptions';
import { assertInt, assertInRange, assertPositive, InputError } from '../validate';
import { Matrix, EigenvalueDecomposition } from 'ml-matrix';

export interface ManifoldOptions {
  /** Manifold (latent) dimension kappa. Sec. 5.1: 2, 4, ..., 20; Sec. 5.2: 20. */
  kappa: number;
  /** Hidden widths [r1, r2] of the ground-truth decoder. Sec. 5.1: [1000, 2000]; Sec. 5.2: [200, 200]. */
  hidden: [number, number];
  /** Ambient dimension d. Sec. 5.1: 100; Sec. 5.2: 400. */
  outDim: number;
  /** Seed of the generator's weights. */
  seed: number | string;
}

export const MANIFOLD_SEC51: Omit<ManifoldOptions, 'kappa' | 'seed'> = { hidden: [1000, 2000], outDim: 100 };
export const MANIFOLD_SEC52: Omit<ManifoldOptions, 'kappa' | 'seed'> = { hidden: [200, 200], outDim: 400 };

export interface CertifyOptions {
  /** Training pairs (z, l). */
  n: number;
  /** Held-out pairs for the reported error. */
  nTest: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number | string;
  progress?: boolean;
}

export interface Certificate {
  /** Held-out ||z_hat - z||_F^2 / ||z||_F^2. */
  testRelError: number;
  /** Same on the training pairs. */
  trainRelError: number;
  /** Mean training loss per epoch (mean squared error per entry). */
  losses: number[];
  seconds: number;
  /** Inverse-network shape: [d, r2, r1, kappa]. */
  shape: number[];
}

/** A fixed random ReLU network z -> l (the paper's "ground-truth decoder"). */
export class ManifoldGenerator {
  readonly opts: ManifoldOptions;
  readonly layers: DenseLayer[];
  /** The trained inverse l -> z, after `certifyInverse` (else null). */
  inverse: DenseLayer[] | null = null;
  certificate: Certificate | null = null;

  constructor(opts: ManifoldOptions) {
    assertInt(opts.kappa, 'ManifoldGenerator: kappa', 1);
    assertInt(opts.outDim, 'ManifoldGenerator: outDim', 1);
    if (!Array.isArray(opts.hidden) || opts.hidden.length !== 2) throw new InputError(`ManifoldGenerator: hidden must be [r1, r2], got ${JSON.stringify(opts.hidden)}`);
    opts.hidden.forEach((h, i) => assertInt(h, `ManifoldGenerator: hidden[${i}]`, 1));
    this.opts = { ...opts, hidden: [opts.hidden[0], opts.hidden[1]] };
    const rng = new Rng(`manifold:${String(opts.seed)}`);
    const sizes = [opts.kappa, opts.hidden[0], opts.hidden[1], opts.outDim];
    // He et al. (2015) normal initialisation, one std per layer (fan-in of that layer).
    this.layers = sizes.slice(0, -1).map((fanIn, i) => mlp([fanIn, sizes[i + 1]], rng.fork(`gen${i}`), `manifold${i}`, { std: Math.sqrt(2 / fanIn) })[0]);
    for (const l of this.layers) l.W.trainable = false;
  }

  get kappa(): number { return this.opts.kappa; }
  get outDim(): number { return this.opts.outDim; }

  /** l = decoder(z) for given latent rows (n x kappa). */
  decode(Z: tf.Tensor2D): tf.Tensor2D {
    if (Z.rank !== 2 || Z.shape[1] !== this.kappa) throw new InputError(`ManifoldGenerator.decode: Z must be n x ${this.kappa}, got [${Z.shape}]`);
    return mapBatches(Z, 8192, (zb) => mlpForward(zb as tf.Tensor2D, this.layers, ['relu', 'relu', 'linear'])) as tf.Tensor2D;
  }

  /** n fresh samples: latent Z (n x kappa, N(0, I)) and clean L (n x d). The caller disposes both. */
  sample(n: number, seed: number | string | Rng): { Z: tf.Tensor2D; L: tf.Tensor2D } {
    assertInt(n, 'ManifoldGenerator.sample: n', 1);
    const rng = toRng(seed);
    const Z = tf.tensor2d(rng.normalArray(n * this.kappa), [n, this.kappa]);
    return { Z, L: this.decode(Z) };
  }

  /**
   * Keeps `inverse` (a trained network l -> z_hat, e.g. from `certifyInverse` in src/train/certify.ts) and its
   * certificate, disposing any previous inverse. The generator owns the layers from here on.
   */
  setInverse(inverse: DenseLayer[], certificate: Certificate): void {
    if (this.inverse && this.inverse !== inverse) disposeLayers(this.inverse);
    this.inverse = inverse;
    this.certificate = certificate;
  }

  /** z_hat = inverse(l), after `certifyInverse` (src/train/certify.ts). */
  invert(L: tf.Tensor2D): tf.Tensor2D {
    if (!this.inverse) throw new InputError('ManifoldGenerator.invert: no inverse yet; train one with certifyInverse(generator, ...) (src/train/certify.ts)');
    const inv = this.inverse;
    return mapBatches(L, 8192, (lb) => mlpForward(lb as tf.Tensor2D, inv, ['relu', 'relu', 'linear'])) as tf.Tensor2D;
  }

  dispose(): void {
    disposeLayers(this.layers);
    if (this.inverse) disposeLayers(this.inverse);
    this.inverse = null;
  }
}

export interface ManifoldDataOptions extends ManifoldOptions {
  /** Number of samples n (Sec. 5.1: 10^6). */
  n: number;
  /** Outlier ratio nu: fraction of entries replaced by N(0, 1) values (Sec. 5.1: 0.05..0.50). */
  nu: number;
  /** Seed of the samples and the corruption (default: the generator seed). */
  dataSeed?: number | string;
}

export interface ManifoldData {
  generator: ManifoldGenerator;
  /** Latent codes n x kappa. */
  Z: tf.Tensor2D;
  /** Clean data n x d. */
  L: tf.Tensor2D;
  /** Corrupted data X (n x d): the only thing a model sees. */
  X: tf.Tensor2D;
  /** 1 where an entry was replaced. */
  mask: tf.Tensor2D;
  /** Disposes all tensors and the generator. */
  dispose(): void;
}

/** A generator plus n corrupted samples from it (Sec. 5.1). */
export function makeManifoldData(o: ManifoldDataOptions): ManifoldData {
  assertInRange(o.nu, 'makeManifoldData: nu', 0, 1);
  const generator = new ManifoldGenerator(o);
  const rng = new Rng(`manifold-data:${String(o.dataSeed ?? o.seed)}:${o.nu}`);
  const { Z, L } = generator.sample(o.n, rng.fork('samples'));
  const { corrupted: X, mask } = gaussianReplace(L, { fraction: o.nu, seed: rng.fork('corruption'), sampling: 'bernoulli' });
  return { generator, Z, L, X, mask, dispose() { tf.dispose([Z, L, X, mask]); generator.dispose(); } };
}

export interface SingularValueProfile {
  /** Singular values of the centred matrix, descending. */
  values: number[];
  /** Fraction of the energy (sum of squares) in the top k values, for k = 1..min(n, d). */
  cumulativeEnergy: number[];
  /** Smallest k whose top-k values hold >= 90 / 99 / 99.9 % of the energy. */
  rank90: number; rank99: number; rank999: number;
  /** Energy fraction of the top-kappa values (kappa given). */
  energyAtKappa?: number;
}

/**
 * Singular values of L (rows centred) through the eigenvalues of the d x d Gram matrix (cheap for d << n).
 * Tells how far a manifold is from a low-rank matrix: a linear subspace would hold all energy in kappa values.
 */
export function singularValueProfile(L: tf.Tensor2D, kappa?: number): SingularValueProfile {
  const G = tf.tidy(() => {
    const c = tf.sub(L, tf.mean(L, 0, true));
    return tf.matMul(c, c, true, false);
  });
  const d = G.shape[0];
  const g = Float64Array.from(G.dataSync());
  G.dispose();
  const ev = symmetricEigenvalues(g, d).map((v) => Math.max(v, 0)).sort((a, b) => b - a);
  const values = ev.map(Math.sqrt);
  const total = ev.reduce((s, v) => s + v, 0) || 1;
  let acc = 0;
  const cumulativeEnergy = ev.map((v) => (acc += v) / total);
  const rankAt = (q: number) => cumulativeEnergy.findIndex((c) => c >= q) + 1 || d;
  const out: SingularValueProfile = { values, cumulativeEnergy, rank90: rankAt(0.9), rank99: rankAt(0.99), rank999: rankAt(0.999) };
  if (kappa !== undefined) out.energyAtKappa = cumulativeEnergy[Math.min(kappa, d) - 1];
  return out;
}

/** Eigenvalues of a symmetric d x d matrix (row-major), via ml-matrix (~4 s for d = 784). */
export function symmetricEigenvalues(a: Float64Array, d: number): number[] {
  const rows: number[][] = [];
  for (let i = 0; i < d; i++) rows.push(Array.from(a.subarray(i * d, (i + 1) * d)));
  return new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true }).realEigenvalues;
}
