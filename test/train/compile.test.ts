import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, nativeBackend } from '../../src/backend';
import { CompiledStep } from '../../src/train/compile';
import { traceProgram, sameProgram, TraceError } from '../../src/train/trace';
import { rewriteOps } from '../../src/train/rewrite';
import { trainLoop } from '../../src/train/loop';
import { twinCheck } from './twin';

const ready = initBackend();
const native = async () => { await ready; return nativeBackend() !== null && process.env.RML_COMPILE !== '0'; };

/** A small sigmoid autoencoder 12-6-12 with biases (seeded). */
function mlp(seed: number): tf.Variable[] {
  return tf.tidy(() => [tf.variable(tf.randomNormal([12, 6], 0, 0.4, 'float32', seed)), tf.variable(tf.randomNormal([6], 0, 0.1, 'float32', seed + 1)),
    tf.variable(tf.randomNormal([6, 12], 0, 0.4, 'float32', seed + 2)), tf.variable(tf.zeros([12]))]);
}
const mlpLoss = ([W1, b1, W2, b2]: tf.Variable[]) => (inp: tf.Tensor[]) => tf.tidy(() => {
  const x = inp[0];
  const h = tf.sigmoid(tf.add(tf.matMul(x, W1), b1));
  return tf.mean(tf.square(tf.sub(tf.add(tf.matMul(h, W2), b2), x))) as tf.Scalar;
});
const data = (seed: number, n = 40) => tf.randomUniform([n, 12], 0, 1, 'float32', seed);

test('CompiledStep: the graph step equals the eager step it was traced from (twin check, 4 steps from synced weights)', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const before = tf.memory().numTensors;
  const status = twinCheck({ make: () => ({ trained: mlp(1) }), loss: (v) => mlpLoss(v), inputs: (k) => [data(10 + k)], steps: 4, learningRate: 1e-2 });
  assert.equal(status, 'graph');
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});

test('CompiledStep: 30 steps with the default epsilon follow the eager trajectory, over two batch shapes (full and last batch), with no tensor growth', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const va = mlp(2), vb = mlp(2);
  const X = data(3, 57);
  const a = new CompiledStep(mlpLoss(va), va, { learningRate: 1e-2, readback: 'deferred', compile: 'require' });
  const b = new CompiledStep(mlpLoss(vb), vb, { learningRate: 1e-2, compile: false });
  let counts: number[] = [];
  for (let e = 0; e < 10; e++) {
    for (let s = 0; s < 57; s += 25) {
      const xb = tf.slice(X, s, Math.min(25, 57 - s));
      const la = a.step([xb]), lb = b.step([xb]);
      assert.ok(Math.abs(la.dataSync()[0] - lb.dataSync()[0]) <= 1e-4 * lb.dataSync()[0], `epoch ${e}: ${la.dataSync()[0]} vs ${lb.dataSync()[0]}`);
      tf.dispose([la, lb, xb]);
    }
    a.syncOut();
    counts.push(tf.memory().numTensors);
  }
  assert.equal(a.status, 'graph');
  assert.equal(a.iterations, 30);
  counts = counts.slice(1);
  assert.ok(counts.every((c) => c === counts[0]), `tensor count grows: ${counts}`);
  // Adam amplifies rounding where a gradient is ~0 (a +-lr move), so after 30 steps compare the weights in norm.
  va.forEach((v, k) => {
    const r = tf.tidy(() => tf.norm(tf.sub(v, vb[k])).dataSync()[0] / tf.norm(vb[k]).dataSync()[0]);
    assert.ok(r < 1e-3, `weight ${k} drifted by ${r}`);
  });
  a.dispose(); b.dispose(); a.dispose();
  tf.dispose([...va, ...vb, X]);
});

test('CompiledStep: a random draw inside the step is caught (the two traces differ), warned once, and the step runs eagerly', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const v = mlp(4);
  let seed = 0;
  const noisy = (inp: tf.Tensor[]) => tf.tidy(() => mlpLoss(v)([tf.add(inp[0], tf.randomNormal(inp[0].shape, 0, 0.1, 'float32', seed++))]));
  const warn = t.mock.method(console, 'warn', () => {});
  const s = new CompiledStep(noisy, v, { learningRate: 1e-3, label: 'noisy' });
  const x = data(5);
  s.step([x]).dispose(); s.step([x]).dispose();
  assert.equal(s.status, 'eager');
  assert.match(s.fallbackReason ?? '', /differs between two calls.*random draw/);
  assert.equal(warn.mock.callCount(), 1);
  assert.match(String(warn.mock.calls[0].arguments[0]), /noisy: the training step runs eagerly/);
  assert.throws(() => new CompiledStep(noisy, v, { learningRate: 1e-3, compile: 'require' }).step([x]), /could not be compiled: .*random draw/);
  s.dispose(); tf.dispose([...v, x]);
});

