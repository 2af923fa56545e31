/**
 * The real engine: a one-node Slurm on 127.0.0.1 (scripts/slurm-local.sh, in a temporary folder) runs notebook
 * 01's smoke cells as a job array (`npm run sweep -- slurm --submit`); the task of the first Fig. 5 cell is
 * SIGKILLed in the middle of its cell and the array resubmitted (only the missing cell runs again); the merged
 * stores must hold the same results as a serial run (`sweep run` in one process), apart from measured seconds. Skips (with the reason) where
 * Slurm is not installed or cannot start (not root, no munge): `scripts/slurm-local.sh install` installs it;
 * RML_SLURM_TEST=0 skips it too.
 * Takes ~2-3 minutes on 2 cores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cellId, paramsKey } from '../../src/experiment/store';
import { planCells } from '../../src/experiment/sweep';
import { notebookCells } from '../../src/papers/registry';
import { ROOT, sh, sleep, startSlurm, sweep } from './slurm';

const NB = '01-robust-deep-autoencoders';

/** Waits until none of the jobs is queued or running. */
async function waitJobs(ids: string[], env: NodeJS.ProcessEnv, limitS = 600): Promise<void> {
  const t0 = Date.now();
  while ((Date.now() - t0) / 1000 < limitS) {
    const q = sh('squeue', ['-h', '-j', ids.join(','), '-o', '%i %T'], env);
    if (q.code === 0 && q.out.trim() === '') return;
    await sleep(1000);
  }
  throw new Error(`jobs ${ids.join(',')} still in the queue after ${limitS} s`);
}

