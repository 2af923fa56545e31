/**
 * Rewrites of a traced program (src/train/trace.ts) into the kernels a hand-built TensorFlow graph would use.
 *
 * tfjs writes its ops and gradients in terms of general kernels: a 2-D matrix product is `BatchMatMulV2`, a bias is
 * a broadcast `Add`, and the sigmoid's gradient is dy * (y * (1 - y)) in three element-wise kernels. TensorFlow's
 * graph optimiser (grappler) fuses MatMul + BiasAdd (+ activation) into one kernel, and has one kernel for the
 * sigmoid's gradient, but only when the graph says MatMul, BiasAdd and SigmoidGrad. Each rule below replaces one
 * op by an equivalent one, in place (the same outputs, so nothing that reads it changes):
 *   - BatchMatMulV2 of two matrices          -> MatMul (transpose flags from adj_x / adj_y)
 *   - Add(x, b), b a vector of x's last dim  -> BiasAdd(x, b)
 *   - Mul(dy, Mul(y, Sub(1, y))), y = Sigmoid(z) -> SigmoidGrad(y, dy)
 *   - Mul(dy, Cast(step(x))), tfjs's ReLU gradient (step = Select(IsNan(x), x, Select(x > 0, 1, 0)))
 *                                            -> ReluGrad(dy, x)   (a NaN in x gives 0 instead of NaN)
 *   - Select(x > 0, dy, Mul(dy, a)), tfjs's leaky-ReLU gradient -> LeakyReluGrad(dy, x, alpha = a)
 * The last two read the activation's output where the program has it (TensorFlow's own ReLU gradient does; for
 * alpha > 0 the leaky ReLU's output has its input's sign), so the pre-activation keeps one reader: grappler's
 * remapper (with oneDNN) fuses Conv2D + BiasAdd + LeakyRelu even when another op reads the BiasAdd, and then
 * fails ("fanout ... exist for missing node") and skips every fusion of the graph.
 * The ops left unused (the Sub and inner Mul) are not run: a session runs only what its fetches need.
 * The results agree with the traced kernels to float32 rounding (a few units in the last place per op), not
 * bit for bit; test/train/compile.test.ts states the bound.
 */
import { Program, Source, TracedOp } from './trace';

/* TensorFlow attribute kinds, as tfjs-node numbers them (TF_ATTR_*). */
const STRING = 0, FLOAT = 2, BOOL = 3, TYPE = 4;

/** The rules applied, by name (for a test or a log). */
export const REWRITES = ['MatMul', 'BiasAdd', 'SigmoidGrad', 'ReluGrad', 'LeakyReluGrad'] as const;

/**
 * Returns the program's ops with the rewrites applied (a new array; `program` is not changed). `shapeOf` gives
 * the shape of any source (input, variable, constant, op output).
 */
