/**
 * `CompiledStep`: a training step written once, in ordinary tfjs, run as ONE TensorFlow graph per call.
 *
 *   const step = new CompiledStep((inputs) => lossOf(inputs[0], inputs[1]), variables, { learningRate: 1e-3 });
 *   for (...) step.step([xb, noise]).dispose();   // one Adam step each
 *   step.dispose();
 *
 * The loss function is the whole specification: its forward pass, tfjs's own gradients of it (tf.variableGrads)
 * and Adam. On the first call with inputs of a new shape, the step is traced twice (src/train/trace.ts records
 * every TensorFlow op it runs, gradients included), the two traces are compared (a random draw made inside the
 * step, or control flow that depends on values, shows up as a difference and is refused), and the trace is written
 * out as a GraphDef: the inputs become placeholders, the trained variables graph resource variables, and Adam
 * one `ResourceApplyAdam` kernel per variable. Every later call is one `TF_SessionRun`, which runs independent
 * kernels side by side and never returns to JavaScript in between. This is what jax.jit and tf.function do.
 *
 * What the trace cannot capture (a kernel computed in JavaScript, a value read into JavaScript, a tensor made
 * outside the step that is not an input or a variable, a random draw inside the step) makes the compile fail with
 * a message naming it; the step then runs eagerly (tfjs autodiff and the same Adam kernel) and says so once. On
 * the wasm / cpu backends it is the eager step. `RML_COMPILE=0` forces the eager step everywhere.
 *
 * Random draws: tf.random* draw in JavaScript on this backend, so a step that needs noise takes it as an input
 * (drawn by the caller, e.g. the training loop's `draws`). Shapes: tfjs writes shapes into the graph as constants
 * (as tf.function does), so each distinct input shape (the last, smaller batch of an epoch) gets its own traced
 * graph; all share the same variables and Adam moments.
 *
 * Adam's maths are tf.train.adam's (tfjs-core 4.22): m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2;
 * w <- w - lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps), through TensorFlow's kernel with eps' = eps sqrt(1-b2^t)
 * and b^t accumulated in float32 (the same as FusedAdam in src/train/fused.ts, which the eager step uses).
 *
 * Weights: with `readback: 'step'` (default) each call fetches the updated weights and assigns them to the
 * tf.Variables. With 'deferred' they stay in the graph and `syncOut()` copies them out (the training loop calls it
 * once per epoch through `flush`). A tf.Variable assigned elsewhere (re-initialisation, a projection) is copied
 * into the graph before the next step either way.
 */
import * as fs from 'fs';
import { tf, nativeBackend } from '../backend';
import { A, Attr, DT, DType, GraphBuilder, GraphSession } from './graph';
import { makeFusedAdam } from './adam';
import { traceProgram, sameProgram, Program, Source, TraceError } from './trace';
import { rewriteOps } from './rewrite';
import { InputError } from '../validate';

/** The step's loss on its inputs. `keep(name, t)` hands back a further value of the step (returned by `run`). */
export type StepLoss = (inputs: tf.Tensor[], keep: (name: string, t: tf.Tensor) => void) => tf.Scalar;

export interface CompiledStepOptions {
  /** Adam's learning rate: one for all variables, or one per variable (RNLF's network and codes). */
  learningRate: number | number[];
  beta1?: number;
  beta2?: number;
  /** Adam epsilon; default the backend's (1e-7 in float32), as tf.train.adam. */
  epsilon?: number;
  /** 'step' (default): the tf.Variables get the new weights after every call; 'deferred': only at `syncOut()`. */
  readback?: 'step' | 'deferred';
  /** true (default): compile on tfjs-node; false: always the eager step; 'require': throw instead of falling back. */
  compile?: boolean | 'require';
  /** Names the model in messages. */
  label?: string;
}

interface Signature {
  key: string;
  prefix: string;
  program: Program;
  inputs: { dtype: DType; shape: number[] }[];
  extras: string[];
  /** Trained variable k has a gradient in this program. */
  hasGrad: boolean[];
}

const TF_TO_DT: Record<number, DType> = { 1: DT.float, 3: DT.int32, 10: DT.bool };
const DTYPE_OF: Record<string, DType> = { float32: DT.float, int32: DT.int32, bool: DT.bool };
const warned = new Set<string>();

