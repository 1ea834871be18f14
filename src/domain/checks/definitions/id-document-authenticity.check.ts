import { Type } from '@sinclair/typebox';
import type { Report, ResourceRecord, SessionBundle } from '../../sessions/session.types.js';
import { type CheckEvidence, defineCheck, ManualCheck, type StoredDocumentRead } from '../check-definition.js';
import { documentRecognition } from '../document-recognition.js';
import { REVIEW_REASONS } from '../manual-check.js';
import { approve, notAvailable, reject, report, subCheck } from '../report.js';

/**
 * Only what openidv can verify from the images: the MRZ's check digits, the expiry date, the document number,
 * agreement between the MRZ and the document the user said they hold, and a portrait on the page. Security
 * features (holograms, UV, microprint, chip) are not examined; the report says so.
 */
async function authenticity(
  evidence: CheckEvidence,
  bundle: SessionBundle,
  resource: ResourceRecord,
  read: StoredDocumentRead | null,
): Promise<Report> {
  const scope = { assurance: 'MRZ_AND_IMAGE_ONLY', security_features: 'NOT_CHECKED' };
  if (!read?.mrz) {
    return report(notAvailable(read?.failure?.reason ?? 'UNABLE_TO_LOAD'), [
      subCheck('mrz_validation', false, { reason: read?.failure?.detail, ...scope }),
    ]);
  }
  const mrz = read.mrz;
  const today = new Date(evidence.now()).toISOString().slice(0, 10);
  const inDate = mrz.expiryDate !== null && mrz.expiryDate >= today;
  const numberOk = mrz.checkDigits.some((c) => c.name === 'documentNumber' && c.ok);
  const recognition = documentRecognition(resource, mrz);
  const portrait = await evidence.documents.portrait(bundle, resource, read);
  const filter = bundle.session.requirements.find((r) => r.id === resource.requirementId)?.filter;
  const expiredAllowed = Boolean(filter?.allow_expired_documents);
  const breakdown = [
    subCheck('mrz_validation', true, {
      format: mrz.format,
      corrected_fields: String(mrz.correctedFields.length),
      ...scope,
    }),
    subCheck('doc_number_validation', numberOk),
    subCheck('document_in_date', inDate || expiredAllowed, { expiration_date: mrz.expiryDate ?? 'NOT_IN_MRZ' }),
    recognition.subCheck,
    subCheck('portrait_present', Boolean(portrait)),
  ];
  let recommendation = approve();
  if (!recognition.agrees) recommendation = notAvailable('INCORRECT_DOCUMENT_TYPE');
  else if (!portrait) recommendation = notAvailable('PARTIAL_PHOTO');
  else if (!inDate && !expiredAllowed) recommendation = reject('EXPIRED_DOCUMENT');
  else if (!numberOk) recommendation = notAvailable('INCORRECT_MRZ');
  return report(recommendation, breakdown);
}

export const idDocumentAuthenticity = defineCheck({
  type: 'ID_DOCUMENT_AUTHENTICITY',
  config: Type.Object({
    manual_check: Type.Optional(ManualCheck),
    issuing_authority_sub_check: Type.Optional(
      Type.Object({ requested: Type.Boolean(), filter: Type.Optional(Type.Unknown()) }),
    ),
  }),
  // Java, PHP, .NET and Python can send it. Not requested, it asks for nothing and is dropped (never stored);
  // requested, it would add a sub-check openidv cannot make (it has no register of issuing authorities).
  defaults: (config) => {
    const sub = config.issuing_authority_sub_check as { requested?: unknown } | undefined;
    if (sub && typeof sub === 'object' && sub.requested === false) delete config.issuing_authority_sub_check;
  },
  unsupported: (config) =>
    config.issuing_authority_sub_check?.requested
      ? {
          property: 'issuing_authority_sub_check.requested',
          message: 'openidv does not check the issuing authority of a document',
        }
      : null,
  needs: () => [{ type: 'ID_DOCUMENT' }],
  // It reads the same MRZ as the text extraction task: once that task is done, the reading is on the resource.
  waitsForTasks: true,
  async evaluate(_config, { bundle, evidence }) {
    const resource = bundle.resources.find((r) => r.type === 'ID_DOCUMENT' && r.data.pages?.length);
    if (!resource) return { report: report(notAvailable('DOCUMENT_NOT_FOUND'), []), resourcesUsed: [] };
    const read = await evidence.documents.reading(bundle, resource);
    const verdict = await authenticity(evidence, bundle, resource, read);
    // No result on a captured document: fields the machine could not verify, which a person can read on the page.
    const inconclusive =
      verdict.recommendation.value === 'NOT_AVAILABLE' ? REVIEW_REASONS.DOCUMENT_NOT_VERIFIED : undefined;
    return { report: verdict, resourcesUsed: [resource.id], ...(inconclusive ? { inconclusive } : {}) };
  },
  // The reviewer reads the page and confirms the document carries the data it should (Yoti's sub-check name).
  reviewed: () => ({ subCheck: 'expected_data_present' }),
});
