// 8-connected components of a binary mask with the moments needed to fit each blob's axis (its skew).

export interface Blob {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  pixels: number;
  /** Least-squares slope dy/dx of the blob's pixels: the skew of a text line. */
  slope: number;
  /** Mean y of the pixels (the line's centre row at meanX). */
  meanY: number;
  meanX: number;
}

export function connectedComponents(mask: Uint8Array, width: number, height: number, minPixels = 20): Blob[] {
  const labels = new Int32Array(width * height).fill(-1);
  const blobs: Blob[] = [];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start] !== -1) continue;
    const id = blobs.length;
    let x0 = width,
      y0 = height,
      x1 = 0,
      y1 = 0,
      n = 0,
      sx = 0,
      sy = 0,
      sxx = 0,
      sxy = 0;
    labels[start] = id;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop() as number;
      const x = p % width;
      const y = (p - x) / width;
      n++;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (mask[q] && labels[q] === -1) {
            labels[q] = id;
            stack.push(q);
          }
        }
      }
    }
    const varX = sxx / n - (sx / n) ** 2;
    const covXY = sxy / n - (sx / n) * (sy / n);
    blobs.push({ x0, y0, x1, y1, pixels: n, slope: varX > 0 ? covXY / varX : 0, meanY: sy / n, meanX: sx / n });
  }
  return blobs.filter((b) => b.pixels >= minPixels);
}
