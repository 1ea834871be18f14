import type { FaceEngineError } from '../../domain/ports/face-engine.port.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../../config/image-limits.js';
import { asImageError, openImage } from '../image/image-decoder.js';
import { toGray, type GrayImage } from '../image/gray-image.js';

// Decoding and orientation bookkeeping. Everything downstream works on one grey copy capped in size (MRZ
// glyphs need ~15 px; a 35-megapixel phone photo only costs time), and reports positions back in the
// coordinates of the upright (EXIF-applied) original.

export interface LoadedImage {
  gray: GrayImage;
  /** Size of the upright original. */
  width: number;
  height: number;
  /** gray pixels per original pixel (≤ 1). */
  scale: number;
}

/** Why a page could not be loaded: a stable image error code (the decoder's own words are not kept). */
export class ImageLoadError extends Error {
  constructor(readonly code: FaceEngineError['code']) {
    super(`the image could not be read (${code})`);
  }
}

export async function loadDocumentImage(
  image: Buffer,
  options: { limits?: DecodeLimits; maxSide?: number } = {},
): Promise<LoadedImage> {
  try {
    // A file cut short in transit decodes as grey below the cut, which would be blamed on blur or exposure;
    // other decoder warnings are often benign in camera files, so only truncation is refused.
    const opened = await openImage(image, {
      limits: options.limits ?? DEFAULT_DECODE_LIMITS,
      maxSide: options.maxSide ?? 2400,
      failOn: 'truncated',
    });
    // Transparent areas become white paper: the pixels they hide are usually black (measured: a page exported
    // with transparent paper read as all black, PHOTO_TOO_DARK).
    const gray = await toGray(opened.image.flatten({ background: '#ffffff' }));
    return { gray, width: opened.uprightWidth, height: opened.uprightHeight, scale: gray.width / opened.uprightWidth };
  } catch (err) {
    throw new ImageLoadError(asImageError(err).code);
  }
}

export type QuarterTurns = 0 | 1 | 2 | 3;

/** Rotates clockwise by 90° × turns. */
export function rotateGray(img: GrayImage, turns: QuarterTurns): GrayImage {
  if (turns === 0) return img;
  const { width: w, height: h, data } = img;
  const W = turns === 2 ? w : h;
  const H = turns === 2 ? h : w;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [nx, ny] = turns === 1 ? [h - 1 - y, x] : turns === 2 ? [w - 1 - x, h - 1 - y] : [y, w - 1 - x];
      out[ny * W + nx] = data[y * w + x] as number;
    }
  }
  return { width: W, height: H, data: out };
}

/** Maps a point of the image rotated by `turns` back to the unrotated image (w×h before rotation). */
export function unrotatePoint(x: number, y: number, turns: QuarterTurns, w: number, h: number): [number, number] {
  switch (turns) {
    case 0:
      return [x, y];
    case 1:
      return [y, h - 1 - x];
    case 2:
      return [w - 1 - x, h - 1 - y];
    case 3:
      return [w - 1 - y, x];
  }
}
