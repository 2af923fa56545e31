/**
 * The claims table: every notebook ends by listing the papers' claims it tested, what we measured, and whether
 * the claim holds here. It is shown in the notebook, saved as CSV (`results/<scale>/claims/<notebook>.csv`) and
 * printed by `npm run reproduce` in its final summary.
 *
 *   const claims = new ClaimsTable('01-robust-deep-autoencoders');
 *   claims.add({ claim: 'RDA l2,1 finds outliers better than IsolationForest', paper: 'F1 0.64 vs 0.37',
 *                ours: `F1 ${f1.toFixed(2)} vs ${iso.toFixed(2)}`, holds: f1 > iso });
 *   claims.show();   // displays + saves the CSV
 */
import path from 'node:path';
import { getScale, type Scale } from './scale';
import { formatTable, readCSV, saveCSV, rowsToHTML, type Row } from '../tables';

export type Verdict = boolean | 'partly' | 'n/a';

export interface Claim {
  /** The claim in a sentence, naming the paper's figure/table/section. */
  claim: string;
  /** What the paper reports (value or short description). */
  paper: string | number;
  /** What we measured. */
  ours: string | number;
  /** Does it hold here? true / false / 'partly' / 'n/a' (not testable at this scale or offline). */
  holds: Verdict;
  /** The scale of the measurement (defaults to the current scale). */
  scale?: Scale;
  note?: string;
}

export interface StoredClaim { claim: string; paper: string | number; ours: string | number; scale: Scale; holds: Verdict; note: string }

export const CLAIM_COLUMNS = ['claim', 'paper', 'ours', 'scale', 'holds', 'note'] as const;

export function verdictText(v: Verdict): string {
  return v === true ? 'yes' : v === false ? 'no' : v;
}

/** Folder of the claims CSVs for a scale. */
export function claimsDir(scale: Scale = getScale()): string {
  return path.join(path.resolve(__dirname, '..', '..'), 'results', scale, 'claims');
}

export class ClaimsTable {
  readonly notebook: string;
  readonly claims: StoredClaim[] = [];

  constructor(notebook: string) {
    if (!/^[\w.-]+$/.test(notebook)) throw new Error(`ClaimsTable: "${notebook}" is not a plain file name`);
    this.notebook = notebook;
  }

  add(c: Claim): this {
    if (!c || typeof c.claim !== 'string' || c.claim.trim() === '') throw new Error('ClaimsTable.add: claim text missing');
    if (!(c.holds === true || c.holds === false || c.holds === 'partly' || c.holds === 'n/a')) {
      throw new Error(`ClaimsTable.add: holds must be true, false, 'partly' or 'n/a' (got ${JSON.stringify(c.holds)})`);
    }
    this.claims.push({ claim: c.claim, paper: c.paper, ours: c.ours, scale: c.scale ?? getScale(), holds: c.holds, note: c.note ?? '' });
    return this;
  }

  /** Rows with the verdict as text (yes / no / partly / n/a). */
  rows(): Row[] {
    return this.claims.map((c) => ({ claim: c.claim, paper: c.paper, ours: c.ours, scale: c.scale, holds: verdictText(c.holds), note: c.note }));
  }

  /** Counts by verdict. */
  summary(): { yes: number; no: number; partly: number; na: number } {
    const s = { yes: 0, no: 0, partly: 0, na: 0 };
    for (const c of this.claims) c.holds === true ? s.yes++ : c.holds === false ? s.no++ : c.holds === 'partly' ? s.partly++ : s.na++;
    return s;
  }

  /** Writes `results/<scale>/claims/<notebook>.csv` (or `file`); returns the path. */
  save(file = path.join(claimsDir(), `${this.notebook}.csv`)): string {
    return saveCSV(this.rows(), file);
  }

  toText(): string {
    return ClaimsTable.format(this.rows());
  }

  toHTML(): string {
    return rowsToHTML(this.rows(), { caption: `Claims tested in ${this.notebook}`, columns: [...CLAIM_COLUMNS] });
  }

  /**
   * Saves the CSV and shows the table (HTML in a notebook, text elsewhere). Outside smoke scale a copy goes beside
   * the notebook's figures as `figures/<notebook>/claims-<scale>.csv`, so the committed figures carry their claims.
   */
  show(): void {
    this.save();
    const scale = getScale();
    if (scale !== 'smoke') this.save(path.join(path.resolve(__dirname, '..', '..'), 'figures', this.notebook, `claims-${scale}.csv`));
    // Loaded here, not at import, to keep this module free of the notebook helpers.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { display } = require('../display') as typeof import('../display');
    if (!display({ 'text/html': this.toHTML(), 'text/plain': this.toText() })) console.log(`Claims tested in ${this.notebook}\n${this.toText()}`);
  }

  /** Plain-text rendering of claim rows (used by the reproduce summary on the saved CSV). */
  static format(rows: Row[]): string {
    return formatTable(rows, { columns: [...CLAIM_COLUMNS].filter((c) => c !== 'note' || rows.some((r) => r.note)), maxWidth: 70 });
  }

  /** Reads a saved claims CSV back into rows. */
  static read(file: string): Row[] {
    return readCSV(file);
  }
}
