/**
 * Public API of the robust-manifold-learning workspace, grouped by layer (bottom first; each layer imports only
 * from the ones above it in this list: test/layers.test.ts checks it). Notebooks may import from here or from
 * the modules (`rml/<path>`). The paper drivers are exported as namespaces (`sun2020.sun2020Cells`, ...), since
 * each defines its own configs, stores and claim rules under paper-specific names.
 */
// 0-1. backend, records and utilities
export * from './backend';
export * from './records';
export * from './validate';
export * from './random';
export * from './batches';
export * from './progress';
// 2. linear algebra
export * from './linalg/dense';
export * from './linalg/convert';
export * from './linalg/shrink';
export * from './linalg/svd';
export * from './linalg/native64';
// 3. networks
export * from './nets/mlp';
export * from './nets/conv28';
export * from './nets/resnet32';
// 4-5. corruptions and data
export * from './corruptions';
export * from './data/idx';
export * from './data/images';
export * from './data/paths';
export * from './data/mnist';
export * from './data/fashion-mnist';
export * from './data/cifar';
export * from './data/celeba';
export * from './data/synthetic';
export * from './data/outliers';
export * from './data/manifold';
// 6. training: the loop, the compiled step (trace, rewrites, graph), the alternating robust solver
export * from './train/loop';
export * from './train/adam';
export * from './train/compile';
export * from './train/alternating';
export * from './train/certify';
// 7. models (one module per model; base.ts: the estimator contract; detector.ts: the outlier-detector interface)
export * from './models/base';
export * from './models/detector';
export * from './models/alternating-model';
export * from './models/pca';
export * from './models/rpca';
export * from './models/factorization';
export * from './models/linear-ae';
export * from './models/autoencoder';
export * from './models/rda';
export * from './models/vae';
export * from './models/conv-vae';
export * from './models/rvae';
export * from './models/two-stage';
export * from './models/gan';
export * from './models/dai-vae';
export * from './models/dai-ae';
export * from './models/rdae';
export * from './models/rnlf';
export * from './models/baselines/lpf';
export * from './models/baselines/tree';
export * from './models/baselines/isolation-forest';
export * from './models/baselines/random-forest';
export { MODEL_REGISTRY } from './models/registry';
// 8. metrics, the pretrained classifier, latent inspection
export * from './metrics/nmse';
export * from './metrics/frechet';
export * from './metrics/fid';
export * from './metrics/classification';
export * from './metrics/detection';
export * from './metrics/angles';
export * from './metrics/ranking';
export * from './classifiers/pc';
export * from './inspect/latent';
// 9. tables and plots
export * from './tables';
export * from './plots';
// 10. experiments: scales, the results store, claims tables, sweeps
export * from './experiment/scale';
export * from './experiment/store';
export * from './experiment/claims';
export * from './experiment/sweep';
// 11. paper drivers (configs, stores, cells, claim rules) and the notebooks' cell registry
export * as sun2020 from './papers/sun2020';
export * as sun2020Claims from './papers/sun2020-claims';
export * as zhou2017 from './papers/zhou2017';
export * as zhou2017Claims from './papers/zhou2017-claims';
export * as li2020 from './papers/li2020';
export * as li2020Claims from './papers/li2020-claims';
export * as ren2020 from './papers/ren2020';
export * as dai2017 from './papers/dai2017';
export * as verdict from './papers/verdict';
export * from './papers/registry';
// 12. notebook display helpers
export * from './notebook';
