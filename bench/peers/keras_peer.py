"""Keras (TensorFlow) peer: the MLP autoencoder step and the convolutional RDAE step (Li et al. Table 3).

`model.train_on_batch` on a compiled model (Keras' own compiled train function, default settings), with TF's
intra-/inter-op thread pools set to the bench's thread count.
"""
import os
import sys
import time
sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
from common import args, load, time_steps, emit, fail  # noqa: E402

a = args()
try:
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(a.threads)
    import keras
    from keras import layers
except Exception as e:  # noqa: BLE001
    fail(f'tensorflow/keras not importable: {e}')

keras.utils.set_random_seed(0)
results = {}
tasks = [t for t in a.tasks.split(',') if t]


def lrelu():
    try:
        return layers.LeakyReLU(negative_slope=0.2)
    except TypeError:
        return layers.LeakyReLU(alpha=0.2)


def mlp_step():
    x = load(a.inputs, 'mlp_x')
    sizes = [512, 256, 49, 256, 512, 784]
    model = keras.Sequential([keras.Input((784,))] + [layers.Dense(s, activation='sigmoid') for s in sizes])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss='mse')
    last = [0.0]

    def step():
        last[0] = float(model.train_on_batch(x, x))
    t = time_steps(step, a.steps, a.warmup)
    return {'times_ms': t, 'loss': last[0]}


def conv_step():
    x = load(a.inputs, 'conv_x').reshape(-1, 28, 28, 1)
    code = 30
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(64, 4, strides=2, padding='same'), layers.BatchNormalization(), lrelu(),
        layers.Conv2D(128, 4, strides=2, padding='same'), layers.BatchNormalization(), lrelu(),
        layers.Conv2D(code, 7, padding='valid'),
        layers.Conv2DTranspose(128, 7, padding='valid'), layers.BatchNormalization(), lrelu(),
        layers.Conv2DTranspose(64, 4, strides=2, padding='same'), layers.BatchNormalization(), lrelu(),
        layers.Conv2DTranspose(1, 4, strides=2, padding='same'), layers.Activation('sigmoid')])
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss='mae')
    last = [0.0]

    def step():
        last[0] = float(model.train_on_batch(x, x))
    t = time_steps(step, a.steps, a.warmup)
    return {'times_ms': t, 'loss': last[0]}


def glorot(i, o, seed):
    lim = (6.0 / (i + o)) ** 0.5
    return tf.Variable(tf.random.stateless_uniform((i, o), seed=[seed, i * 7 + o], minval=-lim, maxval=lim))


def rda_outer():
    """One RDA outer iteration (see outer_common.md): a tf.function train step (tied weights are not a Keras layer)."""
    X = tf.constant(load(a.inputs, 'mnist5000'))
    N = int(X.shape[0])
    times, last = [], 0.0
    for r in range(a.repeats):
        sizes = [784, 400, 200]
        W = [glorot(sizes[i], sizes[i + 1], r) for i in range(2)]
        be = [tf.Variable(tf.zeros(sizes[i + 1])) for i in range(2)]
        bd = [tf.Variable(tf.zeros(sizes[i])) for i in range(2)]
        vars_ = W + be + bd

        def ae(h):
            for i in range(2):
                h = tf.sigmoid(h @ W[i] + be[i])
            for i in (1, 0):
                h = tf.sigmoid(tf.matmul(h, W[i], transpose_b=True) + bd[i])
            return h
        opt = keras.optimizers.Adam(1e-3)

        @tf.function
        def step(xb):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(ae(xb) - xb))
            opt.apply_gradients(zip(tape.gradient(loss, vars_), vars_))
            return loss
        t0 = time.perf_counter()
        L = X
        for _ in range(5):
            tot = 0.0
            for s in range(0, N, 133):
                xb = L[s:s + 133]
                tot += float(step(xb)) * int(xb.shape[0])
            last = tot / N
        L = ae(L)
        R = X - L
        norms = tf.norm(R, axis=1, keepdims=True)
        S = R * tf.maximum(1 - 0.00095 * N / tf.maximum(norms, 1e-30), 0)
        float(tf.norm(X - L - S))
        times.append((time.perf_counter() - t0) * 1000.0)
    return {'times_ms': times, 'loss': last}


def rvae_outer():
    """One RVAE outer iteration (see outer_common.md), Keras layers with a tf.function train step."""
    X = tf.constant(load(a.inputs, 'mnist5000'))
    N = int(X.shape[0])
    mu_code = float(tf.size(X, out_type=tf.float32) / (4 * tf.reduce_max(tf.reduce_sum(tf.abs(X), 0))))
    times, last = [], 0.0
    for r in range(a.repeats):
        keras.utils.set_random_seed(r)
        enc = keras.Sequential([keras.Input((784,)), layers.Dense(512, activation='sigmoid'), layers.Dense(256, activation='sigmoid')])
        hmu, hlv = layers.Dense(49), layers.Dense(49)
        dec = keras.Sequential([keras.Input((49,)), layers.Dense(256, activation='sigmoid'), layers.Dense(512, activation='sigmoid'), layers.Dense(784)])
        hmu.build((None, 256)); hlv.build((None, 256))
        vars_ = enc.trainable_variables + hmu.trainable_variables + hlv.trainable_variables + dec.trainable_variables
        opt = keras.optimizers.Adam(1e-3)

        @tf.function
        def step(xb):
            with tf.GradientTape() as tape:
                h = enc(xb)
                mu, lv = hmu(h), hlv(h)
                z = mu + tf.exp(0.5 * lv) * tf.random.normal(tf.shape(mu))
                logits = dec(z)
                recon = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=xb, logits=logits), 1)
                kl = -0.5 * tf.reduce_sum(1 + lv - tf.square(mu) - tf.exp(lv), 1)
                loss = tf.reduce_mean(recon + kl)
            opt.apply_gradients(zip(tape.gradient(loss, vars_), vars_))
            return loss
        t0 = time.perf_counter()
        L = X
        for _ in range(5):
            tot = 0.0
            for s in range(0, N, 200):
                xb = L[s:s + 200]
                tot += float(step(xb)) * int(xb.shape[0])
            last = tot / N
        L = tf.sigmoid(dec(hmu(enc(L))))
        R = X - L
        S = tf.sign(R) * tf.maximum(tf.abs(R) - 15 / mu_code, 0)
        float(tf.reduce_sum(S))
        times.append((time.perf_counter() - t0) * 1000.0)
    return {'times_ms': times, 'loss': last}


for task in tasks:
    try:
        results[task] = {'mlp_step': mlp_step, 'conv_step': conv_step, 'rda_outer': rda_outer, 'rvae_outer': rvae_outer}[task]()
    except Exception as e:  # noqa: BLE001
        results[task] = {'error': f'{type(e).__name__}: {e}'}
emit(results, {'framework': f'Keras {keras.__version__} on TensorFlow {tf.__version__}',
               'intra_op_threads': tf.config.threading.get_intra_op_parallelism_threads(),
               'inter_op_threads': tf.config.threading.get_inter_op_parallelism_threads()})
