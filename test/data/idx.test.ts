import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { encodeIdx, parseIdx, readIdx } from '../../src/data/idx';

test('parses raw and gzipped IDX files written by the test', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idx-'));
  const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
  fs.writeFileSync(path.join(dir, 'a-idx3-ubyte'), encodeIdx([2, 3, 4], data));
  fs.writeFileSync(path.join(dir, 'a-idx3-ubyte.gz'), encodeIdx([2, 3, 4], data, true));
  for (const f of ['a-idx3-ubyte', 'a-idx3-ubyte.gz']) {
    const r = readIdx(path.join(dir, f));
    assert.deepEqual(r.shape, [2, 3, 4]);
    assert.equal(r.dtype, 0x08);
    assert.deepEqual(Array.from(r.data), Array.from(data));
  }
  // hand-written header: magic 0x00000801, 3 labels
  const lab = parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 5, 0, 4]));
  assert.deepEqual(lab.shape, [3]); assert.deepEqual(Array.from(lab.data), [5, 0, 4]);
  const i32 = parseIdx(encodeIdx([2], Int32Array.from([-7, 123456])));
  assert.deepEqual(Array.from(i32.data), [-7, 123456]);
  const f32 = parseIdx(encodeIdx([2], Float32Array.from([1.5, -2.25])));
  assert.deepEqual(Array.from(f32.data), [1.5, -2.25]);
  fs.rmSync(dir, { recursive: true });
});

test('rejects wrong, truncated and missing files with clear errors', () => {
  const good = encodeIdx([2, 2, 2], new Uint8Array(8));
  assert.throws(() => parseIdx(good.subarray(0, good.length - 1), 'x.idx'), /x\.idx: truncated IDX file/);
  assert.throws(() => parseIdx(good.subarray(0, 9), 'x.idx'), /truncated IDX header/);
  assert.throws(() => parseIdx(Buffer.from('PK\x03\x04hello'), 'x.zip'), /not an IDX file/);
  assert.throws(() => parseIdx(Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 0]), 'x'), /unknown IDX data type/);
  assert.throws(() => parseIdx(Buffer.concat([good, Buffer.from([1])]), 'x'), /trailing bytes/);
  const gz = zlib.gzipSync(good);
  assert.throws(() => parseIdx(gz.subarray(0, gz.length - 6), 'x.gz'), /gzip data is corrupt or truncated/);
  assert.throws(() => readIdx('/nonexistent/file-idx1-ubyte'), /IDX file not found/);
});
