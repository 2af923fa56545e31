import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePercent, toIpynb, buildNotebooks, notebookSources, splitTableRow, checkMarkdownTables, assertTables } from '../scripts/build-notebooks';

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
