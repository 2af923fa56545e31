// %% [markdown]
// # Robust Variational Autoencoders: generating noise-free images from corrupted images
//
// Ren, Yue, Zhou, Paffenroth, Li & Weiss, AdvML @ KDD 2020. The RVAE splits the corrupted training data into
// `X = L + S` (eq. 5): a VAE learns L, an l1 penalty puts the sparse noise into S, and Algorithm 1 alternates
// "train the VAE on L = X - S" with "S = prox(X - D(E(L)))". New images come from the VAE's prior. The paper
// compares, by FID against clean images, the RVAE with a VAE, a GAN of the same size and three two-stage
// pipelines (denoise with a low-pass filter, convex RPCA or RDA, then train a VAE on the denoised images).
//
// | piece | module |
// |---|---|
// | VAE 784-512-256-49-256-512-784 (Bernoulli or Gaussian likelihood; `reparam: 'sigma'` or the code's `'authors-code'`) | `src/models/vae.ts` |
// | convolutional VAE for 64x64 RGB (CelebA, Table 4) | `src/models/conv-vae.ts` |
// | RVAE = the alternating robust solver with the VAE as inner model | `src/models/rvae.ts`, `src/train/alternating.ts` |
// | GAN of the same size | `src/models/gan.ts` |
// | two-stage "denoiser then VAE": box mean filter, convex RPCA, RDA | `src/models/two-stage.ts`, `src/models/baselines/lpf.ts`, `src/models/rpca.ts`, `src/models/rda.ts` |
// | FID (Frechet distance of feature Gaussians) | `src/metrics/fid.ts`, `src/metrics/frechet.ts` |
// | experiment cells (resumable, `results/<scale>/03-robust-variational-autoencoders/`) | `src/papers/ren2020.ts` |
//
// **FID here is not the paper's FID.** The paper used ImageNet InceptionV3 features; no Inception network is
// available offline, so our FID uses the penultimate layer of the project's classifier trained on clean images of
// the same data set ("PC-mnist penultimate (128-d)", "PC-fashion-mnist penultimate (128-d)"). Absolute values are
// therefore on another scale; every table shows the paper's Inception FID beside ours, and the claims compare
// orderings and relative improvements. (Set `RML_INCEPTION=<folder of a tfjs InceptionV3 graph model>` to use
// Inception features instead.)
//
// **The VAE's reparameterisation is the authors' code's**, `z = mu + exp(logVar) eps` (the variance where the
// standard deviation belongs; `reparam: 'authors-code'`), for every VAE in this notebook (VAE, RVAE, the two-stage
// VAEs), because that is the model that produced the paper's numbers. The library's default is the textbook
// `z = mu + exp(logVar / 2) eps` (`reparam: 'sigma'`). The choice matters here: with the textbook form, a VAE
// trained on MNIST with 25% salt-and-pepper noise collapsed to one mean image at the quick budget (all samples
// identical, pixel std 0.008, FID 333.6 after 2,000 steps, measured in a pilot run), while the code's form, which
// injects less noise into z than its KL term pays for, kept learning digits (FID 261 after 1,000 steps).
//
// **Other differences from the authors' code, on purpose:** the paper's layer sizes 784-512-256-49 (the code:
// 784-512-384-256-49); `L = D(E(L))` decodes the posterior mean (the code decodes one sampled z). The lambda
// convention is the code's: prox threshold = lambda / mu with `mu = X.size / (4 ||X||_1)`, numpy's matrix 1-norm
// = the largest column sum (so lambda = 150 is a threshold of about 0.41 on MNIST, lambda = 15 about 0.04).
//
// **Scales.** `paper`: 55,000 training images, 30 outer x 20 inner epochs (600 VAE epochs for every model),
// sigmoid layers as the paper states, 10,000 samples per FID, the paper's noise levels and lambdas (many hours
// on 2 cores). `quick` (default): 5,000 training images, 2 outer x 20 inner = 40 epochs per model (1,000
// optimiser steps), ReLU hidden layers (sigmoid networks barely leave their initial plateau this early), 2,000
// generated vs 2,000 clean images per FID, two noise levels per data set, lambdas 50 / 150 / 250 with 150 for the
// tables. `smoke`: only proves that every cell runs. The quick scale gives each model ~1,000 optimiser steps where
// the paper gave ~165,000, so its tables test the direction of each claim early in training, not the paper's
// converged numbers. **Where a claim needs more, section 5 measures it with budget ladders**: on the decisive cell
// (MNIST, 25% noise) the RVAE and the VAE are trained up to 10 outer iterations (200 epochs) at quick with three
// seeds, the RVAE also with lambda 50 (the failing Fig. 2 cell) and the RDA+VAE at 10 outer iterations; the quick
// budget goes there rather than into more table cells. `long` (one machine overnight, about 8 h): 20,000 images,
// the tables at 10 outer iterations, ladders to the paper's 30 with three seeds. Why 2 x 20 and lambda 150 (pilot runs on MNIST 9%, recorded here rather than tuned silently): the first
// S-projection happens after the first inner stage, and a VAE that has trained only 125 steps (the earlier 4 x 5
// schedule) reconstructs so poorly that a small threshold puts 97% of all entries into S; the RVAE then trains on
// its own blurry output and never recovers (FID 331 vs the VAE's 212). With 375-500 steps before the first
// projection the RVAE beat the VAE, and the undertrained VAE's residuals need a larger threshold than the paper's
// lambda 10-100: in the pilot, lambda 100 / 150 / 250 gave RVAE FID 127 / 123 / 142 against the VAE's 145 (textbook
// reparameterisation), while lambda 50 lost.

