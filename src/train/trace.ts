/**
 * Records the TensorFlow ops a piece of ordinary tfjs code runs on the native backend, as a program that can be
 * written out as a GraphDef (src/train/compile.ts).
 *
 * How: tfjs-node runs every kernel through `backend.executeSingleOutput` / `executeMultipleOutputs` (one eager
 * TensorFlow op each, by name, with its attributes). While `traceProgram` runs the code, both are wrapped: each
 * call is recorded with its op name, its attributes and where every input comes from. An input is
 *   - the output of an op recorded earlier in the same trace,
 *   - a feed (one of the tensors the caller names as the step's inputs),
 *   - a tf.Variable (trained: read from a graph variable; any other: fed with its current value at every run),
 *   - a constant made from JavaScript values inside the traced code (`tf.scalar(2)`, the `ones` of a gradient);
 * anything else (a tensor made before the trace that is neither a feed nor a variable) cannot be captured
 * safely, and the trace fails with a message naming it. So does code that reads tensor values into JavaScript
 * inside the trace (`dataSync`, `arraySync`), since what it then computes in JavaScript is invisible to the graph.
 *
 * A trace is specialised to the shapes of its feeds (tfjs bakes shapes into constants, as tf.function does);
 * src/train/compile.ts traces once per feed signature. Random draws made inside the code with tf.random* are
 * computed in JavaScript on this backend: they appear as constants and would be frozen. `sameProgram` compares
 * two traces of the same call and names the first difference, which is how compile.ts catches them.
 */
import { tf, nativeBackend } from '../backend';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Why a piece of code could not be traced into a graph. */
export class TraceError extends Error {
  constructor(message: string) { super(message); this.name = 'TraceError'; }
}

/** Where a value comes from, inside a traced program. */
export type Source =
  | { kind: 'op'; op: number; out: number }
  | { kind: 'feed'; index: number }
  | { kind: 'var'; index: number } // a trained variable
  | { kind: 'fed'; index: number } // another tf.Variable, fed by value at each run
  | { kind: 'const'; index: number };

/** One recorded op: the TensorFlow op name, tfjs-node's attribute list, its inputs and number of outputs. */
export interface TracedOp { op: string; attrs: { name: string; type: number; value: unknown }[]; inputs: Source[]; outputs: number; shapes: number[][] }

/** A constant made from JavaScript values inside the trace. dtype is TensorFlow's enum. */
export interface TracedConst { dtype: number; shape: number[]; values: Float32Array | Int32Array | Uint8Array }

/** A traced program: its ops in execution order and where its results come from. */
export interface Program {
  ops: TracedOp[];
  consts: TracedConst[];
  /** The other tf.Variables the code read (fed by value). */
  fedVars: tf.Variable[];
  /** Named results (e.g. loss, gradients, extras). */
  results: Record<string, Source>;
  /** tf.Variables (not trained ones) the code assigned, and the value each got. */
  assigned: { variable: tf.Variable; value: Source }[];
}

interface TensorData { id: number; values: ArrayLike<number> | null; shape: number[]; dtype: number }

/**
 * Runs `fn` once on the native backend and records what it does. `feeds` are the tensors `fn` takes as inputs;
 * `trained` the variables the graph will own; `fn` returns its named results (tensors it computed, which stay
 * the caller's to dispose). Throws a TraceError when the code cannot be captured.
 */
