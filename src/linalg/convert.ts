/** Conversions between tfjs tensors, nested arrays and row-major Float64 matrices. */
import { tf } from '../backend';
import { InputError } from '../validate';
import { Mat64 } from './dense';

export type MatrixLike = tf.Tensor2D | Mat64 | number[][];

/** A Float64 copy of a matrix given as a tf.Tensor2D, a Mat64 or a nested array. */
export function toMat64(x: MatrixLike, name = 'matrix'): Mat64 {
  if (x instanceof tf.Tensor) {
    if (x.isDisposed) throw new InputError(`${name}: the tensor has been disposed`);
    if (x.rank !== 2) throw new InputError(`${name}: expected a matrix, got shape [${x.shape}]`);
    return { rows: x.shape[0], cols: x.shape[1], data: Float64Array.from(x.dataSync()) };
  }
  if (Array.isArray(x)) {
    const rows = x.length, cols = rows ? x[0].length : 0;
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      if (!Array.isArray(x[i]) || x[i].length !== cols) throw new InputError(`${name}: ragged nested array (row ${i})`);
      for (let j = 0; j < cols; j++) data[i * cols + j] = x[i][j];
    }
    return { rows, cols, data };
  }
  if (x && typeof x === 'object' && 'data' in x && x.data instanceof Float64Array) {
    if (x.data.length !== x.rows * x.cols) throw new InputError(`${name}: data length ${x.data.length} != ${x.rows}x${x.cols}`);
    return x;
  }
  throw new InputError(`${name}: expected a tf.Tensor2D, a Mat64 or a number[][]`);
}

/** A float32 tensor from a Float64 matrix (caller disposes). */
export function mat64ToTensor(A: Mat64): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(A.data), [A.rows, A.cols]);
}

export function toFloat64Vector(x: tf.Tensor | ArrayLike<number>, name = 'vector'): Float64Array {
  if (x instanceof tf.Tensor) {
    if (x.isDisposed) throw new InputError(`${name}: the tensor has been disposed`);
    return Float64Array.from(x.dataSync());
  }
  if (x == null || typeof (x as ArrayLike<number>).length !== 'number') throw new InputError(`${name}: expected an array or tensor`);
  return Float64Array.from(x as ArrayLike<number>);
}
