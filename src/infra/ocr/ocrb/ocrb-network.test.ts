import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../shared/seeded-random.js';
import { compileMlp, createMlp, decodeWeights, encodeWeights, mlpForward } from './ocrb-network.js';

describe('compileMlp', () => {
  it('gives the probabilities of mlpForward, zero inputs and dead hidden units included', () => {
    const rng = seededRandom(3);
    // Random biases, so that some hidden units are negative before the ReLU whatever the input.
    const m = createMlp(384, 128, 37, rng);
    m.b1.forEach((_, j) => (m.b1[j] = rng() - 0.5));
    m.b2.forEach((_, k) => (m.b2[k] = rng() - 0.5));
    const weights = decodeWeights(encodeWeights(m));
    const classify = compileMlp(weights);
    for (const density of [0, 0.2, 0.6, 1]) {
      const x = Float32Array.from({ length: 384 }, () => (rng() < density ? rng() : 0));
      const want = mlpForward(weights, x);
      const got = classify(x);
      expect(got.length).toBe(37);
      got.forEach((p, k) => expect(p).toBeCloseTo(want[k] as number, 6));
    }
  });

  it('returns a fresh array per call (callers keep the best of several)', () => {
    const classify = compileMlp(createMlp(16, 8, 4, seededRandom(1)));
    const a = classify(new Float32Array(16).fill(1));
    const b = classify(new Float32Array(16));
    expect(a).not.toBe(b);
    expect([...a]).not.toEqual([...b]);
  });
});
