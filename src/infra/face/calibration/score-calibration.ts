import type { ScoreCalibration } from '../../../domain/ports/score-calibration.port.js';
import { FACE_MATCH_THRESHOLD } from '../../../config/face-thresholds.js';
import {
  type FaceCalibration,
  falseMatchRateAt,
  falseNonMatchRateAt,
  impostorSimilarityAt,
  loadDefaultFaceCalibration,
  loadFaceCalibrationFile,
  thresholdForFpir,
} from './face-calibration.js';

/** The 1:1 operating point: one impostor comparison in a thousand passes (FMR 0.1%). */
export const ONE_TO_ONE_FMR = 1e-3;

export function scoreCalibration(
  c: FaceCalibration,
  oneToOneThreshold = impostorSimilarityAt(c, ONE_TO_ONE_FMR),
): ScoreCalibration {
  return {
    modelSetId: c.modelSetId,
    dataset: c.dataset.name,
    oneToOneThreshold,
    thresholdForFpir: (fpir, poolSize) => thresholdForFpir(c, fpir, poolSize),
    falseMatchRateAt: (s) => falseMatchRateAt(c, s),
    falseNonMatchRateAt: (s) => falseNonMatchRateAt(c, s),
  };
}

/**
 * The calibration in force: an operator's own (`openidv eval faces --calibration-out` on their data) or the one
 * shipped for lfw-dev. Read on first use: commands that never compare faces do not need it.
 */
export function defaultScoreCalibration(path?: string): ScoreCalibration {
  let loaded: ScoreCalibration | undefined;
  // The shipped calibration uses the documented, rounded operating point (config/face-thresholds.ts).
  const get = () =>
    (loaded ??= path
      ? scoreCalibration(loadFaceCalibrationFile(path))
      : scoreCalibration(loadDefaultFaceCalibration(), FACE_MATCH_THRESHOLD));
  return {
    get modelSetId() {
      return get().modelSetId;
    },
    get dataset() {
      return get().dataset;
    },
    get oneToOneThreshold() {
      return get().oneToOneThreshold;
    },
    thresholdForFpir: (fpir, poolSize) => get().thresholdForFpir(fpir, poolSize),
    falseMatchRateAt: (s) => get().falseMatchRateAt(s),
    falseNonMatchRateAt: (s) => get().falseNonMatchRateAt(s),
  };
}
