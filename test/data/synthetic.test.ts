import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { tf, initBackend } from '../../src/backend';
import { lowRankPlusSparse, lowRankPlusSparseTensors, relativeFrobeniusError } from '../../src/data/synthetic';

before(async () => { await initBackend(); });

function numericalRank(a: Float32Array, n1: number, n2: number): number {
  const rows = Array.from({ length: n1 }, (_, i) => Array.from(a.subarray(i * n2, (i + 1) * n2)));
  const s = new SingularValueDecomposition(new Matrix(rows), { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
  return s.filter((v) => v > s[0] * 1e-4).length;
}

test('L0 has rank r, entries of the factors have variance 1/n, S0 is Bernoulli(rho) with +-1 signs', () => {
  const n1 = 60, n2 = 50, rank = 4, rho = 0.1;
  const d = lowRankPlusSparse({ n1, n2, rank, rho, seed: 1 });
  assert.equal(numericalRank(d.L0, n1, n2), rank);
  assert.equal(numericalRank(d.X, n1, n2) > rank, true);
  const varU = d.U.reduce((a, v) => a + v * v, 0) / d.U.length;
  assert.ok(Math.abs(varU - 1 / n1) < 0.3 / n1);
  let nz = 0, plus = 0;
  for (let e = 0; e < n1 * n2; e++) {
    assert.equal(d.support[e], d.S0[e] !== 0 ? 1 : 0);
    if (d.S0[e] !== 0) { nz++; assert.ok(d.S0[e] === 1 || d.S0[e] === -1); if (d.S0[e] > 0) plus++; }
    assert.ok(Math.abs(d.X[e] - d.L0[e] - d.S0[e]) < 1e-6);
  }
  const sd = Math.sqrt(n1 * n2 * rho * (1 - rho));
  assert.ok(Math.abs(nz - rho * n1 * n2) < 4 * sd, `nonzeros ${nz}`);
  assert.ok(Math.abs(plus / nz - 0.5) < 0.1);
});

test('seeded, repeatable; uniform and coherent values; tensors and errors', () => {
  const a = lowRankPlusSparse({ n1: 20, n2: 20, rank: 2, rho: 0.2, seed: 3 });
  const b = lowRankPlusSparse({ n1: 20, n2: 20, rank: 2, rho: 0.2, seed: 3 });
  const c = lowRankPlusSparse({ n1: 20, n2: 20, rank: 2, rho: 0.2, seed: 4 });
  assert.deepEqual(a.X, b.X); assert.notDeepEqual(a.X, c.X);
  const u = lowRankPlusSparse({ n1: 20, n2: 20, rank: 2, rho: 0.5, seed: 3, sparseValue: 'uniform' });
  assert.ok(u.S0.every((v) => v >= -1 && v <= 1));
  const co = lowRankPlusSparse({ n1: 20, n2: 20, rank: 2, rho: 0.5, seed: 3, sparseValue: 'coherent' });
  co.S0.forEach((v, e) => { if (v !== 0) assert.equal(Math.sign(v), co.L0[e] >= 0 ? 1 : -1); });
  const n0 = tf.memory().numTensors;
  const t = lowRankPlusSparseTensors(a);
  assert.deepEqual(t.X.shape, [20, 20]);
  assert.ok(relativeFrobeniusError(t.L0, a.L0) === 0);
  assert.ok(relativeFrobeniusError(a.X, a.L0) > 0);
  tf.dispose([t.L0, t.S0, t.X]);
  assert.equal(tf.memory().numTensors, n0);
  assert.throws(() => lowRankPlusSparse({ n1: 10, n2: 10, rank: 11, rho: 0.1, seed: 1 }), /rank/);
  assert.throws(() => lowRankPlusSparse({ n1: 10, n2: 10, rank: 1, rho: 1.5, seed: 1 }), /rho/);
});
