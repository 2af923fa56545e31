/**
 * Corruptions of image matrices (rows = images, values in [0, 1]). Every function takes X: tf.Tensor2D plus an
 * options object with a seed and returns `{ corrupted, mask }`: two new float32 tensors of X's shape (the caller
 * disposes them); mask is 1 where an entry was touched. Positions and values are drawn on the JS side with the
 * workspace's seeded `Rng` (same seed -> same output on every machine and backend) and the tensors are built once.
 *
 * Sources:
 * - saltPepperFlip: Zhou & Paffenroth (RDA) and Ren et al. (RVAE) code: per image draw k positions WITH
 *   replacement and flip each draw in turn (> 0.5 -> 0, else -> 1); RVAE uses k = int(fraction * d).
 * - impulseNoise: Li et al. 2020 ("Rethink autoencoders"), Table 2: salt-and-pepper impulse noise where the
 *   severity is the fraction of pixels corrupted; each corrupted entry becomes 1 (salt) or 0 (pepper) with equal
 *   probability, as in skimage `random_noise(mode='s&p', amount)` used by ImageNet-C's impulse noise.
 *   "Mixup" (Table 1 note 1): per image a level drawn uniformly from {no corruption, severity 1..6}.
 * - gaussianNoise: Li et al. Table 2 (std per severity) and Ren et al.: clip(x + f * N(0, 1), 0, 1).
 * - uniformReplace: Dai et al. (Hidden talents of the VAE) Sec. 5.4: replace 5%-50% of the pixels by values
 *   uniform on [0, 255] (here [0, 1], the scaled pixel range).
 * - gaussianReplace: Dai et al. Sec. 5.1: replace 100*nu% of the entries by standard Gaussian samples.
 */
import { tf } from './backend';
import { Rng, toRng } from './random';
import { assertInRange, assertInt, assertMatrix, assertNonNegative, assertOneOf, InputError } from './validate';

export interface CorruptionResult {
  corrupted: tf.Tensor2D;
  /** float32 0/1 of X's shape; 1 = entry touched by the corruption. */
  mask: tf.Tensor2D;
  /** For severity 'mixup': the level used for each row (0 = clean, 1..6 = severity). */
  levels?: Int32Array;
}

/** How corrupted positions are chosen for fraction-based corruptions. */
export type Sampling = 'bernoulli' | 'exact';

/**
 * Li et al. 2020, Table 2. Each severity has two columns, headed "MNIST/Fashion-MNIST & CIFAR10/100": the first
 * value is used for MNIST / Fashion-MNIST, the second for CIFAR-10/100 (impulse fractions are the same for both,
 * Gaussian standard deviations differ).
 */
export const LI2020_SEVERITY_TABLE = {
  /** Fraction of pixels corrupted by salt-and-pepper impulse noise, severities 1..6. */
  impulse: { mnist: [0.05, 0.10, 0.15, 0.20, 0.25, 0.30], cifar: [0.05, 0.10, 0.15, 0.20, 0.25, 0.30] },
  /** Standard deviation of the zero-mean additive Gaussian noise, severities 1..6. */
  gaussian: { mnist: [0.10, 0.15, 0.20, 0.25, 0.30, 0.35], cifar: [0.04, 0.06, 0.07, 0.08, 0.09, 0.10] },
} as const;

export type SeverityGroup = keyof typeof LI2020_SEVERITY_TABLE.impulse;
export type Severity = 1 | 2 | 3 | 4 | 5 | 6;

/** Ren et al. (RVAE) sweeps: salt-and-pepper fractions 0.01..0.51 step 0.02; Gaussian factors 0.1..0.9. */
export const RVAE_SALT_PEPPER_FRACTIONS = Array.from({ length: 26 }, (_, i) => Math.round((0.01 + 0.02 * i) * 100) / 100);
export const RVAE_GAUSSIAN_FACTORS = Array.from({ length: 9 }, (_, i) => Math.round((0.1 * (i + 1)) * 10) / 10);