// %%
import 'tsx/cjs';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from 'rml';
import { setupNotebook, figure, table, markdown } from 'rml/notebook';
import { ClaimsTable } from 'rml/experiment/claims';
import { heatmap, lines, bars, imageGrid } from 'rml/plots';
import { loadMnist } from 'rml/data/mnist';
import { loadFashionMnist } from 'rml/data/fashion-mnist';
import { loadCelebA } from 'rml/data/celeba';
import { toMatrix } from 'rml/data/images';
import { getClassifier } from 'rml/classifiers/pc';
import { graphModelFeatureNet, extractFeatures, type FeatureNet } from 'rml/metrics/fid';
import { frechetDistanceFromFeatures } from 'rml/metrics/frechet';
import { vaeParamCount } from 'rml/models/vae';
import { effectiveThreshold } from 'rml/train/alternating';
import {
  renConfig, renStore, renCell, prepareRenData, corruptFor, referenceFid, paperFid, decodeSamples, improvement,
  pooledPixelFeatureNet, runCelebaCell, REN_MODELS, REN2020_TABLE2, REN2020_TABLE4, type RenData, type RenDataset, type RenRow, type RenModel,
  renLadderStore, renLadder, ladderReading, spreadText, rvaeBeatsVaeVerdict, rvaeBeatsBaselinesVerdict, rvaeCloseToRdaVerdict,
  rvaeFasterVerdict, fig2Verdict, type RenVerdict,
} from 'rml/papers/ren2020';
const nb = await setupNotebook('03-robust-variational-autoencoders');
const tensorsAtStart = tf.memory().numTensors;
const cfg = renConfig(nb.scale);
const claims = new ClaimsTable(nb.name);
const store = renStore(undefined, nb.scale);
const ladderStore = renLadderStore(nb.scale);
const t0 = Date.now();
const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const DS_TITLE: Record<RenDataset, string> = { mnist: 'MNIST', 'fashion-mnist': 'Fashion-MNIST' };
table('config', [
  { setting: 'training images', value: `${cfg.nTrain} (first of the training split), corrupted; models never see clean data` },
  { setting: 'VAE', value: `784-${cfg.hidden.join('-')}-${cfg.latentDim}-${[...cfg.hidden].reverse().join('-')}-784, ${cfg.activation}, Bernoulli, Adam 1e-3, batch 200, ${vaeParamCount(784, cfg.hidden, cfg.latentDim)} parameters` },
  { setting: 'RVAE', value: `${cfg.outer} outer x ${cfg.inner} inner epochs; lambda ${cfg.lambda} for the tables (threshold lambda/mu)` },
  { setting: 'VAE, GAN, two-stage VAEs', value: `${cfg.outer * cfg.inner} epochs (the paper: "the benchmark methods are also trained with 600 iterations")` },
  { setting: 'FID', value: `${cfg.nGen} generated vs ${cfg.nRef} clean training images` },
  { setting: 'RPCA+VAE denoiser', value: `convex RPCA, inexact ALM (src/models/rpca.ts), tolerance 1e-7, at most ${cfg.rpcaMaxIter} iterations` },
  { setting: 'Tables 2/3 noise (salt-and-pepper)', value: cfg.datasets.map((d) => `${DS_TITLE[d]}: ${cfg.tableLevels[d].join(', ')}`).join('; ') },
  { setting: 'Figure 2 grid (MNIST)', value: `noise ${cfg.heatLevels.join(', ')} x lambda ${cfg.heatLambdas.join(', ')}` },
  { setting: 'Figure 3a (MNIST, Gaussian)', value: `factors ${cfg.gaussLevels.join(', ')}` },
  { setting: 'budget ladders (MNIST)', value: `${Math.round(cfg.ladderLevel * 100)}% noise: RVAE (lambda ${cfg.lambda}) and VAE at outer iterations ${cfg.ladderOuters.join(', ')} (VAE: x ${cfg.inner} epochs), seeds ${cfg.ladderSeeds.map((x) => nb.seed + x).join(', ')}; RVAE lambda ${cfg.ladderLambdas.join(', ') || '-'} (first seed); RDA+VAE at ${cfg.ladderRdaOuters.join(', ')} outer iterations` },
], { caption: `Experiment sizes at scale "${nb.scale}"` });

// %% [markdown]
// ## 1. Data and the FID feature network
//
// For each data set: the first `nTrain` training images (clean; only used as the FID reference and to show
// what the corruption did), the feature network, and two reference points on our FID scale: clean held-out test
// images against the clean reference (how low FID can go with this many images) and the corrupted training images
// themselves against the clean reference (what "just the noisy data" scores).

// %%
const inception = process.env.RML_INCEPTION;
const datasets: Record<string, RenData> = {};
const refRows: Record<string, unknown>[] = [];
/** FID of clean test images (the floor) and of the corrupted training images (the ceiling, per level), same feature
 *  network and sizes as the generated images (nGen images vs the nRef clean reference images). */
const floorFid: Record<string, number> = {};
const ceilFid: Record<string, Record<number, number>> = {};
for (const ds of cfg.datasets) {
  const load = ds === 'mnist' ? loadMnist : loadFashionMnist;
  const clean = toMatrix(await load({ split: 'train', n: cfg.nTrain }));
  const net: FeatureNet = inception
    ? await graphModelFeatureNet(inception, { name: `InceptionV3 pool3 (${inception})` })
    : (await getClassifier(ds, nb.scale === 'smoke' ? { trainSize: 2000, epochs: 1, testSize: 1000 } : {})).featureNet;
  datasets[ds] = prepareRenData(ds, clean, net, cfg);
  const test = toMatrix(await load({ split: 'test', n: Math.min(cfg.nGen, 10000) }));
  floorFid[ds] = referenceFid(test, datasets[ds], cfg.nGen);
  refRows.push({ 'data set': DS_TITLE[ds], images: 'clean test images (floor)', noise: 0, FID: fmt(floorFid[ds]), 'feature network': net.name });
  test.dispose();
  ceilFid[ds] = {};
  const levels = [...new Set([...cfg.tableLevels[ds], ...(ds === 'mnist' ? [cfg.ladderLevel, ...cfg.heatLevels] : [])])].sort((a, b) => a - b);
  for (const level of levels) {
    const X = corruptFor(clean, 'salt-pepper', level, nb.seed, ds);
    ceilFid[ds][level] = referenceFid(X, datasets[ds], cfg.nGen);
    refRows.push({ 'data set': DS_TITLE[ds], images: 'corrupted training images (ceiling)', noise: level, FID: fmt(ceilFid[ds][level]), 'feature network': net.name });
    X.dispose();
  }
}
table('fid-reference-points', refRows as never, { caption: `Reference points on our FID scale: ${cfg.nGen} real images against the ${cfg.nRef} clean training images of the reference (the same sizes and feature network as the generated images)` });

// %% [markdown]
// **Check of the Frechet distance against an independent implementation.** The library computes
// `tr sqrtm(C1 C2)` through a Cholesky factor and the eigenvalues of `L^T C2 L` (`src/metrics/frechet.ts`). Here the
// same features go through a separate route written in this cell with ml-matrix: `sqrt(C1)` from the eigen
// decomposition of C1, then the eigenvalues of `sqrt(C1) C2 sqrt(C1)`.

