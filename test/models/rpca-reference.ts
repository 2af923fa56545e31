/**
 * A deliberately straightforward inexact-ALM RPCA (Lin, Chen & Ma 2009, Algorithm 5), written from the paper with
 * ml-matrix's dense SVD at every iteration: the independent reference for test/models/rpca.test.ts.
 */
import { Matrix, SVD } from 'ml-matrix';

export function referenceRpca(D: Matrix, lambda: number, tol = 1e-7, maxIter = 1000): { L: Matrix; S: Matrix; iterations: number } {
  const m = D.rows, n = D.columns;
  const norm2 = new SVD(D, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal[0];
  const normInf = D.to1DArray().reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  let Y = D.clone().div(Math.max(norm2, normInf / lambda));
  let L = Matrix.zeros(m, n), S = Matrix.zeros(m, n);
  let mu = 1.25 / norm2;
  const muBar = mu * 1e7, rho = 1.5, dnorm = D.norm('frobenius');
  let it = 0;
  while (it < maxIter) {
    it++;
    const T = D.clone().sub(L).add(Y.clone().div(mu));
    const t = lambda / mu;
    S = Matrix.from1DArray(m, n, T.to1DArray().map((v) => (v > t ? v - t : v < -t ? v + t : 0)));
    const svd = new SVD(D.clone().sub(S).add(Y.clone().div(mu)), { autoTranspose: true });
    const sv = svd.diagonal.map((x) => Math.max(x - 1 / mu, 0));
    L = svd.leftSingularVectors.mmul(Matrix.diag(sv)).mmul(svd.rightSingularVectors.transpose());
    const Z = D.clone().sub(L).sub(S);
    Y = Y.add(Z.clone().mul(mu));
    mu = Math.min(mu * rho, muBar);
    if (Z.norm('frobenius') / dnorm < tol) break;
  }
  return { L, S, iterations: it };
}
