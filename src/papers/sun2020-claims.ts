/**
 * Claim rules of notebook 00 (Sun 2020 lecture; Li et al. Thm A.1): pure functions from measured numbers to a
 * verdict, tested in test/papers/sun2020-claims.test.ts.
 */
import { type ClaimVerdict, fmt } from './verdict';
import type { SubspaceRow, Sun2020Config } from './sun2020';
import type { Scale } from '../experiment/scale';
import { InputError } from '../validate';

type Subspace = Pick<SubspaceRow, 'maxAngleDeg' | 'meanAngleDeg' | 'nonOrthonormality' | 'errorRatio'>;

/** Same principal subspace: every principal angle of the three linear models to PCA's subspace below 2 degrees: yes; mean angle below 1 degree: partly. */
export function sameSubspaceClaim(tied: Subspace, untied: Subspace, fac: Subspace): ClaimVerdict {
  const worst = Math.max(tied.maxAngleDeg, untied.maxAngleDeg, fac.maxAngleDeg);
  const meanWorst = Math.max(tied.meanAngleDeg, untied.meanAngleDeg, fac.meanAngleDeg);
  return {
    ours: `largest angle: tied ${fmt(tied.maxAngleDeg, 2)}°, untied ${fmt(untied.maxAngleDeg, 2)}°, factorization ${fmt(fac.maxAngleDeg, 2)}°; mean ≤ ${fmt(meanWorst, 3)}°`,
    holds: worst < 2 ? true : meanWorst < 1 ? 'partly' : false,
    note: 'criterion: every principal angle < 2°; "partly" = mean angle < 1° but a slow direction remains',
  };
}

/** Different B: the tied B is orthonormal (||BᵀB − I|| / √d < 0.05) and the untied / factorization B are not. */
export function differentBasesClaim(tied: Subspace, untied: Subspace, fac: Subspace): ClaimVerdict {
  return {
    ours: `||BᵀB−I||/√d: tied ${fmt(tied.nonOrthonormality, 4)}, untied ${fmt(untied.nonOrthonormality, 3)}, factorization ${fmt(fac.nonOrthonormality, 3)}`,
    holds: tied.nonOrthonormality < 0.05 && untied.nonOrthonormality > 0.05 && fac.nonOrthonormality > 0.05,
  };
}

/** The gradient-trained linear models reach PCA's reconstruction error within 1%. */
export function pcaErrorClaim(tied: Subspace, untied: Subspace, fac: Subspace): ClaimVerdict {
  return {
    ours: `error / PCA error: ${fmt(tied.errorRatio, 4)}, ${fmt(untied.errorRatio, 4)}, ${fmt(fac.errorRatio, 4)}`,
    holds: Math.max(tied.errorRatio, untied.errorRatio, fac.errorRatio) < 1.01,
  };
}

/** Fast spectral decay: the top 50 of 784 components hold more than 75% of the variance. */
export function spectralDecayClaim(energyAt50: number, k90: number): ClaimVerdict {
  return { ours: `top 50 of 784 components: ${fmt(100 * energyAt50, 1)}% of the variance; 90% needs ${k90}`, holds: energyAt50 > 0.75 };
}

/** Deep models generalise PCA: both the deep AE and the deep factorization have a lower held-out error than PCA: yes; one of them: partly. */
export function deepBeatsPcaClaim(mse: { pca: number; ae: number; factorization: number }): ClaimVerdict {
  const ae = mse.ae < mse.pca, fac = mse.factorization < mse.pca;
  return {
    ours: `held-out MSE: PCA ${fmt(mse.pca, 4)}, deep AE ${fmt(mse.ae, 4)}, deep factorization ${fmt(mse.factorization, 4)}`,
    holds: ae && fac ? true : ae || fac ? 'partly' : false,
  };
}

/** Reconstruction-error outlier scores: the best model's ROC AUC above 0.75 (0.5 = chance). */
export function outlierScoreClaim(rows: { model: string; auc: number }[]): ClaimVerdict {
  const best = Math.max(...rows.map((r) => r.auc));
  return { ours: rows.map((r) => `${r.model.split(',')[0]}: AUC ${fmt(r.auc)}`).join('; '), holds: rows.length > 0 && best > 0.75, note: 'criterion: ROC AUC > 0.75 (0.5 = chance)' };
}

/** What notebook 00 measured, as its claim rules read it. */
export interface Sun2020Measured {
  scale: Scale;
  cfg: Pick<Sun2020Config, 'deepEpochs' | 'deepN'>;
  /** linearSubspaces' rows: the exact PCA row first, then the tied / untied autoencoders and the factorization. */
  subspaces: SubspaceRow[];
  /** Fraction of the variance in the top 50 components, and the components needed for 90%. */
  energyAt50: number;
  k90: number;
  /** deepVersusLinear's rows: PCA, deep AE, deep factorization (in that order). */
  deep: { testMse: number }[];
  outliers: { model: string; auc: number }[];
}

/** Every claim of notebook 00, in the notebook's order (verdicts 'n/a' at smoke scale where training is too short to judge). */
export function sun2020Claims(m: Sun2020Measured): (ClaimVerdict & { claim: string; paper: string })[] {
  const sub = m.subspaces;
  const find = (part: string) => {
    const r = sub.find((x) => x.model.includes(part));
    if (!r) throw new InputError(`sun2020Claims: no subspace row named like "${part}"`);
    return r;
  };
  const exact = sub[0], tied = find('tied (B B'), untied = find('untied'), fac = find('factorization');
  const smoke = m.scale === 'smoke';
  const judge = (v: ClaimVerdict): ClaimVerdict => (smoke ? { ...v, holds: 'n/a' } : v);
  const [pcaDeep, aeDeep, facDeep] = m.deep;
  return [
    {
      claim: 'Lecture: tied AE, untied AE and linear factorization span the same principal subspace as PCA',
      paper: 'same subspace (Baldi & Hornik; Li et al. Thm A.1)', ...judge(sameSubspaceClaim(tied, untied, fac)),
      ...(smoke ? { note: 'smoke scale: too few gradient steps to converge' } : {}),
    },
    {
      claim: 'Lecture: the three find DIFFERENT B (tied B orthonormal; untied / factorization B need not be)',
      paper: 'three different B, same span', ...judge(differentBasesClaim(tied, untied, fac)),
    },
    {
      claim: 'Gradient-trained linear models reach the PCA (Eckart-Young) reconstruction error',
      paper: 'error = PCA error', ...judge(pcaErrorClaim(tied, untied, fac)),
      note: `exact PCA row: ${fmt(exact.errorRatio, 1)} by definition`,
    },
    {
      claim: 'Lecture: data lie near low-dimensional structure (fast spectral decay of MNIST)',
      paper: 'qualitative', ...spectralDecayClaim(m.energyAt50, m.k90),
    },
    {
      claim: 'Lecture: deep AE / deep factorization generalise PCA (lower reconstruction error at the same d)',
      paper: 'qualitative', ...judge(deepBeatsPcaClaim({ pca: pcaDeep.testMse, ae: aeDeep.testMse, factorization: facDeep.testMse })),
      note: smoke ? 'smoke scale: deep nets barely trained' : `${m.cfg.deepEpochs} epochs on ${m.cfg.deepN} images`,
    },
    {
      claim: 'Lecture: outliers have large reconstruction error after autoencoder training',
      paper: 'qualitative', ...judge(outlierScoreClaim(m.outliers)),
    },
  ];
}
