import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultJobs } from '../scripts/reproduce';

test('reproduce: the worker pool defaults to two processes on two or more cores, one at smoke scale', () => {
  assert.equal(defaultJobs('quick', 2), 2);
  assert.equal(defaultJobs('long', 16), 2);
  assert.equal(defaultJobs('paper', 1), 1);
  assert.equal(defaultJobs('smoke', 2), 1);
});
