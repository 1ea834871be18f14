import { describe, expect, it } from 'vitest';
import { MODEL_SET_ID } from '../model-set.js';
import { FACE_MATCH_THRESHOLD, FACE_MATCH_THRESHOLD_STRICT } from '../../../config/face-thresholds.js';
import {
  falseMatchRateAt,
  falseNonMatchRateAt,
  impostorSimilarityAt,
  loadDefaultFaceCalibration,
  parseFaceCalibration,
  thresholdForFpir,
} from './face-calibration.js';

const c = loadDefaultFaceCalibration();

describe('shipped lfw-dev calibration', () => {
  it('belongs to the current model set and was measured on all cross-identity pairs', () => {
    expect(c.modelSetId).toBe(MODEL_SET_ID);
    expect(c.impostor.pairs).toBeGreaterThan(14_000_000);
    expect(c.genuine.pairs).toBeGreaterThan(50_000);
    expect(c.impostor.tail.model).toBe('generalised-pareto');
  });

  it('quantile and rate functions are monotonic inverses', () => {
    let last = -Infinity;
    for (const p of [0.1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8]) {
      const s = impostorSimilarityAt(c, p);
      expect(s).toBeGreaterThan(last);
      last = s;
      expect(Math.log10(falseMatchRateAt(c, s) / p)).toBeCloseTo(0, 1);
    }
    expect(falseNonMatchRateAt(c, 0.2)).toBeLessThan(falseNonMatchRateAt(c, 0.5));
  });

  it('the default 1:1 thresholds sit at the documented false match rates', () => {
    expect(falseMatchRateAt(c, FACE_MATCH_THRESHOLD)).toBeLessThanOrEqual(1e-3);
    expect(falseMatchRateAt(c, FACE_MATCH_THRESHOLD)).toBeGreaterThan(5e-4);
    expect(falseMatchRateAt(c, FACE_MATCH_THRESHOLD_STRICT)).toBeLessThanOrEqual(1e-4);
    expect(falseNonMatchRateAt(c, FACE_MATCH_THRESHOLD)).toBeLessThan(0.02);
  });

  it('pool thresholds rise with the pool size (FMR per pair = 1 − (1 − FPIR)^(1/N))', () => {
    const sizes = [1, 10, 1_000, 100_000, 10_000_000];
    const thresholds = sizes.map((n) => thresholdForFpir(c, 0.01, n));
    for (let i = 1; i < thresholds.length; i++) expect(thresholds[i]!).toBeGreaterThan(thresholds[i - 1]!);
    expect(thresholdForFpir(c, 0.01, 1)).toBeCloseTo(impostorSimilarityAt(c, 0.01), 6);
    // Beyond the measured range the tail model extrapolates, capped at 1.
    expect(thresholds[thresholds.length - 1]!).toBeLessThanOrEqual(1);
    expect(() => thresholdForFpir(c, 0, 10)).toThrow(RangeError);
  });

  it('rejects documents that are not calibrations', () => {
    expect(() => parseFaceCalibration({ schema: 'something-else' })).toThrow(/not an openidv/);
    expect(() => parseFaceCalibration(null)).toThrow();
  });
});
