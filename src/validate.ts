/** Input checks shared by every public function: bad input gets a clear error naming the problem. */
import { tf } from './backend';

export class InputError extends Error {
  constructor(message: string) { super(message); this.name = 'InputError'; }
}

/** Throws unless `x` is a rank-2 tensor (optionally with the given number of columns / rows) of finite values. */
export function assertMatrix(x: unknown, name: string, opts: { cols?: number; rows?: number; finite?: boolean; min?: number; max?: number } = {}): asserts x is tf.Tensor2D {
  if (!(x instanceof tf.Tensor)) throw new InputError(`${name}: expected a tf.Tensor2D, got ${x === null ? 'null' : typeof x}`);
  if (x.isDisposed) throw new InputError(`${name}: the tensor has been disposed`);
  if (x.rank !== 2) throw new InputError(`${name}: expected a matrix (rank 2, rows are samples), got shape [${x.shape}]`);
  if (opts.cols !== undefined && x.shape[1] !== opts.cols) throw new InputError(`${name}: expected ${opts.cols} columns, got shape [${x.shape}]`);
  if (opts.rows !== undefined && x.shape[0] !== opts.rows) throw new InputError(`${name}: expected ${opts.rows} rows, got shape [${x.shape}]`);
  if (x.shape[0] === 0 || x.shape[1] === 0) throw new InputError(`${name}: empty matrix, shape [${x.shape}]`);
  if (opts.finite !== false) assertFinite(x, name);
  if (opts.min !== undefined || opts.max !== undefined) {
    const [lo, hi] = tf.tidy(() => [x.min().dataSync()[0], x.max().dataSync()[0]]);
    if ((opts.min !== undefined && lo < opts.min) || (opts.max !== undefined && hi > opts.max)) {
      throw new InputError(`${name}: values must lie in [${opts.min ?? '-inf'}, ${opts.max ?? 'inf'}], got [${lo}, ${hi}]`);
    }
  }
}

/** Throws if a tensor or array holds NaN or +-Infinity, saying how many and where the first is. */
export function assertFinite(x: tf.Tensor | ArrayLike<number>, name: string): void {
  if (x instanceof tf.Tensor) {
    const bad = tf.tidy(() => tf.logicalNot(tf.isFinite(x)).sum().dataSync()[0]);
    if (bad > 0) {
      const d = x.dataSync();
      let first = 0;
      while (first < d.length && Number.isFinite(d[first])) first++;
      throw new InputError(`${name}: ${bad} non-finite value(s) (NaN or Infinity); first at flat index ${first} (${d[first]})`);
    }
    return;
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new InputError(`${name}: non-finite value ${x[i]} at index ${i}`);
  }
}

export function assertPositive(v: unknown, name: string): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new InputError(`${name} must be a finite number > 0, got ${String(v)}`);
}

export function assertNonNegative(v: unknown, name: string): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InputError(`${name} must be a finite number >= 0, got ${String(v)}`);
}

export function assertInt(v: unknown, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new InputError(`${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
}

export function assertInRange(v: unknown, name: string, lo: number, hi: number): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) throw new InputError(`${name} must be in [${lo}, ${hi}], got ${String(v)}`);
}

export function assertOneOf<T extends string>(v: unknown, name: string, allowed: readonly T[]): asserts v is T {
  if (!allowed.includes(v as T)) throw new InputError(`${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(v)}`);
}
