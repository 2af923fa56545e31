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
 * Exact splits on a per-node sort (fast packed-key sort, see tree.ts); all in typed arrays.
 *
 *   const rf = new RandomForestClassifier({ nEstimators: 50, seed: 0 }).fit(Xtrain, ytrain);
 *   rf.score(Xtest, ytest)   // accuracy
 */
import { Rng } from '../../random';
import { assertInt, InputError } from '../../validate';
import { ColumnMatrix, FlatTree, MatrixInput, sortRowsByColumn, toColumns, toRows } from './tree';

export interface RandomForestOptions {
  nEstimators: number;
  /** Features tried per split: 'sqrt' (default, floor(sqrt(d))), 'log2', 'all' or a count. */
  maxFeatures: 'sqrt' | 'log2' | 'all' | number;
  bootstrap: boolean;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  seed: number;
}

export const RANDOM_FOREST_DEFAULTS: RandomForestOptions = {
  nEstimators: 50, // Zhou & Paffenroth Sec. 5.2
  maxFeatures: 'sqrt', // scikit-learn default (classifier)
  bootstrap: true,
  maxDepth: Infinity,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  seed: 0,
};

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

  constructor(opts: Partial<RandomForestOptions> = {}) {
    for (const k of Object.keys(opts)) if (!(k in RANDOM_FOREST_DEFAULTS)) throw new InputError(`RandomForestClassifier: unknown option "${k}"`);
    const p = { ...RANDOM_FOREST_DEFAULTS };
    for (const [k, v] of Object.entries(opts)) if (v !== undefined) (p as Record<string, unknown>)[k] = v;
    assertInt(p.nEstimators, 'nEstimators', 1);
    assertInt(p.minSamplesSplit, 'minSamplesSplit', 2);
    assertInt(p.minSamplesLeaf, 'minSamplesLeaf', 1);
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
    const cm = toColumns(X, 'RandomForestClassifier.fit: X');
    const { y: labels, nClasses } = labelsOf(y, cm.n);
    this.nClasses = nClasses; this.nFeatures = cm.d;
    const rng = new Rng(this.params.seed);
    this.trees = [];
    for (let t = 0; t < this.params.nEstimators; t++) this.trees.push(this.growTree(cm, labels, rng.fork(`tree${t}`)));
    this.fitSeconds = (Date.now() - t0) / 1000;
    return this;
  }

  /** One CART tree (Gini) on a bootstrap sample. Exposed for tests (a single tree on all rows: bootstrap false). */
  growTree(cm: ColumnMatrix, y: Int32Array, rng: Rng): FlatTree {
    const { n, d } = cm, C = this.nClasses, p = this.params;
    // Bootstrap as scikit-learn: the n draws become integer sample weights on the distinct rows (~63% of n), and
    // the tree is grown on those rows with weighted class counts -- the same tree as on the duplicated rows
    // (min_samples_split / min_samples_leaf count distinct rows, as scikit-learn's n_node_samples).
    const weight = new Int32Array(n);
    if (p.bootstrap) for (let i = 0; i < n; i++) weight[rng.int(n)]++;
    else weight.fill(1);
    let nu = 0;
    for (let i = 0; i < n; i++) if (weight[i] > 0) nu++;
    const rows = new Int32Array(nu);
    for (let i = 0, k = 0; i < n; i++) if (weight[i] > 0) rows[k++] = i;
    const tree = new FlatTree(C, 256);
    const mtry = this.featuresPerSplit(d);
    const keys = new Float64Array(nu), sRows = new Int32Array(nu), sVals = new Float32Array(nu), bestRows = new Int32Array(nu);
    const featOrder = new Int32Array(d); for (let f = 0; f < d; f++) featOrder[f] = f;
    const total = new Float64Array(C), leftC = new Float64Array(C);
    const col = cm.col;
    // explicit stack of [node, lo, hi, depth], with each node's known-constant features (constant at an ancestor,
    // hence here: visited without a scan, as scikit-learn's n_known_constants; copy-on-write, shared by siblings)
    const stack: number[] = [tree.add(), 0, nu, 0];
    const masks: Uint8Array[] = [new Uint8Array(d)];
    while (stack.length) {
      const depth = stack.pop()!, hi = stack.pop()!, lo = stack.pop()!, node = stack.pop()!;
      let known = masks.pop()!, owned = false;
      const m = hi - lo; // distinct rows
      total.fill(0);
      let mw = 0; // weighted count
      for (let j = lo; j < hi; j++) { const r = rows[j], w = weight[r]; total[y[r]] += w; mw += w; }
      tree.size[node] = mw;
      for (let c = 0; c < C; c++) tree.payload[node * C + c] = total[c] / mw;
      let pure = false;
      for (let c = 0; c < C; c++) if (total[c] === mw) pure = true;
      if (pure || m < p.minSamplesSplit || m < 2 * p.minSamplesLeaf || depth >= p.maxDepth) continue;
      // best split: maximise sum_l^2/nl + sum_r^2/nr (equivalent to minimising weighted Gini)
      let bestScore = -Infinity, bestFeat = -1, bestThr = 0, bestPos = -1;
      let tried = 0;
      // draw features without replacement (partial Fisher-Yates): mtry visits, constants included; more only
      // while none of the visited features varies at this node (scikit-learn's BestSplitter)
      for (let k = 0; k < d && (k < mtry || tried === 0); k++) {
        const r = k + rng.int(d - k);
        const f = featOrder[r]; featOrder[r] = featOrder[k]; featOrder[k] = f;
        // constant at this node (common: blank pixels): no split, and no sort
        if (known[f]) continue;
        const base = f * n;
        let mn = col[base + rows[lo]], mx = mn;
        for (let j = lo + 1; j < hi; j++) { const v = col[base + rows[j]]; if (v < mn) mn = v; else if (v > mx) mx = v; }
        if (mn === mx) {
          if (!owned) { known = known.slice(); owned = true; }
          known[f] = 1;
          continue;
        }
        const a = sortRowsByColumn(cm, f, rows, lo, hi, keys, sRows, sVals, mn);
        tried++;
        // start with the a rows holding the minimum on the left (their first split point), computed from the
        // other m - a rows: on sparse columns only those are scanned (sums of squares stay exact integers)
        leftC.set(total);
        let nlw = mw;
        for (let j = a; j < m; j++) { const rj = sRows[j], w = weight[rj]; leftC[y[rj]] -= w; nlw -= w; }
        let sl = 0, sr = 0;
        for (let c = 0; c < C; c++) { sl += leftC[c] * leftC[c]; sr += (total[c] - leftC[c]) * (total[c] - leftC[c]); }
        for (let j = a - 1; j < m - 1; j++) {
          if (j >= a) {
            const rj = sRows[j], c = y[rj], w = weight[rj];
            // move w copies of the sample from right to left: update the sums of squares incrementally (exact)
            const rc = total[c] - leftC[c], lc = leftC[c];
            sr += (rc - w) * (rc - w) - rc * rc;
            sl += (lc + w) * (lc + w) - lc * lc;
            leftC[c] = lc + w;
            nlw += w;
          }
          if (sVals[j] === sVals[j + 1]) continue;
          const nl = j + 1, nr = m - nl;
          if (nl < p.minSamplesLeaf || nr < p.minSamplesLeaf) continue;
          const score = sl / nlw + sr / (mw - nlw);
          if (score > bestScore + 1e-12) {
            bestScore = score; bestFeat = f; bestPos = nl;
            // thresholds are stored as float32: keep left values <= thr < right values after rounding
            let thr = Math.fround((sVals[j] + sVals[j + 1]) / 2);
            if (!(thr < sVals[j + 1])) thr = sVals[j];
            bestThr = thr;
          }
        }
        if (bestFeat === f) bestRows.set(sRows.subarray(0, m), lo);
      }
      if (bestFeat < 0) continue; // every feature constant: leaf
      rows.set(bestRows.subarray(lo, hi), lo);
      tree.feature[node] = bestFeat;
      tree.threshold[node] = bestThr;
      const l = tree.add(), rr = tree.add();
      tree.left[node] = l; tree.right[node] = rr;
      stack.push(rr, lo + bestPos, hi, depth + 1, l, lo, lo + bestPos, depth + 1);
      masks.push(known, known);
    }
    return tree;
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
