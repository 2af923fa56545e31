import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { A, DT, GraphBuilder, GraphSession } from '../../src/train/graph';

const ready = initBackend();
const native = async () => { await ready; return GraphSession.available(); };

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
