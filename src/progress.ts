/**
 * Progress bar with ETA, for the terminal and for notebooks (tslab streams stdout into the cell output; a
 * carriage return redraws the line in JupyterLab). Redraws are throttled so saved notebooks stay small.
 *
 *   const bar = new Progress(epochs, 'RDA l1');
 *   for (...) { ...; bar.tick({ loss }); }
 *   bar.done();
 */
export interface ProgressSink { write(s: string): void; isTTY?: boolean }

const inNotebook = () => !!process.env.RML_NOTEBOOK || typeof (globalThis as Record<string, unknown>).$$ === 'object';

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = String(m).padStart(2, '0'), ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export class Progress {
  readonly total: number;
  readonly label: string;
  done_ = 0;
  private readonly t0 = Date.now();
  private lastDraw = 0;
  private readonly enabled: boolean;
  private readonly sink: ProgressSink;
  private readonly minIntervalMs: number;
  private lastLine = '';
  private lastInfo: Record<string, number | string> = {};

  constructor(total: number, label = '', opts: { enabled?: boolean; sink?: ProgressSink; minIntervalMs?: number } = {}) {
    this.total = Math.max(1, total);
    this.label = label;
    this.enabled = opts.enabled ?? process.env.RML_PROGRESS !== '0';
    this.sink = opts.sink ?? process.stdout;
    this.minIntervalMs = opts.minIntervalMs ?? (inNotebook() || !this.sink.isTTY ? 2000 : 100);
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
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < this.minIntervalMs && this.done_ < this.total) return;
    this.lastDraw = now;
    this.draw(this.line(info));
  }

  private draw(line: string): void {
    this.lastLine = line;
    if (this.sink.isTTY) this.sink.write(`\r${line}\x1b[K`);
    else this.sink.write(line + '\n');
  }

  done(info?: Record<string, number | string>): void {
    if (!this.enabled) return;
    const line = this.line(info ?? this.lastInfo);
    if (line !== this.lastLine || this.done_ < this.total) this.draw(line);
    if (this.sink.isTTY) this.sink.write('\n');
  }
}
