import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { A, DT, GraphBuilder, GraphSession } from '../../src/train/graph';
import { DenseGraphAdam } from '../../src/train/graph-dense';
import { FusedAdam, denseTrainStep, FusedDenseLayer, FusedLoss, FUSED_ACTIVATIONS } from '../../src/train/fused';

const ready = initBackend();
const native = async () => { await ready; return GraphSession.available(); };
let uid = 0;

test('GraphBuilder + GraphSession: a hand-built graph computes what the eager kernels do; variables persist between runs', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const before = tf.memory().numTensors;
  const g = new GraphBuilder();
  const a = g.placeholder('a'), b = g.placeholder('b');
  g.op('MatMul', [a, b], { T: A.type(DT.float), transpose_b: A.b(true) }, 'ab');
  const c = g.constFloat([1, -2, 3], [3], 'c');
  g.op('BiasAdd', ['ab', c], { T: A.type(DT.float) }, 'abc');
  const v = g.variable('v', [3]);
  const set = g.assign(v, g.placeholder('vin', DT.float, [3]));
  g.after(g.constFloat(0), [set], 'set');
  g.op('AddV2', [g.read(v), c], { T: A.type(DT.float) }, 'vc');
  assert.throws(() => g.op('Neg', ['nope'], { T: A.type(DT.float) }), /input "nope".*not a node/);
  assert.throws(() => g.placeholder('a'), /used twice/);
  const s = GraphSession.load(g);
  const rng = new Rng(1);
  const x = tf.tensor2d(rng.normalArray(8), [2, 4]), y = tf.tensor2d(rng.normalArray(12), [3, 4]);
  const [abc] = s.run({ a: x, b: y }, ['abc']);
  const ref = tf.tidy(() => tf.add(tf.matMul(x, y, false, true), tf.tensor1d([1, -2, 3])));
  assert.deepEqual(abc.shape, [2, 3]);
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(abc, ref))).dataSync()[0]) < 1e-6);
  tf.dispose(s.run({ vin: tf.tidy(() => tf.tensor1d([10, 20, 30])) }, ['set']));
  const [vc] = s.run({}, ['vc']);
  assert.deepEqual(Array.from(vc.dataSync()), [11, 18, 33]);
  tf.dispose([abc, ref, vc, x, y]);
  s.dispose();
  assert.throws(() => s.run({}, ['vc']), /after dispose/);
  assert.ok(tf.memory().numTensors <= before + 1, 'no tensors left behind (the fed literal is tidied)');
});

/** Two copies of the same network: one trained by denseTrainStep + FusedAdam (eager), one by DenseGraphAdam. */
function twin(sizes: number[], act: FusedDenseLayer['act'], tied: boolean): [FusedDenseLayer[], FusedDenseLayer[], tf.Variable[]] {
  const rng = new Rng(sizes.length * 7 + (tied ? 1 : 0));
  const mk = (s: number[]) => tf.tensor(rng.normalArray(s.reduce((p, q) => p * q, 1), 0, 0.4), s);
  const all: tf.Variable[] = [];
  const v = (t: tf.Tensor) => { const a = tf.variable(t, true, `graphtest/${uid++}`); all.push(a); return a; };
  const build = (init: tf.Tensor[]) => {
    let k = 0;
    const enc: FusedDenseLayer[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) enc.push({ W: v(init[k++].clone()), b: v(init[k++].clone()), act });
    const dec: FusedDenseLayer[] = [];
    for (let i = sizes.length - 1; i >= 1; i--) {
      if (tied) dec.push({ W: enc[i - 1].W, b: v(init[k++].clone()), act, transposeW: true });
      else dec.push({ W: v(init[k++].clone()), b: v(init[k++].clone()), act });
    }
    return [...enc, ...dec];
  };
  const init: tf.Tensor[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) init.push(mk([sizes[i], sizes[i + 1]]), mk([sizes[i + 1]]));
  for (let i = sizes.length - 1; i >= 1; i--) { if (!tied) init.push(mk([sizes[i], sizes[i - 1]])); init.push(mk([sizes[i - 1]])); }
  const a = build(init), b = build(init);
  tf.dispose(init);
  return [a, b, all];
}

