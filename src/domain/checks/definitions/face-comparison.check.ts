import { Type } from '@sinclair/typebox';
import { defineCheck, ManualCheck } from '../check-definition.js';
import { evaluateFaceMatch, FACE_MATCH_REVIEWED, faceMatchInconclusive } from '../face-match.verdict.js';

/** The selfie against the relying party's reference face (an upload, or an enrolled applicant's face). */
export const faceComparison = defineCheck({
  type: 'FACE_COMPARISON',
  config: Type.Object({ manual_check: Type.Optional(ManualCheck) }),
  // As Yoti documents it, the selfie compared is the one the liveness check takes. Without a check that takes one,
  // the reference face completes the only requirement and the check ends NOT_AVAILABLE at once.
  usesCaptureOf: {
    need: 'SELFIE',
    message:
      "FACE_COMPARISON compares the user's liveness selfie with the reference face, and no check of this session takes a selfie: request a LIVENESS check as well",
  },
  needs: () => [{ type: 'FACE_CAPTURE' }],
  async evaluate(_config, { bundle, evidence }) {
    const selfie = evidence.selfie(bundle);
    const reference =
      bundle.resources.find(
        (r) =>
          r.type === 'FACE_CAPTURE' &&
          r.source === 'RELYING_BUSINESS' &&
          (r.data.image_media_id || r.data.applicant_face_id),
      ) ?? null;
    const referenceFace = reference ? await evidence.referenceFace(bundle, reference) : null;
    const compared = await evidence.compare(await evidence.faces.singleFace(selfie.media), referenceFace, 'INVALID');
    const inconclusive = faceMatchInconclusive(compared, evidence.reviewBands.faceMatch);
    return {
      report: evaluateFaceMatch(compared),
      resourcesUsed: [selfie.resource, reference].filter((r) => r !== null).map((r) => r.id),
      ...(inconclusive ? { inconclusive } : {}),
    };
  },
  reviewed: () => FACE_MATCH_REVIEWED,
});