export function traceProgram(feeds: tf.Tensor[], trained: tf.Variable[], fn: () => Record<string, tf.Tensor>): { program: Program; results: Record<string, tf.Tensor> } {
  const be = nativeBackend() as any;
  if (!be) throw new TraceError('tracing needs the native TensorFlow backend (tfjs-node)');
  const map = be.tensorMap as { get(d: object): TensorData | undefined };
  const feedOf = new Map<object, number>();
  feeds.forEach((t, i) => { if (!feedOf.has(t.dataId)) feedOf.set(t.dataId, i); });
  const trainedOf = new Map<object, number>();
  trained.forEach((v, i) => {
    // Two variables sharing one value (b.assign(a) shares a's buffer) cannot be told apart in the trace.
    if (trainedOf.has(v.dataId)) throw new TraceError(`the trained variables ${trained[trainedOf.get(v.dataId)!].name} and ${v.name} share one value (after an assign of one to the other); give each its own copy (tf.clone)`);
    trainedOf.set(v.dataId, i);
  });
  const otherVars = new Map<object, tf.Variable>();
  const before = new Map<tf.Variable, object>();
  for (const v of Object.values(tf.engine().registeredVariables) as tf.Variable[]) {
    before.set(v, v.dataId);
    if (trainedOf.has(v.dataId)) continue;
    const other = otherVars.get(v.dataId);
    if (other && other !== v) throw new TraceError(`the variables ${other.name} and ${v.name} share one value (after an assign of one to the other); the traced step could not tell which it reads: give each its own copy (tf.clone)`);
    otherVars.set(v.dataId, v);
  }
  const created = new Set<object>(); // dataIds written from JavaScript values during the trace
  const producedBy = new Map<number, Source>(); // TensorFlow handle id -> op output
  const constOf = new Map<object, number>();
  const program: Program = { ops: [], consts: [], fedVars: [], results: {}, assigned: [] };
  const fedIndex = new Map<tf.Variable, number>();
  const bad = (what: string, op: string) => { throw new TraceError(`${what} (first used by the op ${op})`); };

  const sourceOfData = (dataId: object, info: TensorData, op: string): Source => {
    if (info.id >= 0 && producedBy.has(info.id)) return producedBy.get(info.id)!;
    const f = feedOf.get(dataId);
    if (f !== undefined) return { kind: 'feed', index: f };
    const t = trainedOf.get(dataId);
    if (t !== undefined) return { kind: 'var', index: t };
    const v = otherVars.get(dataId);
    if (v) {
      let k = fedIndex.get(v);
      if (k === undefined) { k = program.fedVars.length; fedIndex.set(v, k); program.fedVars.push(v); }
      return { kind: 'fed', index: k };
    }
    if (created.has(dataId)) {
      let k = constOf.get(dataId);
      if (k === undefined) {
        const values = info.values ?? be.binding.tensorDataSync(info.id);
        const dtype = info.dtype;
        if (dtype !== be.binding.TF_FLOAT && dtype !== be.binding.TF_INT32 && dtype !== be.binding.TF_BOOL) bad(`a constant of TensorFlow dtype ${dtype} cannot be written into a graph`, op);
        const copy = dtype === be.binding.TF_FLOAT ? Float32Array.from(values) : dtype === be.binding.TF_INT32 ? Int32Array.from(values) : Uint8Array.from(values);
        k = program.consts.length;
        constOf.set(dataId, k);
        program.consts.push({ dtype, shape: [...info.shape], values: copy });
      }
      return { kind: 'const', index: k };
    }
    return bad(`the traced code reads a tensor of shape [${info.shape}] that is neither one of its inputs, a tf.Variable, nor made inside it; pass it in as an input (or hold it in a tf.Variable)`, op);
  };

  const record = (name: string, attrs: any[], inputs: any[], outs: tf.Tensor[]) => {
    // Inputs were resolved before the op ran (their values may only now have been uploaded).
    const srcs = (inputs as { __src: Source }[]).map((i) => i.__src);
    const k = program.ops.length;
    program.ops.push({ op: name, attrs: attrs.map((a) => ({ name: a.name, type: a.type, value: a.value })), inputs: srcs, outputs: outs.length, shapes: outs.map((o) => [...o.shape]) });
    outs.forEach((o, j) => { const info = map.get(o.dataId)!; producedBy.set(info.id, { kind: 'op', op: k, out: j }); });
  };
  const resolveInputs = (name: string, inputs: any[]) => inputs.map((t) => {
    if (!t || !t.dataId) bad('an input that is not a tensor (an Int64 scalar?)', name);
    const info = map.get(t.dataId);
    if (!info) bad('an input tensor that was already disposed', name);
    return { __src: sourceOfData(t.dataId, info!, name) };
  });

  const orig = { single: be.executeSingleOutput, multi: be.executeMultipleOutputs, move: be.move, readSync: be.readSync };
  be.executeSingleOutput = function (name: string, attrs: any[], inputs: any[]) {
    const srcs = resolveInputs(name, inputs);
    const out = orig.single.call(this, name, attrs, inputs);
    record(name, attrs, srcs, [out]);
    return out;
  };
  be.executeMultipleOutputs = function (name: string, attrs: any[], inputs: any[], n: number) {
    const srcs = resolveInputs(name, inputs);
    const outs = orig.multi.call(this, name, attrs, inputs, n);
    record(name, attrs, srcs, outs);
    return outs;
  };
  be.move = function (dataId: object, ...rest: unknown[]) { created.add(dataId); return orig.move.call(this, dataId, ...rest); };
  be.readSync = function (dataId: object) {
    // tfjs-node's GatherV2 reads its indices to check their range; that check does not change the graph.
    const stack = new Error().stack ?? '';
    if (!/GatherV2/.test(stack)) throw new TraceError('the traced code reads tensor values into JavaScript (dataSync / arraySync / a kernel computed in JavaScript); what it computes from them cannot be part of a graph');
    return orig.readSync.call(this, dataId);
  };
  let results: Record<string, tf.Tensor>;
  try {
    results = fn();
    for (const [name, t] of Object.entries(results)) {
      const info = map.get(t.dataId);
      if (!info) throw new TraceError(`result "${name}" was disposed inside the traced code`);
      program.results[name] = sourceOfData(t.dataId, info, `(result ${name})`);
    }
    for (const [v, d] of before) {
      if (v.isDisposed || v.dataId === d) continue;
      if (trainedOf.has(d)) throw new TraceError(`the traced code assigns the trained variable ${v.name}; only the optimizer may update it`);
      program.assigned.push({ variable: v, value: sourceOfData(v.dataId, map.get(v.dataId)!, `(assignment to ${v.name})`) });
    }
  } finally {
    be.executeSingleOutput = orig.single;
    be.executeMultipleOutputs = orig.multi;
    be.move = orig.move;
    be.readSync = orig.readSync;
    // Instance properties shadowed the prototype's methods; remove them so nothing of the trace stays behind.
    for (const k of ['executeSingleOutput', 'executeMultipleOutputs', 'move', 'readSync']) if (Object.prototype.hasOwnProperty.call(be, k) && be[k] === Object.getPrototypeOf(be)[k]) delete be[k];
  }
  return { program, results: results! };
}

