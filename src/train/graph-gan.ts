/**
 * The two training steps of the fully connected GAN (src/models/gan.ts) as TensorFlow graph runs.
 *
 *   discriminator step   L_D = mean( softplus(-D(x)) + softplus(D(G(z1))) )      (D's weights trained)
 *   generator step       L_G = mean( softplus(-D(G(z2))) )                      (G's weights trained)
 * D: hidden layers with `activation` and dropout (the keep masks, scaled by 1 / (1 - rate) as tf.dropout does,
 * are fed: the eager step's own draws), a linear one-unit output; G: hidden layers with `activation`, a sigmoid
 * output. Each step is one graph run with its own Adam (src/train/graph-adam.ts); the other network's weights
 * are fed as constants, so the generator step sees the discriminator just updated, as in the eager loop.
 * Gradients written out: dL_D/dD(x) = (sigmoid(D(x)) - 1) / B, dL_D/dD(G(z)) = sigmoid(D(G(z))) / B,
 * dL_G/dD(G(z)) = (sigmoid(D(G(z))) - 1) / B, then the dense backward passes (src/train/graph-dense.ts).
 * Tested equal to the tfjs-autodiff GAN (test/train/graph-gan.test.ts).
 */
import { tf } from '../backend';
import { A, DT } from './graph';
import { F, GraphAdam, GraphAdamOptions } from './graph-adam';
import { batchRows, denseBackwardGraph, denseForwardGraph } from './graph-dense';
import { FusedActivation, FusedDenseLayer } from './fused';
import { InputError } from '../validate';

type Layer = { W: tf.Variable; b: tf.Variable };

export interface GanGraphNet { gen: Layer[]; disc: Layer[]; activation: FusedActivation; dropout: boolean }

const genLayers = (n: GanGraphNet): FusedDenseLayer[] => n.gen.map((l, i) => ({ W: l.W, b: l.b, act: i + 1 < n.gen.length ? n.activation : 'sigmoid' }));
const discLayers = (n: GanGraphNet): FusedDenseLayer[] => n.disc.map((l, i) => ({ W: l.W, b: l.b, act: i + 1 < n.disc.length ? n.activation : 'linear' }));

function check(net: GanGraphNet, who: string): void {
  if (!net.gen.length || !net.disc.length) throw new InputError(`${who}: the generator and the discriminator need at least one layer each`);
  if (net.disc[net.disc.length - 1].W.shape[1] !== 1) throw new InputError(`${who}: the discriminator must end in one unit`);
}

/** Masks of the discriminator's hidden layers, fed under names `<prefix><i>` (none without dropout). */
function maskNodes(g: GraphAdam['g'], net: GanGraphNet, prefix: string): (string | null)[] {
  return net.disc.map((l, i) => (net.dropout && i + 1 < net.disc.length ? g.placeholder(`${prefix}${i}`, DT.float, [-1, l.W.shape[1]!]) : null));
}

function maskFeeds(prefix: string, masks: tf.Tensor2D[]): Record<string, tf.Tensor> {
  const f: Record<string, tf.Tensor> = {};
  masks.forEach((m, i) => { f[`${prefix}${i}`] = m; });
  return f;
}

const mean01 = (g: GraphAdam['g'], t: string) => g.op('Mean', [t, g.constInt([0, 1], [2])], { T: F, Tidx: A.type(DT.int32), keep_dims: A.b(false) });

/** The discriminator's Adam step; the generator's weights are read, not trained. */
export class GanDiscriminatorGraphAdam extends GraphAdam {
  private readonly nMasks: number;

