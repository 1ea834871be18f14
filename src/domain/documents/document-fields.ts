import type { MrzReading } from '../mrz/mrz-reading.js';

// The extracted document fields, as the JSON media linked from `document_fields` (Yoti's field names), plus
// what each value rests on: names carry no check digit, so they are flagged as unverified.

const GENDER = { M: 'MALE', F: 'FEMALE', X: 'OTHER' } as const;

/** ICAO 9303 uses one-letter codes for Germany ('D'); everything else is already ISO 3166 alpha-3. */
export function isoCountry(code: string | null): string | null {
  if (code === null) return null;
  const trimmed = code.replace(/<+$/, '');
  return trimmed === 'D' ? 'DEU' : trimmed;
}

const MRZ_DOCUMENT_TYPE: Record<MrzReading['documentType'], string> = {
  PASSPORT: 'PASSPORT',
  ID_CARD: 'NATIONAL_ID',
  VISA: 'VISA',
  OTHER: 'OTHER',
};

/** The document type the MRZ says, in Yoti's words (PASSPORT, NATIONAL_ID…). */
export const documentTypeRead = (mrz: MrzReading): string => MRZ_DOCUMENT_TYPE[mrz.documentType];

export function documentFields(mrz: MrzReading) {
  const given = mrz.givenNames.trim();
  const family = mrz.surname.trim();
  const lineKeys = ['line1', 'line2', 'line3'];
  return {
    full_name: [given, family].filter(Boolean).join(' '),
    given_names: given,
    family_name: family,
    ...(mrz.birthDate ? { date_of_birth: mrz.birthDate } : {}),
    gender: GENDER[mrz.sex],
    ...(mrz.nationality ? { nationality: isoCountry(mrz.nationality) } : {}),
    issuing_country: isoCountry(mrz.issuingState),
    document_type: documentTypeRead(mrz),
    document_number: mrz.documentNumber,
    ...(mrz.expiryDate ? { expiration_date: mrz.expiryDate } : {}),
    ...(mrz.optionalData.some(Boolean) ? { personal_number: mrz.optionalData.filter(Boolean).join(' ') } : {}),
    mrz: { type: mrz.format, ...Object.fromEntries(mrz.lines.map((line, i) => [lineKeys[i], line])) },
    verification: {
      method: 'MRZ_CHECK_DIGITS',
      names_verified: false,
      note: 'Names are not protected by any MRZ check digit; compare them with the printed page before relying on them.',
      fields: mrz.verification,
      unverified_fields: mrz.unverifiedFields,
      corrected_fields: mrz.correctedFields,
      warnings: mrz.warnings,
    },
  };
}

/**
 * Yoti's expanded document fields (create_expanded_document_fields): each extracted field with where it was read
 * and its script. openidv reads only the MRZ, in Latin script, so every field has source MRZ and locale "la"; the
 * fields are those of document_fields, without the MRZ lines and openidv's verification notes.
 */
export function expandedDocumentFields(mrz: MrzReading) {
  const { mrz: _lines, verification: _notes, document_type: _type, ...fields } = documentFields(mrz);
  return {
    fields: Object.entries(fields)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
      .map(([name, value]) => ({ name, value, locale: 'la', source: 'MRZ' })),
  };
}

/** Does the MRZ document code fit the document type the user chose? */
export function typeMatches(chosen: string | undefined, mrz: MrzReading): boolean {
  if (!chosen) return true;
  const code = mrz.documentCode;
  switch (chosen) {
    case 'PASSPORT':
      return code.startsWith('P');
    case 'NATIONAL_ID':
    case 'STATE_ID':
      return /^[ACI]/.test(code) || mrz.documentType === 'ID_CARD';
    case 'RESIDENCE_PERMIT':
      return /^[ACIR]/.test(code);
    default:
      // Driving licences carry no ICAO MRZ.
      return false;
  }
}
