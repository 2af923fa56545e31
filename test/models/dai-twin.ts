/**
 * A small Dai VAE / AE net (10 - 12 - 8 - 4 - 8 - 12 - 10, seeded, non-zero biases) and data for the twin check of
 * its compiled step (test/train/twin.ts), shared by dai-vae.test.ts and dai-ae.test.ts.
 */
import { tf } from '../../src/backend';
import { Rng } from '../../src/random';
import { dense } from '../../src/nets/mlp';
import { DaiLossOptions, DaiNet, daiStepLoss, daiVariables } from '../../src/models/dai-vae';
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
