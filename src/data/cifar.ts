/**
 * CIFAR-10 and CIFAR-100 (Krizhevsky 2009) from the official binary versions
 * (https://www.cs.toronto.edu/~kriz/cifar.html):
 * - `data/cifar-10-batches-bin/`: data_batch_1.bin .. data_batch_5.bin (train, 10,000 records each) and
 *   test_batch.bin; a record is 1 label byte + 3,072 pixel bytes.
 * - `data/cifar-100-binary/`: train.bin (50,000) and test.bin (10,000); a record is 1 coarse-label byte,
 *   1 fine-label byte + 3,072 pixel bytes.
 * The 3,072 bytes of an image are channel-major (1,024 red, then green, then blue, each 32x32 row-major); they are
 * reordered here to HWC (row, column, channel) and divided by 255. When a folder is missing, the official tarball
 * is downloaded and unpacked into the data folder (needs network; `download: false` or RML_NO_DOWNLOAD=1 turns it
 * off); otherwise the error names the folder and files to provide. Parsed sets are cached per process.
 */
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { applyLoadOptions, ImageSet, SubsetOptions } from './images';
import { copySet, checkSplit, DataSplit } from './mnist';
import { dataRoot } from './paths';
import { assertOneOf } from '../validate';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export const CIFAR100_COARSE_CLASSES = ['aquatic_mammals', 'fish', 'flowers', 'food_containers', 'fruit_and_vegetables',
  'household_electrical_devices', 'household_furniture', 'insects', 'large_carnivores', 'large_man-made_outdoor_things',
  'large_natural_outdoor_scenes', 'large_omnivores_and_herbivores', 'medium_mammals', 'non-insect_invertebrates', 'people',
  'reptiles', 'small_mammals', 'trees', 'vehicles_1', 'vehicles_2'];

export const CIFAR100_FINE_CLASSES = ['apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle',
  'bottle', 'bowl', 'boy', 'bridge', 'bus', 'butterfly', 'camel', 'can', 'castle', 'caterpillar', 'cattle', 'chair',
  'chimpanzee', 'clock', 'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup', 'dinosaur', 'dolphin', 'elephant',
  'flatfish', 'forest', 'fox', 'girl', 'hamster', 'house', 'kangaroo', 'keyboard', 'lamp', 'lawn_mower', 'leopard', 'lion',
  'lizard', 'lobster', 'man', 'maple_tree', 'motorcycle', 'mountain', 'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid',
  'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree', 'plain', 'plate', 'poppy', 'porcupine', 'possum', 'rabbit',
  'raccoon', 'ray', 'road', 'rocket', 'rose', 'sea', 'seal', 'shark', 'shrew', 'skunk', 'skyscraper', 'snail', 'snake',
  'spider', 'squirrel', 'streetcar', 'sunflower', 'sweet_pepper', 'table', 'tank', 'telephone', 'television', 'tiger',
  'tractor', 'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale', 'willow_tree', 'wolf', 'woman', 'worm'];

const SIDE = 32;
const PIXELS = SIDE * SIDE * 3;

