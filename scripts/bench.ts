/**
 * `npm run bench`: this workspace against the reference frameworks, in ONE run on the same machine, so that the
 * ratios are fair on a noisy machine. Every row prints our time beside its peer's (median [min-max] over the
 * timed repeats, after warm-up) and the ratio ours / peer (< 1 = we are faster).
 *
 *   1. training steps: MLP autoencoder 784-512-256-49-256-512-784 (batch 200, MSE, Adam 1e-3) and the
 *      convolutional RDAE of Li et al. Table 3 (batch 100, l1 loss, Adam 1e-4, BatchNorm), plus one RDA and one
 *      RVAE outer iteration on 5,000 MNIST images; peers: PyTorch and Keras (bench/peers/torch_peer.py,
 *      keras_peer.py) with the same thread count. GFLOP/s of each step against the machine's fp32 peak.
 *      Also RNLF, the convolutional VAE and the robust linear factorization, through their models' fit (PyTorch).
 *   2. convex RPCA (inexact ALM, tol 1e-7) on 784 x 5000 and 784 x 10000 (rank 10, 10% sparse): time,
 *      iterations and error of L, vs NumPy/SciPy (bench/peers/numpy_peer.py, dense SVD and Gram routes).
 *   3. Frechet distance of 10,000 x 64 and 10,000 x 2048 features vs scipy.linalg.sqrtm (both values).
 *   4. Isolation Forest and random forest fit+predict on the 5,124 x 784 outlier set vs scikit-learn.
 *   5. wall time of `npm run reproduce` per notebook at smoke and quick scale (read from results/<scale>/timings.json,
 *      which scripts/reproduce.ts updates after every notebook, else the per-notebook report.json; a notebook
 *      with no recorded time gets a MISSING row; `--notebooks` runs both scales first).
 *
 * Inputs are generated deterministically (seeded) and written to a temporary folder (manifest.json + raw
 * arrays) that the peers read: both sides time the SAME data. The library's modules are imported (typed) at the
 * top; a row of ours whose run throws says "failed: ..."; a peer that cannot run says why on its row.
 * Output: figures/bench/bench.csv, figures/bench/bench.json, figures/bench/bench.{svg,png} (ratios) and
 * bench.vl.json (the vega-lite spec).
 *
 * Flags: --steps N (timed training steps, default 20; at least 20 for the report), --warmup N (default 5),
 * --repeats N (repeats of the slow rows, default 3), --threads N (peers' threads, default = cores),
 * --only a,b (groups: mlp, conv, models, rda, rvae, rpca, frechet, forest, notebooks), --no-peers, --quick (skips the
 * 784 x 10000 RPCA and uses 1 repeat of the slow rows), --notebooks, --out DIR, --keep-inputs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf, initBackend, backendInfo } from '../src/backend';
import { Rng } from '../src/random';
import { fusedAvailable } from '../src/backend';
import { CompiledStep } from '../src/train/compile';
import { mlp, mlpForward, layerVariables, disposeLayers, type DenseLayer } from '../src/nets/mlp';
import { conv28Encoder, conv28Decoder, conv28Encode, conv28Decode, conv28Variables, conv28AllVariables, disposeNet, type Conv28Encoder, type Conv28Decoder } from '../src/nets/conv28';
import { makeOptimizer } from '../src/train/loop';
import { RNLF } from '../src/models/rnlf';
import { ConvVAE } from '../src/models/conv-vae';
import { LinearFactorization } from '../src/models/factorization';
import { RobustDeepAutoencoder } from '../src/models/rda';
import { RVAE } from '../src/models/rvae';
import { RobustPCA } from '../src/models/rpca';
import { frechetDistanceFromFeatures } from '../src/metrics/frechet';
import { IsolationForest } from '../src/models/baselines/isolation-forest';
import { RandomForestClassifier, warmForestPool } from '../src/models/baselines/random-forest';
import { lowRankPlusSparse, type LowRankPlusSparse } from '../src/data/synthetic';
import { loadMnistSync } from '../src/data/mnist';
import { outlierMix } from '../src/data/outliers';
import { bars } from '../src/plots/charts';
import { save, type VegaLiteSpec } from '../src/plots/render';

/* eslint-disable @typescript-eslint/no-explicit-any */ // the peers' JSON results

const ROOT = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
const flag = (n: string) => argv.includes(`--${n}`);
const opt = (n: string, d: string) => { const i = argv.indexOf(`--${n}`); return i >= 0 && i + 1 < argv.length ? argv[i + 1] : d; };
const QUICK = flag('quick');
const STEPS = Math.max(1, parseInt(opt('steps', '20'), 10));
const WARMUP = Math.max(0, parseInt(opt('warmup', '5'), 10));
/** Steps per epoch of the 5,000-image outer-iteration runs (batch 200): the compiled steps read the weights back this often. */
const EPOCH_STEPS = 25;
/** A deferred-read-back compiled step as the library's training loops run it: the weights synced every EPOCH_STEPS steps. */
function epochReadback(g: { syncOut(): void }, step: () => tf.Scalar): () => tf.Scalar {
  let k = 0;
  return () => { const l = step(); if (++k % EPOCH_STEPS === 0) g.syncOut(); return l; };
}
const REPEATS = Math.max(1, parseInt(opt('repeats', QUICK ? '1' : '3'), 10));
const THREADS = Math.max(1, parseInt(opt('threads', String(os.cpus().length)), 10));
const ONLY = opt('only', '').split(',').filter(Boolean);
const NO_PEERS = flag('no-peers');
const OUT = path.resolve(ROOT, opt('out', 'figures/bench'));
const PY = path.join(ROOT, '.venv', 'bin', 'python');
const want = (g: string) => ONLY.length === 0 || ONLY.includes(g);

// ------------------------------------------------------------------------------------------------ rows
interface Row {
  group: string; task: string; impl: string; kind: 'ours' | 'peer';
  times?: number[]; // ms
  status?: string; // why there is no time
  quality?: string; // loss / error / F1 ... as text
  flopsPerStep?: number;
  primary?: boolean; // the ours row the peers are compared with
  load1?: number; // 1-minute load average when the row was measured (busy machine: > cores)
}
const rows: Row[] = [];
const stats = (t: number[]) => { const s = [...t].sort((a, b) => a - b); const m = s.length; return { median: m % 2 ? s[(m - 1) / 2] : (s[m / 2 - 1] + s[m / 2]) / 2, min: s[0], max: s[m - 1], n: m }; };

function add(r: Row): Row { r.load1 ??= os.loadavg()[0]; rows.push(r); printRow(r); return r; }

