import type { GrayImage } from '../image/gray-image.js';

// Image quality inside the document, not over the whole frame: a white table around a passport is not
// glare, and a blurred background says nothing about the print. Figures are numbers plus hints; the
// thresholds were set on the specimen images (docs/mrz.md) and are soft: the MRZ check digits, not these
// numbers, decide whether a reading is accepted.

export type QualityHint = 'BLURRY' | 'GLARE' | 'TOO_DARK' | 'OVEREXPOSED' | 'LOW_RESOLUTION';

export interface DocumentQuality {
  /** Variance of the Laplacian of the MRZ lines resampled to 32 px glyphs (higher is sharper); null without MRZ. */
  mrzSharpness: number | null;
  /** Variance of the Laplacian over the document area at 1000 px working width. */
  sharpness: number;
  /** MRZ glyph height in original pixels; null when no MRZ band was found. */
  glyphHeight: number | null;
  /** Share (0-1) of the document area covered by saturated, texture-less blobs. */
  glare: number;
  /** Mean grey level (0-255) of the document area. */
  brightness: number;
  /** Standard deviation of the grey level in the document area. */
  contrast: number;
  hints: QualityHint[];
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const QUALITY_THRESHOLDS = {
  /** MRZ glyphs under this many original pixels are too small to read reliably. */
  minGlyphHeight: 10,
  /** Laplacian variance of 32 px MRZ glyphs under which the print is blurred. */
  minMrzSharpness: 250,
  /** Whole-document Laplacian variance at 1000 px under which the photo is blurred (notes/ocr-mrz.md §7). */
  minSharpness: 60,
  maxGlare: 0.02,
  minBrightness: 55,
  maxBrightness: 245,
} as const;

function clampRect(r: Rect, img: GrayImage): Rect {
  const x = Math.max(0, Math.floor(r.x));
  const y = Math.max(0, Math.floor(r.y));
  return {
    x,
    y,
    width: Math.max(0, Math.min(img.width, Math.ceil(r.x + r.width)) - x),
    height: Math.max(0, Math.min(img.height, Math.ceil(r.y + r.height)) - y),
  };
}

/** Variance of the 4-neighbour Laplacian inside a rectangle. */
export function laplacianVariance(img: GrayImage, area?: Rect): number {
  const r = clampRect(area ?? { x: 0, y: 0, width: img.width, height: img.height }, img);
  const { width: w, data } = img;
  let n = 0;
  let sum = 0;
  let sum2 = 0;
  for (let y = Math.max(1, r.y); y < Math.min(img.height - 1, r.y + r.height); y++) {
    for (let x = Math.max(1, r.x); x < Math.min(w - 1, r.x + r.width); x++) {
      const i = y * w + x;
      const lap =
        (data[i - 1] as number) +
        (data[i + 1] as number) +
        (data[i - w] as number) +
        (data[i + w] as number) -
        4 * (data[i] as number);
      sum += lap;
      sum2 += lap * lap;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sum2 / n - mean * mean;
}

/**
 * Glare: saturated pixels (≥ 245) with no texture around them (|Laplacian| < 6), counted only in blobs of
 * at least `minBlob` pixels, over the area. Paper white has texture and print; a specular highlight has
 * neither.
 */
export function glareShare(img: GrayImage, area: Rect, minBlob: number): number {
  const r = clampRect(area, img);
  if (r.width < 3 || r.height < 3) return 0;
  const { width: w, data } = img;
  const mask = new Uint8Array(r.width * r.height);
  for (let y = 1; y < r.height - 1; y++) {
    for (let x = 1; x < r.width - 1; x++) {
      const i = (r.y + y) * w + r.x + x;
      const v = data[i] as number;
      if (v < 245) continue;
      const lap =
        (data[i - 1] as number) + (data[i + 1] as number) + (data[i - w] as number) + (data[i + w] as number) - 4 * v;
      if (Math.abs(lap) < 6) mask[y * r.width + x] = 1;
    }
  }
  // Count blob sizes with a flood fill; small specks are ignored.
  let glare = 0;
  const stack: number[] = [];
  for (let s = 0; s < mask.length; s++) {
    if (mask[s] !== 1) continue;
    let size = 0;
    mask[s] = 2;
    stack.push(s);
    while (stack.length) {
      const p = stack.pop() as number;
      size++;
      const x = p % r.width;
      for (const q of [p - 1, p + 1, p - r.width, p + r.width]) {
        if (q < 0 || q >= mask.length || mask[q] !== 1) continue;
        if ((q === p - 1 && x === 0) || (q === p + 1 && x === r.width - 1)) continue;
        mask[q] = 2;
        stack.push(q);
      }
    }
    if (size >= minBlob) glare += size;
  }
  return glare / (r.width * r.height);
}

function percentileIn(img: GrayImage, area: Rect, p: number): number {
  const r = clampRect(area, img);
  const hist = new Uint32Array(256);
  for (let y = r.y; y < r.y + r.height; y++)
    for (let x = r.x; x < r.x + r.width; x++) hist[img.data[y * img.width + x] as number]! += 1;
  const target = r.width * r.height * p;
  let acc = 0;
  for (let i = 0; i < 256; i++) {
    acc += hist[i] as number;
    if (acc >= target) return i;
  }
  return 255;
}

export function meanAndDeviation(img: GrayImage, area: Rect): { mean: number; deviation: number } {
  const r = clampRect(area, img);
  let n = 0;
  let sum = 0;
  let sum2 = 0;
  for (let y = r.y; y < r.y + r.height; y++) {
    for (let x = r.x; x < r.x + r.width; x++) {
      const v = img.data[y * img.width + x] as number;
      sum += v;
      sum2 += v * v;
      n++;
    }
  }
  if (n === 0) return { mean: 0, deviation: 0 };
  const mean = sum / n;
  return { mean, deviation: Math.sqrt(Math.max(0, sum2 / n - mean * mean)) };
}

export interface QualityInput {
  /** Working image (about 1000 px wide) in the orientation the MRZ was found in. */
  work: GrayImage;
  /** Document area in working-image pixels (whole image when unknown). */
  documentArea: Rect;
  /** Normalised MRZ line images (32 px glyphs), when a band was found. */
  mrzLines?: GrayImage[];
  glyphHeight?: number;
}

export function measureQuality(input: QualityInput): DocumentQuality {
  const { work, documentArea } = input;
  const sharpness = laplacianVariance(work, documentArea);
  const mrzSharpness = input.mrzLines?.length
    ? input.mrzLines.reduce((s, l) => s + laplacianVariance(l), 0) / input.mrzLines.length
    : null;
  const glyph = input.glyphHeight ?? null;
  const minBlob = Math.max(16, Math.round((glyph ?? 10) * (work.width / 1000)) ** 2);
  // On a page whose paper itself is saturated (a digital specimen, a flatbed scan) a highlight cannot be
  // told from the paper: glare is only measured where the paper is grey enough to stand out from.
  const paper = percentileIn(work, documentArea, 0.75);
  const glare = paper >= 245 ? 0 : glareShare(work, documentArea, minBlob);
  const { mean, deviation } = meanAndDeviation(work, documentArea);
  const t = QUALITY_THRESHOLDS;
  const hints: QualityHint[] = [];
  if (glyph !== null && glyph < t.minGlyphHeight) hints.push('LOW_RESOLUTION');
  if (mrzSharpness !== null ? mrzSharpness < t.minMrzSharpness : sharpness < t.minSharpness) hints.push('BLURRY');
  if (glare > t.maxGlare) hints.push('GLARE');
  if (mean < t.minBrightness) hints.push('TOO_DARK');
  // Blown out means nearly uniform white, not merely a white page with print on it.
  if (mean > t.maxBrightness && deviation < 15) hints.push('OVEREXPOSED');
  return { mrzSharpness, sharpness, glyphHeight: glyph, glare, brightness: mean, contrast: deviation, hints };
}
