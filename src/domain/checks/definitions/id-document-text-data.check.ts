import { Type } from '@sinclair/typebox';
import type { CheckName } from '../../mrz/mrz-format.js';
import type { Report, ResourceRecord } from '../../sessions/session.types.js';
import { defineCheck, type StoredDocumentRead } from '../check-definition.js';
import { documentRecognition } from '../document-recognition.js';
import { approve, notAvailable, report, subCheck } from '../report.js';

/** Each MRZ check digit as a sub-check, named for the field it protects in the extracted fields' words. */
const DIGIT_FIELDS: Record<CheckName, string> = {
  documentNumber: 'document_number',
  birthDate: 'date_of_birth',
  expiryDate: 'expiration_date',
  optionalData1: 'personal_number',
  composite: 'composite',
};

/**
 * The extracted text, judged as Yoti's text data check judges it: readable, its MRZ check digits each passing, and
 * the document it comes from the one the user chose. A document of another type or country (a Czech passport
 * uploaded as a British driving licence) is NOT_AVAILABLE / INCORRECT_DOCUMENT_TYPE, never approved in silence.
 */
export function textDataReport(resource: ResourceRecord, read: StoredDocumentRead | null): Report {
  if (!read?.mrz)
    return report(notAvailable(read?.failure?.reason ?? 'UNABLE_TO_LOAD'), [
      subCheck('text_data_readable', false, { reason: read?.failure?.detail }),
    ]);
  const { mrz } = read;
  const digits = mrz.checkDigits.map((c) =>
    subCheck(`mrz_check_digit_${DIGIT_FIELDS[c.name]}`, c.ok, { check_digit: c.digit }),
  );
  const recognition = documentRecognition(resource, mrz);
  const breakdown = [
    subCheck('text_data_readable', true, {
      source: 'MRZ',
      format: mrz.format,
      names_verified: 'false',
      unverified_fields: mrz.unverifiedFields.join(','),
    }),
    ...digits,
    recognition.subCheck,
  ];
  let recommendation = approve();
  if (!recognition.agrees) recommendation = notAvailable('INCORRECT_DOCUMENT_TYPE');
  else if (digits.some((d) => d.result === 'FAIL')) recommendation = notAvailable('INCORRECT_MRZ');
  return report(recommendation, breakdown);
}

export const idDocumentTextData = defineCheck({
  type: 'ID_DOCUMENT_TEXT_DATA_CHECK',
  config: Type.Object({}),
  // Made by the text extraction for each document whose fields it extracted (its JSON media: only then), as Yoti does.
  generatedBy: {
    task: 'ID_DOCUMENT_TEXT_DATA_EXTRACTION',
    when: (finished) => finished.generatedMedia.some((m) => m.type === 'JSON'),
  },
  needs: () => [],
  async evaluate(_config, { check, bundle, evidence }) {
    const resource = bundle.resources.find((r) => check.resourcesUsed.includes(r.id));
    if (!resource) return { report: report(notAvailable('DOCUMENT_NOT_FOUND'), []), resourcesUsed: [] };
    const fields = resource.data.document_fields_media_id;
    return {
      report: textDataReport(resource, await evidence.documents.reading(bundle, resource)),
      resourcesUsed: [resource.id],
      generatedMedia: fields ? [{ id: fields, type: 'JSON' }] : [],
    };
  },
});