export const CIFAR_SOURCES = {
  cifar10: {
    folder: 'cifar-10-batches-bin',
    url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
    files: { train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'], test: ['test_batch.bin'] },
    labelBytes: 1,
  },
  cifar100: {
    folder: 'cifar-100-binary',
    url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz',
    files: { train: ['train.bin'], test: ['test.bin'] },
    labelBytes: 2,
  },
} as const;

export interface CifarLoadOptions extends SubsetOptions {
  split?: DataSplit;
  /** Folder holding the .bin files (default: <data>/cifar-10-batches-bin or <data>/cifar-100-binary). */
  dir?: string;
  /** Download the official tarball when the files are missing (default true unless RML_NO_DOWNLOAD=1). */
  download?: boolean;
  /** Download time limit in ms (default 20,000 for the connection / idle time). */
  timeoutMs?: number;
}

export interface Cifar100LoadOptions extends CifarLoadOptions {
  /** Which label to return: 'fine' (100 classes, default) or 'coarse' (20 superclasses). */
  label?: 'fine' | 'coarse';
}

/** Parses concatenated CIFAR binary records into HWC floats in [0, 1]. */
export function parseCifarRecords(buffers: { buf: Uint8Array; file: string }[], labelBytes: 1 | 2, labelIndex: 0 | 1, name: string, classes?: string[]): ImageSet {
  const rec = labelBytes + PIXELS;
  let n = 0;
  for (const { buf, file } of buffers) {
    if (buf.length === 0 || buf.length % rec !== 0) {
      throw new Error(`${file}: size ${buf.length} bytes is not a whole number of ${rec}-byte CIFAR records (${labelBytes} label byte${labelBytes > 1 ? 's' : ''} + 3072 pixels): truncated or not a CIFAR${labelBytes === 1 ? '-10' : '-100'} binary file`);
    }
    n += buf.length / rec;
  }
  const images = new Float32Array(n * PIXELS);
  const labels = new Int32Array(n);
  const plane = SIDE * SIDE;
  let k = 0;
  for (const { buf } of buffers) {
    const m = buf.length / rec;
    for (let r = 0; r < m; r++, k++) {
      const o = r * rec;
      labels[k] = buf[o + labelIndex];
      const px = o + labelBytes;
      const out = k * PIXELS;
      for (let p = 0; p < plane; p++) {
        images[out + 3 * p] = buf[px + p] / 255;
        images[out + 3 * p + 1] = buf[px + plane + p] / 255;
        images[out + 3 * p + 2] = buf[px + 2 * plane + p] / 255;
      }
    }
  }
  if (classes) {
    for (let i = 0; i < n; i++) if (labels[i] >= classes.length) throw new Error(`${name}: label ${labels[i]} of record ${i} is out of range (${classes.length} classes): not a CIFAR file of this kind`);
  }
  return { images, labels, n, height: SIDE, width: SIDE, channels: 3, name, classes };
}

/** Downloads a URL to a file (https, following redirects), with a connection/idle timeout. */
export function downloadFile(url: string, dest: string, timeoutMs = 20000, redirects = 5): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { timeout: timeoutMs }, (res) => {
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && res.headers.location && redirects > 0) {
        res.resume();
        downloadFile(new URL(res.headers.location, url).toString(), dest, timeoutMs, redirects - 1).then(resolve, reject);
        return;
      }
      if (res.statusCode !== 200) { res.resume(); reject(new Error(`GET ${url}: HTTP ${res.statusCode}`)); return; }
      const tmp = `${dest}.part`;
      const expected = Number(res.headers['content-length'] ?? NaN);
      let got = 0;
      const out = fs.createWriteStream(tmp);
      res.on('data', (chunk: Buffer) => { got += chunk.length; });
      res.pipe(out);
      res.on('error', (e) => { out.destroy(); fs.rmSync(tmp, { force: true }); reject(e); });
      out.on('finish', () => {
        out.close(() => {
          if (Number.isFinite(expected) && got !== expected) { fs.rmSync(tmp, { force: true }); reject(new Error(`GET ${url}: got ${got} of ${expected} bytes`)); return; }
          fs.renameSync(tmp, dest); resolve();
        });
      });
      out.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no response within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

const cache = new Map<string, ImageSet>();

function missingError(kind: 'cifar10' | 'cifar100', dir: string, missing: string[], why: string): Error {
  const src = CIFAR_SOURCES[kind];
  const all = [...src.files.train, ...src.files.test];
  return new Error(`${kind === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} not found: missing ${missing.join(', ')} in ${dir}.\n` +
    `Put the official binary files (${all.join(', ')}) into ${dir}: unpack ${src.url} (it contains the folder ${src.folder}/) into ${path.dirname(dir)}.\n` +
    `Automatic download: ${why}`);
}

async function ensureFiles(kind: 'cifar10' | 'cifar100', dir: string, files: readonly string[], opts: CifarLoadOptions): Promise<void> {
  const missing = () => files.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing().length === 0) return;
  const allowed = opts.download ?? process.env.RML_NO_DOWNLOAD !== '1';
  if (!allowed) throw missingError(kind, dir, missing(), 'turned off (download: false or RML_NO_DOWNLOAD=1).');
  const src = CIFAR_SOURCES[kind];
  if (path.basename(dir) !== src.folder) throw missingError(kind, dir, missing(), `not attempted, the folder is not named ${src.folder}.`);
  const parent = path.dirname(dir);
  const tgz = path.join(parent, path.basename(src.url));
  try {
    fs.mkdirSync(parent, { recursive: true });
    if (!fs.existsSync(tgz)) {
      console.log(`downloading ${src.url} (${kind === 'cifar10' ? '162' : '161'} MB) ...`);
      await downloadFile(src.url, tgz, opts.timeoutMs ?? 20000);
    }
    try {
      execFileSync('tar', ['-xzf', tgz, '-C', parent], { stdio: 'pipe' });
    } catch (e) {
      fs.rmSync(tgz, { force: true }); // a truncated archive would fail the same way next time
      throw new Error(`unpacking ${tgz} failed: ${(e as Error).message.split('\n')[0]}`);
    }
  } catch (e) {
    throw missingError(kind, dir, missing(), `failed (${(e as Error).message.split('\n')[0]}).`);
  }
  const still = missing();
  if (still.length) throw missingError(kind, dir, still, `the archive ${tgz} did not contain them.`);
  try { fs.unlinkSync(tgz); } catch { /* keep going */ }
}

