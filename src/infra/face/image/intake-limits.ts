import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../../../config/image-limits.js';
import { MAX_WORKING_SIDE } from '../../image/decode-limits.js';

// The face engine's image intake: the server-wide decode limits (src/config/image-limits.ts) plus what
// only face analysis needs.

export interface IntakeLimits extends DecodeLimits {
  /** Refuse images with a side shorter than this: no face model can use them. */
  minSide: number;
  /**
   * Images are analysed at most at this size (longest side, after orientation); bigger ones are shrunk while
   * decoding. Boxes are reported in original pixel coordinates.
   */
  maxWorkingSide: number;
}

export const DEFAULT_INTAKE_LIMITS: Readonly<IntakeLimits> = Object.freeze({
  ...DEFAULT_DECODE_LIMITS,
  minSide: 32,
  maxWorkingSide: MAX_WORKING_SIDE,
});
