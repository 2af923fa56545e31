/**
 * Conformance suite (scikit-learn's check_estimator in spirit): every model in src/models/registry.ts runs through
 * the same battery. A model added to the registry is checked here with no new test.
 *
 *   unknown option rejected (InputError naming it); bad input to fit (not a tensor, 1-D, NaN, empty) an InputError;
 *   every capability before fit throws "call fit() first"; fit returns this, sets fitted and history; output shapes
 *   of every capability; wrong width on transform / reconstruct / detector / predict an InputError; decompose gives
 *   L + S = X where promised; same seed -> same result; dispose idempotent and every capability throws after it;
 *   no tensor growth over repeated fit + dispose, nor over a refit of the same instance.
 */
import { test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { InputError } from '../../src/validate';
import { MODEL_REGISTRY, fitSpec, type ConformingModel, type ModelSpec } from '../../src/models/registry';
import { reconstructionErrorDetector, type OutlierDetector } from '../../src/models/detector';

const EPS32 = 2 ** -23; // float32 unit roundoff x 2 (machine epsilon)
/**
 * Same seed -> same result: one process, the same ops on the same data. The results may still differ by the order of
 * multi-threaded float32 reductions (each sum within k eps of its terms), amplified by a few training steps; we ask
 * for agreement to half the float32 digits, sqrt(eps) relative to the output's scale (not bit-equality).
 */
const SEED_RTOL = Math.sqrt(EPS32);

/** A structured matrix in [min, max]: a sigmoid of a rank-2 product (learnable), deterministic in the seed. */
function inputFor(spec: ModelSpec, seed = 0, cols = spec.input.cols): tf.Tensor2D {
  const { rows, min, max } = spec.input;
  const rng = new Rng(seed);
  const Z = rng.normalArray(rows * 2), A = rng.normalArray(2 * cols, 0, 2);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    const v = Z[i * 2] * A[j] + Z[i * 2 + 1] * A[cols + j];
    out[i * cols + j] = min + (max - min) / (1 + Math.exp(-v));
  }
  return tf.tensor2d(out, [rows, cols]);
}

/** Runs fn (sync or async) and asserts an InputError whose message matches `re`. */
async function rejects(fn: () => unknown, re: RegExp, what: string): Promise<void> {
  let err: unknown;
  try { await fn(); } catch (e) { err = e; }
  assert.ok(err !== undefined, `${what}: expected an InputError, nothing was thrown`);
  assert.ok(err instanceof InputError, `${what}: expected an InputError, got ${(err as Error)?.name}: ${(err as Error)?.message}`);
  assert.match((err as Error).message, re, `${what}: message`);
}

/** Every capability method of the spec, called on X (disposes what it returns). */
function capabilityCalls(spec: ModelSpec, m: ConformingModel, X: tf.Tensor2D): [string, () => unknown][] {
  const c = spec.capabilities, calls: [string, () => unknown][] = [];
  const drop = (t: unknown) => { tf.dispose(t as tf.Tensor); };
  if (c.transform === true) calls.push(['transform', () => drop(m.transform!(X))]);
  if (c.transform === 'async') calls.push(['transformAsync', async () => drop(await m.transformAsync!(X))]);
  if (c.reconstruct === true) calls.push(['reconstruct', () => drop(m.reconstruct!(X))]);
  if (c.reconstruct === 'async') calls.push(['reconstructAsync', async () => drop(await m.reconstructAsync!(X))]);
  if (c.decompose) calls.push(['decompose', () => { const p = m.decompose!(); tf.dispose([p.L, p.S]); }]);
  if (c.sample) calls.push(['sample', () => drop(m.sample!(3, 1))]);
  if (c.detector) calls.push(['asDetector', () => m.asDetector!()]);
  if (c.classify) calls.push(['predict', () => m.predict!(X)]);
  return calls;
}

/** Every output of the fitted model as plain numbers, for the same-seed comparison. */
async function outputs(spec: ModelSpec, m: ConformingModel, X: tf.Tensor2D): Promise<Record<string, number[]>> {
  const c = spec.capabilities, out: Record<string, number[]> = {};
  const take = (name: string, t: tf.Tensor) => { out[name] = Array.from(t.dataSync()); t.dispose(); };
  if (c.transform === true) take('transform', m.transform!(X));
  if (c.reconstruct === true) take('reconstruct', m.reconstruct!(X));
  if (c.decompose) { const { L, S } = m.decompose!(); take('L', L); take('S', S); }
  if (c.sample) take('sample', m.sample!(3, 1));
  if (c.detector) out.scores = Array.from(m.asDetector!().trainingScores);
  if (c.classify) out.predict = Array.from(m.predict!(X));
  return out;
}

