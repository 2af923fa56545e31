import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getScale, pick, getSeed } from '../../src/experiment/scale';

test('getScale reads RML_SCALE (default quick) and rejects other values clearly', () => {
  assert.equal(getScale({}), 'quick');
  assert.equal(getScale({ RML_SCALE: '' }), 'quick');
  assert.equal(getScale({ RML_SCALE: 'smoke' }), 'smoke');
  assert.equal(getScale({ RML_SCALE: ' Paper ' }), 'paper');
  assert.equal(getScale({ RML_SCALE: 'long' }), 'long');
  assert.throws(() => getScale({ RML_SCALE: 'full' }), /RML_SCALE="full" is not a scale: use one of smoke, quick, long, paper/);
});

test('pick returns the value for the scale', () => {
  const v = { smoke: 1, quick: 10, long: 50, paper: 100 };
  assert.equal(pick(v, 'smoke'), 1);
  assert.equal(pick(v, 'quick'), 10);
  assert.equal(pick(v, 'long'), 50);
  assert.equal(pick(v, 'paper'), 100);
  assert.equal(pick(v), v[getScale()]);
});

test('getSeed reads RML_SEED (default 0), integers only', () => {
  assert.equal(getSeed({}), 0);
  assert.equal(getSeed({ RML_SEED: '42' }), 42);
  assert.throws(() => getSeed({ RML_SEED: '1.5' }), /not an integer/);
});
