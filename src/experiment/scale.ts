/**
 * Experiment scale, chosen once per run by the environment variable `RML_SCALE`:
 *   smoke  seconds per notebook: proves every cell runs (tests, CI)
 *   quick  minutes per notebook on a 2-core laptop (all notebooks within 90 minutes): the default; sized so that
 *          each paper's claims are visible
 *   long   one machine overnight (at most ~8 h for all notebooks): the rungs of the budget ladders that quick
 *          cannot afford, with the same code
 *   paper  the papers' own protocol (a cluster or a GPU)
 * Notebooks size everything through `pick({ smoke, quick, long, paper })`, so one source serves all four.
 * The random seed comes from `RML_SEED` (default 0).
 */
export const SCALES = ['smoke', 'quick', 'long', 'paper'] as const;
export type Scale = (typeof SCALES)[number];

/** The scale from `RML_SCALE` (default `quick`); throws on any other value. */
export function getScale(env: Record<string, string | undefined> = process.env): Scale {
  const raw = (env.RML_SCALE ?? '').trim().toLowerCase();
  if (raw === '') return 'quick';
  if (!(SCALES as readonly string[]).includes(raw)) {
    throw new Error(`RML_SCALE="${env.RML_SCALE}" is not a scale: use one of ${SCALES.join(', ')} (default quick)`);
  }
  return raw as Scale;
}

/** The value for the current scale: `pick({ smoke: 500, quick: 5000, long: 20000, paper: 55000 })`. */
export function pick<T>(values: { smoke: T; quick: T; long: T; paper: T }, scale: Scale = getScale()): T {
  if (!values || !(scale in values)) throw new Error(`pick(): no value for scale "${scale}"`);
  return values[scale];
}

/** The run's base seed from `RML_SEED` (default 0). */
export function getSeed(env: Record<string, string | undefined> = process.env): number {
  const raw = (env.RML_SEED ?? '').trim();
  if (raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`RML_SEED="${raw}" is not an integer`);
  return n;
}