// %%
{
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { Matrix, EigenvalueDecomposition } = require('ml-matrix');
  const ds = cfg.datasets[0];
  const data = datasets[ds];
  const n = Math.min(1000, cfg.nRef);
  const A = data.clean.slice([0, 0], [n, 784]);
  const X = corruptFor(data.clean, 'salt-pepper', cfg.tableLevels[ds][0], nb.seed, ds);
  const B = X.slice([0, 0], [n, 784]);
  const fa = extractFeatures(A, data.featureNet), fb = extractFeatures(B, data.featureNet);
  tf.dispose([A, B, X]);
  const ours = frechetDistanceFromFeatures(fa, fb);
  const stats = (f: { rows: number; cols: number; data: Float64Array }) => {
    const M = new Matrix(f.rows, f.cols);
    for (let i = 0; i < f.rows; i++) for (let j = 0; j < f.cols; j++) M.set(i, j, f.data[i * f.cols + j]);
    const mean = M.mean('column');
    const C = M.clone().subRowVector(mean);
    return { mean, cov: C.transpose().mmul(C).div(f.rows - 1) };
  };
  const s1 = stats(fa), s2 = stats(fb);
  const e1 = new EigenvalueDecomposition(s1.cov, { assumeSymmetric: true });
  const sq = e1.eigenvectorMatrix.mmul(Matrix.diag(e1.realEigenvalues.map((v: number) => Math.sqrt(Math.max(v, 0))))).mmul(e1.eigenvectorMatrix.transpose());
  const K = sq.mmul(s2.cov).mmul(sq);
  const ev = new EigenvalueDecomposition(K.add(K.transpose()).div(2), { assumeSymmetric: true }).realEigenvalues as number[];
  const tr = ev.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
  let dm = 0;
  for (let j = 0; j < s1.mean.length; j++) dm += (s1.mean[j] - s2.mean[j]) ** 2;
  const indep = dm + s1.cov.trace() + s2.cov.trace() - 2 * tr;
  table('frechet-check', [{ 'feature network': data.featureNet.name, images: `${n} clean vs ${n} corrupted`, 'library FID': ours.toFixed(6), 'independent (ml-matrix eigen route)': indep.toFixed(6), 'relative difference': (Math.abs(ours - indep) / Math.abs(indep)).toExponential(2) }], { caption: 'Frechet distance: library vs independent implementation on the same features' });
}

// %% [markdown]
// ## 2. Tables 2 and 3: FID of generated images for six models
//
// Every model trains on the same corrupted images (salt-and-pepper: `int(f * 784)` positions per image drawn with
// replacement and flipped, as the authors' code) and draws `nGen` images from its prior. Lower FID is better. The
// paper's column is its Inception FID; ours is the classifier-feature FID (the two scales differ).
// Training time is wall-clock time of `fit` on this machine (two-stage models: denoiser + VAE).

// %%
const rows: RenRow[] = [];
const cellOf = async (ds: RenDataset, noise: 'salt-pepper' | 'gaussian', level: number, model: RenModel, lambda = 0) =>
  renCell(store, { dataset: ds, noise, level, model, lambda: model === 'RVAE' || model === 'RDA+VAE' ? lambda || cfg.lambda : 0, seed: nb.seed }, () => datasets[ds], cfg);
for (const ds of cfg.datasets) {
  for (const level of cfg.tableLevels[ds]) {
    for (const model of REN_MODELS) rows.push(await cellOf(ds, 'salt-pepper', level, model));
  }
}
const featureNames = [...new Set(rows.map((r) => r.featureNet))].join('; ');
for (const ds of cfg.datasets) {
  const lv = cfg.tableLevels[ds];
  const out: Record<string, string>[] = REN_MODELS.map((m) => {
    const o: Record<string, string> = { model: m };
    for (const level of lv) {
      o[`${Math.round(level * 100)}% ours`] = fmt(rows.find((x) => x.dataset === ds && x.level === level && x.model === m)!.fid);
      const p = paperFid(ds, level, m);
      o[`${Math.round(level * 100)}% paper`] = p === undefined ? '-' : p.toFixed(1);
    }
    return o;
  });
  // Reference rows (same feature network, same image counts): real vs real is the floor; the corrupted training
  // images themselves are the ceiling a generator of "just the noisy data" would reach. The paper has neither.
  out.push({ model: 'reference: clean test images (floor)', ...Object.fromEntries(lv.flatMap((l) => [[`${Math.round(l * 100)}% ours`, fmt(floorFid[ds])], [`${Math.round(l * 100)}% paper`, '-']])) });
  out.push({ model: 'reference: the corrupted training images (ceiling)', ...Object.fromEntries(lv.flatMap((l) => [[`${Math.round(l * 100)}% ours`, fmt(ceilFid[ds][l])], [`${Math.round(l * 100)}% paper`, '-']])) });
  table(`table${ds === 'mnist' ? 2 : 3}-fid-${ds}`, out as never, { caption: `${ds === 'mnist' ? 'Table 2' : 'Table 3'} (${DS_TITLE[ds]}, ${cfg.outer} outer x ${cfg.inner} inner epochs): "ours" = FID with ${datasets[ds].featureNet.name}, ${cfg.nGen} images vs ${cfg.nRef} clean training images; "paper" = Inception FID, 10,000 samples ("-": not in the paper). The two reference rows are real images scored the same way.` });
}
table('training-details', rows.map((r) => ({ 'data set': DS_TITLE[r.dataset], noise: r.level, model: r.model, lambda: r.lambda || '', FID: fmt(r.fid), 'train s': fmt(r.trainSeconds), 'train CPU s': fmt(r.trainCpuSeconds), 'denoiser s': r.denoiserSeconds ? fmt(r.denoiserSeconds) : '', 'last loss': fmt(r.lastLoss), 'nnz(S)': r.sparsityS >= 0 ? r.sparsityS.toFixed(3) : '', params: r.nParams })) as never, { caption: 'Per cell: training time (measured), last training loss per image, fraction of non-zero S (RVAE), parameters of the generative network' });

// %% [markdown]
// ## 3. Table 1: generated samples
//
// Samples from each model's prior (the first images of the FID set), with clean and corrupted training images
// for reference. The paper shows MNIST at 29% and Fashion-MNIST at 41% salt-and-pepper noise; the quick and smoke
// scales show MNIST at 25% (a level of Table 2, so the grid reuses the table's models), the paper scale at 29%.

// The RVAE and VAE rows here are the table budget (2 outer iterations at quick); section 5 shows the same cell
// after 10 outer iterations, where the RVAE's samples lose the grey noise and the VAE's do not.

// %%
for (const ds of cfg.datasets) {
  const level = cfg.gridLevel[ds];
  const data = datasets[ds];
  const X = corruptFor(data.clean, 'salt-pepper', level, nb.seed, ds);
  const k = Math.min(10, cfg.gridN);
  const cleanRow = data.clean.slice([0, 0], [k, 784]), noisyRow = X.slice([0, 0], [k, 784]);
  const modelRows = [];
  for (const m of REN_MODELS) {
    const r = rows.find((x) => x.dataset === ds && x.level === level && x.model === m) ?? await cellOf(ds, 'salt-pepper', level, m);
    modelRows.push({ label: `${m} (FID ${fmt(r.fid)})`, images: decodeSamples(r.samples).slice(0, k * 784) });
  }
  await figure(`table1-samples-${ds}`, imageGrid({
    rows: [{ label: 'clean (not seen)', images: cleanRow }, { label: `input, ${Math.round(level * 100)}% noise`, images: noisyRow }, ...modelRows],
    height: 28, width: 28, cols: k, title: `Table 1 (${DS_TITLE[ds]}, ${Math.round(level * 100)}% salt-and-pepper): generated samples`,
  }));
  tf.dispose([X, cleanRow, noisyRow]);
}

