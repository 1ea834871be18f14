// Messages that depend on data (face issues, document types, upload refusals), drawn from the catalogues.

import { type MessageKey, t } from './i18n/i18n.js';

const FACE_ISSUES = ['NO_FACE', 'MULTIPLE_FACES', 'TOO_FAR', 'BLURRY', 'TOO_DARK', 'TOO_BRIGHT', 'NOT_FACING_CAMERA'];

export function faceAdvice(issues: string[]): string {
  const first = issues[0];
  return t(first && FACE_ISSUES.includes(first) ? (`face.${first}` as MessageKey) : 'face.UNREADABLE');
}

const DOCUMENT_TYPES = ['PASSPORT', 'DRIVING_LICENCE', 'NATIONAL_ID', 'RESIDENCE_PERMIT', 'STATE_ID'];
const known = (type: string) => (DOCUMENT_TYPES.includes(type) ? type : 'OTHER');

/** "Passport", as a label of its own. */
export function documentName(type: string): string {
  return t(`docName.${known(type)}` as MessageKey);
}

/** "passport", inside a sentence (German keeps its capitals). */
export function documentInSentence(type: string): string {
  return t(`docInSentence.${known(type)}` as MessageKey);
}

const PROOF_OF_ADDRESS_TYPES = ['UTILITY_BILL', 'BANK_STATEMENT', 'COUNCIL_TAX_BILL', 'PHONE_BILL'];
const knownProof = (type: string) => (PROOF_OF_ADDRESS_TYPES.includes(type) ? type : 'OTHER');

/** "Utility bill", as a label of its own. */
export function proofOfAddressName(type: string): string {
  return t(`poaName.${knownProof(type)}` as MessageKey);
}

/** "utility bill", inside a sentence. */
export function proofOfAddressInSentence(type: string): string {
  return t(`poaInSentence.${knownProof(type)}` as MessageKey);
}

export interface PageSpec {
  /** For the heading: "Photo page of your passport", "Front of your driving licence". */
  title: string;
  /** "Sending the front". */
  sending: string;
  guide: 'passport' | 'card';
  advice: string;
}

/** Passports have one page to capture (the photo page with the machine-readable zone); cards have two sides. */
export function pagesOf(documentType: string): PageSpec[] {
  if (documentType === 'PASSPORT') {
    return [
      {
        title: t('document.passportPage'),
        sending: t('document.sendingPhoto'),
        guide: 'passport',
        advice: t('document.passportAdvice'),
      },
    ];
  }
  const type = known(documentType);
  return [
    {
      title: t(`document.front.${type}` as MessageKey),
      sending: t('document.sendingFront'),
      guide: 'card',
      advice: t('document.frontAdvice'),
    },
    {
      title: t(`document.back.${type}` as MessageKey),
      sending: t('document.sendingBack'),
      guide: 'card',
      advice: t('document.backAdvice'),
    },
  ];
}

export type CameraProblemKey = 'DENIED' | 'NO_CAMERA' | 'IN_USE' | 'UNSUPPORTED' | 'NEEDS_CAMERA';

export function cameraHelp(problem: CameraProblemKey): string {
  return t(`camera.${problem}` as MessageKey);
}

/** What to tell the user when the server refuses an uploaded image. */
export function uploadRefusal(code: string, status: number): string | null {
  if (code === 'PAYLOAD_TOO_LARGE' || status === 413) return t('upload.tooLarge');
  if (code === 'IMAGE_TOO_LARGE') return t('upload.imageTooLarge');
  if (code === 'UNPROCESSABLE_IMAGE' || code === 'UNSUPPORTED_MEDIA_TYPE') return t('upload.unreadable');
  return null;
}

/** The instruction for a ZOOM step ("Turn your head to your left"). */
export function zoomPrompt(kind: string): string {
  switch (kind) {
    case 'CENTER':
      return t('zoom.step.CENTER');
    case 'TURN_LEFT':
      return t('zoom.step.TURN_LEFT');
    case 'TURN_RIGHT':
      return t('zoom.step.TURN_RIGHT');
    case 'TURN_UP':
      return t('zoom.step.TURN_UP');
    case 'NEAR':
      return t('zoom.step.NEAR');
    default:
      return t('zoom.step.OTHER');
  }
}

/**
 * An arrow beside the instruction, for those who read it less easily. The preview is a mirror, so the user's own
 * left is on the left of the screen.
 */
export function zoomCue(kind: string): string {
  return kind === 'TURN_LEFT' ? '←' : kind === 'TURN_RIGHT' ? '→' : kind === 'TURN_UP' ? '↑' : '';
}

/** Live guidance for a ZOOM frame in which the server could not follow the face. */
export function zoomFaceAdvice(face: string): string {
  return face === 'SEVERAL_FACES' ? t('zoom.face.SEVERAL_FACES') : t('zoom.face.NO_FACE');
}

/** Why a ZOOM attempt failed, in plain words, with what to do differently. */
export function zoomReason(reason: string | undefined): string {
  switch (reason) {
    case 'STEP_LATE':
      return t('zoom.reason.STEP_LATE');
    case 'WRONG_MOVE':
      return t('zoom.reason.WRONG_MOVE');
    case 'TOO_EARLY':
      return t('zoom.reason.TOO_EARLY');
    case 'EXPIRED':
      return t('zoom.reason.EXPIRED');
    default:
      return t('zoom.reason.NOT_CONFIRMED');
  }
}
