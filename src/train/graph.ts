/**
 * TensorFlow graphs built in TypeScript and run as one TensorFlow session call (native backend only).
 *
 * Why: tfjs-node runs every kernel eagerly, one at a time, from JavaScript. Keras runs a training step as a
 * TensorFlow graph: the executor starts independent kernels (a layer's dW = h^T dz and dX = dz W^T products, the
 * Adam updates of different variables) side by side on the inter-op pool, and there is no per-kernel round trip to
 * JavaScript. tfjs-node's binding can load a SavedModel and run it (`TF_LoadSessionFromSavedModel`,
 * `TF_SessionRun`); this module writes the SavedModel itself (a MetaGraphDef holding a GraphDef, encoded here with
 * a small protocol-buffer writer) so a model's whole training step becomes one session run. Variables live in
 * the session's resource manager (`VarHandleOp`) between runs.
 *
 *   const g = new GraphBuilder();
 *   const x = g.placeholder('x');
 *   g.op('Square', [x], { T: DT.float }, 'y');
 *   const s = GraphSession.load(g);
 *   const [y] = s.run({ x: tf.tensor([1, 2]) }, ['y']); // [1, 4]
 *   s.dispose();
 *
 * The encoder covers what training graphs need (NodeDef attrs: type, bool, int, float, string, shape, int list,
 * tensor); field numbers are those of tensorflow/core/framework/*.proto and protobuf/meta_graph.proto.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, nativeBackend } from '../backend';

/** TensorFlow DataType enum values (types.proto). */
export const DT = { float: 1, double: 2, int32: 3, bool: 10, int64: 9, resource: 20 } as const;
export type DType = (typeof DT)[keyof typeof DT];

// ------------------------------------------------------------------------------------------- protobuf writer
class Pb {
  private chunks: Uint8Array[] = [];
  private len = 0;
  private push(b: Uint8Array): void { this.chunks.push(b); this.len += b.length; }
  private varint(v: number | bigint): void {
    let n = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    do { let byte = Number(n & 0x7fn); n >>= 7n; if (n) byte |= 0x80; out.push(byte); } while (n);
    this.push(Uint8Array.from(out));
  }
  private key(field: number, wire: number): void { this.varint((field << 3) | wire); }
  int(field: number, v: number | bigint): this { this.key(field, 0); this.varint(v); return this; }
  bool(field: number, v: boolean): this { return this.int(field, v ? 1 : 0); }
  float(field: number, v: number): this { this.key(field, 5); const b = new Uint8Array(4); new DataView(b.buffer).setFloat32(0, v, true); this.push(b); return this; }
  bytes(field: number, b: Uint8Array): this { this.key(field, 2); this.varint(b.length); this.push(b); return this; }
  string(field: number, s: string): this { return this.bytes(field, new TextEncoder().encode(s)); }
  msg(field: number, m: Pb): this { return this.bytes(field, m.finish()); }
  packedInts(field: number, vs: number[]): this { const p = new Pb(); for (const v of vs) p.varint(v); return this.bytes(field, p.finish()); }
  finish(): Uint8Array {
    const out = new Uint8Array(this.len);
    let o = 0;
    for (const c of this.chunks) { out.set(c, o); o += c.length; }
    return out;
  }
}

// ------------------------------------------------------------------------------------------------ attributes
/** A NodeDef attribute value (attr_value.proto), built with the `A` helpers. */
export type Attr = { kind: 'type'; v: DType } | { kind: 'b'; v: boolean } | { kind: 'i'; v: number } | { kind: 'f'; v: number }
  | { kind: 's'; v: string } | { kind: 'shape'; v: number[] | null } | { kind: 'ilist'; v: number[] } | { kind: 'tensor'; dtype: DType; shape: number[]; data: Float32Array | Int32Array | Uint8Array }
  | { kind: 'flist'; v: number[] } | { kind: 'tlist'; v: DType[] } | { kind: 'blist'; v: boolean[] } | { kind: 'slist'; v: string[] };