const uniqVars = (ls: FusedDenseLayer[]) => [...new Set(ls.flatMap((l) => [l.W, l.b]).filter((x): x is tf.Variable => x instanceof tf.Variable))];

test('DenseGraphAdam: same losses and weights as the eager compiled step + FusedAdam (every activation, tied/untied, mse/l1, target), no tensor growth', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const rng = new Rng(5);
  const cases: [FusedDenseLayer['act'], boolean, FusedLoss, boolean][] = FUSED_ACTIVATIONS.map((a, i) => [a, i % 2 === 0, i % 3 === 0 ? 'l1' : 'mse', i === 1] as [FusedDenseLayer['act'], boolean, FusedLoss, boolean]);
  for (const [act, tied, loss, withTarget] of cases) {
    const [la, lb, vars] = twin([12, 7, 3], act, tied);
    const x = tf.tensor2d(rng.uniformArray(30 * 12), [30, 12]);
    const y = withTarget ? tf.tensor2d(rng.uniformArray(30 * 12), [30, 12]) : undefined;
    const eager = new FusedAdam(5e-3);
    const graph = new DenseGraphAdam(lb, { loss, learningRate: 5e-3, withTarget });
    let before = 0;
    for (let s = 0; s < 8; s++) {
      const p = denseTrainStep(eager, x, la, loss, y ?? x), q = graph.step(x, y);
      const [pv, qv] = [p.dataSync()[0], q.dataSync()[0]];
      tf.dispose([p, q]);
      if (s === 0) before = tf.memory().numTensors; // FusedAdam keeps its slot handles from the first step on
      assert.ok(Math.abs(pv - qv) <= 1e-5 * Math.max(1, Math.abs(pv)), `${act}/${tied}/${loss} step ${s}: loss ${pv} vs ${qv}`);
    }
    assert.equal(tf.memory().numTensors, before, `${act}: tensor count constant across steps`);
    const va = uniqVars(la), vb = uniqVars(lb);
    assert.equal(va.length, vb.length);
    va.forEach((w, k) => {
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(w, vb[k]))).dataSync()[0]);
      assert.ok(d < 1e-4, `${act}/${tied}/${loss}: weight ${k} differs by ${d}`);
    });
    assert.equal(graph.iterations, 8);
    eager.dispose(); graph.dispose();
    tf.dispose([x, ...(y ? [y] : []), ...vars]);
  }
});

test('DenseGraphAdam: follows weights assigned outside it, resets its moments, rejects bad use', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const rng = new Rng(9);
  const [la, lb, vars] = twin([10, 4], 'sigmoid', true);
  const x = tf.tensor2d(rng.uniformArray(20 * 10), [20, 10]);
  const eager = new FusedAdam(1e-2);
  const graph = new DenseGraphAdam(lb, { learningRate: 1e-2 });
  const both = () => { const p = denseTrainStep(eager, x, la, 'mse'), q = graph.step(x); const r = [p.dataSync()[0], q.dataSync()[0]]; tf.dispose([p, q]); return r; };
  for (let s = 0; s < 3; s++) both();
  // An outside assignment (as a projection step would do) must be seen by the next graph step.
  const newW = tf.tidy(() => tf.mul(la[0].W, 0.5));
  (la[0].W as tf.Variable).assign(newW); (lb[0].W as tf.Variable).assign(newW);
  const [p, q] = both();
  assert.ok(Math.abs(p - q) < 1e-6, `after an outside assignment: ${p} vs ${q}`);
  // resetSlots = a fresh optimizer: matches a new FusedAdam from here on.
  const fresh = new FusedAdam(1e-2);
  graph.resetSlots();
  for (let s = 0; s < 3; s++) {
    const a = denseTrainStep(fresh, x, la, 'mse'), b = graph.step(x);
    assert.ok(Math.abs(a.dataSync()[0] - b.dataSync()[0]) < 1e-6);
    tf.dispose([a, b]);
  }
  assert.equal(graph.iterations, 3);
  assert.throws(() => graph.step(x, x), /built without a target/);
  assert.throws(() => new DenseGraphAdam(lb, { learningRate: 0 }), /learningRate must be > 0/);
  assert.throws(() => new DenseGraphAdam([], { learningRate: 1 }), /no layers/);
  assert.throws(() => new DenseGraphAdam([{ W: tf.zeros([2, 2]), act: 'linear' }], { learningRate: 1 }), /must be a tf.Variable/);
  graph.dispose(); eager.dispose(); fresh.dispose();
  assert.throws(() => graph.step(x), /after dispose/);
  tf.dispose([x, newW, ...vars]);
});

