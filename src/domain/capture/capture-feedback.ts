import type { StoredFaceAnalysis } from '../ports/repositories.port.js';
import { type FaceProblem, type FaceQualityPolicy, pickSingleFace } from '../pools/enrolment-gate.js';

export interface CaptureFeedback {
  face_count: number;
  usable: boolean;
  issues: (FaceProblem | 'UNREADABLE')[];
}

/** What the capture page tells the user before (or after) an upload: one usable face, or what to fix. */
export function captureFeedback(
  stored: Pick<StoredFaceAnalysis, 'analysis' | 'imageError'>,
  policy: FaceQualityPolicy,
): CaptureFeedback {
  if (stored.imageError) return { face_count: 0, usable: false, issues: ['UNREADABLE'] };
  const verdict = pickSingleFace(stored.analysis, policy);
  const count = stored.analysis.faces.length;
  return 'face' in verdict
    ? { face_count: count, usable: true, issues: [] }
    : { face_count: count, usable: false, issues: [verdict.problem] };
}
