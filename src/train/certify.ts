/**
 * Certification of a ground-truth manifold (Dai et al., Sec. 5.1): with the generator z -> l held FIXED, a second
 * 3-layer ReLU network l(d) - E1(r2) - E2(r1) - z_hat(kappa) (Glorot init, Adam, l2 loss) is trained on fresh
 * samples to map l back to z; a near-zero held-out relative error ||z_hat - z||^2 / ||z||^2 shows the manifold is
 * invertible by a network the size of the models' encoders. Lives in the training layer (src/data/manifold.ts
 * only generates data); the trained inverse is handed to the generator (`setInverse`) for `invert()`.
 */
import { tf } from '../backend';
import { Rng } from '../random';
import { mlp, mlpForward, layerVariables, disposeLayers } from '../nets/mlp';
import { ManifoldGenerator, Certificate, CertifyOptions } from '../data/manifold';
import { trainLoop } from './loop';
import { CompiledStep } from './compile';
import { assertInt, assertPositive } from '../validate';

/** Trains the inverse network of `gen` and keeps it on the generator (`gen.inverse`, `gen.certificate`). */
export async function certifyInverse(gen: ManifoldGenerator, o: CertifyOptions): Promise<Certificate> {
  assertInt(o.n, 'certify: n', 1); assertInt(o.nTest, 'certify: nTest', 1); assertInt(o.epochs, 'certify: epochs', 0);
  assertPositive(o.learningRate, 'certify: learningRate');
  const t0 = Date.now();
  const rng = new Rng(`certify:${String(o.seed)}`);
  const [r1, r2] = gen.opts.hidden;
  const shape = [gen.outDim, r2, r1, gen.kappa];
  const inv = mlp(shape, rng.fork('init'), 'manifold-inverse');
  const train = gen.sample(o.n, rng.fork('train'));
  const test = gen.sample(o.nTest, rng.fork('test'));
  const acts = ['relu', 'relu', 'linear'] as const;
  const step = new CompiledStep(([lb, zb]) => tf.losses.meanSquaredError(zb, mlpForward(lb as tf.Tensor2D, inv, [...acts])) as tf.Scalar,
    layerVariables(inv), { learningRate: o.learningRate, readback: 'deferred', label: 'certify inverse' });
  try {
    const recs = await trainLoop([train.L, train.Z], null, [], step, { epochs: o.epochs, batchSize: o.batchSize, shuffle: true, rng: rng.fork('batches'), progress: o.progress ?? false, label: `certify inverse (kappa=${gen.kappa})` });
    const rel = (p: { Z: tf.Tensor2D; L: tf.Tensor2D }) => tf.tidy(() => {
      const zh = mlpForward(p.L, inv, [...acts]);
      return tf.sum(tf.square(tf.sub(zh, p.Z))).div(tf.sum(tf.square(p.Z))).dataSync()[0];
    });
    const certificate: Certificate = { testRelError: rel(test), trainRelError: rel(train), losses: recs.map((r) => r.loss), seconds: (Date.now() - t0) / 1000, shape };
    gen.setInverse(inv, certificate);
    return certificate;
  } catch (e) {
    disposeLayers(inv);
    throw e;
  } finally {
    step.dispose();
    tf.dispose([train.Z, train.L, test.Z, test.L]);
  }
}
