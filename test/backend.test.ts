import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, backendInfo } from '../src/backend';

test('the native TensorFlow backend is in use after set-up (override with RML_BACKEND)', async () => {
  const name = await initBackend();
  const wanted = process.env.RML_BACKEND || 'tensorflow';
  assert.equal(name, wanted, `backend ${name}; run \`npm run setup -- --force-tf\``);
  assert.match(backendInfo(), new RegExp(`backend: ${wanted}`));
  const s = tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).sum().dataSync()[0]);
  assert.equal(s, 12);
});
