import type { Point } from '../../../domain/ports/face-engine.port.js';
import type { Affine } from './affine.js';

/**
 * Least-squares 4-DOF similarity (rotation, uniform scale, translation; no reflection, no shear) mapping `from`
 * onto `to`. Fitting all five landmarks this way is what ArcFace-family embedders were trained with; the
 * faceplugin package's 3-point affine instead lets shear in and costs ~6 points of LFW accuracy (notes §4).
 *
 * With x' = a·x − b·y + tx, y' = b·x + a·y + ty the problem is linear; centring both point sets gives the closed
 * form a = Σ(x·u + y·v)/Σ(x² + y²), b = Σ(x·v − y·u)/Σ(x² + y²) (identical to Umeyama's solution in 2-D).
 */
export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): Affine {
  const n = from.length;
  if (n < 2 || to.length !== n) throw new Error('similarity needs at least two matching point pairs');
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]!.x;
    fy += from[i]!.y;
    tx += to[i]!.x;
    ty += to[i]!.y;
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let num1 = 0;
  let num2 = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const x = from[i]!.x - fx;
    const y = from[i]!.y - fy;
    const u = to[i]!.x - tx;
    const v = to[i]!.y - ty;
    num1 += x * u + y * v;
    num2 += x * v - y * u;
    den += x * x + y * y;
  }
  if (den < 1e-12) throw new Error('degenerate landmarks: all points coincide');
  const a = num1 / den;
  const b = num2 / den;
  return { a, b: -b, c: tx - (a * fx - b * fy), d: b, e: a, f: ty - (b * fx + a * fy) };
}