test('CompiledStep: a step that reads values into JavaScript, or captures a tensor that is not an input, falls back and names the problem', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  t.mock.method(console, 'warn', () => {});
  const v = mlp(5);
  const x = data(6), outside = tf.ones([12]);
  const reads = new CompiledStep((inp) => { const l = mlpLoss(v)(inp); l.dataSync(); return l; }, v, { learningRate: 1e-3 });
  reads.step([x]).dispose();
  assert.equal(reads.status, 'eager');
  assert.match(reads.fallbackReason!, /reads tensor values into JavaScript/);
  const captures = new CompiledStep((inp) => mlpLoss(v)([tf.mul(inp[0], outside)]), v, { learningRate: 1e-3 });
  captures.step([x]).dispose();
  assert.equal(captures.status, 'eager');
  assert.match(captures.fallbackReason!, /neither one of its inputs, a tf.Variable, nor made inside it.*first used by the op Mul/);
  reads.dispose(); captures.dispose(); tf.dispose([...v, x, outside]);
});

test('CompiledStep: bad arguments get clear errors', async () => {
  await ready;
  const v = mlp(6);
  assert.throws(() => new CompiledStep(mlpLoss(v), [], { learningRate: 1e-3 }), /non-empty list of tf.Variables/);
  assert.throws(() => new CompiledStep(mlpLoss(v), v, { learningRate: 0 }), /learningRate must be > 0/);
  assert.throws(() => new CompiledStep(mlpLoss(v), [v[0], v[0]], { learningRate: 1e-3 }), /listed twice/);
  assert.throws(() => new CompiledStep(mlpLoss(v), v, { learningRate: 1e-3, readback: 'x' as 'step' }), /readback/);
  const s = new CompiledStep(mlpLoss(v), v, { learningRate: 1e-3 });
  s.dispose();
  assert.throws(() => s.step([tf.ones([2, 12])]), /used after dispose/);
  tf.dispose(v);
});

test('CompiledStep: other tf.Variables the step reads are fed by value at every run (a change made outside is seen), and variables it assigns are updated', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const w = tf.variable(tf.ones([3]));
  const scale = tf.variable(tf.scalar(1), false);
  const count = tf.variable(tf.scalar(0), false);
  const s = new CompiledStep((inp) => {
    count.assign(tf.add(count, 1));
    return tf.sum(tf.mul(tf.mul(w, scale), inp[0])) as tf.Scalar;
  }, [w], { learningRate: 0.1, compile: 'require' });
  const x = tf.ones([3]);
  assert.equal(s.step([x]).dataSync()[0], 3);
  assert.equal(s.status, 'graph');
  const c0 = count.dataSync()[0]; // the first run's assignment (the two traces' assignments are undone)
  scale.assign(tf.scalar(2));
  const l = s.step([x]).dataSync()[0];
  assert.ok(Math.abs(l - 2 * 3 * 0.9) < 1e-5, `the fed variable's new value was not used: ${l}`);
  assert.equal(count.dataSync()[0], c0 + 1, 'the assignment inside the step did not reach the variable');
  s.dispose(); tf.dispose([w, scale, count, x]);
});

test('CompiledStep: resetSlots gives a fresh Adam (first step again moves every weight by lr * sign(g))', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const w = tf.variable(tf.tensor1d([1, -2, 3]));
  const s = new CompiledStep((inp) => tf.sum(tf.mul(w, inp[0])) as tf.Scalar, [w], { learningRate: 0.5, compile: 'require' });
  const x = tf.tensor1d([1, 1, -1]);
  for (let i = 0; i < 3; i++) s.step([x]).dispose();
  // Constant gradient: Adam moves exactly lr per step.
  assert.deepEqual(Array.from(w.dataSync()).map((v) => +v.toFixed(4)), [-0.5, -3.5, 4.5]);
  s.resetSlots();
  assert.equal(s.iterations, 0);
  x.dispose();
  const y = tf.tensor1d([-1, 0, 0]);
  s.step([y]).dispose();
  assert.deepEqual(Array.from(w.dataSync()).map((v) => +v.toFixed(4)), [0, -3.5, 4.5]);
  s.dispose(); tf.dispose([w, y]);
});

