import { describe, expect, it } from 'vitest';
import { applyAffine, composeAffine, invertAffine } from './affine.js';
import { estimateSimilarity } from './similarity-transform.js';

const template = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];

/** Rotate by `angle`, scale by `s`, then translate. */
function similarity(angle: number, s: number, tx: number, ty: number) {
  const c = Math.cos(angle) * s;
  const n = Math.sin(angle) * s;
  return { a: c, b: -n, c: tx, d: n, e: c, f: ty };
}

describe('estimateSimilarity', () => {
  it('recovers an exact rotation + scale + translation from five points', () => {
    const truth = similarity(0.4, 2.5, 130, -40);
    const moved = template.map((p) => applyAffine(truth, p));
    const m = estimateSimilarity(moved, template);
    for (const [i, p] of moved.entries()) {
      const back = applyAffine(m, p);
      expect(back.x).toBeCloseTo(template[i]!.x, 6);
      expect(back.y).toBeCloseTo(template[i]!.y, 6);
    }
    const identity = composeAffine(m, truth);
    expect(identity.a).toBeCloseTo(1, 9);
    expect(identity.b).toBeCloseTo(0, 9);
    expect(identity.c).toBeCloseTo(0, 6);
  });

  it('has no shear and no reflection (a = e, b = −d) even from noisy points', () => {
    const noisy = template.map((p, i) => ({ x: p.x * 3 + (i % 2 ? 1.5 : -2), y: p.y * 3 + (i % 3) - 1 }));
    const m = estimateSimilarity(noisy, template);
    expect(m.a).toBeCloseTo(m.e, 12);
    expect(m.b).toBeCloseTo(-m.d, 12);
    expect(m.a * m.e - m.b * m.d).toBeGreaterThan(0);
  });

  it('is the least-squares optimum: perturbing any parameter increases the residual', () => {
    const noisy = template.map((p, i) => ({ x: p.x + Math.sin(i * 7) * 3, y: p.y + Math.cos(i * 5) * 3 }));
    const m = estimateSimilarity(noisy, template);
    const residual = (t: typeof m) =>
      noisy.reduce((s, p, i) => {
        const q = applyAffine(t, p);
        return s + (q.x - template[i]!.x) ** 2 + (q.y - template[i]!.y) ** 2;
      }, 0);
    const best = residual(m);
    for (const delta of [1e-3, -1e-3]) {
      expect(residual({ ...m, a: m.a + delta, e: m.e + delta })).toBeGreaterThan(best);
      expect(residual({ ...m, b: m.b + delta, d: m.d - delta })).toBeGreaterThan(best);
      expect(residual({ ...m, c: m.c + delta })).toBeGreaterThan(best);
      expect(residual({ ...m, f: m.f + delta })).toBeGreaterThan(best);
    }
  });

  it('rejects degenerate input', () => {
    const p = { x: 1, y: 1 };
    expect(() => estimateSimilarity([p, p, p], template.slice(0, 3))).toThrow(/degenerate/);
    expect(() => estimateSimilarity([p], [p])).toThrow();
  });
});

describe('invertAffine', () => {
  it('inverts', () => {
    const m = similarity(-1.1, 0.7, 5, 9);
    const id = composeAffine(invertAffine(m), m);
    expect(id.a).toBeCloseTo(1, 12);
    expect(id.e).toBeCloseTo(1, 12);
    expect(id.b).toBeCloseTo(0, 12);
    expect(id.c).toBeCloseTo(0, 12);
    expect(id.f).toBeCloseTo(0, 12);
  });
});
