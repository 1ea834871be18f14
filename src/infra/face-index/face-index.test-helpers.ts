import { seededRandom } from '../../shared/seeded-random.js';

// Deterministic vectors for the face index tests (not part of the build: imported by *.test.ts only).

export { seededRandom };

export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Random vector, deliberately not unit length: the index must normalise. */
export function randomVector(random: () => number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  for (let j = 0; j < dim; j++) v[j] = gaussian(random) * 3;
  return v;
}

/** v scaled to unit length (a copy). */
export function unit(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** A noisy copy of v with cosine about 1/sqrt(1 + noise^2) to it: a "mated" probe. */
export function nearby(random: () => number, v: Float32Array, noise = 0.5): Float32Array {
  const norm = Math.hypot(...v);
  const out = new Float32Array(v.length);
  const scale = (noise * norm) / Math.sqrt(v.length);
  for (let j = 0; j < v.length; j++) out[j] = v[j]! + gaussian(random) * scale;
  return out;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < a.length; j++) {
    ab += a[j]! * b[j]!;
    aa += a[j]! * a[j]!;
    bb += b[j]! * b[j]!;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Brute-force top-k keys by cosine, the reference for ordering checks. */
export function bruteTopK(
  faces: Map<number, Float32Array>,
  probe: Float32Array,
  k: number,
): { key: number; similarity: number }[] {
  return [...faces]
    .map(([key, v]) => ({ key, similarity: cosine(v, probe) }))
    .sort((x, y) => y.similarity - x.similarity)
    .slice(0, k);
}
