import { describe, expect, it } from 'vitest';
import { normaliseInto } from './embedding.math.js';

describe('embedding math', () => {
  it('normalises to unit length and refuses NaN or zero vectors', () => {
    const v = Float32Array.from([3, 4]);
    const out = new Float32Array(2);
    normaliseInto(v, 0, out, 0, 2);
    expect([...out].map((x) => +x.toFixed(6))).toEqual([0.6, 0.8]);
    expect(() => normaliseInto(new Float32Array(2), 0, out, 0, 2)).toThrow(/non-zero/);
    expect(() => normaliseInto(Float32Array.from([1, Number.NaN]), 0, out, 0, 2)).toThrow(/finite/);
  });
});
