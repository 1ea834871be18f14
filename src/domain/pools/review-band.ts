import type { ScoreCalibration } from '../ports/score-calibration.port.js';
import { type PoolDecisionPolicy, poolDecisionPolicy } from './pool-threshold.js';
import type { PoolSettings } from './pool.types.js';

/** Default target FPIR of the review band: ten times looser than the default match target. */
export const DEFAULT_REVIEW_FPIR = 0.1;

export interface ReviewBand {
  /** Best-candidate similarities in [lower, upper) go to a person; at or above upper is a match. */
  lower: number;
  upper: number;
  targetFpir: number;
  /** Share of strangers whose best candidate reaches the band (they cost a review, not a false match). */
  expectedFpirAtLower: number;
  /** Enrolled people below the band: missed even with review. */
  expectedFnirAtLower: number;
  /** Empty when the match threshold is already at or below the band's threshold (e.g. a low pinned threshold). */
  empty: boolean;
}

export type PoolSettingsWithReview = PoolSettings & { review_target_fpir?: number };

/**
 * A pool's review band: a second, looser threshold derived like the match threshold (from a target FPIR at the
 * pool's current size), never above the match threshold. Scores between the two are what a FALLBACK manual check
 * sends to a reviewer; the band turns the misses of a strict threshold on a large pool into review workload.
 */
export function poolReviewBand(
  settings: PoolSettingsWithReview,
  poolSize: number,
  calibration: ScoreCalibration,
  match?: PoolDecisionPolicy,
): ReviewBand {
  const policy = match ?? poolDecisionPolicy(settings, poolSize, calibration);
  const targetFpir = settings.review_target_fpir ?? Math.max(DEFAULT_REVIEW_FPIR, policy.targetFpir);
  // Not floored at the 1:1 threshold as the match threshold is: on a small pool the band reaches below it, where a
  // person still tells a look-alike from the same person (floored, pools under ~120 faces had no band at all).
  const lower = Math.min(calibration.thresholdForFpir(targetFpir, Math.max(1, poolSize)), policy.threshold);
  const atLower = poolDecisionPolicy({ threshold: lower }, poolSize, calibration);
  return {
    lower,
    upper: policy.threshold,
    targetFpir,
    expectedFpirAtLower: atLower.expectedFpir,
    expectedFnirAtLower: atLower.expectedFnir,
    empty: lower >= policy.threshold,
  };
}
