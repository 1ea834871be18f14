import sharp, { type Metadata } from 'sharp';
import { FaceEngineError } from '../../../domain/ports/face-engine.port.js';
import { DEFAULT_INTAKE_LIMITS, type IntakeLimits } from './intake-limits.js';
import type { RgbImage } from './rgb-image.js';

export type ImageFormat = 'jpeg' | 'png' | 'webp';

export interface DecodedImage extends RgbImage {
  format: ImageFormat;
  /** Size after EXIF orientation, before any working-size reduction. */
  originalWidth: number;
  originalHeight: number;
  /** originalWidth / width (>= 1). */
  scale: number;
}

/** Decide the format from the magic bytes, never from a file name or a client-declared type. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  const at = (i: number) => bytes[i] ?? -1;
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'jpeg';
  if ([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => at(i) === b)) return 'png';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return null;
}

/**
 * Turns untrusted bytes into upright RGB pixels, refusing anything risky before the expensive part: the format is
 * sniffed, the dimensions are read from the header alone and checked against the limits, and only then is the
 * image decoded, with `failOn: 'warning'` (sharp's advice for untrusted input) so a truncated or corrupt file is
 * an error instead of a half-grey picture that would still produce a (wrong) embedding.
 */
export async function decodeImage(bytes: Uint8Array, limits: IntakeLimits = DEFAULT_INTAKE_LIMITS): Promise<DecodedImage> {
  const format = sniffFormat(bytes);
  if (!format) throw new FaceEngineError('IMAGE_UNSUPPORTED_FORMAT', 'image is not JPEG, PNG or WebP');

  let meta: Metadata;
  try {
    meta = await sharp(bytes, { failOn: 'warning', limitInputPixels: false }).metadata();
  } catch (err) {
    throw asImageError(err);
  }
  if (meta.format !== format) throw new FaceEngineError('IMAGE_CORRUPT', `header says ${meta.format}, content says ${format}`);
  const { width, height } = meta;
  if (!width || !height) throw new FaceEngineError('IMAGE_CORRUPT', 'image header has no dimensions');
  if (width * height > limits.maxPixels || Math.max(width, height) > limits.maxSide) {
    throw new FaceEngineError(
      'IMAGE_TOO_LARGE',
      `image is ${width}x${height}; limits are ${limits.maxPixels} pixels and ${limits.maxSide} px per side`,
    );
  }
  if (Math.min(width, height) < limits.minSide) {
    throw new FaceEngineError('IMAGE_TOO_SMALL', `image is ${width}x${height}; the minimum side is ${limits.minSide} px`);
  }
  const swap = (meta.orientation ?? 1) >= 5;
  const originalWidth = swap ? height : width;
  const originalHeight = swap ? width : height;

  try {
    let pipeline = sharp(bytes, { failOn: 'warning', limitInputPixels: limits.maxPixels, pages: 1, autoOrient: true });
    if (Math.max(originalWidth, originalHeight) > limits.maxWorkingSide) {
      pipeline = pipeline.resize({ width: limits.maxWorkingSide, height: limits.maxWorkingSide, fit: 'inside' });
    }
    // Transparent PNG/WebP areas become white rather than whatever colour the hidden pixels hold.
    const { data, info } = await pipeline
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const rgb = info.channels === 3 ? data : toRgb(data, info.channels, info.width * info.height);
    return {
      data: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength),
      width: info.width,
      height: info.height,
      format,
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

function asImageError(err: unknown): FaceEngineError {
  if (err instanceof FaceEngineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) return new FaceEngineError('IMAGE_TOO_LARGE', 'image exceeds the pixel limit');
  if (/unsupported image format/i.test(message)) {
    return new FaceEngineError('IMAGE_UNSUPPORTED_FORMAT', 'image format is not supported');
  }
  // libvips messages can carry internal detail; keep a short, path-free reason for logs and callers.
  return new FaceEngineError('IMAGE_CORRUPT', `image could not be decoded (${message.split('\n')[0]?.slice(0, 120)})`);
}
