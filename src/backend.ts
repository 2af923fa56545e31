/**
 * Backend selection: tensorflow-gpu > tensorflow > wasm > cpu.
 *
 * Override with the environment variable `RML_BACKEND` (one of `tensorflow`, `wasm`, `cpu`; `tensorflow`
 * also covers the GPU build, which registers under the same name). Every module imports `tf` from here, so the
 * native binding is loaded before any tensor is made. Call `await initBackend()` once at start-up (notebooks,
 * tests, scripts): it is needed for wasm and harmless otherwise.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

interface NativeInfo { name: 'tensorflow'; gpu: boolean; error?: string }

let native: NativeInfo | null = null;
const loadErrors: string[] = [];
const wanted = (process.env.RML_BACKEND ?? '').trim().toLowerCase();

if (wanted && !['tensorflow', 'wasm', 'cpu'].includes(wanted)) {
  throw new Error(`RML_BACKEND="${wanted}" is not a backend: use tensorflow, wasm or cpu`);
}

if (wanted === '' || wanted === 'tensorflow') {
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  for (const [pkg, gpu] of [['@tensorflow/tfjs-node-gpu', true], ['@tensorflow/tfjs-node', false]] as const) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      require(pkg);
      native = { name: 'tensorflow', gpu };
      break;
    } catch (e) {
      loadErrors.push(`${pkg}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
}

let ready: Promise<BackendName> | null = null;

/** Registers the wasm kernel tfjs 4.22 lacks (Conv2DBackpropFilter) as a dilated conv2d. */
function registerWasmConvBackpropFilter(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
      const { strides, pad, filterShape, dilations } = attrs as unknown as {
        strides: [number, number] | number; pad: 'same' | 'valid' | number; filterShape: [number, number, number, number]; dilations?: number;
      };
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      // dW[kh,kw,ci,co] = sum_{b,i,j} x[b, i*sh+kh, j*sw+kw, ci] * dy[b,i,j,co]: a conv of x^T (ci as batch, b as
      // channels) with dy^T as the filter, dilated by the stride.
      const out = tf.tidy(() => {
        const xt = tf.transpose(x, [3, 1, 2, 0]);
        const dyt = tf.transpose(dy, [1, 2, 0, 3]);
        let padArg: 'valid' | [[number, number], [number, number], [number, number], [number, number]] = 'valid';
        if (pad === 'same') {
          const [H, W] = [x.shape[1], x.shape[2]];
          const [kh, kw] = [filterShape[0], filterShape[1]];
          const oh = Math.ceil(H / sh), ow = Math.ceil(W / sw);
          const ph = Math.max((oh - 1) * sh + kh - H, 0), pw = Math.max((ow - 1) * sw + kw - W, 0);
          padArg = [[0, 0], [Math.floor(ph / 2), ph - Math.floor(ph / 2)], [Math.floor(pw / 2), pw - Math.floor(pw / 2)], [0, 0]];
        } else if (typeof pad === 'number') {
          padArg = [[0, 0], [pad, pad], [pad, pad], [0, 0]];
        }
        const r = tf.conv2d(xt as tf.Tensor4D, dyt as tf.Tensor4D, 1, padArg as never, 'NHWC', [sh, sw]);
        const sliced = tf.slice(r, [0, 0, 0, 0], [filterShape[2], filterShape[0], filterShape[1], filterShape[3]]);
        return tf.transpose(sliced, [1, 2, 0, 3]);
      });
      void dilations;
      const info = (backend as unknown as { incRef?: (id: unknown) => void });
      info.incRef?.(out.dataId);
      const result = { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
      out.dispose();
      return result as never;
    },
  });
}