/** Validated copy of X's values plus its shape. */
function readMatrix(X: tf.Tensor2D, name: string): { data: Float32Array; n: number; d: number } {
  assertMatrix(X, `${name}: X`, { finite: false });
  const [n, d] = X.shape;
  if (X.dtype !== 'float32') throw new InputError(`${name}: X must be float32, got ${X.dtype}`);
  const data = (X.dataSync() as Float32Array).slice(); // a copy: the cpu backend hands out its own storage
  for (let e = 0; e < data.length; e++) {
    if (!Number.isFinite(data[e])) throw new InputError(`${name}: X has a non-finite value (${data[e]}) at row ${Math.floor(e / d)}, column ${e % d}`);
  }
  return { data, n, d };
}

function checkSeed(seed: unknown, name: string): void {
  if (seed instanceof Rng) return;
  if (typeof seed !== 'number' && typeof seed !== 'string') throw new InputError(`${name}: give a seed (a number) so the corruption is repeatable`);
}

function build(data: Float32Array, mask: Float32Array, n: number, d: number, levels?: Int32Array): CorruptionResult {
  const out: CorruptionResult = { corrupted: tf.tensor2d(data, [n, d], 'float32'), mask: tf.tensor2d(mask, [n, d], 'float32') };
  if (levels) out.levels = levels;
  return out;
}

/** Chooses exactly k distinct positions of 0..d-1 (partial Fisher-Yates on a scratch permutation). */
function distinctPositions(rng: Rng, scratch: Int32Array, k: number): Int32Array {
  const d = scratch.length;
  for (let j = 0; j < k; j++) {
    const r = j + rng.int(d - j);
    const t = scratch[j]; scratch[j] = scratch[r]; scratch[r] = t;
  }
  return scratch.subarray(0, k);
}

function identity(d: number): Int32Array {
  const a = new Int32Array(d);
  for (let i = 0; i < d; i++) a[i] = i;
  return a;
}

// ---------------------------------------------------------------------------------------------------------------
export interface SaltPepperFlipOptions {
  /** Draws per image (with replacement). Give k or fraction. */
  k?: number;
  /** k = int(fraction * d) (Python int(): truncation), as in the RVAE code. */
  fraction?: number;
  seed: number | string | Rng;
}

/**
 * The RDA / RVAE "salt-and-pepper" corruption: for each row, k positions are drawn uniformly WITH replacement
 * (draw order: row by row, `rng.int(d)` k times) and each draw flips the current value: > 0.5 -> 0, else -> 1.
 * A position drawn twice is flipped twice, as in their loop. The mask marks positions drawn at least once.
 */
export function saltPepperFlip(X: tf.Tensor2D, opts: SaltPepperFlipOptions): CorruptionResult {
  const name = 'saltPepperFlip';
  if (!opts || typeof opts !== 'object') throw new InputError(`${name}: options { k | fraction, seed } are required`);
  checkSeed(opts.seed, name);
  const { data, n, d } = readMatrix(X, name);
  if ((opts.k === undefined) === (opts.fraction === undefined)) throw new InputError(`${name}: give exactly one of k (draws per image) or fraction`);
  let k: number;
  if (opts.k !== undefined) { assertInt(opts.k, `${name}: k`, 0); k = opts.k; }
  else { assertInRange(opts.fraction, `${name}: fraction`, 0, 1); k = Math.trunc(opts.fraction! * d); }
  const rng = toRng(opts.seed);
  const mask = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const off = i * d;
    for (let j = 0; j < k; j++) {
      const p = off + rng.int(d);
      data[p] = data[p] > 0.5 ? 0 : 1;
      mask[p] = 1;
    }
  }
  return build(data, mask, n, d);
}

// ---------------------------------------------------------------------------------------------------------------
export interface ImpulseNoiseOptions {
  /** Fraction of entries corrupted. Give fraction or severity. */
  fraction?: number;
  /** Li et al. Table 2 severity 1..6, or 'mixup' (per image: clean or severity 1..6, uniformly). */
  severity?: Severity | number | 'mixup';
  /** Which column of Table 2 (default 'mnist'; impulse fractions are the same in both). */
  dataset?: SeverityGroup;
  seed: number | string | Rng;
  /** Probability that a corrupted entry becomes 1 rather than 0 (default 0.5). */
  saltVsPepper?: number;
  /** 'bernoulli' (default, skimage): each entry independently with probability fraction; 'exact': round(fraction*d) distinct entries per row. */
  sampling?: Sampling;
}

