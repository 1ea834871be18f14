import { describe, expect, it } from 'vitest';
import { clopperPearsonUpper } from './clopper-pearson.js';

describe('clopperPearsonUpper', () => {
  it('matches the closed form at zero successes', () => {
    for (const n of [10, 150, 200, 1000]) expect(clopperPearsonUpper(0, n)).toBeCloseTo(1 - 0.05 ** (1 / n), 6);
    expect(clopperPearsonUpper(0, 200)).toBeLessThan(0.015);
  });

  it('puts P(X ≤ x) at 5% at the bound when there are successes', () => {
    const p = clopperPearsonUpper(2, 50);
    // P(X ≤ 2) for Binomial(50, p), written out.
    const cdf = (1 - p) ** 50 + 50 * p * (1 - p) ** 49 + 1225 * p * p * (1 - p) ** 48;
    expect(cdf).toBeCloseTo(0.05, 6);
    expect(p).toBeGreaterThan(2 / 50);
    expect(clopperPearsonUpper(5, 5)).toBe(1);
  });
});