// %% [markdown]
// ## 4. Figure 2: FID(VAE) - FID(RVAE) over noise ratio and lambda (MNIST)
//
// Positive (blue in the paper) = the RVAE generates better images than the VAE trained on the same corrupted data.
// Small lambda puts more into S; large lambda leaves S empty (the RVAE becomes a VAE).

// %%
const heat: { noise: number; lambda: number; diff: number; rel: number; vae: number; rvae: number }[] = [];
for (const level of cfg.heatLevels) {
  const vae = await cellOf('mnist', 'salt-pepper', level, 'VAE');
  for (const lambda of cfg.heatLambdas) {
    const r = await cellOf('mnist', 'salt-pepper', level, 'RVAE', lambda);
    heat.push({ noise: level, lambda, diff: vae.fid - r.fid, rel: improvement(vae.fid, r.fid), vae: vae.fid, rvae: r.fid });
  }
}
await figure('fig2-heatmap', heatmap({
  data: heat, x: 'noise', y: 'lambda', color: 'diff', diverging: true, scheme: 'redblue', text: '.1f',
  xTitle: 'salt-and-pepper noise ratio', yTitle: 'lambda (threshold lambda / mu)', colorTitle: 'FID(VAE) - FID(RVAE)',
  title: 'Figure 2: FID(VAE) - FID(RVAE) on MNIST', subtitle: `positive = RVAE better; FID with ${datasets.mnist.featureNet.name}`,
}));
table('fig2-cells', heat.map((h) => ({ noise: h.noise, lambda: h.lambda, 'FID(VAE) - FID(RVAE)': fmt(h.diff), 'improvement %': fmt(h.rel) })) as never, { caption: 'Figure 2 cells' });

// %% [markdown]
// ## 5. Budget ladders: FID against the number of outer iterations
//
// The tables train every model for `outer x inner` epochs (quick: 2 x 20 = 40 epochs on 5,000 images; the paper
// 30 x 20 = 600 epochs on 55,000). The decisive cells are MNIST at 25% (Table 2, where the RVAE did not beat the
// VAE at the table budget) and the Fig. 2 cells at 25%. A ladder is ONE long fit per model and seed: the RVAE's
// FID is measured after every outer iteration (it keeps one VAE and one Adam state across outer iterations, and
// sampling uses its own seeded stream, so rung k is exactly the model of a k-iteration fit; unit-tested), the
// VAE's after every `inner` epochs (the paper gives the baselines the same number of epochs). Seeds change the
// corruption and the initialisation together; a rung counts as an RVAE win only when it wins for every seed.
//
// The paper's numbers are Inception FID and ours are not, so the comparable quantities are the ORDER and the
// RATIO FID(RVAE) / FID(VAE) (paper at 25%: 90.15 / 186.20 = 0.48, after 30 outer iterations), and where each
// model sits between our floor (clean test images) and our ceiling (the corrupted training images).

// %%
const ladSeeds = cfg.ladderSeeds.map((x) => nb.seed + x);
const lcell = (model: 'RVAE' | 'VAE', seed: number, lambda = cfg.lambda) =>
  renLadder(ladderStore, { dataset: 'mnist', noise: 'salt-pepper', level: cfg.ladderLevel, model, lambda: model === 'RVAE' ? lambda : 0, seed }, () => datasets.mnist, cfg, { outers: cfg.ladderOuters, gridAt: cfg.ladderGridAt });
const ladRvae = [] as Awaited<ReturnType<typeof lcell>>[];
const ladVae = [] as Awaited<ReturnType<typeof lcell>>[];
for (const seed of ladSeeds) { ladRvae.push(await lcell('RVAE', seed)); ladVae.push(await lcell('VAE', seed)); }
const ladLam = [] as Awaited<ReturnType<typeof lcell>>[];
for (const lam of cfg.ladderLambdas) ladLam.push(await lcell('RVAE', ladSeeds[0], lam));
// RDA+VAE: separate fits (its VAE trains after the RDA has run all its outer iterations)
const rdaRungs: { outer: number; fid: number; seconds: number }[] = [];
for (const k of cfg.ladderRdaOuters) {
  const r = await renCell(ladderStore, { dataset: 'mnist', noise: 'salt-pepper', level: cfg.ladderLevel, model: 'RDA+VAE', lambda: cfg.lambda, seed: ladSeeds[0] }, () => datasets.mnist, { ...cfg, outer: k });
  rdaRungs.push({ outer: k, fid: r.fid, seconds: r.trainSeconds });
}
const L25 = cfg.ladderLevel;
const paperR = REN2020_TABLE2[L25]?.RVAE, paperV = REN2020_TABLE2[L25]?.VAE, paperD = REN2020_TABLE2[L25]?.['RDA+VAE'];
const band = (v: number[]) => ({ mean: v.reduce((a, b) => a + b, 0) / v.length, lo: Math.min(...v), hi: Math.max(...v) });
const ladPoints: Record<string, number | string>[] = [];
cfg.ladderOuters.forEach((k, i) => {
  for (const [name, lad] of [[`RVAE (lambda ${cfg.lambda})`, ladRvae], ['VAE (same epochs)', ladVae]] as const) {
    const b = band(lad.map((l) => l.fid[i]));
    ladPoints.push({ outer: k, model: name, fid: b.mean, lo: b.lo, hi: b.hi });
  }
  ladLam.forEach((l) => ladPoints.push({ outer: k, model: `RVAE (lambda ${l.lambda}, seed ${l.seed})`, fid: l.fid[i], lo: l.fid[i], hi: l.fid[i] }));
});
for (const r of rdaRungs) ladPoints.push({ outer: r.outer, model: `RDA+VAE (seed ${ladSeeds[0]})`, fid: r.fid, lo: r.fid, hi: r.fid });
await figure('ladder-mnist-25', lines({
  data: ladPoints, x: 'outer', y: 'fid', series: 'model', bandLow: 'lo', bandHigh: 'hi',
  xTitle: `outer iterations (x ${cfg.inner} epochs; VAE: the same number of epochs)`, xFormat: 'd', yTitle: `FID (${datasets.mnist.featureNet.name})`,
  title: `Budget ladder: MNIST, ${Math.round(L25 * 100)}% salt-and-pepper, ${cfg.nTrain} images`,
  subtitle: `mean and min-max over seeds ${ladSeeds.join(', ')}; quick tables use ${cfg.outer} outer iterations, the paper 30`,
  rules: [{ y: floorFid.mnist, label: 'floor: clean test images' }, { y: ceilFid.mnist[L25], label: 'ceiling: corrupted input' }],
}));
const ladRows = cfg.ladderOuters.map((k, i) => {
  const rv = ladRvae.map((l) => l.fid[i]), va = ladVae.map((l) => l.fid[i]);
  const o: Record<string, string | number> = {
    outer: k, epochs: k * cfg.inner, 'RVAE FID': spreadText(rv), 'VAE FID': spreadText(va),
    'RVAE / VAE': (band(rv).mean / band(va).mean).toFixed(2),
    'RVAE lower in seeds': `${rv.filter((v, j) => v < va[j]).length} of ${rv.length}`,
    'nnz(S)': spreadText(ladRvae.map((l) => 100 * l.sparsityS[i])) + '%',
  };
  for (const l of ladLam) o[`RVAE lambda ${l.lambda}`] = fmt(l.fid[i]);
  const rd = rdaRungs.find((r) => r.outer === k);
  o['RDA+VAE'] = rd ? fmt(rd.fid) : '';
  return o;
});
if (paperR !== undefined && paperV !== undefined) ladRows.push({ outer: 30, epochs: 600, 'RVAE FID': `paper ${paperR} (Inception)`, 'VAE FID': `paper ${paperV}`, 'RVAE / VAE': (paperR / paperV).toFixed(2), 'RVAE lower in seeds': '', 'nnz(S)': '', ...Object.fromEntries(ladLam.map((l) => [`RVAE lambda ${l.lambda}`, ''])), 'RDA+VAE': paperD === undefined ? '' : `paper ${paperD}` });
table('ladder-mnist-25', ladRows as never, { caption: `Budget ladder, MNIST ${Math.round(L25 * 100)}%: FID mean [min-max] over seeds ${ladSeeds.join(', ')} (${cfg.nGen} samples vs ${cfg.nRef} clean images; floor ${fmt(floorFid.mnist)}, ceiling ${fmt(ceilFid.mnist[L25])}); last row: the paper (Inception FID, 30 x 20 epochs on 55,000 images)` });
const reading = ladderReading(cfg.ladderOuters, ladRvae.map((l) => l.fid), ladVae.map((l) => l.fid));
markdown(`**Ladder reading (lambda ${cfg.lambda}).** The RVAE is lower than the VAE for every seed at outer iterations: ${reading.winsAt.join(', ') || 'none'}; ` +
  (reading.from !== undefined ? `it stays lower from ${reading.from} outer iterations on.` : 'it does not stay lower up to the last rung.') +
  ` At the last rung (${cfg.ladderOuters.at(-1)}) the mean gap FID(VAE) - FID(RVAE) is ${fmt(reading.lastGap)}.`);
{
  const i = cfg.ladderOuters.indexOf(cfg.outer);
  const tr = rows.find((r) => r.dataset === 'mnist' && r.level === L25 && r.model === 'RVAE' && r.seed === ladSeeds[0]);
  const tv = rows.find((r) => r.dataset === 'mnist' && r.level === L25 && r.model === 'VAE' && r.seed === ladSeeds[0]);
  if (i >= 0 && tr && tv) markdown(`Check: the table's ${Math.round(L25 * 100)}% cells (${cfg.outer} outer, separate fits) give RVAE ${tr.fid.toFixed(3)} / VAE ${tv.fid.toFixed(3)}; the ladder's rung ${cfg.outer} of the same seed gives ${ladRvae[0].fid[i].toFixed(3)} / ${ladVae[0].fid[i].toFixed(3)}.`);
}

