import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { Rng } from '../../../src/random';
import { RandomForestClassifier, warmForestPool } from '../../../src/models/baselines/random-forest';
import { growForest } from '../../../src/models/baselines/forest-pool';
import { growClassTree } from '../../../src/models/baselines/forest-grow';
import { toColumns, sortRowsByColumn, orderedBits } from '../../../src/models/baselines/tree';

test('orderedBits preserves the order of float32 values (negatives, zero, positives)', () => {
  const v = [-1e30, -3.5, -1, -1e-20, 0, -0, 1e-20, 0.5, 1, 7, 1e30].map(Math.fround);
  for (let i = 0; i + 1 < v.length; i++) assert.ok(orderedBits(v[i]) <= orderedBits(v[i + 1]), `${v[i]} vs ${v[i + 1]}`);
});

test('sortRowsByColumn sorts a subset of rows by value exactly (dense and sparse columns, any input order)', () => {
  const rng = new Rng(1);
  // column 2: mostly zeros (the minimum), as blank pixels; column 3: minimum -1 with ties
  const X = Array.from({ length: 300 }, () => [rng.normal(), Math.round(rng.normal() * 3), rng.uniform() < 0.8 ? 0 : rng.uniform(), Math.max(-1, Math.round(rng.normal()))]);
  const cm = toColumns(X);
  const rows = Int32Array.from({ length: 120 }, (_, i) => (i % 2 ? 2 * i + 7 : 290 - 2 * i));
  const keys = new Float64Array(300), sr = new Int32Array(300), sv = new Float32Array(300);
  for (const f of [0, 1, 2, 3]) {
    for (const given of [false, true]) {
      const mn = Math.min(...Array.from(rows.subarray(10, 110), (r) => Math.fround(X[r][f])));
      sortRowsByColumn(cm, f, rows, 10, 110, keys, sr, sv, given ? mn : undefined);
      const want = Array.from(rows.subarray(10, 110)).sort((a, b) => Math.fround(X[a][f]) - Math.fround(X[b][f]) || a - b);
      // values ascending and equal to the rows' values; the same rows (ties in any order)
      assert.deepEqual(Array.from(sv.subarray(0, 100)), want.map((r) => Math.fround(X[r][f])));
      for (let j = 0; j < 100; j++) assert.equal(sv[j], Math.fround(X[sr[j]][f]));
      assert.deepEqual(Array.from(sr.subarray(0, 100)).sort((a, b) => a - b), [...want].sort((a, b) => a - b));
    }
  }
});

test('bootstrap as weights on the distinct rows grows the same tree as the duplicated rows', () => {
  const rng = new Rng(5);
  const n = 150, d = 4;
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
  const y = Int32Array.from(X, (r) => (r[0] + r[1] * r[2] > 0.2 ? 1 : 0));
  const rf = new RandomForestClassifier({ maxFeatures: 'all' });
  rf.nClasses = 2; rf.nFeatures = d;
  const weighted = rf.growTree(toColumns(X), y, new Rng(9));
  // the same draws, as explicit duplicate rows, grown without bootstrap
  const draws = new Rng(9), idx = Array.from({ length: n }, () => draws.int(n));
  const noBoot = new RandomForestClassifier({ maxFeatures: 'all', bootstrap: false });
  noBoot.nClasses = 2; noBoot.nFeatures = d;
  // (the feature draws continue the same stream: equal-score ties are broken by the same visit order)
  const dup = noBoot.growTree(toColumns(idx.map((i) => X[i])), Int32Array.from(idx, (i) => y[i]), draws);
  const test = Array.from({ length: 400 }, () => Array.from({ length: d }, () => 2 * rng.normal()));
  const flat = Float32Array.from(test.flat());
  for (let i = 0; i < test.length; i++) {
    const a = weighted.leafOf(flat, i * d), b = dup.leafOf(flat, i * d);
    assert.equal(weighted.payload[2 * a + 1], dup.payload[2 * b + 1], `row ${i}`);
    assert.equal(weighted.size[a], dup.size[b]);
  }
  assert.equal(weighted.count, dup.count);
});