test('trainLoop with a CompiledStep and draws: the step gets the batch and the draws, and the weights are flushed every epoch', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const v = mlp(7);
  const X = data(8, 50);
  let seen: number[][] = [];
  const loss = (inp: tf.Tensor[]) => mlpLoss(v)([tf.add(inp[0], inp[1])]);
  const s = new CompiledStep(loss, v, { learningRate: 1e-2, readback: 'deferred', compile: 'require' });
  const w0 = v[0].dataSync()[0];
  const recs = await trainLoop([X], null, [], s, {
    epochs: 2, batchSize: 20, progress: false,
    draws: (rows) => { seen.push([rows]); return [tf.zeros([rows, 12])]; },
    onEpoch: () => { assert.notEqual(v[0].dataSync()[0], w0, 'weights not flushed before onEpoch'); },
  });
  assert.equal(recs.length, 2);
  assert.deepEqual(seen.flat(), [20, 20, 10, 20, 20, 10]);
  assert.equal(s.iterations, 6);
  s.dispose(); tf.dispose([...v, X]);
});

test('trace / rewrite: the recorded program of a dense layer, the rewrites it gets, and sameProgram naming a difference', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const W = tf.variable(tf.randomNormal([5, 4], 0, 1, 'float32', 1)), b = tf.variable(tf.zeros([4]));
  const x = tf.randomUniform([3, 5], 0, 1, 'float32', 2);
  const run = () => traceProgram([x], [W, b], () => {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sigmoid(tf.add(tf.matMul(x, W), b)))) as tf.Scalar, [W, b]);
    return { loss: value, gW: grads[W.name], gb: grads[b.name] };
  });
  const a = run(), c = run();
  tf.dispose([...Object.values(a.results), ...Object.values(c.results)]);
  assert.equal(sameProgram(a.program, c.program), null);
  assert.deepEqual(a.program.ops[0].inputs, [{ kind: 'feed', index: 0 }, { kind: 'var', index: 0 }]);
  assert.equal(a.program.ops[0].op, 'BatchMatMulV2');
  const shapeOf = (s: import('../../src/train/trace').Source): number[] => s.kind === 'op' ? a.program.ops[s.op].shapes[s.out] : s.kind === 'feed' ? x.shape : s.kind === 'var' ? [W, b][s.index].shape : s.kind === 'const' ? a.program.consts[s.index].shape : [];
  const { ops, applied } = rewriteOps(a.program, shapeOf);
  assert.deepEqual(applied, { MatMul: 2, BiasAdd: 1, SigmoidGrad: 1 });
  assert.equal(ops[0].op, 'MatMul');
  assert.equal(a.program.ops[0].op, 'BatchMatMulV2', 'rewriteOps changed its input');
  const changed = structuredClone(a.program);
  changed.consts[0].values[0] += 1;
  assert.match(sameProgram(a.program, changed) ?? '', /differs between two calls/);
  assert.throws(() => traceProgram([], [W], () => ({ y: tf.mul(x, 2) })), TraceError);
  tf.dispose([W, b, x]);
});

test('CompiledStep: one learning rate per variable (RNLF: network and codes), graph and eager alike, and changeable between steps', async (t) => {
  await ready;
  for (const compile of [true, false]) {
    if (compile && !(await native())) continue;
    const a = tf.variable(tf.tensor1d([1, 2])), b = tf.variable(tf.tensor1d([3]));
    const s = new CompiledStep((inp) => tf.add(tf.sum(tf.mul(a, inp[0])), tf.sum(b)) as tf.Scalar, [a, b], { learningRate: [0.5, 0.1], compile });
    const x = tf.tensor1d([1, -1]);
    s.step([x]).dispose(); // constant gradients: Adam moves each weight by exactly its rate
    s.learningRate = [0.25, 0.2];
    s.step([x]).dispose();
    assert.deepEqual(Array.from(a.dataSync()).map((v) => +v.toFixed(5)), [0.25, 2.75], `compile ${compile}`);
    assert.deepEqual(Array.from(b.dataSync()).map((v) => +v.toFixed(5)), [2.7], `compile ${compile}`);
    s.learningRate = [1];
    assert.throws(() => s.step([x]), /one per variable/);
    s.dispose(); tf.dispose([a, b, x]);
  }
  assert.throws(() => new CompiledStep((inp) => tf.sum(inp[0]) as tf.Scalar, [tf.variable(tf.zeros([1]))], { learningRate: [1, 2] }), /2 rates for 1 variables/);
});

