/**
 * Claim rules of notebook 02 (Li, Mehta, Qian & Sun 2020): pure functions from measured numbers to a verdict,
 * tested in test/papers/claims-rules.test.ts.
 */
import { type ClaimVerdict, fmt, threshold } from './verdict';

/** Convex RPCA on the Candes et al. matrix: relative error of L below 1e-6 (exact up to the solver's tolerance): yes; below the success bar 1e-3: partly. */
export function rpcaRecoveryClaim(relErr: number, iterations: number, seconds: number): ClaimVerdict {
  return {
    ours: `relative error ${relErr.toExponential(2)} in ${iterations} iterations, ${fmt(seconds, 1)} s`,
    holds: !Number.isFinite(relErr) ? false : relErr < 1e-6 ? true : relErr < 1e-3 ? 'partly' : false,
  };
}

/** Fig. 5 / App. B: the robust linear autoencoder fails almost everywhere: at most 10% of the cells succeed. */
export function robustAEFailsClaim(successes: number, cells: number): ClaimVerdict {
  return { ours: `${fmt(successes, 1)} of ${cells} cells succeed`, holds: cells > 0 && successes <= 0.1 * cells };
}

/** Fig. 5: robust factorization (p = r) succeeds in at least as many cells as convex RPCA: yes; in 80% as many: partly. */
export function factorizationRegionClaim(nFactorization: number, nRPCA: number, cells: number): ClaimVerdict {
  return {
    ours: `${fmt(nFactorization, 1)} vs ${fmt(nRPCA, 1)} of ${cells} cells`,
    holds: nFactorization >= nRPCA && nFactorization > 0 ? true : nFactorization >= 0.8 * nRPCA && nFactorization > 0 ? 'partly' : false,
  };
}

/**
 * Fig. 5: the over-parameterised factorization (p = 2r) "continues to work reasonably": yes when it succeeds
 * (error < 1e-3) in at least half as many cells as p = r; partly when it gets below 1e-2 somewhere; else no.
 */
export function overParameterisedClaim(nOver: number, nFactorization: number, cellsBelow1e2: number, cells: number): ClaimVerdict {
  return {
    ours: `${fmt(nOver, 1)} of ${cells} cells below 1e-3; ${cellsBelow1e2} below 1e-2`,
    holds: nOver > 0 && nOver >= 0.5 * nFactorization ? true : cellsBelow1e2 > 0 ? 'partly' : false,
  };
}

/** Accuracies (0..1) of the classifier on corrupted, RDAE-restored and RNLF-restored images. */
export interface RestorationAccuracies { corrupted: number; rdae: number; rnlf: number }

/** Table 1 at the worst severity: the smaller of the RDAE / RNLF accuracies is above the corrupted accuracy by 20 points: yes; by 5: partly. */
export function restorationClaim(acc: RestorationAccuracies): ClaimVerdict {
  const gain = Math.min(acc.rdae, acc.rnlf) - acc.corrupted;
  return {
    ours: `corrupted ${fmt(100 * acc.corrupted, 2)}%, RDAE ${fmt(100 * acc.rdae, 2)}%, RNLF ${fmt(100 * acc.rnlf, 2)}%`,
    holds: threshold(gain, 0.2, 0.05),
  };
}

/**
 * Table 1, graceful degradation from the mildest to the worst severity: the restored accuracies drop by less than
 * half of what the corrupted accuracy drops, and stay above it at the worst severity: yes; at least one of them
 * drops less than the corrupted accuracy: partly.
 */
export function gracefulDegradationClaim(lo: RestorationAccuracies, hi: RestorationAccuracies): ClaimVerdict {
  const dropC = lo.corrupted - hi.corrupted, dropD = lo.rdae - hi.rdae, dropN = lo.rnlf - hi.rnlf;
  return {
    ours: `corrupted ${fmt(100 * dropC, 1)}, RDAE ${fmt(100 * dropD, 1)}, RNLF ${fmt(100 * dropN, 1)} points`,
    holds: Math.max(dropD, dropN) < 0.5 * dropC && hi.rdae > hi.corrupted && hi.rnlf > hi.corrupted ? true : Math.min(dropD, dropN) < dropC ? 'partly' : false,
  };
}