function fmtMs(ms: number): string { return ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`; }
function printRow(r: Row): void {
  const label = `  ${r.task.padEnd(24)} ${r.impl.padEnd(38)}`;
  if (!r.times || r.times.length === 0) { console.log(`${label} ${r.status ?? 'no result'}`); return; }
  const s = stats(r.times);
  let extra = '';
  if (r.kind === 'peer') {
    const ours = rows.find((q) => q.task === r.task && q.primary && q.times?.length);
    if (ours) extra = `  ours/peer = ${(stats(ours.times!).median / s.median).toFixed(2)}`;
  }
  if (r.flopsPerStep) extra += `  ${(r.flopsPerStep / (s.median / 1000) / 1e9).toFixed(1)} GFLOP/s`;
  const busy = r.load1 !== undefined && r.load1 > os.cpus().length + 0.5 ? `  [machine busy: load ${r.load1.toFixed(1)}]` : '';
  console.log(`${label} ${fmtMs(s.median).padStart(9)} [${fmtMs(s.min)} - ${fmtMs(s.max)}] n=${s.n}${extra}${r.quality ? `  ${r.quality}` : ''}${busy}`);
}

// ------------------------------------------------------------------------------------------------ machine
function machine(): { model: string; cores: number; mhz: number; flopsPerCycle: number; peakGflops: number; simd: string } {
  let model = os.cpus()[0]?.model ?? 'unknown';
  let mhz = os.cpus()[0]?.speed ?? 0;
  let flags = '';
  const lscpu = spawnSync('lscpu', [], { encoding: 'utf8' });
  if (lscpu.status === 0) {
    const get = (k: string) => (lscpu.stdout.match(new RegExp(`^${k}:\\s*(.+)$`, 'm')) ?? [])[1]?.trim();
    model = get('Model name') ?? model;
    mhz = parseFloat(get('CPU max MHz') ?? '') || mhz;
    flags = get('Flags') ?? '';
  }
  if (!mhz) { try { mhz = parseFloat((fs.readFileSync('/proc/cpuinfo', 'utf8').match(/cpu MHz\s*:\s*([\d.]+)/) ?? [])[1] ?? '0'); } catch { /* none */ } }
  const f = new Set(flags.split(/\s+/));
  // fp32 flops per cycle per core: 2 FMA pipes x vector lanes x 2 (AVX-512: 16 lanes, AVX2+FMA: 8, SSE: 4 without FMA).
  const [flopsPerCycle, simd] = f.has('avx512f') ? [64, 'AVX-512 FMA'] : f.has('avx2') && f.has('fma') ? [32, 'AVX2 FMA'] : f.has('avx') ? [16, 'AVX'] : [8, 'SSE'];
  const cores = os.cpus().length;
  return { model, cores, mhz, flopsPerCycle, simd, peakGflops: (cores * mhz * 1e6 * flopsPerCycle) / 1e9 };
}

// ------------------------------------------------------------------------------------------------ inputs
interface Entry { file: string; dtype: string; shape: number[]; [k: string]: unknown }
const manifest: Record<string, Entry> = {};
let inputDir = '';
function writeInput(name: string, data: Float32Array | Int32Array, shape: number[], extra: Record<string, unknown> = {}): void {
  const dtype = data instanceof Float32Array ? '<f4' : '<i4';
  const file = `${name}.bin`;
  fs.writeFileSync(path.join(inputDir, file), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  manifest[name] = { file, dtype, shape, ...extra };
  fs.writeFileSync(path.join(inputDir, 'manifest.json'), JSON.stringify(manifest, null, 1));
}

// ------------------------------------------------------------------------------------------------ peers
interface PeerStatus { ok: boolean; why?: string }
const peerStatus: Record<string, PeerStatus> = {};
const peerInfo: Record<string, unknown> = {};
function probePeers(): void {
  const probe = () => {
    for (const [k, mod] of [['torch', 'torch'], ['keras', 'tensorflow'], ['numpy', 'scipy'], ['sklearn', 'sklearn']]) {
      if (!fs.existsSync(PY)) { peerStatus[k] = { ok: false, why: 'no .venv (run `npm run setup -- --peers`)' }; continue; }
      const r = spawnSync(PY, ['-c', `import ${mod}`], { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
      peerStatus[k] = r.status === 0 ? { ok: true } : { ok: false, why: `${mod} not installable here: ${(r.stderr || '').trim().split('\n').pop()}` };
    }
  };
  probe();
  if (Object.values(peerStatus).some((s) => !s.ok)) {
    console.log('Installing the benchmark peers: node scripts/setup.mjs --peers --skip-data');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'setup.mjs'), '--peers', '--skip-data'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) console.log(`  setup exited with ${r.status}; peers that still fail to import are marked on their rows`);
    probe();
  }
  console.log(`peers: ${Object.entries(peerStatus).map(([k, s]) => `${k} ${s.ok ? 'ok' : `MISSING (${s.why})`}`).join('; ')}`);
}

const PEER_LABEL: Record<string, string> = { torch: 'PyTorch', keras: 'Keras (TensorFlow)', numpy: 'NumPy/SciPy', sklearn: 'scikit-learn' };
function runPeer(peer: 'torch' | 'keras' | 'numpy' | 'sklearn', tasks: string[], o: { steps?: number; warmup?: number; repeats?: number; timeoutS?: number } = {}): Record<string, any> {
  const out: Record<string, any> = {};
  if (NO_PEERS) { for (const t of tasks) out[t] = { error: 'peers skipped (--no-peers)' }; return out; }
  const st = peerStatus[peer];
  if (!st?.ok) { for (const t of tasks) out[t] = { error: st?.why ?? 'peer not installed' }; return out; }
  const script = path.join(ROOT, 'bench', 'peers', `${peer}_peer.py`);
  const t = String(THREADS);
  const r = spawnSync(PY, [script, '--inputs', inputDir, '--tasks', tasks.join(','), '--steps', String(o.steps ?? STEPS), '--warmup', String(o.warmup ?? WARMUP), '--repeats', String(o.repeats ?? REPEATS), '--threads', t], {
    encoding: 'utf8', timeout: (o.timeoutS ?? 900) * 1000, maxBuffer: 64 << 20,
    env: { ...process.env, OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t, TF_CPP_MIN_LOG_LEVEL: '3', TF_ENABLE_ONEDNN_OPTS: process.env.TF_ENABLE_ONEDNN_OPTS ?? '1' },
  });
  const line = (r.stdout || '').trim().split('\n').filter((l) => l.startsWith('{')).pop();
  let parsed: any = null;
  try { parsed = line ? JSON.parse(line) : null; } catch { parsed = null; }
  if (!parsed) {
    const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' || r.signal === 'SIGTERM';
    const why = timedOut ? `timed out after ${o.timeoutS ?? 900} s` : r.error ? r.error.message : `exit ${r.status}: ${(r.stderr || '').trim().split('\n').slice(-1)[0] ?? ''}`;
    for (const k of tasks) out[k] = { error: `peer failed (${why})` };
    return out;
  }
  if (!parsed.ok) { for (const k of tasks) out[k] = { error: parsed.error }; return out; }
  peerInfo[peer] = parsed.info;
  return parsed.results;
}

function addPeerRow(group: string, task: string, peer: string, res: any, quality?: (r: any) => string, flops?: number, implSuffix = ''): void {
  const impl = `${PEER_LABEL[peer] ?? peer}${implSuffix}`;
  if (!res || res.error) { add({ group, task, impl, kind: 'peer', status: `peer cannot run: ${res?.error ?? 'no result'}` }); return; }
  const thr = res.threads_used !== undefined ? `${quality ? ', ' : ''}${res.threads_used} thread${res.threads_used === 1 ? '' : 's'}` : '';
  add({ group, task, impl, kind: 'peer', times: res.times_ms, quality: (quality?.(res) ?? '') + thr, flopsPerStep: flops });
}

// ------------------------------------------------------------------------------------------------ timing
async function timeSteps(step: () => tf.Scalar | number | void, steps = STEPS, warmup = WARMUP): Promise<{ times: number[]; last: number }> {
  let last = NaN;
  const once = () => { const r = step(); if (r instanceof tf.Tensor) { last = r.dataSync()[0]; r.dispose(); } else if (typeof r === 'number') last = r; };
  for (let i = 0; i < warmup; i++) once();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) { const t0 = performance.now(); once(); times.push(performance.now() - t0); }
  return { times, last };
}

// ------------------------------------------------------------------------------------------------ FLOP counts
const MLP_SIZES = [784, 512, 256, 49, 256, 512, 784];
function mlpTrainFlops(batch: number, sizes = MLP_SIZES): number {
  let f = 0;
  for (let i = 0; i + 1 < sizes.length; i++) f += 2 * batch * sizes[i] * sizes[i + 1] * (i === 0 ? 2 : 3); // fwd, dW, dX (no dX for layer 0)
  return f;
}
/** One outer iteration (5 inner epochs on 5,000 rows + one forward pass for the prox step), approximate. */
function outerFlops(kind: 'rda' | 'rvae', inner = 5, n = 5000): number {
  if (kind === 'rda') { const sizes = [784, 400, 200, 400, 784]; return inner * mlpTrainFlops(n, sizes) + mlpTrainFlops(n, sizes) / 3; }
  // VAE 784-512-256-(2 x 49)-256-512-784: every layer but the first also back-propagates to its input.
  const layers = [[784, 512], [512, 256], [256, 98], [49, 256], [256, 512], [512, 784]];
  const train = layers.reduce((f, [i, o], k) => f + 2 * n * i * o * (k === 0 ? 2 : 3), 0);
  return inner * train + layers.reduce((f, [i, o]) => f + 2 * n * i * o, 0);
}
function convTrainFlops(batch: number): number {
  // Li et al. Table 3: (macs per image) conv 1->64 k4 out 14x14, 64->128 k4 out 7x7, 128->30 k7 out 1x1;
  // deconv 30->128 k7 in 1x1, 128->64 k4 in 7x7, 64->1 k4 in 14x14.
  const layers = [14 * 14 * 64 * 1 * 16, 7 * 7 * 128 * 64 * 16, 30 * 128 * 49, 1 * 1 * 30 * 128 * 49, 7 * 7 * 128 * 64 * 16, 14 * 14 * 64 * 1 * 16];
  return layers.reduce((s, m, i) => s + 2 * batch * m * (i === 0 ? 2 : 3), 0);
}

// ================================================================================================ groups
async function groupMlp(X200: Float32Array): Promise<void> {
  console.log('\n[1a] MLP autoencoder 784-512-256-49-256-512-784, batch 200, MSE, Adam 1e-3: one training step');
  const group = 'training step', task = 'MLP AE step (b=200)';
  const flops = mlpTrainFlops(200);
  const X = tf.tensor2d(X200, [200, 784]);
  const variants: [string, (layers: DenseLayer[]) => { step: () => tf.Scalar; dispose: () => void }][] = [
    ['tfjs: tf.train.adam + autodiff (before)', (layers) => {
      const opt = tf.train.adam(1e-3); const vars = layerVariables(layers);
      return { step: () => tf.tidy(() => opt.minimize(() => tf.losses.meanSquaredError(X, mlpForward(X, layers, 'sigmoid')) as tf.Scalar, true, vars)!), dispose: () => opt.dispose() };
    }],
    ['tfjs: makeOptimizer("adam") + autodiff', (layers) => {
      const opt = makeOptimizer('adam', 1e-3); const vars = layerVariables(layers);
      return { step: () => tf.tidy(() => opt.minimize(() => tf.losses.meanSquaredError(X, mlpForward(X, layers, 'sigmoid')) as tf.Scalar, true, vars)!), dispose: () => opt.dispose() };
    }],
  ];
  const mlpLoss = (layers: DenseLayer[]) => (inp: tf.Tensor[]) => tf.losses.meanSquaredError(inp[0], mlpForward(inp[0] as tf.Tensor2D, layers, 'sigmoid')) as tf.Scalar;
  variants.push(['tfjs: CompiledStep eager (tfjs autodiff + the fused Adam kernel; what runs where the step cannot be compiled)', (layers) => {
    const cs = new CompiledStep(mlpLoss(layers), layerVariables(layers), { learningRate: 1e-3, compile: false });
    return { step: () => cs.step([X]), dispose: () => cs.dispose() };
  }]);
  if (fusedAvailable()) {
    variants.push(['tfjs: CompiledStep, the tfjs step traced into one TensorFlow graph, weights read back every step', (layers) => {
      const cs = new CompiledStep(mlpLoss(layers), layerVariables(layers), { learningRate: 1e-3, compile: 'require' });
      return { step: () => cs.step([X]), dispose: () => cs.dispose() };
    }]);
    variants.push([`tfjs: CompiledStep traced graph, weights read back once per ${EPOCH_STEPS}-step epoch (the library's trainLoop)`, (layers) => {
      const cs = new CompiledStep(mlpLoss(layers), layerVariables(layers), { learningRate: 1e-3, compile: 'require', readback: 'deferred' });
      return { step: epochReadback(cs, () => cs.step([X])), dispose: () => cs.dispose() };
    }]);
  }
  let best: Row | null = null;
  for (const [impl, make] of variants) {
    const layers = mlp(MLP_SIZES, new Rng(7), 'benchmlp');
    const v = make(layers);
    const { times, last } = await timeSteps(v.step);
    v.dispose(); disposeLayers(layers);
    const r: Row = { group, task, impl, kind: 'ours', times, quality: `loss ${last.toFixed(5)}`, flopsPerStep: flops, load1: os.loadavg()[0] };
    rows.push(r);
    if (!best || stats(times).median < stats(best.times!).median) best = r;
  }
  best!.primary = true;
  for (const r of rows.filter((q) => q.task === task)) printRow(r);
  X.dispose();
  const torch = runPeer('torch', ['mlp_step']).mlp_step;
  addPeerRow(group, task, 'torch', torch, (r) => `loss ${Number(r.loss).toFixed(5)}`, flops);
  const keras = runPeer('keras', ['mlp_step']).mlp_step;
  addPeerRow(group, task, 'keras', keras, (r) => `loss ${Number(r.loss).toFixed(5)}`, flops);
}