const strip = (v: unknown): unknown => (Array.isArray(v) ? v.map(strip) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !/seconds/i.test(k)).map(([k, x]) => [k, strip(x)])) : v);
function storeResults(dir: string, file: string): Map<string, string> {
  const lines = fs.readFileSync(path.join(dir, 'smoke', file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return new Map(lines.map((r) => [r.key as string, JSON.stringify(strip(r.result))]));
}

test('Slurm job array of notebook 01 smoke cells, a task SIGKILLed mid-cell and resubmitted: same results as a serial run', async (t) => {
  const cluster = startSlurm(t);
  if (!cluster) return;
  const { tmp, slurmDir, t0 } = cluster;
  const base = { ...process.env, SLURM_CONF: path.join(slurmDir, 'slurm.conf'), RML_PROGRESS: '0', TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' };
  const serialDir = path.join(tmp, 'serial'), slurmResults = path.join(tmp, 'results');
  try {
    console.log(`slurm up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const plan = planCells(NB, await notebookCells(NB, 'smoke', 0), 'smoke', 0);
    const N = plan.length;
    const victim = plan.find((c) => c.experiment === 'fig5')!; // the first Fig. 5 cell (loads the outlier set: seconds)
    const count = (e: string) => plan.filter((c) => c.experiment === e).length;
    const experiments = [...new Set(plan.map((c) => c.experiment))];
    // the reference: every cell in one process
    const t1 = Date.now();
    const ser = sweep(['run', '--notebook', NB, '--scale', 'smoke'], { ...base, RML_RESULTS_DIR: serialDir });
    assert.equal(ser.code, 0, ser.err);
    console.log(`serial run: ${((Date.now() - t1) / 1000).toFixed(1)} s`);

    const env = { ...base, RML_RESULTS_DIR: slurmResults };
    const t2 = Date.now();
    const sub = sweep(['slurm', '--notebook', NB, '--scale', 'smoke', '--max-parallel', '2', '--time', '00:10:00', '--submit'], env);
    assert.equal(sub.code, 0, sub.out + sub.err);
    const job1 = /submitted job (\d+)/.exec(sub.out)?.[1];
    assert.ok(job1, sub.out);
    assert.match(sub.out, new RegExp(`${N} array task\\(s\\) \\(0-${N - 1}\\)`));

    // SIGKILL the task of the victim cell while it computes: its running marker names its pid
    const claims = path.join(slurmResults, 'smoke', `${victim.file}.cells`);
    const id6 = cellId(victim.version, paramsKey(victim.params));
    let killed = 0;
    for (let i = 0; i < 3000 && !killed; i++) {
      const marker = fs.existsSync(claims) ? fs.readdirSync(claims).find((f) => f.startsWith(`${id6}.running-`)) : undefined;
      if (marker) {
        const pid = Number(/-(\d+)$/.exec(marker)![1]);
        process.kill(pid, 'SIGKILL');
        killed = pid;
      } else await sleep(100);
    }
    assert.ok(killed, `cell ${victim.index} never started`);
    await waitJobs([job1], env);
    console.log(`array 1 (${N} tasks, cell ${victim.index} killed): ${((Date.now() - t2) / 1000).toFixed(1)} s`);
    let st = sweep(['status', '--notebook', NB, '--scale', 'smoke'], env);
    for (const e of experiments.filter((x) => x !== 'fig5')) assert.match(st.out, new RegExp(`${e}\\s+${count(e)}\\s+0\\s+0\\s+0`));
    assert.match(st.out, new RegExp(`fig5\\s+${count('fig5') - 1}\\s+0\\s+0\\s+1`), `the killed cell is missing, not running:\n${st.out}`);
    assert.match(st.out, /squeue \(jobs \d+\): nothing queued or running/);
    assert.match(st.out, /scontrol: .*FAILED/, `Slurm saw the killed task fail:\n${st.out}`);
    const logs = fs.readdirSync(path.join(slurmResults, 'smoke', 'sweeps', 'logs'));
    assert.equal(logs.length, N, `a log per task: ${logs.join(' ')}`);

    // resubmit: only the missing cell runs
    const t3 = Date.now();
    const sub2 = sweep(['slurm', '--notebook', NB, '--scale', 'smoke', '--submit'], env);
    assert.equal(sub2.code, 0, sub2.out + sub2.err);
    assert.match(sub2.out, new RegExp(`1 array task\\(s\\) \\(${victim.index}\\)`));
    const job2 = /submitted job (\d+)/.exec(sub2.out)![1];
    await waitJobs([job2], env);
    console.log(`array 2 (cell ${victim.index} again): ${((Date.now() - t3) / 1000).toFixed(1)} s`);
    st = sweep(['status', '--notebook', NB, '--scale', 'smoke'], env);
    assert.equal(st.code, 0, st.out);
    for (const e of experiments) assert.match(st.out, new RegExp(`${e}\\s+${count(e)}\\s+0\\s+0\\s+0`));
    const merged = sweep(['merge', '--notebook', NB, '--scale', 'smoke'], env);
    assert.equal(merged.code, 0, merged.err);

    for (const s of [...new Map(plan.map((c) => [c.file, c])).values()]) {
      const a = storeResults(serialDir, s.file), b = storeResults(slurmResults, s.file);
      assert.deepEqual([...b.keys()], [...a.keys()], `${s.file}: same cells in the same (plan) order`);
      for (const [k, v] of a) assert.equal(b.get(k), v, `${s.file} ${k}: same result as the serial run`);
    }
    const rec6 = fs.readFileSync(path.join(slurmResults, 'smoke', victim.file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((r) => r.params.lam === victim.params.lam);
    assert.equal(rec6.host, os.hostname());
    assert.notEqual(rec6.pid, killed, 'the victim cell comes from the resubmitted task');
    assert.match(rec6.backend, /tensorflow|wasm|cpu/);
  } finally {
    sh('scancel', ['--user', os.userInfo().username], base);
    sh(path.join(ROOT, 'scripts', 'slurm-local.sh'), ['stop', slurmDir]);
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`slurm test: ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
  }
});

test('Slurm rounds: a job after the array plans again and submits the cells that depend on the first ones (toy notebook)', async (t) => {
  const cluster = startSlurm(t);
  if (!cluster) return;
  const { tmp, slurmDir, t0 } = cluster;
  const env = { ...process.env, SLURM_CONF: path.join(slurmDir, 'slurm.conf'), RML_RESULTS_DIR: path.join(tmp, 'results'), RML_SWEEP_EXTRA: path.join(ROOT, 'test', 'fixtures', 'toy-sweep.ts'), TOY_STAGED: '1', RML_PROGRESS: '0' };
  try {
    const sub = sweep(['slurm', '--notebook', '99-toy', '--scale', 'smoke', '--max-parallel', '2', '--submit', '--rounds', '3'], env);
    assert.equal(sub.code, 0, sub.out + sub.err);
    assert.match(sub.out, /6 array task\(s\) \(0-5\)/);
    assert.match(sub.out, /round 2 will be planned by job \d+/);
    // wait until this user has no job left (array 1, round 2's planner, array 2, round 3's planner)
    for (let i = 0; i < 600; i++) {
      const q = sh('squeue', ['-h', '-u', os.userInfo().username], env);
      if (q.code === 0 && q.out.trim() === '') break;
      await sleep(1000);
    }
    const logs = fs.readdirSync(path.join(tmp, 'results', 'smoke', 'sweeps', 'logs'));
    const planners = logs.filter((f) => f.includes('-next-')).map((f) => fs.readFileSync(path.join(tmp, 'results', 'smoke', 'sweeps', 'logs', f), 'utf8'));
    assert.ok(planners.some((l) => /1 array task\(s\) \(6\)/.test(l)), `round 2 submitted the dependent cell:\n${planners.join('\n---\n')}`);
    assert.ok(planners.some((l) => /every cell is in the store already: nothing to submit \(round 3\)/.test(l)), `round 3 found nothing to do:\n${planners.join('\n---\n')}`);
    const dep = JSON.parse(fs.readFileSync(path.join(tmp, 'results', 'smoke', '99-toy-sweep', 'dependent.jsonl'), 'utf8').trim());
    assert.deepEqual(dep.params, { sum: 55 }); // sum of i * i, i = 0..5 (seed 0)
    assert.equal(dep.result.value, 110);
    console.log(`slurm rounds test: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    sh('scancel', ['--user', os.userInfo().username], env);
    sh(path.join(ROOT, 'scripts', 'slurm-local.sh'), ['stop', slurmDir]);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
