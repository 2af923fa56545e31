import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, initBackend } from '../../src/backend';
import { graphModelFeatureNet, fid } from '../../src/metrics/fid';

/** Writes a minimal tfjs graph model: x [-1, 299, 299, 3] -> Mean over H, W -> [-1, 3]. */
function writeMeanGraphModel(dir: string): void {
  const graph = {
    node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '299' }, { size: '299' }, { size: '3' }] } } } },
      { name: 'axes', op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '2' }] } } } } },
      { name: 'pool', op: 'Mean', input: ['x', 'axes'], attr: { T: { type: 'DT_FLOAT' }, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } } },
    ],
    versions: { producer: 1 },
  };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
    format: 'graph-model', generatedBy: 'test', convertedBy: 'test', modelTopology: graph,
    weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'axes', shape: [2], dtype: 'int32' }] }],
  }));
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(new Int32Array([1, 2]).buffer));
}

test('graphModelFeatureNet loads a graph model from disk and feeds it resized, 3-channel, x255 images', async () => {
  await initBackend();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-model-'));
  try {
    writeMeanGraphModel(dir);
    const net = await graphModelFeatureNet(dir, { name: 'mean-pool test net' });
    assert.equal(net.name, 'mean-pool test net');
    const x = tf.tidy(() => tf.concat([tf.fill([2, 784], 0.5), tf.fill([1, 784], 1)])) as tf.Tensor2D;
    const f = net.features(x);
    assert.deepEqual(f.shape, [3, 3]);
    const v = f.arraySync();
    // mean over the resized 299x299 image of 255 * pixel (float32 Mean over 89,401 values: ~0.1% rounding)
    for (const c of [0, 1, 2]) { assert.ok(Math.abs(v[0][c] - 127.5) < 0.5, `${v[0][c]}`); assert.ok(Math.abs(v[2][c] / v[0][c] - 2) < 1e-5); }
    const r = fid(x, x, net);
    assert.equal(r.featureNet, 'mean-pool test net');
    tf.dispose([x, f]);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});
