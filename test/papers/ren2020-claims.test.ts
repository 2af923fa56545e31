import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import {
  renConfig, ren2020Claims, ren2020RootCauses, renFidTable, renLadderView, renTimes, renTable4Rows, celebaVerdict, REN_MODELS,
  type RenOutcome, type RenRow, type RenLadderRow, type RenReference, type RenData, type RenModel,
} from '../../src/papers/ren2020';

/** A quick-scale outcome on fixed numbers: RVAE < VAE everywhere except MNIST 25% at the table budget. */
function outcome(): RenOutcome {
  const cfg = renConfig('quick');
  const base: Record<RenModel, number> = { RVAE: 80, VAE: 100, GAN: 150, 'RPCA+VAE': 120, 'LPF+VAE': 130, 'RDA+VAE': 90 };
  const row = (dataset: 'mnist' | 'fashion-mnist', level: number, model: RenModel, fid: number, secs = 10): RenRow => ({
    dataset, noise: 'salt-pepper', level, model, lambda: 0, seed: 0, fid, featureNet: 'PC-x', trainSeconds: secs, trainCpuSeconds: secs,
    denoiserSeconds: 0, nGen: 1, nRef: 1, nTrain: 1, sparsityS: -1, lastLoss: 1, nParams: 1, samples: '',
  });
  const rows: RenRow[] = [];
  for (const ds of cfg.datasets) for (const l of cfg.tableLevels[ds]) for (const m of REN_MODELS) {
    const fid = ds === 'mnist' && l === 0.25 && m === 'RVAE' ? 105 : base[m];
    rows.push(row(ds, l, m, fid, m === 'RDA+VAE' ? 20 : 10));
  }
  const K = cfg.ladderOuters.length;
  const lad = (model: 'RVAE' | 'VAE', seed: number, f: (i: number) => number, lambda = 0): RenLadderRow => ({
    dataset: 'mnist', noise: 'salt-pepper', level: 0.25, model, lambda, seed, outers: cfg.ladderOuters, fid: cfg.ladderOuters.map((_, i) => f(i)),
    seconds: [], sparsityS: cfg.ladderOuters.map(() => (model === 'RVAE' ? 0.2 : -1)), loss: [], gridOuters: [], samples: [], Lin: [], Lrec: [],
    featureNet: 'PC-x', nGen: 1, nRef: 1, nTrain: 1,
  });
  // RVAE falls below the VAE from rung 6 on, for every seed (equal at 5)
  const ladRvae = [0, 1, 2].map((s) => lad('RVAE', s, (i) => 200 - 10 * i + s, 150));
  const ladVae = [0, 1, 2].map((s) => lad('VAE', s, () => 160 + s));
  return {
    scale: 'quick', seed: 0, cfg, rows,
    heat: [{ noise: 0.09, lambda: 150, diff: 20, rel: 20, vae: 100, rvae: 80 }, { noise: 0.25, lambda: 150, diff: -5, rel: -5, vae: 100, rvae: 105 }],
    gauss: cfg.gaussLevels.flatMap((f) => [{ factor: f, model: 'VAE', fid: 100 }, { factor: f, model: 'RVAE', fid: 90 }]),
    ladSeeds: [0, 1, 2], ladRvae, ladVae, ladLam: [lad('RVAE', 0, () => 210, 50)], rdaRungs: [{ outer: K, fid: 115, seconds: 1 }], featureNames: 'PC-x',
  };
}
const ref: RenReference = { floorFid: { mnist: 6, 'fashion-mnist': 1 }, ceilFid: { mnist: { 0.09: 60, 0.25: 180 }, 'fashion-mnist': { 0.09: 50, 0.41: 190 } }, rows: [] };

test('ren2020Claims: verdicts of the notebook\'s claims from fixed numbers; smoke judges nothing', () => {
  const o = outcome();
  const c = ren2020Claims(o, null);
  assert.equal(c.length, 8);
  const by = (start: string) => c.find((x) => x.claim.startsWith(start))!;
  // 9%: one seed, RVAE lower; 25%: the three ladder seeds at rung 2 (190-192 vs 160-162): not won -> partly
  assert.equal(by('Table 2: RVAE has').holds, 'partly');
  assert.equal(by('Table 2 at 25%').holds, true); // rung 10: 110-112 vs 160-162 for every seed
  assert.match(by('Table 2 at 25%').note, /ratio RVAE \/ VAE at 10 outer: 0\.69/);
  assert.equal(by('Tables 2-3').holds, true);
  assert.equal(by('Fig. 3b').holds, true); // 10 s vs 20 s in every cell
  assert.equal(by('Fig. 2').holds, 'partly');
  assert.equal(by('Fig. 3a').holds, true);
  assert.equal(by('Table 4').holds, 'n/a');
  for (const x of ren2020Claims({ ...o, scale: 'smoke' }, null)) assert.equal(x.holds, 'n/a');
  assert.equal(celebaVerdict([{ model: 'RVAE', fid: 60 }, { model: 'VAE', fid: 70 }], false), 'partly');
  assert.equal(celebaVerdict([{ model: 'RVAE', fid: 80 }, { model: 'VAE', fid: 70 }], false), false);
  assert.equal(celebaVerdict(null, false), 'n/a');
});

test('ren2020 views: table pivot with floor / ceiling rows, ladder rows with the paper row, times, root causes', async () => {
  await initBackend();
  const o = outcome();
  const t2 = renFidTable(o, ref, 'mnist');
  assert.equal(t2.length, REN_MODELS.length + 2);
  assert.deepEqual(t2[0], { model: 'RVAE', '9% ours': '80.0', '9% paper': '43.3', '25% ours': '105.0', '25% paper': '90.2' });
  assert.equal(t2.at(-1)!['25% ours'], '180.0');
  const lad = renLadderView(o);
  assert.equal(lad.rows.length, o.cfg.ladderOuters.length + 1);
  assert.equal(lad.rows.at(-1)!['RVAE / VAE'], (90.15 / 186.2).toFixed(2));
  assert.deepEqual(lad.reading.winsAt, [6, 7, 8, 9, 10]); // 200 - 10 i vs 160: equal at rung 5, lower from 6
  assert.equal(renTimes(o).rows.length, 4);
  const t4 = renTable4Rows(null); // CelebA absent: the paper's Table 4 alone
  assert.equal(t4.length, 5);
  assert.equal(t4[0].noise, '10%');
  assert.equal(t4[0]['RVAE paper'], 63.11);
  const rng = new Rng(1);
  const clean = tf.tensor2d(Float32Array.from({ length: 50 * 784 }, () => (rng.uniform() < 0.2 ? 1 : 0)), [50, 784]);
  const mnist = { dataset: 'mnist', clean } as unknown as RenData;
  const before = tf.memory().numTensors;
  const claims = ren2020Claims(o, null);
  const text = ren2020RootCauses(o, ref, claims, mnist);
  assert.equal(tf.memory().numTensors, before);
  assert.match(text, /\*\*Table 2: RVAE has a lower FID .*\(partly\)\. \*\*Budget: outer iterations/);
  assert.match(text, /\*\*Fig\. 2: .*lambda 50: 210\.0 at 2 -> 210\.0 at 10 outer/);
  assert.doesNotMatch(text, /Table 2 at 25%/); // holds: no root cause
  clean.dispose();
});