// %% [markdown]
// **What the RVAE trains on, and what it generates.** For the first seed: the inputs, the RVAE's `L_in = X - S`
// (what its VAE trains on in the next outer iteration), its reconstruction `L = D(E(X - S))`, and prior samples,
// at the table budget and at the top of the ladder, beside the VAE's samples after the same number of epochs.

// %%
{
  const data = datasets.mnist;
  const X = corruptFor(data.clean, 'salt-pepper', L25, ladSeeds[0], 'mnist');
  const k = Math.min(10, cfg.gridN);
  const cleanRow = data.clean.slice([0, 0], [k, 784]), noisyRow = X.slice([0, 0], [k, 784]);
  const r0 = ladRvae[0], v0 = ladVae[0];
  const gridRows: { label: string; images: Float32Array | tf.Tensor }[] = [{ label: 'clean (not seen)', images: cleanRow }, { label: `input, ${Math.round(L25 * 100)}% noise`, images: noisyRow }];
  for (let j = 0; j < r0.gridOuters.length; j++) {
    const o = r0.gridOuters[j], i = r0.outers.indexOf(o);
    gridRows.push({ label: `RVAE ${o} outer: L_in = X - S`, images: decodeSamples(r0.Lin[j]).slice(0, k * 784) });
    gridRows.push({ label: `RVAE ${o} outer: L = D(E(L_in))`, images: decodeSamples(r0.Lrec[j]).slice(0, k * 784) });
    gridRows.push({ label: `RVAE ${o} outer: FID ${fmt(r0.fid[i], 0)}`, images: decodeSamples(r0.samples[j]).slice(0, k * 784) });
    const jv = v0.gridOuters.indexOf(o);
    if (jv >= 0) gridRows.push({ label: `VAE ${o * cfg.inner} epochs: FID ${fmt(v0.fid[v0.outers.indexOf(o)], 0)}`, images: decodeSamples(v0.samples[jv]).slice(0, k * 784) });
  }
  for (const l of ladLam) {
    const j = l.gridOuters.length - 1, o = l.gridOuters[j];
    if (j < 0) continue;
    gridRows.push({ label: `lambda ${l.lambda}, ${o} outer: L_in`, images: decodeSamples(l.Lin[j]).slice(0, k * 784) });
    gridRows.push({ label: `lambda ${l.lambda}, ${o} outer: FID ${fmt(l.fid[l.outers.indexOf(o)], 0)}`, images: decodeSamples(l.samples[j]).slice(0, k * 784) });
  }
  await figure('ladder-grids-mnist-25', imageGrid({ rows: gridRows, height: 28, width: 28, cols: k, title: `MNIST ${Math.round(L25 * 100)}%: RVAE (lambda ${cfg.lambda} unless named) and VAE along the ladder (seed ${ladSeeds[0]}); samples from the prior` }));
  tf.dispose([X, cleanRow, noisyRow]);
}

// %% [markdown]
// ## 6. Figure 3a: Gaussian noise; Figure 3b: training time of RVAE vs RDA+VAE
//
// Gaussian corruption: `clip(x + f N(0, 1), 0, 1)` on every pixel (the authors' code). Training times are the
// measured wall-clock seconds of the cells above (same data, same epochs budget; RDA+VAE = RDA with the same
// outer x inner schedule, then a VAE).

