// Entry point of the document-reading thread: OCR engines are created once, then one image per task.
// Reading runs pure-JS image work (band search, OCR-B cells) that must not block the HTTP event loop.
import { workerData } from 'piscina';
import type { DocumentRead } from '../../domain/ports/document-reader.port.js';
import type { Box } from '../../domain/ports/face-engine.port.js';
import type { DecodeLimits } from '../../config/image-limits.js';
import { createOcrEngines, type OcrEnginesConfig, warmUpOcrEngines } from '../ocr/ocr-engines.factory.js';
import { cropPortrait } from './document-portrait.js';
import { readDocument } from './mrz-reader.js';

const engines = createOcrEngines((workerData ?? {}) as OcrEnginesConfig);
// tesseract.js loads its models in 1-4 s: do it before the first document, not inside its reading deadline.
const warm = warmUpOcrEngines(engines).catch(() => undefined);

export type DocumentTask =
  | { kind: 'read'; bytes: Uint8Array; deadlineMs: number; limits: DecodeLimits }
  | { kind: 'crop'; bytes: Uint8Array; face: Box; limits: DecodeLimits };

export default async function run(task: DocumentTask): Promise<DocumentRead | Uint8Array> {
  if (task.kind === 'crop') return cropPortrait(Buffer.from(task.bytes), task.face, task.limits);
  await warm;
  const reading = await readDocument(
    Buffer.from(task.bytes),
    { ocr: engines },
    { deadlineMs: task.deadlineMs, limits: task.limits },
  );
  const q = reading.quality;
  return {
    ...(reading.mrz ? { mrz: reading.mrz } : {}),
    ...(reading.failure ? { failure: reading.failure } : {}),
    ...(q
      ? {
          quality: {
            sharpness: q.sharpness,
            glare: q.glare,
            brightness: q.brightness,
            glyphHeight: q.glyphHeight,
            hints: q.hints,
          },
        }
      : {}),
    ...(reading.portraitWindow ? { portraitWindow: reading.portraitWindow } : {}),
    engines: reading.engines,
    ms: reading.timings.totalMs,
  };
}
