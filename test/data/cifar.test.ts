import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCifar10, loadCifar100, parseCifarRecords, CIFAR10_CLASSES, CIFAR100_FINE_CLASSES, CIFAR100_COARSE_CLASSES } from '../../src/data/cifar';

/** One record in the official layout: label byte(s), then 1024 R, 1024 G, 1024 B bytes (row-major 32x32). */
function record(labels: number[], seed: number): Buffer {
  const b = Buffer.alloc(labels.length + 3072);
  labels.forEach((l, i) => (b[i] = l));
  for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) b[labels.length + c * 1024 + p] = (seed * 7 + c * 50 + p) % 256;
  return b;
}

function expectPixel(seed: number, row: number, col: number, c: number): number {
  return ((seed * 7 + c * 50 + row * 32 + col) % 256) / 255;
}

test('CIFAR-10 fixture in the official binary layout: labels, HWC order, splits', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cifar-'));
  const dir = path.join(root, 'cifar-10-batches-bin');
  fs.mkdirSync(dir);
  let s = 0;
  for (let b = 1; b <= 5; b++) fs.writeFileSync(path.join(dir, `data_batch_${b}.bin`), Buffer.concat([record([b], s++), record([(b + 5) % 10], s++)]));
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), Buffer.concat([record([3], 100), record([9], 101), record([0], 102)]));
  const tr = await loadCifar10({ dir, split: 'train', download: false });
  assert.equal(tr.n, 10); assert.equal(tr.height, 32); assert.equal(tr.width, 32); assert.equal(tr.channels, 3);
  assert.deepEqual(Array.from(tr.labels), [1, 6, 2, 7, 3, 8, 4, 9, 5, 0]);
  assert.deepEqual(tr.classes, CIFAR10_CLASSES);
  // image 3 (seed 3), pixel (row 5, col 7): HWC index ((5*32)+7)*3 + c
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(tr.images[3 * 3072 + (5 * 32 + 7) * 3 + c] - expectPixel(3, 5, 7, c)) < 1e-7);
  const te = await loadCifar10({ dir, split: 'test', download: false });
  assert.deepEqual(Array.from(te.labels), [3, 9, 0]);
  const sub = await loadCifar10({ dir, split: 'test', n: 2, seed: 1, download: false });
  assert.equal(sub.n, 2);
  const only = await loadCifar10({ dir, split: 'train', classes: [1, 2], download: false });
  assert.deepEqual(Array.from(only.labels), [1, 2]);
  fs.rmSync(root, { recursive: true });
});

test('CIFAR-100 fixture: coarse + fine labels', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cifar100-'));
  const dir = path.join(root, 'cifar-100-binary');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'train.bin'), Buffer.concat([record([11, 99], 1), record([19, 0], 2)]));
  fs.writeFileSync(path.join(dir, 'test.bin'), record([4, 42], 3));
  const fine = await loadCifar100({ dir, download: false });
  assert.deepEqual(Array.from(fine.labels), [99, 0]);
  assert.deepEqual(fine.classes, CIFAR100_FINE_CLASSES);
  assert.equal(CIFAR100_FINE_CLASSES.length, 100); assert.equal(CIFAR100_COARSE_CLASSES.length, 20);
  const coarse = await loadCifar100({ dir, label: 'coarse', download: false });
  assert.deepEqual(Array.from(coarse.labels), [11, 19]);
  const te = await loadCifar100({ dir, split: 'test', download: false });
  assert.deepEqual(Array.from(te.labels), [42]);
  assert.ok(Math.abs(te.images[(31 * 32 + 31) * 3 + 2] - expectPixel(3, 31, 31, 2)) < 1e-7);
  fs.rmSync(root, { recursive: true });
});

test('CIFAR: missing data and truncated files give clear errors', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cifar-missing-'));
  const dir = path.join(root, 'cifar-10-batches-bin');
  await assert.rejects(loadCifar10({ dir, download: false }), (e: Error) =>
    e.message.includes(dir) && /data_batch_1\.bin/.test(e.message) && /cifar-10-binary\.tar\.gz/.test(e.message));
  await assert.rejects(loadCifar100({ dir: path.join(root, 'cifar-100-binary'), split: 'test', download: false }), /missing test\.bin/);
  assert.throws(() => parseCifarRecords([{ buf: new Uint8Array(3073 + 5), file: 'bad.bin' }], 1, 0, 'x'), /bad\.bin: size 3078 bytes is not a whole number of 3073-byte/);
  assert.throws(() => parseCifarRecords([{ buf: record([12], 0), file: 'b.bin' }], 1, 0, 'x', CIFAR10_CLASSES), /label 12/);
  fs.rmSync(root, { recursive: true });
});
