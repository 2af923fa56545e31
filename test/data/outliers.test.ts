import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMnist } from '../../src/data/mnist';
import { outlierMix, zhou2017OutlierData } from '../../src/data/outliers';
import { MNIST_SPLITS } from '../../src/data/mnist';

test('default mix: 4,859 fours + 25-35 of each other digit, shuffled, flags consistent', async () => {
  const train = await loadMnist({ split: 'train' });
  const m = outlierMix({ set: train, inlierClass: 4, seed: 1 });
  assert.equal(m.inlierIdx.length, 4859);
  const counts = new Array(10).fill(0);
  for (const i of m.outlierIdx) counts[m.set.labels[i]]++;
  assert.equal(counts[4], 0);
  for (let c = 0; c < 10; c++) if (c !== 4) assert.ok(counts[c] >= 25 && counts[c] <= 35, `class ${c}: ${counts[c]}`);
  assert.equal(m.set.n, 4859 + m.outlierIdx.length);
  for (let i = 0; i < m.set.n; i++) {
    assert.equal(m.isOutlier[i], m.set.labels[i] !== 4 ? 1 : 0);
    assert.equal(m.set.labels[i], train.labels[m.sourceIdx[i]]);
  }
  assert.equal(new Set(m.sourceIdx).size, m.set.n); // no image twice
  assert.ok(m.isOutlier.subarray(0, 200).some((f) => f === 1)); // shuffled, outliers not all at the end
  const again = outlierMix({ set: train, inlierClass: 4, seed: 1 });
  assert.deepEqual(again.sourceIdx, m.sourceIdx);
  const exact = outlierMix({ set: train, inlierClass: 4, nOutliers: 265, seed: 2, shuffle: false });
  assert.equal(exact.set.n, 5124); assert.equal(exact.outlierIdx.length, 265);
  assert.equal(exact.outlierIdx[0], 4859);
  const fixed = outlierMix({ set: train, inlierClass: 0, nInliers: 100, outliersPerClass: 3, seed: 2 });
  assert.equal(fixed.set.n, 127);
  assert.throws(() => outlierMix({ set: train, inlierClass: 4, nInliers: 6000, seed: 1 }), /only 5842 images of class 4/);
  assert.throws(() => outlierMix({ set: train, inlierClass: 42, seed: 1 }), /no images/);
});

test('zhou2017OutlierData: all 4,859 fours of train[:50000]; 265 outliers on request; ranges', async () => {
  const m = await zhou2017OutlierData({ seed: 0, nOutliers: 265 });
  assert.equal(m.set.n, 5124); assert.equal(m.inlierIdx.length, 4859); assert.equal(m.outlierIdx.length, 265);
  assert.ok(m.sourceIdx.every((i) => i < 50000));
  const tf55 = await loadMnist({ split: 'train', range: MNIST_SPLITS.tfTrain55k });
  assert.equal(tf55.n, 55000);
  const full = await loadMnist({ split: 'train', n: 5001 });
  assert.deepEqual(tf55.images.subarray(0, 784), full.images.subarray(5000 * 784, 5001 * 784));
  await assert.rejects(loadMnist({ split: 'test', range: [0, 10001] }), /range end/);
});
