/**
 * The compiled-vs-eager check every model's test uses (test/train/compile.test.ts explains the bound).
 *
 * Two CompiledSteps on two copies of the same weights, one compiled into a graph and one eager (tfjs autodiff and
 * the same Adam kernel), take steps from the SAME weights: before each step the compiled copy is assigned the
 * eager copy's weights (which also exercises "a variable assigned outside the step is copied into the graph").
 * Adam runs with epsilon = 1 so that, while the gradients are much smaller than 1, its first update is
 * lr * g / (|g| + 1) ~ lr * g: a linear image of the gradient (with the default epsilon the first update is
 * lr * sign(g), which turns gradients within rounding of zero into +-lr moves and hides real differences).
 *
 * Bounds (float32, unit roundoff u = 6e-8): the loss is a reduction over N ~ 1e3-1e5 terms whose two evaluations
 * use the same kernels up to grappler's rewrites (BiasAdd for Add, SigmoidGrad, MatMul for BatchMatMulV2, constant
 * folding), so they agree to ~sqrt(N) u < 1e-5 relative. Each weight's update (hence gradient) agrees to the
 * relative rounding of the chains that produce it, a few hundred u over a deep net: 1e-4 in norm. Variables the
 * step assigns (BatchNorm running moments) are compared to 1e-5 absolute.
 */
import assert from 'node:assert/strict';
import { tf } from '../../src/backend';
import { CompiledStep, StepLoss } from '../../src/train/compile';

export interface TwinOptions {
  /** Builds the trained variables (same values every call: seed them). Extra (untrained) variables may be returned too. */
  make: () => { trained: tf.Variable[]; others?: tf.Variable[] };
  loss: (vars: tf.Variable[], others: tf.Variable[]) => StepLoss;
  /** The inputs of step k (same tensors go to both copies). */
  inputs: (k: number) => tf.Tensor[];
  steps?: number;
  learningRate?: number;
  lossTol?: number;
  gradTol?: number;
  /** Trained variables whose exact gradient is 0 (a bias before BatchNorm): only checked not to move by more than lr. */
  zeroGrad?: (k: number) => boolean;
}

const relNorm = (a: tf.Tensor, b: tf.Tensor, ref: tf.Tensor) => tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0] / Math.max(1e-30, tf.norm(tf.sub(b, ref)).dataSync()[0]));
const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** Runs the twin check; returns the compiled step's status ('graph' expected on tfjs-node). */
export function twinCheck(o: TwinOptions): string {
  const lr = o.learningRate ?? 1e-3, steps = o.steps ?? 3;
  const A = o.make(), B = o.make();
  const ca = new CompiledStep(o.loss(A.trained, A.others ?? []), A.trained, { learningRate: lr, epsilon: 1, compile: 'require', label: 'twin-graph' });
  const cb = new CompiledStep(o.loss(B.trained, B.others ?? []), B.trained, { learningRate: lr, epsilon: 1, compile: false, label: 'twin-eager' });
  try {
    for (let k = 0; k < steps; k++) {
      // Copies, not B's tensors: `a.assign(b)` makes two variables share one value, and a trace cannot tell which
      // of the two the step read (A would be fed B's BatchNorm moments, or the two traces would differ).
      const copy = (v: tf.Variable, w: tf.Variable) => { const c = tf.tidy(() => tf.add(w, 0)); v.assign(c); c.dispose(); };
      A.trained.forEach((v, i) => copy(v, B.trained[i]));
      (A.others ?? []).forEach((v, i) => copy(v, B.others![i]));
      const before = B.trained.map((v) => tf.clone(v));
      const inp = o.inputs(k);
      const la = ca.step(inp), lb = cb.step(inp);
      const [x, y] = [la.dataSync()[0], lb.dataSync()[0]];
      assert.ok(Math.abs(x - y) <= (o.lossTol ?? 1e-5) * Math.max(1e-12, Math.abs(y)), `step ${k}: loss ${x} (graph) vs ${y} (eager)`);
      A.trained.forEach((v, i) => {
        if (o.zeroGrad?.(i)) { assert.ok(maxAbs(v, before[i]) <= lr * 1.0001, `${v.name}: moved by more than lr`); return; }
        const r = relNorm(v, B.trained[i], before[i]);
        assert.ok(r <= (o.gradTol ?? 1e-4), `step ${k}, variable ${i} (${v.shape}): updates differ by ${r.toExponential(2)} relative`);
      });
      (A.others ?? []).forEach((v, i) => assert.ok(maxAbs(v, B.others![i]) <= 1e-5, `step ${k}: assigned variable ${v.name} differs by ${maxAbs(v, B.others![i])}`));
      tf.dispose([la, lb, ...before, ...inp]);
    }
    return ca.status;
  } finally {
    ca.dispose(); cb.dispose();
    tf.dispose([...A.trained, ...(A.others ?? []), ...B.trained, ...(B.others ?? [])]);
  }
}