/** Adam on `variables`, one graph run per call. `dispose()` frees the session. */
export class CompiledStep {
  /** Read at every step (a schedule may change it): one for all variables, or one per variable. */
  learningRate: number | number[];
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Optimizer steps taken since construction or the last `resetSlots()`. */
  iterations = 0;
  /** Why the step runs eagerly on a backend that could compile it (null otherwise). */
  fallbackReason: string | null = null;
  private readonly label: string;
  private readonly deferred: boolean;
  private readonly sigs = new Map<string, Signature>();
  private session: GraphSession | null = null;
  /** Eager Adam: one optimizer, or one per variable when the learning rates are per variable. */
  private eager: tf.Optimizer[] | null = null;
  private mode: 'pending' | 'graph' | 'eager';
  private last: (object | null)[];
  private acc1: number;
  private acc2: number;
  private dirty = false;
  private disposed = false;
  private readonly requireGraph: boolean;

  constructor(private readonly loss: StepLoss, private readonly variables: tf.Variable[], opts: CompiledStepOptions) {
    this.label = opts.label ?? 'CompiledStep';
    if (typeof loss !== 'function') throw new InputError(`${this.label}: the loss must be a function of the step's inputs`);
    if (!variables.length || variables.some((v) => !(v instanceof tf.Variable))) throw new InputError(`${this.label}: needs a non-empty list of tf.Variables to train`);
    if (new Set(variables).size !== variables.length) throw new InputError(`${this.label}: a variable is listed twice`);
    const lrs = Array.isArray(opts.learningRate) ? opts.learningRate : [opts.learningRate];
    if (Array.isArray(opts.learningRate) && lrs.length !== variables.length) throw new InputError(`${this.label}: learningRate lists ${lrs.length} rates for ${variables.length} variables`);
    if (!lrs.every((r) => r > 0)) throw new InputError(`${this.label}: learningRate must be > 0, got ${opts.learningRate}`);
    const rb = opts.readback ?? 'step';
    if (rb !== 'step' && rb !== 'deferred') throw new InputError(`${this.label}: readback must be 'step' or 'deferred', got "${String(rb)}"`);
    const c = opts.compile ?? true;
    if (c !== true && c !== false && c !== 'require') throw new InputError(`${this.label}: compile must be true, false or 'require', got ${String(c)}`);
    this.learningRate = opts.learningRate;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? tf.backend().epsilon();
    this.acc1 = Math.fround(this.beta1);
    this.acc2 = Math.fround(this.beta2);
    this.deferred = rb === 'deferred';
    this.requireGraph = c === 'require';
    this.last = variables.map(() => null);
    const can = nativeBackend() !== null && process.env.RML_COMPILE !== '0';
    if (c === 'require' && !can) throw new Error(`${this.label}: compile 'require' needs the native TensorFlow backend${process.env.RML_COMPILE === '0' ? ' (RML_COMPILE=0 is set)' : ''}`);
    this.mode = c !== false && can ? 'pending' : 'eager';
  }

  /** 'graph' once compiled, 'eager' when it runs tfjs autodiff step by step, 'pending' before the first call. */
  get status(): 'pending' | 'graph' | 'eager' { return this.mode; }

  /** One Adam step on these inputs. Returns the loss before the update (the caller disposes it). */
  step(inputs: tf.Tensor[]): tf.Scalar {
    const { loss, extras } = this.run(inputs);
    tf.dispose(Object.values(extras));
    return loss;
  }

  /** One Adam step; the loss and the values handed to `keep`, all computed before the update (caller disposes). */
  run(inputs: tf.Tensor[]): { loss: tf.Scalar; extras: Record<string, tf.Tensor> } {
    if (this.disposed) throw new Error(`${this.label}: used after dispose()`);
    if (!Array.isArray(inputs) || inputs.some((t) => !(t instanceof tf.Tensor))) throw new InputError(`${this.label}: step inputs must be an array of tensors`);
    if (this.mode !== 'eager') {
      const key = inputs.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(';');
      if (!this.sigs.has(key)) this.addSignature(key, inputs);
      if (this.mode === 'graph') return this.runGraph(this.sigs.get(key)!, inputs);
    }
    return this.runEager(inputs);
  }

