import sharp, { type Metadata, type Sharp } from 'sharp';
import { sniffImageType } from '../../domain/media/image-type.js';
import { FaceEngineError, type ImageErrorCode } from '../../domain/ports/face-engine.port.js';
import type { DecodeLimits } from '../../config/image-limits.js';
import { exceedsLimits, type ImageFormat, type ImageHeader, MAX_WORKING_SIDE, decodeCost } from './decode-limits.js';

// The only door to the image decoder (sharp/libvips): every image the server reads passes the same checks here,
// from its header and before any pixel is decoded (a unit test keeps `sharp(` out of every other file).

// libvips' operation cache kept the decoder state of recent images alive: a progressive JPEG's 570 MB stayed
// resident after its request had ended, and four such requests left 2.2 GB (measured). Nothing here decodes the
// same image twice, so the cache only ever cost memory. The setting is process-wide; every thread that decodes
// loads this module.
sharp.cache(false);

/** Decide the format from the magic bytes, never from a file name or a client-declared type. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  return (sniffImageType(bytes)?.slice('image/'.length) as ImageFormat | undefined) ?? null;
}

/**
 * Coded samples per pixel of a JPEG, from the sampling factors of its first frame header: what a progressive
 * decoder keeps a coefficient for. (libvips reports the subsampling of the first component only, which
 * under-counts unusual layouts.) Null when there is no frame header.
 */
export function jpegSamplesPerPixel(bytes: Uint8Array): number | null {
  for (let i = 2; i + 3 < bytes.length; ) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const count = bytes[i + 9] ?? 0;
      const factors: [number, number][] = [];
      for (let c = 0; c < count; c++) {
        const f = bytes[i + 11 + c * 3] ?? 0x11;
        factors.push([Math.max(1, f >> 4), Math.max(1, f & 15)]);
      }
      if (!factors.length) return null;
      const hMax = Math.max(...factors.map((f) => f[0]));
      const vMax = Math.max(...factors.map((f) => f[1]));
      return factors.reduce((sum, [h, v]) => sum + (h * v) / (hMax * vMax), 0);
    }
    if (marker === 0xda || marker === 0xd9) return null;
    i += 2 + length;
  }
  return null;
}

const includesAscii = (bytes: Uint8Array, text: string) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(text, 0, 'latin1');

/** Reads what decoding will cost from the header alone; refuses bytes that are not a JPEG, PNG or WebP. */
export async function readImageHeader(bytes: Uint8Array): Promise<ImageHeader> {
  const format = sniffFormat(bytes);
  if (!format) throw new FaceEngineError('IMAGE_UNSUPPORTED_FORMAT', 'image is not JPEG, PNG or WebP');
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw asImageError(err);
  }
  if (meta.format !== format)
    throw new FaceEngineError('IMAGE_CORRUPT', `header says ${meta.format}, content says ${format}`);
  const { width, height } = meta;
  if (!width || !height) throw new FaceEngineError('IMAGE_CORRUPT', 'image header has no dimensions');
  const channels = meta.channels ?? 4;
  const samples = format === 'jpeg' ? jpegSamplesPerPixel(bytes) : null;
  if (format === 'jpeg' && samples === null) throw new FaceEngineError('IMAGE_CORRUPT', 'JPEG has no frame header');
  return {
    format,
    width,
    height,
    orientation: meta.orientation ?? 1,
    channels,
    bytesPerSample: meta.depth === 'uchar' || meta.depth === 'char' ? 1 : 2,
    progressive: Boolean(meta.isProgressive),
    jpegSamplesPerPixel: samples ?? channels,
    lossless: format === 'webp' && includesAscii(bytes, 'VP8L'),
  };
}

/** Refuses (IMAGE_TOO_LARGE) an image the limits forbid decoding; returns its estimated decoding memory. */
export function admitImage(header: ImageHeader, limits: DecodeLimits, workingSide = MAX_WORKING_SIDE): number {
  const reason = exceedsLimits(header, limits, workingSide);
  if (reason) throw new FaceEngineError('IMAGE_TOO_LARGE', reason);
  return decodeCost(header, workingSide);
}

/** Header checks only (cheap): what an upload is checked with before it is stored. */
export async function inspectImage(
  bytes: Uint8Array,
  limits: DecodeLimits,
  workingSide = MAX_WORKING_SIDE,
): Promise<{ header: ImageHeader; cost: number }> {
  const header = await readImageHeader(bytes);
  return { header, cost: admitImage(header, limits, workingSide) };
}

export interface OpenOptions {
  limits: DecodeLimits;
  /** The longest side wanted (after orientation); bigger images are shrunk while decoding. Default: no shrinking. */
  maxSide?: number;
  /**
   * sharp's failOn for this use: 'warning' refuses anything a decoder complains about (untrusted uploads);
   * 'truncated' tolerates the benign warnings of camera files.
   */
  failOn?: 'warning' | 'truncated' | 'error';
}

export interface OpenedImage {
  /** Upright (EXIF applied) and no larger than maxSide; add operations and an output. */
  image: Sharp;
  header: ImageHeader;
  /** Size of the upright original. */
  uprightWidth: number;
  uprightHeight: number;
  /** Size `image` will have. */
  width: number;
  height: number;
}

/**
 * Opens untrusted bytes for decoding after the header checks: format sniffed, pixel count, side and estimated
 * memory within the limits, and decoding shrunk to at most maxSide (cheap for JPEG and WebP, which shrink while
 * decoding). sharp's own pixel limit is set too, in case a header lies.
 */
export async function openImage(bytes: Uint8Array, options: OpenOptions): Promise<OpenedImage> {
  const header = await readImageHeader(bytes);
  const maxSide = Math.max(1, options.maxSide ?? options.limits.maxSide);
  admitImage(header, options.limits, maxSide);
  const swap = header.orientation >= 5;
  const uprightWidth = swap ? header.height : header.width;
  const uprightHeight = swap ? header.width : header.height;
  const scale = Math.min(1, maxSide / Math.max(uprightWidth, uprightHeight));
  const width = Math.max(1, Math.round(uprightWidth * scale));
  const height = Math.max(1, Math.round(uprightHeight * scale));
  let image = sharp(bytes, {
    failOn: options.failOn ?? 'warning',
    limitInputPixels: options.limits.maxPixels,
    pages: 1,
    autoOrient: true,
  });
  if (scale < 1) image = image.resize(width, height, { fit: 'fill' });
  return { image, header, uprightWidth, uprightHeight, width, height };
}

/** Pixels this process made itself (a grey work image): no header to distrust. */
export function rawImage(data: Uint8Array, raw: { width: number; height: number; channels: 1 | 2 | 3 | 4 }): Sharp {
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw });
}

/** A drawing this process made itself (charts, synthetic MRZ text for training and warm-up). */
export function renderSvg(svg: string): Sharp {
  return sharp(Buffer.from(svg));
}

/** A stable code for a decoder failure; the decoder's own words stay in the message, for logs only. */
export function asImageError(err: unknown): FaceEngineError {
  if (err instanceof FaceEngineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code: ImageErrorCode = /pixel limit/i.test(message)
    ? 'IMAGE_TOO_LARGE'
    : /unsupported image format/i.test(message)
      ? 'IMAGE_UNSUPPORTED_FORMAT'
      : 'IMAGE_CORRUPT';
  return new FaceEngineError(code, `image could not be decoded (${message.split('\n')[0]?.slice(0, 160)})`);
}
