/**
 * Adam training steps compiled to ONE TensorFlow graph run each (native backend only).
 *
 * `GraphAdam` is the shared machinery of the compiled trainers (src/train/graph-dense.ts for dense stacks,
 * src/train/graph-vae.ts for the VAE): a subclass writes its forward pass and hand-written backward pass into
 * `this.g` (src/train/graph.ts), asking `value(v)` for a tf.Variable's node and handing each gradient to
 * `addGrad(v, node)`; `compile(loss)` adds one `ResourceApplyAdam` per variable and the fetches, and loads the
 * session. `runStep(feeds)` then does the whole step in one `TF_SessionRun`: TensorFlow's executor runs
 * independent kernels (a layer's dW and dX products, the updates of different variables) side by side, and no
 * kernel returns to JavaScript.
 *
 * Maths of the update: identical to `tf.train.adam` / `FusedAdam` (src/train/fused.ts): the tfjs bias correction
 * through eps' = eps sqrt(1 - b2^t) with b^t accumulated in float32.
 *
 * Weights: with `readback: 'step'` (the default) each step fetches the updated weights with the loss and assigns
 * them to the tf.Variables. With `readback: 'deferred'` the weights stay in the graph between steps and
 * `syncOut()` copies them into the tf.Variables: the training loops call it once per epoch (src/train/loop.ts
 * `flush`), `resetSlots()` and `dispose()` call it too. This saves the read-back of every weight at every step
 * and the copy TensorFlow makes when an update meets a buffer still held outside the graph. Until `syncOut()`,
 * reading the tf.Variables gives the weights of the last sync. Either way a variable assigned elsewhere
 * (re-initialisation, a projection) is copied into the graph before the next step.
 */
import { tf } from '../backend';
import { A, DT, GraphBuilder, GraphSession } from './graph';
import { InputError } from '../validate';

export interface GraphAdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  /** Adam epsilon; default the backend's (1e-7 in float32), as tf.train.adam. */
  epsilon?: number;
  /** 'step' (default): the tf.Variables get the new weights after every step; 'deferred': only at `syncOut()`. */
  readback?: 'step' | 'deferred';
}

interface VarSlot { variable: tf.Variable; name: string; last: object | null }

/** float32 `T` attribute, the one nearly every node needs. */
export const F = A.type(DT.float);

export class GraphAdam {
  /** Read at every step (a schedule may change it). */
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Optimizer steps taken since the last `resetSlots()`. */
  iterations = 0;
  protected readonly g = new GraphBuilder();
  private readonly vars: VarSlot[] = [];
  private readonly varOf = new Map<tf.Variable, number>();
  private readonly grads: (string | null)[] = [];
  private readonly fedOf = new Map<tf.Tensor, string>();
  private session: GraphSession | null = null;
  private fetches: string[] = [];
  private nExtras = 0;
  private acc1: number;
  private acc2: number;
  private disposed = false;
  private readonly deferred: boolean;
  /** The graph holds weights newer than the tf.Variables (deferred read-back). */
  private dirty = false;

  protected constructor(who: string, opts: GraphAdamOptions) {
    if (!GraphSession.available()) throw new Error(`${who} needs the native TensorFlow backend (tfjs-node)`);
    if (!(opts.learningRate > 0)) throw new InputError(`${who}: learningRate must be > 0, got ${opts.learningRate}`);
    this.learningRate = opts.learningRate;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? tf.backend().epsilon();
    this.acc1 = Math.fround(this.beta1);
    this.acc2 = Math.fround(this.beta2);
    const rb = opts.readback ?? 'step';
    if (rb !== 'step' && rb !== 'deferred') throw new InputError(`${who}: readback must be 'step' or 'deferred', got "${String(rb)}"`);
    this.deferred = rb === 'deferred';
  }

  /** The graph node holding `t`'s value during the step (one read per variable, shared by all its uses). */
  protected value(t: tf.Tensor): string {
    if (!(t instanceof tf.Variable)) throw new InputError(`${this.constructor.name}: every weight must be a tf.Variable`);
    let k = this.varOf.get(t);
    if (k === undefined) {
      const g = this.g;
      k = this.vars.length;
      const name = `v${k}`;
      this.varOf.set(t, k);
      this.vars.push({ variable: t, name, last: null });
      this.grads.push(null);
      g.variable(name, t.shape);
      g.variable(`${name}_m`, t.shape);
      g.variable(`${name}_v`, t.shape);
      // Load a value (feed in_<name>); reset the moments.
      g.after(g.constFloat(0, [], `loaded_${name}`), [g.assign(name, g.placeholder(`in_${name}`, DT.float, t.shape))], `load_${name}`);
      const z = g.op('ZerosLike', [g.read(name, `cur_${name}`)], { T: F });
      g.after(g.constFloat(0, [], `zero_${name}`), [g.assign(`${name}_m`, z), g.assign(`${name}_v`, z)], `reset_${name}`);
      g.read(name, `r_${name}`);
    }
    return `r_v${k}`;
  }

  /**
   * A placeholder fed with `t`'s current value at every step: a weight this graph reads but does not train (a
   * GAN's discriminator inside the generator's step). Returns its node.
   */
  protected fed(t: tf.Tensor): string {
    let name = this.fedOf.get(t);
    if (!name) {
      name = `fed${this.fedOf.size}`;
      this.fedOf.set(t, name);
      this.g.placeholder(name, DT.float, t.shape);
    }
    return name;
  }