async function groupConv(X100: Float32Array): Promise<void> {
  console.log('\n[1b] Convolutional RDAE (Li et al. Table 3), batch 100, l1 loss, Adam 1e-4, BatchNorm: one training step');
  const group = 'training step', task = 'Conv RDAE step (b=100)';
  const flops = convTrainFlops(100);
  const variants = convVariants();
  let best: Row | null = null;
  for (const [impl, make] of variants) {
    try {
      const x = tf.tensor4d(X100, [100, 28, 28, 1]);
      const v = make(x);
      const { times, last } = await timeSteps(v.step);
      v.dispose(); x.dispose();
      const r: Row = { group, task, impl, kind: 'ours', times, quality: `loss ${last.toFixed(5)}`, flopsPerStep: flops, load1: os.loadavg()[0] };
      rows.push(r);
      if (!best || stats(times).median < stats(best.times!).median) best = r;
    } catch (e) {
      rows.push({ group, task, impl, kind: 'ours', status: `failed: ${(e as Error).message.split('\n')[0]}` });
    }
  }
  if (best) best.primary = true;
  for (const r of rows.filter((q) => q.task === task)) printRow(r);
  const torch = runPeer('torch', ['conv_step']).conv_step;
  addPeerRow(group, task, 'torch', torch, (r) => `loss ${Number(r.loss).toFixed(5)}`, flops);
  const keras = runPeer('keras', ['conv_step']).conv_step;
  addPeerRow(group, task, 'keras', keras, (r) => `loss ${Number(r.loss).toFixed(5)}`, flops);
}

