import type { MrzReading } from '../mrz/mrz-reading.js';
import type { Box } from './face-engine.port.js';

/** What reading one document image gave: an accepted MRZ (every check digit passed) or why not. */
export interface DocumentRead {
  mrz?: MrzReading;
  failure?: { reason: string; detail: string };
  quality?: { sharpness: number; glare: number; brightness: number; glyphHeight: number | null; hints: string[] };
  /** Where the portrait should be on this page (upright image pixels), when the layout says. */
  portraitWindow?: Box;
  engines: { agreed: string[]; consulted: string[] };
  ms: number;
}

export interface DocumentReader {
  read(image: Buffer): Promise<DocumentRead>;
  /** A JPEG of the region around a face, widened to ID-photo proportions (35:45). */
  cropPortrait(image: Buffer, face: Box): Promise<Buffer>;
  close(): Promise<void>;
}