test('rewrites: tfjs ReLU and leaky-ReLU gradients become ReluGrad / LeakyReluGrad on the activation output, and the step still equals the eager one', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const make = () => ({ trained: tf.tidy(() => [tf.variable(tf.randomNormal([8, 6], 0, 0.5, 'float32', 1)), tf.variable(tf.randomNormal([6], 0, 0.5, 'float32', 2)),
    tf.variable(tf.randomNormal([6, 8], 0, 0.5, 'float32', 3)), tf.variable(tf.randomNormal([8], 0, 0.1, 'float32', 4))]) });
  const loss = ([W1, b1, W2, b2]: tf.Variable[]) => (inp: tf.Tensor[]) => tf.tidy(() => {
    const h = tf.relu(tf.add(tf.matMul(inp[0], W1), b1));
    const y = tf.leakyRelu(tf.add(tf.matMul(h, W2), b2), 0.2);
    return tf.mean(tf.square(tf.sub(y, inp[0]))) as tf.Scalar;
  });
  const x = tf.randomNormal([10, 8], 0, 1, 'float32', 5);
  const v = make().trained;
  const { program, results } = traceProgram([x], v, () => { const { value, grads } = tf.variableGrads(() => loss(v)([x]), v); return { loss: value, ...grads }; });
  tf.dispose(Object.values(results));
  const shapeOf = (s: import('../../src/train/trace').Source): number[] => s.kind === 'op' ? program.ops[s.op].shapes[s.out] : s.kind === 'feed' ? x.shape : s.kind === 'var' ? v[s.index].shape : s.kind === 'const' ? program.consts[s.index].shape : [];
  const { ops, applied } = rewriteOps(program, shapeOf);
  assert.equal(applied.ReluGrad, 1);
  assert.equal(applied.LeakyReluGrad, 1);
  const lrg = ops.find((o) => o.op === 'LeakyReluGrad')!;
  const feat = lrg.inputs[1];
  assert.ok(feat.kind === 'op' && program.ops[feat.op].op === 'LeakyRelu', 'LeakyReluGrad reads the activation output');
  assert.ok(Math.abs(Number(lrg.attrs.find((a) => a.name === 'alpha')!.value) - 0.2) < 1e-7);
  tf.dispose([...v, x]);
  assert.equal(twinCheck({ make, loss: (w) => loss(w), inputs: (k) => [tf.randomNormal([10, 8], 0, 1, 'float32', 10 + k)], steps: 3, learningRate: 1e-2 }), 'graph');
});

test('CompiledStep readback "deferred": the tf.Variables keep their values until syncOut, then equal the per-step read-back; an outside assignment wins', async (t) => {
  if (!(await native())) { t.skip('native TensorFlow backend not available'); return; }
  const va = mlp(9), vb = mlp(9);
  const X = data(12, 25);
  const a = new CompiledStep(mlpLoss(va), va, { learningRate: 1e-2, readback: 'deferred', compile: 'require' });
  const b = new CompiledStep(mlpLoss(vb), vb, { learningRate: 1e-2, readback: 'step', compile: 'require' });
  const w0 = Array.from(va[0].dataSync());
  for (let i = 0; i < 5; i++) { a.step([X]).dispose(); b.step([X]).dispose(); }
  assert.deepEqual(Array.from(va[0].dataSync()), w0, 'deferred: the variable changed before syncOut');
  a.syncOut();
  va.forEach((v, k) => assert.deepEqual(Array.from(v.dataSync()), Array.from(vb[k].dataSync()), `weight ${k}: deferred != per-step after syncOut`));
  // An assignment made outside (a re-initialisation) is what the next step starts from, and survives syncOut.
  const before = tf.memory().numTensors;
  va[3].assign(tf.tidy(() => tf.fill([12], 0.5)));
  a.syncOut();
  assert.ok(va[3].dataSync().every((x) => x === 0.5), 'syncOut overwrote an outside assignment');
  a.step([X]).dispose(); a.syncOut();
  assert.ok(va[3].dataSync().every((x) => Math.abs(x - 0.5) <= 1e-2 + 1e-6), 'the step did not start from the assigned value');
  assert.ok(tf.memory().numTensors <= before + 1, 'tensors grew');
  a.dispose(); b.dispose(); tf.dispose([...va, ...vb, X]);
});
