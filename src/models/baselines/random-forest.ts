/**
 * Random forest classifier (Breiman 2001) with scikit-learn's defaults, the judge of feature quality in Zhou &
 * Paffenroth Sec. 5.2 ("50 trees ... remaining parameters at their default values (e.g., each tree has access to
 * a number of features equal to the square root of the total number of input features)", scikit-learn 0.18):
 *
 *   - each tree is grown on a bootstrap sample (n rows drawn with replacement; as scikit-learn, the draws are
 *     integer weights on the distinct rows drawn);
 *   - CART with the Gini impurity; at every node up to `maxFeatures` = floor(sqrt(d)) features are visited,
 *     drawn without replacement, as scikit-learn's BestSplitter: a feature constant at the node counts as
 *     visited (no split on it), and the drawing goes on past `maxFeatures` only while every visited feature was
 *     constant (scikit-learn's `n_visited_features <= n_found_constants + n_drawn_constants`);
 *   - the best split over those features: threshold = midpoint of two consecutive distinct values, x <= t left;
 *   - grown until leaves are pure or hold < minSamplesSplit samples (max_depth None, min_samples_leaf 1);
 *   - prediction: the mean over trees of the leaf class frequencies (predict_proba), then the arg max.
 *
 * Exact splits on a per-node sort (fast packed-key sort, see tree.ts); all in typed arrays. The tree growing
 * itself is in forest-grow.ts (TensorFlow-free, shared with the worker threads).
 *
 * Threads (`nJobs`, as scikit-learn's n_jobs): tree t always grows from `new Rng(seed).fork(`tree${t}`)`, so
 * trees are independent and the forest is bit-identical for every nJobs. With nJobs > 1, `fit` (still
 * synchronous) shares the column matrix with nJobs - 1 pooled worker threads (forest-pool.ts: lazily started,
 * unref'ed, reused; the calling thread grows trees too and blocks in Atomics.wait for the rest). Default
 * nJobs = min(2, available cores); nJobs 1 grows everything in the calling thread. Fits smaller than
 * PARALLEL_MIN_WORK (rows x features x trees) do not start the workers (starting one costs ~0.1-0.5 s of CPU);
 * once started (e.g. `warmForestPool(2)`), they are used for every fit. A worker that cannot start is dropped
 * with one line on stderr and its trees are grown in the calling thread.
 *
 * Measured (2-core AMD EPYC shared with another job, load average 2.2): fit of 50 trees on the 2,562 x 784 even
 * rows of the bench's outlier set, 1 thread 0.88-1.12 s, 2 threads 0.50-0.66 s (identical trees). `npm run
 * bench -- --only forest` (fit + predict, pool warmed before timing, load 2.2): ours 2 threads 0.61 s median
 * [0.51-0.85] vs scikit-learn n_jobs=2 0.54 s (ratio 1.12; at load 2.7: 0.60 vs 0.52 s, 1.15; single-threaded
 * it was 1.08 s vs 0.49 s, ratio 2.19). Accuracy / F1 on the odd rows: ours 0.970 / 0.645, scikit-learn
 * 0.971 / 0.664 (different random streams).
 *
 *   const rf = new RandomForestClassifier({ nEstimators: 50, seed: 0 }).fit(Xtrain, ytrain);
 *   rf.score(Xtest, ytest)   // accuracy
 *   rf.fitThreads            // threads that grew the trees (2 with the default nJobs on >= 2 cores)
 */
import { Rng } from '../../random';
import { assertInt, InputError } from '../../validate';
import { ColumnMatrix, FlatTree, MatrixInput, toColumns, toRows } from './tree';
import { emptyHistory, type TrainingHistory } from '../base';
import { ClassTreeOptions, growClassTree } from './forest-grow';
import { availableThreads, forestPoolReady, growForest } from './forest-pool';

export { warmForestPool } from './forest-pool';

export interface RandomForestOptions {
  nEstimators: number;
  /** Features tried per split: 'sqrt' (default, floor(sqrt(d))), 'log2', 'all' or a count. */
  maxFeatures: 'sqrt' | 'log2' | 'all' | number;
  bootstrap: boolean;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  seed: number;
  /**
   * Threads that grow the trees: the calling thread + (nJobs - 1) pooled worker threads (forest-pool.ts), as
   * scikit-learn's n_jobs. The forest is identical for every nJobs. Default min(2, available cores); 1 = all in
   * the calling thread. Small fits (< PARALLEL_MIN_WORK) stay in the calling thread unless the pool is warm.
   */
  nJobs: number;
}

export const RANDOM_FOREST_DEFAULTS: RandomForestOptions = {
  nEstimators: 50, // Zhou & Paffenroth Sec. 5.2
  maxFeatures: 'sqrt', // scikit-learn default (classifier)
  bootstrap: true,
  maxDepth: Infinity,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  seed: 0,
  nJobs: Math.min(2, availableThreads()),
};

/**
 * Below this much work (rows x features x trees) a fit does not start worker threads (starting one costs ~0.1-0.5 s
 * of CPU, loading TypeScript); workers already started (warmForestPool) are used for any size.
 */
export const PARALLEL_MIN_WORK = 4e6;

function labelsOf(y: ArrayLike<number>, n: number): { y: Int32Array; nClasses: number } {
  if (!y || y.length !== n) throw new InputError(`RandomForestClassifier: expected ${n} labels, got ${y ? y.length : y}`);
  const out = new Int32Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0) throw new InputError(`RandomForestClassifier: labels must be integers >= 0, got ${v} at ${i}`);
    out[i] = v; if (v > max) max = v;
  }
  return { y: out, nClasses: max + 1 };
}