/** Our conv RDAE steps: the library's conv28 net as is, and the same layers with the fused kernels. */
function convVariants(): [string, (x: tf.Tensor4D) => { step: () => tf.Scalar; dispose: () => void }][] {
  const build = () => {
    const rng = new Rng(7);
    const enc = conv28Encoder(30, rng.fork('enc')), dec = conv28Decoder(30, rng.fork('dec'));
    const vars = [...conv28Variables(enc), ...conv28Variables(dec)];
    const all = [...conv28AllVariables(enc), ...conv28AllVariables(dec)];
    return { enc, dec, vars, all };
  };
  const lossOf = (enc: Conv28Encoder, dec: Conv28Decoder) => (inp: tf.Tensor[]) => tf.mean(tf.abs(tf.sub(conv28Decode(dec, conv28Encode(enc, inp[0] as tf.Tensor4D, true), true), inp[0]))) as tf.Scalar;
  const library = (opt: () => tf.Optimizer) => (x: tf.Tensor4D) => {
    const { enc, dec, vars, all } = build();
    const o = opt();
    const step = () => tf.tidy(() => o.minimize(() => lossOf(enc, dec)([x]), true, vars)!);
    return { step, dispose: () => { o.dispose(); disposeNet(all); } };
  };
  const compiled = (compile: boolean) => (x: tf.Tensor4D) => {
    const { enc, dec, vars, all } = build();
    const cs = new CompiledStep(lossOf(enc, dec), vars, { learningRate: 1e-4, compile: compile ? 'require' : false, readback: 'deferred' });
    return { step: epochReadback(cs, () => cs.step([x])), dispose: () => { cs.dispose(); disposeNet(all); } };
  };
  const variants: [string, (x: tf.Tensor4D) => { step: () => tf.Scalar; dispose: () => void }][] = [
    ['tfjs: conv28 + tf.train.adam (before)', library(() => tf.train.adam(1e-4))],
    ['tfjs: conv28, CompiledStep eager (tfjs autodiff + the fused Adam kernel)', compiled(false)],
  ];
  if (fusedAvailable()) {
    variants.push([`tfjs: conv28, CompiledStep traced into one TensorFlow graph (BatchNorm running moments updated in the step), weights read back once per ${EPOCH_STEPS}-step epoch (as RDAE trains)`, compiled(true)]);
  }
  return variants;
}

/**
 * Training steps of three more models, timed as the library trains them (the model's own fit, one compiled
 * TensorFlow graph per step; time per step = an epoch's wall time / its steps, after a warm-up epoch that traces
 * and compiles): RNLF (Li et al., conv28 decoder from free codes, l1, Adam 1e-4 / codes 10, batch 100, 5,000
 * MNIST images), the convolutional VAE (Ren et al. B.2, 64x64x3, batch 128) and the robust (l1) linear
 * factorization (full batch, 5,000 x 784, rank 50, Adam 1e-2). Peers: PyTorch, same shapes, loss and optimizer.
 */
async function groupModels(X5000: Float32Array): Promise<void> {
  console.log('\n[1e] RNLF, convolutional VAE and robust factorization: one training step, through the models\' fit');
  const group = 'training step';
  const timedEpochs = Math.max(2, REPEATS);
  const perStep = (recs: { seconds: number }[], steps: number) => recs.slice(1).map((r) => (r.seconds * 1000) / steps);
  // RNLF
  {
    const task = 'RNLF step (b=100)';
    const X = tf.tensor2d(X5000, [5000, 784]);
    try {
      const m = new RNLF({ epochs: 1 + timedEpochs, batchSize: 100, seed: 0, decayEvery: 0 });
      await m.fit(X, { progress: false });
      add({ group, task, impl: 'tfjs: RNLF.fit (CompiledStep: decoder and codes, one graph per step)', kind: 'ours', primary: true, times: perStep(m.history.epochs, 50), quality: `loss ${m.history.epochs.at(-1)!.loss.toFixed(4)}` });
      m.dispose();
    } catch (e) { add({ group, task, impl: 'tfjs: RNLF', kind: 'ours', status: `failed: ${(e as Error).message.split('\n')[0]}` }); }
    X.dispose();
    addPeerRow(group, task, 'torch', runPeer('torch', ['rnlf_step'], { repeats: timedEpochs }).rnlf_step, (r) => `loss ${Number(r.loss).toFixed(4)}`);
  }
  // Convolutional VAE (Ren et al. CelebA architecture) on 512 seeded random 64x64x3 images
  {
    const task = 'Conv VAE step (64x64x3, b=128)';
    const rng = new Rng('bench-convvae');
    const data = rng.uniformArray(512 * 64 * 64 * 3);
    writeInput('convvae_x', data, [512, 64 * 64 * 3]);
    const X = tf.tensor2d(data, [512, 64 * 64 * 3]);
    try {
      const m = new ConvVAE({ epochs: 1 + timedEpochs, batchSize: 128, seed: 0 });
      await m.fit(X, { progress: false });
      add({ group, task, impl: 'tfjs: ConvVAE.fit (CompiledStep)', kind: 'ours', primary: true, times: perStep(m.history.epochs, 4), quality: `loss ${m.history.epochs.at(-1)!.loss.toFixed(1)}` });
      m.dispose();
    } catch (e) { add({ group, task, impl: 'tfjs: ConvVAE', kind: 'ours', status: `failed: ${(e as Error).message.split('\n')[0]}` }); }
    X.dispose();
    addPeerRow(group, task, 'torch', runPeer('torch', ['convvae_step'], { repeats: timedEpochs, timeoutS: 1200 }).convvae_step, (r) => `loss ${Number(r.loss).toFixed(1)}`);
  }
  // Robust (l1) linear factorization, full batch
  {
    const task = 'Robust factorization step (5000 x 784, rank 50)';
    const X = tf.tensor2d(X5000, [5000, 784]);
    try {
      const fitTime = async (iterations: number) => {
        const f = new LinearFactorization({ rank: 50, loss: 'l1', iterations, decayEvery: 0, logEvery: iterations, seed: 0 });
        const t = performance.now();
        await f.fit(X, { progress: false });
        const dt = performance.now() - t;
        f.dispose();
        return dt;
      };
      await fitTime(20);
      const times: number[] = [];
      for (let r = 0; r < timedEpochs; r++) { const a = await fitTime(20), b = await fitTime(120); times.push((b - a) / 100); }
      add({ group, task, impl: 'tfjs: LinearFactorization.fit (l1), (fit of 120 - fit of 20 iterations) / 100', kind: 'ours', primary: true, times });
    } catch (e) { add({ group, task, impl: 'tfjs: LinearFactorization', kind: 'ours', status: `failed: ${(e as Error).message.split('\n')[0]}` }); }
    X.dispose();
    addPeerRow(group, task, 'torch', runPeer('torch', ['rfact_step']).rfact_step, (r) => `loss ${Number(r.loss).toFixed(4)}`);
  }
}

