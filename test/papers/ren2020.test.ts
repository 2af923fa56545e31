import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf, initBackend } from '../../src/backend';
import { Rng } from '../../src/random';
import { ResultsStore } from '../../src/experiment/store';
import {
  renConfig, prepareRenData, renCell, runRenCell, corruptFor, pooledPixelFeatureNet, decodeSamples, encodeSamples, paperFid,
  REN_MODELS, REN2020_TABLE2, improvement, runRenLadder, renLadder, pairedOutcome, spreadText, rvaeBeatsVaeVerdict,
  rvaeBeatsBaselinesVerdict, rvaeCloseToRdaVerdict, rvaeFasterVerdict, fig2Verdict, ladderReading,
} from '../../src/papers/ren2020';

const ready = initBackend();

/** 28x28 fixture "digits": random strokes. */
function fixture(n: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  const out = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) {
    const x0 = 6 + rng.int(16), y0 = 4 + rng.int(6), len = 10 + rng.int(8);
    for (let t = 0; t < len; t++) { const y = y0 + t, x = x0 + Math.round(Math.sin(t / 3) * 3); for (const dx of [0, 1]) out[i * 784 + y * 28 + x + dx] = 1; }
  }
  return tf.tensor2d(out, [n, 784]);
}

test('ren2020: every model runs through a cell (train, sample, FID, grid); the store resumes; no leaks', async () => {
  await ready;
  const cfg = { ...renConfig('smoke'), nTrain: 120, nGen: 60, nRef: 60, outer: 2, inner: 1, hidden: [16], latentDim: 4, rpcaMaxIter: 5, gridN: 4 };
  const clean = fixture(cfg.nTrain, 1);
  const data = prepareRenData('mnist', clean, pooledPixelFeatureNet([28, 28, 1], 4), cfg);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ren2020-'));
  const store = new ResultsStore(path.join(dir, 'cells.jsonl'), { version: 'test' });
  const before = tf.memory().numTensors;
  for (const model of REN_MODELS) {
    const row = await renCell(store, { dataset: 'mnist', noise: 'salt-pepper', level: 0.1, model, lambda: model === 'RVAE' || model === 'RDA+VAE' ? 50 : 0, seed: 0 }, () => data, cfg);
    assert.ok(Number.isFinite(row.fid) && row.fid >= 0, `${model} fid ${row.fid}`);
    assert.equal(row.featureNet, 'mean-pooled pixels 4x4x1 (16-d)');
    assert.ok(row.trainSeconds > 0);
    assert.equal(decodeSamples(row.samples).length, 4 * 784);
    if (model === 'RVAE') assert.ok(row.sparsityS >= 0 && row.sparsityS <= 1);
  }
  assert.equal(store.computed, REN_MODELS.length);
  const again = new ResultsStore(path.join(dir, 'cells.jsonl'), { version: 'test' });
  const r2 = await renCell(again, { dataset: 'mnist', noise: 'salt-pepper', level: 0.1, model: 'VAE', lambda: 0, seed: 0 }, () => data, cfg);
  assert.equal(again.reused, 1);
  assert.ok(Number.isFinite(r2.fid));
  // gaussian corruption path
  const g = await runRenCell({ dataset: 'mnist', noise: 'gaussian', level: 0.3, model: 'VAE', lambda: 0, seed: 0 }, data, cfg);
  assert.ok(Number.isFinite(g.fid));
  assert.equal(tf.memory().numTensors, before);
  clean.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('ren2020: corruption is the same for every model of a cell; samples round-trip; paper tables', async () => {
  await ready;
  const clean = fixture(10, 2);
  const a = corruptFor(clean, 'salt-pepper', 0.29, 0, 'mnist'), b = corruptFor(clean, 'salt-pepper', 0.29, 0, 'mnist');
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  // int(0.29 * 784) = 227 draws per image with replacement: between 1 and 227 flipped entries per row
  const diff = tf.tidy(() => tf.sum(tf.cast(tf.notEqual(a, clean), 'float32'), 1).dataSync());
  for (const v of diff) assert.ok(v > 150 && v <= 227, `${v}`);
  const enc = encodeSamples(a);
  const dec = decodeSamples(enc);
  assert.deepEqual(Array.from(dec), Array.from(a.dataSync()));
  tf.dispose([a, b, clean]);
  assert.equal(paperFid('mnist', 0.09, 'RVAE'), 43.34);
  assert.equal(paperFid('fashion-mnist', 0.41, 'RDA+VAE'), 102.12);
  assert.equal(paperFid('mnist', 0.29, 'VAE'), undefined);
  assert.equal(Object.keys(REN2020_TABLE2).length, 7);
  assert.ok(Math.abs(improvement(100, 58) - 42) < 1e-12);
});

test('ren2020 ladder: checkpoint k of one long fit equals a k-outer fit (RVAE) / k*inner-epoch fit (VAE); grids; store; no leaks', async () => {
  await ready;
  const cfg = { ...renConfig('smoke'), nTrain: 100, nGen: 50, nRef: 50, outer: 2, inner: 1, hidden: [16], latentDim: 4, gridN: 3 };
  const clean = fixture(cfg.nTrain, 3);
  const data = prepareRenData('mnist', clean, pooledPixelFeatureNet([28, 28, 1], 4), cfg);
  const before = tf.memory().numTensors;
  for (const model of ['RVAE', 'VAE'] as const) {
    const cell = { dataset: 'mnist' as const, noise: 'salt-pepper' as const, level: 0.2, model, lambda: model === 'RVAE' ? 50 : 0, seed: 4 };
    const lad = await runRenLadder(cell, data, cfg, { outers: [3, 1, 2], gridAt: [2] });
    assert.deepEqual(lad.outers, [1, 2, 3]);
    assert.equal(lad.fid.length, 3);
    assert.ok(lad.seconds[0] > 0 && lad.seconds[0] <= lad.seconds[1] && lad.seconds[1] <= lad.seconds[2]);
    assert.deepEqual(lad.gridOuters, [2]);
    assert.equal(decodeSamples(lad.samples[0]).length, 3 * 784);
    if (model === 'RVAE') {
      assert.equal(decodeSamples(lad.Lin[0]).length, 3 * 784);
      assert.equal(decodeSamples(lad.Lrec[0]).length, 3 * 784);
      for (const v of lad.sparsityS) assert.ok(v >= 0 && v <= 1);
    } else {
      assert.equal(lad.Lin.length, 0);
      assert.deepEqual(lad.sparsityS, [-1, -1, -1]);
    }
    // the rung at k = 2 is the model a 2-outer (VAE: 2 * inner epochs) fit gives: same FID to float rounding
    const two = await runRenCell(cell, data, { ...cfg, outer: 2 });
    assert.ok(Math.abs(two.fid - lad.fid[1]) <= 1e-6 * Math.max(1, two.fid), `${model}: ${two.fid} vs ${lad.fid[1]}`);
    assert.equal(two.samples, lad.samples[0]);
  }
  assert.equal(tf.memory().numTensors, before);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ren2020-ladder-'));
  const store = new ResultsStore(path.join(dir, 'l.jsonl'), { version: 'test' });
  const cell = { dataset: 'mnist' as const, noise: 'salt-pepper' as const, level: 0.2, model: 'VAE' as const, lambda: 0, seed: 4 };
  const a = await renLadder(store, cell, () => data, cfg, { outers: [1, 2] });
  const b = await renLadder(store, cell, () => data, cfg, { outers: [2, 1] });
  assert.equal(store.computed, 1);
  assert.equal(store.reused, 1);
  assert.deepEqual(a.fid, b.fid);
  await assert.rejects(() => runRenLadder({ ...cell, model: 'GAN' }, data, cfg, { outers: [1] }), /RVAE or VAE/);
  await assert.rejects(() => runRenLadder(cell, data, cfg, { outers: [0] }), /positive integers/);
  clean.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('ren2020 verdict rules: yes / partly / no on fixed numbers; no rule says yes for every input', () => {
  assert.equal(pairedOutcome([1, 2], [3, 4]), 'win');
  assert.equal(pairedOutcome([5, 6], [3, 4]), 'loss');
  assert.equal(pairedOutcome([1, 6], [3, 4]), 'mixed');
  assert.equal(pairedOutcome([NaN], [3]), 'mixed');
  assert.throws(() => pairedOutcome([1], [1, 2]), /equally many/);
  assert.equal(spreadText([10]), '10.0');
  assert.equal(spreadText([10, 20, 30]), '20.0 [10.0-30.0]');

  // Table 2: the session-4 quick numbers (9%: 90.5 vs 110.8; 25%: 259.4 vs 255.3) -> partly
  const t2 = rvaeBeatsVaeVerdict([{ level: 0.09, rvae: [90.5], vae: [110.8] }, { level: 0.25, rvae: [259.4], vae: [255.3] }]);
  assert.equal(t2.holds, 'partly');
  assert.match(t2.ours, /9%: 90.5 vs 110.8; 25%: 259.4 vs 255.3/);
  assert.equal(rvaeBeatsVaeVerdict([{ level: 0.09, rvae: [43.3], vae: [141.3] }, { level: 0.25, rvae: [90.2], vae: [186.2] }]).holds, true);
  assert.equal(rvaeBeatsVaeVerdict([{ level: 0.25, rvae: [300], vae: [200] }]).holds, false);
  // seeds: a level whose order differs between seeds is not won
  const mixed = rvaeBeatsVaeVerdict([{ level: 0.25, rvae: [250, 260, 240], vae: [255, 255, 255] }]);
  assert.equal(mixed.holds, false);
  assert.match(mixed.ours, /order differs between seeds/);
  assert.match(mixed.note, /every one of 3 seeds/);
  assert.throws(() => rvaeBeatsVaeVerdict([]), /no levels/);

  const base = (r: number) => [{ cell: 'MNIST 9%', rvae: r, baselines: { GAN: 278, 'LPF+VAE': 184, 'RPCA+VAE': 94.6 } }];
  assert.equal(rvaeBeatsBaselinesVerdict(base(90)).holds, true);
  assert.equal(rvaeBeatsBaselinesVerdict(base(150)).holds, true); // lower than GAN and LPF+VAE: 2 of 3, more than half
  assert.equal(rvaeBeatsBaselinesVerdict(base(200)).holds, 'partly');
  assert.equal(rvaeBeatsBaselinesVerdict(base(400)).holds, false);
  assert.match(rvaeBeatsBaselinesVerdict(base(200)).note, /LPF\+VAE at MNIST 9%/);

  const close = rvaeCloseToRdaVerdict([{ cell: 'a', rvae: 90.5, rda: 76.2 }, { cell: 'b', rvae: 259.4, rda: 135.1 }]);
  assert.equal(close.holds, 'partly');
  assert.match(close.ours, /1 of 2 within 25%/);
  assert.match(close.note, /RDA\+VAE lower in 2 of 2/);
  assert.equal(rvaeCloseToRdaVerdict([{ cell: 'a', rvae: 100, rda: 110 }]).holds, true);
  assert.equal(rvaeCloseToRdaVerdict([{ cell: 'a', rvae: 100, rda: 300 }]).holds, false);

  assert.equal(rvaeFasterVerdict([{ rvaeSeconds: 17.5, rdaSeconds: 36.1, rvaeCpu: 30, rdaCpu: 60 }]).holds, true);
  assert.match(rvaeFasterVerdict([{ rvaeSeconds: 50, rdaSeconds: 100, rvaeCpu: 30, rdaCpu: 60 }]).ours, /50.0% faster on average \(wall clock; 50.0% in CPU time\)/);
  assert.equal(rvaeFasterVerdict([{ rvaeSeconds: 10, rdaSeconds: 20 }, { rvaeSeconds: 30, rdaSeconds: 20 }]).holds, 'partly');
  assert.equal(rvaeFasterVerdict([{ rvaeSeconds: 30, rdaSeconds: 20 }]).holds, false);

  // Fig. 2: the session-4 quick cells (4 of 6 won, only lambda 250 at both levels) -> partly
  const heat = [[0.09, 50, 6.8], [0.09, 150, 20.4], [0.09, 250, 5.1], [0.25, 50, -16.6], [0.25, 150, -4.1], [0.25, 250, 1.7]]
    .map(([noise, lambda, d]) => ({ noise, lambda, vae: 200, rvae: 200 - d }));
  const f2 = fig2Verdict(heat);
  assert.equal(f2.holds, 'partly');
  assert.match(f2.ours, /4 of 6 cells; lambdas better at every tested noise level: 250;/);
  assert.equal(fig2Verdict(heat.map((h) => ({ ...h, rvae: h.vae - 10 }))).holds, true);
  assert.equal(fig2Verdict(heat.map((h) => ({ ...h, rvae: h.vae + 10 }))).holds, false);
  // improvements (vae 200): 3.4, 10.2, 2.55, -8.3, -2.05, 0.85 %; with a tie band of 4% only 9% / lambda 150 wins
  // and four cells are ties -> partly, no lambda wins at both levels
  const tied = fig2Verdict(heat, { tie: 4 });
  assert.equal(tied.holds, 'partly');
  assert.match(tied.ours, /RVAE better in 1 of 6 cells \(4 within \+-4.0%, counted as ties\); lambdas better at every tested noise level: none/);
  assert.throws(() => fig2Verdict(heat, { tie: -1 }), /tie must be >= 0/);

  // ladders: wins from rung 4 on for both seeds
  const outers = [1, 2, 4, 8];
  const lr = ladderReading(outers, [[300, 260, 200, 150], [310, 250, 210, 160]], [[280, 255, 240, 230], [290, 258, 245, 228]]);
  assert.deepEqual(lr.winsAt, [4, 8]); // rung 2: lower for seed 1 only (250 < 258, 260 > 255)
  assert.equal(lr.from, 4);
  assert.ok(Math.abs(lr.lastGap - (229 - 155)) < 1e-9);
  const never = ladderReading(outers, [[300, 300, 300, 300]], [[200, 200, 200, 200]]);
  assert.deepEqual(never.winsAt, []);
  assert.equal(never.from, undefined);
  const late = ladderReading(outers, [[100, 300, 100, 300]], [[200, 200, 200, 200]]);
  assert.deepEqual(late.winsAt, [1, 4]);
  assert.equal(late.from, undefined); // loses again at the last rung
});

test('ren2020 config: every scale has a ladder that contains its table budget and its grid rungs; long sits between quick and paper', () => {
  for (const scale of ['smoke', 'quick', 'long', 'paper'] as const) {
    const c = renConfig(scale);
    assert.ok(c.ladderOuters.includes(c.outer), `${scale}: table budget ${c.outer} is a rung`);
    for (const g of c.ladderGridAt) assert.ok(c.ladderOuters.includes(g), `${scale}: grid rung ${g}`);
    for (const k of c.ladderRdaOuters) assert.ok(k >= 1 && k <= Math.max(...c.ladderOuters), `${scale}: RDA rung ${k}`);
    assert.ok(c.tableLevels.mnist.includes(c.ladderLevel) || scale === 'paper', `${scale}: ladder level is a table level`);
    assert.ok(c.ladderSeeds.length >= 1);
  }
  const q = renConfig('quick'), l = renConfig('long'), p = renConfig('paper');
  assert.ok(q.nTrain < l.nTrain && l.nTrain < p.nTrain);
  assert.ok(q.outer < l.outer && l.outer <= p.outer);
  assert.equal(Math.max(...l.ladderOuters), p.outer); // long's ladder reaches the paper's 30 outer iterations
  assert.ok(q.ladderSeeds.length >= 3);
});
