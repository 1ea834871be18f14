import { describe, expect, it } from 'vitest';
import {
  bestAccuracyThreshold,
  kFoldAccuracy,
  operatingPoint,
  rocAuc,
  type ScoredPair,
} from './verification-metrics.js';

const pair = (score: number, same: boolean, fold = 0): ScoredPair => ({ score, same, fold });

describe('verification metrics', () => {
  it('AUC is 1 when separable, 0.5 for identical scores, and counts ties half', () => {
    expect(rocAuc([pair(0.9, true), pair(0.8, true), pair(0.1, false), pair(0.2, false)])).toBe(1);
    expect(rocAuc([pair(0.5, true), pair(0.5, false)])).toBe(0.5);
    // one genuine below one of two impostors: 3 of 4 orderings right
    expect(rocAuc([pair(0.9, true), pair(0.4, true), pair(0.5, false), pair(0.1, false)])).toBe(0.75);
  });

  it('picks the accuracy-maximising threshold between the classes', () => {
    const { threshold, accuracy } = bestAccuracyThreshold([
      pair(0.7, true),
      pair(0.6, true),
      pair(0.3, false),
      pair(0.2, false),
    ]);
    expect(accuracy).toBe(1);
    expect(threshold).toBeGreaterThan(0.3);
    expect(threshold).toBeLessThan(0.6);
  });

  it('k-fold scores each fold with the threshold learnt on the others', () => {
    const pairs = [
      // folds 0 and 1 separate at ~0.5; fold 2 has a genuine pair at 0.45 that the learnt threshold rejects
      pair(0.8, true, 0),
      pair(0.2, false, 0),
      pair(0.7, true, 1),
      pair(0.3, false, 1),
      pair(0.45, true, 2),
      pair(0.1, false, 2),
    ];
    const r = kFoldAccuracy(pairs, 3);
    expect(r.foldAccuracies).toHaveLength(3);
    expect(r.foldAccuracies[2]).toBe(0.5);
    expect(r.mean).toBeCloseTo((1 + 1 + 0.5) / 3, 12);
  });

  it('operating point never exceeds the target FAR', () => {
    const impostor = Array.from({ length: 1000 }, (_, i) => i / 1000);
    const genuine = [0.995, 0.9985, 0.5, 0.9999];
    const op = operatingPoint(genuine, impostor, 0.001);
    expect(op.impostorsAccepted).toBe(1);
    expect(op.far).toBeLessThanOrEqual(0.001);
    expect(op.tar).toBe(0.5);
  });
});