async function groupOuter(kind: 'rda' | 'rvae', X5000: Float32Array): Promise<void> {
  const group = 'outer iteration';
  const inner = 5;
  const task = kind === 'rda' ? `RDA outer iter (${inner} ep)` : `RVAE outer iter (${inner} ep)`;
  console.log(kind === 'rda'
    ? `\n[1c] RDA (Zhou & Paffenroth), l2,1 rows, 784-400-200 tied sigmoid, batch 133, Adam 1e-3: one outer iteration (${inner} inner epochs + prox) on 5,000 MNIST images`
    : `\n[1d] RVAE (Ren et al.), VAE 784-512-256-49, batch 200, Adam 1e-3: one outer iteration (${inner} inner epochs + prox) on 5,000 MNIST images`);
  try {
    const X = tf.tensor2d(X5000, [5000, 784]);
    // The peers time one outer iteration of an already built model; `fit` also builds the network and compiles
    // its training graph (during outer iteration 1). So each repeat runs fit with 3 outer iterations and takes
    // iterations 2 and 3 as the solver times them (history.outer[k].seconds: L = X - S, the inner epochs, L = D(E(L)),
    // the prox and the convergence measures: the peers' work and a little more); the build + first iteration
    // (fit's wall time minus those two) is a second row.
    const first: number[] = [], steady: number[] = [];
    let q = '';
    for (let r = 0; r < Math.max(1, Math.min(REPEATS, 3)); r++) {
      const outer = 3;
      const model = kind === 'rda'
        ? new RobustDeepAutoencoder({ layers: [784, 400, 200], penalty: 'l21-rows', lambda: 0.00095, lambdaConvention: 'code-l21-n', outer, innerEpochs: inner, batchSize: 133, traceObjective: false, tol: 0, seed: r })
        : new RVAE({ outer, innerEpochs: inner, tol: 0, seed: r });
      const t0 = performance.now();
      await model.fit(X, { progress: false });
      const dt = performance.now() - t0;
      const recs = model.history.outer;
      if (recs.length !== outer) throw new Error(`expected ${outer} outer iterations, ran ${recs.length}`);
      const later = recs.slice(1).map((o) => o.seconds * 1000);
      steady.push(...later);
      first.push(dt - later.reduce((a, b) => a + b, 0));
      if (r === 0) q = `last inner loss ${recs[0].lastLoss !== undefined ? recs[0].lastLoss.toFixed(4) : '?'} (outer iteration 1)`;
      model.dispose();
    }
    X.dispose();
    const name = kind === 'rda' ? 'tfjs: library RDA' : 'tfjs: library RVAE';
    add({ group, task, impl: `${name}, outer iterations 2-3 (built model)`, kind: 'ours', times: steady, quality: q, primary: true, flopsPerStep: outerFlops(kind, inner) });
    add({ group, task, impl: `${name}, model build + graph compile + outer iteration 1`, kind: 'ours', times: first, quality: q, flopsPerStep: outerFlops(kind, inner) });
  } catch (e) {
    add({ group, task, impl: 'tfjs', kind: 'ours', status: `failed: ${(e as Error).message.split('\n')[0]}` });
  }
  const reps = Math.max(1, Math.min(REPEATS, 3));
  const torch = runPeer('torch', [`${kind}_outer`], { repeats: reps, timeoutS: 420 * reps })[`${kind}_outer`];
  addPeerRow(group, task, 'torch', torch, (r) => `last inner loss ${Number(r.loss).toFixed(4)}`, outerFlops(kind, inner));
  const keras = runPeer('keras', [`${kind}_outer`], { repeats: reps, timeoutS: 420 * reps })[`${kind}_outer`];
  addPeerRow(group, task, 'keras', keras, (r) => `last inner loss ${Number(r.loss).toFixed(4)}`, outerFlops(kind, inner));
}

async function groupRpca(sizes: number[]): Promise<void> {
  console.log('\n[2] Convex RPCA, inexact ALM (Lin, Chen & Ma 2009), tol 1e-7, rank 10, 10% sparse: time, iterations, error ||L - L0||_F / ||L0||_F');
  for (const n of sizes) {
    const group = 'RPCA', task = `RPCA 784 x ${n}`;
    const d = lowRankPlusSparse({ n1: 784, n2: n, rank: 10, rho: 0.1, seed: `bench-rpca-${n}`, sparseValue: 'sign' });
    const lambda = 1 / Math.sqrt(Math.max(784, n));
    writeInput(`rpca_${n}`, d.X, [784, n], { lambda, tol: 1e-7, maxIter: 1000 });
    writeInput(`rpca_${n}_L0`, d.L0, [784, n]);
    const r = await oursRpca(d, lambda);
    if (r.times) add({ group, task, impl: `ours: ${r.impl}`, kind: 'ours', times: r.times, quality: r.quality, primary: true });
    else add({ group, task, impl: 'ours', kind: 'ours', status: r.why });
    const res = runPeer('numpy', [`rpca_${n}:svd`, `rpca_${n}:gram`], { repeats: 1, timeoutS: 1200 });
    const q = (x: any) => `${x.iterations} it, err ${Number(x.rel_error_L).toExponential(1)}`; // not `error`: that key means "the peer failed"
    addPeerRow(group, task, 'numpy', res[`rpca_${n}:svd`], q, undefined, ' (dense SVD)');
    addPeerRow(group, task, 'numpy', res[`rpca_${n}:gram`], q, undefined, ' (Gram eigh)');
  }
}

