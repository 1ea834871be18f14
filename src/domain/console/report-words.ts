import type { CheckRecord, Recommendation } from '../sessions/session.types.js';

// Check reports in plain words for the console: what each check and sub-check means, and what its outcome says.

const CHECK_NAMES: Record<string, string> = {
  LIVENESS: 'Liveness (passive, advisory)',
  FAMILIAR_FACE_SEARCH: 'Familiar face search',
  ID_DOCUMENT_FACE_MATCH: 'Selfie against the document portrait',
  FACE_COMPARISON: 'Selfie against the reference face',
  ID_DOCUMENT_AUTHENTICITY: 'Document authenticity (MRZ checks)',
  ID_DOCUMENT_TEXT_DATA_EXTRACTION: 'Document text extraction',
  ID_DOCUMENT_TEXT_DATA_CHECK: 'Document text data (MRZ)',
};

const SUB_CHECKS: Record<string, string> = {
  face_processing: 'One usable face was found in the selfie',
  liveness_auth: 'The live-camera burst passed and the passive liveness score reached its threshold',
  payload_signature_verification:
    'A live-camera burst answering a single-use challenge in time, of one moving scene and one person',
  ai_face_match: 'The two faces are similar enough to be the same person',
  manual_face_match: 'A reviewer found the two faces to be the same person',
  face_found_in_pool: 'The face was found in the pool',
  face_not_found_in_pool: 'The face was not found in the pool',
  mrz_validation: 'The MRZ was read and every check digit passed',
  doc_number_validation: 'The document number is well formed',
  document_in_date: 'The document has not expired',
  document_recognition: 'The document is the type and country the user chose',
  portrait_present: 'A portrait was found on the document page',
  expected_data_present: 'A reviewer found the document to carry the data it should',
  security_features: 'Holograms, UV and chip: not checked by openidv',
  text_data_readable: 'The text was read from the MRZ (names carry no check digit)',
  mrz_check_digit_document_number: 'The document number passed its MRZ check digit',
  mrz_check_digit_date_of_birth: 'The date of birth passed its MRZ check digit',
  mrz_check_digit_expiration_date: 'The expiry date passed its MRZ check digit',
  mrz_check_digit_personal_number: 'The personal number passed its MRZ check digit',
  mrz_check_digit_composite: 'The MRZ passed its composite check digit',
};

const REASONS: Record<string, string> = {
  MATCH_FOUND: 'the face matches someone in the pool',
  NO_MATCH_FOUND: 'the face matches no one in the pool',
  NO_FACE_DETECTED: 'no face was found',
  MULTIPLE_FACES: 'more than one face was found',
  INVALID: 'the evidence was missing or invalid',
  DOCUMENT_NOT_FOUND: 'no document portrait to compare with',
};

export function checkName(type: string): string {
  return CHECK_NAMES[type] ?? type;
}

export function subCheckWords(name: string): string {
  return SUB_CHECKS[name] ?? name.replace(/_/g, ' ');
}

/** Why a check was sent to a person (the review item's reason; manual-check.ts REVIEW_REASONS). */
const REVIEW_REASONS: Record<string, string> = {
  ALWAYS: 'manual_check ALWAYS: every result of this check goes to a person',
  FFS_REVIEW_BAND: "The best candidate is in the pool's review band: below the match threshold, but close to it",
  LIVENESS_NEAR_THRESHOLD: 'The liveness score is near its threshold',
  FACE_MATCH_NEAR_THRESHOLD: 'The similarity of the two faces is near the match threshold',
  DOCUMENT_NOT_VERIFIED:
    'The document could not be verified automatically (unreadable MRZ, failed check digit, wrong type, no portrait)',
};

export function reviewReasonWords(reason: string): string {
  return REVIEW_REASONS[reason] ?? reason;
}

export function recommendationWords(r: Recommendation | null, state: string): string {
  if (r && state === 'AWAITING_REVIEW')
    return `Waiting for a reviewer (automated result: ${recommendationWords(r, 'DONE').toLowerCase()})`;
  if (!r || state !== 'DONE') return 'Not finished yet';
  const reason = r.reason ? `: ${REASONS[r.reason] ?? r.reason.toLowerCase().replace(/_/g, ' ')}` : '';
  switch (r.value) {
    case 'APPROVE':
      return 'Approved';
    case 'REJECT':
      return `Rejected${reason}`;
    case 'NOT_AVAILABLE':
      return `No result${reason}`;
    default:
      return `In progress${reason}`;
  }
}

export function checkSummary(check: CheckRecord) {
  return {
    name: checkName(check.type),
    outcome: recommendationWords(check.report?.recommendation ?? null, check.state),
    value: check.state === 'DONE' ? (check.report?.recommendation.value ?? 'NOT_AVAILABLE') : 'PENDING',
    breakdown: (check.report?.breakdown ?? []).map((b) => ({
      label: subCheckWords(b.sub_check),
      subCheck: b.sub_check,
      passed: b.result === 'PASS',
      process: b.process,
      details: b.details,
    })),
  };
}

/** One word for a session's checks: pending while any runs; else the worst outcome. */
export function sessionOutcome(
  checks: { state: string; recommendation: string | null }[],
): 'APPROVE' | 'REJECT' | 'NOT_AVAILABLE' | 'PENDING' | 'NONE' {
  if (!checks.length) return 'NONE';
  if (checks.some((c) => c.state !== 'DONE')) return 'PENDING';
  if (checks.some((c) => c.recommendation === 'REJECT')) return 'REJECT';
  if (checks.some((c) => c.recommendation !== 'APPROVE')) return 'NOT_AVAILABLE';
  return 'APPROVE';
}
