import type { StoredDocumentRead } from '../checks/check-definition.js';
import { documentRecognition } from '../checks/document-recognition.js';
import type { SessionSpec } from '../sessions/session-spec.types.js';
import type { Requirement, ResourceRecord } from '../sessions/session.types.js';

// sdk_config.attempts_configuration.ID_DOCUMENT_TEXT_DATA_EXTRACTION: how many times the user may capture an ID
// document again when reading it fails, per category of failure. The document is read when the user completes
// it (the reading the text extraction task and the document checks use later, so it is made once); a failure
// with a try left in its category sends the user back to capture it again, and counts. With none left the
// document goes on as it is, and the extraction reports why it could not read it.

/** The categories openidv can tell apart, and what makes a reading fall in each. Others are refused. */
export const TEXT_ATTEMPT_CATEGORIES = {
  GENERIC:
    'no machine-readable zone could be read (blur, glare, darkness, too small, cut off) on a passport, identity card or residence permit',
  RECLASSIFICATION:
    'the machine-readable zone says the document is another type or country than the one the user chose',
} as const;

export type TextAttemptCategory = keyof typeof TEXT_ATTEMPT_CATEGORIES;

/** Document types that carry an ICAO machine-readable zone, the only text openidv reads. */
const MRZ_TYPES = ['PASSPORT', 'NATIONAL_ID', 'RESIDENCE_PERMIT'];

/** The tries the session allows per category, or null when it sets none (no retries: the first capture goes on). */
export function attemptLimits(spec: SessionSpec): Partial<Record<TextAttemptCategory, number>> | null {
  const limits = spec.sdk_config.attempts_configuration?.ID_DOCUMENT_TEXT_DATA_EXTRACTION;
  return limits && Object.keys(limits).length ? (limits as Partial<Record<TextAttemptCategory, number>>) : null;
}

/** Failed readings counted against the requirement, over every capture the user made for it. */
export function attemptsUsed(
  requirement: Requirement,
  resources: ResourceRecord[],
): Partial<Record<TextAttemptCategory, number>> {
  const used: Partial<Record<TextAttemptCategory, number>> = {};
  for (const r of resources) {
    if (r.requirementId !== requirement.id) continue;
    for (const [category, n] of Object.entries(r.data.text_attempts ?? {}))
      used[category as TextAttemptCategory] = (used[category as TextAttemptCategory] ?? 0) + n;
  }
  return used;
}

/** Yoti's `attempts_remaining` of an ID_DOCUMENT requirement: each configured category, counting down; {} when none is. */
export function attemptsRemaining(
  spec: SessionSpec,
  requirement: Requirement,
  resources: ResourceRecord[],
): Record<string, number> {
  const limits = attemptLimits(spec) ?? {};
  const used = attemptsUsed(requirement, resources);
  return Object.fromEntries(
    Object.entries(limits).map(([category, limit]) => [
      category,
      Math.max(0, (limit ?? 0) - (used[category as TextAttemptCategory] ?? 0)),
    ]),
  );
}

/** Why this reading would make the user try again, and in which category; null when it is good enough. */
export function readingFailure(
  resource: ResourceRecord,
  read: StoredDocumentRead | null,
): { category: TextAttemptCategory; reason: string } | null {
  if (read?.mrz)
    return documentRecognition(resource, read.mrz).agrees
      ? null
      : { category: 'RECLASSIFICATION', reason: 'INCORRECT_DOCUMENT_TYPE' };
  // A driving licence has no machine-readable zone to read: capturing it again would not change that.
  if (!MRZ_TYPES.includes(resource.data.document_type ?? '')) return null;
  return { category: 'GENERIC', reason: read?.failure?.reason ?? 'UNABLE_TO_LOAD' };
}