/** Our RPCA: src/models/rpca.ts's RobustPCA. */
async function oursRpca(d: LowRankPlusSparse, lambda: number): Promise<{ times?: number[]; quality?: string; impl?: string; why?: string }> {
  try {
    // Rows are samples in this library: the 784 x n matrix D is fitted as X = D^T (n x 784).
    const X = tf.tidy(() => tf.transpose(tf.tensor2d(d.X, [784, d.n2])) as tf.Tensor2D);
    const L0T = tf.tidy(() => tf.transpose(tf.tensor2d(d.L0, [784, d.n2])) as tf.Tensor2D);
    const times: number[] = [];
    let q = '', impl = '';
    for (let r = 0; r < 1; r++) {
      const t0 = performance.now();
      const model = new RobustPCA({ lambda, tol: 1e-7, maxIter: 1000 });
      await model.fit(X, { progress: false });
      times.push(performance.now() - t0);
      const dec = model.decompose();
      const L = dec.L; dec.S.dispose();
      const iters = model.history.outer.length;
      impl = RobustPCA.name;
      model.dispose();
      const err = tf.tidy(() => tf.div(tf.norm(tf.sub(L, L0T)), tf.norm(L0T)).dataSync()[0]);
      q = `${iters} it, err ${err.toExponential(1)}`;
      L.dispose();
    }
    X.dispose(); L0T.dispose();
    return { times, quality: q, impl };
  } catch (e) {
    return { why: `failed: ${(e as Error).message.split('\n')[0]}` };
  }
}

function gaussianFeatures(n: number, d: number, seed: string, shift: number): Float32Array {
  // Correlated Gaussian features: Z (I + 0.5 R / sqrt(d)) + shift, R ~ N(0, 1).
  const rng = new Rng(seed);
  const F = tf.tidy(() => {
    const Z = tf.tensor2d(rng.normalArray(n * d, 0, 1), [n, d]);
    const M = tf.add(tf.eye(d), tf.mul(tf.tensor2d(rng.normalArray(d * d, 0, 1), [d, d]), 0.5 / Math.sqrt(d)));
    return tf.add(tf.matMul(Z, M), shift);
  });
  const out = F.dataSync() as Float32Array; // (not returned from tidy: tidy would walk the typed array)
  F.dispose();
  return out;
}

async function groupFrechet(): Promise<void> {
  console.log('\n[3] Frechet distance between two 10,000-sample feature sets (mean + covariance + trace sqrt term)');
  for (const d of [64, 2048]) {
    const group = 'Frechet', task = `Frechet 10000 x ${d}`;
    const A = gaussianFeatures(10000, d, `bench-fd-a-${d}`, 0), B = gaussianFeatures(10000, d, `bench-fd-b-${d}`, 0.05);
    writeInput(`frechet_${d}_a`, A, [10000, d]);
    writeInput(`frechet_${d}_b`, B, [10000, d]);
    // The small set is fast: medians over >= 20 calls after 2 warm-up calls (the peer warms up in its thread probe).
    const reps = d > 1000 ? Math.min(REPEATS, 3) : Math.max(REPEATS, 20);
    const warm = d > 1000 ? 0 : 2;
    let ourValue = NaN;
    const times: number[] = [];
    for (let r = 0; r < warm + reps; r++) {
      const Ta = tf.tensor2d(A, [10000, d]), Tb = tf.tensor2d(B, [10000, d]);
      const t0 = performance.now();
      ourValue = frechetDistanceFromFeatures(Ta, Tb);
      if (r >= warm) times.push(performance.now() - t0);
      Ta.dispose(); Tb.dispose();
    }
    add({ group, task, impl: 'ours: frechetDistanceFromFeatures', kind: 'ours', times, quality: `value ${ourValue.toPrecision(10)}`, primary: true });
    const res = runPeer('numpy', [`frechet_${d}`], { repeats: reps })[`frechet_${d}`];
    addPeerRow(group, task, 'numpy', res, (x) => `value ${Number(x.value).toPrecision(10)}${Number.isFinite(ourValue) ? `  |diff|/value ${(Math.abs(ourValue - x.value) / Math.abs(x.value)).toExponential(1)}` : ''}`, undefined, ' (scipy.linalg.sqrtm)');
  }
}

async function groupForests(outX: Float32Array, outY: Int32Array): Promise<void> {
  console.log('\n[4] Forests on the 5,124 x 784 outlier set (Zhou & Paffenroth): IsolationForest (100 trees) fit+predict on all rows; RandomForest (50 trees) fit on even rows, predict odd rows');
  writeInput('outlier_X', outX, [outY.length, 784]);
  writeInput('outlier_y', outY, [outY.length]);
  const res = runPeer('sklearn', ['iforest', 'rforest']);
  const contamination = outY.reduce((s, v) => s + v, 0) / outY.length;
  // Isolation forest
  {
    const group = 'forests', task = 'IsolationForest fit+predict';
    const r = await oursForest('iforest', outX, outY, contamination);
    if (r.times) add({ group, task, impl: `ours: ${r.impl}`, kind: 'ours', times: r.times, quality: r.quality, primary: true });
    else add({ group, task, impl: 'ours', kind: 'ours', status: r.why });
    addPeerRow(group, task, 'sklearn', res.iforest, (x) => `F1 ${Number(x.f1).toFixed(3)}`);
  }
  {
    const group = 'forests', task = 'RandomForest fit+predict';
    // the peer's thread count (scikit-learn n_jobs = --threads): nJobs = THREADS, the worker pool started before
    // timing (as the peer's import is outside its timing)
    const threads = warmForestPool(THREADS);
    const r = await oursForest('rforest', outX, outY, contamination, { nJobs: THREADS });
    if (r.times) add({ group, task, impl: `ours: ${r.impl}`, kind: 'ours', times: r.times, quality: `${r.quality}, ${threads} thread${threads === 1 ? '' : 's'}`, primary: true });
    else add({ group, task, impl: 'ours', kind: 'ours', status: r.why });
    addPeerRow(group, task, 'sklearn', res.rforest, (x) => `acc ${Number(x.accuracy).toFixed(3)}, F1 ${Number(x.f1).toFixed(3)}`);
  }
}

function f1Of(pred: ArrayLike<number>, y: ArrayLike<number>): { f1: number; acc: number } {
  let tp = 0, fp = 0, fn = 0, ok = 0;
  for (let i = 0; i < y.length; i++) { const p = pred[i] ? 1 : 0; if (p && y[i]) tp++; else if (p) fp++; else if (y[i]) fn++; if (p === (y[i] ? 1 : 0)) ok++; }
  return { f1: tp ? (2 * tp) / (2 * tp + fp + fn) : 0, acc: ok / y.length };
}

