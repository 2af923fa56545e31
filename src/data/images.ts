/**
 * An in-memory image data set (plain typed arrays, no tensors held) and helpers to select rows and turn it into
 * tensors. Images are floats in [0, 1], stored image after image in NHWC order (row, column, channel), so one
 * image is one contiguous block of height*width*channels numbers; `toMatrix` gives the usual n x d matrix with
 * rows = images that every model in this workspace takes.
 */
import { tf } from '../backend';
import { Rng, toRng } from '../random';
import { assertInt, InputError } from '../validate';

export interface ImageSet {
  /** n * height * width * channels floats in [0, 1], NHWC order. */
  images: Float32Array;
  labels: Int32Array;
  n: number;
  height: number;
  width: number;
  channels: number;
  name: string;
  /** Class names, index = label. */
  classes?: string[];
}

/** Number of values per image (height * width * channels). */
export function imageSize(set: ImageSet): number {
  return set.height * set.width * set.channels;
}

/** Checks that the arrays agree with n / height / width / channels. */
export function checkImageSet(set: ImageSet, name = 'ImageSet'): void {
  const d = set.height * set.width * set.channels;
  if (!(set.images instanceof Float32Array)) throw new InputError(`${name}: images must be a Float32Array`);
  if (!(set.labels instanceof Int32Array)) throw new InputError(`${name}: labels must be an Int32Array`);
  if (set.images.length !== set.n * d) throw new InputError(`${name}: images has ${set.images.length} values, expected n*h*w*c = ${set.n}*${set.height}*${set.width}*${set.channels} = ${set.n * d}`);
  if (set.labels.length !== set.n) throw new InputError(`${name}: labels has ${set.labels.length} entries, expected n = ${set.n}`);
}

/** n x (h*w*c) float32 matrix, rows = images. */
export function toMatrix(set: ImageSet): tf.Tensor2D {
  checkImageSet(set);
  return tf.tensor2d(set.images, [set.n, imageSize(set)], 'float32');
}

/** n x h x w x c float32 tensor (NHWC). */
export function toImages(set: ImageSet): tf.Tensor4D {
  checkImageSet(set);
  return tf.tensor4d(set.images, [set.n, set.height, set.width, set.channels], 'float32');
}

/** Labels as an int32 vector. */
export function labelsTensor(set: ImageSet): tf.Tensor1D {
  return tf.tensor1d(set.labels, 'int32');
}

/** The images at the given indices, in that order (copies). */
export function subset(set: ImageSet, indices: ArrayLike<number>, name?: string): ImageSet {
  const d = imageSize(set);
  const m = indices.length;
  const images = new Float32Array(m * d);
  const labels = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= set.n) throw new InputError(`subset: index ${i} (position ${k}) is outside 0..${set.n - 1}`);
    images.set(set.images.subarray(i * d, (i + 1) * d), k * d);
    labels[k] = set.labels[i];
  }
  return { ...set, images, labels, n: m, name: name ?? set.name };
}

/** A seeded random subset of n images, without replacement (order = draw order). */
export function sampleSubset(set: ImageSet, n: number, seed: number | Rng): ImageSet {
  assertInt(n, 'sampleSubset: n', 0, set.n);
  const rng = toRng(seed);
  return subset(set, rng.choice(set.n, n, false));
}

/** The first n images. */
export function firstN(set: ImageSet, n: number): ImageSet {
  assertInt(n, 'firstN: n', 0, set.n);
  return { ...set, images: set.images.slice(0, n * imageSize(set)), labels: set.labels.slice(0, n), n };
}

/** Indices of the images whose label is in `classes`, in data order. */
export function indicesOfClasses(set: ImageSet, classes: readonly number[]): Int32Array {
  const want = new Set(classes);
  const out: number[] = [];
  for (let i = 0; i < set.n; i++) if (want.has(set.labels[i])) out.push(i);
  return Int32Array.from(out);
}

/**
 * Only the images of the given classes. With `perClass`, at most that many of each class: the first ones in data
 * order, or a seeded random choice when `seed` is given. The result keeps the data order (with a seed too).
 */
