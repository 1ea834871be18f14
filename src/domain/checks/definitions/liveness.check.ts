import { Type } from '@sinclair/typebox';
import type { AnalysedFace } from '../../ports/face-engine.port.js';
import type { FaceRefusal } from '../../pools/enrolment-gate.js';
import type { Report } from '../../sessions/session.types.js';
import { defineCheck, ManualCheck } from '../check-definition.js';
import { notAvailableReason } from '../face-refusal-reasons.js';
import { inBand, REVIEW_REASONS, type ScoreBand } from '../manual-check.js';
import { approve, notAvailable, reject, report, subCheck } from '../report.js';

export interface LivenessEvidence {
  /** The single usable face of the capture, or why there is none. */
  face: { face: AnalysedFace } | { refusal: FaceRefusal | 'UNREADABLE' | 'MISSING'; detail: string };
  /** Whether the upload carried a valid, single-use, server-issued challenge bound to these bytes. */
  signature: { pass: boolean; detail: string };
  threshold: number;
}

/**
 * STATIC liveness: exactly one usable face, a passive liveness score above the calibrated threshold, and a
 * verified capture challenge. Passive liveness is advisory: it flags crude print and screen replays, it does not
 * prove a live person (see docs/accuracy.md for its measured error rates).
 */
export function evaluateLiveness(e: LivenessEvidence): Report {
  const signature = subCheck('payload_signature_verification', e.signature.pass, { reason: e.signature.pass ? undefined : e.signature.detail });
  if (!('face' in e.face)) {
    return report(notAvailable(notAvailableReason(e.face.refusal)), [
      subCheck('face_processing', false, { reason: e.face.detail }),
      signature,
    ]);
  }
  const { face } = e.face;
  const score = face.liveness ?? 0;
  const live = score >= e.threshold;
  const breakdown = [
    subCheck('face_processing', true, { face_size_px: String(Math.round(face.quality.faceSizePx)) }),
    subCheck('liveness_auth', live, { confidence_score: score, threshold: e.threshold, assurance: 'PASSIVE_ADVISORY' }),
    signature,
  ];
  return report(live && e.signature.pass ? approve() : reject(), breakdown);
}

/**
 * Inconclusive when the face's score is near the threshold. A capture without a valid challenge is not: its
 * rejection stands whatever a person would think of the face.
 */
export function livenessInconclusive(e: LivenessEvidence, band: ScoreBand): string | undefined {
  if (!('face' in e.face) || !e.signature.pass) return undefined;
  return inBand(e.face.face.liveness ?? 0, band) ? REVIEW_REASONS.LIVENESS_NEAR_THRESHOLD : undefined;
}

export const liveness = defineCheck({
  type: 'LIVENESS',
  config: Type.Object({
    liveness_type: Type.Union([Type.Literal('STATIC'), Type.Literal('ZOOM')]),
    max_retries: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    manual_check: Type.Optional(ManualCheck),
  }),
  defaults: (config) => {
    config.max_retries ??= 1;
  },
  unsupported: (config) =>
    config.liveness_type === 'ZOOM' ? { property: 'liveness_type', message: 'ZOOM (active 3D) liveness is not performed by openidv; use STATIC' } : null,
  needs: (config) => [{ type: 'SELFIE', maxRetries: config.max_retries }],
  async evaluate(_config, { bundle, evidence }) {
    const resource = bundle.resources.filter((r) => r.type === 'LIVENESS' && r.data.image_media_id).at(-1) ?? null;
    const media = evidence.mediaOf(bundle, resource?.data.image_media_id);
    const found: LivenessEvidence = {
      face: await evidence.faces.singleFace(media),
      signature: await evidence.verifyCapture(bundle, media),
      threshold: evidence.livenessThreshold,
    };
    const inconclusive = livenessInconclusive(found, evidence.reviewBands.liveness);
    return { report: evaluateLiveness(found), resourcesUsed: resource ? [resource.id] : [], ...(inconclusive ? { inconclusive } : {}) };
  },
  reviewed: () => ({ subCheck: 'liveness_auth' }),
});
