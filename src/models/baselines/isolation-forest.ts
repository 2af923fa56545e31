/**
 * Isolation Forest (Liu, Ting & Zhou, ICDM 2008), the baseline of Zhou & Paffenroth Sec. 5.3 (scikit-learn 0.18.1,
 * 100 trees, contamination swept 0.01..0.69).
 *
 *   - each tree is built on `maxSamples` = min(256, n) rows drawn without replacement;
 *   - a node picks a feature uniformly at random (features constant at the node are skipped, as scikit-learn's
 *     random splitter does) and a split value uniformly between the node's min and max of it; x <= t goes left;
 *   - growth stops at depth ceil(log2(maxSamples)) or when a node holds one row (or only identical rows);
 *   - path length h(x) = depth of the leaf + c(leaf size), c(n) = 2 H(n - 1) - 2 (n - 1) / n with
 *     H(i) = ln(i) + 0.5772156649 (Euler's constant), c(2) = 1, c(1) = c(0) = 0 (Liu et al. eq. 1);
 *   - anomaly score s(x) = 2^(-E[h(x)] / c(maxSamples)) in (0, 1]; s near 1: anomaly, well below 0.5: normal.
 *   - `predict` with a contamination fraction c marks as outliers the rows whose score is >= the (1 - c) quantile
 *     of the training scores (linear interpolation, numpy's percentile), as scikit-learn 0.18's threshold_.
 *
 *   const iso = new IsolationForest({ seed: 0 }).fit(X);
 *   const s = iso.scoreSamples(X);           // Liu et al.'s s(x) (scikit-learn's score_samples is -s)
 *   const isOut = iso.predict(X, 0.11);      // 1 = outlier
 */
import { Rng } from '../../random';
import { assertInRange, assertInt, InputError } from '../../validate';
import { FlatTree, MatrixInput, toColumns, toRows } from './tree';
import { emptyHistory, type TrainingHistory } from '../base';
import { isolationForestDetector, percentile, type DetectorThresholdOptions, type ScoreDetector } from '../detector';

export const EULER_GAMMA = 0.5772156649015329;

/** c(n): the average path length of an unsuccessful BST search among n points (Liu et al. 2008, eq. 1). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

export interface IsolationForestOptions {
  nEstimators: number;
  /** Rows per tree: 'auto' = min(256, n), or a count. */
  maxSamples: 'auto' | number;
  /** Default contamination for `predict` (fraction of outliers). */
  contamination: number;
  seed: number;
}

export const ISOLATION_FOREST_DEFAULTS: IsolationForestOptions = { nEstimators: 100, maxSamples: 'auto', contamination: 0.1, seed: 0 };

export { percentile };

export class IsolationForest {
  readonly params: Readonly<IsolationForestOptions>;
  trees: FlatTree[] = [];
  /** The number of rows each tree was built on (psi). */
  psi = 0;
  nFeatures = 0;
  /** Scores of the training rows (for the contamination threshold). */
  trainScores: Float64Array = new Float64Array(0);
  fitSeconds = 0;
  history: TrainingHistory = emptyHistory();

  constructor(opts: Partial<IsolationForestOptions> = {}) {
    for (const k of Object.keys(opts)) if (!(k in ISOLATION_FOREST_DEFAULTS)) throw new InputError(`IsolationForest: unknown option "${k}"`);
    const p = { ...ISOLATION_FOREST_DEFAULTS };
    for (const [k, v] of Object.entries(opts)) if (v !== undefined) (p as Record<string, unknown>)[k] = v;
    assertInt(p.nEstimators, 'nEstimators', 1);
    if (p.maxSamples !== 'auto') assertInt(p.maxSamples, 'maxSamples', 1);
    assertInRange(p.contamination, 'contamination', 0, 1);
    this.params = Object.freeze(p);
  }

  get fitted(): boolean { return this.trees.length > 0; }

  fit(X: MatrixInput): this {
    const t0 = Date.now();
    const rm = toRows(X, 'IsolationForest.fit: X');
    const cm = toColumns({ data: rm.data, rows: rm.n, cols: rm.d }, 'IsolationForest.fit: X');
    const { n, d, col } = cm;
    this.nFeatures = d;
    this.psi = this.params.maxSamples === 'auto' ? Math.min(256, n) : Math.min(this.params.maxSamples, n);
    const limit = Math.ceil(Math.log2(Math.max(2, this.psi)));
    const rng = new Rng(this.params.seed);
    const featOrder = new Int32Array(d);
    for (let f = 0; f < d; f++) featOrder[f] = f;
    this.trees = [];
    for (let t = 0; t < this.params.nEstimators; t++) {
      const r = rng.fork(`tree${t}`);
      const rows = r.choice(n, this.psi); // without replacement
      const tree = new FlatTree(0, 64);
      const stack: number[] = [tree.add(), 0, this.psi, 0];
      while (stack.length) {
        const depth = stack.pop()!, hi = stack.pop()!, lo = stack.pop()!, node = stack.pop()!;
        const m = hi - lo;
        tree.size[node] = m;
        if (m <= 1 || depth >= limit) continue;
        // draw features without replacement until a non-constant one is found (partial Fisher-Yates on a
        // permutation that carries over between nodes: still a uniform draw without replacement)
        let feat = -1, mn = 0, mx = 0;
        for (let k = 0; k < d; k++) {
          const j = k + r.int(d - k);
          const f = featOrder[j]; featOrder[j] = featOrder[k]; featOrder[k] = f;
          const base = f * n;
          let a = Infinity, b = -Infinity;
          for (let q = lo; q < hi; q++) { const v = col[base + rows[q]]; if (v < a) a = v; if (v > b) b = v; }
          if (b > a) { feat = f; mn = a; mx = b; break; }
        }
        if (feat < 0) continue; // all rows identical: leaf
        let thr = Math.fround(mn + (mx - mn) * r.uniform());
        if (!(thr < mx)) thr = mn; // keep at least one row on each side
        // partition rows[lo..hi) in place: <= thr first
        const base = feat * n;
        let i = lo, j = hi - 1;
        while (i <= j) {
          if (col[base + rows[i]] <= thr) i++;
          else { const tmp = rows[i]; rows[i] = rows[j]; rows[j] = tmp; j--; }
        }
        tree.feature[node] = feat; tree.threshold[node] = thr;
        const l = tree.add(), rr = tree.add();
        tree.left[node] = l; tree.right[node] = rr;
        stack.push(rr, i, hi, depth + 1, l, lo, i, depth + 1);
      }
      this.trees.push(tree);
    }
    this.trainScores = this.scoresOf(this.pathLengthsOfRows(rm.data, n, d));
    this.fitSeconds = (Date.now() - t0) / 1000;
    this.history = { ...emptyHistory(), seconds: this.fitSeconds, stopped: 'closed-form' };
    return this;
  }

