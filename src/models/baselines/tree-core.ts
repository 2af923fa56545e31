/**
 * The TensorFlow-free part of the tree helpers (see tree.ts): the column-major matrix type, the fast exact
 * (value, row) sort and the flat tree layout. Loaded by the forest worker threads (forest-pool.ts), which must not
 * load the TensorFlow backend; tree.ts re-exports everything here.
 *
 * Fast exact sorting: a float32 value is mapped to an order-preserving uint32 (the IEEE-754 sign trick) and packed
 * with the row index into one float64 key, key = ordered(value) * 2^20 + row, which is exact for rows < 2^20
 * (52 bits). A native Float64Array sort then orders the pairs by value (ties by row) without a comparator.
 */

/** Column-major float32 copy: col[f * n + i] = X[i, f]. */
export interface ColumnMatrix { n: number; d: number; col: Float32Array }

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const ROW_BITS = 2 ** 20, ROW_SCALE = 2 ** -20;

/** Order-preserving map of a float32 to [0, 2^32). */
export function orderedBits(v: number): number {
  f32[0] = v === 0 ? 0 : v; // -0 -> +0
  const b = u32[0];
  return b & 0x80000000 ? (~b) >>> 0 : (b | 0x80000000) >>> 0;
}

/**
 * Sorts `rows[lo..hi)` by the value of column `f` (ascending) into `outRows` and writes the sorted values into
 * `outVals`. `keys` is scratch of length >= hi - lo. The rows holding the minimum value (`min`, computed when not
 * given) come first in their input order; the others are sorted by (value, row) with the packed-key sort -- on
 * sparse columns (blank pixels, ReLU features) only the non-minimal part is sorted. Ties are therefore in no
 * particular order: the splitters only look at boundaries between distinct values. Returns the number of rows
 * holding the minimum (they fill outRows[0..count)).
 */
export function sortRowsByColumn(cm: ColumnMatrix, f: number, rows: Int32Array, lo: number, hi: number, keys: Float64Array, outRows: Int32Array, outVals: Float32Array, min?: number): number {
  const base = f * cm.n, col = cm.col;
  let mn = min ?? Infinity;
  if (min === undefined) for (let j = lo; j < hi; j++) { const v = col[base + rows[j]]; if (v < mn) mn = v; }
  let a = 0, m = 0;
  for (let j = lo; j < hi; j++) {
    const r = rows[j], v = col[base + r];
    if (v === mn) outRows[a++] = r;
    else keys[m++] = orderedBits(v) * ROW_BITS + r;
  }
  outVals.fill(mn, 0, a);
  const k = keys.subarray(0, m);
  k.sort();
  for (let j = 0; j < m; j++) { const kj = k[j], r = kj - Math.floor(kj * ROW_SCALE) * ROW_BITS; outRows[a + j] = r; outVals[a + j] = col[base + r]; }
  return a;
}

/** A growable flat binary tree: internal nodes have feature >= 0, leaves feature = -1. */
export class FlatTree {
  feature: Int32Array; threshold: Float32Array; left: Int32Array; right: Int32Array;
  /** Samples reaching the node (training). */
  size: Int32Array;
  /** Leaf payload: `payloadWidth` numbers per node (class distribution, ...). */
  payload: Float32Array;
  count = 0;
  constructor(readonly payloadWidth = 0, capacity = 64) {
    this.feature = new Int32Array(capacity); this.threshold = new Float32Array(capacity);
    this.left = new Int32Array(capacity); this.right = new Int32Array(capacity);
    this.size = new Int32Array(capacity); this.payload = new Float32Array(capacity * payloadWidth);
  }
  add(): number {
    if (this.count === this.feature.length) {
      const cap = this.count * 2;
      const grow = <T extends Int32Array | Float32Array>(a: T, w = 1): T => { const b = new (a.constructor as new (n: number) => T)(cap * w); b.set(a); return b; };
      this.feature = grow(this.feature); this.threshold = grow(this.threshold);
      this.left = grow(this.left); this.right = grow(this.right); this.size = grow(this.size);
      this.payload = grow(this.payload, this.payloadWidth);
    }
    const id = this.count++;
    this.feature[id] = -1; this.left[id] = -1; this.right[id] = -1;
    return id;
  }
  /** The tree's arrays, to post to another thread (transfer `transferables(fields)` to move them without a copy). */
  fields(): FlatTreeFields {
    const { payloadWidth, count, feature, threshold, left, right, size, payload } = this;
    return { payloadWidth, count, feature, threshold, left, right, size, payload };
  }
  /** The tree posted by `fields()` (the same arrays, capacity included). */
  static fromFields(f: FlatTreeFields): FlatTree {
    const t = new FlatTree(f.payloadWidth, 0);
    t.feature = f.feature; t.threshold = f.threshold; t.left = f.left; t.right = f.right;
    t.size = f.size; t.payload = f.payload; t.count = f.count;
    return t;
  }
  /** Index of the leaf row `i` of a row-major matrix (x[f] <= threshold goes left, as scikit-learn). */
  leafOf(x: ArrayLike<number>, offset: number): number {
    let node = 0;
    while (this.feature[node] >= 0) node = x[offset + this.feature[node]] <= this.threshold[node] ? this.left[node] : this.right[node];
    return node;
  }
  /** Depth of the leaf reached by row `offset` and that leaf's index. */
  depthOf(x: ArrayLike<number>, offset: number): { depth: number; leaf: number } {
    let node = 0, depth = 0;
    while (this.feature[node] >= 0) { node = x[offset + this.feature[node]] <= this.threshold[node] ? this.left[node] : this.right[node]; depth++; }
    return { depth, leaf: node };
  }
}

/** A FlatTree's arrays (plain data: can be posted to and from worker threads). */
export interface FlatTreeFields {
  payloadWidth: number; count: number;
  feature: Int32Array; threshold: Float32Array; left: Int32Array; right: Int32Array; size: Int32Array; payload: Float32Array;
}

/** The buffers of a FlatTreeFields, for a postMessage transfer list. */
export function treeTransferables(f: FlatTreeFields): ArrayBuffer[] {
  return [f.feature, f.threshold, f.left, f.right, f.size, f.payload].map((a) => a.buffer as ArrayBuffer);
}