function maxAbs(a: ArrayLike<number>): number { let s = 0; for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i])); return s; }

/** The OutlierDetector contract on training rows X (n x d). */
function checkDetector(det: OutlierDetector, X: tf.Tensor2D, what: string): void {
  const [n, d] = X.shape;
  assert.equal(det.nFeatures, d, `${what}: nFeatures`);
  const s = det.decisionFunction(X);
  assert.ok(s instanceof Float64Array && s.length === n, `${what}: decisionFunction gives one Float64 score per row`);
  assert.ok(s.every(Number.isFinite), `${what}: finite scores`);
  assert.ok(Number.isFinite(det.threshold), `${what}: threshold is a finite number (${det.threshold})`);
  const p = det.predict(X);
  assert.ok(p instanceof Uint8Array && p.length === n, `${what}: predict gives one label per row`);
  p.forEach((v, i) => assert.equal(v, s[i] > det.threshold ? 1 : 0, `${what}: predict = score > threshold at row ${i}`));
  assert.equal(det.trainingScores.length, n, `${what}: trainingScores`);
  assert.equal(det.trainingLabels.length, n, `${what}: trainingLabels`);
  const Xw = tf.zeros([2, d + 1]) as tf.Tensor2D;
  try { assert.throws(() => det.decisionFunction(Xw), InputError, `${what}: wrong width`); } finally { Xw.dispose(); }
}

/** Exported, non-abstract classes of src/models/ with a fit method: the models the registry must list. */
function modelClassesInSource(): string[] {
  const dir = path.join(__dirname, '..', '..', 'src', 'models'), out: string[] = [];
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.ts') ? [path.join(d, e.name)] : []));
  for (const f of walk(dir)) {
    const text = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(/^export class (\w+)[^\n]*\{([\s\S]*?)^\}/gm)) if (/^\s+(async\s+)?fit\(/m.test(m[2]) || /extends (BaseModel|AlternatingRobustModel|DaiVAE)\b/.test(m[0].split('\n')[0])) out.push(m[1]);
  }
  return out.sort();
}

test('conformance: the registry lists every model class of src/models', async () => {
  await initBackend();
  const registered = new Set(MODEL_REGISTRY.map((s) => { const m = s.make(); const name = m.constructor.name; m.dispose(); return name; }));
  const missing = modelClassesInSource().filter((c) => !registered.has(c));
  assert.deepEqual(missing, [], `models not in src/models/registry.ts (add them, with their capabilities): ${missing.join(', ')}`);
  assert.ok(registered.size >= 18, `${registered.size} model classes registered`);
});

