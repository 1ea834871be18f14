import { Type } from '@sinclair/typebox';
import { defineCheck, ManualCheck } from '../check-definition.js';
import { evaluateFaceMatch, FACE_MATCH_REVIEWED, faceMatchInconclusive } from '../face-match.verdict.js';

/** The selfie against the portrait on the ID document (its cropped photo, else the largest face of its first page). */
export const idDocumentFaceMatch = defineCheck({
  type: 'ID_DOCUMENT_FACE_MATCH',
  config: Type.Object({ manual_check: Type.Optional(ManualCheck) }),
  needs: () => [{ type: 'ID_DOCUMENT' }, { type: 'SELFIE' }],
  async evaluate(_config, { bundle, evidence }) {
    const selfie = evidence.selfie(bundle);
    const doc = bundle.resources.find((r) => r.type === 'ID_DOCUMENT' && r.data.pages?.length) ?? null;
    const portrait = evidence.mediaOf(bundle, doc?.data.document_id_photo_media_id ?? doc?.data.pages?.[0]?.media_id);
    const compared = await evidence.compare(
      await evidence.faces.singleFace(selfie.media),
      doc ? await evidence.faces.largestFace(portrait) : null,
      'DOCUMENT_NOT_FOUND',
    );
    const inconclusive = faceMatchInconclusive(compared, evidence.reviewBands.faceMatch);
    return {
      report: evaluateFaceMatch(compared),
      resourcesUsed: [selfie.resource, doc].filter((r) => r !== null).map((r) => r.id),
      ...(inconclusive ? { inconclusive } : {}),
    };
  },
  reviewed: () => FACE_MATCH_REVIEWED,
});