  // ------------------------------------------------------------------------------------------------- eager
  private runEager(inputs: tf.Tensor[]): { loss: tf.Scalar; extras: Record<string, tf.Tensor> } {
    const lrs = this.rates();
    const per = Array.isArray(this.learningRate);
    if (!this.eager) this.eager = (per ? lrs : [lrs[0]]).map((r) => makeFusedAdam(r, this.beta1, this.beta2, this.epsilon));
    this.eager.forEach((o, k) => { (o as unknown as { learningRate: number }).learningRate = lrs[k]; });
    const extras: Record<string, tf.Tensor> = {};
    const f = () => this.loss(inputs, (n, t) => { extras[n] = tf.keep(t); });
    let loss: tf.Scalar;
    if (!per) loss = this.eager[0].minimize(f, true, this.variables) as tf.Scalar;
    else {
      const { value, grads } = tf.variableGrads(f, this.variables);
      this.variables.forEach((v, k) => { if (grads[v.name]) this.eager![k].applyGradients({ [v.name]: grads[v.name] }); });
      tf.dispose(Object.values(grads));
      loss = value;
    }
    this.iterations++;
    return { loss, extras };
  }

  // ------------------------------------------------------------------------------------------------- trace
  private traceOnce(inputs: tf.Tensor[]): { program: Program; extras: string[] } {
    const names = this.variables.map((v) => v.name);
    let extraNames: string[] = [];
    // Tracing runs the loss eagerly: what it assigns to other tf.Variables (BatchNorm running moments) is undone
    // afterwards, so that compiling does not move them (only the graph run that follows does). tf.clone shares the
    // value (no copy) and keeps it alive through the assignment.
    const saved = (Object.values(tf.engine().registeredVariables) as tf.Variable[])
      .filter((v) => !this.variables.includes(v)).map((v) => ({ v, id: v.dataId, copy: tf.clone(v) }));
    try {
      const { program, results } = traceProgram(inputs, this.variables, () => {
        const kept: Record<string, tf.Tensor> = {};
        const { value, grads } = tf.variableGrads(() => this.loss(inputs, (n, t) => {
          if (kept[n]) throw new InputError(`${this.label}: keep("${n}") called twice in one step`);
          kept[n] = tf.keep(t);
        }), this.variables);
        extraNames = Object.keys(kept);
        const out: Record<string, tf.Tensor> = { loss: value };
        names.forEach((n, k) => { if (grads[n]) out[`g${k}`] = grads[n]; });
        for (const [n, t] of Object.entries(kept)) out[`x_${n}`] = t;
        return out;
      });
      tf.dispose(Object.values(results));
      return { program, extras: extraNames };
    } finally {
      for (const s of saved) if (!s.v.isDisposed && s.v.dataId !== s.id) s.v.assign(s.copy);
      tf.dispose(saved.map((s) => s.copy));
    }
  }

  private addSignature(key: string, inputs: tf.Tensor[]): void {
    let sig: Signature;
    try {
      const a = this.traceOnce(inputs);
      const b = this.traceOnce(inputs);
      const diff = sameProgram(a.program, b.program);
      if (diff) throw new TraceError(diff);
      sig = {
        key, prefix: `s${this.sigs.size}_`, program: a.program, extras: a.extras,
        inputs: inputs.map((t) => ({ dtype: DTYPE_OF[t.dtype] ?? this.fail(`input of dtype ${t.dtype}`), shape: [...t.shape] })),
        hasGrad: this.variables.map((_, k) => a.program.results[`g${k}`] !== undefined),
      };
      if (!sig.hasGrad.some((h) => h)) throw new InputError(`${this.label}: the loss does not depend on any of the trained variables`);
      this.sigs.set(key, sig);
      this.build();
    } catch (e) {
      this.sigs.delete(key);
      if (!(e instanceof TraceError) && !(e instanceof GraphBuildError)) throw e;
      if (this.requireGraph) throw new Error(`${this.label}: the training step could not be compiled: ${e.message}`);
      if (this.mode === 'graph') throw new Error(`${this.label}: inputs of a new shape (${key}) could not be compiled after others were: ${e.message}`);
      this.mode = 'eager';
      this.fallbackReason = e.message;
      if (!warned.has(this.label + e.message)) {
        warned.add(this.label + e.message);
        console.warn(`${this.label}: the training step runs eagerly (tfjs autodiff, slower) because it could not be compiled into one graph: ${e.message}`);
      }
      return;
    }
    this.mode = 'graph';
  }

