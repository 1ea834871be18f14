import { Type } from '@sinclair/typebox';
import { defineCheck, ManualCheck } from '../check-definition.js';
import { evaluateFaceMatch } from '../face-match.verdict.js';

/** The selfie against the relying party's reference face (an upload, or an enrolled applicant's face). */
export const faceComparison = defineCheck({
  type: 'FACE_COMPARISON',
  config: Type.Object({ manual_check: Type.Optional(ManualCheck) }),
  needs: () => [{ type: 'FACE_CAPTURE' }],
  async evaluate(_config, { bundle, evidence }) {
    const selfie = evidence.selfie(bundle);
    const reference =
      bundle.resources.find((r) => r.type === 'FACE_CAPTURE' && r.source === 'RELYING_BUSINESS' && (r.data.image_media_id || r.data.applicant_face_id)) ?? null;
    const referenceFace = reference ? await evidence.referenceFace(bundle, reference) : null;
    const compared = evidence.compare(await evidence.faces.singleFace(selfie.media), referenceFace, 'INVALID');
    return { report: evaluateFaceMatch(compared), resourcesUsed: [selfie.resource, reference].filter((r) => r !== null).map((r) => r.id) };
  },
});
