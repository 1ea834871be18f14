// Decompression-bomb and size guards of the face engine's image intake. Kept apart from the decoder (sharp)
// so that the configuration can take its defaults from here without loading it.

export interface IntakeLimits {
  /** Refuse images whose header declares more pixels than this (decompression bombs). */
  maxPixels: number;
  /** Refuse images with a side longer than this, whatever the pixel count (e.g. 100000×10 strips). */
  maxSide: number;
  /** Refuse images with a side shorter than this: no face model can use them. */
  minSide: number;
  /**
   * Images are analysed at most at this size (longest side, after orientation); bigger ones are shrunk while
   * decoding (JPEG shrink-on-load makes this cheap). Boxes are reported in original pixel coordinates.
   */
  maxWorkingSide: number;
}

// 200 MP takes a 200-megapixel phone photo (16320 × 12240). Decoding is shrunk to the working size on load
// (JPEG) or streamed (PNG), so size costs little: measured 0.25 s and +8 MB for a 16000 × 12000 JPEG, 0.9 s
// and +55 MB for a 12000 × 9000 PNG (2026-11-26). At 40 MP, the earlier default, a 48 MP phone photo of a
// document lost its portrait and face match.
export const DEFAULT_INTAKE_LIMITS: Readonly<IntakeLimits> = Object.freeze({
  maxPixels: 200_000_000,
  maxSide: 16_384,
  minSide: 32,
  maxWorkingSide: 3_000,
});
