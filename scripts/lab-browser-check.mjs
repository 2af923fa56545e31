#!/usr/bin/env node
// Optional browser check of `npm run lab` (not part of CI: it needs Chromium and puppeteer-core, neither of which
// the project installs).
//
//   node scripts/lab-browser-check.mjs [--notebook 00] [--out DIR] [--timeout SECONDS] [--port 8899]
//
// Needs: Chromium (`apt-get install chromium`; or CHROME=/path/to/chrome) and puppeteer-core resolvable from
// PUPPETEER_DIR (a scratch folder where `npm install puppeteer-core` was run; default /tmp/pup), never installed
// into this repository. What it does, as a new user would:
//   1. notes `git status --porcelain`;
//   2. starts JupyterLab through scripts/lab.mjs on 127.0.0.1 with RML_SCALE=smoke (unless RML_SCALE is set);
//   3. opens the notebook in headless Chromium, waits for the kernel, and records whether the tab is marked
//      modified right after opening and whether a news / notification toast shows;
//   4. runs "Run All Cells" from the Run menu and waits until every cell has run;
//   5. saves screenshots (after opening, after the run, and one per figure) under --out (default results/lab-check/);
//   6. waits past JupyterLab's autosave interval (120 s) unless --no-autosave-wait, then checks that
//      `git status -- notebooks .jupyter` is unchanged and the notebook file was not rewritten; prints a summary
//      and exits 1 when a check failed.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const nbPrefix = opt('notebook', '00');
const outDir = path.resolve(opt('out', path.join(ROOT, 'results', 'lab-check')));
const timeoutS = Number(opt('timeout', '900'));
const port = Number(opt('port', '8899'));
const autosaveWait = !argv.includes('--no-autosave-wait');
const CHROME = process.env.CHROME ?? '/usr/bin/chromium';

const req = createRequire(path.join(process.env.PUPPETEER_DIR ?? '/tmp/pup', 'package.json'));
let puppeteer;
try { puppeteer = req('puppeteer-core'); } catch {
  console.error('lab-browser-check: puppeteer-core not found; run `mkdir -p /tmp/pup && cd /tmp/pup && npm install puppeteer-core` (or set PUPPETEER_DIR)');
  process.exit(2);
}
if (!fs.existsSync(CHROME)) { console.error(`lab-browser-check: no Chromium at ${CHROME} (apt-get install chromium, or set CHROME)`); process.exit(2); }
const nbFile = fs.readdirSync(path.join(ROOT, 'notebooks')).find((f) => f.startsWith(nbPrefix) && f.endsWith('.ipynb'));
if (!nbFile) { console.error(`lab-browser-check: no notebook ${nbPrefix}*.ipynb in notebooks/`); process.exit(2); }
fs.mkdirSync(outDir, { recursive: true });

