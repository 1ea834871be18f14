import type { ScoreCalibration } from '../ports/score-calibration.port.js';
import type { PoolSettings } from './pool.types.js';

export const DEFAULT_TARGET_FPIR = 0.01;

export interface PoolDecisionPolicy {
  threshold: number;
  source: 'pinned' | 'derived';
  targetFpir: number;
  /** Expected false-positive identification rate of a stranger at this threshold and pool size. */
  expectedFpir: number;
  /** Expected miss rate of an enrolled person (one comparison's false non-match rate). */
  expectedFnir: number;
  poolSize: number;
}

/**
 * The match threshold of a pool holds at its size: a 1:1 threshold with 1% false accepts would flag most
 * strangers against a large pool. The threshold is derived from the measured impostor score distribution for a
 * target false-positive identification rate at the pool's current size, never below the 1:1 threshold, unless
 * the operator pins one.
 */
export function poolDecisionPolicy(
  settings: PoolSettings,
  poolSize: number,
  calibration: ScoreCalibration,
): PoolDecisionPolicy {
  const n = Math.max(1, poolSize);
  const targetFpir = settings.target_fpir ?? DEFAULT_TARGET_FPIR;
  const derived = Math.max(calibration.oneToOneThreshold, calibration.thresholdForFpir(targetFpir, n));
  const threshold = settings.threshold ?? derived;
  const fmr = calibration.falseMatchRateAt(threshold);
  return {
    threshold,
    source: settings.threshold !== undefined ? 'pinned' : 'derived',
    targetFpir,
    expectedFpir: -Math.expm1(n * Math.log1p(-Math.min(fmr, 1 - 1e-12))),
    expectedFnir: calibration.falseNonMatchRateAt(threshold),
    poolSize,
  };
}
