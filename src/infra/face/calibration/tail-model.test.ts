import { describe, expect, it } from 'vitest';
import { fitGpdTail, gpdExceedance, gpdQuantile } from './tail-model.js';

/** Deterministic GPD sample by inverse transform on a regular grid of probabilities. */
function gpdSample(n: number, shape: number, scale: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    const u = (i + 0.5) / n;
    return (scale / shape) * ((1 - u) ** -shape - 1);
  });
}

describe('GPD tail model', () => {
  it('recovers the shape and scale of a bounded (ξ < 0) tail', () => {
    const y = gpdSample(20000, -0.2, 0.03).map((v) => v + 0.3);
    const t = fitGpdTail(y, 0.3, 1e-3);
    expect(t.shape).toBeCloseTo(-0.2, 1);
    expect(t.scale).toBeCloseTo(0.03, 2);
    expect(t.upperEndpoint).not.toBeNull();
    expect(t.upperEndpoint!).toBeCloseTo(0.3 + 0.03 / 0.2, 1);
  });

  it('quantile and exceedance are inverse functions', () => {
    const t = fitGpdTail(
      gpdSample(5000, -0.1, 0.02).map((v) => v + 0.35),
      0.35,
      1e-3,
    );
    for (const p of [1e-3, 1e-5, 1e-7, 1e-9]) {
      expect(gpdExceedance(t, gpdQuantile(t, p)) / p).toBeCloseTo(1, 6);
    }
    expect(gpdQuantile(t, 1e-3)).toBeCloseTo(0.35, 9);
  });

  it('refuses to fit a handful of points', () => {
    expect(() => fitGpdTail([0.5, 0.6], 0.4, 1e-3)).toThrow(/too few/);
  });
});