test('GraphAdam readback "deferred": weights stay in the graph until syncOut, then equal the per-step read-back; outside assignments win; no tensor growth', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const rng = new Rng(21);
  const [la, lb, vars] = twin([10, 6, 3], 'relu', false);
  const x = tf.tensor2d(rng.uniformArray(25 * 10), [25, 10]);
  const perStep = new DenseGraphAdam(la, { learningRate: 1e-2 });
  const deferred = new DenseGraphAdam(lb, { learningRate: 1e-2, readback: 'deferred' });
  const va = uniqVars(la), vb = uniqVars(lb);
  const snap = (vs: tf.Variable[]) => vs.map((v) => Array.from(v.dataSync()));
  const init = snap(vb);
  const loss = (g: DenseGraphAdam) => { const l = g.step(x); const v = l.dataSync()[0]; l.dispose(); return v; };
  let before = 0;
  for (let s = 0; s < 5; s++) {
    assert.equal(loss(perStep), loss(deferred), `step ${s}: the same loss`);
    if (s === 0) before = tf.memory().numTensors;
  }
  assert.equal(tf.memory().numTensors, before, 'tensor count constant across deferred steps');
  assert.deepEqual(snap(vb), init, 'before syncOut the tf.Variables keep the last synced weights');
  deferred.syncOut();
  assert.deepEqual(snap(vb), snap(va), 'after syncOut: bit-equal to the per-step read-back');
  deferred.syncOut(); // no-op when current
  assert.deepEqual(snap(vb), snap(va));
  // An outside assignment while the graph holds newer weights: the assigned value is used, the others are kept.
  for (let s = 0; s < 2; s++) assert.equal(loss(perStep), loss(deferred));
  const newW = tf.tidy(() => tf.mul(va[0], 0.5));
  va[0].assign(newW); vb[0].assign(newW);
  for (let s = 0; s < 2; s++) assert.equal(loss(perStep), loss(deferred), `after an outside assignment, step ${s}`);
  // An assignment right before syncOut (no step between) is kept, not overwritten by the graph's weights.
  const newB = tf.tidy(() => tf.add(va[1], 0.25));
  va[1].assign(newB); vb[1].assign(newB);
  deferred.syncOut();
  assert.deepEqual(snap(vb), snap(va), 'syncOut keeps a value assigned since the last step');
  newB.dispose();
  // resetSlots syncs first (it must not load the stale tf.Variables into the graph).
  perStep.resetSlots(); deferred.resetSlots();
  assert.deepEqual(snap(vb), snap(va), 'resetSlots leaves the variables current');
  for (let s = 0; s < 2; s++) assert.equal(loss(perStep), loss(deferred), `after resetSlots, step ${s}`);
  // dispose copies the last weights out.
  perStep.dispose(); deferred.dispose();
  assert.deepEqual(snap(vb), snap(va), 'dispose syncs the deferred weights');
  assert.throws(() => new DenseGraphAdam(lb, { learningRate: 1, readback: 'never' as 'step' }), /readback must be 'step' or 'deferred'/);
  tf.dispose([x, newW, ...vars]);
});