for (const spec of MODEL_REGISTRY) {
  test(`conformance: ${spec.name}`, async (t) => {
    await initBackend();
    const X = inputFor(spec, 0);
    const [n, d] = X.shape;
    const caps = spec.capabilities;
    let m1: ConformingModel | null = null;
    try {
      await t.test('unknown option is rejected, naming it', () => {
        assert.throws(() => spec.make({ notAnOption: 1 }), (e: Error) => e instanceof InputError && /notAnOption/.test(e.message), 'unknown option');
      });

      if (spec.compiledStep) {
        await t.test('the compiled-step option is compiledStep (boolean, default true)', () => {
          const a = spec.make(), b = spec.make({ compiledStep: false });
          try { assert.equal(a.params.compiledStep, true); assert.equal(b.params.compiledStep, false); } finally { a.dispose(); b.dispose(); }
        });
      }

      await t.test('params, fitted and history before fit', () => {
        const m = spec.make();
        try {
          assert.ok(m.params && typeof m.params === 'object' && Object.isFrozen(m.params), 'params: a frozen object');
          assert.equal(m.fitted, false, 'not fitted');
          assert.ok(Array.isArray(m.history.epochs) && Array.isArray(m.history.outer) && typeof m.history.seconds === 'number', 'history { epochs, outer, seconds }');
        } finally { m.dispose(); }
      });

      await t.test('bad input to fit is an InputError', async () => {
        const m = spec.make();
        const oneD = tf.ones([d]), nan = X.clone().mul(NaN) as tf.Tensor2D, empty = tf.zeros([0, d]) as tf.Tensor2D;
        try {
          await rejects(() => fitSpec(spec, m, 'X' as never), /tensor|matrix|Tensor2D/i, 'not a tensor');
          await rejects(() => fitSpec(spec, m, null as never), /tensor|matrix|Tensor2D|null/i, 'null');
          await rejects(() => fitSpec(spec, m, oneD as never), /matrix|rank|shape/i, '1-D tensor');
          await rejects(() => fitSpec(spec, m, nan), /finite|NaN/i, 'NaN');
          await rejects(() => fitSpec(spec, m, empty), /empty/i, 'empty');
          assert.equal(m.fitted, false, 'still not fitted');
        } finally { tf.dispose([oneD, nan, empty]); m.dispose(); }
      });

      await t.test('every capability before fit throws "call fit() first"', async () => {
        const m = spec.make();
        try {
          for (const [name, call] of capabilityCalls(spec, m, X)) await rejects(call, /call fit\(\) first/, `${name} before fit`);
        } finally { m.dispose(); }
      });

      await t.test('fit returns this; fitted and history set', async () => {
        m1 = spec.make();
        const r = await fitSpec(spec, m1, X);
        assert.equal(r, m1, 'fit returns this');
        assert.equal(m1.fitted, true);
        assert.ok(m1.history.seconds >= 0 && Number.isFinite(m1.history.seconds), 'history.seconds');
      });
      if (!m1 || !(m1 as ConformingModel).fitted) return;
      const m = m1 as ConformingModel;

      await t.test('output shapes of every capability', async () => {
        if (caps.transform) {
          const Z = caps.transform === true ? m.transform!(X) : await m.transformAsync!(X);
          try { assert.equal(Z.shape.length, 2); assert.equal(Z.shape[0], n, 'transform rows'); assert.ok(Z.shape[1] >= 0, 'transform cols'); } finally { Z.dispose(); }
        }
        if (caps.reconstruct) {
          const R = caps.reconstruct === true ? m.reconstruct!(X) : await m.reconstructAsync!(X);
          try { assert.deepEqual(R.shape, [n, d], 'reconstruct shape'); assert.ok(maxAbs(R.dataSync()) < Infinity, 'finite'); } finally { R.dispose(); }
        }
        if (caps.sample) {
          const S = m.sample!(3, 1);
          try { assert.deepEqual(S.shape, [3, d], 'sample shape'); } finally { S.dispose(); }
        }
        if (caps.classify) {
          const p = m.predict!(X);
          assert.equal(p.length, n, 'one label per row');
        }
      });

      if (caps.decompose) {
        await t.test(`decompose: shapes${caps.decompose === 'exact' ? ' and L + S = X' : ''}`, () => {
          const { L, S } = m.decompose!();
          try {
            assert.deepEqual(L.shape, [n, d]); assert.deepEqual(S.shape, [n, d]);
            const l = L.dataSync(), s = S.dataSync(), x = X.dataSync();
            if (caps.decompose === 'exact') {
              // S = X - L in float32, then (L + S) rounded once more: |L + S - X| <= eps (|X| + |L|) + eps |X|
              const tol = 2 * EPS32 * (2 * maxAbs(x) + maxAbs(l));
              let worst = 0;
              for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(l[i] + s[i] - x[i]));
              assert.ok(worst <= tol, `max |L + S - X| = ${worst} > ${tol}`);
            } else {
              assert.ok(l.every(Number.isFinite) && s.every(Number.isFinite), 'finite parts');
            }
          } finally { tf.dispose([L, S]); }
        });
      }

      if (caps.detector) {
        await t.test('asDetector(): the OutlierDetector contract', () => {
          checkDetector(m.asDetector!(), X, 'asDetector()');
          const det = m.asDetector!({ contamination: 0.25 });
          assert.equal(det.contamination, 0.25);
          const flagged = det.trainingLabels.reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(flagged - 0.25 * n) <= 1 + countTies(det.trainingScores), `contamination 0.25 flags ${flagged} of ${n}`);
        });
      }
      if (caps.reconstruct === true) {
        await t.test('reconstructionErrorDetector(model, X): the OutlierDetector contract', () => {
          checkDetector(reconstructionErrorDetector(m as never, X), X, 'reconstruction-error detector');
        });
      }

      await t.test('wrong width or NaN on transform / reconstruct / predict is an InputError', async () => {
        const Xw = inputFor(spec, 1, d + 1), Xn = X.clone().mul(NaN) as tf.Tensor2D;
        try {
          if (caps.transform === true) await rejects(() => m.transform!(Xn), /finite|NaN/i, 'transform NaN');
          if (caps.reconstruct === true) await rejects(() => m.reconstruct!(Xn), /finite|NaN/i, 'reconstruct NaN');
          if (caps.detector) await rejects(() => m.asDetector!().decisionFunction(Xn), /finite|NaN/i, 'decisionFunction NaN');
          if (caps.classify) await rejects(() => m.predict!(Xn), /finite|NaN/i, 'predict NaN');
          if (caps.transform === true) await rejects(() => m.transform!(Xw), /column|shape|width/i, 'transform');
          if (caps.transform === 'async') await rejects(() => m.transformAsync!(Xw), /column|shape|width/i, 'transformAsync');
          if (caps.reconstruct === true) await rejects(() => m.reconstruct!(Xw), /column|shape|width/i, 'reconstruct');
          if (caps.reconstruct === 'async') await rejects(() => m.reconstructAsync!(Xw), /column|shape|width/i, 'reconstructAsync');
          if (caps.classify) await rejects(() => m.predict!(Xw), /column|shape|width/i, 'predict');
        } finally { tf.dispose([Xw, Xn]); }
      });

      await t.test(`same seed -> same result (within sqrt(eps32) = ${SEED_RTOL.toExponential(1)} relative)`, async () => {
        const m2 = spec.make();
        try {
          await fitSpec(spec, m2, X);
          const a = await outputs(spec, m, X), b = await outputs(spec, m2, X);
          for (const k of Object.keys(a)) {
            assert.equal(a[k].length, b[k].length, k);
            const tol = SEED_RTOL * (1 + maxAbs(a[k]));
            let worst = 0;
            for (let i = 0; i < a[k].length; i++) worst = Math.max(worst, Math.abs(a[k][i] - b[k][i]));
            assert.ok(worst <= tol, `${k}: max difference ${worst} > ${tol}`);
          }
        } finally { m2.dispose(); }
      });

      await t.test('dispose is idempotent; afterwards not fitted and every capability throws', async () => {
        const det = caps.detector ? m.asDetector!() : null;
        m.dispose();
        m.dispose();
        assert.equal(m.fitted, false);
        for (const [name, call] of capabilityCalls(spec, m, X)) await rejects(call, /call fit\(\) first/, `${name} after dispose`);
        if (det) await rejects(() => det.decisionFunction(X), /refit or disposed/, 'a detector of the disposed model');
      });

      await t.test('no tensor growth over repeated fit + dispose', async () => {
        const before = tf.memory().numTensors;
        for (let k = 0; k < 2; k++) {
          const mk = spec.make();
          await fitSpec(spec, mk, X);
          mk.dispose();
        }
        assert.equal(tf.memory().numTensors, before, 'tensors after two fit + dispose');
      });

      await t.test('refit of the same instance: fitted again, no tensor growth', async () => {
        const mk = spec.make();
        try {
          await fitSpec(spec, mk, X);
          const after1 = tf.memory().numTensors;
          assert.equal(await fitSpec(spec, mk, X), mk, 'refit returns this');
          assert.equal(mk.fitted, true);
          assert.equal(tf.memory().numTensors, after1, 'tensors after the second fit');
        } finally { mk.dispose(); }
      });
    } finally {
      (m1 as ConformingModel | null)?.dispose();
      X.dispose();
    }
  });
}

/** Rows whose score equals another's (ties can move the contamination count past one row). */
function countTies(s: Float64Array): number {
  const seen = new Map<number, number>();
  for (const v of s) seen.set(v, (seen.get(v) ?? 0) + 1);
  let ties = 0;
  for (const c of seen.values()) if (c > 1) ties += c;
  return ties;
}
