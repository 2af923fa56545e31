import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf, initBackend } from '../src/backend';
import { rowsToCSV, parseCSV, rowsToHTML, formatTable, formatNumber, toDataFrame, tableRows, saveCSV, readCSV } from '../src/tables';

test('CSV: quoting, full precision, missing values, round trip', () => {
  const rows = [{ method: 'RDA, l2,1', f1: 0.6871234567, n: 3, ok: true }, { method: 'say "hi"', f1: null, n: 4, ok: false, extra: 'x' }];
  const csv = rowsToCSV(rows);
  assert.equal(csv.split('\n')[0], 'method,f1,n,ok,extra');
  assert.ok(csv.includes('"RDA, l2,1",0.6871234567,3,true,'));
  assert.ok(csv.includes('"say ""hi""",,4,false,x'));
  const back = parseCSV(csv);
  assert.deepEqual(back[0], { method: 'RDA, l2,1', f1: 0.6871234567, n: 3, ok: true, extra: null });
  assert.deepEqual(back[1], { method: 'say "hi"', f1: null, n: 4, ok: false, extra: 'x' });
});

test('HTML and text tables format numbers to 4 significant digits and escape HTML', () => {
  assert.equal(formatNumber(0.6871234), '0.6871');
  assert.equal(formatNumber(12), '12');
  assert.equal(formatNumber(0.00001234), '1.234e-5');
  const html = rowsToHTML([{ a: '<b>', v: 1.23456 }], { caption: 'Cap' });
  assert.ok(html.includes('&lt;b&gt;') && html.includes('1.235') && html.includes('<caption'));
  const text = formatTable([{ name: 'x', v: 1.5 }, { name: 'longer', v: 10 }]);
  assert.equal(text.split('\n')[0], 'name      v');
});

test('danfojs-node shares the native backend: no second tfjs, backend stays "tensorflow"', async () => {
  const before = await initBackend();
  const t0 = Date.now();
  const df = toDataFrame([{ method: 'a', f1: 0.5 }, { method: 'b', f1: 0.25 }]);
  const ms = Date.now() - t0;
  assert.equal(tf.getBackend(), before);
  assert.deepEqual(df.columns, ['method', 'f1']);
  assert.deepEqual(tableRows(df), [{ method: 'a', f1: 0.5 }, { method: 'b', f1: 0.25 }]);
  const cores = Object.keys(require.cache).filter((k) => /tfjs-core[\\/]dist[\\/](index|tf-core\.node)\.js$/.test(k));
  assert.equal(cores.length, 1, `one tfjs-core instance (${cores.join(', ')})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rml-tab-'));
  try {
    const file = saveCSV(df, path.join(dir, 't.csv'));
    assert.deepEqual(readCSV(file), [{ method: 'a', f1: 0.5 }, { method: 'b', f1: 0.25 }]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`# danfojs-node first load + DataFrame: ${ms} ms`);
});

test('rows may be any objects (interfaces); arrays and objects become JSON cells', () => {
  interface R { name: string; curve: number[]; meta: { k: number } }
  const rows: R[] = [{ name: 'a', curve: [1, 2], meta: { k: 1 } }];
  const csv = rowsToCSV(rows);
  assert.equal(csv, 'name,curve,meta\na,"[1,2]","{""k"":1}"\n');
  assert.match(rowsToHTML(rows), /\[1,2\]/);
  assert.deepEqual(tableRows(rows), [{ name: 'a', curve: '[1,2]', meta: '{"k":1}' }]);
});