export const A = {
  type: (v: DType): Attr => ({ kind: 'type', v }),
  b: (v: boolean): Attr => ({ kind: 'b', v }),
  i: (v: number): Attr => ({ kind: 'i', v }),
  f: (v: number): Attr => ({ kind: 'f', v }),
  s: (v: string): Attr => ({ kind: 's', v }),
  /** A shape; -1 for an unknown dimension, null for an unknown rank. */
  shape: (v: number[] | null): Attr => ({ kind: 'shape', v }),
  ints: (v: number[]): Attr => ({ kind: 'ilist', v }),
  floatTensor: (data: number[] | Float32Array, shape: number[]): Attr => ({ kind: 'tensor', dtype: DT.float, shape, data: Float32Array.from(data) }),
  intTensor: (data: number[] | Int32Array, shape: number[]): Attr => ({ kind: 'tensor', dtype: DT.int32, shape, data: Int32Array.from(data) }),
  /** A tensor of any supported dtype: float32 (Float32Array), int32 (Int32Array) or bool (Uint8Array of 0 / 1). */
  tensor: (dtype: DType, data: Float32Array | Int32Array | Uint8Array, shape: number[]): Attr => ({ kind: 'tensor', dtype, shape, data }),
  floats: (v: number[]): Attr => ({ kind: 'flist', v }),
  types: (v: DType[]): Attr => ({ kind: 'tlist', v }),
  bools: (v: boolean[]): Attr => ({ kind: 'blist', v }),
  strings: (v: string[]): Attr => ({ kind: 'slist', v }),
};

function shapeProto(dims: number[] | null): Pb {
  const p = new Pb();
  if (dims === null) return p.bool(3, true);
  for (const d of dims) p.msg(2, new Pb().int(1, d));
  return p;
}

function attrProto(a: Attr): Pb {
  const p = new Pb();
  switch (a.kind) {
    case 'type': return p.int(6, a.v);
    case 'b': return p.bool(5, a.v);
    case 'i': return p.int(3, a.v);
    case 'f': return p.float(4, a.v);
    case 's': return p.string(2, a.v);
    case 'shape': return p.msg(7, shapeProto(a.v));
    case 'ilist': return p.msg(1, new Pb().packedInts(3, a.v));
    case 'flist': { const l = new Pb(); for (const f of a.v) l.float(4, f); return p.msg(1, l); }
    case 'tlist': return p.msg(1, new Pb().packedInts(6, a.v));
    case 'blist': { const l = new Pb(); for (const b of a.v) l.bool(5, b); return p.msg(1, l); }
    case 'slist': { const l = new Pb(); for (const x of a.v) l.string(2, x); return p.msg(1, l); }
    case 'tensor': {
      const t = new Pb().int(1, a.dtype).msg(2, shapeProto(a.shape));
      t.bytes(4, new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength)); // tensor_content, little-endian
      return p.msg(8, t);
    }
    default: throw new Error(`graph: unknown attr kind ${(a as { kind: string }).kind}`);
  }
}

// ---------------------------------------------------------------------------------------------------- graph
interface NodeDef { name: string; op: string; inputs: string[]; attrs: Record<string, Attr> }

/**
 * A GraphDef under construction. `op` returns the node's name, which is also the name of its first output;
 * further outputs are `name:1`, ...; a control dependency is `^name`.
 */
export class GraphBuilder {
  readonly nodes: NodeDef[] = [];
  private names = new Set<string>();
  private counter = 0;

  /** Adds a node; `name` defaults to a fresh `<op>_<k>`. Returns the node name. */
  op(op: string, inputs: string[], attrs: Record<string, Attr> = {}, name?: string): string {
    const n = name ?? `${op.toLowerCase()}_${this.counter++}`;
    if (this.names.has(n)) throw new Error(`GraphBuilder: node name "${n}" used twice`);
    for (const i of inputs) {
      const base = i.replace(/^\^/, '').replace(/:\d+$/, '');
      if (!this.names.has(base)) throw new Error(`GraphBuilder: input "${i}" of ${op} "${n}" is not a node of the graph`);
    }
    this.names.add(n);
    this.nodes.push({ name: n, op, inputs, attrs });
    return n;
  }

  /** A float32 (or other) placeholder fed at run time. */
  placeholder(name: string, dtype: DType = DT.float, shape: number[] | null = null): string {
    return this.op('Placeholder', [], { dtype: A.type(dtype), shape: A.shape(shape) }, name);
  }

  constFloat(v: number | number[], shape: number[] = [], name?: string): string {
    const data = typeof v === 'number' ? [v] : v;
    return this.op('Const', [], { dtype: A.type(DT.float), value: A.floatTensor(data, shape) }, name);
  }

