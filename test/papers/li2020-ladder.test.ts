import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend, tf } from '../../src/backend';
import { ResultsStore } from '../../src/experiment/store';
import { overParamLadder, overParamRungs, overParamRungKey, type PhaseGrid } from '../../src/papers/li2020';

test('over-parameterisation ladder: one store per rung, exact rank recovers an easy matrix, reruns compute nothing, bad input', async () => {
  await initBackend();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'li-ladder-'));
  const grid: PhaseGrid = { n: 40, rankFractions: [0.05], rhos: [0.05], trials: 1, overFactor: 2, seed: 3 };
  const rungs = [{ label: 'p = r', overFactor: 1 }, { label: 'p = 2r', overFactor: 2 }, { label: 'p = 2r, init 1e-6', overFactor: 2, initScale: 1e-6 }];
  const opened: string[] = [];
  const storeFor = (key: string) => { opened.push(key); return new ResultsStore(path.join(dir, `${key}.jsonl`), { version: 't', scale: 'smoke' }); };
  const before = tf.memory().numTensors;
  const rows = await overParamLadder(grid, rungs, storeFor);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  assert.deepEqual(rows.map((r) => r.label), rungs.map((r) => r.label));
  assert.equal(new Set(opened).size, 3, 'each rung has its own store');
  for (const r of rows) assert.equal(r.cells, 1);
  // rank 2 of a 40 x 40 matrix with 5% sparse corruption: the exact-rank factorization recovers it (error < 1e-3)
  assert.equal(rows[0].successes, 1, `p = r failed on an easy instance`);
  assert.equal(rows[2].initScale, 1e-6);
  // a rerun reads every cell back from the stores (and gives the same counts)
  const t0 = Date.now();
  const again = await overParamLadder(grid, rungs, storeFor);
  assert.deepEqual(again, rows);
  assert.ok(Date.now() - t0 < 2000, 'the rerun recomputed cells');
  assert.notEqual(overParamRungKey(rungs[1]), overParamRungKey(rungs[2]));
  await assert.rejects(overParamLadder(grid, [{ label: 'bad', overFactor: 0.5 }], storeFor), /overFactor must be >= 1/);
  assert.ok(overParamRungs('quick').some((r) => r.overFactor === 1), 'the ladder has its p = r reference');
  assert.ok(overParamRungs('long').length > overParamRungs('quick').length);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('over-parameterisation ladder: the longer rungs keep the total step decay of the default schedule', () => {
  for (const r of overParamRungs('quick').filter((x) => x.iterations && x.iterations !== 1000)) {
    assert.ok(r.decayFactor !== undefined, `${r.label}: a longer run needs its own decay`);
    assert.ok(Math.abs(Math.log(r.decayFactor!) * r.iterations! - Math.log(0.993) * 1000) < 1e-9, `${r.label}: total decay differs`);
  }
  assert.notEqual(overParamRungKey({ label: 'a', overFactor: 2, iterations: 2000 }), overParamRungKey({ label: 'b', overFactor: 2, iterations: 2000, decayFactor: 0.9965 }));
});
