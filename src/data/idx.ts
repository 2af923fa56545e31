/**
 * IDX file parser (the format of the original MNIST / Fashion-MNIST files, http://yann.lecun.com/exdb/mnist/).
 *
 * Layout: magic = [0x00, 0x00, dtype, ndim], then ndim big-endian uint32 dimension sizes, then the data in
 * row-major order, big-endian. dtype codes: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
 * 0x0E float64. Gzipped files (first bytes 1f 8b) are inflated first. Truncated or foreign files raise an
 * error that names the file and what was wrong.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  /** Dimension sizes, e.g. [60000, 28, 28] for MNIST training images. */
  shape: number[];
  /** IDX type code (0x08 = uint8, ...). */
  dtype: number;
  data: IdxData;
}

const DTYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
};

/** Parses an IDX buffer (raw or gzip). `source` names the file in error messages. */
export function parseIdx(buf: Uint8Array, source = 'IDX buffer'): IdxArray {
  let b = buf;
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = zlib.gunzipSync(b);
    } catch (e) {
      throw new Error(`${source}: gzip data is corrupt or truncated (${(e as Error).message})`);
    }
  }
  if (b.length < 4) throw new Error(`${source}: not an IDX file (only ${b.length} bytes; an IDX file starts with a 4-byte magic number)`);
  if (b[0] !== 0 || b[1] !== 0) {
    throw new Error(`${source}: not an IDX file (magic number starts with 0x${b[0].toString(16).padStart(2, '0')}${b[1].toString(16).padStart(2, '0')}, expected 0x0000)`);
  }
  const dtype = b[2];
  const ndim = b[3];
  const info = DTYPES[dtype];
  if (!info) throw new Error(`${source}: unknown IDX data type code 0x${dtype.toString(16)} (expected one of 08, 09, 0b, 0c, 0d, 0e)`);
  if (ndim < 1) throw new Error(`${source}: IDX header declares 0 dimensions`);
  const headerBytes = 4 + 4 * ndim;
  if (b.length < headerBytes) throw new Error(`${source}: truncated IDX header (${b.length} bytes, need ${headerBytes} for ${ndim} dimensions)`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, s) => a * s, 1);
  const need = headerBytes + count * info.bytes;
  if (b.length < need) {
    throw new Error(`${source}: truncated IDX file: shape [${shape.join(', ')}] of ${info.name} needs ${need} bytes, file has ${b.length}`);
  }
  if (b.length > need) {
    throw new Error(`${source}: IDX file has ${b.length - need} unexpected trailing bytes after shape [${shape.join(', ')}] of ${info.name} (wrong or concatenated file?)`);
  }
  let data: IdxData;
  const off = headerBytes;
  switch (dtype) {
    case 0x08: data = new Uint8Array(b.buffer.slice(b.byteOffset + off, b.byteOffset + need)); break;
    case 0x09: data = new Int8Array(b.buffer.slice(b.byteOffset + off, b.byteOffset + need)); break;
    case 0x0b: { const d = new Int16Array(count); for (let i = 0; i < count; i++) d[i] = view.getInt16(off + 2 * i, false); data = d; break; }
    case 0x0c: { const d = new Int32Array(count); for (let i = 0; i < count; i++) d[i] = view.getInt32(off + 4 * i, false); data = d; break; }
    case 0x0d: { const d = new Float32Array(count); for (let i = 0; i < count; i++) d[i] = view.getFloat32(off + 4 * i, false); data = d; break; }
    default: { const d = new Float64Array(count); for (let i = 0; i < count; i++) d[i] = view.getFloat64(off + 8 * i, false); data = d; break; }
  }
  return { shape, dtype, data };
}

/** Reads and parses an IDX file (raw or .gz). */
export function readIdx(file: string): IdxArray {
  if (!fs.existsSync(file)) throw new Error(`IDX file not found: ${file}`);
  return parseIdx(fs.readFileSync(file), file);
}

/** Encodes an array as an IDX buffer (uint8 / int32 / float32 only); used by tests and fixtures. */
export function encodeIdx(shape: number[], data: Uint8Array | Int32Array | Float32Array, gzip = false): Buffer {
  const count = shape.reduce((a, s) => a * s, 1);
  if (count !== data.length) throw new Error(`encodeIdx: shape [${shape}] has ${count} entries, data has ${data.length}`);
  const [code, bytes] = data instanceof Uint8Array ? [0x08, 1] : data instanceof Int32Array ? [0x0c, 4] : [0x0d, 4];
  const buf = Buffer.alloc(4 + 4 * shape.length + count * bytes);
  buf[2] = code; buf[3] = shape.length;
  shape.forEach((s, i) => buf.writeUInt32BE(s, 4 + 4 * i));
  const off = 4 + 4 * shape.length;
  for (let i = 0; i < count; i++) {
    if (code === 0x08) buf[off + i] = data[i];
    else if (code === 0x0c) buf.writeInt32BE(data[i], off + 4 * i);
    else buf.writeFloatBE(data[i], off + 4 * i);
  }
  return gzip ? zlib.gzipSync(buf) : buf;
}
