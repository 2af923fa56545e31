// %% [markdown]
// # Autoencoders and factorization (Sun 2020 lecture; Li et al. 2020, Theorem A.1)
//
// The conceptual frame of the workspace, on MNIST. The lecture "Unsupervised representation learning:
// autoencoders and factorization" states that three linear formulations all do PCA:
//
// | model | problem | |
// |---|---|---|
// | tied linear autoencoder | `min_B Σ ‖x_i - B Bᵀ x_i‖²` | Bourlard & Kamp 1988 |
// | untied linear autoencoder | `min_{B,A} Σ ‖x_i - B Aᵀ x_i‖²` | Baldi & Hornik 1989 |
// | linear factorization | `min_{B,Z} Σ ‖x_i - B z_i‖²` | Li et al. 2020, Thm A.1 |
//
// "All three formulations will find three different B's that span the same principal subspace." Their
// nonlinear generalisations replace `B` by a decoder `g_V` (deep autoencoder `g_V∘f_W`, deep factorization
// `g_V(z_i)`), and reconstruction error after training is an outlier score ("outliers don't obey the manifold
// assumption"). This notebook measures each statement.
//
// | piece | module |
// |---|---|
// | PCA basis (covariance eigenvectors, Float64), spectrum, the experiments | `src/papers/sun2020.ts`, `src/linalg/dense.ts` |
// | linear autoencoder (tied / untied), linear factorization, trained by gradient descent | `src/models/linear-ae.ts`, `src/models/factorization.ts` |
// | deep autoencoder and deep factorization (conv nets of Li et al. Tables 3-4, l2 loss) | `src/models/rdae.ts`, `src/models/rnlf.ts` |
// | MLP autoencoder (Zhou & Paffenroth form) for outlier scores | `src/models/autoencoder.ts` |
// | principal angles, ROC AUC | `src/metrics/angles.ts`, `src/metrics/ranking.ts` |
//
// **Scales** (`RML_SCALE`): **smoke** 600 images and a few hundred gradient steps (only proves the cells run);
// **quick** (default) 2,000 images, 1,500 full-batch steps for the linear models, 15 epochs on 2,000 images for
// the deep ones; **paper** all 60,000 training images and longer training. The lecture has no numbers of its own:
// the "paper" column states what the lecture claims.

// %%
import 'tsx/cjs';
import { setupNotebook, figure, table } from 'rml/notebook';
import { ClaimsTable } from 'rml/experiment/claims';
import { lines, bars, imageGrid, histogram } from 'rml/plots';
import { tf } from 'rml/backend';
import {
  sun2020Config, sun2020Cells, sun2020Store, sun2020ConfigRows, mnistMatrix, centredSpectrum, deepVersusLinear, reconstructionOutliers,
  type SubspaceRow, type DeepComparison, type OutlierRow,
} from 'rml/papers/sun2020';
import { sun2020Claims } from 'rml/papers/sun2020-claims';
import { fmt } from 'rml/papers/verdict';
const nb = await setupNotebook('00-autoencoders-and-factorization');
const cfg = sun2020Config(nb.scale, nb.seed);
const claims = new ClaimsTable(nb.name);
const store = sun2020Store('linear', nb.scale);
table('config', sun2020ConfigRows(cfg), { caption: `Set-up at scale "${nb.scale}"` });

// %% [markdown]
// ## 1. The singular-value spectrum of MNIST
// Singular values of the column-centred data matrix (from the eigenvalues of its 784 x 784 Gram matrix). A fast
// decay is what makes a low-dimensional model of the data reasonable at all. Values below 1e-3 σ₁ are under the
// accuracy of the float32 Gram matrix (relative error ~1e-7 on σ²) and are not drawn.

// %%
const { X } = await mnistMatrix(cfg.n);
const spectrum = centredSpectrum(X);
const at = (k: number) => spectrum[Math.min(k, spectrum.length) - 1].cumulative;
await figure('mnist-spectrum', lines({
  data: spectrum.filter((p) => p.sigma > 1e-3 * spectrum[0].sigma).map((p) => ({ k: p.k, sigma: p.sigma })),
  x: 'k', y: 'sigma', logY: true, points: false,
  title: `Singular values of ${cfg.n} centred MNIST images`, xTitle: 'index k', yTitle: 'σ_k (log scale)',
}));
await figure('mnist-cumulative-energy', lines({
  data: spectrum.slice(0, 200).map((p) => ({ k: p.k, cumulative: p.cumulative })),
  x: 'k', y: 'cumulative', points: false, rules: [{ y: 0.9, label: '90%' }],
  title: 'Fraction of variance in the top k principal components', xTitle: 'number of components k', yTitle: 'fraction of variance in the top k',
}));
const k90 = spectrum.findIndex((p) => p.cumulative >= 0.9) + 1;
table('spectrum-summary', [{
  'top 10': fmt(at(10)), 'top 20': fmt(at(20)), 'top 50': fmt(at(50)), 'top 100': fmt(at(100)), 'components for 90%': k90, 'ambient dimension': 784,
}],
  { caption: 'Fraction of the variance captured by the top-k principal components' });

// %% [markdown]
// ## 2. Three linear models, one principal subspace
// Each model is trained by full-batch gradient descent (Adam) on the centred data with code size d; PCA's basis
// is the exact top-d eigenvectors of the covariance. The principal angles between each learned `B` (columns) and
// PCA's subspace measure whether they span the same space (0° = identical); `||BᵀB - I||` measures whether `B` is
// orthonormal; the error ratio compares the reconstruction error with PCA's (Eckart-Young optimum = 1).

