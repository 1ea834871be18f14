import type { FaceRefusal } from '../pools/enrolment-gate.js';
import type { Report } from '../sessions/session.types.js';
import type { ReviewedReportRule } from './check-definition.js';
import { notAvailableReason } from './face-refusal-reasons.js';
import { inBand, REVIEW_REASONS, type ScoreBand } from './manual-check.js';
import { approve, notAvailable, reject, report, subCheck } from './report.js';

export type FaceMatchEvidence =
  /** `band`: the review band of the compared set's calibration, when it is not the one in force. */
  | { kind: 'compared'; similarity: number; threshold: number; referenceOtherFaces?: number; band?: ScoreBand }
  | {
      kind: 'unusable';
      side: 'selfie' | 'reference';
      refusal: FaceRefusal | 'UNREADABLE' | 'MISSING';
      detail: string;
      reason?: string;
    };

/** 1:1 match (ID_DOCUMENT_FACE_MATCH, FACE_COMPARISON): sub-check ai_face_match with a confidence score. */
export function evaluateFaceMatch(e: FaceMatchEvidence): Report {
  if (e.kind === 'unusable') {
    return report(notAvailable(e.reason ?? notAvailableReason(e.refusal)), [
      subCheck('ai_face_match', false, { reason: `${e.side}: ${e.detail}` }),
    ]);
  }
  const same = e.similarity >= e.threshold;
  return report(same ? approve() : reject('DIFFERENT_PERSON'), [
    subCheck('ai_face_match', same, {
      confidence_score: Math.max(0, e.similarity),
      threshold: e.threshold,
      // openidv extension: the reference image held other faces; its main one was compared.
      ...(e.referenceOtherFaces ? { reference_other_faces_count: String(e.referenceOtherFaces) } : {}),
    }),
  ]);
}

/** Inconclusive when the two faces were compared and their similarity is near the 1:1 threshold. */
export function faceMatchInconclusive(e: FaceMatchEvidence, band: ScoreBand): string | undefined {
  return e.kind === 'compared' && inBand(e.similarity, e.band ?? band)
    ? REVIEW_REASONS.FACE_MATCH_NEAR_THRESHOLD
    : undefined;
}

/** A person's comparison is Yoti's manual_face_match sub-check, beside the machine's ai_face_match. */
export const FACE_MATCH_REVIEWED: ReviewedReportRule = {
  subCheck: 'manual_face_match',
  rejectReason: 'DIFFERENT_PERSON',
};