export function rewriteOps(program: Program, shapeOf: (s: Source) => number[]): { ops: TracedOp[]; applied: Record<string, number> } {
  const ops = program.ops.map((o) => ({ ...o }));
  const applied: Record<string, number> = {};
  const hit = (r: string) => { applied[r] = (applied[r] ?? 0) + 1; };
  const T = (o: TracedOp) => o.attrs.find((a) => a.name === 'T') ?? { name: 'T', type: TYPE, value: 1 };
  const opOf = (s: Source): TracedOp | null => (s.kind === 'op' && s.out === 0 ? program.ops[s.op] : null);
  const same = (a: Source, b: Source) => JSON.stringify(a) === JSON.stringify(b);
  const scalarConst = (s: Source): number | null => (s.kind === 'const' && program.consts[s.index].values.length === 1 ? program.consts[s.index].values[0] : null);
  const allConst = (s: Source, v: number) => s.kind === 'const' && program.consts[s.index].values.every((x) => x === v);
  const isOne = (s: Source) => allConst(s, 1);
  const isZero = (s: Source) => allConst(s, 0);
  /** x when `s` is tfjs's step(x) cast to float: Cast(Select(IsNan(x), x, Select(Greater(x, 0), 1, _))). */
  const stepOf = (s: Source): Source | null => {
    const cast = opOf(s);
    if (!cast || cast.op !== 'Cast') return null;
    const sel = opOf(cast.inputs[0]);
    if (!sel || sel.op !== 'Select' || sel.inputs.length !== 3) return null;
    const nan = opOf(sel.inputs[0]), inner = opOf(sel.inputs[2]);
    if (!nan || nan.op !== 'IsNan' || !same(nan.inputs[0], sel.inputs[1]) || !inner || inner.op !== 'Select') return null;
    const gt = opOf(inner.inputs[0]);
    const x = sel.inputs[1];
    if (!gt || gt.op !== 'Greater' || !same(gt.inputs[0], x) || !isZero(gt.inputs[1]) || !isOne(inner.inputs[1])) return null;
    return x;
  };
  const flag = (o: TracedOp, name: string) => !!o.attrs.find((a) => a.name === name)?.value;
  // The activation's output for its input x (first such op), if the program computed it: the gradient kernels
  // read the output, as TensorFlow's own Relu gradient does, so that the pre-activation keeps one reader and
  // grappler can fuse Conv2D / MatMul + BiasAdd + activation.
  const outputOf = (x: Source, act: string, alpha?: number): Source | null => {
    const k = program.ops.findIndex((q) => q.op === act && q.inputs.length === 1 && same(q.inputs[0], x)
      && (alpha === undefined || Math.abs(Number(q.attrs.find((a) => a.name === 'alpha')?.value) - alpha) <= 1e-7 * Math.abs(alpha)));
    return k >= 0 ? { kind: 'op', op: k, out: 0 } : null;
  };
  ops.forEach((o, j) => {
    if (o.op === 'BatchMatMulV2' && o.inputs.length === 2 && shapeOf(o.inputs[0]).length === 2 && shapeOf(o.inputs[1]).length === 2) {
      ops[j] = { ...o, op: 'MatMul', attrs: [T(o), { name: 'transpose_a', type: BOOL, value: flag(o, 'adj_x') }, { name: 'transpose_b', type: BOOL, value: flag(o, 'adj_y') }] };
      hit('MatMul');
      return;
    }
    if (o.op === 'Add' && o.inputs.length === 2) {
      const [a, b] = o.inputs;
      const sa = shapeOf(a), sb = shapeOf(b);
      const bias = (x: number[], v: number[]) => x.length >= 2 && v.length === 1 && v[0] === x[x.length - 1] && JSON.stringify(o.shapes[0]) === JSON.stringify(x);
      const pair = bias(sa, sb) ? [a, b] : bias(sb, sa) ? [b, a] : null;
      if (pair) {
        ops[j] = { ...o, op: 'BiasAdd', inputs: pair, attrs: [T(o), { name: 'data_format', type: STRING, value: 'NHWC' }] };
        hit('BiasAdd');
      }
      return;
    }
    if (o.op === 'Select' && o.inputs.length === 3) {
      const gt = opOf(o.inputs[0]), neg = opOf(o.inputs[2]);
      const dy = o.inputs[1];
      if (gt && gt.op === 'Greater' && isZero(gt.inputs[1]) && neg && neg.op === 'Mul' && same(neg.inputs[0], dy) && scalarConst(neg.inputs[1]) !== null
        && JSON.stringify(shapeOf(gt.inputs[0])) === JSON.stringify(o.shapes[0])) {
        const alpha = scalarConst(neg.inputs[1])!;
        // For 0 < alpha the output has the sign of the input, so LeakyReluGrad may read the output instead.
        const feat = (alpha > 0 && outputOf(gt.inputs[0], 'LeakyRelu', alpha)) || gt.inputs[0];
        ops[j] = { ...o, op: 'LeakyReluGrad', inputs: [dy, feat], attrs: [T(o), { name: 'alpha', type: FLOAT, value: alpha }] };
        hit('LeakyReluGrad');
      }
      return;
    }
    if (o.op === 'Mul' && o.inputs.length === 2) {
      for (const [dy, st] of [[o.inputs[0], o.inputs[1]], [o.inputs[1], o.inputs[0]]] as [Source, Source][]) {
        const x = stepOf(st);
        if (!x || JSON.stringify(shapeOf(x)) !== JSON.stringify(o.shapes[0]) || JSON.stringify(shapeOf(dy)) !== JSON.stringify(o.shapes[0])) continue;
        ops[j] = { ...o, op: 'ReluGrad', inputs: [dy, outputOf(x, 'Relu') ?? x], attrs: [T(o)] };
        hit('ReluGrad');
        return;
      }
      for (const [dy, inner] of [[o.inputs[0], o.inputs[1]], [o.inputs[1], o.inputs[0]]] as [Source, Source][]) {
        const m = opOf(inner);
        if (!m || m.op !== 'Mul') continue;
        const [y, s] = m.inputs;
        const sub = opOf(s);
        const sig = opOf(y);
        if (!sub || sub.op !== 'Sub' || !sig || sig.op !== 'Sigmoid' || !isOne(sub.inputs[0]) || !same(sub.inputs[1], y)) continue;
        ops[j] = { ...o, op: 'SigmoidGrad', inputs: [y, dy], attrs: [T(o)] };
        hit('SigmoidGrad');
        return;
      }
    }
  });
  return { ops, applied };
}