// %%
const gauss: { factor: number; model: string; fid: number }[] = [];
for (const level of cfg.gaussLevels) {
  for (const m of ['VAE', 'RVAE'] as const) {
    const r = await cellOf('mnist', 'gaussian', level, m);
    gauss.push({ factor: level, model: m, fid: r.fid });
  }
}
await figure('fig3a-gaussian', lines({
  data: gauss, x: 'factor', y: 'fid', series: 'model', xTitle: 'Gaussian noise factor f', yTitle: `FID (${datasets.mnist.featureNet.name})`,
  title: 'Figure 3a: FID vs Gaussian noise (MNIST)',
}));
const times = rows.filter((r) => r.model === 'RVAE' || r.model === 'RDA+VAE').map((r) => ({ cell: `${DS_TITLE[r.dataset]} ${Math.round(r.level * 100)}%`, model: r.model, seconds: r.trainSeconds }));
// wall time is what the paper reports; CPU time of the process is shown beside it because other jobs may share the machine
await figure('fig3b-training-time', bars({
  data: times, x: 'cell', y: 'seconds', series: 'model', xTitle: 'data set and noise', yTitle: 'training time (s, measured)',
  title: 'Figure 3b: training time, RVAE vs RDA+VAE',
}));
const pairs = rows.filter((r) => r.model === 'RVAE').map((r) => ({ r, d: rows.find((x) => x.model === 'RDA+VAE' && x.dataset === r.dataset && x.level === r.level)! }));
const faster = pairs.map(({ r, d }) => 100 * (d.trainSeconds - r.trainSeconds) / d.trainSeconds);
const fasterCpu = pairs.map(({ r, d }) => 100 * (d.trainCpuSeconds - r.trainCpuSeconds) / d.trainCpuSeconds);
table('fig3b-times', pairs.map(({ r, d }, i) => ({ 'data set': DS_TITLE[r.dataset], noise: r.level, 'RVAE s': fmt(r.trainSeconds), 'RDA+VAE s': fmt(d.trainSeconds), 'of which RDA s': fmt(d.denoiserSeconds), 'RVAE faster by % (wall)': fmt(faster[i]), 'RVAE CPU s': fmt(r.trainCpuSeconds), 'RDA+VAE CPU s': fmt(d.trainCpuSeconds), 'RVAE faster by % (CPU)': fmt(fasterCpu[i]) })) as never, { caption: 'Measured training times: wall clock (as the paper) and CPU time of the process' });

// %% [markdown]
// ## 7. Table 4: CelebA (64x64 RGB faces)
//
// The convolutional VAE and RVAE (`src/models/conv-vae.ts`, architecture of the paper's Appendix B.2 and the
// authors' PyTorch code) run here only when CelebA images are on disk (`data/celeba/`, see `src/data/celeba.ts`).
// Their FID uses 8x8 mean-pooled pixels per channel unless `RML_INCEPTION` is set: a crude feature, named as such.

// %%
let celebaRows: RenRow[] | null = null;
const celebaDir = path.join(nb.resultsDir, '..', '..', '..', 'data', 'celeba');
let celeba: Awaited<ReturnType<typeof loadCelebA>> | null = null;
try {
  celeba = await loadCelebA({ n: nb.scale === 'paper' ? 20000 : nb.scale === 'long' ? 5000 : nb.scale === 'quick' ? 1000 : 64, seed: nb.seed });
} catch (e) {
  markdown(`**CelebA is not available offline** (${(e as Error).message.split('.')[0]}). Table 4 is not reproduced; the code path is covered by the unit tests on fixture images (test/models/conv-vae.test.ts). The paper's Table 4 (Inception FID) for reference:`);
  table('table4-paper', Object.entries(REN2020_TABLE4).map(([lvl, v]) => ({ noise: `${Math.round(Number(lvl) * 100)}%`, ...Object.fromEntries(Object.entries(v).map(([k, x]) => [`${k} paper`, x])) })) as never, { caption: 'Ren et al. Table 4 (CelebA, Inception FID), paper values only' });
}
if (celeba) {
  const clean = toMatrix(celeba);
  const net = inception ? await graphModelFeatureNet(inception, { imageShape: [64, 64, 3], name: `InceptionV3 pool3 (${inception})` }) : pooledPixelFeatureNet([64, 64, 3]);
  const cstore = renStore('03-robust-variational-autoencoders/celeba.jsonl', nb.scale);
  const copts = { conv: {}, outer: nb.scale === 'paper' ? 10 : 2, inner: nb.scale === 'paper' ? 10 : 1, nGen: Math.min(clean.shape[0], 1000), gridN: 10 };
  celebaRows = [];
  for (const level of nb.scale === 'paper' ? [0.1, 0.2, 0.3, 0.4, 0.5] : [0.4]) {
    for (const model of ['VAE', 'RVAE'] as const) {
      const cell = { model, level, lambda: cfg.lambda, seed: nb.seed };
      const res = await cstore.cell({ ...cell, n: clean.shape[0], featureNet: net.name }, () => runCelebaCell(cell, clean, net, copts));
      celebaRows.push({ dataset: 'mnist', noise: 'salt-pepper', level, model, lambda: cell.lambda, seed: nb.seed, ...res });
    }
  }
  table('table4-celeba', celebaRows.map((r) => ({ noise: r.level, model: r.model, 'FID ours': fmt(r.fid), 'FID paper': REN2020_TABLE4[r.level]?.[r.model] ?? '-', 'train s': fmt(r.trainSeconds), 'feature network': r.featureNet })) as never, { caption: `Table 4 (CelebA, ${clean.shape[0]} faces)` });
  clean.dispose();
}

// %% [markdown]
// ## 8. Claims

// %%
const get = (ds: RenDataset, level: number, m: RenModel) => rows.find((r) => r.dataset === ds && r.level === level && r.model === m)!.fid;
const smoke = nb.scale === 'smoke';
const note = smoke ? 'smoke scale: too small to judge' : `${nb.scale} scale: ${cfg.outer} x ${cfg.inner} epochs on ${cfg.nTrain} images, FID on ${cfg.nGen} samples with ${featureNames}`;
/** The rules live in src/papers/ren2020.ts (unit-tested); at smoke scale nothing is judged. */
const add = (claim: string, paper: string, v: RenVerdict, extra = '') =>
  claims.add({ claim, paper, ours: v.ours, holds: smoke ? 'n/a' : v.holds, note: [note, v.note, extra].filter(Boolean).join('; ') });
const lastK = cfg.ladderOuters.at(-1)!;
const iLast = cfg.ladderOuters.length - 1;
const ladNote = `ladder (MNIST ${Math.round(L25 * 100)}%, seeds ${ladSeeds.join(', ')}): RVAE lower for every seed at outer ${reading.winsAt.join(', ') || 'none'} of ${cfg.ladderOuters.join(', ')}; at ${lastK} outer RVAE ${spreadText(ladRvae.map((l) => l.fid[iLast]))} vs VAE ${spreadText(ladVae.map((l) => l.fid[iLast]))}`;
// At the ladder's level the table budget is a rung of every seed's ladder (seed 0's rung is the table cell's model),
// so that level is judged over all ladder seeds; the other levels have one seed.
const iTb = cfg.ladderOuters.indexOf(cfg.outer);
add('Table 2: RVAE has a lower FID than the VAE at every noise level on MNIST (table budget)', 'all 7 levels (e.g. 43 vs 141 at 9%, 90 vs 186 at 25%)',
  rvaeBeatsVaeVerdict(cfg.tableLevels.mnist.map((l) => (l === L25 && iTb >= 0
    ? { level: l, rvae: ladRvae.map((x) => x.fid[iTb]), vae: ladVae.map((x) => x.fid[iTb]) }
    : { level: l, rvae: [get('mnist', l, 'RVAE')], vae: [get('mnist', l, 'VAE')] }))),
  `${Math.round(L25 * 100)}%: ladder seeds ${ladSeeds.join(', ')} at the table budget (${cfg.outer} outer); ${ladNote}`);
