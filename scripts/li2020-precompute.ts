/**
 * Runs the sweeps of notebook 02 (Li et al. 2020) outside Jupyter, through the same results stores, so a later
 * notebook run at the same scale only reads the finished cells back (and computes whatever is missing).
 *
 *   RML_SCALE=quick npx tsx scripts/li2020-precompute.ts [phase] [table1] [--dataset mnist] [--noise impulse] [--severity 6,2]
 *
 * The filters restrict (and --severity also orders) the Table-1 cells, so several processes can share the work.
 * LI2020_WAIT_FOR_PC=<minutes> waits for a classifier that another process is still training.
 */
import fs from 'node:fs';
import path from 'node:path';
import { initBackend, tf } from '../src/backend';
import { dataRoot } from '../src/data/paths';
import { getScale, getSeed } from '../src/experiment/scale';
import { ResultsStore } from '../src/experiment/store';
import { RobustPCA } from '../src/models/rpca';
import { loadMnist } from '../src/data/mnist';
import { loadFashionMnist } from '../src/data/fashion-mnist';
import { getClassifier } from '../src/classifiers/pc';
import { conv28Spec } from '../src/nets/conv28';
import { li2020Config, phaseTransition, restorationCell, type RestorationParams, type RestorationSeverity } from '../src/papers/li2020';

const NAME = '02-rethink-autoencoders';
const VERSION = 'li2020-v1'; // must match the notebook

/** Waits (up to `minutes`) until a default-config classifier of `ds` is cached, e.g. while another process trains it. */
async function waitForClassifier(ds: string, minutes: number): Promise<void> {
  const dir = path.join(dataRoot(), 'models', `pc-${ds}`);
  const t0 = Date.now();
  while (Date.now() - t0 < minutes * 60000) {
    const done = fs.existsSync(dir) && fs.readdirSync(dir).some((d) => d.includes('n60000') && fs.existsSync(path.join(dir, d, 'info.json')));
    if (done) return;
    await new Promise((r) => setTimeout(r, 10000));
  }
}

async function main(): Promise<void> {
  await initBackend();
  const scale = getScale(), seed = getSeed();
  const cfg = li2020Config(scale, seed);
  const args = process.argv.slice(2);
  const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const what = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
  const onlyDataset = flag('--dataset'), onlyNoise = flag('--noise');
  const sevOrder = flag('--severity')?.split(',').map((x) => (x === 'mixup' ? 'mixup' : Number(x)));
  const all = what.length === 0;
  if (all || what.includes('phase')) {
    const store = new ResultsStore(`${NAME}/phase.jsonl`, { version: `${VERSION}-phase` });
    const t0 = Date.now();
    await phaseTransition(store, cfg.phase, async (X) => {
      const m = await new RobustPCA().fit(X, { progress: false });
      const L = Float32Array.from(m.L64!.data);
      m.dispose();
      return L;
    }, (s) => console.log(s));
    console.log(`phase: ${store.computed} cells computed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  if (all || what.includes('table1')) {
    const R = cfg.restoration;
    const store = new ResultsStore(`${NAME}/table1.jsonl`, { version: `${VERSION}-table1` });
    for (const ds of R.datasets) {
      if (onlyDataset && ds !== onlyDataset) continue;
      if (process.env.LI2020_WAIT_FOR_PC) await waitForClassifier(ds, Number(process.env.LI2020_WAIT_FOR_PC));
      const pc = await getClassifier(ds, { ...R.classifier, progress: false });
      const images = ds === 'mnist' ? await loadMnist({ split: 'test' }) : await loadFashionMnist({ split: 'test' });
      const cells: { noise: 'none' | 'impulse' | 'gaussian'; severity: RestorationSeverity }[] = [];
      if (R.clean) cells.push({ noise: 'none', severity: 0 });
      for (const noise of R.noises) {
        if (onlyNoise && noise !== onlyNoise) continue;
        const sevs = sevOrder ? sevOrder.filter((x) => (R.severities[noise] as unknown[]).includes(x)) as RestorationSeverity[] : R.severities[noise];
        for (const severity of sevs) cells.push({ noise, severity });
      }
      for (const c of cells) {
        const p: RestorationParams = { dataset: ds, ...c, n: R.n, epochs: R.epochs, learningRate: R.learningRate, codeLearningRate: R.codeLearningRate, codeDim: R.codeDim, batchSize: R.batchSize, decayEvery: R.decayEvery, seed };
        await restorationCell(store, p, { images, net: conv28Spec(1), severityGroup: 'mnist', progress: false, log: (s) => console.log(s), accuracy: (X, labels) => pc.accuracy(X, labels) });
      }
      pc.dispose();
    }
  }
  console.log(`tensors alive: ${tf.memory().numTensors}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
