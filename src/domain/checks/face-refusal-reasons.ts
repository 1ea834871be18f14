import type { FaceRefusal } from '../pools/enrolment-gate.js';

/** Face-match NOT_AVAILABLE reasons (spec section 5) for an unusable face image. */
export function notAvailableReason(refusal: FaceRefusal | 'UNREADABLE' | 'MISSING'): string {
  switch (refusal) {
    case 'NO_FACE_DETECTED':
      return 'FACE_NOT_FOUND';
    case 'FACE_TOO_SMALL':
      return 'FACE_PHOTO_LOW_RESOLUTION';
    case 'FACE_TOO_BLURRY':
      return 'PHOTO_TOO_BLURRY';
    case 'MULTIPLE_FACES_DETECTED':
    case 'FACE_POOR_QUALITY':
    case 'UNREADABLE':
    case 'MISSING':
      return 'INVALID';
  }
}
