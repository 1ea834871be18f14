import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { FaceEngine } from '../../../domain/ports/face-engine.port.js';
import type { LivenessFrameAnalyser } from '../../../domain/ports/liveness-frame-analyser.port.js';
import type { FrameAnalysis } from '../../../domain/liveness/active/frame-analysis.js';
import { estimatePose } from '../../../domain/liveness/active/mean-face.js';

/** Side of the grey thumbnail the perceptual hash is taken from: 32² = 1,024 bits. */
const HASH_SIDE = 32;

/**
 * One camera frame → what the active liveness engine reads: the largest face's 68 landmarks (the face engine's
 * own landmark pass, returned instead of discarded), head pose from them (mean-face fit), its embedding and
 * passive score, plus the frame's SHA-256 and a perceptual hash for the replay ledger.
 */
export class FaceModelFrameAnalyser implements LivenessFrameAnalyser {
  constructor(private readonly engine: FaceEngine) {}

  async analyse(jpeg: Uint8Array): Promise<FrameAnalysis> {
    const digest = createHash('sha256').update(jpeg).digest('hex');
    // The hash first: analyse() may be handed the bytes with transfer in a pooled engine, and a corrupt frame
    // should fail in the face engine with its typed error, so a sharp failure here is left to it.
    const perceptualHash = await perceptualHashOf(jpeg).catch(() => '');
    const analysis = await this.engine.analyse(jpeg, { landmarks68: true, liveness: true, maxFaces: 3 });
    const face = analysis.faces[0];
    const landmarks = face?.landmarks68;
    const pose = landmarks && landmarks.length === 68 ? estimatePose(landmarks) : undefined;
    return {
      digest,
      perceptualHash,
      width: analysis.width,
      height: analysis.height,
      faceCount: analysis.faces.length,
      ...(face &&
        landmarks &&
        pose && {
          face: {
            box: face.box,
            landmarks,
            yawDeg: pose.yawDeg,
            pitchDeg: pose.pitchDeg,
            rollDeg: pose.rollDeg,
            embedding: face.embedding,
            ...(face.liveness !== undefined && { passive: face.liveness }),
          },
        }),
    };
  }
}

/**
 * A 32×32 grey thumbnail, one bit per pixel: above the thumbnail's median or not. Re-encoding or rescaling a frame
 * flips a few percent of the bits; another frame of a live scene (the head a few pixels elsewhere) flips far more.
 */
export async function perceptualHashOf(image: Uint8Array): Promise<string> {
  const { data } = await sharp(image, { failOn: 'none' })
    .rotate()
    .greyscale()
    .resize(HASH_SIDE, HASH_SIDE, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const sorted = [...data].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1]!;
  let hex = '';
  for (let i = 0; i < data.length; i += 4) {
    let nibble = 0;
    for (let b = 0; b < 4; b++) nibble = (nibble << 1) | (data[i + b]! > median ? 1 : 0);
    hex += nibble.toString(16);
  }
  return hex;
}
