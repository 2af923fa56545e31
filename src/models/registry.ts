/**
 * Registry of every model in the library, for the conformance suite (test/models/conformance.test.ts, in the
 * spirit of scikit-learn's `check_estimator`): each entry says how to build the model at sizes small enough for a
 * check, what input it takes, and which capabilities it has. The suite runs every entry through the same battery
 * (unknown option, bad input, call before fit, fit returns this, same seed -> same result, no tensor growth,
 * dispose idempotent, L + S = X where promised, output shapes); a model added here is checked with no new test.
 *
 * The estimator contract (src/models/base.ts): `params` (frozen options, defaults filled in), `fitted`,
 * `history` ({ epochs, outer, seconds }), `fit(X)` returning `this` (a Promise of it for the tfjs models; the
 * CPU forests fit synchronously and return `this`), `dispose()` (idempotent; afterwards `fitted` is false and
 * every capability throws "call fit() first"), and the capabilities below under one name each. Every option
 * object is checked against the defaults (an unknown key is an InputError naming it); every model that trains
 * through a CompiledStep takes the option `compiledStep`.
 *
 * Outlier scoring has ONE interface, OutlierDetector (src/models/detector.ts: decisionFunction / threshold /
 * contamination / predict): `asDetector()` of the l2,1 RDA and of Isolation Forest, and
 * `reconstructionErrorDetector(model, X)` on any model that can `reconstruct`.
 */
import { tf } from '../backend';
import type { FitOptions, TrainingHistory, Decomposition } from './base';
import type { OutlierDetector } from './detector';
import { PCA } from './pca';
import { RobustPCA } from './rpca';
import { LinearFactorization } from './factorization';
import { LinearAutoencoder } from './linear-ae';
import { DeepAutoencoder } from './autoencoder';
import { RobustDeepAutoencoder } from './rda';
import { VAE } from './vae';
import { ConvVAE } from './conv-vae';
import { RVAE } from './rvae';
import { DaiVAE } from './dai-vae';
import { DaiAE } from './dai-ae';
import { GAN } from './gan';
import { RDAE } from './rdae';
import { RNLF } from './rnlf';
import { TwoStage } from './two-stage';
import { LowPassFilter } from './baselines/lpf';
import { IsolationForest } from './baselines/isolation-forest';
import { RandomForestClassifier } from './baselines/random-forest';
import { conv28Spec } from '../nets/conv28';

/** What every model has (the estimator contract). */
export interface ConformingModel {
  readonly params: Readonly<Record<string, unknown>>;
  readonly fitted: boolean;
  readonly history: TrainingHistory;
  fit(X: tf.Tensor2D, ...rest: never[]): Promise<unknown> | unknown;
  dispose(): void;
  transform?(X: tf.Tensor2D): tf.Tensor2D;
  transformAsync?(X: tf.Tensor2D): Promise<tf.Tensor2D>;
  reconstruct?(X: tf.Tensor2D): tf.Tensor2D;
  reconstructAsync?(X: tf.Tensor2D): Promise<tf.Tensor2D>;
  decompose?(): Decomposition;
  sample?(n: number, seed?: number): tf.Tensor2D;
  asDetector?(opts?: { contamination?: number }): OutlierDetector;
  predict?(X: tf.Tensor2D): ArrayLike<number>;
}

export interface ModelCapabilities {
  /** transform(X) -> n x k codes; 'async': transformAsync (codes fitted by gradient descent). */
  transform?: true | 'async';
  /** reconstruct(X) -> n x d; 'async': reconstructAsync. */
  reconstruct?: true | 'async';
  /** decompose() -> { L, S } of the fitted data; 'exact': L + S = X up to float32 rounding (S = X - L). */
  decompose?: 'exact' | 'approximate';
  /** sample(n, seed) -> n x d from the learned distribution. */
  sample?: true;
  /** asDetector() -> OutlierDetector (decisionFunction / threshold / contamination / predict). */
  detector?: true;
  /** predict(X) -> one class label per row (classifiers). */
  classify?: true;
}

export interface ModelSpec {
  name: string;
  /** A small model for the checks; `opts` are passed through (the suite adds an unknown key to test rejection). */
  make(opts?: Record<string, unknown>): ConformingModel;
  /** The input it takes: rows x cols, values in [min, max]. */
  input: { rows: number; cols: number; min: number; max: number };
  /** Fits the model on X (default: model.fit(X, { progress: false })); the classifier draws its labels here. */
  fit?(model: ConformingModel, X: tf.Tensor2D): Promise<unknown> | unknown;
  capabilities: ModelCapabilities;
  /** Trains through a CompiledStep (src/train/compile.ts): takes the boolean option `compiledStep` (default true). */
  compiledStep?: true;
  /** Why a capability is absent (documentation; the suite prints nothing from it). */
  notes?: string;
}