export function selectClasses(set: ImageSet, classes: readonly number[], perClass?: number, seed?: number | Rng): ImageSet {
  if (!Array.isArray(classes) || classes.length === 0) throw new InputError('selectClasses: give a non-empty array of class labels');
  if (perClass !== undefined) assertInt(perClass, 'selectClasses: perClass', 1);
  const rng = seed === undefined ? null : toRng(seed);
  const chosen: number[] = [];
  for (const c of classes) {
    const idx = Array.from(indicesOfClasses(set, [c]));
    if (idx.length === 0) throw new InputError(`selectClasses: class ${c} has no images in ${set.name}`);
    if (perClass === undefined || perClass >= idx.length) { chosen.push(...idx); continue; }
    if (rng) {
      const pick = rng.choice(idx.length, perClass, false);
      for (const p of pick) chosen.push(idx[p]);
    } else {
      chosen.push(...idx.slice(0, perClass));
    }
  }
  chosen.sort((a, b) => a - b);
  return subset(set, chosen);
}

/** An ImageSet from an n x d matrix shaped like `like` (labels: given, else like's labels when n matches, else -1). */
export function fromMatrix(x: tf.Tensor2D, like: Pick<ImageSet, 'height' | 'width' | 'channels' | 'name' | 'classes'> & { labels?: Int32Array; n?: number }, labels?: ArrayLike<number>): ImageSet {
  if (!(x instanceof tf.Tensor) || x.rank !== 2) throw new InputError(`fromMatrix: expected a rank-2 tensor, got ${x instanceof tf.Tensor ? `shape [${x.shape}]` : typeof x}`);
  const [n, d] = x.shape;
  const dd = like.height * like.width * like.channels;
  if (d !== dd) throw new InputError(`fromMatrix: matrix has ${d} columns, ${like.name} images have ${like.height}x${like.width}x${like.channels} = ${dd}`);
  let lab: Int32Array;
  if (labels !== undefined) {
    if (labels.length !== n) throw new InputError(`fromMatrix: ${labels.length} labels for ${n} rows`);
    lab = Int32Array.from(labels);
  } else if (like.labels && like.labels.length === n) {
    lab = like.labels.slice();
  } else {
    lab = new Int32Array(n).fill(-1);
  }
  const images = Float32Array.from(x.dataSync());
  return { images, labels: lab, n, height: like.height, width: like.width, channels: like.channels, name: like.name, classes: like.classes };
}

/** Concatenates image sets of the same image shape (name of the first). */
export function concatSets(sets: ImageSet[], name?: string): ImageSet {
  if (sets.length === 0) throw new InputError('concatSets: no sets given');
  const f = sets[0];
  for (const s of sets) if (s.height !== f.height || s.width !== f.width || s.channels !== f.channels) throw new InputError(`concatSets: image shapes differ (${s.name} ${s.height}x${s.width}x${s.channels} vs ${f.name} ${f.height}x${f.width}x${f.channels})`);
  const n = sets.reduce((a, s) => a + s.n, 0);
  const d = imageSize(f);
  const images = new Float32Array(n * d);
  const labels = new Int32Array(n);
  let k = 0;
  for (const s of sets) { images.set(s.images, k * d); labels.set(s.labels, k); k += s.n; }
  return { ...f, images, labels, n, name: name ?? f.name };
}

/** Images start..end-1 (copies). */
export function sliceRange(set: ImageSet, start: number, end: number): ImageSet {
  assertInt(start, 'range start', 0, set.n);
  assertInt(end, 'range end', start, set.n);
  const d = imageSize(set);
  return { ...set, images: set.images.slice(start * d, end * d), labels: set.labels.slice(start, end), n: end - start };
}

/** Options every loader accepts. */
export interface SubsetOptions {
  /** Keep only rows [start, end) of the split first (e.g. MNIST_SPLITS.tfTrain55k). */
  range?: readonly [number, number];
  /** Keep only these labels. */
  classes?: readonly number[];
  /** The first n (after range and classes), or a seeded random n without replacement when `seed` is given. */
  n?: number;
  seed?: number;
}

/** Common post-processing of loaders: `range`, then the `classes` filter, then the first n or a seeded random n. */
export function applyLoadOptions(set: ImageSet, opts: SubsetOptions): ImageSet {
  let s = set;
  if (opts.range !== undefined) {
    if (!Array.isArray(opts.range) || opts.range.length !== 2) throw new InputError(`${set.name}: range must be [start, end]`);
    s = sliceRange(s, opts.range[0], opts.range[1]);
  }
  if (opts.classes !== undefined) s = selectClasses(s, opts.classes);
  if (opts.n !== undefined) {
    assertInt(opts.n, `${set.name}: n`, 1, s.n);
    s = opts.seed === undefined ? firstN(s, opts.n) : sampleSubset(s, opts.n, opts.seed);
  }
  return s;
}
