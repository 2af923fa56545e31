/**
 * Decision-tree helpers shared by the forests (random forest classifier, Isolation Forest): a column-major Float32
 * copy of the data, a fast exact sort of (value, row) pairs, and a flat tree layout in typed arrays. The sort,
 * the tree layout and the ColumnMatrix type live in tree-core.ts (no TensorFlow: the forest worker threads load
 * it) and are re-exported here; this file adds the conversions from tensors / arrays.
 */
import { tf } from '../../backend';
import { InputError } from '../../validate';
import { ColumnMatrix } from './tree-core';

export * from './tree-core';

export type MatrixInput = tf.Tensor2D | number[][] | { data: ArrayLike<number>; rows: number; cols: number };

/**
 * Column-major float32 copy of X, with checks (finite values, < 2^20 rows). `shared`: the copy lives in a
 * SharedArrayBuffer (worker threads read it without a copy).
 */
export function toColumns(X: MatrixInput, name = 'X', shared = false): ColumnMatrix {
  let data: ArrayLike<number>, n: number, d: number;
  if (X instanceof tf.Tensor) {
    if (X.rank !== 2) throw new InputError(`${name}: expected a matrix, got shape [${X.shape}]`);
    [n, d] = X.shape; data = X.dataSync();
  } else if (Array.isArray(X)) {
    n = X.length; d = n ? X[0].length : 0;
    const flat = new Float32Array(n * d);
    X.forEach((r, i) => { if (r.length !== d) throw new InputError(`${name}: row ${i} has ${r.length} entries, expected ${d}`); flat.set(r, i * d); });
    data = flat;
  } else if (X && typeof X === 'object' && 'data' in X) {
    ({ data, rows: n, cols: d } = X);
    if (data.length !== n * d) throw new InputError(`${name}: data has ${data.length} entries, expected rows * cols = ${n * d}`);
  } else {
    throw new InputError(`${name}: expected a tf.Tensor2D, number[][] or { data, rows, cols }`);
  }
  if (n === 0 || d === 0) throw new InputError(`${name}: empty matrix (${n} x ${d})`);
  if (n >= 2 ** 20) throw new InputError(`${name}: at most 2^20 rows are supported, got ${n}`);
  const col = shared ? new Float32Array(new SharedArrayBuffer(4 * n * d)) : new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let f = 0; f < d; f++) {
      const v = data[o + f];
      if (!Number.isFinite(v)) throw new InputError(`${name}: non-finite value at row ${i}, column ${f}`);
      col[f * n + i] = v;
    }
  }
  return { n, d, col };
}

/** Row-major float32 data of a matrix input, with its shape (read only: may be the tensor's own values). */
export function toRows(X: MatrixInput, name = 'X'): { data: Float32Array; n: number; d: number } {
  const r = rowsOf(X, name);
  for (let i = 0; i < r.data.length; i++) if (!Number.isFinite(r.data[i])) throw new InputError(`${name}: non-finite value at row ${Math.floor(i / r.d)}, column ${i % r.d}`);
  return r;
}

function rowsOf(X: MatrixInput, name: string): { data: Float32Array; n: number; d: number } {
  if (X instanceof tf.Tensor) {
    if (X.rank !== 2) throw new InputError(`${name}: expected a matrix, got shape [${X.shape}]`);
    const v = X.dataSync(); // (read only: no copy needed for float32)
    return { data: v instanceof Float32Array ? v : Float32Array.from(v), n: X.shape[0], d: X.shape[1] };
  }
  if (Array.isArray(X)) {
    const n = X.length, d = n ? X[0].length : 0;
    const data = new Float32Array(n * d);
    X.forEach((r, i) => { if (r.length !== d) throw new InputError(`${name}: row ${i} has ${r.length} entries, expected ${d}`); data.set(r, i * d); });
    return { data, n, d };
  }
  if (!X || typeof X !== 'object' || !('data' in X) || !X.data || typeof X.data.length !== 'number') throw new InputError(`${name}: expected a tf.Tensor2D, number[][] or { data, rows, cols }, got ${X === null ? 'null' : typeof X}`);
  if (X.data.length !== X.rows * X.cols) throw new InputError(`${name}: data has ${X.data.length} entries, expected rows * cols = ${X.rows * X.cols}`);
  return { data: Float32Array.from(X.data), n: X.rows, d: X.cols };
}
