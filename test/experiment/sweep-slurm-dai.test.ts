/**
 * The real engine on notebook 04 (Dai et al.), as issue #15 asks: its smoke cells as a Slurm job array in two rounds
 * (the AE cells at the tuned C2 exist only once the tuning cells are stored: a planner job after the first array
 * submits them), on a one-node Slurm on 127.0.0.1 (scripts/slurm-local.sh); the merged stores must hold the same
 * results as a serial `sweep run` of the same cells, to float rounding (both run one TensorFlow thread per
 * process; the tolerance covers a kernel that reduces in another order), and `sweep status` must show nothing
 * missing. Skips where Slurm cannot run (or RML_SLURM_TEST=0). Takes ~4-5 minutes on 2 cores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sh, sleep, startSlurm, stopSlurm, sweep } from './slurm';

const NB = '04-hidden-talents-of-the-vae';

/** Every stored cell of a results folder: key -> result, per store file. */
function stores(dir: string): Map<string, Map<string, unknown>> {
  const out = new Map<string, Map<string, unknown>>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (!e.name.endsWith('.cells') && e.name !== 'sweeps') walk(p); continue; }
      if (!e.name.endsWith('.jsonl')) continue;
      const m = new Map<string, unknown>();
      for (const l of fs.readFileSync(p, 'utf8').split('\n').filter(Boolean)) { const r = JSON.parse(l); m.set(r.key, r.result); }
      out.set(path.relative(dir, p), m);
    }
  };
  walk(dir);
  return out;
}

/** Equal up to measured seconds, with numbers equal to 1e-6 relative. */
function close(a: unknown, b: unknown, where: string): void {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(Object.is(a, b) || Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b)), `${where}: ${a} vs ${b}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) { assert.equal(a.length, b.length, where); a.forEach((x, i) => close(x, b[i], `${where}[${i}]`)); return; }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => !/seconds/i.test(k)).sort(), kb = Object.keys(b).filter((k) => !/seconds/i.test(k)).sort();
    assert.deepEqual(ka, kb, where);
    for (const k of ka) close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${where}.${k}`);
    return;
  }
  assert.deepEqual(a, b, where);
}

test('Slurm: notebook 04 smoke cells as a job array in two rounds give the same stored results as a serial run', async (t) => {
  const cluster = startSlurm(t, 'rml-slurm-dai-');
  if (!cluster) return;
  const { tmp, slurmDir, t0 } = cluster;
  const base = { ...process.env, SLURM_CONF: path.join(slurmDir, 'slurm.conf'), RML_PROGRESS: '0', TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' };
  const serialDir = path.join(tmp, 'serial'), slurmResults = path.join(tmp, 'results');
  try {
    const t1 = Date.now();
    const ser = sweep(['run', '--notebook', NB, '--scale', 'smoke'], { ...base, RML_RESULTS_DIR: serialDir });
    assert.equal(ser.code, 0, ser.out + ser.err);
    console.log(`serial run: ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    const env = { ...base, RML_RESULTS_DIR: slurmResults };
    const t2 = Date.now();
    const sub = sweep(['slurm', '--notebook', NB, '--scale', 'smoke', '--max-parallel', '2', '--time', '00:15:00', '--submit', '--rounds', '2'], env);
    assert.equal(sub.code, 0, sub.out + sub.err);
    // The first round: the cells that need no other cell (the AE cells at the tuned C2 come in round 2).
    const first = Number(/(\d+) array task\(s\) \(0-(\d+)\)/.exec(sub.out)?.[1]);
    assert.ok(first > 0, sub.out);
    for (let i = 0; i < 900; i++) {
      const q = sh('squeue', ['-h', '-u', os.userInfo().username], env);
      if (q.code === 0 && q.out.trim() === '') break;
      await sleep(1000);
    }
    console.log(`two rounds on Slurm: ${((Date.now() - t2) / 1000).toFixed(1)} s`);
    const st = sweep(['status', '--notebook', NB, '--scale', 'smoke'], env);
    assert.equal(st.code, 0, st.out + st.err);
    assert.doesNotMatch(st.out.split('\n').filter((l) => /^\s*\S+\s+\d+\s+\d+\s+\d+\s+\d+/.test(l)).map((l) => l.trim().split(/\s+/).slice(-1)[0]).join(' '), /[1-9]/, `cells missing after two rounds:\n${st.out}`);
    const a = stores(path.join(serialDir, 'smoke')), b = stores(path.join(slurmResults, 'smoke'));
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), 'the same store files');
    let n = 0;
    for (const [file, cells] of a) {
      assert.deepEqual([...b.get(file)!.keys()].sort(), [...cells.keys()].sort(), `${file}: the same cells`);
      for (const [k, v] of cells) { close(b.get(file)!.get(k), v, `${file} ${k}`); n++; }
    }
    assert.ok(n > first, `the second round's cells are there too (${n} cells, ${first} in the first plan)`);
  } finally {
    stopSlurm(cluster, base);
    console.log(`slurm 04 test: ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
  }
});
