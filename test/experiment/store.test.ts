import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ResultsStore, cellId, paramsKey, resultsPath } from '../../src/experiment/store';

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
    // simulate a kill in the middle of writing the third line of a file written before claims existed
    fs.rmSync(`${file}.cells`, { recursive: true, force: true });
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

// ---------------------------------------------------------------------------------------------------------------
// Sharing one store between processes

const ROOT = path.resolve(__dirname, '..', '..');

/** A child process that computes `cells` (indices) of a toy sweep into `file`; each cell sleeps `ms` and returns its pid. */
function child(file: string, cells: number[], opts: { ms?: number; env?: Record<string, string> } = {}) {
  const code = `
    const { ResultsStore } = require(${JSON.stringify(path.join(ROOT, 'src/experiment/store.ts'))});
    (async () => {
      const s = new ResultsStore(${JSON.stringify(file)}, { version: 'v1' });
      for (const i of ${JSON.stringify(cells)}) {
        await s.cell({ i }, async () => { await new Promise((r) => setTimeout(r, ${opts.ms ?? 0})); return { i, by: process.pid, big: 'x'.repeat(5000) }; });
      }
      process.stdout.write(JSON.stringify({ computed: s.computed, reused: s.reused, duplicates: s.duplicates }) + '\\n');
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const p = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, env: { ...process.env, ...(opts.env ?? {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { err += d; });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) => p.on('close', (code, signal) => resolve({ code, signal, out, err })));
  return { p, done, output: () => out };
}

test('two processes appending at once: every cell exactly once, no torn line, first finished result wins', async () => {
  const { dir, file } = tmpFile();
  try {
    const N = 40;
    const all = Array.from({ length: N }, (_, i) => i);
    // both processes compute every cell (the same order), so most cells are computed twice at the same time
    const [a, b] = [child(file, all), child(file, all)];
    const [ra, rb] = await Promise.all([a.done, b.done]);
    assert.equal(ra.code, 0, ra.err);
    assert.equal(rb.code, 0, rb.err);
    const sa = JSON.parse(ra.out.trim()), sb = JSON.parse(rb.out.trim());
    assert.equal(sa.computed + sb.computed, N, 'each cell is published by exactly one process');
    const s = new ResultsStore(file, { version: 'v1' });
    assert.equal(s.size, N);
    assert.equal(s.skippedLines, 0);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.equal(lines.length, N, 'one JSON line per cell (losers append nothing)');
    assert.equal(new Set(lines.map((l) => l.key)).size, N);
    for (const i of all) {
      const rec = s.record<{ i: number; by: number }>({ i })!;
      assert.equal(rec.result.i, i);
      // the stored result is the claim's, and the claim names the process that published it
      assert.equal(rec.result.by, rec.pid);
      assert.equal(rec.host, os.hostname());
      assert.ok(typeof rec.commit === 'string' && typeof rec.backend === 'string' && rec.seconds >= 0);
    }
    // readers agree whatever the order they read in: the winner of every cell is fixed
    const again = new ResultsStore(file, { version: 'v1' });
    assert.deepEqual(again.entries().map((c) => [c.key, (c.result as { by: number }).by]).sort(), s.entries().map((c) => [c.key, (c.result as { by: number }).by]).sort());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the same cell computed twice in one process by two store objects: the first to finish wins', async () => {
  const { dir, file } = tmpFile();
  try {
    const s1 = new ResultsStore(file, { version: 'v1' });
    const s2 = new ResultsStore(file, { version: 'v1' });
    let release!: () => void;
    const slow = s1.cell({ c: 1 }, () => new Promise<string>((r) => { release = () => r('slow'); }));
    const fast = await s2.cell({ c: 1 }, async () => 'fast');
    release();
    const slowResult = await slow;
    assert.equal(fast, 'fast');
    assert.equal(slowResult, 'fast', 'the later finisher returns the first finished result');
    assert.equal(s1.duplicates, 1);
    assert.equal(s1.computed, 0);
    assert.equal(new ResultsStore(file, { version: 'v1' }).get({ c: 1 }), 'fast');
    assert.equal(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 1);
    // a third object that has not read it yet takes the claim instead of computing
    const s3 = new ResultsStore(file, { version: 'v1' });
    fs.rmSync(file); // even without the JSON-lines copy
    let ran = false;
    const s4 = new ResultsStore(file, { version: 'v1' });
    assert.equal(await s4.cell({ c: 1 }, () => { ran = true; return 'again'; }), 'fast');
    assert.equal(ran, false);
    assert.equal(s3.size, 1);
    // compact() restores the JSON-lines copy from the claims
    assert.equal(s4.compact(), 1);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8').trim()).result, 'fast');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

for (const stage of ['before-link', 'after-link'] as const) {
  test(`a writer SIGKILLed mid-write (${stage}) loses nothing finished and leaves no torn cell`, async () => {
    const { dir, file } = tmpFile();
    try {
      // cells 0..2 finish; the writer of cell 3 is killed while publishing it
      const first = child(file, [0, 1, 2]);
      assert.equal((await first.done).code, 0);
      const w = child(file, [3], { env: { RML_STORE_PAUSE: stage } });
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`writer never reached ${stage}: ${w.output()}`)), 60_000);
        const iv = setInterval(() => { if (w.output().includes(`paused ${stage}`)) { clearTimeout(t); clearInterval(iv); resolve(); } }, 20);
      });
      w.p.kill('SIGKILL');
      const r = await w.done;
      assert.equal(r.signal, 'SIGKILL');
      const s = new ResultsStore(file, { version: 'v1' });
      const id3 = cellId('v1', paramsKey({ i: 3 }));
      if (stage === 'before-link') {
        assert.equal(s.size, 3, 'the unpublished cell is missing, the others intact');
        assert.equal(s.status({ i: 3 }).state, 'missing', 'a dead writer on this host is not "running"');
        assert.ok(fs.readdirSync(`${file}.cells`).some((f) => f.startsWith(`.tmp-${id3}`)), 'its temporary file is left behind');
      } else {
        assert.equal(s.size, 4, 'a published cell counts even though its JSON line was never written');
        assert.equal(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 3);
      }
      assert.equal(s.skippedLines, 0);
      // rerun: computes only what is missing; compact() cleans up and writes the whole JSON-lines copy
      const again = child(file, [0, 1, 2, 3]);
      const ra = await again.done;
      assert.equal(ra.code, 0, ra.err);
      assert.equal(JSON.parse(ra.out.trim()).computed, stage === 'before-link' ? 1 : 0);
      const s2 = new ResultsStore(file, { version: 'v1' });
      assert.equal(s2.compact([{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }]), 4);
      assert.deepEqual(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).result.i), [0, 1, 2, 3]);
      assert.deepEqual(fs.readdirSync(`${file}.cells`).filter((f) => !f.endsWith('.json')), [], 'no temporary files or stale markers left');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a failing cell leaves an error record (status "failed") until it succeeds; entries follow the order asked', async () => {
  const { dir, file } = tmpFile();
  try {
    const s = new ResultsStore(file, { version: 'v1' });
    await assert.rejects(s.cell({ x: 1 }, () => { throw new Error('boom'); }), /boom/);
    const st = s.status({ x: 1 });
    assert.equal(st.state, 'failed');
    assert.match(st.detail ?? '', /boom/);
    assert.equal(s.status({ x: 2 }).state, 'missing');
    // written in the order 2, 1 (e.g. by two workers); a reader that asks 1, 2 sees rows 1, 2
    const w = new ResultsStore(file, { version: 'v1' });
    await w.cell({ x: 2 }, () => 20);
    await w.cell({ x: 1 }, () => 10);
    assert.equal(w.status({ x: 1 }).state, 'done');
    const r = new ResultsStore(file, { version: 'v1' });
    assert.deepEqual(r.rows().map((x) => x.x), [2, 1], 'file order before any cell() call');
    for (const x of [1, 2]) await r.cell({ x }, () => { throw new Error('not recomputed'); });
    assert.deepEqual(r.rows().map((x) => x.result), [10, 20]);
    r.compact();
    assert.ok(!fs.readdirSync(`${file}.cells`).some((f) => f.includes('.failed-')), 'compact() drops the error records of finished cells');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
