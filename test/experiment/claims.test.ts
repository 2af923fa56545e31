import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClaimsTable } from '../../src/experiment/claims';

test('claims table: rows, verdicts, CSV round trip, plain text', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rml-claims-'));
  try {
    const c = new ClaimsTable('01-test');
    c.add({ claim: 'RDA beats IF, "clearly"', paper: 'F1 0.64 vs 0.37', ours: 0.66, scale: 'quick', holds: true })
      .add({ claim: 'FID improves, at every λ', paper: 12.5, ours: 14, scale: 'smoke', holds: 'partly', note: 'small sample,\nsee text' })
      .add({ claim: 'CelebA', paper: 'x', ours: '-', scale: 'quick', holds: 'n/a' })
      .add({ claim: 'fails', paper: 1, ours: 2, scale: 'quick', holds: false });
    assert.deepEqual(c.summary(), { yes: 1, no: 1, partly: 1, na: 1 });
    const file = c.save(path.join(dir, 'claims.csv'));
    const back = ClaimsTable.read(file);
    assert.deepEqual(back.map((r) => r.holds), ['yes', 'partly', 'n/a', 'no']);
    assert.equal(back[0].claim, 'RDA beats IF, "clearly"');
    assert.equal(back[1].note, 'small sample,\nsee text');
    assert.equal(back[1].paper, 12.5);
    assert.equal(fs.readFileSync(file, 'utf8').split('\n')[0], 'claim,paper,ours,scale,holds,note');
    const text = c.toText();
    assert.match(text, /claim\s+paper\s+ours\s+scale\s+holds/);
    assert.match(text, /partly/);
    assert.match(c.toHTML(), /<table/);
    assert.throws(() => c.add({ claim: 'x', paper: 1, ours: 1, holds: 'maybe' as never }), /holds must be/);
    assert.throws(() => new ClaimsTable('../x'), /plain file name/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