  constInt(v: number | number[], shape: number[] = [], name?: string): string {
    const data = typeof v === 'number' ? [v] : v;
    return this.op('Const', [], { dtype: A.type(DT.int32), value: A.intTensor(data, shape) }, name);
  }

  /** A float32 resource variable of the session (VarHandleOp; assign it before reading). */
  variable(name: string, shape: number[]): string {
    return this.op('VarHandleOp', [], { dtype: A.type(DT.float), shape: A.shape(shape), container: A.s(''), shared_name: A.s(name) }, name);
  }

  read(handle: string, name?: string): string { return this.op('ReadVariableOp', [handle], { dtype: A.type(DT.float) }, name); }

  assign(handle: string, value: string, name?: string): string { return this.op('AssignVariableOp', [handle, value], { dtype: A.type(DT.float) }, name); }

  /** Identity of `value` that runs only after `deps` (fetch it to run the deps too). */
  after(value: string, deps: string[], name?: string, dtype: DType = DT.float): string {
    return this.op('Identity', [value, ...deps.map((d) => `^${d}`)], { T: A.type(dtype) }, name);
  }

  /** The GraphDef bytes (graph.proto). */
  graphDef(): Pb {
    const g = new Pb();
    for (const n of this.nodes) {
      const nd = new Pb().string(1, n.name).string(2, n.op);
      for (const i of n.inputs) nd.string(3, i);
      for (const [k, v] of Object.entries(n.attrs)) nd.msg(5, new Pb().string(1, k).msg(2, attrProto(v)));
      g.msg(1, nd);
    }
    // VersionDef: producer 1994 (TensorFlow 2.19+ graphs); consumers apply op defaults for missing attrs.
    g.msg(4, new Pb().int(1, 1994));
    return g;
  }

  /** A SavedModel (saved_model.proto) holding this graph under the tag `tag`. */
  savedModel(tag = 'serve'): Uint8Array {
    const meta = new Pb().msg(1, new Pb().string(4, tag)).msg(2, this.graphDef());
    return new Pb().int(1, 1).msg(2, meta).finish();
  }
}

// -------------------------------------------------------------------------------------------------- session
const FEED_DTYPES: Record<string, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL' };
function feedDtypeError(name: string, dtype: string): never { throw new Error(`GraphSession: feed "${name}" has dtype ${dtype}; graphs take float32, int32 or bool feeds`); }
let sessionCounter = 0;

/** A loaded graph: a TensorFlow session with its own variables, run by feeding tfjs tensors. */
export class GraphSession {
  private disposed = false;
  private constructor(private readonly id: number, private readonly be: NonNullable<ReturnType<typeof nativeBackend>>) {}

  /** True when graphs can be run (native TensorFlow backend). */
  static available(): boolean { return nativeBackend() !== null; }

  static load(g: GraphBuilder): GraphSession {
    const be = nativeBackend();
    if (!be) throw new Error('GraphSession needs the native TensorFlow backend (tfjs-node)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rml-graph-${process.pid}-${sessionCounter++}-`));
    try {
      fs.writeFileSync(path.join(dir, 'saved_model.pb'), g.savedModel('serve'));
      const id = be.binding.loadSavedModel(dir, 'serve') as number;
      return new GraphSession(id, be);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * Feeds `feeds` (placeholder name -> float32 or int32 tensor) and returns the `fetches` (node names, `name:k`
   * for output k) as tfjs tensors owned by the caller. Every fetched node runs with all it depends on.
   */
  run(feeds: Record<string, tf.Tensor>, fetches: string[]): tf.Tensor[] {
    if (this.disposed) throw new Error('GraphSession: used after dispose()');
    const names = Object.keys(feeds);
    const inputs = names.map((n) => feeds[n]);
    const infos = names.map((n) => ({ name: n.includes(':') ? n : `${n}:0`, tfDtype: FEED_DTYPES[feeds[n].dtype] ?? feedDtypeError(n, feeds[n].dtype) }));
    const outs = fetches.map((f) => (f.includes(':') ? f : `${f}:0`));
    return (this.be as unknown as { runSavedModel(id: number, i: tf.Tensor[], infos: unknown[], o: string[]): tf.Tensor[] }).runSavedModel(this.id, inputs, infos, outs);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.be.binding.deleteSavedModel(this.id);
  }
}
