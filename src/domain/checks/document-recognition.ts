import { documentTypeRead, isoCountry, typeMatches } from '../documents/document-fields.js';
import type { MrzReading } from '../mrz/mrz-reading.js';
import type { BreakdownItem, ResourceRecord } from '../sessions/session.types.js';
import { subCheck } from './report.js';

/**
 * Whether the MRZ read is the document the user said they hold (the resource's type and issuing country): a Czech
 * passport uploaded as a British driving licence fails it. The document checks and the text data check all report
 * it as `document_recognition`, with what was expected and what was read.
 */
export function documentRecognition(
  resource: ResourceRecord,
  mrz: MrzReading,
): { agrees: boolean; subCheck: BreakdownItem } {
  const countryRead = isoCountry(mrz.issuingState);
  const typeOk = typeMatches(resource.data.document_type, mrz);
  const countryOk = !resource.data.issuing_country || countryRead === resource.data.issuing_country;
  return {
    agrees: typeOk && countryOk,
    subCheck: subCheck('document_recognition', typeOk && countryOk, {
      document_type_expected: resource.data.document_type,
      document_type_read: documentTypeRead(mrz),
      document_code_read: mrz.documentCode,
      issuing_country_expected: resource.data.issuing_country,
      issuing_country_read: countryRead ?? undefined,
    }),
  };
}
