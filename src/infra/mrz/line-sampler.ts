import type { GrayImage } from '../image/gray-image.js';

// Cuts one text line out of the full-resolution image along its own axis: rotation (deskew), crop and
// scaling in a single bilinear resampling pass, so a skewed line comes out straight at the glyph height the
// OCR engine reads best.

export interface LineAxis {
  /** Axis endpoints in source pixels. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Glyph height in source pixels. */
  height: number;
}

export interface SampleOptions {
  /** Output glyph height in pixels. */
  glyphHeight: number;
  /** Margin above and below the glyphs, in glyph heights. */
  marginY?: number;
  /** Margin before and after the line, in glyph heights. */
  marginX?: number;
}

export function sampleLine(src: GrayImage, axis: LineAxis, options: SampleOptions): GrayImage {
  const dx = axis.x1 - axis.x0;
  const dy = axis.y1 - axis.y0;
  const length = Math.hypot(dx, dy) || 1;
  const ux = dx / length;
  const uy = dy / length;
  const scale = options.glyphHeight / Math.max(1, axis.height);
  const marginX = (options.marginX ?? 1) * axis.height;
  const marginY = (options.marginY ?? 0.7) * axis.height;
  const outW = Math.max(8, Math.round((length + 2 * marginX) * scale));
  const outH = Math.max(8, Math.round((axis.height + 2 * marginY) * scale));
  const out = new Uint8Array(outW * outH);
  const startX = axis.x0 - ux * marginX;
  const startY = axis.y0 - uy * marginX;
  const halfH = axis.height / 2 + marginY;
  const { width: w, height: h, data } = src;
  for (let v = 0; v < outH; v++) {
    const across = v / scale - halfH;
    for (let u = 0; u < outW; u++) {
      const along = u / scale;
      // Normal (-uy, ux) points down the image for a left-to-right line.
      const sx = startX + ux * along - uy * across;
      const sy = startY + uy * along + ux * across;
      const x = Math.min(w - 1.001, Math.max(0, sx));
      const y = Math.min(h - 1.001, Math.max(0, sy));
      const xi = Math.floor(x);
      const yi = Math.floor(y);
      const fx = x - xi;
      const fy = y - yi;
      const p = yi * w + xi;
      const top = (data[p] as number) * (1 - fx) + (data[p + 1] as number) * fx;
      const bottom = (data[p + w] as number) * (1 - fx) + (data[p + w + 1] as number) * fx;
      out[v * outW + u] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return { width: outW, height: outH, data: out };
}

/** Stretches the 2nd-98th percentile range to full scale: faint or glary prints get the same contrast. */
export function stretchContrast(img: GrayImage, lowPct = 0.02, highPct = 0.98): GrayImage {
  const hist = new Uint32Array(256);
  for (const v of img.data) hist[v] = (hist[v] as number) + 1;
  const n = img.data.length;
  let acc = 0;
  let lo = 0;
  let hi = 255;
  for (let i = 0; i < 256; i++) {
    acc += hist[i] as number;
    if (acc <= n * lowPct) lo = i;
    if (acc < n * highPct) hi = i + 1;
  }
  if (hi <= lo) return img;
  const out = new Uint8Array(n);
  const k = 255 / (hi - lo);
  for (let i = 0; i < n; i++) out[i] = Math.max(0, Math.min(255, Math.round(((img.data[i] as number) - lo) * k)));
  return { width: img.width, height: img.height, data: out };
}
