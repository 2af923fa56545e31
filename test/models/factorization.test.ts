import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, nativeBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { LinearFactorization, factorizationResidual, fitFactorizationBatch, learningRateAt, randomFactor, solverLoss } from '../../src/models/factorization';
import { LinearAutoencoder, fitLinearAEBatch, linearAEResidual } from '../../src/models/linear-ae';
import { twinCheck } from '../train/twin';
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

// ------------------------------------------------------------------------------------------------------------
// The Adam steps are CompiledSteps (src/train/compile.ts). 'sgd' and 'subgradient' (the phase-transition solver) stay
// eager: they are not Adam.

const compiles = async () => { await initBackend(); return nativeBackend() !== null && process.env.RML_COMPILE !== '0'; };

test('linear solvers (factorization, linear AE untied / tied; l1 and l2): the compiled Adam step equals the eager one (twin check: test/train/twin.ts), no tensor growth', async (t) => {
  if (!(await compiles())) { t.skip('compiled steps need tfjs-node (and RML_COMPILE not 0)'); return; }
  const before = tf.memory().numTensors;
  const [k, m, n, p] = [2, 30, 12, 3];
  for (const loss of ['l2', 'l1'] as const) {
    for (const kind of ['factorization', 'ae', 'ae-tied'] as const) {
      const status = twinCheck({
        make: () => {
          const rng = new Rng(1);
          const B = randomFactor([k, n, p], 0.3, rng.fork('B'), 'B');
          const other = kind === 'factorization' ? randomFactor([k, m, p], 0.3, rng.fork('Z'), 'Z') : kind === 'ae' ? randomFactor([k, p, n], 0.3, rng.fork('A'), 'A') : null;
          return { trained: other ? [B, other] : [B] };
        },
        loss: ([B, other]) => solverLoss(kind === 'factorization' ? factorizationResidual(B, other) : linearAEResidual(B, other ?? null), loss),
        inputs: (s) => [tf.tensor3d(new Rng(10 + s).normalArray(k * m * n), [k, m, n])],
        steps: 3, learningRate: 1e-2,
      });
      assert.equal(status, 'graph', `${kind} ${loss}`);
    }
  }
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});

test('linear solvers: fits through the compiled step follow the eager fits (compiledStep: false), l1 and l2, with no fallback and no tensor leak', async (t) => {
  await initBackend();
  const warn = t.mock.method(console, 'warn', () => {});
  const before = tf.memory().numTensors;
  const d = lowRankPlusSparse({ n1: 40, n2: 30, rank: 3, rho: 0.05, seed: 4 });
  const X = tf.tensor3d(d.X, [1, 40, 30]);
  // Both paths run the same maths from the same initialisation; each step agrees to rounding (twin check above), and
  // these small problems converge to an isolated minimiser (l2: the PCA subspace; l1: the recovered low-rank
  // part), so the two fits end within the solver's own accuracy of each other. Bounds: recorded losses 1e-4
  // relative, the fitted L 1e-3 relative (measured on a family-26 CPU: identical to the bit).
  for (const loss of ['l2', 'l1'] as const) {
    for (const fit of [fitFactorizationBatch, fitLinearAEBatch]) {
      const opts = { loss, iterations: 600, decayEvery: 200, learningRate: 0.02, logEvery: 10 };
      const a = await fit(X, 3, { ...opts, compiledStep: true }), b = await fit(X, 3, { ...opts, compiledStep: false });
      const la = a.run.losses.map((r) => r.loss[0]), lb = b.run.losses.map((r) => r.loss[0]);
      assert.equal(la.length, 60);
      la.forEach((v, i) => assert.ok(Math.abs(v - lb[i]) <= 1e-4 * lb[i], `${fit.name} ${loss} at ${a.run.losses[i].iter}: ${v} (compiled) vs ${lb[i]} (eager)`));
      assert.ok(la[59] < 0.9 * la[0], `${fit.name} ${loss}: the fit does not progress (${la[0]} -> ${la[59]}), else the comparison is empty`);
      const rel = tf.tidy(() => tf.norm(tf.sub(a.L, b.L)).dataSync()[0] / tf.norm(b.L).dataSync()[0]);
      assert.ok(rel < 1e-3, `${fit.name} ${loss}: L differs by ${rel} relative`);
      for (const r of [a, b]) tf.dispose(Object.values(r).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
    }
  }
  // The l1 codes of new rows (LinearFactorization.transform) are a compiled step on the codes alone.
  const X2 = tf.squeeze(X, [0]) as tf.Tensor2D;
  const f = await new LinearFactorization({ rank: 3, loss: 'l1', iterations: 300, decayEvery: 100 }).fit(X2, { progress: false });
  const codes = f.transform(X2);
  assert.deepEqual(codes.shape, [40, 3]);
  tf.dispose([codes, X2]); f.dispose();
  if (await compiles()) assert.equal(warn.mock.callCount(), 0, `a step fell back to eager: ${warn.mock.calls.map((c) => c.arguments[0]).join('; ')}`);
  X.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  assert.throws(() => new LinearFactorization({ compiledStep: 'no' as never }), /compiledStep/);
});