export class RandomForestClassifier {
  readonly params: Readonly<RandomForestOptions>;
  trees: FlatTree[] = [];
  nClasses = 0;
  nFeatures = 0;
  fitSeconds = 0;
  /** Threads that grew the last fit's trees (1 = the calling thread only). */
  fitThreads = 0;
  history: TrainingHistory = emptyHistory();

  constructor(opts: Partial<RandomForestOptions> = {}) {
    for (const k of Object.keys(opts)) if (!(k in RANDOM_FOREST_DEFAULTS)) throw new InputError(`RandomForestClassifier: unknown option "${k}"`);
    const p = { ...RANDOM_FOREST_DEFAULTS };
    for (const [k, v] of Object.entries(opts)) if (v !== undefined) (p as Record<string, unknown>)[k] = v;
    assertInt(p.nEstimators, 'nEstimators', 1);
    assertInt(p.minSamplesSplit, 'minSamplesSplit', 2);
    assertInt(p.minSamplesLeaf, 'minSamplesLeaf', 1);
    assertInt(p.nJobs, 'nJobs', 1, 256);
    this.params = Object.freeze(p);
  }

  get fitted(): boolean { return this.trees.length > 0; }

  private featuresPerSplit(d: number): number {
    const m = this.params.maxFeatures;
    if (m === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(d)));
    if (m === 'log2') return Math.max(1, Math.floor(Math.log2(d)));
    if (m === 'all') return d;
    assertInt(m, 'maxFeatures', 1, d);
    return m;
  }

  fit(X: MatrixInput, y: ArrayLike<number>): this {
    const t0 = Date.now();
    const p = this.params, threads = Math.min(p.nJobs, p.nEstimators);
    const X0 = toColumns(X, 'RandomForestClassifier.fit: X', threads > 1); // (shared: the workers read it in place)
    const { y: labels, nClasses } = labelsOf(y, X0.n);
    this.nClasses = nClasses; this.nFeatures = X0.d;
    const opts = this.treeOptions(X0.d);
    this.trees = [];
    if (threads > 1 && (forestPoolReady(threads - 1) || X0.n * X0.d * p.nEstimators >= PARALLEL_MIN_WORK)) {
      // tree t from rng.fork(`tree${t}`) whichever thread grows it: the same forest as below
      const g = growForest(X0, labels, p.seed, p.nEstimators, opts, threads);
      this.trees = g.trees; this.fitThreads = g.threads;
    } else {
      const rng = new Rng(p.seed);
      for (let t = 0; t < p.nEstimators; t++) this.trees.push(growClassTree(X0, labels, rng.fork(`tree${t}`), opts));
      this.fitThreads = 1;
    }
    this.fitSeconds = (Date.now() - t0) / 1000;
    this.history = { ...emptyHistory(), seconds: this.fitSeconds, stopped: 'closed-form' };
    return this;
  }

  /** Drops the trees (no tensors to release). Idempotent; refit to use the forest again. */
  dispose(): void { this.trees = []; }

  /** What growing a tree needs besides the data, for d features. */
  private treeOptions(d: number): ClassTreeOptions {
    const p = this.params;
    return { nClasses: this.nClasses, mtry: this.featuresPerSplit(d), bootstrap: p.bootstrap, maxDepth: p.maxDepth, minSamplesSplit: p.minSamplesSplit, minSamplesLeaf: p.minSamplesLeaf };
  }

  /** One CART tree (Gini) on a bootstrap sample. Exposed for tests (a single tree on all rows: bootstrap false). */
  growTree(cm: ColumnMatrix, y: Int32Array, rng: Rng): FlatTree {
    return growClassTree(cm, y, rng, this.treeOptions(cm.d));
  }

  /** Mean over trees of the leaf class frequencies: n x nClasses, row-major. */
  predictProba(X: MatrixInput): Float64Array {
    if (!this.fitted) throw new InputError('RandomForestClassifier.predictProba: call fit() first');
    const { data, n, d } = toRows(X, 'RandomForestClassifier: X');
    if (d !== this.nFeatures) throw new InputError(`RandomForestClassifier: X has ${d} columns, fitted with ${this.nFeatures}`);
    const C = this.nClasses, out = new Float64Array(n * C);
    // row-outer: the row stays in cache while all trees walk it
    for (let i = 0; i < n; i++) {
      for (const t of this.trees) {
        const leaf = t.leafOf(data, i * d);
        for (let c = 0; c < C; c++) out[i * C + c] += t.payload[leaf * C + c];
      }
    }
    for (let k = 0; k < out.length; k++) out[k] /= this.trees.length;
    return out;
  }

  predict(X: MatrixInput): Int32Array {
    const P = this.predictProba(X), C = this.nClasses, n = P.length / C;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (P[i * C + c] > P[i * C + best]) best = c;
      out[i] = best;
    }
    return out;
  }

  /** Accuracy on (X, y). */
  score(X: MatrixInput, y: ArrayLike<number>): number {
    const p = this.predict(X);
    if (y.length !== p.length) throw new InputError(`RandomForestClassifier.score: ${p.length} rows but ${y.length} labels`);
    let ok = 0; for (let i = 0; i < p.length; i++) if (p[i] === y[i]) ok++;
    return ok / p.length;
  }
}
