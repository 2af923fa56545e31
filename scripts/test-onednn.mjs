// `npm run test:onednn`: the training-step and model tests once more, under the oneDNN setting that the unit run
// (`npm run test:unit`, TensorFlow's default for this CPU) did NOT use, so that a CPU whose TensorFlow takes the
// other kernel path (oneDNN vs Eigen) cannot break them unseen. `-- --both` runs both settings explicitly.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const both = process.argv.includes('--both');
const probe = spawnSync(process.execPath, ['--import', 'tsx', '-e', "process.stdout.write(String(require('./src/backend').oneDnnEnabled()))"], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RML_BACKEND: 'cpu' } });
if (probe.status !== 0) { console.error(probe.stderr); process.exit(1); }
const defaultOn = probe.stdout.trim() === 'true';
const settings = both ? ['0', '1'] : [defaultOn ? '0' : '1'];
const files = ['test/backend.test.ts'];
for (const dir of ['test/train', 'test/models']) {
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.test.ts') ? [path.join(d, e.name)] : []);
  files.push(...walk(path.join(ROOT, dir)).map((f) => path.relative(ROOT, f)).sort());
}
for (const v of settings) {
  console.log(`== training-step and model tests with TF_ENABLE_ONEDNN_OPTS=${v} (this CPU's TensorFlow default: oneDNN ${defaultOn ? 'on' : 'off'}) ==`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, TF_ENABLE_ONEDNN_OPTS: v } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
