import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, initBackend } from '../../src/backend';
import { loadCelebA } from '../../src/data/celeba';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const tfnode = require('@tensorflow/tfjs-node').node as { encodePng(img: tf.Tensor3D): Promise<Uint8Array> };

before(async () => { await initBackend(); });

/** A 178-wide, 218-high RGB image: `inside` colour in the 140x140 centre (rows 39..178, cols 19..158), black outside. */
async function writePng(file: string, inside: [number, number, number]): Promise<void> {
  const h = 218, w = 178;
  const data = new Int32Array(h * w * 3);
  for (let r = 39; r < 179; r++) for (let c = 19; c < 159; c++) for (let k = 0; k < 3; k++) data[(r * w + c) * 3 + k] = inside[k];
  const t = tf.tensor3d(data, [h, w, 3], 'int32');
  fs.writeFileSync(file, await tfnode.encodePng(t));
  t.dispose();
}

test('CelebA: 178x218 PNG fixtures -> center crop 140 -> 64x64x3 in [0,1], sorted, seeded subsets', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'celeba-'));
  await writePng(path.join(dir, '000002.png'), [0, 255, 51]);
  await writePng(path.join(dir, '000001.png'), [255, 0, 102]);
  await writePng(path.join(dir, '000003.png'), [255, 255, 255]);
  fs.writeFileSync(path.join(dir, 'list.txt'), 'not an image');
  const n0 = tf.memory().numTensors;
  const s = await loadCelebA({ dir });
  assert.equal(tf.memory().numTensors, n0);
  assert.equal(s.n, 3); assert.equal(s.height, 64); assert.equal(s.width, 64); assert.equal(s.channels, 3);
  assert.equal(s.images.length, 3 * 64 * 64 * 3);
  assert.deepEqual(s.files, ['000001.png', '000002.png', '000003.png']);
  assert.ok(s.labels.every((l) => l === -1));
  // the crop is exactly the coloured square: every output pixel has the inside colour (no black border)
  const want = [[1, 0, 0.4], [0, 1, 0.2], [1, 1, 1]];
  for (let k = 0; k < 3; k++) for (let p = 0; p < 64 * 64; p++) for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(s.images[k * 12288 + p * 3 + c] - want[k][c]) < 1e-5, `image ${k} pixel ${p} channel ${c}`);
  }
  const first = await loadCelebA({ dir, n: 1 });
  assert.deepEqual(first.files, ['000001.png']);
  const a = await loadCelebA({ dir, n: 2, seed: 4 }), b = await loadCelebA({ dir, n: 2, seed: 4 });
  assert.deepEqual(a.files, b.files); assert.deepEqual(a.images, b.images);
  const small = await loadCelebA({ dir, n: 1, size: 32, crop: 100 });
  assert.equal(small.images.length, 32 * 32 * 3);
  fs.rmSync(dir, { recursive: true });
});

test('CelebA: missing or empty folder, bad files', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'celeba-empty-'));
  await assert.rejects(loadCelebA({ dir }), (e: Error) => /no \.jpg\/\.jpeg\/\.png images/.test(e.message) && e.message.includes(dir));
  await assert.rejects(loadCelebA({ dir: path.join(dir, 'nope') }), /does not exist.*img_align_celeba/s);
  fs.writeFileSync(path.join(dir, 'broken.jpg'), 'garbage');
  await assert.rejects(loadCelebA({ dir }), /cannot decode .*broken\.jpg/);
  fs.rmSync(dir, { recursive: true });
});
