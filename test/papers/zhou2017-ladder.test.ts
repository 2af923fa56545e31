import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fig2LadderRows, zhou2017Cells, zhou2017Config } from '../../src/papers/zhou2017';

test('Fig. 2 ladder: AE and RDA paired per budget and seed, averaged over seeds; one AE + one RDA cell per rung and seed', () => {
  const rows = [
    { lambda: null, innerEpochs: 8, seed: 0, error: 0.30 }, { lambda: 20, innerEpochs: 8, seed: 0, error: 0.25 },
    { lambda: null, innerEpochs: 8, seed: 1, error: 0.33 }, { lambda: 20, innerEpochs: 8, seed: 1, error: 0.30 },
    { lambda: null, innerEpochs: 24, seed: 0, error: 0.26 }, { lambda: 20, innerEpochs: 24, seed: 0, error: 0.20 },
    { lambda: 20, innerEpochs: 24, seed: 1, error: 0.21 }, // its AE is missing: left out
  ];
  const r = fig2LadderRows(rows, 5);
  assert.deepEqual(r.map((x) => [x.innerEpochs, x.epochs, x.seeds]), [[8, 40, 2], [24, 120, 1]]);
  assert.ok(Math.abs(r[0].relGain - (0.2 + 0.1) / 2) < 1e-12);
  assert.ok(Math.abs(r[0].relGainMin - 0.1) < 1e-12 && Math.abs(r[0].relGainMax - 0.2) < 1e-12);
  assert.ok(Math.abs(r[1].relGain - 0.3) < 1e-12);
  assert.deepEqual(fig2LadderRows([], 5), []);
  const cfg = zhou2017Config('quick').denoise.ladder;
  const cells = zhou2017Cells('quick', 0).filter((c) => c.experiment === 'fig2-ladder');
  assert.equal(cells.length, cfg.innerEpochs.length * cfg.seeds.length * 2);
  assert.equal(new Set(cells.map((c) => JSON.stringify(c.params))).size, cells.length, 'distinct params');
});
