/**
 * The "pretrained classifier" (PC) for MNIST and Fashion-MNIST: the judge of generated / reconstructed images
 * (Li et al. 2020 Sec. 5 classify reconstructions with a classifier trained on clean data) and, through its
 * penultimate layer, the offline FID feature network of this workspace.
 *
 * A small CNN (Keras MNIST-example style): conv3x3(32, relu) - maxpool2 - conv3x3(64, relu) - maxpool2 -
 * dense(128, relu) ["features"] - dropout(0.5) - dense(10, softmax), Adam 1e-3, batch 128, trained on CLEAN
 * TRAINING images at first use with a seeded shuffle / initialisation, then cached under
 * `data/models/pc-<dataset>/<config>/` (model.json + weights.bin + info.json with test accuracy, seed, epochs,
 * training size, data, date). The config key contains every training setting, so a smoke run with a small
 * `trainSize` never shadows the full model.
 *
 * The feature net's name says what it is ("PC-mnist penultimate (128-d)"): FIDs computed with it are NOT
 * comparable to published Inception FIDs.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { tf } from '../backend';
import { Rng } from '../random';
import { InputError, assertInt, assertMatrix, assertOneOf } from '../validate';
import { dataRoot } from '../data/paths';
import { loadMnist } from '../data/mnist';
import { loadFashionMnist } from '../data/fashion-mnist';
import { ImageSet, toMatrix } from '../data/images';
import { FeatureNet } from '../metrics/fid';
import { Progress } from '../progress';

export type PcDataset = 'mnist' | 'fashion-mnist';
export const PC_DATASETS: readonly PcDataset[] = ['mnist', 'fashion-mnist'];
const ARCH = 'conv32-pool-conv64-pool-dense128-dropout0.5-dense10';
const VERSION = 1;

export interface ClassifierOptions {
  /** Training epochs (default 3). */
  epochs?: number;
  /** Training images (default: all 60,000). A seeded random subset when smaller. */
  trainSize?: number;
  /** Seed of the subset, the initialisation, the dropout and the shuffling (default 0). */
  seed?: number;
  batchSize?: number;
  /** Test images used for the recorded accuracy (default all 10,000). */
  testSize?: number;
  /** Print progress while training (default true). */
  progress?: boolean;
  /** Cache root (default <data>/models). */
  cacheDir?: string;
  /** Ignore the cache and train again. */
  retrain?: boolean;
}

export interface ClassifierInfo {
  dataset: PcDataset;
  architecture: string;
  version: number;
  epochs: number;
  trainSize: number;
  batchSize: number;
  seed: number;
  testAccuracy: number;
  testSize: number;
  trainSeconds: number;
  trainedAt: string;
  backend: string;
  tfjs: string;
  /** The folder the model lives in. */
  dir: string;
}

export class Classifier {
  readonly featureNet: FeatureNet;
  private readonly featureModel: tf.LayersModel;
  constructor(readonly model: tf.LayersModel, readonly info: ClassifierInfo) {
    this.featureModel = tf.model({ inputs: model.inputs, outputs: model.getLayer('features').output as tf.SymbolicTensor });
    this.featureNet = { name: `PC-${info.dataset} penultimate (128-d)`, features: (x) => this.features(x) };
  }

  private check(x: unknown, fn: string): asserts x is tf.Tensor2D {
    assertMatrix(x, `Classifier.${fn}: x`, { cols: 784, finite: false });
  }

  /** Class probabilities, n x 10 (caller disposes). */
  probabilities(x: tf.Tensor2D, batchSize = 1000): tf.Tensor2D {
    this.check(x, 'probabilities');
    return tf.tidy(() => this.model.predict(x.reshape([-1, 28, 28, 1]), { batchSize }) as tf.Tensor2D);
  }

  /** Predicted labels of n images (n x 784, values in [0, 1]). */
  predict(x: tf.Tensor2D, batchSize = 1000): Int32Array {
    const p = this.probabilities(x, batchSize);
    const a = tf.tidy(() => p.argMax(1));
    const out = Int32Array.from(a.dataSync());
    tf.dispose([p, a]);
    return out;
  }

