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
 * The ops left unused (the Sub and inner Mul) are not run: a session runs only what its fetches need.
 * The results agree with the traced kernels to float32 rounding (a few units in the last place per op), not
 * bit for bit; test/train/compile.test.ts states the bound.
 */
import { Program, Source, TracedOp } from './trace';

/* TensorFlow attribute kinds, as tfjs-node numbers them (TF_ATTR_*). */
const STRING = 0, BOOL = 3, TYPE = 4;

/** The rules applied, by name (for a test or a log). */
export const REWRITES = ['MatMul', 'BiasAdd', 'SigmoidGrad'] as const;

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
  const isOne = (s: Source) => s.kind === 'const' && program.consts[s.index].values.length === 1 && program.consts[s.index].values[0] === 1;
  const flag = (o: TracedOp, name: string) => !!o.attrs.find((a) => a.name === name)?.value;
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
    if (o.op === 'Mul' && o.inputs.length === 2) {
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