// Only what JupyterLab could write: the notebook, anything new under notebooks/, .jupyter/ (other work may change
// other files meanwhile)
const gitStatus = () => execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '--', `notebooks/${nbFile}`, 'notebooks/*.ipynb', '.jupyter'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n').filter((l) => l.startsWith('??') || l.includes(nbFile)).join('\n');
const nbHash = () => crypto.createHash('sha256').update(fs.readFileSync(path.join(ROOT, 'notebooks', nbFile))).digest('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const checks = [];
const check = (name, ok, detail = '') => { checks.push({ name, ok, detail }); console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`); };

const before = gitStatus();
const hashBefore = nbHash();
const token = crypto.randomBytes(12).toString('hex');
const env = { ...process.env, RML_SCALE: process.env.RML_SCALE ?? 'smoke' };
const lab = spawn(process.execPath, [path.join(ROOT, 'scripts', 'lab.mjs'), `--port=${port}`, `--IdentityProvider.token=${token}`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
const labLog = fs.createWriteStream(path.join(outDir, 'lab.log'));
lab.stdout.pipe(labLog); lab.stderr.pipe(labLog);
const stopLab = () => { try { process.kill(-lab.pid, 'SIGTERM'); } catch { /* gone */ } };
process.on('exit', stopLab);

let browser;
try {
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { const r = await fetch(`${base}/api/status?token=${token}`); if (r.ok) break; } catch { /* not up yet */ }
    if (i > 120) throw new Error('JupyterLab did not start within 60 s (see lab.log)');
    await sleep(500);
  }
  browser = await puppeteer.launch({ executablePath: CHROME, headless: true, args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--window-size=1400,1000'] });
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const external = [];
  page.on('request', (r) => { const u = r.url(); if (!u.startsWith(base) && !u.startsWith('data:') && !u.startsWith('blob:')) external.push(u); });
  // a workspace of its own, so tabs left open by an earlier session are not restored beside this notebook
  await page.goto(`${base}/lab/workspaces/check-${token.slice(0, 8)}/tree/${nbFile}?reset&token=${token}`, { waitUntil: 'networkidle2', timeout: 120000 });
  await page.waitForSelector('.jp-Notebook .jp-Cell', { timeout: 120000 });
  // kernel ready: the toolbar's kernel status reads Idle
  const kernelIdle = () => page.evaluate(() => /idle/i.test(document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator, .jp-Notebook-ExecutionIndicator')?.getAttribute('data-status') ?? document.body.innerText.match(/TypeScript \| (\w+)/)?.[1] ?? ''));
  for (let i = 0; i < 120 && !(await kernelIdle()); i++) await sleep(500);
  await sleep(3000);
  const state = () => page.evaluate(() => ({
    dirty: [...document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty')].map((t) => t.textContent),
    toasts: [...document.querySelectorAll('.Toastify__toast')].map((t) => t.textContent),
  }));
  const s0 = await state();
  await page.screenshot({ path: path.join(outDir, 'opened.png') });
  check('tab not marked modified after opening', s0.dirty.length === 0, s0.dirty.join(', '));
  check('no notification / news pop-up', s0.toasts.length === 0, s0.toasts.join(' | '));

  // Run > Run All Cells
  const clickText = async (sel, text) => {
    const h = await page.evaluateHandle((sel, text) => [...document.querySelectorAll(sel)].find((e) => e.textContent.trim() === text) ?? null, sel, text);
    const el = h.asElement();
    if (!el) throw new Error(`no "${text}" in ${sel}`);
    await el.click(); // a real mouse click (lumino menus react to mousedown / mouseup, not to el.click())
  };
  await clickText('.lm-MenuBar-itemLabel', 'Run');
  await sleep(500);
  await clickText('.lm-Menu-itemLabel', 'Run All Cells');
  const t0 = Date.now();
  let cells = null;
  for (;;) {
    await sleep(2000);
    cells = await page.evaluate(() => {
      const prompts = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')].map((p) => p.textContent.trim());
      return { total: prompts.length, running: prompts.filter((p) => p.includes('*')).length, done: prompts.filter((p) => /\[\d+\]/.test(p)).length };
    });
    if (cells.running === 0 && cells.done === cells.total) break;
    if ((Date.now() - t0) / 1000 > timeoutS) break;
  }
  const seconds = (Date.now() - t0) / 1000;
  check('Run All finished', cells.done === cells.total && cells.running === 0, `${cells.done}/${cells.total} cells in ${seconds.toFixed(0)} s`);
  const outs = await page.evaluate(() => ({
    vega: document.querySelectorAll('.jp-RenderedVegaCommon5, [data-mime-type^="application/vnd.vegalite"]').length,
    tables: document.querySelectorAll('.jp-RenderedHTMLCommon table').length,
    errors: [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')].map((e) => e.textContent).filter((t) => /error/i.test(t)),
    progress: [...document.querySelectorAll('.jp-OutputArea-output')].map((e) => e.textContent).filter((t) => /\[[#-]{24}\]/.test(t)).length,
  }));
  check('figures render as vega-lite charts', outs.vega > 0, `${outs.vega} charts, ${outs.tables} HTML tables, ${outs.progress} progress outputs`);
  check('no error output', outs.errors.length === 0, outs.errors.map((e) => e.slice(0, 200)).join(' | '));
  await page.screenshot({ path: path.join(outDir, 'after-run.png') });
  const charts = await page.$$('.jp-RenderedVegaCommon5, [data-mime-type^="application/vnd.vegalite"]');
  for (let i = 0; i < charts.length; i++) {
    await charts[i].scrollIntoView();
    await sleep(300);
    await charts[i].screenshot({ path: path.join(outDir, `chart-${String(i + 1).padStart(2, '0')}.png`) });
  }
  // progress bars: one output per bar (updated in place), each ending at 100%
  const bars = await page.evaluate(() => [...document.querySelectorAll('.jp-OutputArea-output')].map((e) => e.textContent.trim()).filter((t) => /\[[#-]{24}\]/.test(t)));
  if (bars.length) {
    const multi = bars.filter((t) => t.split('\n').length > 1);
    check('progress bars: one line per bar, finished', multi.length === 0 && bars.every((t) => / 100% /.test(t)), `${bars.length} bar outputs; ${bars.slice(0, 3).join(' | ')}`);
  }
  // tooltips: hover points inside each chart's drawing (vega-embed's canvas / svg) until vega-tooltip's box shows
  // (thin line charts only show one on the line itself, so every chart is probed until one answers)
  const drawings = await page.$$('.jp-NotebookPanel:not(.lm-mod-hidden) .vega-embed canvas, .jp-NotebookPanel:not(.lm-mod-hidden) .vega-embed svg.marks');
  let tip = null, tipChart = 0;
  for (let i = 0; i < drawings.length && !tip; i++) {
    await drawings[i].scrollIntoView();
    const b = await drawings[i].boundingBox();
    for (const [fx, fy] of [[0.3, 0.5], [0.4, 0.4], [0.5, 0.6], [0.25, 0.3], [0.35, 0.8]]) {
      await page.mouse.move(b.x + b.width * fx, b.y + b.height * fy);
      await sleep(500);
      tip = await page.evaluate(() => { const t = document.querySelector('#vg-tooltip-element'); return t && t.classList.contains('visible') ? t.innerText : null; });
      if (tip) { tipChart = i + 1; break; }
    }
  }
  if (drawings.length) {
    await page.screenshot({ path: path.join(outDir, 'tooltip.png') });
    check('a tooltip shows over a chart', !!tip, tip ? `chart ${tipChart}: ${tip.replace(/\s+/g, ' ').slice(0, 200)}` : '(none at the probed points)');
  }
  // explore controls (vega-lite params bound to inputs): pick the last option, the chart redraws
  const selects = await page.$$('.vega-bindings select');
  for (let i = 0; i < selects.length; i++) {
    const opts = await selects[i].evaluate((el) => [...el.options].map((o) => o.value));
    const chart = await selects[i].evaluateHandle((el) => el.closest('.jp-OutputArea-output'));
    await selects[i].scrollIntoView();
    await chart.asElement().screenshot({ path: path.join(outDir, `explore-${i + 1}-a.png`) });
    await selects[i].select(opts[opts.length - 1]);
    await sleep(800);
    await chart.asElement().screenshot({ path: path.join(outDir, `explore-${i + 1}-b.png`) });
    check(`explore control ${i + 1} switches to ${opts[opts.length - 1]}`, true, `options ${opts.join(', ')}`);
  }
  if (autosaveWait) { console.log('waiting 130 s (past the 120 s autosave interval) ...'); await sleep(130000); }
  const s1 = await state();
  check('no news pop-up after the run', !s1.toasts.some((t) => /news/i.test(t)), s1.toasts.join(' | '));
  check('no request left 127.0.0.1', external.length === 0, [...new Set(external)].slice(0, 5).join(', '));
  const after = gitStatus();
  check(`git status of ${nbFile} (and of new files) unchanged after opening and running`, after === before, after === before ? '' : `before:\n${before}\nafter:\n${after}`);
  check(`${nbFile} not rewritten (same bytes)`, nbHash() === hashBefore);
} catch (e) {
  check('browser session', false, e.stack ?? String(e));
} finally {
  if (browser) await browser.close();
  stopLab();
}
const failed = checks.filter((c) => !c.ok).length;
console.log(`screenshots: ${path.relative(process.cwd(), outDir)}/`);
console.log(`${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