add(`Table 2 at ${Math.round(L25 * 100)}%: RVAE lower than the VAE after ${lastK} outer iterations (ladder, ${ladSeeds.length} seeds)`, `${paperR} vs ${paperV} after 30 outer iterations (ratio ${paperR && paperV ? (paperR / paperV).toFixed(2) : '-'})`,
  rvaeBeatsVaeVerdict([{ level: L25, rvae: ladRvae.map((l) => l.fid[iLast]), vae: ladVae.map((l) => l.fid[iLast]) }]),
  `ratio RVAE / VAE at ${lastK} outer: ${(band(ladRvae.map((l) => l.fid[iLast])).mean / band(ladVae.map((l) => l.fid[iLast])).mean).toFixed(2)}`);
// The Fig. 2 cells have one seed each: a difference smaller than the seed-to-seed spread of ONE model at the table
// budget (half the min-max range over the ladder's seeds, relative to the mean, the larger of RVAE and VAE) is a tie.
const halfRange = (v: number[]) => (v.length > 1 ? (100 * (Math.max(...v) - Math.min(...v))) / 2 / band(v).mean : 0);
const fig2Tie = iTb >= 0 ? Math.max(halfRange(ladRvae.map((x) => x.fid[iTb])), halfRange(ladVae.map((x) => x.fid[iTb]))) : 0;
const baseline: RenModel[] = ['GAN', 'LPF+VAE', 'RPCA+VAE'];
const tableCells = cfg.datasets.flatMap((ds) => cfg.tableLevels[ds].map((l) => ({ ds, l, cell: `${DS_TITLE[ds]} ${Math.round(l * 100)}%` })));
add('Tables 2-3: RVAE beats GAN, LPF+VAE and RPCA+VAE in most cells', 'RVAE lower in 38 of 42 cells (RPCA+VAE lower at MNIST 41%, 49%)',
  rvaeBeatsBaselinesVerdict(tableCells.map(({ ds, l, cell }) => ({ cell, rvae: get(ds, l, 'RVAE'), baselines: Object.fromEntries(baseline.map((m) => [m, get(ds, l, m)])) }))));
const rdaLadderNote = rdaRungs.length ? `ladder at MNIST ${Math.round(L25 * 100)}% (seed ${ladSeeds[0]}): ${rdaRungs.map((r) => { const i = cfg.ladderOuters.indexOf(r.outer); return `${r.outer} outer: RVAE ${i >= 0 ? fmt(ladRvae[0].fid[i]) : '-'} vs RDA+VAE ${fmt(r.fid)}`; }).join('; ')}` : '';
add('Tables 2-4: RVAE and RDA+VAE are close in FID', 'within ~10-30% in most cells (RVAE better on MNIST, RDA+VAE slightly better on Fashion-MNIST)',
  rvaeCloseToRdaVerdict(tableCells.map(({ ds, l, cell }) => ({ cell, rvae: get(ds, l, 'RVAE'), rda: get(ds, l, 'RDA+VAE') }))), rdaLadderNote);
add('Fig. 3b: RVAE trains faster than RDA+VAE (paper: 38% faster on CelebA)', '38.11% faster on average (CelebA)',
  rvaeFasterVerdict(pairs.map(({ r, d }) => ({ rvaeSeconds: r.trainSeconds, rdaSeconds: d.trainSeconds, rvaeCpu: r.trainCpuSeconds, rdaCpu: d.trainCpuSeconds }))),
  'same outer x inner schedule for RVAE and for RDA, plus the RDA+VAE\'s own VAE');
add('Fig. 2: a broad range of lambda where the RVAE beats the VAE (42% mean improvement for noise 3-27%, lambda 10-100)', 'blue region over lambda 10-100; best 74% at 33% noise',
  fig2Verdict(heat.map((h) => ({ noise: h.noise, lambda: h.lambda, vae: h.vae, rvae: h.rvae })), { tie: fig2Tie }),
  ladLam.length ? `ladder at ${Math.round(L25 * 100)}% (seed ${ladSeeds[0]}), ${lastK} outer: ${[...ladLam, ladRvae[0]].map((l) => `lambda ${l.lambda} ${fmt(l.fid[iLast])}`).join(', ')} vs VAE ${fmt(ladVae[0].fid[iLast])}` : '');
add('Fig. 3a: with Gaussian noise the RVAE has a lower FID than the VAE while the noise is not too large', 'RVAE lower up to f = 0.6; both fail from 0.7',
  rvaeBeatsVaeVerdict(cfg.gaussLevels.map((l) => ({ level: l, rvae: [gauss.find((g) => g.factor === l && g.model === 'RVAE')!.fid], vae: [gauss.find((g) => g.factor === l && g.model === 'VAE')!.fid] })), (l) => `f ${l}`));
claims.add({
  claim: 'Table 4: on CelebA the RVAE beats the VAE, GAN and LPF/RPCA two-stage models',
  paper: 'RVAE 63-70 vs VAE 66-116',
  ours: celebaRows ? celebaRows.map((r) => `${r.model} ${fmt(r.fid)}`).join('; ') : 'CelebA not available offline',
  holds: celebaRows && !smoke ? (celebaRows.find((r) => r.model === 'RVAE')!.fid < celebaRows.find((r) => r.model === 'VAE')!.fid ? 'partly' : false) : 'n/a',
  note: celebaRows ? 'only VAE and RVAE run on CelebA here' : 'data not available offline; code path tested on fixture images',
});
claims.show();

// %% [markdown]
// ## 9. Root causes of the claims that do not hold (with the numbers)
//
// For every claim that is not "yes" above: which of budget, sample size, an unstated setting or the paper itself
// holds it back, read off the ladders of section 5 and the reference rows (the text is computed from the numbers).

