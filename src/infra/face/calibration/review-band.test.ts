import { describe, expect, it } from 'vitest';
import { defaultScoreCalibration } from './score-calibration.js';
import { poolReviewBand } from '../../../domain/pools/review-band.js';

// The domain's review band over the shipped calibration: the figures below are the calibration's, so the test
// lives beside it.
const calibration = defaultScoreCalibration(undefined);

describe('pool review band', () => {
  it('sits below the match threshold, derived from a looser target FPIR at the pool size', () => {
    const band = poolReviewBand({}, 100_000, calibration);
    expect(band.upper.toFixed(3)).toBe('0.625');
    expect(band.lower.toFixed(3)).toBe('0.542');
    expect(band.targetFpir).toBe(0.1);
    expect(band.expectedFnirAtLower).toBeLessThan(calibration.falseNonMatchRateAt(band.upper));
    expect(band.empty).toBe(false);
  });

  it('follows the pool setting, and is empty when a pinned match threshold is already below it', () => {
    const tight = poolReviewBand({ review_target_fpir: 0.02 }, 100_000, calibration);
    const loose = poolReviewBand({ review_target_fpir: 0.5 }, 100_000, calibration);
    expect(tight.lower).toBeGreaterThan(loose.lower);
    const pinned = poolReviewBand({ threshold: 0.3 }, 100_000, calibration);
    expect(pinned.empty).toBe(true);
    expect(pinned.lower).toBe(0.3);
  });

  it('reaches below the 1:1 threshold on a small pool, where the match threshold stops at it', () => {
    const band = poolReviewBand({}, 1, calibration);
    expect(band.upper).toBe(calibration.oneToOneThreshold);
    expect(band.lower).toBeCloseTo(calibration.thresholdForFpir(0.1, 1), 10);
    expect(band.lower).toBeLessThan(0.2);
    expect(band.expectedFpirAtLower).toBeCloseTo(0.1, 3);
    expect(band.empty).toBe(false);
  });
});
