import type { Pt } from './planar-fit.js';

/**
 * What the engine needs to know about one streamed frame. The adapter that reads the JPEG (face models, hashes)
 * fills it; the engine never sees pixels, so it stays pure and testable on synthetic trajectories.
 */
export interface FrameAnalysis {
  /** SHA-256 of the received bytes, hex. Two live frames are never byte-identical. */
  digest: string;
  /** Perceptual hash of the decoded frame (hex, fixed length): survives re-encoding, unlike the digest. */
  perceptualHash: string;
  width: number;
  height: number;
  /** People in the frame: the user's face and every other face that reads clearly away from it. Only the user's
   * face is described below. */
  faceCount: number;
  face?: FrameFace;
}

export interface FrameFace {
  box: { x: number; y: number; width: number; height: number };
  /** The 68 iBUG landmarks, image coordinates. */
  landmarks: Pt[];
  /** Head pose from the landmarks: yaw > 0 turns the nose to the image's right (the user's left on an unmirrored
   * camera), pitch > 0 lifts the chin. Degrees. */
  yawDeg: number;
  pitchDeg: number;
  rollDeg: number;
  /** L2-normalised face embedding. */
  embedding: ArrayLike<number>;
  /** Passive liveness probability 0..1 (advisory). */
  passive?: number;
}
