/**
 * Growing one classification tree of the random forest (see random-forest.ts for the algorithm and its
 * scikit-learn conventions). TensorFlow-free: the forest worker threads (forest-pool.ts) load this module.
 */
import type { Rng } from '../../random';
import { ColumnMatrix, FlatTree, sortRowsByColumn } from './tree-core';

/** What growing a tree needs besides the data (plain data: posted to the worker threads). */
export interface ClassTreeOptions {
  nClasses: number;
  /** Features visited per split (resolved from maxFeatures). */
  mtry: number;
  bootstrap: boolean;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
}

/** One CART tree (Gini) on a bootstrap sample drawn from `rng` (then the feature draws), labels 0..nClasses-1. */
export function growClassTree(cm: ColumnMatrix, y: Int32Array, rng: Rng, p: ClassTreeOptions): FlatTree {
  const { n, d } = cm, C = p.nClasses, mtry = p.mtry;
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
