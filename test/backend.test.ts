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

test("oneDnnEnabled follows TensorFlow's rule: TF_ENABLE_ONEDNN_OPTS if set, else the CPU's neural-network flags", () => {
  const { oneDnnEnabled } = require('../src/backend') as typeof import('../src/backend');
  const zen5 = 'processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni avx512_bf16 avx512_vp2intersect\n';
  const avx2 = 'processor\t: 0\nflags\t\t: fpu sse2 avx2 fma\n';
  const x86 = process.platform === 'linux' && ['x64', 'ia32'].includes(process.arch);
  assert.equal(oneDnnEnabled({}, zen5), x86);
  assert.equal(oneDnnEnabled({}, avx2), false);
  assert.equal(oneDnnEnabled({}, 'flags\t: avx_vnni\n'), x86);
  assert.equal(oneDnnEnabled({ TF_ENABLE_ONEDNN_OPTS: '0' }, zen5), false);
  assert.equal(oneDnnEnabled({ TF_ENABLE_ONEDNN_OPTS: '1' }, avx2), true);
  assert.equal(oneDnnEnabled({ TF_ENABLE_ONEDNN_OPTS: ' true ' }, avx2), true);
  if (tf.getBackend() === 'tensorflow') assert.match(backendInfo(), new RegExp(`oneDNN ${oneDnnEnabled() ? 'on' : 'off'}`));
});
