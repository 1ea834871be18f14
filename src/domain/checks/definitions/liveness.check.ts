import { Type } from '@sinclair/typebox';
import type { AnalysedFace } from '../../ports/face-engine.port.js';
import type { FaceRefusal } from '../../pools/enrolment-gate.js';
import type { Report, ZoomAttempt } from '../../sessions/session.types.js';
import { defineCheck, ManualCheck } from '../check-definition.js';
import { notAvailableReason } from '../face-refusal-reasons.js';
import { inBand, REVIEW_REASONS, type ScoreBand } from '../manual-check.js';
import { approve, notAvailable, reject, report, subCheck } from '../report.js';
import type { BurstVerdict } from '../static-burst.js';

export interface LivenessEvidence {
  /** The single usable face of the capture, or why there is none. */
  face: { face: AnalysedFace } | { refusal: FaceRefusal | 'UNREADABLE' | 'MISSING'; detail: string };
  /** The capture's challenge binding, timing and frame consistency (static-burst.ts). */
  burst: BurstVerdict;
  threshold: number;
}

/**
 * STATIC liveness: a burst of live-camera frames answering a server challenge in its time window, of one live
 * scene (static-burst.ts), with exactly one usable face whose passive liveness score is above the calibrated
 * threshold. The passive score is one signal among these: it flags crude print and screen replays, it does not
 * prove a live person (docs/accuracy.md has its measured error rates). liveness_auth passes only when all do.
 */
export function evaluateLiveness(e: LivenessEvidence): Report {
  const burstDetails = Object.fromEntries(Object.entries(e.burst.details).map(([k, v]) => [k, String(v)]));
  const signature = subCheck('payload_signature_verification', e.burst.pass, {
    ...burstDetails,
    reason: e.burst.pass ? undefined : e.burst.reason,
  });
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
    subCheck('liveness_auth', live && e.burst.pass, {
      confidence_score: score,
      threshold: e.threshold,
      assurance: 'STATIC_BURST',
      reason: !e.burst.pass
        ? 'the capture failed payload_signature_verification'
        : live
          ? undefined
          : 'the passive liveness score is below the threshold',
    }),
    signature,
  ];
  return report(live && e.burst.pass ? approve() : reject(), breakdown);
}

/**
 * Inconclusive when the face's score is near the threshold. A capture without a valid challenge is not: its
 * rejection stands whatever a person would think of the face.
 */
export function livenessInconclusive(e: LivenessEvidence, band: ScoreBand): string | undefined {
  if (!('face' in e.face) || !e.burst.pass) return undefined;
  return inBand(e.face.face.liveness ?? 0, band) ? REVIEW_REASONS.LIVENESS_NEAR_THRESHOLD : undefined;
}

/**
 * ZOOM: Yoti's `liveness_auth`, passed only when every decisive test passed, then each of openidv's tests as a
 * sub-check of its own (the SDKs parse sub-check names as free strings), with its measurements as details.
 */
export function zoomReport(zoom: ZoomAttempt): Report {
  const approved = zoom.result === 'APPROVE';
  const failed = zoom.sub_checks.find((c) => !c.pass && !c.advisory);
  const tests = zoom.sub_checks.map((c) =>
    subCheck(c.name, c.pass, {
      ...Object.fromEntries(c.details.map((d) => [d.name, d.value])),
      ...(c.advisory && { advisory: 'true' }),
      reason: c.reason,
    }),
  );
  return report(approved ? approve() : reject(), [
    subCheck('liveness_auth', approved, {
      assurance: 'ZOOM_CHALLENGE_RESPONSE',
      reason: failed ? `${failed.name}: ${failed.reason}` : undefined,
    }),
    ...tests,
  ]);
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
  needs: (config) => [{ type: 'SELFIE', maxRetries: config.max_retries, livenessType: config.liveness_type }],
  async evaluate(config, { bundle, evidence }) {
    if (config.liveness_type === 'ZOOM') {
      // Decided when the stream ended (zoom-liveness.service.ts); the check reports the last attempt.
      const attempt = bundle.resources.filter((r) => r.type === 'LIVENESS' && r.data.zoom).at(-1) ?? null;
      return attempt?.data.zoom
        ? {
            report: zoomReport(attempt.data.zoom),
            resourcesUsed: [attempt.id],
            generatedMedia: [{ id: attempt.data.zoom.evidence_media_id, type: 'JSON' }],
          }
        : { report: report(notAvailable(notAvailableReason('MISSING')), []), resourcesUsed: [] };
    }
    const resource = bundle.resources.filter((r) => r.type === 'LIVENESS' && r.data.image_media_id).at(-1) ?? null;
    const media = evidence.mediaOf(bundle, resource?.data.image_media_id);
    const found: LivenessEvidence = {
      face: await evidence.faces.singleFace(media),
      burst: await evidence.verifyBurst(bundle, resource),
      threshold: evidence.livenessThreshold,
    };
    const inconclusive = livenessInconclusive(found, evidence.reviewBands.liveness);
    return {
      report: evaluateLiveness(found),
      resourcesUsed: resource ? [resource.id] : [],
      ...(inconclusive ? { inconclusive } : {}),
    };
  },
  reviewed: () => ({ subCheck: 'liveness_auth' }),
});
