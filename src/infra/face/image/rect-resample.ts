import type { ImagePyramid } from './image-pyramid.js';
import type { Border } from './affine-warp.js';

/** Source taps of one output pixel along one axis: indices into the level and their weights (summing to 1). */
interface Taps {
  index: Int32Array;
  weight: Float32Array;
  /** Start of output pixel i's taps in index/weight; start[i + 1] is its end. */
  start: Int32Array;
}

/**
 * Per-axis taps for mapping the continuous source span [from, from + length) onto `out` pixels: the exact box
 * filter (what cv2's INTER_AREA does) when shrinking, bilinear when enlarging. Taps outside [0, size) are
 * dropped ('zero': they count as black) or clamped ('replicate').
 */
function axisTaps(from: number, length: number, out: number, size: number, border: Border): Taps {
  const s = length / out;
  const index: number[] = [];
  const weight: number[] = [];
  const start = new Int32Array(out + 1);
  const push = (j: number, w: number) => {
    if (w <= 0) return;
    if (j < 0 || j >= size) {
      if (border === 'zero') return;
      j = j < 0 ? 0 : size - 1;
    }
    index.push(j);
    weight.push(w);
  };
  for (let i = 0; i < out; i++) {
    start[i] = index.length;
    if (s <= 1) {
      const c = from + (i + 0.5) * s - 0.5;
      const j = Math.floor(c);
      const f = c - j;
      push(j, 1 - f);
      push(j + 1, f);
    } else {
      const a = from + i * s;
      const b = a + s;
      for (let j = Math.floor(a); j < b; j++) push(j, (Math.min(b, j + 1) - Math.max(a, j)) / s);
    }
  }
  start[out] = index.length;
  return { index: Int32Array.from(index), weight: Float32Array.from(weight), start };
}

/**
 * Axis-aligned crop-and-resize of the source rectangle (x, y, w, h) (continuous coordinates, may extend past the
 * image) into outW×outH RGB: the separable, anti-aliased fast path for the detector input and the liveness crop.
 * Two passes: every source row the output needs is filtered horizontally once, then rows are combined.
 */
export function resampleRect(
  pyramid: ImagePyramid,
  rect: { x: number; y: number; w: number; h: number },
  outW: number,
  outH: number,
  border: Border = 'zero',
): Uint8Array {
  const k = pyramid.levelFor(Math.min(rect.w / outW, rect.h / outH));
  const src = pyramid.level(k);
  const f = 2 ** k;
  const cols = axisTaps(rect.x / f, rect.w / f, outW, src.width, border);
  const rows = axisTaps(rect.y / f, rect.h / f, outH, src.height, border);
  const out = new Uint8Array(outW * outH * 3);
  if (rows.index.length === 0) return out;
  let first = rows.index[0]!;
  let last = first;
  for (const r of rows.index) {
    if (r < first) first = r;
    if (r > last) last = r;
  }
  const data = src.data;
  const stride = src.width * 3;
  const n = outW * 3;
  const { index: ci, weight: cw, start: cs } = cols;
  const horizontal = new Float32Array((last - first + 1) * n);
  for (let y = first; y <= last; y++) {
    const row = y * stride;
    const o = (y - first) * n;
    for (let x = 0; x < outW; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let t = cs[x]!, end = cs[x + 1]!; t < end; t++) {
        const p = row + ci[t]! * 3;
        const w = cw[t]!;
        r += w * data[p]!;
        g += w * data[p + 1]!;
        b += w * data[p + 2]!;
      }
      const q = o + x * 3;
      horizontal[q] = r;
      horizontal[q + 1] = g;
      horizontal[q + 2] = b;
    }
  }
  const acc = new Float32Array(n);
  for (let y = 0; y < outH; y++) {
    acc.fill(0);
    for (let t = rows.start[y]!, end = rows.start[y + 1]!; t < end; t++) {
      const o = (rows.index[t]! - first) * n;
      const w = rows.weight[t]!;
      for (let i = 0; i < n; i++) acc[i] = acc[i]! + w * horizontal[o + i]!;
    }
    const base = y * n;
    for (let i = 0; i < n; i++) out[base + i] = acc[i]! + 0.5;
  }
  return out;
}