/** Initialises the backend once; resolves to the backend's name. */
export function initBackend(): Promise<BackendName> {
  if (ready) return ready;
  ready = (async () => {
    if (wanted === 'cpu') {
      await tf.setBackend('cpu');
    } else if (native && wanted !== 'wasm') {
      await tf.setBackend('tensorflow');
    } else {
      try {
        require('@tensorflow/tfjs-backend-wasm');
        registerWasmConvBackpropFilter();
        if (!(await tf.setBackend('wasm'))) throw new Error('setBackend("wasm") returned false');
        if (wanted !== 'wasm') {
          console.warn('\n' + '!'.repeat(78) + '\nWARNING: the native TensorFlow backend is not available; using WASM (10-15x slower).\n' +
            `  ${loadErrors.join('\n  ')}\n  Run \`npm run setup -- --force-tf\` to build it.\n` + '!'.repeat(78) + '\n');
        }
      } catch (e) {
        console.warn(`WARNING: no native and no wasm backend (${(e as Error).message}); using the pure-JS cpu backend (very slow).`);
        await tf.setBackend('cpu');
      }
    }
    await tf.ready();
    return tf.getBackend() as BackendName;
  })();
  return ready;
}

/** CPU flags under which TensorFlow turns oneDNN on by default on Linux (tensorflow/core/util/util.cc, IsMKLEnabled). */
const ONEDNN_CPU_FLAGS = ['avx512_vnni', 'avx512_bf16', 'avx_vnni', 'amx_tile', 'amx_int8', 'amx_bf16'];

/**
 * Whether the native TensorFlow CPU kernels run through oneDNN in this process, by TensorFlow's own rule:
 * `TF_ENABLE_ONEDNN_OPTS` (read once, when TensorFlow loads) if set, else on for Linux x86 CPUs with AVX512-VNNI,
 * AVX512-BF16, AVX-VNNI or AMX. The library keeps TensorFlow's default (measured on an AMD EPYC family 26: the
 * training steps are faster with oneDNN, see README "Speed"); set `TF_ENABLE_ONEDNN_OPTS=0|1` before the first
 * import to choose. oneDNN and Eigen kernels round differently, and a graph run rounds differently from eager
 * ops: results agree to float32 rounding, not bit for bit, across machines and settings.
 * `cpuinfo` / `env` are for tests.
 */
export function oneDnnEnabled(env: Record<string, string | undefined> = process.env, cpuinfo?: string): boolean {
  const raw = (env.TF_ENABLE_ONEDNN_OPTS ?? '').trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  if (process.platform !== 'linux' || !['x64', 'ia32'].includes(process.arch)) return false;
  let info = cpuinfo;
  if (info === undefined) {
    try { info = require('node:fs').readFileSync('/proc/cpuinfo', 'utf8') as string; } catch { return false; }
  }
  const flags = new Set((/^flags\s*:(.*)$/m.exec(info)?.[1] ?? '').trim().split(/\s+/));
  return ONEDNN_CPU_FLAGS.some((f) => flags.has(f));
}

/** A one-line description of the backend in use, printed by every notebook. */
export function backendInfo(): string {
  const name = tf.getBackend();
  const detail = name === 'tensorflow'
    ? (native?.gpu ? 'native TensorFlow, GPU build' : `native TensorFlow, CPU, oneDNN ${oneDnnEnabled() ? 'on' : 'off'}`)
    : name === 'wasm' ? 'WebAssembly (slow fallback)' : 'pure JS (very slow fallback)';
  return `tfjs ${tf.version.tfjs} backend: ${name} (${detail})`;
}

export function isGpu(): boolean {
  return tf.getBackend() === 'tensorflow' && !!native?.gpu;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/** tfjs-node's kernel backend: its binding and the two calls every kernel makes (one eager TensorFlow op each). */
export interface NativeBackend {
  binding: any;
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: unknown[], inputs: tf.Tensor[], n: number): tf.Tensor[];
}

/** The tfjs-node kernel backend when the active backend is native TensorFlow, else null. */
export function nativeBackend(): NativeBackend | null {
  if (tf.getBackend() !== 'tensorflow') return null;
  const be = tf.backend() as unknown as NativeBackend;
  return be && be.binding && typeof be.binding.executeOp === 'function' ? be : null;
}

/** True when TensorFlow ops can be run by name (native TensorFlow backend active). */
export function fusedAvailable(): boolean { return nativeBackend() !== null; }
