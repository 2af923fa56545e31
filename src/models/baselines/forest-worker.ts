/**
 * Worker-thread side of the forest pool (forest-pool.ts): grows the trees of each posted job that it claims from
 * the job's shared counter, and posts every tree back (its typed arrays, transferred) on the result port.
 * TensorFlow-free: this module only loads the RNG, tree-core.ts and forest-grow.ts.
 */
import { MessagePort, parentPort } from 'node:worker_threads';
import { Rng } from '../../random';
import { treeTransferables } from './tree-core';
import { ClassTreeOptions, growClassTree } from './forest-grow';

/** A fit posted to the workers (plain data; the matrix, labels and counters are SharedArrayBuffers). */
export interface ForestJobMessage {
  jobId: number;
  n: number; d: number;
  /** Column-major float32 data, n * d values (shared). */
  col: SharedArrayBuffer;
  /** Int32 labels, n values (shared). */
  y: SharedArrayBuffer;
  seed: number;
  nTrees: number;
  opts: ClassTreeOptions;
  /** Int32[2]: [next tree to claim, trees finished] (shared with the main thread and the other workers). */
  sync: SharedArrayBuffer;
}

/** Serves the jobs posted on the worker's parentPort; results go to `results`. */
export function serveForestJobs(results: MessagePort): void {
  if (!parentPort) throw new Error('serveForestJobs: not in a worker thread');
  parentPort.on('message', (job: ForestJobMessage) => {
    const cm = { n: job.n, d: job.d, col: new Float32Array(job.col, 0, job.n * job.d) };
    const y = new Int32Array(job.y, 0, job.n), sync = new Int32Array(job.sync);
    const root = new Rng(job.seed);
    for (;;) {
      const t = Atomics.add(sync, 0, 1);
      if (t >= job.nTrees) break;
      try {
        const tree = growClassTree(cm, y, root.fork(`tree${t}`), job.opts).fields();
        results.postMessage({ jobId: job.jobId, t, tree }, treeTransferables(tree));
      } catch (e) {
        results.postMessage({ jobId: job.jobId, t, error: String((e as Error)?.stack ?? e) });
      }
      // posted before counted: once the main thread sees the count, the message is in its port's queue
      Atomics.add(sync, 1, 1);
      Atomics.notify(sync, 1);
    }
  });
}
