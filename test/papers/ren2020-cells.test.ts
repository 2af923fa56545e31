import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planCells } from '../../src/experiment/sweep';
import { paramsKey } from '../../src/experiment/store';
import { notebookCells } from '../../src/papers/registry';
import { renCells, renConfig, renFeatureNetName, REN_MODELS, REN2020_STORES, REN_STORE_VERSION, REN_LADDER_VERSION } from '../../src/papers/ren2020';

const NB = '03-robust-variational-autoencoders';

test('ren2020 cells: the smoke plan lists every stored cell of notebook 03 once, without loading data', async () => {
  const cells = await notebookCells('03', 'smoke', 0);
  const plan = planCells(NB, cells, 'smoke', 0); // throws on a cell listed twice
  const cfg = renConfig('smoke');
  const count = (e: string) => plan.filter((c) => c.experiment === e).length;
  // tables: 2 data sets x 1 level x 6 models; Table 1 and Fig. 2 reuse table cells at smoke; ladders: RVAE + VAE
  // for 1 seed; one RDA+VAE rung; Fig. 3a: VAE + RVAE at one Gaussian level
  assert.equal(count('tables'), 12);
  assert.equal(count('table1') + count('fig2') + count('ladder-lambda'), 0);
  assert.equal(count('ladder'), 2);
  assert.equal(count('ladder-rda'), 1);
  assert.equal(count('fig3a'), 2);
  assert.equal(plan.length, 17);
  for (const c of plan) {
    assert.ok(typeof c.compute === 'function' && (c.gflop ?? 0) > 0, `cell ${c.index}`);
    const st = c.experiment.startsWith('ladder') ? REN2020_STORES.ladders : REN2020_STORES.cells;
    assert.equal(c.file, st.file);
    assert.equal(c.version, c.experiment.startsWith('ladder') ? REN_LADDER_VERSION : REN_STORE_VERSION);
  }
  // the keys are the ones the notebook has always stored (the committed stores are reused): one of each kind, verbatim
  const keys = plan.map((c) => paramsKey(c.params));
  const table = '[["activation","relu"],["dataset","mnist"],["featureNet","PC-mnist penultimate (128-d)"],["inner",1],["lambda",150],["level",0.25],'
    + '["model","RVAE"],["nGen",200],["nTrain",400],["noise","salt-pepper"],["outer",2],["reparam","authors-code"],["seed",0]]';
  assert.equal(keys[0], table);
  const rpca = plan.find((c) => c.params.model === 'RPCA+VAE' && c.params.dataset === 'fashion-mnist')!;
  assert.equal(rpca.params.rpcaMaxIter, cfg.rpcaMaxIter);
  assert.equal(rpca.params.featureNet, 'PC-fashion-mnist penultimate (128-d)');
  const lad = plan.find((c) => c.experiment === 'ladder' && c.params.model === 'VAE')!;
  assert.deepEqual(lad.params, {
    dataset: 'mnist', noise: 'salt-pepper', level: 0.25, model: 'VAE', lambda: 0, seed: 0, featureNet: 'PC-mnist penultimate (128-d)',
    nTrain: 400, nGen: 200, nRef: 200, inner: 1, activation: 'relu', reparam: 'authors-code', hidden: '512-256', latentDim: 49, outers: '1,2,3', gridAt: '2,3',
  });
  const rda = plan.find((c) => c.experiment === 'ladder-rda')!;
  assert.equal(rda.params.outer, 3);
  assert.equal(rda.params.model, 'RDA+VAE');
  // every table cell of the notebook is listed (data set x level x model)
  for (const ds of cfg.datasets) for (const level of cfg.tableLevels[ds]) for (const model of REN_MODELS) {
    assert.ok(plan.some((c) => c.params.dataset === ds && c.params.level === level && c.params.model === model && c.params.noise === 'salt-pepper'), `${ds} ${level} ${model}`);
  }
});

test('ren2020 cells: quick lists 40 cells (Fig. 2 cells not in the tables, 3 ladder seeds, a lambda ladder); Inception changes the keys', () => {
  const plan = planCells(NB, renCells('quick', 0), 'quick', 0);
  assert.equal(plan.length, 40);
  assert.equal(plan.filter((c) => c.experiment === 'fig2').length, 4); // 2 levels x lambdas 50 / 250 (150 is the tables')
  assert.equal(plan.filter((c) => c.experiment === 'ladder').length, 6);
  assert.deepEqual(plan.filter((c) => c.experiment === 'ladder').map((c) => c.params.seed), [0, 0, 1, 1, 2, 2]);
  const inc = renCells('quick', 0, { inception: '/m' });
  assert.equal(inc[0].params.featureNet, renFeatureNetName('mnist', { inception: '/m' }));
  assert.equal(inc[0].params.featureNet, 'InceptionV3 pool3 (/m)');
});
