#!/usr/bin/env node
// Starts JupyterLab from the project's .venv on 127.0.0.1 with notebooks/ as its folder.
//
//   npm run lab [-- --port 8888] [-- any other jupyter lab flags]
//
// The Jupyter folders (runtime, data, config) stay inside the project (.jupyter/, git-ignored), as `npm run setup`
// made them; as root, --allow-root is added. The project's JupyterLab defaults are tracked in
// .jupyter/lab-settings/overrides.json (no news pop-up, no autosave into the committed notebooks) and passed as
// --LabApp.app_settings_dir. Environment variables (RML_SCALE=smoke ...) reach the kernels. Open the printed URL (it carries the access token). Ctrl-C stops the server.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const JUPYTER = path.join(ROOT, '.venv', 'bin', 'jupyter');
if (!fs.existsSync(JUPYTER)) {
  console.error('npm run lab: no JupyterLab in .venv; run `npm run setup` first');
  process.exit(1);
}
const env = {
  ...process.env,
  JUPYTER_RUNTIME_DIR: path.join(ROOT, '.jupyter', 'runtime'),
  JUPYTER_DATA_DIR: path.join(ROOT, '.jupyter', 'data'),
  JUPYTER_CONFIG_DIR: path.join(ROOT, '.jupyter', 'config'),
  JUPYTER_PLATFORM_DIRS: '1',
};
for (const d of ['JUPYTER_RUNTIME_DIR', 'JUPYTER_DATA_DIR', 'JUPYTER_CONFIG_DIR']) fs.mkdirSync(env[d], { recursive: true });

const extra = process.argv.slice(2);
const args = ['lab', '--no-browser', '--ip=127.0.0.1', `--ServerApp.root_dir=${path.join(ROOT, 'notebooks')}`, `--LabApp.app_settings_dir=${path.join(ROOT, '.jupyter', 'lab-settings')}`];
if (!extra.some((a) => a.startsWith('--port'))) args.push('--port=8888');
if (process.getuid?.() === 0) args.push('--allow-root');
args.push(...extra);

console.log(`npm run lab: starting JupyterLab (notebooks/ on 127.0.0.1; kernel "TypeScript" = tslab) ...`);
const child = spawn(JUPYTER, args, { cwd: ROOT, env, stdio: ['inherit', 'inherit', 'pipe'] });
let shown = false;
child.stderr.on('data', (chunk) => {
  const s = chunk.toString();
  process.stderr.write(s);
  const m = !shown && s.match(/(http:\/\/127\.0\.0\.1:\d+\/lab\?token=\w+)/);
  if (m) {
    shown = true;
    console.log(`\n  JupyterLab is running: ${m[1]}\n  (notebooks/ is the root; edit notebooks/src/*.ts and run \`npm run notebooks\` to rebuild the .ipynb)\n`);
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('close', (code) => process.exit(code ?? 0));