function severityIndex(sev: unknown, name: string): number {
  assertInt(sev, `${name}: severity`, 1, 6);
  return (sev as number) - 1;
}

/** Per-row amount (fraction or std) and level for a fraction/std | severity | 'mixup' option. */
function perRowAmounts(n: number, name: string, direct: number | undefined, directName: string, severity: unknown, table: readonly number[], rng: Rng): { amounts: Float64Array; levels?: Int32Array } {
  if ((direct === undefined) === (severity === undefined)) throw new InputError(`${name}: give exactly one of ${directName} or severity (1..6 or 'mixup')`);
  const amounts = new Float64Array(n);
  if (direct !== undefined) { amounts.fill(direct); return { amounts }; }
  if (severity === 'mixup') {
    const lr = rng.fork('mixup-levels');
    const levels = new Int32Array(n);
    for (let i = 0; i < n; i++) { levels[i] = lr.int(7); amounts[i] = levels[i] === 0 ? 0 : table[levels[i] - 1]; }
    return { amounts, levels };
  }
  amounts.fill(table[severityIndex(severity, name)]);
  return { amounts };
}

/** Salt-and-pepper impulse noise (Li et al. 2020, Table 2). The mask marks every corrupted entry, even one whose value did not change. */
export function impulseNoise(X: tf.Tensor2D, opts: ImpulseNoiseOptions): CorruptionResult {
  const name = 'impulseNoise';
  if (!opts || typeof opts !== 'object') throw new InputError(`${name}: options { fraction | severity, seed } are required`);
  checkSeed(opts.seed, name);
  if (opts.fraction !== undefined) assertInRange(opts.fraction, `${name}: fraction`, 0, 1);
  const group = opts.dataset ?? 'mnist';
  assertOneOf(group, `${name}: dataset`, ['mnist', 'cifar'] as const);
  const sampling = opts.sampling ?? 'bernoulli';
  assertOneOf(sampling, `${name}: sampling`, ['bernoulli', 'exact'] as const);
  const q = opts.saltVsPepper ?? 0.5;
  assertInRange(q, `${name}: saltVsPepper`, 0, 1);
  const rng = toRng(opts.seed);
  const { data, n, d } = readMatrix(X, name);
  const { amounts, levels } = perRowAmounts(n, name, opts.fraction, 'fraction', opts.severity, LI2020_SEVERITY_TABLE.impulse[group], rng);
  const mask = new Float32Array(n * d);
  const scratch = sampling === 'exact' ? identity(d) : null;
  for (let i = 0; i < n; i++) {
    const off = i * d, p = amounts[i];
    if (p === 0) continue;
    if (scratch) {
      for (const j of distinctPositions(rng, scratch, Math.round(p * d))) {
        data[off + j] = rng.uniform() < q ? 1 : 0;
        mask[off + j] = 1;
      }
    } else {
      for (let j = 0; j < d; j++) {
        if (rng.uniform() < p) { data[off + j] = rng.uniform() < q ? 1 : 0; mask[off + j] = 1; }
      }
    }
  }
  return build(data, mask, n, d, levels);
}

// ---------------------------------------------------------------------------------------------------------------
export interface GaussianNoiseOptions {
  /** Standard deviation f of the added noise (x + f * N(0, 1)). Give std or severity. */
  std?: number;
  /** Li et al. Table 2 severity 1..6, or 'mixup'. */
  severity?: Severity | number | 'mixup';
  /** Which column of Table 2: 'mnist' (MNIST / Fashion-MNIST, default) or 'cifar' (CIFAR-10/100). */
  dataset?: SeverityGroup;
  seed: number | string | Rng;
  /** Clip the result to [0, 1] (default true). */
  clip?: boolean;
}

