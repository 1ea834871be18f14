import { AppError } from '../errors.js';
import type { AnalysedFace, FaceAnalysis } from '../ports/face-engine.port.js';

/** Minimum quality for a face to serve as a reference (enrolment) or a probe. */
export interface FaceQualityPolicy {
  minFaceSizePx: number;
  minSharpness: number;
  minBrightness: number;
  maxBrightness: number;
  maxAbsYawDeg: number;
  /** A second face at least this fraction of the largest one's size makes the image ambiguous. */
  comparableFaceRatio: number;
}

export const DEFAULT_FACE_QUALITY: FaceQualityPolicy = {
  minFaceSizePx: 40,
  minSharpness: 10,
  minBrightness: 40,
  maxBrightness: 225,
  maxAbsYawDeg: 60,
  comparableFaceRatio: 0.7,
};

export type FaceRefusal = 'NO_FACE_DETECTED' | 'MULTIPLE_FACES_DETECTED' | 'FACE_TOO_SMALL' | 'FACE_TOO_BLURRY' | 'FACE_POOR_QUALITY';

/** The one usable face of an image, or the reason there is none. */
export function pickSingleFace(analysis: FaceAnalysis, policy: FaceQualityPolicy = DEFAULT_FACE_QUALITY): { face: AnalysedFace } | { refusal: FaceRefusal; detail: string } {
  const [face, second] = analysis.faces;
  if (!face) return { refusal: 'NO_FACE_DETECTED', detail: 'no face was found' };
  if (second && second.quality.faceSizePx >= policy.comparableFaceRatio * face.quality.faceSizePx) {
    return { refusal: 'MULTIPLE_FACES_DETECTED', detail: `${analysis.faces.length} faces of comparable size` };
  }
  const q = face.quality;
  if (q.faceSizePx < policy.minFaceSizePx) return { refusal: 'FACE_TOO_SMALL', detail: `face is ${Math.round(q.faceSizePx)} px, at least ${policy.minFaceSizePx} needed` };
  if (q.sharpness < policy.minSharpness) return { refusal: 'FACE_TOO_BLURRY', detail: `sharpness ${q.sharpness.toFixed(1)} below ${policy.minSharpness}` };
  if (q.brightness < policy.minBrightness) return { refusal: 'FACE_POOR_QUALITY', detail: 'the face is too dark' };
  if (q.brightness > policy.maxBrightness) return { refusal: 'FACE_POOR_QUALITY', detail: 'the face is overexposed' };
  if (Math.abs(q.yawDeg) > policy.maxAbsYawDeg) return { refusal: 'FACE_POOR_QUALITY', detail: 'the face is turned too far from the camera' };
  return { face };
}

export function requireSingleFace(analysis: FaceAnalysis, policy?: FaceQualityPolicy): AnalysedFace {
  const picked = pickSingleFace(analysis, policy);
  if ('refusal' in picked) throw new AppError(picked.refusal, `${picked.detail}`);
  return picked.face;
}
