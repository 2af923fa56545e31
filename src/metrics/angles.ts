/**
 * Principal angles between the column spaces of two bases (e.g. the learned vs the true low-rank subspace).
 *
 * Bjorck & Golub: orthonormalise each basis (Q1, Q2), cos(theta_i) = singular values of Q1^T Q2. Small angles are
 * taken from sin(theta) = singular values of (I - Q1 Q1^T) Q2 instead (accurate where acos is not). Float64.
 */
import { MatrixLike, toMat64 } from '../linalg/convert';
import { jacobiSvd64, matmulTN64, matmul64, orthonormalize64, Mat64 } from '../linalg/dense';
import { InputError } from '../validate';

export interface PrincipalAngles {
  /** Angles in radians, ascending (min(k1, k2) of them). */
  angles: Float64Array;
  /** sin of the largest angle: the distance between the subspaces when k1 = k2 (0 = same subspace). */
  maxSin: number;
}

export function principalAngles(A: MatrixLike, B: MatrixLike): PrincipalAngles {
  const a = toMat64(A, 'principalAngles: A'), b = toMat64(B, 'principalAngles: B');
  if (a.rows !== b.rows) throw new InputError(`principalAngles: bases live in different spaces (${a.rows} vs ${b.rows} rows)`);
  if (a.cols > a.rows || b.cols > b.rows) throw new InputError('principalAngles: a basis has more columns than rows');
  let Q1 = orthonormalize64(a), Q2 = orthonormalize64(b);
  if (Q1.cols < Q2.cols) [Q1, Q2] = [Q2, Q1];
  const k = Q2.cols;
  const cos = jacobiSvd64(matmulTN64(Q1, Q2)).s; // descending: smallest angle first
  // (I - Q1 Q1^T) Q2
  const P = matmul64(Q1, matmulTN64(Q1, Q2));
  const R: Mat64 = { rows: Q2.rows, cols: k, data: Q2.data.map((v, i) => v - P.data[i]) };
  const sin = jacobiSvd64(R).s; // descending: largest angle first
  const angles = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const c = Math.min(1, cos[i]);
    const s = Math.min(1, sin[k - 1 - i]);
    angles[i] = c > Math.SQRT1_2 ? Math.asin(s) : Math.acos(c);
  }
  angles.sort();
  return { angles, maxSin: Math.sin(angles[k - 1]) };
}
