import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, initBackend } from '../../src/backend';
import { loadMnist } from '../../src/data/mnist';
import { loadFashionMnist, FASHION_MNIST_CLASSES, DEBIAN_FASHION_MNIST_DIR } from '../../src/data/fashion-mnist';
import { fromMatrix, sampleSubset, selectClasses, subset, toImages, toMatrix } from '../../src/data/images';

before(async () => { await initBackend(); });

test('MNIST: 60000 train / 10000 test, 28x28x1 in [0,1], known first labels', async () => {
  const tr = await loadMnist({ split: 'train' });
  assert.equal(tr.n, 60000); assert.equal(tr.height, 28); assert.equal(tr.width, 28); assert.equal(tr.channels, 1);
  assert.equal(tr.images.length, 60000 * 784);
  assert.deepEqual(Array.from(tr.labels.subarray(0, 5)), [5, 0, 4, 1, 9]);
  let lo = Infinity, hi = -Infinity, sum = 0;
  for (const v of tr.images) { if (v < lo) lo = v; if (v > hi) hi = v; sum += v; }
  assert.equal(lo, 0); assert.equal(hi, 1);
  assert.ok(Math.abs(sum / tr.images.length - 0.1307) < 1e-3); // the well-known MNIST mean pixel value
  const counts = new Array(10).fill(0); for (const l of tr.labels) counts[l]++;
  assert.equal(counts[4], 5842);
  const te = await loadMnist({ split: 'test' });
  assert.equal(te.n, 10000);
  assert.deepEqual(Array.from(te.labels.subarray(0, 3)), [7, 2, 1]);
  // returned copies do not alias the cache
  tr.images[0] = 42;
  assert.equal((await loadMnist({ split: 'train', n: 1 })).images[0], 0);
});

test('MNIST: first n, seeded random n (repeatable), classes', async () => {
  const a = await loadMnist({ split: 'test', n: 100 });
  assert.equal(a.n, 100); assert.deepEqual(Array.from(a.labels.subarray(0, 3)), [7, 2, 1]);
  const b = await loadMnist({ split: 'test', n: 100, seed: 5 });
  const c = await loadMnist({ split: 'test', n: 100, seed: 5 });
  const d = await loadMnist({ split: 'test', n: 100, seed: 6 });
  assert.deepEqual(Array.from(b.labels), Array.from(c.labels));
  assert.deepEqual(b.images, c.images);
  assert.notDeepEqual(b.images, d.images);
  const e = await loadMnist({ split: 'test', classes: [3, 8] });
  assert.ok(e.labels.every((l) => l === 3 || l === 8));
  assert.equal(e.n, 1010 + 974);
  await assert.rejects(loadMnist({ split: 'valid' as never }), /split must be "train" or "test"/);
  await assert.rejects(loadMnist({ split: 'test', n: 20000 }), /n must be an integer/);
});

test('Fashion-MNIST loads when present, else says which files to put where', async (t) => {
  const dir = path.join(__dirname, '..', '..', 'data', 'fashion-mnist');
  if (fs.existsSync(path.join(dir, 't10k-images-idx3-ubyte.gz'))) {
    const te = await loadFashionMnist({ split: 'test' });
    assert.equal(te.n, 10000); assert.equal(te.height, 28);
    assert.equal(te.labels[0], 9); // Ankle boot
    assert.deepEqual(te.classes, FASHION_MNIST_CLASSES);
  } else {
    t.diagnostic('data/fashion-mnist missing: only the error path is tested');
  }
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-'));
  // with an empty data folder the loader falls back to Debian's dataset-fashion-mnist when installed
  if (fs.existsSync(path.join(DEBIAN_FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'))) {
    const saved = process.env.RML_DATA_DIR;
    process.env.RML_DATA_DIR = empty;
    try { assert.equal((await loadFashionMnist({ split: 'test', n: 3 })).n, 3); } finally {
      if (saved === undefined) delete process.env.RML_DATA_DIR; else process.env.RML_DATA_DIR = saved;
    }
  }
  await assert.rejects(loadFashionMnist({ split: 'train', dir: empty }), (e: Error) =>
    /train-images-idx3-ubyte\.gz/.test(e.message) && e.message.includes(empty) && /npm run setup/.test(e.message));
  fs.rmSync(empty, { recursive: true });
});

test('ImageSet helpers: toMatrix / toImages / subset / sampleSubset / selectClasses / fromMatrix', async () => {
  const s = await loadMnist({ split: 'test', n: 50 });
  const n0 = tf.memory().numTensors;
  const X = toMatrix(s); const I = toImages(s);
  assert.deepEqual(X.shape, [50, 784]); assert.deepEqual(I.shape, [50, 28, 28, 1]);
  const back = fromMatrix(X, s);
  assert.deepEqual(back.images, s.images); assert.deepEqual(back.labels, s.labels);
  X.dispose(); I.dispose();
  assert.equal(tf.memory().numTensors, n0);
  const sub = subset(s, [3, 1]);
  assert.deepEqual(Array.from(sub.labels), [s.labels[3], s.labels[1]]);
  assert.deepEqual(sub.images.subarray(0, 784), s.images.subarray(3 * 784, 4 * 784));
  const r1 = sampleSubset(s, 10, 1), r2 = sampleSubset(s, 10, 1);
  assert.deepEqual(r1.images, r2.images);
  const idx = new Set<number>();
  for (let k = 0; k < 10; k++) for (let i = 0; i < 50; i++) if (s.images.subarray(i * 784, (i + 1) * 784).every((v, j) => v === r1.images[k * 784 + j])) idx.add(i);
  assert.equal(idx.size, 10); // without replacement
  const sc = selectClasses(s, [0, 1], 2);
  assert.equal(sc.n, 4);
  assert.throws(() => subset(s, [50]), /outside/);
  assert.throws(() => sampleSubset(s, 51, 1), /n must be/);
});