  /** Adds `grad` (a node) to the gradient of variable `t` (tied weights get several). */
  protected addGrad(t: tf.Tensor, grad: string): void {
    this.value(t);
    const k = this.varOf.get(t as tf.Variable)!;
    this.grads[k] = this.grads[k] ? this.g.op('AddV2', [this.grads[k]!, grad], { T: F }) : grad;
  }

  /** Adds the Adam updates and loads the session; `extras` are further nodes fetched with the loss. */
  protected compile(loss: string, extras: string[] = []): void {
    const g = this.g;
    const missing = this.vars.filter((_, k) => !this.grads[k]);
    if (missing.length) throw new Error(`${this.constructor.name}: no gradient for ${missing.map((v) => v.variable.name).join(', ')}`);
    const lr = g.placeholder('lr', DT.float, []), b1p = g.placeholder('b1p', DT.float, []), b2p = g.placeholder('b2p', DT.float, []);
    const eps = g.placeholder('eps', DT.float, []);
    const b1 = g.constFloat(this.beta1), b2 = g.constFloat(this.beta2);
    const applies = this.vars.map((v, k) => g.op('ResourceApplyAdam', [v.name, `${v.name}_m`, `${v.name}_v`, b1p, b2p, lr, b1, b2, eps, this.grads[k]!],
      { T: F, use_locking: A.b(false), use_nesterov: A.b(false) }, `apply_${v.name}`));
    // The loss (and extras) and the updated weights, after every update.
    g.after(loss, applies, 'step_loss');
    const ex = extras.map((e, i) => g.after(e, applies, `step_extra${i}`));
    this.vars.forEach((v, k) => g.op('ReadVariableOp', [v.name, `^${applies[k]}`], { dtype: F }, `new_${v.name}`));
    this.fetches = ['step_loss', ...ex, ...this.vars.map((v) => `new_${v.name}`)];
    this.nExtras = extras.length;
    this.session = GraphSession.load(g);
    this.resetSlots();
  }

  /** Zeroes Adam's moments and its step count (a fresh optimizer on the same weights). */
  resetSlots(): void {
    const s = this.live();
    this.syncOut();
    this.syncIn(true);
    tf.dispose(s.run({}, this.vars.map((v) => `reset_${v.name}`)));
    this.iterations = 0;
    this.acc1 = Math.fround(this.beta1);
    this.acc2 = Math.fround(this.beta2);
  }

  private live(): GraphSession {
    if (this.disposed) throw new Error(`${this.constructor.name}: used after dispose()`);
    if (!this.session) throw new Error(`${this.constructor.name}: graph not compiled`);
    return this.session;
  }

  /** Copies tf.Variables assigned outside this optimizer into the graph. */
  private syncIn(force = false): void {
    const stale = this.vars.filter((v) => force || v.last !== v.variable.dataId);
    if (!stale.length) return;
    const feeds: Record<string, tf.Tensor> = {};
    for (const v of stale) feeds[`in_${v.name}`] = v.variable;
    tf.dispose(this.live().run(feeds, stale.map((v) => `load_${v.name}`)));
    for (const v of stale) v.last = v.variable.dataId as object;
  }

  /**
   * Copies the graph's current weights into the tf.Variables (deferred read-back; a no-op when they are already
   * current). A variable assigned elsewhere since the last step keeps that value: it is loaded into the graph first.
   */
  syncOut(): void {
    if (!this.dirty) return;
    const s = this.live();
    this.syncIn();
    this.takeWeights(s.run({}, this.vars.map((v) => `cur_${v.name}`)), 0);
    this.dirty = false;
  }

  /** Assigns outs[from + k] (the graph's weight k, consumed) to variable k and notes it as current. */
  private takeWeights(outs: tf.Tensor[], from: number): void {
    this.vars.forEach((v, k) => {
      v.variable.assign(outs[from + k]);
      outs[from + k].dispose();
      v.last = v.variable.dataId as object;
    });
  }

  /** One Adam step with these feeds. Returns [loss, ...extras] (caller disposes), all computed before the update. */
  protected runStep(feeds: Record<string, tf.Tensor>): tf.Tensor[] {
    const s = this.live();
    this.syncIn();
    const a1 = this.acc1, a2 = this.acc2;
    const consts = [tf.scalar(this.learningRate), tf.scalar(a1), tf.scalar(a2), tf.scalar(this.epsilon * Math.sqrt(Math.fround(1 - a2)))];
    const fedFeeds: Record<string, tf.Tensor> = {};
    for (const [t, name] of this.fedOf) fedFeeds[name] = t;
    const k0 = 1 + this.nExtras;
    const outs = s.run({ ...feeds, ...fedFeeds, lr: consts[0], b1p: consts[1], b2p: consts[2], eps: consts[3] },
      this.deferred ? this.fetches.slice(0, k0) : this.fetches);
    tf.dispose(consts);
    if (this.deferred) this.dirty = true;
    else this.takeWeights(outs, k0);
    this.acc1 = Math.fround(a1 * Math.fround(this.beta1));
    this.acc2 = Math.fround(a2 * Math.fround(this.beta2));
    this.iterations++;
    return outs.slice(0, k0);
  }

  /** Frees the session, after copying deferred weights into the (still live) tf.Variables. */
  dispose(): void {
    if (this.disposed) return;
    if (this.dirty && this.session && this.vars.every((v) => !v.variable.isDisposed)) this.syncOut();
    this.disposed = true;
    this.session?.dispose();
  }
}
