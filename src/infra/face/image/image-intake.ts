import { FaceEngineError } from '../../../domain/ports/face-engine.port.js';
import type { ImageFormat } from '../../image/decode-limits.js';
import { asImageError, openImage } from '../../image/image-decoder.js';
import { DEFAULT_INTAKE_LIMITS, type IntakeLimits } from './intake-limits.js';
import type { RgbImage } from './rgb-image.js';

export type { ImageFormat };

export interface DecodedImage extends RgbImage {
  format: ImageFormat;
  /** Size after EXIF orientation, before any working-size reduction. */
  originalWidth: number;
  originalHeight: number;
  /** originalWidth / width (>= 1). */
  scale: number;
}

/**
 * Turns untrusted bytes into upright RGB pixels, refusing anything risky before the expensive part (the shared
 * header checks of openImage), then too-small images, then decoding with `failOn: 'warning'` (sharp's advice
 * for untrusted input) so a truncated or corrupt file is an error instead of a half-grey picture that would
 * still produce a (wrong) embedding.
 */
export async function decodeImage(
  bytes: Uint8Array,
  limits: IntakeLimits = DEFAULT_INTAKE_LIMITS,
): Promise<DecodedImage> {
  const opened = await openImage(bytes, { limits, maxSide: limits.maxWorkingSide, failOn: 'warning' });
  const { uprightWidth: originalWidth, uprightHeight: originalHeight } = opened;
  if (Math.min(originalWidth, originalHeight) < limits.minSide) {
    throw new FaceEngineError(
      'IMAGE_TOO_SMALL',
      `image is ${originalWidth}x${originalHeight}; the minimum side is ${limits.minSide} px`,
    );
  }
  try {
    // Transparent PNG/WebP areas become white rather than whatever colour the hidden pixels hold.
    const { data, info } = await opened.image
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const rgb = info.channels === 3 ? data : toRgb(data, info.channels, info.width * info.height);
    return {
      data: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength),
      width: info.width,
      height: info.height,
      format: opened.header.format,
      originalWidth,
      originalHeight,
      scale: originalWidth / info.width,
    };
  } catch (err) {
    throw asImageError(err);
  }
}

function toRgb(data: Uint8Array, channels: number, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const p = i * channels;
    const grey = channels < 3;
    out[i * 3] = data[p]!;
    out[i * 3 + 1] = data[grey ? p : p + 1]!;
    out[i * 3 + 2] = data[grey ? p : p + 2]!;
  }
  return out;
}
