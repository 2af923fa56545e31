/**
 * The deterministic autoencoder baselines of Dai et al., "Hidden Talents of the Variational Autoencoder",
 * Sec. 5.1: the VAE of src/models/dai-vae.ts with Sigma_z fixed at 0 (so the -log|Sigma_z| term is gone and
 * q(z|x) collapses to a point mass at mu_z), the same closed-form per-sample Sigma_x, and
 *
 *   AE-l2:  C2 ||mu_z||_2^2      (what the KL leaves when Sigma_z = 0, re-weighted)
 *   AE-l1:  C2 ||mu_z||_1        (a sparsity-promoting alternative)
 *
 * plus weight decay C1 ||{theta, phi}||^2 (C1 = 5e-4, "a typical default"), which removes the scaling ambiguity
 * between mu_z and the first decoder layer that would otherwise make the C2 penalty moot (Sec. 2). The paper
 * tunes C2 for the best NMSE (C2 = 1e3 for AE-l2 in Figure 1, footnote 12); here C2 is an option and the
 * experiment drivers (src/papers/dai2017.ts) pick it on a tuning cell.
 *
 * One code path with the VAE: the network, initialisation, optimiser and data term are identical, so a
 * difference in results isolates the smoothing of Sigma_z, as the paper argues.
 */
import { DaiVAE, DaiVAEOptions } from './dai-vae';
import { assertOneOf } from '../validate';

export type DaiAEPenalty = 'l2' | 'l1';

export interface DaiAEOptions extends Omit<DaiVAEOptions, 'encoderCovariance' | 'latentPenalty' | 'tau' | 'sigmaX'> {
  /** 'l2' (AE-l2) or 'l1' (AE-l1). */
  penalty: DaiAEPenalty;
}

/** Paper's tuned AE-l2 value (footnote 12): C2 = 1e3. */
export const DAI_AE_L2_PAPER_C2 = 1e3;

export class DaiAE extends DaiVAE {
  constructor(opts: Partial<DaiAEOptions> = {}) {
    const { penalty = 'l2', ...rest } = opts;
    assertOneOf(penalty, 'DaiAE: penalty', ['l2', 'l1'] as const);
    super({ c2: penalty === 'l2' ? DAI_AE_L2_PAPER_C2 : 1, ...rest, encoderCovariance: 'zero', latentPenalty: penalty });
  }

  get penalty(): DaiAEPenalty { return this.params.latentPenalty as DaiAEPenalty; }
}
