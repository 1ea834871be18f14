import type { OcrEngine, OcrRequest } from '../../domain/ports/ocr-engine.port.js';
import { DEFAULT_DECODE_LIMITS } from '../../config/image-limits.js';
import { openImage } from '../image/image-decoder.js';
import { fromGray, toGray, type GrayImage } from '../image/gray-image.js';
import { measureLine, inkMap } from './ocrb/ocrb-cells.js';
import { LINE_GLYPH_HEIGHT, MRZ_LINE_LENGTHS, readOcrbLine, type LineReading } from './ocrb/ocrb-line-reader.js';
import { compileMlp, decodeWeights, type MlpClassifier, type MlpWeights } from './ocrb/ocrb-network.js';
import { OCRB_WEIGHTS } from './ocrb/ocrb-weights.js';

/** Engines that read an already straightened MRZ line cell by cell, with per-character probabilities. */
export interface MrzLineReader {
  /** `quick`: one grid, one pass; enough to compare orientations. */
  readMrzLine(line: GrayImage, lengths: readonly number[], options?: { quick?: boolean }): LineReading | undefined;
}

export function isMrzLineReader(engine: OcrEngine): engine is OcrEngine & MrzLineReader {
  return typeof (engine as Partial<MrzLineReader>).readMrzLine === 'function';
}

let cachedClassifier: MlpClassifier | undefined;

function defaultClassifier(): MlpClassifier {
  cachedClassifier ??= compileMlp(decodeWeights(OCRB_WEIGHTS));
  return cachedClassifier;
}

/**
 * openidv's own OCR-B reader: fixed-pitch cells classified by a small network trained on synthetic OCR-B
 * (src/tools/ocrb-training/). It only reads single MRZ lines (psm 7), in plain JS on the calling thread (about
 * 10-30 ms a line), so it needs no worker and nothing outside the repository.
 */
export class OcrbEngine implements OcrEngine, MrzLineReader {
  readonly name = 'openidv-ocrb';
  private readonly classify: MlpClassifier;

  constructor(weights?: MlpWeights) {
    this.classify = weights ? compileMlp(weights) : defaultClassifier();
  }

  readMrzLine(
    line: GrayImage,
    lengths: readonly number[] = MRZ_LINE_LENGTHS,
    options: { quick?: boolean } = {},
  ): LineReading | undefined {
    return readOcrbLine(line, this.classify, lengths, options);
  }

  async recognize(request: OcrRequest): Promise<string> {
    if (request.psm !== 7 && request.psm !== 13) throw new Error(`${this.name} reads single lines only (psm 7)`);
    const gray = await toGray((await openImage(request.image, { limits: DEFAULT_DECODE_LIMITS })).image);
    // Bring the glyphs to the height the classifier was trained at; the caller's crop may be any size.
    const geo = measureLine(inkMap(gray))[0];
    const glyph = geo ? geo.bottom - geo.top : gray.height / 2;
    const scale = LINE_GLYPH_HEIGHT / Math.max(4, glyph);
    const line =
      Math.abs(scale - 1) < 0.1
        ? gray
        : await toGray(fromGray(gray).resize(Math.round(gray.width * scale), Math.round(gray.height * scale)));
    return this.readMrzLine(line, request.lineLengths ?? MRZ_LINE_LENGTHS)?.text ?? '';
  }

  async close(): Promise<void> {
    // Nothing to release: no worker, no process.
  }
}