const quiet: FitOptions = { progress: false };
const mk = <T>(C: new (o: never) => T, base: Record<string, unknown>) => (opts: Record<string, unknown> = {}): ConformingModel => new C({ ...base, ...opts } as never) as unknown as ConformingModel;

export const MODEL_REGISTRY: ModelSpec[] = [
  {
    name: 'PCA', make: mk(PCA, { nComponents: 3 }),
    input: { rows: 24, cols: 8, min: 0, max: 1 },
    capabilities: { transform: true, reconstruct: true, decompose: 'exact' },
  },
  {
    name: 'RobustPCA', make: mk(RobustPCA, { maxIter: 200 }),
    input: { rows: 24, cols: 8, min: 0, max: 1 },
    capabilities: { transform: true, reconstruct: true, decompose: 'approximate' },
    notes: 'L + S = X within the stopping tolerance tol (1e-7 relative, Frobenius), not exactly; transform = X V (codes in the row space of L).',
  },
  {
    name: 'LinearFactorization', compiledStep: true, make: mk(LinearFactorization, { rank: 2, iterations: 60, logEvery: 20 }),
    input: { rows: 24, cols: 8, min: 0, max: 1 },
    capabilities: { transform: true, reconstruct: true, decompose: 'exact' },
  },
  {
    name: 'LinearAutoencoder', compiledStep: true, make: mk(LinearAutoencoder, { rank: 2, iterations: 60, logEvery: 20 }),
    input: { rows: 24, cols: 8, min: 0, max: 1 },
    capabilities: { transform: true, reconstruct: true, decompose: 'exact' },
  },
  {
    name: 'DeepAutoencoder', compiledStep: true, make: mk(DeepAutoencoder, { layers: [8, 5, 3], epochs: 3, batchSize: 8 }),
    input: { rows: 24, cols: 8, min: 0, max: 1 },
    capabilities: { transform: true, reconstruct: true },
    notes: 'not robust: no decompose (the RDA wraps it).',
  },
  {
    name: 'RobustDeepAutoencoder (l1)', compiledStep: true, make: mk(RobustDeepAutoencoder, { layers: [8, 5, 3], batchSize: 8, outer: 2, innerEpochs: 2, lambda: 0.5 }),
    input: { rows: 24, cols: 8, min: 0, max: 1 },
    capabilities: { transform: true, reconstruct: true, decompose: 'approximate' },
    notes: 'L = D(E(X - S)) after the last outer iteration, so L + S = X only at convergence (c1 in history.outer).',
  },
  {
    name: 'RobustDeepAutoencoder (l2,1 rows)', compiledStep: true, make: mk(RobustDeepAutoencoder, { layers: [8, 5, 3], batchSize: 8, outer: 2, innerEpochs: 2, penalty: 'l21-rows', lambda: 0.05, lambdaConvention: 'code-l21-n' }),
    input: { rows: 24, cols: 8, min: 0, max: 1 },
    capabilities: { transform: true, reconstruct: true, decompose: 'approximate', detector: true },
  },
  {
    name: 'VAE', compiledStep: true, make: mk(VAE, { hidden: [6], latentDim: 2, epochs: 2, batchSize: 8 }),
    input: { rows: 24, cols: 8, min: 0, max: 1 },
    capabilities: { transform: true, reconstruct: true, sample: true },
    notes: 'transform = the posterior mean mu_z (encode(X) gives mu and logVar).',
  },
  {
    name: 'ConvVAE', compiledStep: true, make: mk(ConvVAE, { imageShape: [8, 8, 1], channels: [4, 8], latentDim: 2, epochs: 1, batchSize: 8 }),
    input: { rows: 16, cols: 64, min: 0, max: 1 },
    capabilities: { transform: true, reconstruct: true, sample: true },
    notes: 'transform = the posterior mean mu_z.',
  },
  {
    name: 'RVAE', compiledStep: true, make: mk(RVAE, { hidden: [6], latentDim: 2, batchSize: 8, outer: 2, innerEpochs: 1, lambda: 1 }),
    input: { rows: 24, cols: 8, min: 0, max: 1 },
    capabilities: { transform: true, reconstruct: true, decompose: 'approximate', sample: true },
    notes: 'alternating solver: L + S = X only at convergence; transform = the inner VAE\'s posterior mean.',
  },
  {
    name: 'DaiVAE', compiledStep: true, make: mk(DaiVAE, { encoderHidden: [6], decoderHidden: [6], latentDim: 2, epochs: 2, batchSize: 8 }),
    input: { rows: 24, cols: 8, min: -1, max: 1 },
    capabilities: { transform: true, reconstruct: true, decompose: 'exact', sample: true },
  },
  {
    name: 'DaiAE', compiledStep: true, make: mk(DaiAE, { encoderHidden: [6], decoderHidden: [6], latentDim: 2, epochs: 2, batchSize: 8 }),
    input: { rows: 24, cols: 8, min: -1, max: 1 },
    capabilities: { transform: true, reconstruct: true, decompose: 'exact', sample: true },
  },
  {
    name: 'GAN', compiledStep: true, make: mk(GAN, { hidden: [6], latentDim: 2, epochs: 2, batchSize: 8 }),
    input: { rows: 24, cols: 8, min: 0, max: 1 },
    capabilities: { sample: true },
    notes: 'no encoder: no transform / reconstruct; score(X) is the discriminator logit, not an outlier detector.',
  },
  {
    name: 'RDAE', compiledStep: true, make: mk(RDAE, { net: conv28Spec(1), codeDim: 4, epochs: 1, batchSize: 8, evalBatchSize: 8 }),
    input: { rows: 8, cols: 784, min: 0, max: 1 },
    capabilities: { transform: true, reconstruct: true, decompose: 'exact' },
  },
  {
    name: 'RNLF', compiledStep: true, make: mk(RNLF, { net: conv28Spec(1), codeDim: 4, epochs: 1, batchSize: 8, evalBatchSize: 8, transformEpochs: 1 }),
    input: { rows: 8, cols: 784, min: 0, max: 1 },
    capabilities: { transform: 'async', reconstruct: 'async', decompose: 'exact' },
    notes: 'no encoder: codes of new images are fitted by gradient descent (transformAsync / reconstructAsync); the synchronous names throw.',
  },
  {
    name: 'TwoStage (LPF + VAE)', make: (opts = {}) => new TwoStage({ denoiser: 'lpf', denoiserOptions: { height: 4, width: 4, channels: 1 }, vae: { hidden: [6], latentDim: 2, epochs: 2, batchSize: 8 }, ...opts } as never) as unknown as ConformingModel,
    input: { rows: 24, cols: 16, min: 0, max: 1 },
    capabilities: { sample: true },
    notes: 'a generator trained on the denoiser\'s L: its VAE is `vae` (transform / reconstruct there), the split `denoiser.decompose()`.',
  },
  {
    name: 'LowPassFilter', make: mk(LowPassFilter, { height: 4, width: 4, channels: 1 }),
    input: { rows: 12, cols: 16, min: 0, max: 1 },
    capabilities: { reconstruct: true, decompose: 'exact' },
    notes: 'not learned: no transform (the filtered image is the reconstruction).',
  },
  {
    name: 'IsolationForest', make: mk(IsolationForest, { nEstimators: 20 }),
    input: { rows: 40, cols: 4, min: -1, max: 1 },
    capabilities: { detector: true },
  },
  {
    name: 'RandomForestClassifier', make: mk(RandomForestClassifier, { nEstimators: 8, nJobs: 1 }),
    input: { rows: 40, cols: 4, min: -1, max: 1 },
    // labels from the data (first column above its median): a task the forest can learn, deterministic
    fit: (m, X) => {
      if (!(X instanceof tf.Tensor) || X.rank !== 2) return (m as unknown as RandomForestClassifier).fit(X, []); // the forest rejects it
      const x = X.arraySync(), c = x.map((r) => r[0]).sort((a, b) => a - b), med = c[c.length >> 1];
      return (m as unknown as RandomForestClassifier).fit(X, x.map((r) => (r[0] >= med ? 1 : 0)));
    },
    capabilities: { classify: true },
  },
];

/** Fits a registered model with its spec's fit (or fit(X, { progress: false })). */
export function fitSpec(spec: ModelSpec, model: ConformingModel, X: tf.Tensor2D): Promise<unknown> | unknown {
  return spec.fit ? spec.fit(model, X) : (model.fit as (X: tf.Tensor2D, o: FitOptions) => unknown)(X, quiet);
}
