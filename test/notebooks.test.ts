import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePercent, toIpynb, buildNotebooks, notebookSources, splitTableRow, checkMarkdownTables, assertTables, adoptExecuted, outputsState, sourceHash } from '../scripts/build-notebooks';

const ROOT = path.resolve(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const BUILDER = path.join(ROOT, 'scripts', 'build-notebooks.ts');

const SOURCE = `// %% [markdown]
// # Title
//
// Some *text*, with \`code\`.

// %%
import 'tsx/cjs';
const x = 1;   

// %% a named cell
console.log(x);
// a comment stays in code

// %%

// %% [markdown]
//Tight comment marker
`;

test('percent source -> cells: markdown markers stripped, blank edges trimmed, empty code cells dropped', () => {
  const cells = parsePercent(SOURCE);
  assert.deepEqual(cells, [
    { cell_type: 'markdown', source: '# Title\n\nSome *text*, with `code`.' },
    { cell_type: 'code', source: "import 'tsx/cjs';\nconst x = 1;" },
    { cell_type: 'code', source: 'console.log(x);\n// a comment stays in code' },
    { cell_type: 'markdown', source: 'Tight comment marker' },
  ]);
  assert.throws(() => parsePercent('// %% [markdown]\nnot a comment\n'), /does not start with/);
});

test('ipynb: nbformat 4.5, tslab kernelspec, no outputs, deterministic, sources round trip', () => {
  const cells = parsePercent(SOURCE);
  const text = toIpynb(cells, '01-x');
  assert.equal(text, toIpynb(cells, '01-x'));
  const nb = JSON.parse(text);
  assert.equal(nb.nbformat, 4);
  assert.equal(nb.metadata.kernelspec.name, 'tslab');
  assert.equal(nb.metadata.kernelspec.language, 'typescript');
  assert.equal(nb.cells.length, 4);
  for (const c of nb.cells) {
    if (c.cell_type === 'code') { assert.deepEqual(c.outputs, []); assert.equal(c.execution_count, null); }
    assert.ok(typeof c.id === 'string' && c.id.length > 0);
  }
  assert.deepEqual(nb.cells.map((c: { cell_type: string; source: string[] }) => ({ cell_type: c.cell_type, source: c.source.join('') })), cells);
});

test('build writes .ipynb beside the src folder; --check exits 1 when stale and 0 when current', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rml-nb-'));
  try {
    fs.mkdirSync(path.join(dir, 'src'));
    const src = path.join(dir, 'src', '07-demo.ts');
    fs.writeFileSync(src, SOURCE);
    const check = () => spawnSync(TSX, [BUILDER, '--check', src], { encoding: 'utf8', cwd: ROOT });
    let r = check();
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /out of date/);
    const [res] = buildNotebooks([src]);
    assert.equal(res.target, path.join(dir, '07-demo.ipynb'));
    assert.equal(res.changed, true);
    r = check();
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(buildNotebooks([src])[0].changed, false);
    fs.appendFileSync(src, '\n// %%\nconsole.log(2);\n');
    assert.equal(check().status, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('markdown tables: a | inside backticks splits a cell (as GFM does); escaped pipes do not', () => {
  assert.deepEqual(splitTableRow('| a | `x || y` | b |'), ['a', '`x', '', 'y`', 'b']);
  assert.deepEqual(splitTableRow('| a | `x \\|\\| y` | b |'), ['a', '`x \\|\\| y`', 'b']);
  assert.deepEqual(splitTableRow('a | ‖x‖ | b'), ['a', '‖x‖', 'b']);
  const good = '# T\n\n| m | p | |\n|---|---|---|\n| AE | `min ‖x - B Bᵀ x‖²` | ref |\n\nafter | text';
  assert.deepEqual(checkMarkdownTables(good), []);
  const bad = '| model | problem | |\n|---|---|---|\n| tied | `min_B Σ ||x_i - B Bᵀ x_i||²` | Bourlard |\n| ok | `a` | b |';
  const p = checkMarkdownTables(bad);
  assert.equal(p.length, 1);
  assert.equal(p[0].line, 3);
  assert.equal(p[0].cells, 7);
  assert.equal(p[0].expected, 3);
  // code fences are not tables
  assert.deepEqual(checkMarkdownTables('```\n| a | b |\n|---|---|\n| 1 | 2 | 3 |\n```'), []);
  // the build names the source file and line
  const src = `// %% [markdown]\n// intro\n//\n${bad.split('\n').map((l) => '// ' + l).join('\n')}\n`;
  assert.throws(() => assertTables(src, 'nb.ts'), /nb\.ts:6: table row has 7 cells, its header 3/);
});

test('every markdown table in notebooks/src has rows as wide as their headers', () => {
  for (const src of notebookSources()) assertTables(fs.readFileSync(src, 'utf8'), path.relative(ROOT, src));
});

test('executed notebooks: outputs kept while they belong to the current source; --check fails and a build drops them after a source change', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rml-nbx-'));
  try {
    fs.mkdirSync(path.join(dir, 'src'));
    const src = path.join(dir, 'src', '07-demo.ts');
    fs.writeFileSync(src, SOURCE);
    buildNotebooks([src]);
    const target = path.join(dir, '07-demo.ipynb');
    const cells = parsePercent(SOURCE);
    // what nbclient writes: outputs, execution counts, per-cell timing metadata; one figure with a 2x PNG
    const run = JSON.parse(fs.readFileSync(target, 'utf8'));
    run.cells[1].execution_count = 1;
    run.cells[1].metadata = { execution: { 'iopub.status.busy': '2026-01-01T00:00:00Z' } };
    run.cells[1].outputs = [{ output_type: 'display_data', data: { 'application/vnd.vegalite.v5+json': { mark: 'point' }, 'image/png': 'QUJDREVGR0g=', 'text/plain': '[figure f]' }, metadata: {} }];
    run.cells[2].execution_count = 2;
    run.cells[2].outputs = [{ output_type: 'stream', name: 'stdout', text: '1\n' }];
    const text = await adoptExecuted(run, cells, '07-demo', { scale: 'quick', executed: '2026-01-01T00:00:00.000Z', renderPNG: async () => Buffer.from('small') });
    const nb = JSON.parse(text);
    assert.equal(nb.metadata.rml.source_sha256, sourceHash(cells));
    assert.equal(nb.metadata.rml.scale, 'quick');
    assert.deepEqual(nb.cells[1].metadata, {});
    assert.equal(nb.cells[1].outputs[0].data['image/png'], Buffer.from('small').toString('base64'));
    assert.deepEqual(nb.cells[1].outputs[0].data['application/vnd.vegalite.v5+json'], { mark: 'point' });
    assert.equal(outputsState(nb, cells), 'current');
    fs.writeFileSync(target, text);
    // current: kept by a build, --check passes
    const check = () => spawnSync(TSX, [BUILDER, '--check', src], { encoding: 'utf8', cwd: ROOT });
    let r = check();
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 with outputs of their current source/);
    assert.deepEqual(buildNotebooks([src]).map((b) => [b.changed, b.executed]), [[false, true]]);
    assert.equal(fs.readFileSync(target, 'utf8'), text);
    // a hand edit of the stamped hash (or outputs pasted from elsewhere) is stale too
    assert.equal(outputsState({ ...nb, metadata: { ...nb.metadata, rml: { source_sha256: 'x' } } }, cells), 'stale');
    // the source changes: --check fails naming the outputs; a build rewrites the notebook without outputs
    fs.writeFileSync(src, SOURCE.replace('const x = 1;', 'const x = 2;'));
    r = check();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /outputs belong to an older source/);
    const [b] = buildNotebooks([src]);
    assert.equal(b.staleOutputs, true);
    const rebuilt = JSON.parse(fs.readFileSync(target, 'utf8'));
    assert.ok(rebuilt.cells.every((c: { outputs?: unknown[] }) => !c.outputs || c.outputs.length === 0));
    assert.equal(check().status, 0);
    // adopting a run of an older source is refused
    await assert.rejects(adoptExecuted(run, parsePercent(fs.readFileSync(src, 'utf8')), '07-demo', { scale: 'quick' }), /other cells than the current source/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the committed notebooks are up to date with notebooks/src (run `npm run notebooks`)', () => {
  const stale = buildNotebooks(notebookSources(), { check: true }).filter((r) => r.changed).map((r) => path.relative(ROOT, r.target));
  assert.deepEqual(stale, [], `stale: ${stale.join(', ')}`);
});

test('figure / table / markdown outside a notebook write files and print paths', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rml-fig-'));
  const saved = { ...process.env };
  process.env.RML_FIGURES_DIR = dir;
  process.env.RML_NOTEBOOK_NAME = '98-test';
  try {
    const nbmod = await import('../src/notebook');
    const { lines } = await import('../src/plots');
    const logs: string[] = [];
    const orig = console.log;
    console.log = (...a: unknown[]) => { logs.push(a.join(' ')); };
    try {
      assert.equal(nbmod.inNotebook(), false);
      await nbmod.figure('fig', lines({ data: [{ x: 1, y: 2 }, { x: 2, y: 1 }], x: 'x', y: 'y', title: 'T' }));
      nbmod.table('tab', [{ a: 1, b: 'x' }], { caption: 'Cap' });
      nbmod.markdown('**m**');
    } finally {
      console.log = orig;
    }
    const out = path.join(dir, '98-test');
    for (const f of ['fig.svg', 'fig.png', 'fig.pdf', 'fig.data.csv']) assert.ok(fs.existsSync(path.join(out, f)), f);
    assert.equal(fs.readFileSync(path.join(out, 'fig.data.csv'), 'utf8'), 'x,y\n1,2\n2,1\n');
    assert.equal(fs.readFileSync(path.join(out, 'tab.csv'), 'utf8'), 'a,b\n1,x\n');
    assert.ok(logs.some((l) => l.includes('fig.svg')));
    assert.ok(logs.some((l) => l.includes('**m**')));
    await assert.rejects(nbmod.figure('../bad', {}), /plain file name/);
  } finally {
    process.env = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