/** Our forests: src/models/baselines' IsolationForest and RandomForestClassifier. */
async function oursForest(which: 'iforest' | 'rforest', X: Float32Array, y: Int32Array, contamination: number, extra: { nJobs?: number } = {}): Promise<{ times?: number[]; quality?: string; impl?: string; why?: string }> {
  try {
    const n = y.length, d = 784;
    const times: number[] = [];
    let q = '';
    for (let r = 0; r < REPEATS; r++) {
      if (which === 'iforest') {
        const Xt = tf.tensor2d(X, [n, d]);
        const t0 = performance.now();
        const model = new IsolationForest({ nEstimators: 100, contamination, seed: r });
        model.fit(Xt);
        const pred = model.predict(Xt); // 1 = outlier
        times.push(performance.now() - t0);
        const s = f1Of(pred, y);
        q = `F1 ${s.f1.toFixed(3)}`;
        Xt.dispose(); model.dispose();
      } else {
        const tr: number[] = [], te: number[] = [];
        for (let i = 0; i < n; i++) (i % 2 ? te : tr).push(i);
        const rowsOf = (idx: number[]) => { const o = new Float32Array(idx.length * d); idx.forEach((k, i) => o.set(X.subarray(k * d, (k + 1) * d), i * d)); return o; };
        const Xtr = tf.tensor2d(rowsOf(tr), [tr.length, d]), Xte = tf.tensor2d(rowsOf(te), [te.length, d]);
        const ytr = Int32Array.from(tr, (k) => y[k]), yte = Int32Array.from(te, (k) => y[k]);
        const t0 = performance.now();
        const model = new RandomForestClassifier({ nEstimators: 50, seed: r, ...extra });
        model.fit(Xtr, ytr);
        const pred = model.predict(Xte);
        times.push(performance.now() - t0);
        const s = f1Of(pred, yte);
        q = `acc ${s.acc.toFixed(3)}, F1 ${s.f1.toFixed(3)}`;
        Xtr.dispose(); Xte.dispose(); model.dispose();
      }
    }
    return { times, quality: q, impl: which === 'iforest' ? IsolationForest.name : RandomForestClassifier.name };
  } catch (e) {
    return { why: `failed: ${(e as Error).message.split('\n')[0]}` };
  }
}

function groupNotebooks(): void {
  console.log('\n[5] `npm run reproduce` wall time per notebook (targets: smoke <= 10 min in all, quick <= 60 min in all, on 2 cores)');
  if (flag('notebooks')) {
    for (const scale of ['smoke', 'quick']) {
      console.log(`  running npm run reproduce -- --scale ${scale} ...`);
      spawnSync('npm', ['run', 'reproduce', '--', '--scale', scale], { cwd: ROOT, stdio: 'inherit' });
    }
  }
  const nbDir = path.join(ROOT, 'notebooks');
  const all = fs.existsSync(nbDir) ? fs.readdirSync(nbDir).filter((f) => f.endsWith('.ipynb')).map((f) => f.replace(/\.ipynb$/, '')).sort() : [];
  for (const scale of ['smoke', 'quick']) {
    const found = reproduceTimings(scale);
    let total = 0, missing = 0, failed = 0;
    for (const name of all.length ? all : Object.keys(found).sort()) {
      const t = found[name];
      if (!t) {
        missing++;
        add({ group: 'notebooks', task: `${scale}: ${name}`, impl: 'npm run reproduce', kind: 'ours', status: `MISSING: no wall time recorded at ${scale} scale (run \`npm run reproduce -- --scale ${scale} --only ${name}\`, or \`npm run bench -- --notebooks\`)` });
        continue;
      }
      total += t.seconds;
      if (!t.ok) failed++;
      add({ group: 'notebooks', task: `${scale}: ${name}`, impl: `npm run reproduce (${t.source})`, kind: 'ours', times: [t.seconds * 1000], quality: `${t.ok ? 'ok' : 'FAILED'}${t.when ? `, run ${t.when} UTC` : ''}${t.load !== undefined ? `, load ${t.load.toFixed(1)}` : ''}`, load1: t.load ?? NaN });
    }
    const target = scale === 'smoke' ? 10 : 60;
    const n = all.length || Object.keys(found).length;
    add({
      group: 'notebooks', task: `${scale}: all ${n} notebooks`, impl: 'npm run reproduce (sum)', kind: 'ours', times: n - missing > 0 ? [total * 1000] : undefined,
      status: n - missing > 0 ? undefined : `MISSING: no notebook timed at ${scale} scale`, load1: NaN,
      quality: missing ? `INCOMPLETE: ${missing} of ${n} notebooks have no recorded time; target <= ${target} min on 2 cores not assessable (${(total / 60).toFixed(1)} min for the others)`
        : `target <= ${target} min on 2 cores: ${total / 60 <= target && !failed ? 'met' : 'NOT met'} (${(total / 60).toFixed(1)} min${failed ? `, ${failed} failed` : ''})`,
    });
  }
}

/**
 * Per-notebook wall times of the latest `npm run reproduce` at a scale: results/<scale>/timings.json (written by
 * scripts/reproduce.ts after every notebook), else the per-notebook results/<scale>/logs/<name>.report.json.
 */
function reproduceTimings(scale: string): Record<string, { seconds: number; ok: boolean; when?: string; load?: number; source: string }> {
  const out: Record<string, { seconds: number; ok: boolean; when?: string; load?: number; source: string }> = {};
  const dir = path.join(ROOT, 'results', scale, 'logs');
  if (fs.existsSync(dir)) {
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.report.json'))) {
      try {
        const j = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
        const when = fs.statSync(path.join(dir, f)).mtime.toISOString().slice(0, 16).replace('T', ' ');
        if (Number.isFinite(Number(j.seconds))) out[f.replace(/\.report\.json$/, '')] = { seconds: Number(j.seconds), ok: !!j.ok, when, source: path.relative(ROOT, path.join(dir, f)) };
      } catch { /* unreadable report */ }
    }
  }
  const tfile = path.join(ROOT, 'results', scale, 'timings.json');
  try {
    const j = JSON.parse(fs.readFileSync(tfile, 'utf8'));
    for (const [name, t] of Object.entries<any>(j.notebooks ?? {})) {
      // The notebook's own run plus its cells' worker pool, when the pool ran first (poolSeconds).
      if (Number.isFinite(Number(t.seconds))) out[name] = { seconds: Number(t.seconds) + (Number.isFinite(Number(t.poolSeconds)) ? Number(t.poolSeconds) : 0), ok: !!t.ok && t.poolOk !== false, when: String(t.finished ?? '').slice(0, 16).replace('T', ' '), load: Array.isArray(t.loadavg) ? Number(t.loadavg[0]) : undefined, source: path.relative(ROOT, tfile) };
    }
  } catch { /* no timings file yet */ }
  return out;
}

