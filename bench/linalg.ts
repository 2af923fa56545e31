/**
 * Timings of the Float64 linear algebra: RobustPCA (inexact ALM) on the Candes et al. protocol and Frechet
 * distances of random feature sets. Usage: npx tsx bench/linalg.ts [rpca400|rpca5000|frechet64|frechet2048 ...]
 * Prints wall time, process CPU time and the load average (the machine may be shared).
 */
import * as os from 'os';
import { initBackend, backendInfo, tf } from '../src/backend';
import { RobustPCA } from '../src/models/rpca';
import { Rng } from '../src/random';
import { frechetDistanceFromFeatures } from '../src/metrics/frechet';

function candes(m: number, n: number, r: number, rho: number, seed: number) {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: m * r }, () => rng.normal() / Math.sqrt(m));
  const Y = Float64Array.from({ length: n * r }, () => rng.normal() / Math.sqrt(n));
  const L0 = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k < r; k++) s += X[i * r + k] * Y[j * r + k]; L0[i * n + j] = s; }
  const D = L0.map((v) => (rng.uniform() < rho ? v + (rng.uniform() < 0.5 ? 1 : -1) : v));
  return { L0, D };
}

function timed<T>(label: string, f: () => T): T {
  const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
  const out = f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9, cpu = process.cpuUsage(c0);
  console.log(`${label}: wall ${wall.toFixed(2)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
  return out;
}

(async () => {
  await initBackend();
  console.log(backendInfo());
  const tasks = process.argv.slice(2).length ? process.argv.slice(2) : ['rpca400', 'rpca5000', 'frechet64', 'frechet2048'];
  for (const t of tasks) {
    if (t.startsWith('rpca')) {
      const [m, n, r, rho] = t === 'rpca400' ? [400, 400, 20, 0.05] : [784, 5000, 10, 0.1];
      const { L0, D } = candes(m, n, r, rho, 1);
      const model = new RobustPCA({ powerIterations: Number(process.env.PI ?? 1) });
      await timed(`RobustPCA ${m}x${n} rank ${r}, ${rho * 100}% corruption`, () => model.fit({ rows: m, cols: n, data: D }));
      let e = 0, l = 0;
      for (let i = 0; i < L0.length; i++) { e += (model.L64!.data[i] - L0[i]) ** 2; l += L0[i] ** 2; }
      console.log(`  iterations ${model.iterations}, rank ${model.rank}, residual ${model.history.outer.at(-1)!.c1.toExponential(2)}, ||L-L0||/||L0|| ${Math.sqrt(e / l).toExponential(2)}`);
    } else if (t.startsWith('frechet')) {
      const d = Number(t.slice(7)), n = 10000, rng = new Rng(2);
      const A = tf.tensor2d(rng.normalArray(n * d), [n, d]);
      const B = tf.tensor2d(rng.normalArray(n * d).map((v, i) => 1.1 * v + 0.1 * (i % 7)), [n, d]);
      const v = timed(`Frechet distance ${n}x${d} (auto covariance route)`, () => frechetDistanceFromFeatures(A, B));
      console.log(`  value ${v}`);
      tf.dispose([A, B]);
    }
  }
})();
