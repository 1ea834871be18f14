import { composeAffine, minScale, type Affine } from '../geometry/affine.js';
import type { ImagePyramid } from './image-pyramid.js';

export type Border = 'zero' | 'replicate';

/**
 * Resamples the source through `toSource` (output pixel -> source point, pixel-centre convention of OpenCV) into
 * an outW×outH interleaved RGB buffer, bilinearly, from the pyramid level that suits the scale. Border 'zero'
 * matches cv2.warpAffine's default, which the ArcFace-style alignment was trained with.
 */
export function warpAffine(
  pyramid: ImagePyramid,
  toSource: Affine,
  outW: number,
  outH: number,
  border: Border = 'zero',
): Uint8Array {
  const k = pyramid.levelFor(minScale(toSource));
  const src = pyramid.level(k);
  // Level k pixel centre i maps to base coordinate 2^k·i + (2^k − 1)/2; invert that and compose.
  const s = 2 ** k;
  const off = (s - 1) / 2;
  const m = composeAffine({ a: 1 / s, b: 0, c: -off / s, d: 0, e: 1 / s, f: -off / s }, toSource);
  const { width: w, height: h, data } = src;
  const out = new Uint8Array(outW * outH * 3);
  const maxX = w - 1;
  const maxY = h - 1;
  for (let oy = 0; oy < outH; oy++) {
    let sx = m.b * oy + m.c;
    let sy = m.e * oy + m.f;
    let o = oy * outW * 3;
    for (let ox = 0; ox < outW; ox++, sx += m.a, sy += m.d, o += 3) {
      let x = sx;
      let y = sy;
      if (border === 'zero') {
        if (x <= -1 || y <= -1 || x >= w || y >= h) continue;
      } else {
        x = x < 0 ? 0 : x > maxX ? maxX : x;
        y = y < 0 ? 0 : y > maxY ? maxY : y;
      }
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      // Out-of-image taps read as zero (border 'zero') so edges fade the way cv2 does.
      const inX0 = x0 >= 0;
      const inX1 = x0 + 1 <= maxX;
      const inY0 = y0 >= 0;
      const inY1 = y0 + 1 <= maxY;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      const r0 = y0 * w;
      const r1 = r0 + w;
      for (let c = 0; c < 3; c++) {
        let v = 0;
        if (inY0) {
          if (inX0) v += w00 * data[(r0 + x0) * 3 + c]!;
          if (inX1) v += w01 * data[(r0 + x0 + 1) * 3 + c]!;
        }
        if (inY1) {
          if (inX0) v += w10 * data[(r1 + x0) * 3 + c]!;
          if (inX1) v += w11 * data[(r1 + x0 + 1) * 3 + c]!;
        }
        out[o + c] = v + 0.5;
      }
    }
  }
  return out;
}