  constructor(net: GanGraphNet, opts: GraphAdamOptions) {
    super('GanDiscriminatorGraphAdam', opts);
    check(net, 'GanDiscriminatorGraphAdam');
    const g = this.g;
    const op = (name: string, ins: string[]) => g.op(name, ins, { T: F });
    const val = (t: tf.Tensor) => this.value(t);
    const x = g.placeholder('x', DT.float, [-1, net.disc[0].W.shape[0]!]);
    const z = g.placeholder('z', DT.float, [-1, net.gen[0].W.shape[0]!]);
    const fake = denseForwardGraph(g, z, genLayers(net), (t) => this.fed(t)).out;
    const dl = discLayers(net);
    const mr = maskNodes(g, net, 'mreal'), mf = maskNodes(g, net, 'mfake');
    this.nMasks = mr.filter(Boolean).length;
    const fr = denseForwardGraph(g, x, dl, val, mr), ff = denseForwardGraph(g, fake, dl, val, mf);
    const loss = mean01(g, op('AddV2', [op('Softplus', [op('Neg', [fr.out])]), op('Softplus', [ff.out])]));
    const invB = op('RealDiv', [g.constFloat(1), batchRows(g, x)]);
    const dReal = op('Mul', [op('Sub', [op('Sigmoid', [fr.out]), g.constFloat(1)]), invB]);
    const dFake = op('Mul', [op('Sigmoid', [ff.out]), invB]);
    const add = (t: tf.Tensor, gr: string) => this.addGrad(t, gr);
    denseBackwardGraph(g, dl, fr, dReal, val, add, false);
    denseBackwardGraph(g, dl, ff, dFake, val, add, false);
    this.compile(loss);
  }

  /** One step on real rows x and latent draws z with the dropout multipliers of both passes. Returns L_D before the step. */
  step(x: tf.Tensor2D, z: tf.Tensor2D, masksReal: tf.Tensor2D[] = [], masksFake: tf.Tensor2D[] = []): tf.Scalar {
    if (masksReal.length !== this.nMasks || masksFake.length !== this.nMasks) throw new InputError(`GanDiscriminatorGraphAdam.step: ${this.nMasks} dropout masks per pass expected, got ${masksReal.length} and ${masksFake.length}`);
    return this.runStep({ x, z, ...maskFeeds('mreal', masksReal), ...maskFeeds('mfake', masksFake) })[0] as tf.Scalar;
  }
}

/** The generator's Adam step (non-saturating loss); the discriminator's weights are read, not trained. */
export class GanGeneratorGraphAdam extends GraphAdam {
  private readonly nMasks: number;

  constructor(net: GanGraphNet, opts: GraphAdamOptions) {
    super('GanGeneratorGraphAdam', opts);
    check(net, 'GanGeneratorGraphAdam');
    const g = this.g;
    const op = (name: string, ins: string[]) => g.op(name, ins, { T: F });
    const val = (t: tf.Tensor) => this.value(t);
    const fedv = (t: tf.Tensor) => this.fed(t);
    const z = g.placeholder('z', DT.float, [-1, net.gen[0].W.shape[0]!]);
    const gl = genLayers(net), dl = discLayers(net);
    const fg = denseForwardGraph(g, z, gl, val);
    const m = maskNodes(g, net, 'm');
    this.nMasks = m.filter(Boolean).length;
    const fd = denseForwardGraph(g, fg.out, dl, fedv, m);
    const loss = mean01(g, op('Softplus', [op('Neg', [fd.out])]));
    const invB = op('RealDiv', [g.constFloat(1), batchRows(g, z)]);
    const dFake = op('Mul', [op('Sub', [op('Sigmoid', [fd.out]), g.constFloat(1)]), invB]);
    // Through D to the image (D's weight gradients are not wanted: the session never runs those nodes), then G.
    const dImg = denseBackwardGraph(g, dl, fd, dFake, fedv, () => undefined, true)!;
    denseBackwardGraph(g, gl, fg, dImg, val, (t, gr) => this.addGrad(t, gr), false);
    this.compile(loss);
  }

  step(z: tf.Tensor2D, masks: tf.Tensor2D[] = []): tf.Scalar {
    if (masks.length !== this.nMasks) throw new InputError(`GanGeneratorGraphAdam.step: ${this.nMasks} dropout masks expected, got ${masks.length}`);
    return this.runStep({ z, ...maskFeeds('m', masks) })[0] as tf.Scalar;
  }
}
