import { createHash } from 'node:crypto';
import type { FaceEngine } from '../../../domain/ports/face-engine.port.js';
import type { LivenessFrameAnalyser } from '../../../domain/ports/liveness-frame-analyser.port.js';
import type { FrameAnalysis } from '../../../domain/liveness/active/frame-analysis.js';
import { estimatePose } from '../../../domain/liveness/active/mean-face.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../../../config/image-limits.js';
import { openImage } from '../../image/image-decoder.js';
import { userFace } from './user-face.js';

/** Side of the grey thumbnail the perceptual hash is computed on. */
const HASH_SIDE = 32;

/**
 * One camera frame → what the active liveness engine reads: the user's face (user-face.ts) with its 68 landmarks
 * (the face engine's own landmark pass, returned instead of discarded), head pose from them (mean-face fit), its
 * embedding and passive score, plus the frame's SHA-256 and a perceptual hash for the replay ledger. The frame is
 * read upright: a camera stream is never sideways.
 */
export class FaceModelFrameAnalyser implements LivenessFrameAnalyser {
  constructor(
    private readonly engine: FaceEngine,
    private readonly limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
  ) {}

  async analyse(jpeg: Uint8Array): Promise<FrameAnalysis> {
    const digest = createHash('sha256').update(jpeg).digest('hex');
    // The hash first: analyse() may be handed the bytes with transfer in a pooled engine, and a corrupt frame
    // should fail in the face engine with its typed error, so a sharp failure here is left to it.
    const perceptualHash = await perceptualHashOf(jpeg, this.limits).catch(() => '');
    const analysis = await this.engine.analyse(jpeg, {
      landmarks68: true,
      liveness: true,
      maxFaces: 3,
      upright: true,
    });
    const { user: face, people } = userFace(analysis.faces);
    const landmarks = face?.landmarks68;
    const pose = landmarks && landmarks.length === 68 ? estimatePose(landmarks) : undefined;
    return {
      digest,
      perceptualHash,
      width: analysis.width,
      height: analysis.height,
      faceCount: people,
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

/** The low-frequency block of the DCT kept: 16×16 coefficients, one bit each. */
const KEEP = 16;

/** cos((2x + 1) u π / 2N), precomputed for the thumbnail's DCT. */
const COS = Array.from({ length: KEEP }, (_, u) =>
  Float64Array.from({ length: HASH_SIDE }, (_, x) => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * HASH_SIDE))),
);

/**
 * A DCT perceptual hash (pHash): the 32×32 grey thumbnail's 16×16 lowest-frequency DCT coefficients, one bit each
 * (above their median or not; the DC term is replaced by the mean of the others so it carries no weight). Re-encoding
 * or rescaling a frame barely touches low frequencies; sensor noise lives in the high ones that are dropped. A
 * thumbnail-median hash was tried first and rejected: flat backgrounds put many pixels on the median, and
 * re-encoding flipped up to 25% of their bits.
 */
export async function perceptualHashOf(
  image: Uint8Array,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): Promise<string> {
  // Through the decoder door like every untrusted image (pixel and memory budget); benign decoder warnings still hash.
  const opened = await openImage(image, { limits, failOn: 'error' });
  const { data } = await opened.image
    .greyscale()
    .resize(HASH_SIDE, HASH_SIDE, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const channels = data.length / (HASH_SIDE * HASH_SIDE);
  const px = (x: number, y: number) => data[(y * HASH_SIDE + x) * channels]!;
  // Separable DCT: rows first (KEEP outputs per row), then columns.
  const rows = new Float64Array(HASH_SIDE * KEEP);
  for (let y = 0; y < HASH_SIDE; y++) {
    for (let u = 0; u < KEEP; u++) {
      let sum = 0;
      for (let x = 0; x < HASH_SIDE; x++) sum += px(x, y) * COS[u]![x]!;
      rows[y * KEEP + u] = sum;
    }
  }
  const coeffs = new Float64Array(KEEP * KEEP);
  for (let v = 0; v < KEEP; v++) {
    for (let u = 0; u < KEEP; u++) {
      let sum = 0;
      for (let y = 0; y < HASH_SIDE; y++) sum += rows[y * KEEP + u]! * COS[v]![y]!;
      coeffs[v * KEEP + u] = sum;
    }
  }
  const rest = [...coeffs.slice(1)];
  coeffs[0] = rest.reduce((s, c) => s + c, 0) / rest.length;
  const sorted = [...coeffs].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1]!;
  let hex = '';
  for (let i = 0; i < coeffs.length; i += 4) {
    let nibble = 0;
    for (let b = 0; b < 4; b++) nibble = (nibble << 1) | (coeffs[i + b]! > median ? 1 : 0);
    hex += nibble.toString(16);
  }
  return hex;
}