  /**
   * The forest as an OutlierDetector (src/models/detector.ts): decisionFunction = s(x), threshold from the
   * contamination (default: this forest's `contamination` option) or fixed. A view: throws once refit or disposed.
   */
  asDetector(opts: DetectorThresholdOptions = {}): ScoreDetector {
    return isolationForestDetector(this, opts);
  }

  /** Liu et al.'s score s(x) of each row (higher = more outlying): the detector interface's name for scoreSamples. */
  decisionFunction(X: MatrixInput): Float64Array {
    return this.scoreSamples(X);
  }

  /** Drops the trees (nothing else to release: no tensors). Idempotent; refit to use the forest again. */
  dispose(): void {
    this.trees = [];
    this.trainScores = new Float64Array(0);
  }

  /** Mean path length E[h(x)] over the trees (with the c(size) adjustment at the leaves). */
  pathLengths(X: MatrixInput): Float64Array {
    if (!this.fitted) throw new InputError('IsolationForest: call fit() first');
    const { data, n, d } = toRows(X, 'IsolationForest: X');
    if (d !== this.nFeatures) throw new InputError(`IsolationForest: X has ${d} columns, fitted with ${this.nFeatures}`);
    return this.pathLengthsOfRows(data, n, d);
  }

  private pathLengthsOfRows(data: Float32Array, n: number, d: number): Float64Array {
    const out = new Float64Array(n), T = this.trees.length;
    const H = this.trees.map(leafPathLengths);
    // row-outer: the row stays in cache while all trees walk it (tree-outer re-reads the whole matrix per tree)
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let acc = 0;
      for (let k = 0; k < T; k++) {
        const t = this.trees[k], feature = t.feature, threshold = t.threshold, left = t.left, right = t.right;
        let node = 0, f = feature[0];
        while (f >= 0) { node = data[o + f] <= threshold[node] ? left[node] : right[node]; f = feature[node]; }
        acc += H[k][node];
      }
      out[i] = acc / T;
    }
    return out;
  }

  /** Liu et al.'s anomaly score s(x) = 2^(-E[h(x)] / c(psi)). */
  scoreSamples(X: MatrixInput): Float64Array {
    return this.scoresOf(this.pathLengths(X));
  }

  private scoresOf(h: Float64Array): Float64Array {
    const c = averagePathLength(this.psi) || 1;
    return h.map((v) => Math.pow(2, -v / c));
  }

  /** Score threshold for a contamination fraction: the (1 - c) quantile of the training scores. */
  threshold(contamination = this.params.contamination): number {
    if (!this.fitted) throw new InputError('IsolationForest.threshold: call fit() first');
    assertInRange(contamination, 'contamination', 0, 1);
    return percentile(this.trainScores, 100 * (1 - contamination));
  }

  /** 1 = outlier: score >= threshold(contamination). */
  predict(X: MatrixInput, contamination = this.params.contamination): Uint8Array {
    const s = this.scoreSamples(X), thr = this.threshold(contamination);
    return Uint8Array.from(s, (v) => (v >= thr ? 1 : 0));
  }

  /** The predictions on the training rows for a contamination fraction (no re-scoring). */
  predictTrain(contamination = this.params.contamination): Uint8Array {
    const thr = this.threshold(contamination);
    return Uint8Array.from(this.trainScores, (v) => (v >= thr ? 1 : 0));
  }
}

const leafCache = new WeakMap<FlatTree, Float64Array>();

/** Per node: depth + c(size) (the path length h(x) of a row ending there); cached per tree. */
function leafPathLengths(t: FlatTree): Float64Array {
  let h = leafCache.get(t);
  if (h && h.length === t.count) return h;
  h = new Float64Array(t.count);
  const depth = new Int32Array(t.count);
  for (let node = 0; node < t.count; node++) { // children are always added after their parent
    if (t.feature[node] >= 0) { depth[t.left[node]] = depth[node] + 1; depth[t.right[node]] = depth[node] + 1; }
    else h[node] = depth[node] + averagePathLength(t.size[node]);
  }
  leafCache.set(t, h);
  return h;
}
