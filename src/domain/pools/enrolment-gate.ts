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

/** What is wrong with a face image, in the words the capture page uses. */
export type FaceProblem = 'NO_FACE' | 'MULTIPLE_FACES' | 'TOO_FAR' | 'BLURRY' | 'TOO_DARK' | 'TOO_BRIGHT' | 'NOT_FACING_CAMERA';

const REFUSAL_OF: Record<FaceProblem, FaceRefusal> = {
  NO_FACE: 'NO_FACE_DETECTED',
  MULTIPLE_FACES: 'MULTIPLE_FACES_DETECTED',
  TOO_FAR: 'FACE_TOO_SMALL',
  BLURRY: 'FACE_TOO_BLURRY',
  TOO_DARK: 'FACE_POOR_QUALITY',
  TOO_BRIGHT: 'FACE_POOR_QUALITY',
  NOT_FACING_CAMERA: 'FACE_POOR_QUALITY',
};

export type FaceVerdict = { face: AnalysedFace } | { refusal: FaceRefusal; problem: FaceProblem; detail: string };

const refuse = (problem: FaceProblem, detail: string): FaceVerdict => ({ refusal: REFUSAL_OF[problem], problem, detail });

/** The one usable face of an image, or the reason there is none. */
export function pickSingleFace(analysis: FaceAnalysis, policy: FaceQualityPolicy = DEFAULT_FACE_QUALITY): FaceVerdict {
  const [face, second] = analysis.faces;
  if (!face) return refuse('NO_FACE', 'no face was found');
  if (second && second.quality.faceSizePx >= policy.comparableFaceRatio * face.quality.faceSizePx) {
    return refuse('MULTIPLE_FACES', `${analysis.faces.length} faces of comparable size`);
  }
  const q = face.quality;
  if (q.faceSizePx < policy.minFaceSizePx) return refuse('TOO_FAR', `the face is ${Math.round(q.faceSizePx)} px, at least ${policy.minFaceSizePx} needed`);
  if (q.sharpness < policy.minSharpness) return refuse('BLURRY', `sharpness ${q.sharpness.toFixed(1)} is below ${policy.minSharpness}`);
  if (q.brightness < policy.minBrightness) return refuse('TOO_DARK', 'the face is too dark');
  if (q.brightness > policy.maxBrightness) return refuse('TOO_BRIGHT', 'the face is overexposed');
  if (Math.abs(q.yawDeg) > policy.maxAbsYawDeg) return refuse('NOT_FACING_CAMERA', 'the face is turned too far from the camera');
  return { face };
}

export function requireSingleFace(analysis: FaceAnalysis, policy?: FaceQualityPolicy): AnalysedFace {
  const picked = pickSingleFace(analysis, policy);
  if ('refusal' in picked) throw new AppError(picked.refusal, `${picked.detail}`);
  return picked.face;
}
