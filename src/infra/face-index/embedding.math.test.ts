import { describe, expect, it } from 'vitest';
import { normaliseInto, quantiseInt8Into } from './embedding.math.js';
import { cosine, randomVector, seededRandom } from './face-index.test-helpers.js';

describe('embedding math', () => {
  it('normalises to unit length and refuses NaN or zero vectors', () => {
    const v = Float32Array.from([3, 4]);
    const out = new Float32Array(2);
    normaliseInto(v, 0, out, 0, 2);
    expect([...out].map((x) => +x.toFixed(6))).toEqual([0.6, 0.8]);
    expect(() => normaliseInto(new Float32Array(2), 0, out, 0, 2)).toThrow(/non-zero/);
    expect(() => normaliseInto(Float32Array.from([1, Number.NaN]), 0, out, 0, 2)).toThrow(/finite/);
  });

  it('quantises to int8 with the full range and keeps cosine within 0.005 in 512-d', () => {
    const random = seededRandom(1);
    const dim = 512;
    let worst = 0;
    for (let t = 0; t < 200; t++) {
      const a = randomVector(random, dim);
      const b = randomVector(random, dim);
      for (let j = 0; j < dim; j++) b[j] = 0.6 * a[j]! + 0.8 * b[j]!; // a correlated pair, cosine ~0.6
      const qa = new Int8Array(dim);
      const qb = new Int8Array(dim);
      quantiseInt8Into(a, 0, qa, 0, dim);
      quantiseInt8Into(b, 0, qb, 0, dim);
      expect(Math.max(...qa.map(Math.abs))).toBe(127);
      const err = Math.abs(cosine(Float32Array.from(qa), Float32Array.from(qb)) - cosine(a, b));
      worst = Math.max(worst, err);
    }
    expect(worst).toBeLessThan(0.005);
  });
});
