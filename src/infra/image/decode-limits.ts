import type { DecodeLimits } from '../../config/image-limits.js';

// What decoding an image costs, and whether it fits the image budget (config/image-limits.ts) that every decoder
// entry point obeys. Kept apart from the decoder (sharp) so that the upload check can run without loading it.

const MiB = 1024 * 1024;

/**
 * No consumer works on more than this longest side (the face engine's working size; the document reader uses
 * 2,400 px): bigger images are shrunk while they are decoded, so decodeCost counts the output at this size.
 */
export const MAX_WORKING_SIDE = 3_000;

export type ImageFormat = 'jpeg' | 'png' | 'webp';

/** What decodeCost needs from an image header (read without decoding). */
export interface ImageHeader {
  format: ImageFormat;
  /** As stored, before any EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation, 1 when absent. */
  orientation: number;
  /** Bands the decoder produces, e.g. 4 for a palette PNG with transparency. */
  channels: number;
  bytesPerSample: 1 | 2;
  /** A progressive JPEG or an Adam7-interlaced PNG: the decoder must hold the whole frame. */
  progressive: boolean;
  /** JPEG: coded samples per pixel over all components (1.5 for 4:2:0 colour, 3 for 4:4:4, 1 for grey). */
  jpegSamplesPerPixel: number;
  /** WebP holding a lossless (VP8L) bitstream. */
  lossless: boolean;
}

/**
 * Estimated peak memory of decoding an image to at most MAX_WORKING_SIDE (upper bounds of what was measured,
 * VmHWM of a fresh process per image, sharp 0.35 / libvips 8.18; table in docs/benchmarks.md "Image decoding"):
 *
 * - every image: 24 MiB plus twice the output as 4-byte pixels (the decoded copy and its flattened copy);
 * - progressive JPEG: every DCT coefficient of the frame, 2 bytes a sample (measured 3.0 bytes a pixel for 4:2:0,
 *   5.9 for 4:4:4), whatever the file size: 529 bytes declaring 16000 × 12000 cost 585 MB;
 * - interlaced PNG: the whole frame and a little more (measured 4.3 bytes a pixel for RGBA, 3.2 for RGB);
 * - plain PNG: streamed, but the shrink holds about 2,000 rows (measured 121 MB at 16000 px wide RGBA);
 * - lossless WebP: the whole ARGB frame (measured 210 MB for 48 MP);
 * - baseline JPEG and lossy WebP shrink while decoding: measured 35-70 MB at any size.
 */
export function decodeCost(h: ImageHeader, workingSide = MAX_WORKING_SIDE): number {
  const pixels = h.width * h.height;
  const base = 24 * MiB + 2 * 4 * workingPixels(h, workingSide);
  switch (h.format) {
    case 'jpeg':
      return base + (h.progressive ? 2 * h.jpegSamplesPerPixel * pixels : 0);
    case 'png':
      // Interlaced: the frame plus an eighth (libpng's pass rows and libvips' regions; measured 1.07).
      return base + (h.progressive ? pixels * 1.125 : h.width * 2048) * h.channels * h.bytesPerSample;
    case 'webp':
      return base + (h.lossless ? 4 * pixels : 0);
  }
}

/** Why an image must not be decoded at all under these limits, with the figures for the logs; null when it may. */
/** Pixels of the image once shrunk to at most workingSide. */
export function workingPixels(h: Pick<ImageHeader, 'width' | 'height'>, workingSide = MAX_WORKING_SIDE): number {
  const shrink = Math.min(1, workingSide / Math.max(h.width, h.height));
  return Math.ceil(h.width * shrink) * Math.ceil(h.height * shrink);
}

export function exceedsLimits(h: ImageHeader, limits: DecodeLimits, workingSide = MAX_WORKING_SIDE): string | null {
  if (h.width * h.height > limits.maxPixels || Math.max(h.width, h.height) > limits.maxSide) {
    return `image is ${h.width}x${h.height}; limits are ${limits.maxPixels} pixels and ${limits.maxSide} px per side`;
  }
  const cost = decodeCost(h, workingSide);
  if (cost > limits.maxDecodeBytes) {
    const kind = `${h.progressive ? (h.format === 'png' ? 'interlaced ' : 'progressive ') : ''}${h.format}`;
    return `${kind} image of ${h.width}x${h.height} would need about ${Math.round(cost / MiB)} MiB to decode; the limit is ${Math.round(limits.maxDecodeBytes / MiB)} MiB`;
  }
  return null;
}