test('a single unbounded CART tree fits the training data exactly (distinct rows) and splits are Gini-optimal at the root', () => {
  const rng = new Rng(2);
  const X = Array.from({ length: 200 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const y = X.map((r) => (r[0] + 0.3 * r[1] > 0 ? 1 : 0));
  const rf = new RandomForestClassifier({ nEstimators: 1, bootstrap: false, maxFeatures: 'all', seed: 1 }).fit(X, y);
  assert.equal(rf.score(X, y), 1);
  // brute-force root split: minimum weighted Gini over all features and midpoints
  const gini = (ys: number[]) => { if (!ys.length) return 0; const p = ys.filter((v) => v === 1).length / ys.length; return 1 - p * p - (1 - p) * (1 - p); };
  let best = Infinity;
  for (let f = 0; f < 3; f++) {
    const vals = Array.from(new Set(X.map((r) => Math.fround(r[f])))).sort((a, b) => a - b);
    for (let k = 0; k + 1 < vals.length; k++) {
      const t = (vals[k] + vals[k + 1]) / 2;
      const L = y.filter((_, i) => Math.fround(X[i][f]) <= t), R = y.filter((_, i) => Math.fround(X[i][f]) > t);
      best = Math.min(best, (L.length * gini(L) + R.length * gini(R)) / y.length);
    }
  }
  const t = rf.trees[0];
  const f0 = t.feature[0], thr = t.threshold[0];
  const L = y.filter((_, i) => Math.fround(X[i][f0]) <= thr), R = y.filter((_, i) => Math.fround(X[i][f0]) > thr);
  const got = (L.length * gini(L) + R.length * gini(R)) / y.length;
  assert.ok(Math.abs(got - best) < 1e-9, `root split Gini ${got} vs brute force ${best}`);
});

test('forest accuracy on an easy task (three Gaussian classes) and better than chance on held-out data', () => {
  const rng = new Rng(3);
  const mk = (n: number) => {
    const X: number[][] = [], y: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = i % 3; y.push(c);
      X.push(Array.from({ length: 16 }, (_, j) => rng.normal() + (j < 4 ? 2.5 * (c === j % 3 ? 1 : 0) : 0)));
    }
    return { X, y };
  };
  const tr = mk(600), te = mk(300);
  const rf = new RandomForestClassifier({ nEstimators: 50, seed: 0 }).fit(tr.X, tr.y);
  assert.equal(rf.trees.length, 50);
  const acc = rf.score(te.X, te.y);
  assert.ok(acc > 0.85, `accuracy ${acc}`);
  const P = rf.predictProba(te.X);
  for (let i = 0; i < 300; i++) assert.ok(Math.abs(P[3 * i] + P[3 * i + 1] + P[3 * i + 2] - 1) < 1e-9);
  // deterministic for a seed
  const again = new RandomForestClassifier({ nEstimators: 50, seed: 0 }).fit(tr.X, tr.y);
  assert.deepEqual(Array.from(again.predict(te.X)), Array.from(rf.predict(te.X)));
});

test('RandomForestClassifier rejects bad input', () => {
  assert.throws(() => new RandomForestClassifier({ nEstimators: 0 }), /nEstimators/);
  assert.throws(() => new RandomForestClassifier().fit([[1], [2]], [0]), /labels/);
  assert.throws(() => new RandomForestClassifier().fit([[1], [2]], [0, 0.5]), /integers/);
  assert.throws(() => new RandomForestClassifier().predict([[1]]), /fit/);
});

/** Three Gaussian classes in 12 dimensions, a quarter of the values zero (sparse columns, as pixels). */
function gaussians(n: number, seed: number): { X: number[][]; y: number[] } {
  const rng = new Rng(seed), X: number[][] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3; y.push(c);
    X.push(Array.from({ length: 12 }, (_, j) => (rng.uniform() < 0.25 ? 0 : rng.normal() + (j < 3 && c === j ? 1.5 : 0))));
  }
  return { X, y };
}

