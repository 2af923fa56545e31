/** The driver's shape (scales, stores, cells, claim rules) and the claims list that moved out of notebook 00. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SUN2020_SCALES, SUN2020_STORES, sun2020Config, sun2020Store, sun2020Cells, sun2020ConfigRows, type SubspaceRow } from '../../src/papers/sun2020';
import { sun2020Claims } from '../../src/papers/sun2020-claims';
import { paramsKey } from '../../src/experiment/store';
import { InputError } from '../../src/validate';

test('SUN2020_SCALES[scale] is sun2020Config(scale); one config row per experiment', () => {
  for (const s of ['smoke', 'quick', 'long', 'paper'] as const) assert.deepEqual(SUN2020_SCALES[s], sun2020Config(s));
  assert.equal(sun2020ConfigRows(sun2020Config('quick')).length, 3);
});

test('sun2020Store opens the listed store; the progress option changes no cell key', () => {
  const st = sun2020Store('linear', 'smoke');
  assert.ok(st.file.endsWith(`/smoke/${SUN2020_STORES.linear.file}`), st.file);
  assert.equal(st.version, SUN2020_STORES.linear.version);
  const key = (o?: { progress?: boolean }) => sun2020Cells('smoke', 0, o).map((c) => `${c.file} ${paramsKey(c.params)}`);
  assert.deepEqual(key({ progress: true }), key());
});

const row = (model: string, maxAngleDeg: number, errorRatio: number, nonOrthonormality = 0): SubspaceRow =>
  ({ model, maxAngleDeg, meanAngleDeg: maxAngleDeg / 2, nonOrthonormality, errorRatio, seconds: 1 }) as SubspaceRow;

test('sun2020Claims: six claims in order; n/a at smoke where training is too short; a missing model row is an InputError', () => {
  const subspaces = [row('PCA: cov eigenvectors', 0, 1), row('linear AE, tied (B Bᵀ)', 0.5, 1.0001), row('linear AE, untied', 0.6, 1.0001, 0.3), row('linear factorization', 0.7, 1.0002, 0.4)];
  const m = {
    cfg: { deepEpochs: 15, deepN: 2000 }, subspaces, energyAt50: 0.82, k90: 87,
    deep: [{ testMse: 0.03 }, { testMse: 0.015 }, { testMse: 0.018 }], outliers: [{ model: 'PCA', auc: 0.8 }, { model: 'deep AE', auc: 0.85 }],
  };
  const smoke = sun2020Claims({ ...m, scale: 'smoke' });
  assert.equal(smoke.length, 6);
  assert.deepEqual(smoke.map((c) => c.holds).filter((h) => h !== 'n/a').length, 1); // the spectrum is judged at every scale
  const quick = sun2020Claims({ ...m, scale: 'quick' });
  assert.ok(quick.every((c) => c.holds !== 'n/a'));
  assert.equal(quick[2].note, 'exact PCA row: 1.0 by definition');
  assert.throws(() => sun2020Claims({ ...m, scale: 'quick', subspaces: subspaces.slice(0, 2) }), InputError);
});
