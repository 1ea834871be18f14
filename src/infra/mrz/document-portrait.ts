import sharp from 'sharp';
import type { Box } from '../../domain/ports/face-engine.port.js';

// The document_id_photo media: the portrait the face engine found on the data page, cut out at ID-photo
// proportions.

/** ID-photo proportions (35:45) around the face box, the face taking about 60% of the height. */
export async function cropPortrait(bytes: Buffer, face: Box): Promise<Uint8Array> {
  const image = sharp(bytes, { failOn: 'error' }).rotate();
  const { width = 0, height = 0 } = await image.metadata().then((m) => (m.orientation && m.orientation >= 5 ? { width: m.height, height: m.width } : m));
  const h = face.height / 0.6;
  const w = (h * 35) / 45;
  const cx = face.x + face.width / 2;
  const top = Math.max(0, Math.round(face.y - h * 0.25));
  const left = Math.max(0, Math.round(cx - w / 2));
  const region = { left, top, width: Math.max(1, Math.min(width - left, Math.round(w))), height: Math.max(1, Math.min(height - top, Math.round(h))) };
  // extract() after rotate() cuts from the upright image, so the page is never re-encoded whole (that took
  // 6.5 s for a 16000 × 12000 JPEG). JPEG has no alpha: transparent paper would come out as the black it hides.
  return new Uint8Array(await image.extract(region).flatten({ background: '#ffffff' }).jpeg({ quality: 90 }).toBuffer());
}
