/**
 * Low-pass filter (box mean filter) denoiser, the "LPF" of the LPF+VAE baseline in Ren et al. 2020 (Sec. 4 and
 * Appendix B.2: "a Low-Pass Filter ... then generate images from the preprocessed images with a traditional VAE").
 *
 * Each pixel becomes the mean of a (2r+1) x (2r+1) window around it, over the part of the window that lies inside
 * the image (no zero padding), per channel; `passes` filters are applied one after the other. Defaults: r = 1
 * (3x3), 2 passes.
 *
 * The authors' code (`BenchmarkModels/LPF+VAE/LPF_VAE.py`, `multi_image(step=1, runs=2)`) differs in two ways,
 * reproduced by `window: 'authors-code'`:
 *   - its window is rows i-1..i and columns j-1..j (Python's exclusive end `i+step`), a 2x2 box anchored at the
 *     lower right, not a centred 3x3 one;
 *   - both "runs" filter the ORIGINAL image (`ins` is read from `data` each run), so the two passes are one pass.
 *
 * As a robust model it splits X = L + S with L = the filtered images and S = X - L.
 */
import { tf } from '../../backend';
import { BaseModel, Decomposition, FitOptions, RobustModel, emptyHistory } from '../base';
import { assertInt, assertMatrix, assertOneOf } from '../../validate';

export interface LowPassOptions {
  height: number;
  width: number;
  channels: number;
  /** Half-width of the box: window (2r+1) x (2r+1). */
  radius: number;
  /** Number of successive filter passes (Ren et al.: 2). */
  passes: number;
  /** 'centred' (standard box filter) or 'authors-code' (2x2 window at [i-1, i] x [j-1, j], one effective pass). */
  window: 'centred' | 'authors-code';
}

export const LPF_DEFAULTS: LowPassOptions = { height: 28, width: 28, channels: 1, radius: 1, passes: 2, window: 'centred' };

function checkOpts(o: LowPassOptions): void {
  assertInt(o.height, 'LPF height'); assertInt(o.width, 'LPF width'); assertInt(o.channels, 'LPF channels');
  assertInt(o.radius, 'LPF radius', 0); assertInt(o.passes, 'LPF passes', 0);
  assertOneOf(o.window, 'LPF window', ['centred', 'authors-code'] as const);
}

/** One mean-filter pass over a batch of single-channel images (m x h x w x 1), window rows i-a..i+b. */
function meanPass(img: tf.Tensor4D, a: number, b: number): tf.Tensor4D {
  return tf.tidy(() => {
    const k = a + b + 1;
    const kernel = tf.ones([k, k, 1, 1]) as tf.Tensor4D;
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [a, b], [a, b], [0, 0]];
    const sums = tf.conv2d(tf.pad(img, pad) as tf.Tensor4D, kernel, 1, 'valid');
    const [, h, w] = img.shape;
    const counts = tf.conv2d(tf.pad(tf.ones([1, h, w, 1]), pad) as tf.Tensor4D, kernel, 1, 'valid');
    return tf.div(sums, counts) as tf.Tensor4D;
  });
}

/** Box-filters every row of X (an n x (h*w*c) matrix of NHWC images); returns a new matrix. */
export function boxFilter(X: tf.Tensor2D, opts: Partial<LowPassOptions> = {}): tf.Tensor2D {
  const o = { ...LPF_DEFAULTS, ...opts };
  checkOpts(o);
  const d = o.height * o.width * o.channels;
  assertMatrix(X, 'boxFilter: X', { cols: d });
  const [a, b] = o.window === 'centred' ? [o.radius, o.radius] : [1, 0];
  const passes = o.window === 'centred' ? o.passes : Math.min(o.passes, 1);
  return tf.tidy(() => {
    const n = X.shape[0];
    // channels into the batch: (n, h, w, c) -> (n*c, h, w, 1)
    let img = tf.transpose(tf.reshape(X, [n, o.height, o.width, o.channels]), [0, 3, 1, 2]).reshape([n * o.channels, o.height, o.width, 1]) as tf.Tensor4D;
    for (let p = 0; p < passes; p++) img = meanPass(img, a, b);
    return tf.transpose(img.reshape([n, o.channels, o.height, o.width]), [0, 2, 3, 1]).reshape([n, d]) as unknown as tf.Tensor2D;
  });
}

/** The LPF as a (non-learning) robust model: L = boxFilter(X), S = X - L. */
export class LowPassFilter extends BaseModel<LowPassOptions> implements RobustModel {
  private L: tf.Tensor2D | null = null;
  private S: tf.Tensor2D | null = null;

  constructor(opts: Partial<LowPassOptions> = {}) {
    super(LPF_DEFAULTS, opts);
    checkOpts(this.params);
  }

  async fit(X: tf.Tensor2D, _opts: FitOptions = {}): Promise<this> {
    const t0 = Date.now();
    this.checkFitInput(X);
    this.dispose();
    this.L = boxFilter(X, this.params);
    this.S = tf.sub(X, this.L) as tf.Tensor2D;
    this.history = { ...emptyHistory(), seconds: (Date.now() - t0) / 1000, stopped: 'closed-form' };
    this._fitted = true;
    return this;
  }

  /** Copies of L (filtered) and S = X - L; caller disposes. */
  decompose(): Decomposition {
    this.checkFitted('decompose');
    return { L: this.L!.clone(), S: this.S!.clone() };
  }

  /** The filtered images of new rows (the filter learns nothing; fit() is still required, as for every model). */
  reconstruct(X: tf.Tensor2D): tf.Tensor2D {
    this.checkInput(X, 'reconstruct');
    return boxFilter(X, this.params);
  }

  dispose(): void {
    this.L?.dispose(); this.S?.dispose();
    this.L = null; this.S = null;
    this._fitted = false;
  }
}
