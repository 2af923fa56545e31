/**
 * A small Dai VAE / AE net (10 - 12 - 8 - 4 - 8 - 12 - 10, seeded, non-zero biases) and data for the twin check of
 * its compiled step (test/train/twin.ts), shared by dai-vae.test.ts and dai-ae.test.ts.
 */
import { tf } from '../../src/backend';
import { Rng } from '../../src/random';
import { dense } from '../../src/nets/mlp';
import assert from 'node:assert/strict';
import { DaiLossOptions, DaiNet, DaiVAE, daiStepLoss, daiVariables } from '../../src/models/dai-vae';
import { TwinOptions } from '../train/twin';

/** 80 x 10: one entry in seven far from any fit (r^2 > alpha = 1e-3), the rest close to it: both sides of max(r^2, alpha). */
export function daiTwinData(): tf.Tensor2D {
  const rng = new Rng(8);
  return tf.tensor2d(rng.normalArray(80 * 10).map((v, i) => (i % 7 === 0 ? 3 * v : 0.05 * v)), [80, 10]);
}

/** make / loss for twinCheck: the same weights at every make() call. */
export function daiTwinNet(vae: boolean, p: DaiLossOptions, seed: number): Pick<TwinOptions, 'make' | 'loss'> {
  const nets = new Map<tf.Variable, DaiNet>();
  const make = () => {
    const r = new Rng(seed);
    const L = (i: number, o: number, tag: string) => {
      const l = dense(i, o, r.fork(tag), `dai-twin-${tag}`);
      tf.tidy(() => l.b.assign(tf.tensor1d(r.fork(`${tag}/b`).normalArray(o, 0, 0.1))));
      return l;
    };
    const net: DaiNet = { enc: [L(10, 12, 'e0'), L(12, 8, 'e1')], muHead: L(8, 4, 'mu'), logVarHead: vae ? L(8, 4, 'lv') : null, dec: [L(4, 8, 'd0'), L(8, 12, 'd1'), L(12, 10, 'd2')] };
    const trained = daiVariables(net);
    nets.set(trained[0], net);
    return { trained };
  };
  return { make, loss: (vars) => daiStepLoss(nets.get(vars[0])!, p) };
}

/** The small Dai network every compiled-vs-eager fit test uses (4 epochs of 16 Adam steps in all). */
export const DAI_FIT_BASE = { encoderHidden: [12, 8], decoderHidden: [8, 12], latentDim: 4, epochs: 4, batchSize: 20, learningRate: 3e-3, minVariance: 1e-3, weightDecay: 5e-4, seed: 2 };

/**
 * Fits the model built by `make(compiledStep)` twice on X, compiled and eager, and checks: no tensor growth, the
 * eager run was eager and (where the backend compiles) the compiled one a graph, and both give the same epoch
 * records (loss, data and latent terms) to 2e-4 relative and weights to 1e-3. 16 Adam steps at the default
 * epsilon: per-step rounding differences (~1e-6 relative, the twin checks) can be amplified by Adam where a
 * gradient is near 0 (a +-lr move), hence the loose bounds.
 */
export async function compiledVsEagerFit(make: (compiledStep: boolean) => DaiVAE, X: tf.Tensor2D, native: boolean, what: string): Promise<void> {
  const run = async (compiledStep: boolean) => {
    const m = make(compiledStep);
    await m.fit(X);
    const rec = m.history.epochs.map((r) => [r.loss, (r as { data?: number }).data ?? 0, (r as { latent?: number }).latent ?? 0]);
    const w = m.variables.map((v) => Array.from(v.dataSync()));
    const status = m.stepStatus;
    m.dispose();
    return { rec, w, status };
  };
  const before = tf.memory().numTensors;
  const a = await run(true), b = await run(false);
  assert.equal(tf.memory().numTensors, before, `${what}: tensors leaked`);
  assert.equal(b.status, 'eager');
  if (!native) return;
  assert.equal(a.status, 'graph', `${what}: the fit did not run the compiled step`);
  assert.equal(a.rec.length, 4);
  a.rec.forEach((r, e) => r.forEach((v, j) => assert.ok(Math.abs(v - b.rec[e][j]) <= 2e-4 * Math.max(1, Math.abs(b.rec[e][j])), `${what} epoch ${e} part ${j}: ${v} vs ${b.rec[e][j]}`)));
  let worst = 0;
  a.w.forEach((wa, k) => wa.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - b.w[k][j])); }));
  assert.ok(worst < 1e-3, `${what}: weights differ by ${worst}`);
}