  /** Fraction of images whose predicted label equals `labels`. */
  accuracy(x: tf.Tensor2D, labels: ArrayLike<number>): number {
    if (labels.length !== x.shape[0]) throw new InputError(`Classifier.accuracy: ${x.shape[0]} images but ${labels.length} labels`);
    const p = this.predict(x);
    let ok = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === labels[i]) ok++;
    return ok / p.length;
  }

  /** Penultimate-layer features (n x 128, after ReLU): the FID feature net (caller disposes). */
  features(x: tf.Tensor2D, batchSize = 1000): tf.Tensor2D {
    this.check(x, 'features');
    return tf.tidy(() => this.featureModel.predict(x.reshape([-1, 28, 28, 1]), { batchSize }) as tf.Tensor2D);
  }

  dispose(): void { this.model.dispose(); }
}

export function buildClassifierModel(seed = 0): tf.LayersModel {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 100 + k });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(3), name: 'features' }),
      tf.layers.dropout({ rate: 0.5, seed: seed * 100 + 4 }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(5) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function loadSet(dataset: PcDataset, split: 'train' | 'test', n: number | undefined, seed: number): Promise<ImageSet> {
  const opts = n === undefined ? { split } : { split, n, seed };
  return dataset === 'mnist' ? loadMnist(opts) : loadFashionMnist(opts);
}

function configKey(c: { epochs: number; trainSize: number; seed: number; batchSize: number }): string {
  return `v${VERSION}-e${c.epochs}-n${c.trainSize}-s${c.seed}-b${c.batchSize}`;
}

/** Saves a layers model as model.json + weights.bin with plain fs (works on every backend). */
/** Writes a file whole or not at all for every reader (another process, another node on a shared file system). */
function writeAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.tmp-${os.hostname()}-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (art) => {
    const weights = art.weightData as ArrayBuffer;
    writeAtomic(path.join(dir, 'weights.bin'), Buffer.from(weights));
    const json = { modelTopology: art.modelTopology, format: art.format, generatedBy: art.generatedBy, convertedBy: art.convertedBy,
      weightsManifest: [{ paths: ['weights.bin'], weights: art.weightSpecs }] };
    writeAtomic(path.join(dir, 'model.json'), JSON.stringify(json));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

async function loadModel(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const buf = fs.readFileSync(path.join(dir, 'weights.bin'));
  const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData }));
}

/**
 * The pretrained classifier of a data set: loaded from the cache, or trained on clean training data (and cached)
 * at first use. Default budget: 3 epochs on all 60,000 images.
 */
