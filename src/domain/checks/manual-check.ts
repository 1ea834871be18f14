import type { ScoreCalibration } from '../ports/score-calibration.port.js';

// Yoti's manual_check on a requested check: NEVER (the default) keeps the automated result; ALWAYS sends every
// result to a person; FALLBACK sends only a result the check itself calls inconclusive. The reasons below are
// what a review item records as "why" (the console puts them in words).

export const REVIEW_REASONS = {
  ALWAYS: 'ALWAYS',
  FFS_REVIEW_BAND: 'FFS_REVIEW_BAND',
  LIVENESS_NEAR_THRESHOLD: 'LIVENESS_NEAR_THRESHOLD',
  FACE_MATCH_NEAR_THRESHOLD: 'FACE_MATCH_NEAR_THRESHOLD',
  DOCUMENT_NOT_VERIFIED: 'DOCUMENT_NOT_VERIFIED',
} as const;

/** Why a result goes to a person under `setting`, or null; `inconclusive` is the check's own reason, if any. */
export function manualCheckReason(setting: unknown, inconclusive: string | null | undefined): string | null {
  if (setting === 'ALWAYS') return REVIEW_REASONS.ALWAYS;
  if (setting === 'FALLBACK') return inconclusive ?? null;
  return null;
}

/** Scores in [lower, upper) are "near the threshold": too close to it for the machine's verdict to stand alone. */
export interface ScoreBand {
  lower: number;
  upper: number;
}

export const inBand = (score: number, band: ScoreBand): boolean => score >= band.lower && score < band.upper;

/**
 * The 1:1 face-match scores near its threshold: one decade of false match rate either side of the operating point,
 * read off the calibration in force (shipped lfw-dev: threshold 0.34 at FMR 0.088%; band 0.25-0.42, from FMR 0.88%
 * to 0.0088%). About 0.9% of strangers and 1.8% of genuine pairs land in it (docs/accuracy.md, "Review bands").
 */
export function faceMatchReviewBand(
  calibration: Pick<ScoreCalibration, 'oneToOneThreshold' | 'falseMatchRateAt' | 'thresholdForFpir'>,
): ScoreBand {
  const threshold = calibration.oneToOneThreshold;
  const fmr = calibration.falseMatchRateAt(threshold);
  return {
    lower: Math.min(threshold, calibration.thresholdForFpir(Math.min(0.5, fmr * 10), 1)),
    upper: Math.max(threshold, calibration.thresholdForFpir(fmr / 10, 1)),
  };
}

/**
 * Distance either side of the liveness threshold that counts as near it. On the 5,373 bona fide lfw-dev photos
 * 2.40% score below 0.3 and 4.69% below 0.7 (docs/accuracy.md), so 0.3-0.7 holds about 2.3% of genuine faces, while
 * the three real attack samples score 0.0001-0.11, well below it.
 */
export const LIVENESS_REVIEW_MARGIN = 0.2;

export function livenessReviewBand(threshold: number): ScoreBand {
  return {
    lower: Math.max(0, threshold - LIVENESS_REVIEW_MARGIN),
    upper: Math.min(1, threshold + LIVENESS_REVIEW_MARGIN),
  };
}
