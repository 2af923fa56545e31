import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from 'ml-matrix';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { RobustPCA } from '../../src/models/rpca';
import { Mat64 } from '../../src/linalg/dense';
import { referenceRpca } from './rpca-reference';

/** Candes et al. 2011 protocol: L0 = X Y^T with N(0, 1/n) entries; S0 = +-1 on a Bernoulli(rho) support. */
function candes(m: number, n: number, r: number, rho: number, seed: number) {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: m * r }, () => rng.normal() / Math.sqrt(m));
  const Y = Float64Array.from({ length: n * r }, () => rng.normal() / Math.sqrt(n));
  const L0 = new Float64Array(m * n), S0 = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k < r; k++) s += X[i * r + k] * Y[j * r + k]; L0[i * n + j] = s; }
  for (let i = 0; i < m * n; i++) if (rng.uniform() < rho) S0[i] = rng.uniform() < 0.5 ? 1 : -1;
  const D: Mat64 = { rows: m, cols: n, data: L0.map((v, i) => v + S0[i]) };
  return { L0, S0, D };
}
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => { let e = 0, l = 0; for (let i = 0; i < a.length; i++) { e += (a[i] - b[i]) ** 2; l += b[i] ** 2; } return Math.sqrt(e / l); };

test('RobustPCA recovers a 400x400 rank-20 matrix with 5% +-1 corruption (Candes et al. protocol)', async () => {
  await initBackend();
  const { L0, S0, D } = candes(400, 400, 20, 0.05, 1);
  const model = await new RobustPCA().fit(D);
  assert.equal(model.history.stopped, 'converged');
  assert.ok(model.history.outer.at(-1)!.c1 < 1e-7, 'residual below tol');
  const err = relErr(model.L64!.data, L0);
  assert.ok(err < 1e-6, `relative error ${err}`);
  assert.equal(model.rank, 20);
  assert.equal(model.lambda, 1 / 20);
  // the support of S is recovered exactly
  let wrong = 0;
  for (let i = 0; i < S0.length; i++) if ((Math.abs(model.S64!.data[i]) > 0.5) !== (S0[i] !== 0)) wrong++;
  assert.equal(wrong, 0);
  // history: one record per iteration, rank and mu tracked, mu grows by rho
  const h = model.history.outer;
  assert.equal(h.length, model.iterations);
  assert.ok(Math.abs(h[1].mu / h[0].mu - 1.5) < 1e-12);
  assert.equal(h.at(-1)!.rank, 20);
});

test('RobustPCA agrees with an independent dense-SVD implementation (60x60, ml-matrix SVD every iteration)', async () => {
  const { D } = candes(60, 50, 3, 0.08, 5);
  const lambda = 1 / Math.sqrt(60);
  const ref = referenceRpca(Matrix.from1DArray(60, 50, Array.from(D.data)), lambda);
  const model = await new RobustPCA().fit(D);
  assert.equal(model.lambda, lambda);
  const diff = relErr(model.L64!.data, ref.L.to1DArray());
  assert.ok(diff < 1e-5, `L differs from the reference by ${diff}`);
  assert.ok(relErr(model.S64!.data, ref.S.to1DArray()) < 1e-4);
  assert.ok(Math.abs(model.iterations - ref.iterations) <= 2, `${model.iterations} vs ${ref.iterations} iterations`);
});

test('RobustPCA on tensors: decompose sums to X, reconstruct projects on the learned row space, options validated', async () => {
  const { D } = candes(80, 40, 2, 0.05, 9);
  const X = tf.tensor2d(Float32Array.from(D.data), [80, 40]);
  const model = await new RobustPCA({ lambda: RobustPCA.matlabLambda(X) }).fit(X);
  assert.equal(model.lambda, 1 / Math.sqrt(40));
  const { L, S } = model.decompose();
  const resid = tf.tidy(() => tf.norm(tf.sub(X, tf.add(L, S))).dataSync()[0] / tf.norm(X).dataSync()[0]);
  assert.ok(resid < 1e-6, `X - L - S = ${resid}`);
  // reconstructing L's own rows gives L back (they lie in the learned row space)
  const R = model.reconstruct(L);
  assert.ok(tf.tidy(() => tf.norm(tf.sub(R, L)).dataSync()[0] / tf.norm(L).dataSync()[0]) < 1e-4);
  assert.throws(() => model.reconstruct(tf.zeros([3, 5]) as tf.Tensor2D), /40 columns/);
  tf.dispose([X, L, S, R]);
  assert.throws(() => new RobustPCA({ rho: 1 }), /rho/);
  assert.throws(() => new RobustPCA({ lambda: -1 }), /lambda/);
  assert.throws(() => new RobustPCA({ bogus: 1 } as never), /unknown option/);
  assert.throws(() => new RobustPCA().decompose(), /fit\(\) first/);
  await assert.rejects(new RobustPCA().fit({ rows: 2, cols: 2, data: Float64Array.of(1, NaN, 0, 0) }), /non-finite/);
  // an all-zero matrix decomposes into zeros
  const z = await new RobustPCA().fit({ rows: 3, cols: 3, data: new Float64Array(9) });
  assert.equal(z.rank, 0);
});

test('RobustPCA: native double-precision SVT (randomized and dense routes) agrees with the JS route and the dense reference', async () => {
  await initBackend();
  // low rank: randomized route on TensorFlow's double kernels vs the pure-JS randomized route
  const { D, L0 } = candes(200, 150, 5, 0.1, 3);
  const a = await new RobustPCA().fit(D);
  const b = await new RobustPCA({ native: false }).fit(D);
  assert.equal(a.history.stopped, 'converged');
  assert.ok(Math.abs(a.iterations - b.iterations) <= 1, `${a.iterations} vs ${b.iterations} iterations`);
  assert.ok(relErr(a.L64!.data, b.L64!.data) < 1e-6, `native vs JS: ${relErr(a.L64!.data, b.L64!.data)}`);
  assert.ok(relErr(a.L64!.data, L0) < 1e-5);
  assert.equal(a.rank, 5);
  // the dense route (exact SVT from the Gram matrix's eigendecomposition, used above ~20% predicted rank; here
  // forced from the first iteration) = the reference's exact SVT with ml-matrix's SVD every iteration
  const h = candes(90, 70, 4, 0.05, 7);
  const lambda = 1 / Math.sqrt(90);
  const ref = referenceRpca(Matrix.from1DArray(90, 70, Array.from(h.D.data)), lambda);
  const c = await new RobustPCA({ denseFraction: 0 }).fit(h.D);
  assert.ok(relErr(c.L64!.data, ref.L.to1DArray()) < 1e-6, `dense route vs reference: ${relErr(c.L64!.data, ref.L.to1DArray())}`);
  assert.ok(Math.abs(c.iterations - ref.iterations) <= 1, `${c.iterations} vs ${ref.iterations} iterations`);
  assert.equal(c.rank, 4);
});