export async function getClassifier(dataset: PcDataset, opts: ClassifierOptions = {}): Promise<Classifier> {
  assertOneOf(dataset, 'getClassifier: dataset', PC_DATASETS);
  const epochs = opts.epochs ?? 3, trainSize = opts.trainSize ?? 60000, seed = opts.seed ?? 0, batchSize = opts.batchSize ?? 128;
  const testSize = opts.testSize ?? 10000;
  assertInt(epochs, 'getClassifier: epochs'); assertInt(trainSize, 'getClassifier: trainSize', 10, 60000);
  assertInt(batchSize, 'getClassifier: batchSize'); assertInt(testSize, 'getClassifier: testSize', 1, 10000);
  const key = configKey({ epochs, trainSize, seed, batchSize });
  const dir = path.join(opts.cacheDir ?? path.join(dataRoot(), 'models'), `pc-${dataset}`, key);
  const infoFile = path.join(dir, 'info.json');
  const cached = () => fs.existsSync(infoFile) && fs.existsSync(path.join(dir, 'weights.bin'));
  const load = async () => new Classifier(await loadModel(dir), { ...(JSON.parse(fs.readFileSync(infoFile, 'utf8')) as ClassifierInfo), dir });
  if (!opts.retrain && cached()) return load();
  // One trainer per cache entry: another process (on this machine or another node sharing the folder) training
  // the same config holds `.training.lock` ("host pid"); wait for it. A lock of this host whose process is gone is
  // stale; one of another host is trusted for 6 hours (its process cannot be checked from here).
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, '.training.lock');
  const host = os.hostname();
  for (;;) {
    try { fs.writeFileSync(lock, `${host} ${process.pid}`, { flag: 'wx' }); break; } catch { /* held */ }
    let alive = false;
    try {
      const parts = fs.readFileSync(lock, 'utf8').trim().split(/\s+/);
      const [h, pid] = parts.length >= 2 ? parts : [host, parts[0]]; // a lock of the older "pid" form: this host
      const fresh = Date.now() - fs.statSync(lock).mtimeMs < 6 * 3600e3;
      if (h !== host) alive = fresh;
      else { process.kill(Number(pid), 0); alive = fresh; }
    } catch { alive = false; }
    if (!alive) { try { fs.unlinkSync(lock); } catch { /* raced */ } continue; }
    if (opts.progress !== false) console.log(`PC-${dataset}: another process is training ${dir}; waiting for it`);
    while (fs.existsSync(lock)) await new Promise((r) => setTimeout(r, 2000));
    if (!opts.retrain && cached()) return load();
  }
  try {
    return await trainAndCache(dataset, dir, infoFile, { epochs, trainSize, seed, batchSize, testSize, show: opts.progress !== false });
  } finally {
    try { fs.unlinkSync(lock); } catch { /* already gone */ }
  }
}

async function trainAndCache(dataset: PcDataset, dir: string, infoFile: string, o: { epochs: number; trainSize: number; seed: number; batchSize: number; testSize: number; show: boolean }): Promise<Classifier> {
  const { epochs, trainSize, seed, batchSize, testSize, show } = o;
  const train = await loadSet(dataset, 'train', trainSize < 60000 ? trainSize : undefined, seed);
  const model = buildClassifierModel(seed);
  const rng = new Rng(seed).fork('pc-shuffle');
  const X = tf.tidy(() => toMatrix(train).reshape([-1, 28, 28, 1])) as tf.Tensor4D;
  const y = tf.tensor1d(Float32Array.from(train.labels));
  const t0 = Date.now();
  const bar = show ? new Progress(epochs, `PC-${dataset} training (${train.n} images)`) : null;
  try {
    for (let e = 0; e < epochs; e++) {
      const perm = tf.tensor1d(rng.permutation(train.n), 'int32');
      const Xe = tf.gather(X, perm), ye = tf.gather(y, perm);
      perm.dispose();
      const h = await model.fit(Xe, ye, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
      tf.dispose([Xe, ye]);
      bar?.tick({ loss: Number((h.history.loss[0] as number).toFixed(4)), acc: Number((h.history.acc?.[0] as number ?? NaN).toFixed(4)) });
    }
  } finally { tf.dispose([X, y]); bar?.done(); }
  const trainSeconds = (Date.now() - t0) / 1000;
  const test = await loadSet(dataset, 'test', testSize < 10000 ? testSize : undefined, seed);
  const info: ClassifierInfo = {
    dataset, architecture: ARCH, version: VERSION, epochs, trainSize: train.n, batchSize, seed, testAccuracy: NaN, testSize: test.n,
    trainSeconds, trainedAt: new Date().toISOString(), backend: tf.getBackend(), tfjs: tf.version.tfjs, dir,
  };
  const clf = new Classifier(model, info);
  const Xt = toMatrix(test);
  info.testAccuracy = clf.accuracy(Xt, test.labels);
  Xt.dispose();
  await saveModel(model, dir);
  writeAtomic(infoFile, JSON.stringify(info, null, 2)); // last: a cache entry is complete once info.json exists
  if (show) console.log(`PC-${dataset}: test accuracy ${(100 * info.testAccuracy).toFixed(2)}% on ${test.n} images after ${epochs} epoch(s) on ${train.n} (${trainSeconds.toFixed(0)} s); cached in ${dir}`);
  return clf;
}
