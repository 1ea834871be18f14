import type { Point } from '../../../domain/ports/face-engine.port.js';

/**
 * A 2-D affine map (x, y) -> (a·x + b·y + c, d·x + e·y + f). Every crop, resize, rotation and alignment in the
 * engine is one of these applied by a single warp routine, so there is exactly one resampling code path.
 */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

export function applyAffine(m: Affine, p: Point): Point {
  return { x: m.a * p.x + m.b * p.y + m.c, y: m.d * p.x + m.e * p.y + m.f };
}

export function invertAffine(m: Affine): Affine {
  const det = m.a * m.e - m.b * m.d;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new Error('affine map is not invertible');
  const a = m.e / det;
  const b = -m.b / det;
  const d = -m.d / det;
  const e = m.a / det;
  return { a, b, c: -(a * m.c + b * m.f), d, e, f: -(d * m.c + e * m.f) };
}

/** outer ∘ inner: apply `inner` first. */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  return {
    a: outer.a * inner.a + outer.b * inner.d,
    b: outer.a * inner.b + outer.b * inner.e,
    c: outer.a * inner.c + outer.b * inner.f + outer.c,
    d: outer.d * inner.a + outer.e * inner.d,
    e: outer.d * inner.b + outer.e * inner.e,
    f: outer.d * inner.c + outer.e * inner.f + outer.f,
  };
}

/**
 * Maps an outW×outH output grid onto the source rectangle (x, y, w, h), given in continuous coordinates (pixel i
 * spans [i, i+1)), returning output pixel -> source pixel-centre coordinates, the convention warps sample in.
 */
export function rectToGrid(x: number, y: number, w: number, h: number, outW: number, outH: number): Affine {
  const a = w / outW;
  const e = h / outH;
  return { a, b: 0, c: x + 0.5 * a - 0.5, d: 0, e, f: y + 0.5 * e - 0.5 };
}

/** Source pixels per output pixel along the map's most compressed direction (used to pick a pyramid level). */
export function minScale(m: Affine): number {
  const sx = Math.hypot(m.a, m.d);
  const sy = Math.hypot(m.b, m.e);
  return Math.min(sx, sy);
}