  private fail(what: string): never { throw new TraceError(`${what} cannot be fed to a graph`); }

  // ------------------------------------------------------------------------------------------------- graph
  /** (Re)builds the session from every signature traced so far, carrying the weights and Adam moments over. */
  private build(): void {
    const g = new GraphBuilder();
    const vs = this.variables;
    vs.forEach((v, k) => {
      const name = `v${k}`;
      for (const s of [name, `${name}_m`, `${name}_v`]) {
        g.variable(s, v.shape);
        g.after(g.constFloat(0, [], `loaded_${s}`), [g.assign(s, g.placeholder(`in_${s}`, DT.float, v.shape))], `load_${s}`);
        g.read(s, `cur_${s}`);
      }
      const z = g.op('ZerosLike', [`cur_${name}`], { T: A.type(DT.float) });
      g.after(g.constFloat(0, [], `zero_${name}`), [g.assign(`${name}_m`, z), g.assign(`${name}_v`, z)], `reset_${name}`);
      g.read(name, `r_${name}`);
    });
    const lrOf = (k: number) => (Array.isArray(this.learningRate) ? g.placeholder(`lr_v${k}`, DT.float, []) : 'lr');
    if (!Array.isArray(this.learningRate)) g.placeholder('lr', DT.float, []);
    const lrs = vs.map((_, k) => lrOf(k));
    const b1p = g.placeholder('b1p', DT.float, []), b2p = g.placeholder('b2p', DT.float, []);
    const eps = g.placeholder('eps', DT.float, []);
    const b1 = g.constFloat(this.beta1, [], 'beta1'), b2 = g.constFloat(this.beta2, [], 'beta2');
    for (const sig of this.sigs.values()) {
      const p = sig.prefix, prog = sig.program;
      sig.inputs.forEach((t, i) => g.placeholder(`${p}in${i}`, t.dtype, t.shape));
      prog.fedVars.forEach((v, i) => g.placeholder(`${p}fed${i}`, DTYPE_OF[v.dtype] ?? DT.float, v.shape));
      prog.consts.forEach((c, i) => {
        const dt = TF_TO_DT[c.dtype];
        if (dt === undefined) throw new GraphBuildError(`a constant of TensorFlow dtype ${c.dtype}`);
        g.op('Const', [], { dtype: A.type(dt), value: A.tensor(dt, c.values, c.shape) }, `${p}c${i}`);
      });
      const src = (s: Source): string => {
        switch (s.kind) {
          case 'op': return s.out ? `${p}o${s.op}:${s.out}` : `${p}o${s.op}`;
          case 'feed': return `${p}in${s.index}`;
          case 'var': return `r_v${s.index}`;
          case 'fed': return `${p}fed${s.index}`;
          case 'const': return `${p}c${s.index}`;
        }
      };
      const shapeOf = (x: Source): number[] => {
        switch (x.kind) {
          case 'op': return prog.ops[x.op].shapes[x.out];
          case 'feed': return sig.inputs[x.index].shape;
          case 'var': return vs[x.index].shape;
          case 'fed': return prog.fedVars[x.index].shape;
          case 'const': return prog.consts[x.index].shape;
        }
      };
      const ops = process.env.RML_REWRITE === '0' ? prog.ops : rewriteOps(prog, shapeOf).ops;
      ops.forEach((o, j) => {
        const attrs: Record<string, Attr> = {};
        for (const a of o.attrs) attrs[a.name] = attrOf(o.op, a);
        g.op(o.op, o.inputs.map(src), attrs, `${p}o${j}`);
      });
      const applies: string[] = [];
      vs.forEach((v, k) => {
        const gs = prog.results[`g${k}`];
        if (!gs) return;
        // After the step's read of the weight (^r_v): a gradient need not depend on the weight (a loss linear in
        // it), and the update must not overtake the forward pass's read.
        applies.push(g.op('ResourceApplyAdam', [`v${k}`, `v${k}_m`, `v${k}_v`, b1p, b2p, lrs[k], b1, b2, eps, src(gs), `^r_v${k}`],
          { T: A.type(DT.float), use_locking: A.b(false), use_nesterov: A.b(false) }, `${p}apply_v${k}`));
      });
      g.after(src(prog.results.loss), applies, `${p}loss`);
      sig.extras.forEach((n, i) => g.op('Identity', [src(prog.results[`x_${n}`]), ...applies.map((a) => `^${a}`)], { T: A.type(DT.float) }, `${p}x${i}`));
      vs.forEach((_, k) => g.op('ReadVariableOp', [`v${k}`, ...applies.map((a) => `^${a}`)], { dtype: A.type(DT.float) }, `${p}new_v${k}`));
      prog.assigned.forEach((a, i) => g.op('Identity', [src(a.value)], { T: A.type(DTYPE_OF[a.variable.dtype] ?? DT.float) }, `${p}asg${i}`));
    }
    if (process.env.RML_DUMP_GRAPH) fs.writeFileSync(process.env.RML_DUMP_GRAPH, g.nodes.map((n) => `${n.name} = ${n.op}(${n.inputs.join(', ')})`).join('\n'));
    let session: GraphSession;
    try { session = GraphSession.load(g); } catch (e) { throw new GraphBuildError(`TensorFlow refused the traced graph: ${(e as Error).message}`); }
    // Carry the state over: weights (and moments) of the old session, or the tf.Variables' values for a new one.
    const old = this.session;
    let moments: tf.Tensor[] | null = null;
    if (old) {
      this.syncOut();
      moments = old.run({}, vs.flatMap((_, k) => [`cur_v${k}_m`, `cur_v${k}_v`]));
      old.dispose();
    }
    this.session = session;
    try {
      const feeds: Record<string, tf.Tensor> = {};
      vs.forEach((v, k) => { feeds[`in_v${k}`] = v; });
      tf.dispose(session.run(feeds, vs.map((_, k) => `load_v${k}`)));
      vs.forEach((v, k) => { this.last[k] = v.dataId as object; });
      if (moments) {
        const mf: Record<string, tf.Tensor> = {};
        vs.forEach((_, k) => { mf[`in_v${k}_m`] = moments![2 * k]; mf[`in_v${k}_v`] = moments![2 * k + 1]; });
        tf.dispose(session.run(mf, vs.flatMap((_, k) => [`load_v${k}_m`, `load_v${k}_v`])));
      } else {
        tf.dispose(session.run({}, vs.map((_, k) => `reset_v${k}`)));
      }
    } finally {
      tf.dispose(moments ?? []);
    }
  }

