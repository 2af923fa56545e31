/**
 * Training records, the bottom layer's plain data types: what every training loop writes and every model's
 * `history` holds (src/train/ writes them, src/models/ keeps them, notebooks plot them).
 */

/** One record per epoch (inner loop) or per outer iteration (alternating robust solvers). */
export interface EpochRecord { epoch: number; loss: number; seconds: number; [k: string]: number }
export interface OuterRecord { iter: number; c1: number; c2: number; seconds: number; objective?: number; [k: string]: number | undefined }

export interface TrainingHistory {
  /** Per epoch of gradient training (all inner epochs concatenated for alternating solvers). */
  epochs: EpochRecord[];
  /** Per outer iteration of an alternating robust solver (c1 = ||X-L-S||_F/||X||_F, c2 = change measure). */
  outer: OuterRecord[];
  /** Wall time of the whole fit, seconds. */
  seconds: number;
  /** Why the fit stopped: 'converged' | 'max-iterations' | 'epochs'. */
  stopped?: string;
}
