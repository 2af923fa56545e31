import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { LinearFactorization, fitFactorizationBatch, learningRateAt } from '../../src/models/factorization';
import { LinearAutoencoder } from '../../src/models/linear-ae';
import { principalAngles } from '../../src/metrics/angles';
import { lowRankPlusSparse } from '../../src/data/synthetic';
import { PHASE_SOLVER } from '../../src/papers/li2020';

/** m x n data of rank r plus small noise, with distinct singular values. */
function lowRank(seed: number, m: number, n: number, r: number, noise = 0): tf.Tensor2D {
  const rng = new Rng(seed);
  return tf.tidy(() => {
    const U = tf.tensor2d(rng.normalArray(m * r), [m, r]);
    const s = tf.tensor1d(Array.from({ length: r }, (_, i) => 3 - i * (2 / r)));
    const V = tf.tensor2d(rng.normalArray(n * r), [n, r]);
    const E = tf.tensor2d(rng.normalArray(m * n, 0, noise), [m, n]);
    return tf.add(tf.matMul(tf.mul(U, s), V, false, true), E) as tf.Tensor2D;
  });
}

/** Top-p right singular subspace of X (rows = samples), via the eigenvectors of X^T X computed by power iteration on the host. */
function topSubspace(X: tf.Tensor2D, p: number): tf.Tensor2D {
  return tf.tidy(() => {
    const C = tf.matMul(X, X, true, false);
    let Q = tf.randomNormal([X.shape[1], p], 0, 1, 'float32', 7) as tf.Tensor2D;
    for (let i = 0; i < 300; i++) Q = tf.linalg.qr(tf.matMul(C, Q))[0] as tf.Tensor2D;
    return Q;
  });
}

test('l2 factorization and l2 linear autoencoders span the PCA subspace (Thm A.1, Baldi & Hornik)', async () => {
  await initBackend();
  const before = tf.memory().numTensors;
  const X = lowRank(1, 100, 20, 4, 0.05);
  const P = topSubspace(X, 3);
  for (const make of [
    () => new LinearFactorization({ rank: 3, loss: 'l2', iterations: 800, decayEvery: 300, learningRate: 0.02 }),
    () => new LinearAutoencoder({ rank: 3, loss: 'l2', iterations: 800, decayEvery: 300, learningRate: 0.02 }),
    () => new LinearAutoencoder({ rank: 3, loss: 'l2', tied: true, iterations: 800, decayEvery: 300, learningRate: 0.02 }),
  ]) {
    const m = make();
    await m.fit(X, { progress: false });
    const ang = principalAngles(m.B, P);
    assert.ok(ang.maxSin < 2e-2, `${m.constructor.name}: sin of the largest principal angle ${ang.maxSin}`);
    const { L, S } = m.decompose();
    assert.deepEqual(L.shape, X.shape);
    const recon = m.reconstruct(X);
    const codes = m.transform(X);
    assert.deepEqual(codes.shape, [100, 3]);
    if (m instanceof LinearFactorization) {
      // least-squares codes of the fitted rows reproduce the fitted L
      const diff = tf.tidy(() => tf.norm(tf.sub(recon, L)).div(tf.norm(L)).dataSync()[0]);
      assert.ok(diff < 1e-2, `refit codes differ: ${diff}`);
      assert.deepEqual(m.Z.shape, [100, 3]);
    } else {
      assert.deepEqual(m.A.shape, [3, 20]);
    }
    tf.dispose([L, S, recon, codes]);
    m.dispose();
  }
  tf.dispose([X, P]);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});

test('robust factorization recovers a Candes et al. low-rank + sparse matrix; the robust autoencoder does not', async () => {
  await initBackend();
  const before = tf.memory().numTensors;
  const d = lowRankPlusSparse({ n1: 60, n2: 60, rank: 3, rho: 0.05, seed: 2 });
  const X = tf.tensor3d(d.X, [1, 60, 60]);
  const opts = { ...PHASE_SOLVER, loss: 'l1' as const, iterations: 800 };
  const rf = await fitFactorizationBatch(X, 3, opts);
  const ae = await (await import('../../src/models/linear-ae')).fitLinearAEBatch(X, 3, opts);
  const err = (L: tf.Tensor) => { const a = L.dataSync(); let num = 0, den = 0; for (let i = 0; i < d.L0.length; i++) { num += (a[i] - d.L0[i]) ** 2; den += d.L0[i] ** 2; } return Math.sqrt(num / den); };
  const eRF = err(rf.L), eAE = err(ae.L);
  assert.ok(eRF < 1e-3, `robust factorization error ${eRF}`);
  assert.ok(eAE > 1e-2, `robust autoencoder error ${eAE} (expected to fail)`);
  tf.dispose([X, rf.L, rf.B, rf.Z, rf.mean, ae.L, ae.A, ae.B, ae.mean]);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});

test('linear models: options are validated, batch problems are independent, step decay', async () => {
  await initBackend();
  assert.throws(() => new LinearFactorization({ rank: 0 }), /rank/);
  assert.throws(() => new LinearFactorization({ loss: 'l3' as never }), /loss/);
  assert.throws(() => new LinearAutoencoder({ bogus: 1 } as never), /unknown option/);
  assert.throws(() => new LinearAutoencoder().transform(tf.zeros([2, 2])), /fit/);
  assert.ok(Math.abs(learningRateAt({ learningRate: 1, decayEvery: 10, decayFactor: 0.1 }, 25) - 0.01) < 1e-12);
  // two copies of one problem in a batch give the same answer as fitted alone (same init only for k=1; compare errors)
  const X1 = lowRank(3, 40, 20, 2, 0);
  const both = tf.stack([X1, tf.mul(X1, 10)]) as tf.Tensor3D;
  const r = await fitFactorizationBatch(both, 2, { loss: 'l2', iterations: 600, decayEvery: 200, learningRate: 0.02 });
  const rel = tf.tidy(() => tf.div(tf.norm(tf.sub(r.L, both), 'euclidean', [1, 2]), tf.norm(both, 'euclidean', [1, 2])).dataSync());
  assert.ok(rel[0] < 1e-2 && rel[1] < 1e-2, `scaled copies fitted: ${Array.from(rel)}`);
  tf.dispose([X1, both, r.L, r.B, r.Z, r.mean]);
});
