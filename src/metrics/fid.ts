/**
 * FID-style distances: the Frechet distance between Gaussians fitted to the features of two image sets
 * (Heusel et al. 2017). The feature network is a value you pass in, with an honest name printed in tables:
 *
 *  - the classifier's penultimate layer (`getClassifier('mnist').then(c => c.featureNet)`, "PC-mnist penultimate
 *    (128-d)") -- what this workspace can compute offline; NOT comparable to published FID numbers;
 *  - `graphModelFeatureNet(path)`: a user-supplied tfjs graph model, e.g. a converted ImageNet InceptionV3
 *    (pool3, 2048-d) -- the network Ren et al. used (grey images stacked to 3 channels, x255, resized to 299).
 *    None ships offline (see REFERENCE.md).
 */
import { tf } from '../backend';
import { InputError, assertMatrix, assertInt } from '../validate';
import { frechetDistanceFromFeatures, meanCov, MeanCov, CovarianceOptions } from './frechet';

export interface FeatureNet {
  /** Printed in tables next to every FID value. */
  name: string;
  /** n x (pixels) images in [0, 1] -> n x d features (caller disposes). */
  features(x: tf.Tensor2D): tf.Tensor2D;
}

export interface FidOptions extends CovarianceOptions {
  /** Images per forward pass. Default 500. */
  batchSize?: number;
}

/** Runs the feature net over X in batches; returns the n x d features as a Float64 matrix. */
export function extractFeatures(X: tf.Tensor2D, net: FeatureNet, batchSize = 500): { rows: number; cols: number; data: Float64Array } {
  assertMatrix(X, `extractFeatures(${net.name}): X`);
  assertInt(batchSize, 'batchSize');
  const n = X.shape[0];
  let d = -1;
  let out: Float64Array | null = null;
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    const f = tf.tidy(() => net.features(X.slice([s, 0], [e - s, X.shape[1]])));
    if (f.rank !== 2 || f.shape[0] !== e - s) { f.dispose(); throw new InputError(`feature net "${net.name}" returned shape [${f.shape}] for ${e - s} images`); }
    if (d < 0) { d = f.shape[1]; out = new Float64Array(n * d); }
    out!.set(f.dataSync(), s * d);
    f.dispose();
  }
  return { rows: n, cols: d, data: out! };
}

/** Feature mean and covariance of an image set (reuse for the reference set of many comparisons). */
export function featureStats(X: tf.Tensor2D, net: FeatureNet, opts: FidOptions = {}): MeanCov {
  return meanCov(extractFeatures(X, net, opts.batchSize ?? 500), opts);
}

/**
 * FID between two image sets (n x pixels, values in [0, 1]) under `net`; either set may be given as
 * precomputed `featureStats`. Returns the value and the network's name (report both).
 */
export function fid(imagesA: tf.Tensor2D | MeanCov, imagesB: tf.Tensor2D | MeanCov, net: FeatureNet, opts: FidOptions = {}): { fid: number; featureNet: string } {
  if (!net || typeof net.features !== 'function' || typeof net.name !== 'string') throw new InputError('fid: featureNet must be { name, features(x) }');
  const stats = (x: tf.Tensor2D | MeanCov) => (x instanceof tf.Tensor ? featureStats(x, net, opts) : x);
  const value = frechetDistanceFromFeatures(stats(imagesA), stats(imagesB), opts);
  return { fid: value, featureNet: net.name };
}

export interface GraphModelFeatureNetOptions {
  /** Shape of one input image in the flattened rows: [h, w, channels]. Default [28, 28, 1]. */
  imageShape?: [number, number, number];
  /** Size the network expects (square). Default 299 (InceptionV3). */
  inputSize?: number;
  /** Channels the network expects; grey images are repeated. Default 3. */
  inputChannels?: number;
  /** Multiply pixel values in [0,1] by this. Default 255 (what the TF1 FID code feeds Inception). */
  scale?: number;
  /** Output node to read (default: the model's first output). */
  outputNode?: string;
  /** Name shown in tables. Default 'graph model <path>'. */
  name?: string;
}

/**
 * A feature net from a tfjs graph model on disk (model.json + shards), e.g. a converted InceptionV3 up to pool3.
 * Images are reshaped, resized (bilinear), grey->3 channels and scaled as described by the options.
 */
export async function graphModelFeatureNet(path: string, opts: GraphModelFeatureNetOptions = {}): Promise<FeatureNet> {
  const [h, w, c] = opts.imageShape ?? [28, 28, 1];
  const size = opts.inputSize ?? 299, want = opts.inputChannels ?? 3, scale = opts.scale ?? 255;
  const url = /^[a-z]+:\/\//.test(path) ? path : `file://${require('path').resolve(path)}${path.endsWith('.json') ? '' : '/model.json'}`;
  const model = await tf.loadGraphModel(url);
  return {
    name: opts.name ?? `graph model ${path}`,
    features(x: tf.Tensor2D): tf.Tensor2D {
      return tf.tidy(() => {
        if (x.shape[1] !== h * w * c) throw new InputError(`graphModelFeatureNet: rows have ${x.shape[1]} values, expected ${h}x${w}x${c}`);
        let img = x.reshape([x.shape[0], h, w, c]) as tf.Tensor4D;
        if (h !== size || w !== size) img = tf.image.resizeBilinear(img, [size, size]);
        if (c === 1 && want === 3) img = tf.tile(img, [1, 1, 1, 3]);
        img = tf.mul(img, scale);
        const out = (opts.outputNode ? model.execute(img, opts.outputNode) : model.execute(img)) as tf.Tensor;
        return out.reshape([x.shape[0], -1]) as tf.Tensor2D;
      });
    },
  };
}
