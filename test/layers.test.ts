/**
 * The import graph of src/: every import points down the layer order (or stays inside its own layer), and model
 * modules do not borrow each other's internals (they share only the contract in models/base.ts and the detector
 * interface). The order, bottom first:
 *
 *   0 backend                         the TensorFlow backend
 *   1 records, validate, random, batches, progress, display   plain data types and utilities
 *   2 linalg    3 nets    4 corruptions    5 data
 *   6 train     (training loops, the compiled step, the alternating robust solver)
 *   7 models    8 metrics, classifiers, inspect    9 tables, plots
 *   10 experiment (results store, scales, claims tables, sweeps)    11 papers (drivers, cells, claim rules)
 *   12 notebook (notebook helpers)    13 index
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const SRC = path.join(__dirname, '..', 'src');
export const LAYERS: Record<string, number> = {
  backend: 0, records: 1, validate: 1, random: 1, batches: 1, progress: 1, display: 1,
  linalg: 2, nets: 3, corruptions: 4, data: 5, train: 6, models: 7, metrics: 8, classifiers: 8, inspect: 8,
  tables: 9, plots: 9, experiment: 10, papers: 11, notebook: 12, index: 13,
};
/** Model modules every model may import: the shared contract (estimator, detector, alternating robust model). */
const SHARED_MODEL_MODULES = new Set(['models/base', 'models/detector', 'models/alternating-model']);
/**
 * Composite estimators, built from other public estimators (as scikit-learn's Pipeline is): the robust wrappers
 * and pipelines, which import those estimators' classes, never their helpers.
 */
const COMPOSITES: Record<string, string[]> = {
  'models/rda': ['models/autoencoder'], // RDA = alternating solver around a DeepAutoencoder
  'models/rvae': ['models/vae', 'models/conv-vae'], // RVAE = alternating solver around a VAE
  'models/two-stage': ['models/vae', 'models/rpca', 'models/rda', 'models/baselines/lpf'], // denoise, then a VAE
  'models/detector': ['models/baselines/isolation-forest'], // the detector interface over Isolation Forest
  'models/dai-ae': ['models/dai-vae'], // Dai et al.'s AE baselines ARE their VAE with Sigma_z fixed at 0 (Sec. 5.1): a configuration, one code path
};

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Relative imports of every src module: [importer, imported] as paths under src/ without extension. */
export function importEdges(): [string, string][] {
  const out: [string, string][] = [];
  for (const f of files(SRC)) {
    const rel = path.relative(SRC, f).replace(/\.ts$/, '');
    const text = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:from|import|require)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      let tgt = path.normalize(path.join(path.dirname(rel), m[1]));
      if (fs.existsSync(path.join(SRC, tgt)) && fs.statSync(path.join(SRC, tgt)).isDirectory()) tgt = path.join(tgt, 'index');
      out.push([rel, tgt.replace(/\.ts$/, '')]);
    }
  }
  return out;
}

const layerOf = (mod: string) => LAYERS[mod.split('/')[0]];

test('layers: every module of src/ belongs to a layer', () => {
  const unknown = [...new Set(files(SRC).map((f) => path.relative(SRC, f).replace(/\.ts$/, '')).filter((m) => layerOf(m) === undefined))];
  assert.deepEqual(unknown, [], `modules outside the layer order: ${unknown.join(', ')} (add them to LAYERS in test/layers.test.ts)`);
});

test('layers: no import points from a lower layer to a higher one', () => {
  const up = importEdges().filter(([a, b]) => layerOf(b) > layerOf(a)).map(([a, b]) => `${a} (${layerOf(a)}) -> ${b} (${layerOf(b)})`);
  assert.deepEqual(up, [], `upward imports:\n${up.join('\n')}`);
});

test('layers: model modules do not borrow from each other (only the shared contract, and composites of public estimators)', () => {
  // models/registry lists every model for the conformance suite (test/models/conformance.test.ts): it imports them all
  const lend = importEdges().filter(([a, b]) => a.startsWith('models/') && b.startsWith('models/') && a !== b && !SHARED_MODEL_MODULES.has(b) && a !== 'models/registry'
    && !(COMPOSITES[a] ?? []).includes(b) && !(a.startsWith('models/baselines/') && b.startsWith('models/baselines/')))
    .map(([a, b]) => `${a} -> ${b}`);
  assert.deepEqual(lend, [], `models importing other models:\n${lend.join('\n')}`);
});

test('layers: the checker sees an upward import (self-test on a fixture edge)', () => {
  assert.ok(layerOf('train/loop') < layerOf('models/base'));
  assert.ok(importEdges().some(([a, b]) => a === 'models/autoencoder' && b === 'train/loop'), 'the edge models/autoencoder -> train/loop is found');
});
