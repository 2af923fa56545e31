import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, initBackend } from '../../src/backend';
import { getClassifier } from '../../src/classifiers/pc';
import { loadMnist } from '../../src/data/mnist';
import { toMatrix } from '../../src/data/images';
import { fid } from '../../src/metrics/fid';

test('PC classifier: a small smoke training is well above chance, and the cache round-trips', async () => {
  await initBackend();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-test-'));
  try {
    const opts = { epochs: 1, trainSize: 1000, batchSize: 32, testSize: 500, progress: false, cacheDir };
    // a stale lock left by a dead trainer is ignored
    const entry = path.join(cacheDir, 'pc-mnist', 'v1-e1-n1000-s0-b32');
    fs.mkdirSync(entry, { recursive: true });
    fs.writeFileSync(path.join(entry, '.training.lock'), `${os.hostname()} 2147483646`); // this host, a dead pid
    const clf = await getClassifier('mnist', opts);
    assert.ok(!fs.existsSync(path.join(entry, '.training.lock')), 'lock released');
    assert.ok(clf.info.testAccuracy > 0.5, `accuracy ${clf.info.testAccuracy} (chance 0.1)`);
    assert.equal(clf.info.trainSize, 1000);
    assert.equal(clf.info.epochs, 1);
    assert.equal(clf.featureNet.name, 'PC-mnist penultimate (128-d)');
    assert.ok(fs.existsSync(path.join(clf.info.dir, 'info.json')) && clf.info.dir.includes(path.join('pc-mnist', 'v1-e1-n1000-s0-b32')));
    const test = await loadMnist({ split: 'test', n: 200 });
    const X = toMatrix(test);
    const p1 = clf.predict(X);
    const F = clf.features(X);
    assert.deepEqual(F.shape, [200, 128]);
    // second call loads from the cache (no training): same predictions, same recorded accuracy
    const t0 = Date.now();
    const again = await getClassifier('mnist', opts);
    assert.ok(Date.now() - t0 < 20000);
    assert.deepEqual(Array.from(again.predict(X)), Array.from(p1));
    assert.equal(again.info.testAccuracy, clf.info.testAccuracy);
    assert.ok(Math.abs(again.accuracy(X, test.labels) - clf.accuracy(X, test.labels)) === 0);
    // the feature net plugs into fid: identical sets give 0, shuffled pixels give a large distance
    const noise = tf.tidy(() => tf.randomUniform([200, 784], 0, 1, 'float32', 1)) as tf.Tensor2D;
    const same = fid(X, X, clf.featureNet).fid, far = fid(X, noise, clf.featureNet).fid;
    assert.ok(Math.abs(same) < 1e-6 && far > 1, `${same} ${far}`);
    assert.throws(() => clf.predict(tf.zeros([2, 10]) as tf.Tensor2D), /784 columns/);
    await assert.rejects(getClassifier('cifar' as never), /dataset/);
    tf.dispose([X, F, noise]);
    clf.dispose(); again.dispose();
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});
