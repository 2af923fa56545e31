import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, toRng } from '../src/random';

test('same seed gives the same stream; different seeds differ', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xa = Array.from({ length: 100 }, () => a.uniform());
  const xb = Array.from({ length: 100 }, () => b.uniform());
  const xc = Array.from({ length: 100 }, () => c.uniform());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
  assert.ok(xa.every((v) => v >= 0 && v < 1));
});

test('uniform and normal have the right moments', () => {
  const r = new Rng(7);
  const n = 200000;
  let su = 0, sn = 0, sn2 = 0;
  for (let i = 0; i < n; i++) { su += r.uniform(); const z = r.normal(); sn += z; sn2 += z * z; }
  assert.ok(Math.abs(su / n - 0.5) < 0.005, `uniform mean ${su / n}`);
  assert.ok(Math.abs(sn / n) < 0.01, `normal mean ${sn / n}`);
  assert.ok(Math.abs(sn2 / n - 1) < 0.02, `normal variance ${sn2 / n}`);
});

test('int is uniform over [0, n) and permutation is a permutation', () => {
  const r = new Rng(1);
  const counts = new Array(5).fill(0);
  for (let i = 0; i < 50000; i++) counts[r.int(5)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `counts ${counts}`);
  const p = Array.from(r.permutation(100)).sort((x, y) => x - y);
  assert.deepEqual(p, Array.from({ length: 100 }, (_, i) => i));
});

test('choice without replacement is distinct; with replacement can repeat', () => {
  const r = new Rng(3);
  const c = r.choice(50, 50);
  assert.equal(new Set(c).size, 50);
  const w = r.choice(3, 100, true);
  assert.ok(new Set(w).size <= 3);
  assert.throws(() => r.choice(3, 4), /without replacement/);
});

test('fork is deterministic, independent of draws, and differs by tag', () => {
  const r = new Rng(9);
  const f1 = r.fork('a').uniform();
  r.uniform(); r.uniform();
  assert.equal(r.fork('a').uniform(), f1);
  assert.notEqual(r.fork('b').uniform(), f1);
});

test('bad arguments give clear errors', () => {
  assert.throws(() => new Rng(NaN), /finite/);
  assert.throws(() => new Rng(1).int(0), /positive integer/);
  assert.equal(toRng(5).seed, 5);
  const r = new Rng(2);
  assert.equal(toRng(r), r);
});