  private live(): GraphSession {
    if (this.disposed) throw new Error(`${this.label}: used after dispose()`);
    return this.session!;
  }

  /** Copies tf.Variables assigned outside this step into the graph. */
  private syncIn(): void {
    const stale = this.variables.map((v, k) => k).filter((k) => this.last[k] !== this.variables[k].dataId);
    if (!stale.length) return;
    const feeds: Record<string, tf.Tensor> = {};
    for (const k of stale) feeds[`in_v${k}`] = this.variables[k];
    tf.dispose(this.live().run(feeds, stale.map((k) => `load_v${k}`)));
    for (const k of stale) this.last[k] = this.variables[k].dataId as object;
  }

  /** Copies the graph's weights into the tf.Variables (deferred read-back; a no-op when they are current). */
  syncOut(): void {
    if (!this.dirty || !this.session) return;
    this.syncIn();
    this.take(this.live().run({}, this.variables.map((_, k) => `cur_v${k}`)), 0);
    this.dirty = false;
  }

  private take(outs: tf.Tensor[], from: number): void {
    this.variables.forEach((v, k) => {
      v.assign(outs[from + k]);
      outs[from + k].dispose();
      this.last[k] = v.dataId as object;
    });
  }

  private runGraph(sig: Signature, inputs: tf.Tensor[]): { loss: tf.Scalar; extras: Record<string, tf.Tensor> } {
    const s = this.live();
    this.syncIn();
    const p = sig.prefix;
    const a1 = this.acc1, a2 = this.acc2;
    const consts = [tf.scalar(a1), tf.scalar(a2), tf.scalar(this.epsilon * Math.sqrt(Math.fround(1 - a2)))];
    const feeds: Record<string, tf.Tensor> = { b1p: consts[0], b2p: consts[1], eps: consts[2] };
    const lrs = this.rates();
    if (Array.isArray(this.learningRate)) lrs.forEach((r, k) => { const t = tf.scalar(r); consts.push(t); feeds[`lr_v${k}`] = t; });
    else { const t = tf.scalar(lrs[0]); consts.push(t); feeds.lr = t; }
    inputs.forEach((t, i) => { feeds[`${p}in${i}`] = t; });
    sig.program.fedVars.forEach((v, i) => { feeds[`${p}fed${i}`] = v; });
    const nx = sig.extras.length, nasg = sig.program.assigned.length;
    const fetches = [`${p}loss`, ...sig.extras.map((_, i) => `${p}x${i}`), ...sig.program.assigned.map((_, i) => `${p}asg${i}`)];
    if (!this.deferred) fetches.push(...this.variables.map((_, k) => `${p}new_v${k}`));
    let outs: tf.Tensor[];
    try { outs = s.run(feeds, fetches); } finally { tf.dispose(consts); }
    const extras: Record<string, tf.Tensor> = {};
    sig.extras.forEach((n, i) => { extras[n] = outs[1 + i]; });
    sig.program.assigned.forEach((a, i) => { a.variable.assign(outs[1 + nx + i]); outs[1 + nx + i].dispose(); });
    if (this.deferred) this.dirty = true;
    else this.take(outs, 1 + nx + nasg);
    this.acc1 = Math.fround(a1 * Math.fround(this.beta1));
    this.acc2 = Math.fround(a2 * Math.fround(this.beta2));
    this.iterations++;
    return { loss: outs[0] as tf.Scalar, extras };
  }

