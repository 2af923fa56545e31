/**
 * Fashion-MNIST (Xiao et al. 2017): the official gzipped IDX files in `data/fashion-mnist/` (60,000 + 10,000
 * 28x28 grey images, 10 clothing classes). `npm run setup` links them from Debian's `dataset-fashion-mnist`
 * package (or downloads them). Pixels are divided by 255 into [0, 1]; parsed arrays are cached per process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { applyLoadOptions, ImageSet } from './images';
import { dataRoot } from './paths';
import { checkSplit, copySet, imageSetFromIdx, MnistLoadOptions, DataSplit } from './mnist';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export const FASHION_MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
} as const;

export interface FashionMnistLoadOptions extends MnistLoadOptions {
  /** Folder of the four .gz files (default: data/fashion-mnist under the project root, or $RML_DATA_DIR/fashion-mnist). */
  dir?: string;
}

const cache = new Map<string, ImageSet>();

/** Debian's dataset-fashion-mnist installs the files here. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The given folder; by default data/fashion-mnist, falling back to Debian's folder when that has the files. */
function resolveFashionDir(dir?: string): string {
  if (dir !== undefined) return path.resolve(dir);
  const local = path.join(dataRoot(), 'fashion-mnist');
  const has = (d: string) => fs.existsSync(path.join(d, FASHION_MNIST_FILES.train.images));
  return !has(local) && has(DEBIAN_FASHION_MNIST_DIR) ? DEBIAN_FASHION_MNIST_DIR : local;
}

export async function loadFashionMnist(opts: FashionMnistLoadOptions = {}): Promise<ImageSet> {
  return loadFashionMnistSync(opts);
}

export function loadFashionMnistSync(opts: FashionMnistLoadOptions = {}): ImageSet {
  const split: DataSplit = opts.split ?? 'train';
  checkSplit(split, 'loadFashionMnist');
  const dir = resolveFashionDir(opts.dir);
  const key = `${dir}:${split}`;
  let full = cache.get(key);
  if (!full) {
    const f = FASHION_MNIST_FILES[split];
    const missing = [f.images, f.labels].filter((x) => !fs.existsSync(path.join(dir, x)));
    if (missing.length) {
      const all = [...Object.values(FASHION_MNIST_FILES.train), ...Object.values(FASHION_MNIST_FILES.test)];
      throw new Error(`Fashion-MNIST not found: missing ${missing.join(', ')} in ${dir}.\n` +
        `Put the four official gzipped IDX files (${all.join(', ')}) into ${dir}.\n` +
        '`npm run setup` does this: it links them from the Debian package dataset-fashion-mnist ' +
        '(/usr/share/datasets/fashion-mnist) or downloads them from http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/.');
    }
    full = imageSetFromIdx(path.join(dir, f.images), path.join(dir, f.labels), `fashion-mnist-${split}`, FASHION_MNIST_CLASSES);
    cache.set(key, full);
  }
  const out = applyLoadOptions(full, opts);
  return out === full ? copySet(full) : out;
}
