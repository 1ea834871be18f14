import type { Box } from '../../domain/ports/face-engine.port.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../../config/image-limits.js';
import { MAX_WORKING_SIDE } from '../image/decode-limits.js';
import { openImage } from '../image/image-decoder.js';

// The document_id_photo media: the portrait the face engine found on the data page, cut out at ID-photo
// proportions.

/**
 * ID-photo proportions (35:45) around the face box (upright original pixels), the face taking about 60% of the
 * height. The page is decoded at most at the working size the face was found at, and the crop is cut from that:
 * cutting from the full-size page made a decoder hold the whole frame (measured 2 GB for a 38-byte WebP
 * declaring 16383 × 16383, 0.98 GB for an interlaced PNG).
 */
export async function cropPortrait(
  bytes: Buffer,
  face: Box,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): Promise<Uint8Array> {
  const opened = await openImage(bytes, { limits, maxSide: MAX_WORKING_SIDE, failOn: 'error' });
  const { width, height } = opened;
  const s = width / opened.uprightWidth;
  const h = (face.height / 0.6) * s;
  const w = (h * 35) / 45;
  const cx = (face.x + face.width / 2) * s;
  const top = Math.min(height - 1, Math.max(0, Math.round(face.y * s - h * 0.25)));
  const left = Math.min(width - 1, Math.max(0, Math.round(cx - w / 2)));
  const region = {
    left,
    top,
    width: Math.max(1, Math.min(width - left, Math.round(w))),
    height: Math.max(1, Math.min(height - top, Math.round(h))),
  };
  // extract() after the resize cuts from the upright, shrunk page, so the page is never re-encoded whole (that
  // took 6.5 s for a 16000 × 12000 JPEG). JPEG has no alpha: transparent paper would come out as the black it hides.
  return new Uint8Array(
    await opened.image.extract(region).flatten({ background: '#ffffff' }).jpeg({ quality: 90 }).toBuffer(),
  );
}