const sameTree = (a: { count: number; feature: Int32Array; threshold: Float32Array; left: Int32Array; right: Int32Array; size: Int32Array; payload: Float32Array }, b: typeof a, msg: string) => {
  assert.equal(a.count, b.count, msg);
  for (const k of ['feature', 'threshold', 'left', 'right', 'size', 'payload'] as const) assert.deepEqual(a[k], b[k], `${msg}: ${k}`);
};

test('nJobs 2 grows exactly the trees of nJobs 1 (the same predictions and probabilities)', () => {
  assert.equal(warmForestPool(2), 2, 'a worker thread started');
  const tr = gaussians(500, 11), te = gaussians(200, 12);
  const one = new RandomForestClassifier({ nEstimators: 24, seed: 4, nJobs: 1 }).fit(tr.X, tr.y);
  const two = new RandomForestClassifier({ nEstimators: 24, seed: 4, nJobs: 2 }).fit(tr.X, tr.y);
  assert.equal(one.fitThreads, 1);
  assert.equal(two.trees.length, 24);
  for (let t = 0; t < 24; t++) sameTree(two.trees[t], one.trees[t], `tree ${t}`);
  assert.deepEqual(two.predictProba(te.X), one.predictProba(te.X));
  assert.deepEqual(two.predict(te.X), one.predict(te.X));
});

test('trees grown by the worker thread alone are the in-thread trees, in tree-index order', () => {
  const tr = gaussians(300, 13);
  const cm = toColumns(tr.X, 'X', true), y = Int32Array.from(tr.y);
  const opts = { nClasses: 3, mtry: 3, bootstrap: true, maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf: 1 };
  const g = growForest(cm, y, 7, 10, opts, 2, false);
  assert.equal(g.byWorkers, 10, 'every tree from the worker');
  assert.equal(g.threads, 2);
  const root = new Rng(7);
  for (let t = 0; t < 10; t++) sameTree(g.trees[t], growClassTree(cm, y, root.fork(`tree${t}`), opts), `tree ${t}`);
});

test('nJobs must be an integer >= 1', () => {
  for (const bad of [0, -1, 1.5, NaN]) assert.throws(() => new RandomForestClassifier({ nJobs: bad }), /nJobs/);
  assert.throws(() => new RandomForestClassifier({ nJobs: '2' as unknown as number }), /nJobs/);
  assert.equal(new RandomForestClassifier({ nJobs: 1 }).params.nJobs, 1);
});

test('in a fresh process: the worker loads no TensorFlow, a parallel fit lets the process exit, a worker that cannot start falls back', () => {
  const dir = path.resolve(__dirname, '../../../src/models/baselines');
  const script = `
    const before = new Set(Object.keys(require.cache));
    require(${JSON.stringify(path.join(dir, 'forest-worker.ts'))});
    const graph = Object.keys(require.cache).filter((k) => !before.has(k));
    const rf = require(${JSON.stringify(path.join(dir, 'random-forest.ts'))});
    const pool = require(${JSON.stringify(path.join(dir, 'forest-pool.ts'))});
    const X = Array.from({ length: 200 }, (_, i) => [i % 7, (i * 13) % 11, (i * 5) % 3]), y = X.map((r) => (r[0] + r[1] > 8 ? 1 : 0));
    const ref = new rf.RandomForestClassifier({ nEstimators: 8, nJobs: 1 }).fit(X, y).predictProba(X);
    const par = new rf.RandomForestClassifier({ nEstimators: 8, nJobs: 2 });
    const warm = rf.warmForestPool(2);
    par.fit(X, y);
    // a second pool entry that cannot load: the fit warns once and is still right
    pool.setForestWorkerEntryForTests('/nonexistent/forest-worker.ts');
    const bad = new rf.RandomForestClassifier({ nEstimators: 8, nJobs: 3 });
    const warm3 = rf.warmForestPool(3);
    bad.fit(X, y);
    console.log(JSON.stringify({ graph, tf: graph.some((k) => /backend|tensorflow/.test(k)), warm, warm3,
      same: JSON.stringify(Array.from(par.predictProba(X))) === JSON.stringify(Array.from(ref)),
      sameBad: JSON.stringify(Array.from(bad.predictProba(X))) === JSON.stringify(Array.from(ref)) }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, `exit status ${r.status} signal ${r.signal} (a hang times out): ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.tf, false, `worker module graph: ${out.graph.join(', ')}`);
  assert.equal(out.warm, 2);
  assert.equal(out.warm3, 2, 'the failing worker is dropped');
  assert.equal(out.same, true);
  assert.equal(out.sameBad, true);
  assert.equal((r.stderr.match(/could not start/g) ?? []).length, 1, r.stderr);
});

