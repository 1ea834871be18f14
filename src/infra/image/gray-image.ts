import type { Sharp } from 'sharp';
import { rawImage } from './image-decoder.js';

// Plain-JS pixel work on single-channel images: the band search and the quality measures need row and
// column statistics that sharp does not expose, and the images are small (about a megapixel) by then.

export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export async function toGray(input: Sharp): Promise<GrayImage> {
  const { data, info } = await input.grayscale().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) {
    // sharp keeps an alpha channel of grey+alpha inputs; take the grey one.
    const grey = new Uint8Array(info.width * info.height);
    for (let i = 0; i < grey.length; i++) grey[i] = data[i * info.channels] as number;
    return { width: info.width, height: info.height, data: grey };
  }
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

export function fromGray(img: GrayImage): Sharp {
  return rawImage(img.data, { width: img.width, height: img.height, channels: 1 });
}

/**
 * 1-D running max/min over a window of k samples (van Herk / Gil-Werman): three comparisons per sample
 * whatever k is, which keeps morphology on a megapixel image in tens of milliseconds. Rows or columns are
 * copied into a padded scratch line first so the inner loops are branch-light typed-array scans.
 */
class RunningExtreme {
  private line: Uint8Array;
  private g: Uint8Array;
  private h: Uint8Array;

  constructor(
    n: number,
    private readonly k: number,
    private readonly isMax: boolean,
  ) {
    const len = n + 2 * Math.floor(k / 2) + k;
    this.line = new Uint8Array(len);
    this.g = new Uint8Array(len);
    this.h = new Uint8Array(len);
  }

  apply(src: Uint8Array, dst: Uint8Array, offset: number, stride: number, n: number): void {
    const { k, isMax, line, g, h } = this;
    const r = k >> 1;
    const len = n + 2 * r;
    line.fill(isMax ? 0 : 255, 0, len);
    for (let i = 0, p = offset; i < n; i++, p += stride) line[i + r] = src[p] as number;
    for (let start = 0; start < len; start += k) {
      const end = Math.min(len, start + k);
      let acc = line[start] as number;
      g[start] = acc;
      for (let i = start + 1; i < end; i++) {
        const v = line[i] as number;
        acc = isMax ? (v > acc ? v : acc) : v < acc ? v : acc;
        g[i] = acc;
      }
      acc = line[end - 1] as number;
      h[end - 1] = acc;
      for (let i = end - 2; i >= start; i--) {
        const v = line[i] as number;
        acc = isMax ? (v > acc ? v : acc) : v < acc ? v : acc;
        h[i] = acc;
      }
    }
    for (let i = 0, p = offset; i < n; i++, p += stride) {
      const a = h[i] as number;
      const b = g[Math.min(len - 1, i + 2 * r)] as number;
      dst[p] = isMax ? (a > b ? a : b) : a < b ? a : b;
    }
  }
}

/** Separable rectangular max (dilate) or min (erode) filter of a kw×kh window (odd sizes). */
export function rankFilter(img: GrayImage, kw: number, kh: number, op: 'max' | 'min'): GrayImage {
  const { width: w, height: h } = img;
  const isMax = op === 'max';
  const tmp = kw > 1 ? new Uint8Array(w * h) : img.data;
  if (kw > 1) {
    const rowOp = new RunningExtreme(w, kw | 1, isMax);
    for (let y = 0; y < h; y++) rowOp.apply(img.data, tmp, y * w, 1, w);
  }
  if (kh <= 1) return { width: w, height: h, data: kw > 1 ? tmp : img.data.slice() };
  const out = new Uint8Array(w * h);
  const colOp = new RunningExtreme(h, kh | 1, isMax);
  for (let x = 0; x < w; x++) colOp.apply(tmp, out, x, w, h);
  return { width: w, height: h, data: out };
}

/** Morphological black-hat: closing minus image, i.e. dark details narrower than the kernel. */
export function blackHat(img: GrayImage, kw: number, kh: number): GrayImage {
  const closed = rankFilter(rankFilter(img, kw, kh, 'max'), kw, kh, 'min');
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = (closed.data[i] as number) - (img.data[i] as number);
  return { width: img.width, height: img.height, data: out };
}

export function otsuThreshold(values: Uint8Array): number {
  const hist = new Float64Array(256);
  for (const v of values) hist[v] = (hist[v] as number) + 1;
  const total = values.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * (hist[i] as number);
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 0;
  for (let t = 0; t < 256; t++) {
    wB += hist[t] as number;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * (hist[t] as number);
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}
