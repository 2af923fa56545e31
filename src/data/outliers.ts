/**
 * Outlier-detection data in the style of Zhou & Paffenroth 2017 (RDA, Sec. 5.3, l2,1 model): many images of one
 * inlier class mixed with a few images of every other class.
 *
 * Defaults reproduce their data set's composition: 5,124 images = 4,859 "4"s + 265 other digits, 25-35 per
 * other class (about 5.2% outliers; counts from their notebook, see /work/shared/REFERENCE.md "RDA").
 * 4,859 is exactly the number of fours among the first 50,000 MNIST training images (the training part of the
 * classic mnist.pkl.gz); the full training split holds 5,842. `zhou2017OutlierData` builds the set that way:
 * all fours of train[:50000] plus 25-35 random images of each other digit from the same rows. With another set,
 * `outlierMix` takes a seeded random choice of nInliers (default 4,859) images of the inlier class, and each
 * other class contributes a uniform random count in [25, 35] (expected total 270; their realisation had 265;
 * pass `nOutliers: 265` for that exact total). The rows are shuffled (seeded) unless `shuffle: false`.
 */
import { Rng, toRng } from '../random';
import { assertInt, InputError } from '../validate';
import { ImageSet, subset } from './images';
import { loadMnist, MNIST_SPLITS } from './mnist';

export const ZHOU2017_OUTLIER_DEFAULTS = { inlierClass: 4, nInliers: 4859, outliersPerClass: [25, 35] as [number, number], total: 5124, nOutliersInPaper: 265 } as const;

export interface OutlierMixOptions {
  set: ImageSet;
  inlierClass: number;
  /** Number of inlier images (default 4,859, Zhou & Paffenroth); 'all' takes every image of the class. */
  nInliers?: number | 'all';
  /** Images per other class: a fixed number, or [min, max] (inclusive, uniform per class; default [25, 35]). */
  outliersPerClass?: [number, number] | number;
  /** Total number of outliers instead of a per-class count: spread over the other classes as evenly as possible, the remainder going to randomly chosen classes. */
  nOutliers?: number;
  /** Which classes supply outliers (default: every label in the set other than inlierClass). */
  outlierClasses?: number[];
  seed: number | string | Rng;
  shuffle?: boolean;
}

export interface OutlierMix {
  set: ImageSet;
  /** 1 = outlier row. */
  isOutlier: Uint8Array;
  /** Row indices (in the returned set) of inliers / outliers, ascending. */
  inlierIdx: Int32Array;
  outlierIdx: Int32Array;
  /** For each row, its index in the source set. */
  sourceIdx: Int32Array;
}

export function outlierMix(opts: OutlierMixOptions): OutlierMix {
  if (!opts || typeof opts !== 'object' || !opts.set) throw new InputError('outlierMix: options { set, inlierClass, seed } are required');
  const { set, inlierClass } = opts;
  if (opts.seed === undefined) throw new InputError('outlierMix: give a seed');
  const rng = toRng(opts.seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < set.n; i++) {
    const l = set.labels[i];
    if (!byClass.has(l)) byClass.set(l, []);
    byClass.get(l)!.push(i);
  }
  const inPool = byClass.get(inlierClass);
  if (!inPool) throw new InputError(`outlierMix: class ${inlierClass} has no images in ${set.name}`);
  const nIn = opts.nInliers === 'all' ? inPool.length : opts.nInliers ?? ZHOU2017_OUTLIER_DEFAULTS.nInliers;
  assertInt(nIn, 'outlierMix: nInliers', 1);
  if (nIn > inPool.length) throw new InputError(`outlierMix: nInliers = ${nIn} but ${set.name} has only ${inPool.length} images of class ${inlierClass} (pass a smaller nInliers or 'all')`);
  const others = (opts.outlierClasses ?? [...byClass.keys()].filter((c) => c !== inlierClass)).slice().sort((a, b) => a - b);
  if (others.includes(inlierClass)) throw new InputError('outlierMix: outlierClasses must not contain the inlier class');
  if (others.length === 0) throw new InputError('outlierMix: no outlier classes');
  for (const c of others) if (!byClass.has(c)) throw new InputError(`outlierMix: class ${c} has no images in ${set.name}`);

  const counts = new Map<number, number>();
  const cr = rng.fork('counts');
  if (opts.nOutliers !== undefined) {
    if (opts.outliersPerClass !== undefined) throw new InputError('outlierMix: give outliersPerClass or nOutliers, not both');
    assertInt(opts.nOutliers, 'outlierMix: nOutliers', 0);
    const base = Math.floor(opts.nOutliers / others.length);
    const extra = new Set(Array.from(cr.choice(others.length, opts.nOutliers - base * others.length)).map((k) => others[k]));
    for (const c of others) counts.set(c, base + (extra.has(c) ? 1 : 0));
  } else {
    const per = opts.outliersPerClass ?? ZHOU2017_OUTLIER_DEFAULTS.outliersPerClass;
    let lo: number, hi: number;
    if (typeof per === 'number') { lo = hi = per; } else if (Array.isArray(per) && per.length === 2) { [lo, hi] = per; } else throw new InputError('outlierMix: outliersPerClass must be a number or [min, max]');
    assertInt(lo, 'outlierMix: outliersPerClass min', 0);
    assertInt(hi, 'outlierMix: outliersPerClass max', lo);
    for (const c of others) counts.set(c, lo + cr.int(hi - lo + 1));
  }

  const pr = rng.fork('pick');
  const rows: number[] = [];
  const flags: number[] = [];
  for (const k of pr.choice(inPool.length, nIn)) { rows.push(inPool[k]); flags.push(0); }
  for (const c of others) {
    const pool = byClass.get(c)!;
    const m = counts.get(c)!;
    if (m > pool.length) throw new InputError(`outlierMix: ${m} outliers wanted from class ${c}, which has only ${pool.length} images`);
    for (const k of pr.choice(pool.length, m)) { rows.push(pool[k]); flags.push(1); }
  }
  let order = Int32Array.from(rows.keys());
  if (opts.shuffle ?? true) order = rng.fork('shuffle').permutation(rows.length);
  const sourceIdx = Int32Array.from(order, (k) => rows[k]);
  const isOutlier = Uint8Array.from(order, (k) => flags[k]);
  const inl: number[] = [], out: number[] = [];
  isOutlier.forEach((f, i) => (f ? out : inl).push(i));
  return {
    set: subset(set, sourceIdx, `${set.name}-outliers-${inlierClass}`),
    isOutlier,
    inlierIdx: Int32Array.from(inl),
    outlierIdx: Int32Array.from(out),
    sourceIdx,
  };
}

/** Zhou & Paffenroth's outlier data: all 4,859 fours of MNIST train[:50000] + 25-35 of each other digit (seeded). */
export async function zhou2017OutlierData(opts: { seed: number | string | Rng; nOutliers?: number; shuffle?: boolean }): Promise<OutlierMix> {
  const set = await loadMnist({ split: 'train', range: MNIST_SPLITS.pkl50k });
  const mix = outlierMix({ set, inlierClass: 4, nInliers: 'all', seed: opts.seed, shuffle: opts.shuffle, ...(opts.nOutliers !== undefined ? { nOutliers: opts.nOutliers } : {}) });
  mix.set.name = 'mnist-zhou2017-outliers';
  return mix;
}
