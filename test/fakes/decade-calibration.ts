import type { ScoreCalibration } from '../../src/domain/ports/score-calibration.port.js';

/**
 * A score calibration with round numbers: one impostor comparison in 10^(10·s) reaches similarity s (0.3 → 1e-3,
 * 0.4 → 1e-4), a genuine one falls below s with probability s² (capped at 1). Its 1:1 threshold is 0.4.
 */
export function decadeCalibration(oneToOneThreshold = 0.4): ScoreCalibration {
  const perPair = (fpir: number, poolSize: number) => -Math.expm1(Math.log1p(-fpir) / Math.max(1, poolSize));
  return {
    modelSetId: 'test-models',
    dataset: 'decades',
    oneToOneThreshold,
    thresholdForFpir: (fpir, poolSize) => -Math.log10(perPair(fpir, poolSize)) / 10,
    falseMatchRateAt: (s) => Math.min(1, 10 ** (-10 * s)),
    falseNonMatchRateAt: (s) => Math.min(1, Math.max(0, s) ** 2),
  };
}
