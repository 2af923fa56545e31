/** Shared by the real-engine Slurm tests: running commands, the sweep CLI, and a one-node Slurm in a temp folder. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 15 * 60 * 1000) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env, timeout: timeoutMs });
  return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
}
export const sweep = (args: string[], env: NodeJS.ProcessEnv) => sh(process.execPath, ['--import', 'tsx', 'scripts/sweep.ts', ...args], env);

/**
 * Starts a one-node Slurm in a fresh temporary folder (scripts/slurm-local.sh), or skips the test where Slurm cannot
 * run here (or RML_SLURM_TEST=0) and returns null.
 */
export function startSlurm(t: { skip(msg: string): void }, prefix = 'rml-slurm-'): { tmp: string; slurmDir: string; t0: number } | null {
  if (process.env.RML_SLURM_TEST === '0') { t.skip('RML_SLURM_TEST=0'); return null; }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const slurmDir = path.join(tmp, 'slurm');
  const t0 = Date.now();
  const start = sh(path.join(ROOT, 'scripts', 'slurm-local.sh'), ['start', slurmDir]);
  if (start.code !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    t.skip(`Slurm is not available here: ${(start.err || start.out).trim().split('\n').pop()}`);
    return null;
  }
  return { tmp, slurmDir, t0 };
}

/** Cancels this user's jobs, stops the cluster and removes its folder. */
export function stopSlurm(c: { tmp: string; slurmDir: string }, env: NodeJS.ProcessEnv): void {
  sh('scancel', ['--user', os.userInfo().username], env);
  sh(path.join(ROOT, 'scripts', 'slurm-local.sh'), ['stop', c.slurmDir]);
  fs.rmSync(c.tmp, { recursive: true, force: true });
}
