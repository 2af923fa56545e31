/**
 * Progress bar with ETA, for notebooks and terminals.
 *
 *   const bar = new Progress(epochs, 'RDA l1');
 *   for (...) { ...; bar.tick({ loss }); }
 *   bar.done();
 *
 * Where it draws (`mode`, chosen automatically):
 * - 'display' (inside a tslab kernel: JupyterLab, `npm run reproduce`): ONE output per bar, replaced in place
 *   (a Jupyter display with a display id, redrawn by `update_display_data`, at most every 0.5 s). A saved notebook
 *   keeps only the last content of each display, so it holds one line per finished bar.
 * - 'tty' (a terminal): the bar redraws its own line with a carriage return; `done()` ends the line, so each bar
 *   keeps one line.
 * - 'lines' (stdout piped to a file or CI log): one line per redraw, at most every 5 s, and the final line.
 * `RML_PROGRESS=0` turns every bar off.
 */
import { display, displayWriter, newDisplayId } from './display';

export interface ProgressSink { write(s: string): void; isTTY?: boolean }
export type ProgressMode = 'display' | 'tty' | 'lines';
/** Shows `text` in the display `id`; `update` replaces what that display showed before. */
export type ProgressDisplay = (text: string, id: string, update: boolean) => void;

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = String(m).padStart(2, '0'), ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

const jupyterDisplay: ProgressDisplay = (text, id, update) => { display({ 'text/plain': text }, { id, update }); };

export interface ProgressBarOptions {
  enabled?: boolean;
  /** Where 'tty' / 'lines' write (default process.stdout). Giving a sink selects 'tty' or 'lines' by its isTTY. */
  sink?: ProgressSink;
  /** Minimum time between redraws (default: 500 ms display, 100 ms tty, 5 s lines). */
  minIntervalMs?: number;
  mode?: ProgressMode;
  /** The display writer of 'display' mode (default: the tslab kernel's). */
  display?: ProgressDisplay;
}

export class Progress {
  readonly total: number;
  readonly label: string;
  readonly mode: ProgressMode;
  done_ = 0;
  private readonly t0 = Date.now();
  private lastDraw = 0;
  private readonly enabled: boolean;
  private readonly sink: ProgressSink;
  private readonly show: ProgressDisplay;
  private readonly displayId = newDisplayId('rml-progress');
  private shown = false;
  private finished = false;
  private readonly minIntervalMs: number;
  private lastLine = '';
  private lastInfo: Record<string, number | string> = {};

  constructor(total: number, label = '', opts: ProgressBarOptions = {}) {
    this.total = Math.max(1, total);
    this.label = label;
    this.enabled = opts.enabled ?? process.env.RML_PROGRESS !== '0';
    this.sink = opts.sink ?? process.stdout;
    this.show = opts.display ?? jupyterDisplay;
    this.mode = opts.mode ?? (opts.display ? 'display' : opts.sink ? (opts.sink.isTTY ? 'tty' : 'lines') : displayWriter() ? 'display' : process.stdout.isTTY ? 'tty' : 'lines');
    this.minIntervalMs = opts.minIntervalMs ?? (this.mode === 'display' ? 500 : this.mode === 'tty' ? 100 : 5000);
  }

  /** Elapsed seconds. */
  get elapsed(): number { return (Date.now() - this.t0) / 1000; }

  /** Estimated seconds left, from the mean time per step so far. */
  get eta(): number { return this.done_ > 0 ? (this.elapsed / this.done_) * (this.total - this.done_) : Infinity; }

  line(info: Record<string, number | string> = {}): string {
    const frac = Math.min(1, this.done_ / this.total);
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const extras = Object.entries(info).map(([k, v]) => `${k}=${typeof v === 'number' ? (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4)) : v}`).join(' ');
    return `${this.label ? this.label + ' ' : ''}[${bar}] ${this.done_}/${this.total} ${(frac * 100).toFixed(0)}% ${formatSeconds(this.elapsed)}<${formatSeconds(this.eta)}${extras ? ' ' + extras : ''}`;
  }

  tick(info: Record<string, number | string> = {}, steps = 1): void {
    this.done_ += steps;
    this.lastInfo = info;
    if (!this.enabled || this.finished) return;
    const now = Date.now();
    if (now - this.lastDraw < this.minIntervalMs && this.done_ < this.total) return;
    this.lastDraw = now;
    this.draw(this.line(info));
  }

  private draw(line: string): void {
    this.lastLine = line;
    if (this.mode === 'display') {
      this.show(line, this.displayId, this.shown);
      this.shown = true;
    } else if (this.mode === 'tty') this.sink.write(`\r${line}\x1b[K`);
    else this.sink.write(line + '\n');
  }

  /** Draws the final state (once; later ticks and calls do nothing). */
  done(info?: Record<string, number | string>): void {
    if (!this.enabled || this.finished) return;
    this.finished = true;
    const line = this.line(info ?? this.lastInfo);
    if (line !== this.lastLine || this.done_ < this.total) this.draw(line);
    if (this.mode === 'tty') this.sink.write('\n');
  }
}