  /** Zeroes Adam's moments and step count (a fresh optimizer on the same weights). */
  resetSlots(): void {
    if (this.disposed) throw new Error(`${this.label}: used after dispose()`);
    if (this.session) {
      this.syncOut();
      this.syncIn();
      tf.dispose(this.session.run({}, this.variables.map((_, k) => `reset_v${k}`)));
    }
    if (this.eager) { this.eager.forEach((o) => o.dispose()); this.eager = null; }
    this.iterations = 0;
    this.acc1 = Math.fround(this.beta1);
    this.acc2 = Math.fround(this.beta2);
  }

  /** Frees the session (after copying deferred weights into the still-live tf.Variables). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    if (this.dirty && this.session && this.variables.every((v) => !v.isDisposed)) this.syncOut();
    this.disposed = true;
    this.session?.dispose();
    this.session = null;
    this.eager?.forEach((o) => o.dispose());
    this.eager = null;
  }

  /** The learning rates now (checked: a schedule may have set them). */
  private rates(): number[] {
    const lr = this.learningRate;
    const lrs = Array.isArray(lr) ? lr : [lr];
    if ((Array.isArray(lr) && lrs.length !== this.variables.length) || !lrs.every((r) => r > 0)) throw new InputError(`${this.label}: learningRate must be > 0 (one, or one per variable), got ${lr}`);
    return lrs;
  }
}

class GraphBuildError extends Error {
  constructor(message: string) { super(message); this.name = 'GraphBuildError'; }
}

/** A NodeDef attribute from tfjs-node's op attribute ({ name, type: TF_ATTR_*, value }). */
function attrOf(op: string, a: { name: string; type: number; value: unknown }): Attr {
  const v = a.value;
  const list = Array.isArray(v);
  switch (a.type) {
    case 0: return list ? A.strings(v as string[]) : A.s(String(v));
    case 1: return list ? A.ints(v as number[]) : A.i(v as number);
    case 2: return list ? A.floats(v as number[]) : A.f(v as number);
    case 3: return list ? A.bools(v as boolean[]) : A.b(!!v);
    case 4: return list ? A.types(v as DType[]) : A.type(v as DType);
    case 5: return A.shape(v as number[]);
    default: throw new GraphBuildError(`attribute "${a.name}" of op ${op} has a kind (${a.type}) the graph writer does not know`);
  }
}
