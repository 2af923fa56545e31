/**
 * The tslab display channel, shared by the notebook helpers (src/notebook.ts) and the progress bars
 * (src/progress.ts). Inside a tslab kernel an output is a Jupyter `display_data` message; one sent with a
 * `display_id` can later be replaced in place by an `update_display_data` message with the same id (JupyterLab
 * redraws that output, and nbclient / nbconvert keep only its last content in a saved notebook). Outside tslab
 * every call returns false and shows nothing.
 */

interface DisplayData { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: Record<string, unknown> }
type WriteDisplay = (d: DisplayData, update: boolean) => void;

/** True when running inside a tslab kernel. */
export function inNotebook(): boolean {
  return typeof (globalThis as { __tslab__?: unknown }).__tslab__ !== 'undefined';
}

/** The kernel's own display writer (tslab's `jupyter.lastWriteDisplayData`), or null outside tslab. */
export function displayWriter(): WriteDisplay | null {
  if (!inNotebook()) return null;
  // The kernel loaded its tslab copy from node_modules/tslab; prefer whichever copy has a live writer.
  for (const [key, mod] of Object.entries(require.cache)) {
    if (/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(key)) {
      const w = (mod?.exports as { lastWriteDisplayData?: WriteDisplay | null })?.lastWriteDisplayData;
      if (typeof w === 'function') return w;
    }
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const w = require('tslab/dist/jupyter').lastWriteDisplayData as WriteDisplay | null;
    return typeof w === 'function' ? w : null;
  } catch {
    return null;
  }
}

/**
 * Shows one output with several representations (mimetype -> content; Buffers become base64). With `id`, the
 * output carries that display id; `update: true` replaces the content of the earlier output with the same id.
 */
export function display(data: Record<string, string | Buffer | object>, opts: { id?: string; update?: boolean } = {}): boolean {
  const write = displayWriter();
  if (!write) return false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) out[k] = Buffer.isBuffer(v) ? v.toString('base64') : v;
  write({ data: out, metadata: {}, transient: opts.id ? { display_id: opts.id } : {} }, !!(opts.update && opts.id));
  return true;
}

let idCounter = 0;
/** A display id unique to this kernel process. */
export function newDisplayId(prefix = 'rml'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++idCounter}`;
}