/** Additive Gaussian noise, clipped to [0, 1] by default. The mask marks entries whose value changed. */
export function gaussianNoise(X: tf.Tensor2D, opts: GaussianNoiseOptions): CorruptionResult {
  const name = 'gaussianNoise';
  if (!opts || typeof opts !== 'object') throw new InputError(`${name}: options { std | severity, seed } are required`);
  checkSeed(opts.seed, name);
  if (opts.std !== undefined) assertNonNegative(opts.std, `${name}: std`);
  const group = opts.dataset ?? 'mnist';
  assertOneOf(group, `${name}: dataset`, ['mnist', 'cifar'] as const);
  const clip = opts.clip ?? true;
  const rng = toRng(opts.seed);
  const { data, n, d } = readMatrix(X, name);
  const { amounts, levels } = perRowAmounts(n, name, opts.std, 'std', opts.severity, LI2020_SEVERITY_TABLE.gaussian[group], rng);
  const mask = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const off = i * d, s = amounts[i];
    if (s === 0) continue;
    for (let j = 0; j < d; j++) {
      const x = data[off + j];
      let y = Math.fround(x + s * rng.normal());
      if (clip) y = y < 0 ? 0 : y > 1 ? 1 : y;
      if (y !== x) { data[off + j] = y; mask[off + j] = 1; }
    }
  }
  return build(data, mask, n, d, levels);
}

// ---------------------------------------------------------------------------------------------------------------
export interface ReplaceOptions {
  /** Fraction of entries replaced per row. */
  fraction: number;
  seed: number | string | Rng;
  /** 'exact' (default): round(fraction * d) distinct entries per row; 'bernoulli': each entry independently. */
  sampling?: Sampling;
}

function replaceEntries(X: tf.Tensor2D, opts: ReplaceOptions, name: string, draw: (rng: Rng) => number): CorruptionResult {
  if (!opts || typeof opts !== 'object') throw new InputError(`${name}: options { fraction, seed } are required`);
  checkSeed(opts.seed, name);
  assertInRange(opts.fraction, `${name}: fraction`, 0, 1);
  const sampling = opts.sampling ?? 'exact';
  assertOneOf(sampling, `${name}: sampling`, ['bernoulli', 'exact'] as const);
  const rng = toRng(opts.seed);
  const { data, n, d } = readMatrix(X, name);
  const mask = new Float32Array(n * d);
  const p = opts.fraction;
  if (sampling === 'exact') {
    const k = Math.round(p * d);
    const scratch = identity(d);
    for (let i = 0; i < n; i++) {
      const off = i * d;
      for (const j of distinctPositions(rng, scratch, k)) { data[off + j] = draw(rng); mask[off + j] = 1; }
    }
  } else {
    for (let e = 0; e < n * d; e++) if (rng.uniform() < p) { data[e] = draw(rng); mask[e] = 1; }
  }
  return build(data, mask, n, d);
}

export interface UniformReplaceOptions extends ReplaceOptions {
  /** Range of the replacement values (default [0, 1)). */
  low?: number;
  high?: number;
}

/** Replaces a fraction of the entries of each row by U[low, high) values (Dai et al. Sec. 5.4, MNIST outliers). */
export function uniformReplace(X: tf.Tensor2D, opts: UniformReplaceOptions): CorruptionResult {
  const lo = opts?.low ?? 0, hi = opts?.high ?? 1;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) throw new InputError(`uniformReplace: need finite low <= high, got [${lo}, ${hi}]`);
  return replaceEntries(X, opts, 'uniformReplace', (r) => lo + (hi - lo) * r.uniform());
}

export interface GaussianReplaceOptions extends ReplaceOptions {
  mean?: number;
  std?: number;
}

/** Replaces a fraction of the entries of each row by N(mean, std^2) values, default N(0, 1) (Dai et al. Sec. 5.1). */
export function gaussianReplace(X: tf.Tensor2D, opts: GaussianReplaceOptions): CorruptionResult {
  const mean = opts?.mean ?? 0, std = opts?.std ?? 1;
  if (!Number.isFinite(mean)) throw new InputError(`gaussianReplace: mean must be finite, got ${mean}`);
  assertNonNegative(std, 'gaussianReplace: std');
  return replaceEntries(X, opts, 'gaussianReplace', (r) => mean + std * r.normal());
}
