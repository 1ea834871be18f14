import type { CheckName, FieldName, MrzFormat } from './mrz-format.js';

/**
 * How much a field can be trusted. 'check-digit': covered by a passing ICAO check digit (its own or the
 * composite). 'format': no check digit covers it, but it was constrained to a closed set (country codes,
 * sex). 'none': free text with no protection at all (names): a misread letter would go unnoticed.
 */
export type FieldVerification = 'check-digit' | 'format' | 'none';

/** A field, or 'checkDigits' for a changed check digit character. */
export type CorrectedPart = FieldName | 'checkDigits';

export interface CheckDigitResult {
  name: CheckName;
  /** The check digit as printed ('<' where ICAO allows a filler). */
  digit: string;
  ok: boolean;
}

export interface MrzReading {
  format: MrzFormat;
  /** Document code as printed, fillers removed: 'P', 'PM', 'I', 'ID', 'AC', 'V'… */
  documentCode: string;
  documentType: 'PASSPORT' | 'ID_CARD' | 'VISA' | 'OTHER';
  issuingState: string;
  documentNumber: string;
  /** null where the layout has no nationality field (French ID). */
  nationality: string | null;
  /** ISO yyyy-mm-dd; null when the MRZ holds an unknown or impossible date (see raw). */
  birthDate: string | null;
  sex: 'M' | 'F' | 'X';
  /** ISO yyyy-mm-dd; null when absent from the layout (French ID) or not a calendar date. */
  expiryDate: string | null;
  /** Optional data fields with fillers removed (personal number for TD3), in layout order. */
  optionalData: string[];
  surname: string;
  givenNames: string;
  /** The accepted MRZ lines, after repair. */
  lines: string[];
  /** The raw date fields, because a date may legitimately contain '<' for an unknown part. */
  raw: { birthDate: string; expiryDate: string | null };
  checkDigits: CheckDigitResult[];
  /** Fields whose characters differ from what OCR read (OCR confusion fixes, filler repairs). */
  correctedFields: CorrectedPart[];
  verification: Partial<Record<FieldName, FieldVerification>>;
  /** Fields that no check digit protects; the names are always here. */
  unverifiedFields: FieldName[];
  /** Country code not in ISO 3166 / ICAO 9303 lists, or the ICAO specimen state UTO. */
  warnings: string[];
}