// %%
{
  const out: string[] = [];
  const rung = (k: number) => cfg.ladderOuters.indexOf(k);
  const at = (lads: { fid: number[] }[], k: number) => lads.map((l) => l.fid[rung(k)]);
  const vLast = at(ladVae, lastK), rLast = at(ladRvae, lastK);
  const vaeMin = Math.min(...ladVae.flatMap((l) => l.fid));
  const tb = cfg.outer;
  const X25 = corruptFor(datasets.mnist.clean, 'salt-pepper', L25, ladSeeds[0], 'mnist');
  const thr = (lam: number) => effectiveThreshold(lam, X25, 'code-l1').toFixed(2);
  const thrText = { paper: `${thr(10)}-${thr(100)}`, ours: [...new Set([...cfg.heatLambdas, ...cfg.ladderLambdas, cfg.lambda])].sort((a, b) => a - b).map((l) => `${l} -> ${thr(l)}`).join(', ') };
  X25.dispose();
  for (const c of claims.claims) {
    // at smoke every claim is 'n/a' and every branch runs (the text proves the cell works, it judges nothing)
    if (c.holds === true || (c.holds === 'n/a' && !smoke)) continue;
    if (c.claim.startsWith('Table 2: RVAE has a lower FID')) {
      out.push(`- **${c.claim}** (${c.holds === false ? 'no' : c.holds}). **Budget: outer iterations.** At the table budget (${tb} outer x ${cfg.inner} epochs) the 25% cell is ` +
        `RVAE ${spreadText(at(ladRvae, tb))} vs VAE ${spreadText(at(ladVae, tb))} over the ladder's seeds: the RVAE has made ${tb - 1} S-update${tb > 2 ? 's' : ''} that reached its VAE, and after the first outer iteration the two models are the same model ` +
        `(RVAE ${spreadText(at(ladRvae, 1))} vs VAE ${spreadText(at(ladVae, 1))}: the first inner stage trains a plain VAE on X). Along the ladder the RVAE is lower for every seed at outer ${reading.winsAt.join(', ') || 'none'}; ` +
        `at ${lastK} outer RVAE ${spreadText(rLast)} vs VAE ${spreadText(vLast)} (ratio ${(band(rLast).mean / band(vLast).mean).toFixed(2)}; the paper's ratio after 30 is ${paperR && paperV ? (paperR / paperV).toFixed(2) : '-'}). ` +
        `The VAE ${vaeMin > Math.max(...rLast) ? 'does not get there with more epochs' : 'also improves with epochs'}: its best rung (any seed) is ${fmt(vaeMin)}, against a ceiling (the corrupted images themselves) of ${fmt(ceilFid.mnist[L25])} and a floor of ${fmt(floorFid.mnist)}.`);
    } else if (c.claim.startsWith('Table 2 at')) {
      out.push(`- **${c.claim}** (${c.holds === false ? 'no' : c.holds}). **Budget, and seeds that separate at different speeds.** Per seed at ${lastK} outer: ${ladSeeds.map((sd, j) => `seed ${sd}: RVAE ${fmt(rLast[j])} vs VAE ${fmt(vLast[j])}`).join('; ')}. ` +
        `The RVAE's FID falls once S has taken the noise (nnz(S) per seed at ${lastK}: ${ladRvae.map((l) => (100 * l.sparsityS[rung(lastK)]).toFixed(1) + '%').join(', ')}; the corruption flips about ${(100 * (1 - Math.exp(-L25))).toFixed(1)}% of the pixels); a seed that has not got there by ${lastK} needs more outer iterations (the paper: 30; the long scale runs them).`);
    } else if (c.claim.startsWith('Tables 2-4: RVAE and RDA+VAE')) {
      const r10 = rdaRungs.at(-1);
      out.push(`- **${c.claim}** (${c.holds === false ? 'no' : c.holds}). **Budget, on both sides.** At the table budget (MNIST 25%): RVAE ${fmt(get('mnist', L25, 'RVAE'))} vs RDA+VAE ${fmt(get('mnist', L25, 'RDA+VAE'))} (VAE ${fmt(get('mnist', L25, 'VAE'))}); ` +
        (r10 ? `at ${r10.outer} outer iterations (seed ${ladSeeds[0]}) it is RVAE ${fmt(ladRvae[0].fid[rung(r10.outer)])} vs RDA+VAE ${fmt(r10.fid)} (${Math.abs(ladRvae[0].fid[rung(r10.outer)] - r10.fid) / Math.max(ladRvae[0].fid[rung(r10.outer)], r10.fid) < 0.25 ? 'within 25%' : 'not within 25%'}). ` : '') +
        `The RDA+VAE spends twice the epochs (the RDA's outer x inner, then its own VAE), which the paper counts as its cost (Fig. 3b), not as a different budget.`);
    } else if (c.claim.startsWith('Fig. 2')) {
      out.push(`- **${c.claim}** (${c.holds === false ? 'no' : c.holds}). **Budget, then an unstated setting.** The failing cells are at 25% noise, where ${tb} outer iterations are too few (see Table 2). ` +
        (ladLam.length ? `Along the ladder (seed ${ladSeeds[0]}, 25%): ${[...ladLam, ladRvae[0]].map((l) => `lambda ${l.lambda}: ${fmt(l.fid[rung(tb)])} at ${tb} -> ${fmt(l.fid[iLast])} at ${lastK} outer (S holds ${(100 * l.sparsityS[iLast]).toFixed(1)}% of the entries)`).join('; ')}; VAE ${fmt(ladVae[0].fid[rung(tb)])} -> ${fmt(ladVae[0].fid[iLast])}; the corruption flips about ${(100 * (1 - Math.exp(-L25))).toFixed(1)}% of the pixels, so a small lambda also puts digit strokes into S. ` : '') +
        `Our lambdas are in the authors' code convention (threshold lambda / mu, mu from the largest column sum): the paper's lambda 10-100 are thresholds of ${thrText.paper} on these images, which a VAE trained for ${tb * cfg.inner} epochs cannot use (its residuals are larger); ours (lambda -> threshold): ${thrText.ours}, chosen once in a pilot at 9% noise, not per cell.`);
    } else if (c.claim.startsWith('Table 4')) {
      out.push(`- **${c.claim}**: CelebA is not on this machine (data, not code; the conv RVAE is unit-tested on fixture images).`);
    } else {
      out.push(`- **${c.claim}** (${c.holds === false ? 'no' : c.holds}): ${c.note}`);
    }
  }
  if (cfg.tableLevels['fashion-mnist'].includes(0.41) && get('fashion-mnist', 0.41, 'RVAE') >= get('fashion-mnist', 0.41, 'VAE')) {
    out.push(`- Not a listed claim, but visible in Table 3: at Fashion-MNIST 41% and the table budget the RVAE (${fmt(get('fashion-mnist', 0.41, 'RVAE'))}) is not below the VAE (${fmt(get('fashion-mnist', 0.41, 'VAE'))}); this cell has no ladder at quick (budget); the long scale's tables run ${renConfig('long').outer} outer iterations.`);
  }
  markdown((smoke ? '*Smoke scale: nothing is judged; the text below only shows that this cell runs.*\n\n' : '') + (out.length ? out.join('\n') : 'Every claim tested at this scale holds.'));
}
for (const d of Object.values(datasets)) d.clean.dispose();
console.log(`notebook time ${((Date.now() - t0) / 60000).toFixed(1)} min; tensors alive now minus at start: ${tf.memory().numTensors - tensorsAtStart} (the cached feature classifiers hold 8 each when used)`);