/**
 * Null when two traces of the same code describe the same graph; otherwise the first difference, in words.
 * Constants are compared by value: a constant that differs between two calls is a random draw (or some other
 * value computed in JavaScript) that a graph would freeze.
 */
export function sameProgram(a: Program, b: Program): string | null {
  if (a.ops.length !== b.ops.length) return `the code ran ${a.ops.length} ops in one call and ${b.ops.length} in another (control flow that depends on values?)`;
  for (let i = 0; i < a.ops.length; i++) {
    const x = a.ops[i], y = b.ops[i];
    if (x.op !== y.op || JSON.stringify(x.attrs) !== JSON.stringify(y.attrs) || JSON.stringify(x.inputs) !== JSON.stringify(y.inputs)) return `op ${i} differs between two calls: ${x.op} vs ${y.op}`;
  }
  if (a.consts.length !== b.consts.length) return 'the code made a different number of constants in two calls';
  for (let i = 0; i < a.consts.length; i++) {
    const x = a.consts[i], y = b.consts[i];
    let same = x.dtype === y.dtype && x.values.length === y.values.length && JSON.stringify(x.shape) === JSON.stringify(y.shape);
    for (let k = 0; same && k < x.values.length; k++) same = Object.is(x.values[k], y.values[k]);
    if (!same) {
      const user = a.ops.find((o) => o.inputs.some((s) => s.kind === 'const' && s.index === i));
      return `a tensor of shape [${x.shape}] made from JavaScript values inside the step differs between two calls (first used by ${user?.op ?? 'a result'}): a random draw (tf.random*, tf.dropout) made inside the step? Draw it outside and pass it in as an input`;
    }
  }
  if (JSON.stringify(a.results) !== JSON.stringify(b.results) || a.fedVars.length !== b.fedVars.length || a.fedVars.some((v, i) => v !== b.fedVars[i])) return 'the results differ between two calls';
  if (a.assigned.length !== b.assigned.length || a.assigned.some((x, i) => x.variable !== b.assigned[i].variable)) return 'the variables assigned differ between two calls';
  return null;
}
