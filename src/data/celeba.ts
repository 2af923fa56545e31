/**
 * CelebA (Liu et al. 2015) from a folder of the aligned-and-cropped 178x218 JPEG/PNG images (img_align_celeba/).
 *
 * Preprocessing, the usual one for 64x64 CelebA VAEs/GANs (e.g. the RVAE CelebA code and many DCGAN ports):
 * center crop 140x140 (rows 39..178, columns 19..158 of a 178-wide, 218-high image), then resize to 64x64.
 * The resize is bilinear after an integer average pool (140 -> 70 by a 2x2 mean, then bilinear to 64), which
 * stands in for PIL's antialiased resize that torchvision uses; without it a 2.2x bilinear downscale aliases.
 * Pixels are floats in [0, 1], HWC, 3 channels. CelebA has no class labels here: labels are -1.
 * Images are decoded with tfjs-node's `tf.node.decodeImage` (needs the native TensorFlow binding).
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../backend';
import { ImageSet } from './images';
import { dataRoot } from './paths';
import { toRng } from '../random';
import { assertInt, InputError } from '../validate';

export interface CelebALoadOptions {
  /** Folder of images (default <data>/celeba; relative paths resolve against the working directory). */
  dir?: string;
  /** Number of images: the first n in file-name order, or a seeded random n when `seed` is given. */
  n?: number;
  seed?: number;
  /** Side of the center square crop (default 140). */
  crop?: number;
  /** Output side (default 64). */
  size?: number;
}

export type CelebASet = ImageSet & { files: string[] };

export const CELEBA_DEFAULTS = { crop: 140, size: 64, width: 178, height: 218 } as const;

const EXT = /\.(jpe?g|png)$/i;
/** Refuse to materialise more than this many bytes of floats without an explicit n. */
const MAX_BYTES_WITHOUT_N = 4 * 2 ** 30;

type NodeImageApi = { decodeImage(contents: Uint8Array, channels?: number): tf.Tensor3D | tf.Tensor4D };

function nodeApi(): NodeImageApi {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require('@tensorflow/tfjs-node').node as NodeImageApi;
  } catch (e) {
    throw new Error(`CelebA: decoding images needs @tensorflow/tfjs-node (${(e as Error).message.split('\n')[0]}). Run \`npm run setup\`.`);
  }
}

/** Decodes one image and applies the center crop + resize; returns HWC floats in [0, 1]. */
export function preprocessCelebA(buf: Uint8Array, crop: number = CELEBA_DEFAULTS.crop, size: number = CELEBA_DEFAULTS.size, file = 'image'): Float32Array {
  const api = nodeApi();
  const out = tf.tidy(() => {
    let img: tf.Tensor3D;
    try {
      img = api.decodeImage(buf, 3) as tf.Tensor3D;
    } catch (e) {
      throw new Error(`CelebA: cannot decode ${file} (${(e as Error).message.split('\n')[0]})`);
    }
    if (img.rank !== 3) throw new Error(`CelebA: ${file} decodes to shape [${img.shape}] (animated GIF?), expected one HxWx3 image`);
    const [h, w] = img.shape;
    const c = Math.min(crop, h, w);
    const top = Math.round((h - c) / 2), left = Math.round((w - c) / 2);
    let x = tf.slice(img, [top, left, 0], [c, c, 3]).toFloat().div(255) as tf.Tensor3D;
    const pool = Math.floor(c / size);
    if (pool >= 2) x = tf.avgPool(x, pool, pool, 'valid') as tf.Tensor3D;
    if (x.shape[0] !== size || x.shape[1] !== size) x = tf.image.resizeBilinear(x, [size, size], false, true);
    return tf.clipByValue(x, 0, 1);
  });
  const data = out.dataSync() as Float32Array;
  const copy = data.slice();
  out.dispose();
  return copy;
}

/** Image files of a folder, sorted by name. */
export function listImageFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => EXT.test(f)).sort();
}

export async function loadCelebA(opts: CelebALoadOptions = {}): Promise<CelebASet> {
  const dir = path.resolve(opts.dir ?? path.join(dataRoot(), 'celeba'));
  const crop = opts.crop ?? CELEBA_DEFAULTS.crop;
  const size = opts.size ?? CELEBA_DEFAULTS.size;
  assertInt(crop, 'loadCelebA: crop', 1);
  assertInt(size, 'loadCelebA: size', 1);
  const how = `Put the aligned-and-cropped CelebA images (img_align_celeba/*.jpg, 178x218, from https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html) directly into ${dir}.`;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InputError(`CelebA: folder ${dir} does not exist. ${how}`);
  let files = listImageFiles(dir);
  if (files.length === 0) throw new InputError(`CelebA: no .jpg/.jpeg/.png images in ${dir}. ${how}`);
  if (opts.n !== undefined) {
    assertInt(opts.n, 'loadCelebA: n', 1, files.length);
    if (opts.seed === undefined) files = files.slice(0, opts.n);
    else { const pick = toRng(opts.seed).choice(files.length, opts.n); files = Array.from(pick, (k) => files[k]); }
  } else if (files.length * size * size * 3 * 4 > MAX_BYTES_WITHOUT_N) {
    throw new InputError(`CelebA: ${files.length} images in ${dir} would need ${(files.length * size * size * 12 / 2 ** 30).toFixed(1)} GiB as floats; pass n (e.g. n: 20000, seed: 0)`);
  }
  const d = size * size * 3;
  const images = new Float32Array(files.length * d);
  files.forEach((f, k) => {
    images.set(preprocessCelebA(fs.readFileSync(path.join(dir, f)), crop, size, path.join(dir, f)), k * d);
  });
  return { images, labels: new Int32Array(files.length).fill(-1), n: files.length, height: size, width: size, channels: 3, name: 'celeba', files };
}
