/**
 * Public API of the robust-manifold-learning workspace. Notebooks may import from here or from the modules.
 * Each module appends its own export line below (one line per module; keep names distinctive).
 */
export * from './backend';
export * from './random';
export * from './validate';
export * from './progress';
export * from './models/base';
export * from './nets/mlp';
export * from './train/loop';
export * from './train/alternating';
export * from './data/idx';
export * from './data/images';
export * from './data/mnist';
export * from './data/fashion-mnist';
export * from './data/paths';
export * from './corruptions';
export * from './experiment/scale';
export * from './experiment/store';
export * from './experiment/claims';
export * from './tables';
export * from './plots';
export * from './notebook';
export * from './data/synthetic';
export * from './data/outliers';
export * from './linalg/shrink';
export * from './linalg/dense';
export * from './linalg/convert';
export * from './metrics/nmse';
export * from './metrics/frechet';
export * from './metrics/fid';
export * from './metrics/classification';
export * from './metrics/detection';
export * from './metrics/angles';
export * from './models/autoencoder';
export * from './models/rda';
export * from './data/cifar';
export * from './data/celeba';
export * from './metrics/ranking';
export * from './models/baselines/tree';
export * from './models/baselines/random-forest';
export * from './models/baselines/isolation-forest';
export * from './linalg/svd';
export * from './models/rpca';
export * from './models/pca';
export * from './classifiers/pc';