// ================================================================================================ output
async function writeOutputs(meta: Record<string, unknown>, quiet = false): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const csvRows = [['group', 'task', 'impl', 'kind', 'median_ms', 'min_ms', 'max_ms', 'samples', 'ratio_ours_over_peer', 'gflops', 'pct_of_peak', 'load1', 'quality', 'status'].join(',')];
  const q = (s: unknown) => { const t = String(s ?? ''); return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t; };
  const chart: Record<string, unknown>[] = [];
  for (const r of rows) {
    const s = r.times?.length ? stats(r.times) : null;
    const ours = rows.find((o) => o.task === r.task && o.primary && o.times?.length);
    const ratio = s && r.kind === 'peer' && ours ? stats(ours.times!).median / s.median : s && r.kind === 'ours' && ours && ours !== r ? s.median / stats(ours.times!).median : null;
    const gf = s && r.flopsPerStep ? r.flopsPerStep / (s.median / 1000) / 1e9 : null;
    csvRows.push([r.group, r.task, r.impl, r.kind, s?.median.toFixed(3), s?.min.toFixed(3), s?.max.toFixed(3), s?.n, ratio?.toFixed(3), gf?.toFixed(2), gf ? ((100 * gf) / (meta.peakGflops as number)).toFixed(1) : '', r.load1 !== undefined && Number.isFinite(r.load1) ? r.load1.toFixed(2) : '', r.quality, r.status].map(q).join(','));
    if (r.kind === 'peer' && ratio) chart.push({ task: r.task, peer: r.impl, ratio: Number(ratio.toFixed(3)) });
  }
  fs.writeFileSync(path.join(OUT, 'bench.csv'), csvRows.join('\n') + '\n');
  fs.writeFileSync(path.join(OUT, 'bench.json'), JSON.stringify({ meta, rows: rows.map((r) => ({ ...r, ...(r.times?.length ? stats(r.times) : {}) })) }, null, 1));
  const subtitle = `${meta.cpu}, ${meta.cores} cores, ${meta.date}; < 1 = this workspace is faster (same run)`;
  let spec: VegaLiteSpec;
  try {
    spec = bars({ data: chart, x: 'task', y: 'ratio', series: 'peer', horizontal: true, text: '.2f', title: 'Time ratio: this workspace / peer', subtitle, xTitle: '', yTitle: 'ours / peer (median time)', seriesTitle: 'peer' });
  } catch {
    spec = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title: { text: 'Time ratio: this workspace / peer', subtitle }, data: { values: chart }, mark: 'bar', encoding: { y: { field: 'task', type: 'nominal' }, yOffset: { field: 'peer' }, x: { field: 'ratio', type: 'quantitative' }, color: { field: 'peer' } } };
  }
  // The 1.0 line (parity).
  const withRule: VegaLiteSpec = { ...spec, layer: [...((spec.layer as unknown[]) ?? [{ mark: spec.mark, encoding: spec.encoding }]), { mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3] }, encoding: { x: { datum: 1 } } }] };
  delete withRule.mark; delete withRule.encoding;
  fs.writeFileSync(path.join(OUT, 'bench.vl.json'), JSON.stringify(withRule, null, 1));
  try {
    if (chart.length === 0) { if (!quiet) console.log('\nchart: no ratio yet (no row has both ours and a peer)'); }
    else {
      const r = await save(withRule, path.join(OUT, 'bench'));
      if (!quiet) console.log(`\nchart: ${path.relative(ROOT, r.svgPath)}, ${path.relative(ROOT, r.pngPath)}`);
    }
  } catch (e) {
    if (!quiet) console.log(`\nchart: rendering failed (${(e as Error).message.split('\n')[0]}); the vega-lite spec is in ${path.relative(ROOT, path.join(OUT, 'bench.vl.json'))}`);
  }
  if (!quiet) console.log(`table: ${path.relative(ROOT, path.join(OUT, 'bench.csv'))}`);
}

// ================================================================================================ main
async function main(): Promise<void> {
  const t0 = Date.now();
  const backend = await initBackend();
  const mc = machine();
  console.log(`npm run bench  ${new Date().toISOString()}`);
  console.log(`machine: ${mc.model}, ${mc.cores} cores @ ${mc.mhz.toFixed(0)} MHz, ${mc.simd}: fp32 peak ${mc.peakGflops.toFixed(0)} GFLOP/s (${mc.cores} x ${(mc.mhz / 1000).toFixed(2)} GHz x ${mc.flopsPerCycle} flop/cycle); load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`ours: ${backendInfo()}; TensorFlow in tfjs-node uses its default thread pools (intra-op = inter-op = ${mc.cores}, all cores); fused kernels ${fusedAvailable() ? 'on' : 'off (not the native backend)'}`);
  console.log(`peers: ${THREADS} threads (torch.set_num_threads / set_num_interop_threads, TF intra/inter-op, OMP/OpenBLAS/MKL); steps ${STEPS} timed after ${WARMUP} warm-up; slow rows ${REPEATS} repeat(s)`);
  if (backend !== 'tensorflow') console.log('WARNING: not on the native TensorFlow backend: our training rows will be slow.');

  inputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rml-bench-'));
  if (!NO_PEERS) probePeers();

  // Shared inputs: MNIST training images (first 5,000), the outlier mix.
  const train = loadMnistSync({ split: 'train' });
  const X5000 = train.images.slice(0, 5000 * 784) as Float32Array;
  writeInput('mlp_x', X5000.slice(0, 200 * 784), [200, 784]);
  writeInput('conv_x', X5000.slice(0, 100 * 784), [100, 784]);
  writeInput('mnist5000', X5000, [5000, 784]);

  const meta = () => ({ date: new Date().toISOString(), cpu: mc.model, cores: mc.cores, mhz: mc.mhz, peakGflops: mc.peakGflops, simd: mc.simd, backend: backendInfo(), threads: THREADS, steps: STEPS, warmup: WARMUP, repeats: REPEATS, loadavg: os.loadavg(), peers: peerInfo, seconds: (Date.now() - t0) / 1000 });
  // The CSV and chart are rewritten after every group, so an interrupted run keeps what it measured.
  const groups: [string, () => Promise<void> | void][] = [
    ['mlp', () => groupMlp(X5000.slice(0, 200 * 784))],
    ['conv', () => groupConv(X5000.slice(0, 100 * 784))],
    ['models', () => groupModels(X5000)],
    ['rda', () => groupOuter('rda', X5000)],
    ['rvae', () => groupOuter('rvae', X5000)],
    ['rpca', () => groupRpca(QUICK ? [5000] : [5000, 10000])],
    ['frechet', () => groupFrechet()],
    ['forest', async () => {
      const mix = outlierMix({ set: train, inlierClass: 4, seed: 'bench-outliers' });
      await groupForests(mix.set.images, Int32Array.from(mix.isOutlier));
    }],
    ['notebooks', () => groupNotebooks()],
  ];
  for (const [name, run] of groups) {
    if (!want(name)) continue;
    await run();
    await writeOutputs(meta(), true);
  }
  await writeOutputs(meta());
  if (!flag('keep-inputs')) fs.rmSync(inputDir, { recursive: true, force: true });
  else console.log(`inputs kept in ${inputDir}`);
  console.log(`bench done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e) => { console.error(e); process.exit(1); });