async function loadCifar(kind: 'cifar10' | 'cifar100', opts: Cifar100LoadOptions): Promise<ImageSet> {
  const split = opts.split ?? 'train';
  checkSplit(split, kind === 'cifar10' ? 'loadCifar10' : 'loadCifar100');
  const src = CIFAR_SOURCES[kind];
  const dir = path.resolve(opts.dir ?? path.join(dataRoot(), src.folder));
  const label = opts.label ?? 'fine';
  assertOneOf(label, 'loadCifar100: label', ['fine', 'coarse'] as const);
  const key = `${kind}:${dir}:${split}:${label}`;
  let full = cache.get(key);
  if (!full) {
    const files = src.files[split];
    await ensureFiles(kind, dir, files, opts);
    const buffers = files.map((f) => ({ file: path.join(dir, f), buf: fs.readFileSync(path.join(dir, f)) as Uint8Array }));
    if (kind === 'cifar10') {
      full = parseCifarRecords(buffers, 1, 0, `cifar10-${split}`, CIFAR10_CLASSES);
    } else {
      const coarse = label === 'coarse';
      full = parseCifarRecords(buffers, 2, coarse ? 0 : 1, `cifar100-${split}${coarse ? '-coarse' : ''}`, coarse ? CIFAR100_COARSE_CLASSES : CIFAR100_FINE_CLASSES);
    }
    cache.set(key, full);
  }
  const out = applyLoadOptions(full, opts);
  return out === full ? copySet(full) : out;
}

/** CIFAR-10: 50,000 train / 10,000 test images, 32x32x3 (HWC) in [0, 1], labels 0-9. */
export function loadCifar10(opts: CifarLoadOptions = {}): Promise<ImageSet> {
  return loadCifar('cifar10', opts);
}

/** CIFAR-100: 50,000 train / 10,000 test images, 32x32x3 (HWC) in [0, 1], fine (0-99) or coarse (0-19) labels. */
export function loadCifar100(opts: Cifar100LoadOptions = {}): Promise<ImageSet> {
  return loadCifar('cifar100', opts);
}
