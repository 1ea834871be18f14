// The one image budget that every decoder entry point obeys (face engine, document reader, portrait crop, OCR,
// and the check of every upload before it is stored). OPENIDV_MAX_IMAGE_PIXELS and OPENIDV_MAX_DECODE_MB
// override it (config.ts); infra/image/decode-limits.ts estimates what an image costs against it.

const MiB = 1024 * 1024;

export interface DecodeLimits {
  /** Refuse images whose header declares more pixels than this, however cheap they are to decode. */
  maxPixels: number;
  /** Refuse images with a side longer than this, whatever the pixel count (e.g. 100000 × 10 strips). */
  maxSide: number;
  /** Refuse images whose decoding is estimated (decodeCost) to need more memory than this, in bytes. */
  maxDecodeBytes: number;
}

// 200 MP takes a 200-megapixel phone photo (16320 × 12240), which is a baseline JPEG that decodes in 35 MB.
// 192 MiB of estimated decoder memory takes, for 4:3 images, a 40 MP progressive JPEG (20 MP in 4:4:4), a 36 MP
// interlaced RGB PNG (27 MP RGBA) or a 30 MP lossless WebP, and any baseline JPEG or lossy WebP up to the pixel
// limit (see decodeCost in infra/image/decode-limits.ts).
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxPixels: 200_000_000,
  maxSide: 16_384,
  maxDecodeBytes: 192 * MiB,
});
