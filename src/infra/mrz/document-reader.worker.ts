// Entry point of the document-reading thread: OCR engines are created once, then one image per task.
// Reading runs pure-JS image work (band search, OCR-B cells) that must not block the HTTP event loop.
import { workerData } from 'piscina';
import sharp from 'sharp';
import type { DocumentRead } from '../../domain/ports/document-reader.port.js';
import type { Box } from '../../domain/ports/face-engine.port.js';
import { createOcrEngines, type OcrEnginesConfig, warmUpOcrEngines } from '../ocr/ocr-engines.factory.js';
import { readDocument } from './mrz-reader.js';

const engines = createOcrEngines((workerData ?? {}) as OcrEnginesConfig);
// tesseract.js loads its models in 1-4 s: do it before the first document, not inside its reading deadline.
const warm = warmUpOcrEngines(engines).catch(() => undefined);

export type DocumentTask = { kind: 'read'; bytes: Uint8Array; deadlineMs: number } | { kind: 'crop'; bytes: Uint8Array; face: Box };

export default async function run(task: DocumentTask): Promise<DocumentRead | Uint8Array> {
  if (task.kind === 'crop') return cropPortrait(Buffer.from(task.bytes), task.face);
  await warm;
  const reading = await readDocument(Buffer.from(task.bytes), { ocr: engines }, { deadlineMs: task.deadlineMs });
  const q = reading.quality;
  return {
    ...(reading.mrz ? { mrz: reading.mrz } : {}),
    ...(reading.failure ? { failure: reading.failure } : {}),
    ...(q ? { quality: { sharpness: q.sharpness, glare: q.glare, brightness: q.brightness, glyphHeight: q.glyphHeight, hints: q.hints } } : {}),
    ...(reading.portraitWindow ? { portraitWindow: reading.portraitWindow } : {}),
    engines: reading.engines,
    ms: reading.timings.totalMs,
  };
}

/** ID-photo proportions (35:45) around the face box, the face taking about 60% of the height. */
async function cropPortrait(bytes: Buffer, face: Box): Promise<Uint8Array> {
  const image = sharp(bytes, { failOn: 'error' }).rotate();
  const { width = 0, height = 0 } = await image.metadata().then((m) => (m.orientation && m.orientation >= 5 ? { width: m.height, height: m.width } : m));
  const h = face.height / 0.6;
  const w = (h * 35) / 45;
  const cx = face.x + face.width / 2;
  const top = Math.max(0, Math.round(face.y - h * 0.25));
  const left = Math.max(0, Math.round(cx - w / 2));
  const region = { left, top, width: Math.max(1, Math.min(width - left, Math.round(w))), height: Math.max(1, Math.min(height - top, Math.round(h))) };
  return new Uint8Array(await sharp(await image.toBuffer()).extract(region).jpeg({ quality: 90 }).toBuffer());
}