test('in a fresh process: a worker that hangs mid-tree (no exception) does not hang the fit; its trees are grown in the calling thread', () => {
  const dir = path.resolve(__dirname, '../../../src/models/baselines');
  const hang = path.join(os.tmpdir(), `rml-hanging-forest-worker-${process.pid}.ts`);
  // claims one tree of every job, then blocks its thread for good (as a worker stuck in native code would)
  fs.writeFileSync(hang, `
    import { parentPort, MessagePort } from 'node:worker_threads';
    export function serveForestJobs(_results: MessagePort): void {
      parentPort!.on('message', (job: { sync: SharedArrayBuffer }) => {
        Atomics.add(new Int32Array(job.sync), 0, 1);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      });
    }`);
  // growForest with callerClaims = false: the calling thread only waits, so the hanging worker is the only claimant
  // (with the calling thread claiming too, a small fit can finish before the worker sees the job).
  const script = `
    const pool = require(${JSON.stringify(path.join(dir, 'forest-pool.ts'))});
    const grow = require(${JSON.stringify(path.join(dir, 'forest-grow.ts'))});
    const { Rng } = require(${JSON.stringify(path.resolve(dir, '../../random.ts'))});
    const n = 200, d = 3, col = new Float32Array(n * d), y = new Int32Array(n);
    for (let i = 0; i < n; i++) { col[i] = i % 7; col[n + i] = (i * 13) % 11; col[2 * n + i] = (i * 5) % 3; y[i] = col[i] + col[n + i] > 8 ? 1 : 0; }
    const cm = { n, d, col }, opts = { nClasses: 2, mtry: 1, bootstrap: true, maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf: 1 };
    pool.setForestWorkerEntryForTests(${JSON.stringify(hang)});
    pool.setForestStallMsForTests(1500);
    const t0 = Date.now();
    const g = pool.growForest(cm, y, 3, 6, opts, 2, false);
    const ms = Date.now() - t0;
    const root = new Rng(3);
    const same = g.trees.every((t, k) => JSON.stringify(Object.values(t.fields()).map((a) => Array.from(a))) ===
      JSON.stringify(Object.values(grow.growClassTree(cm, y, root.fork('tree' + k), opts).fields()).map((a) => Array.from(a))));
    console.log(JSON.stringify({ ms, same, trees: g.trees.length, byWorkers: g.byWorkers }));
  `;
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 0, `exit status ${r.status} signal ${r.signal} (a hang times out): ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(out.trees, 6);
    assert.equal(out.byWorkers, 0, 'the hanging worker delivered nothing');
    assert.equal(out.same, true, 'the same trees as grown one by one in the calling thread');
    assert.ok(out.ms >= 1500 && out.ms < 20000, `gave up after the stall limit, took ${out.ms} ms`);
    assert.equal((r.stderr.match(/no worker finished a tree/g) ?? []).length, 1, r.stderr);
  } finally {
    fs.rmSync(hang, { force: true });
  }
});
