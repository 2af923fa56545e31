/**
 * Recovery errors of an estimated clean part Lhat against the true L0 (Float64 accumulation).
 *
 *  - `nmse(Lhat, L0)` = ||Lhat - L0||_F^2 / ||L0||_F^2: the normalised MSE of Dai et al. ("Hidden talents of the
 *    VAE", eq. 20), the SQUARED ratio.
 *  - `relativeError(Lhat, L0)` = ||Lhat - L0||_F / ||L0||_F: the unsquared ratio used by Candes et al. 2011
 *    (success when < 1e-3) and Li et al. So nmse = relativeError^2.
 */
import { tf } from '../backend';
import { InputError } from '../validate';

type Arrayish = tf.Tensor | ArrayLike<number>;

function values(x: Arrayish, name: string): { v: ArrayLike<number>; shape: number[] } {
  if (x instanceof tf.Tensor) {
    if (x.isDisposed) throw new InputError(`${name}: the tensor has been disposed`);
    return { v: x.dataSync(), shape: x.shape };
  }
  if (x == null || typeof (x as ArrayLike<number>).length !== 'number') throw new InputError(`${name}: expected a tensor or an array of numbers`);
  return { v: x, shape: [(x as ArrayLike<number>).length] };
}

function sums(Lhat: Arrayish, L0: Arrayish, fn: string): { diff2: number; ref2: number } {
  const a = values(Lhat, `${fn}: Lhat`), b = values(L0, `${fn}: L0`);
  if (a.v.length !== b.v.length || (a.shape.length === b.shape.length && a.shape.some((s, i) => s !== b.shape[i]))) {
    throw new InputError(`${fn}: shapes differ: [${a.shape}] vs [${b.shape}]`);
  }
  if (a.v.length === 0) throw new InputError(`${fn}: empty input`);
  let diff2 = 0, ref2 = 0;
  for (let i = 0; i < a.v.length; i++) {
    const x = a.v[i], y = b.v[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new InputError(`${fn}: non-finite value at flat index ${i}`);
    diff2 += (x - y) * (x - y);
    ref2 += y * y;
  }
  if (ref2 === 0) throw new InputError(`${fn}: the reference L0 is all zeros (the ratio is undefined)`);
  return { diff2, ref2 };
}

/** NMSE = ||Lhat - L0||_F^2 / ||L0||_F^2 (Dai et al., eq. 20). */
export function nmse(Lhat: Arrayish, L0: Arrayish): number {
  const { diff2, ref2 } = sums(Lhat, L0, 'nmse');
  return diff2 / ref2;
}

/** Relative error ||Lhat - L0||_F / ||L0||_F (Candes et al. 2011; = sqrt(nmse)). */
export function relativeError(Lhat: Arrayish, L0: Arrayish): number {
  const { diff2, ref2 } = sums(Lhat, L0, 'relativeError');
  return Math.sqrt(diff2 / ref2);
}
