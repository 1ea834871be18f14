/** Interleaved 8-bit RGB pixels, row-major, no padding: the one in-memory image format of the engine. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** 2×2 box average: the next level of a pyramid. Odd edges are folded into the last output pixel. */
export function halve(src: RgbImage): RgbImage {
  const w = Math.max(1, src.width >> 1);
  const h = Math.max(1, src.height >> 1);
  const out = new Uint8Array(w * h * 3);
  const s = src.data;
  const sw = src.width;
  for (let y = 0; y < h; y++) {
    const y0 = Math.min(2 * y, src.height - 1);
    const y1 = Math.min(2 * y + 1, src.height - 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.min(2 * x, sw - 1);
      const x1 = Math.min(2 * x + 1, sw - 1);
      const p00 = (y0 * sw + x0) * 3;
      const p01 = (y0 * sw + x1) * 3;
      const p10 = (y1 * sw + x0) * 3;
      const p11 = (y1 * sw + x1) * 3;
      const o = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = (s[p00 + c]! + s[p01 + c]! + s[p10 + c]! + s[p11 + c]! + 2) >> 2;
    }
  }
  return { data: out, width: w, height: h };
}

/** Rotate by a multiple of 90 degrees clockwise (used when no face is found upright). */
export function rotateQuarter(src: RgbImage, quarters: 0 | 1 | 2 | 3): RgbImage {
  if (quarters === 0) return src;
  const { width: w, height: h, data: s } = src;
  const ow = quarters === 2 ? w : h;
  const oh = quarters === 2 ? h : w;
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let ox: number;
      let oy: number;
      if (quarters === 1) {
        ox = h - 1 - y;
        oy = x;
      } else if (quarters === 2) {
        ox = w - 1 - x;
        oy = h - 1 - y;
      } else {
        ox = y;
        oy = w - 1 - x;
      }
      const si = (y * w + x) * 3;
      const oi = (oy * ow + ox) * 3;
      out[oi] = s[si]!;
      out[oi + 1] = s[si + 1]!;
      out[oi + 2] = s[si + 2]!;
    }
  }
  return { data: out, width: ow, height: oh };
}
