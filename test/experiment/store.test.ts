import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResultsStore, paramsKey, resultsPath } from '../../src/experiment/store';

function tmpFile(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rml-store-'));
  return { dir, file: path.join(dir, 'sub', 'sweep.jsonl') };
}

test('store resumes: finished cells are skipped, a truncated last line is ignored and recomputed', async () => {
  const { dir, file } = tmpFile();
  try {
    const calls: string[] = [];
    const work = (p: { lambda: number; noise: number }) => async () => { calls.push(`${p.lambda}/${p.noise}`); return { f1: p.lambda + p.noise, curve: [1, NaN, Infinity] }; };
    const s1 = new ResultsStore(file, { version: 'v1' });
    for (const p of [{ lambda: 1, noise: 0.1 }, { lambda: 2, noise: 0.1 }, { lambda: 3, noise: 0.1 }]) await s1.cell(p, work(p));
    assert.deepEqual(calls, ['1/0.1', '2/0.1', '3/0.1']);
    assert.equal(s1.computed, 3);
    // simulate a kill in the middle of writing the third line
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n').filter(Boolean);
    fs.writeFileSync(file, lines[0] + '\n' + lines[1] + '\n' + lines[2].slice(0, Math.floor(lines[2].length / 2)));

    calls.length = 0;
    const s2 = new ResultsStore(file, { version: 'v1' });
    assert.equal(s2.size, 2);
    assert.equal(s2.skippedLines, 1);
    const results = [];
    for (const p of [{ lambda: 1, noise: 0.1 }, { noise: 0.1, lambda: 2 }, { lambda: 3, noise: 0.1 }]) results.push(await s2.cell(p, work(p)));
    assert.deepEqual(calls, ['3/0.1'], 'only the missing cell is recomputed (key order of params does not matter)');
    assert.equal(s2.reused, 2);
    assert.deepEqual(results.map((r) => r.f1), [1.1, 2.1, 3.1]);
    assert.ok(Number.isNaN(results[0].curve[1]) && results[0].curve[2] === Infinity, 'NaN and Infinity survive the file');

    // the appended line starts on a fresh line; a third store sees all three cells
    const s3 = new ResultsStore(file, { version: 'v1' });
    assert.equal(s3.size, 3);
    assert.deepEqual(s3.rows().map((r) => [r.lambda, r.noise, r.f1]), [[1, 0.1, 1.1], [2, 0.1, 2.1], [3, 0.1, 3.1]]);
    // a new code version recomputes everything
    const s4 = new ResultsStore(file, { version: 'v2' });
    assert.equal(s4.size, 0);
    assert.equal(s4.has({ lambda: 1, noise: 0.1 }), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('store keys are canonical; relative files go under results/<scale>/; version is required', () => {
  assert.equal(paramsKey({ a: 1, b: 'x' }), paramsKey({ b: 'x', a: 1 }));
  assert.notEqual(paramsKey({ a: 1 }), paramsKey({ a: '1' }));
  assert.match(resultsPath('01-x/s.jsonl', 'smoke'), /results[\\/]smoke[\\/]01-x[\\/]s\.jsonl$/);
  assert.equal(resultsPath('/abs/s.jsonl', 'paper'), '/abs/s.jsonl');
  assert.throws(() => new ResultsStore('x.jsonl', { version: '' }), /version/);
});

test('non-object results become { ...params, result } rows', async () => {
  const { dir, file } = tmpFile();
  try {
    const s = new ResultsStore(file, { version: 'v' });
    await s.cell({ k: 1 }, () => 0.5);
    assert.deepEqual(s.rows(), [{ k: 1, result: 0.5 }]);
    assert.equal(s.get({ k: 1 }), 0.5);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