// %%
// the notebook's stored cell (the list `npm run sweep` runs)
const [linear] = sun2020Cells(nb.scale, nb.seed, { progress: true });
const sub = await store.cell(linear.params, linear.compute) as SubspaceRow[];
table('linear-subspaces', sub.map((r) => ({
  model: r.model, 'largest angle to PCA (°)': fmt(r.maxAngleDeg, 2), 'mean angle (°)': fmt(r.meanAngleDeg, 3),
  '||BᵀB − I||_F / √d': fmt(r.nonOrthonormality, 4), 'error / PCA error': fmt(r.errorRatio, 5), 'time (s)': fmt(r.seconds, 1),
})), { caption: `Linear models with d = ${cfg.d} on ${cfg.n} MNIST images` });
await figure('linear-principal-angles', bars({
  data: sub.filter((r) => !r.model.startsWith('PCA: cov')).map((r) => ({ model: r.model, angle: r.maxAngleDeg })),
  x: 'model', y: 'angle', horizontal: true, text: '.2f',
  title: 'Largest principal angle between each learned B and the PCA subspace', xTitle: '', yTitle: 'largest principal angle (degrees)',
}));
X.dispose();

// %% [markdown]
// The angles shrink as training continues (more steps: smaller angles); the largest angle belongs to the
// direction with the smallest eigen-gap (σ_d vs σ_{d+1}), the slowest for gradient descent. The library's `PCA`
// model row shows its default solver against the exact eigenvectors: for inputs with at most 2,048 columns that is
// the float64 eigendecomposition of the scatter matrix (scikit-learn's 'covariance_eigh'); an earlier default, a
// randomized SVD with 4 power iterations, was 6.7 degrees off on this subspace.

// %% [markdown]
// ## 3. Deep autoencoder vs deep factorization vs PCA
// Same code size d. The deep autoencoder (encoder + decoder) and the deep factorization (decoder + one free code
// per image, no encoder) use the convolutional networks of Li et al. (2020) Tables 3 and 4 with the squared loss.
// Held-out images reach a code through the encoder (autoencoder), the projection (PCA), or a code fit with the
// decoder frozen (factorization).

// %%
const deep = await (async () => {
  const { X: Xtr } = await mnistMatrix(cfg.deepN);
  const { X: Xte } = await mnistMatrix(cfg.deepTestN, 'test');
  try {
    return await deepVersusLinear(Xtr, Xte, cfg.d, cfg.deepEpochs, cfg.seed);
  } finally { tf.dispose([Xtr, Xte]); }
})() as DeepComparison;
table('deep-vs-linear', deep.rows.map((r) => ({
  model: r.model, 'train MSE': fmt(r.trainMse, 4), 'held-out MSE': fmt(r.testMse, 4), 'time (s)': fmt(r.seconds, 1),
})),
  { caption: `Reconstruction error (mean squared error per pixel), d = ${cfg.d}` });
await figure('deep-vs-linear-reconstructions', imageGrid({
  rows: deep.examples.map((e) => ({ label: e.label, images: e.images })), height: 28, width: 28,
  title: `Held-out test digits and their reconstructions, code size d = ${cfg.d}`,
}));

// %% [markdown]
// ## 4. Reconstruction error as an outlier score
// Images of one digit mixed with a few images of the other digits (the data set of Zhou & Paffenroth Sec. 5.3);
// PCA and a deep autoencoder are trained on the mixed set without labels, and each image's score is
// `||x − x̂||₂`. ROC AUC = probability that an outlier scores above an inlier (0.5 = chance); precision at k =
// fraction of true outliers among the k highest scores, k = the number of outliers.

// %%
const out = await reconstructionOutliers(cfg);
table('outlier-scores', out.rows.map((r: OutlierRow) => ({
  model: r.model, 'ROC AUC': fmt(r.auc), 'precision at k': fmt(r.precisionAtK), 'mean score, inliers': fmt(r.meanScoreInliers, 2),
  'mean score, outliers': fmt(r.meanScoreOutliers, 2), 'time (s)': fmt(r.seconds, 1),
})), { caption: `Outlier detection by reconstruction error: ${cfg.outlier.nInliers} inliers, ${cfg.outlier.nOutliers} outliers` });
for (const r of out.rows) {
  const mine = out.scores.filter((s) => s.model === r.model);
  await figure(`outlier-score-histogram-${r.model.startsWith('PCA') ? 'pca' : 'deep-ae'}`, histogram({
    series: [
      { name: 'inliers', values: mine.filter((s) => !s.outlier).map((s) => s.score) },
      { name: 'outliers', values: mine.filter((s) => s.outlier).map((s) => s.score) },
    ],
    bins: 40, density: true, title: `Reconstruction error, ${r.model}`, xTitle: '||x − x̂||₂', yTitle: 'fraction of images',
  }));
}

// %% [markdown]
// ## Claims

// %%
// The claim rules live in src/papers/sun2020-claims.ts (tested on fixed numbers).
// (no shorthand properties for notebook-level names: tslab rewrites only `name`, not `{ name }`)
const claimRows = sun2020Claims({ scale: nb.scale, cfg: cfg, subspaces: sub, energyAt50: at(50), k90: k90, deep: deep.rows, outliers: out.rows });
for (const c of claimRows) claims.add(c);
claims.show();
