// Plain-language text shown to the end user. English only for now (sdk_config.locale is not translated yet).

export const FACE_ADVICE: Record<string, string> = {
  NO_FACE: "We can't see your face. Look straight at the camera and keep your face inside the oval.",
  MULTIPLE_FACES: 'We can see more than one face. Make sure only you are in the picture.',
  TOO_FAR: 'Move a little closer so your face fills the oval.',
  BLURRY: 'The picture is blurry. Hold the phone still, and wipe the camera lens if needed.',
  TOO_DARK: "It's too dark. Move somewhere brighter, facing the light.",
  TOO_BRIGHT: "There's too much light. Move away from bright light behind or beside you.",
  NOT_FACING_CAMERA: 'Turn your face towards the camera and look straight at it.',
  UNREADABLE: "We couldn't read that picture. Please try again.",
};

export const FACE_READY = 'Looks good. Hold still and take your photo.';
export const FACE_WAITING = 'Position your face inside the oval.';

export function faceAdvice(issues: string[]): string {
  const first = issues[0];
  return (first && FACE_ADVICE[first]) || FACE_ADVICE.UNREADABLE!;
}

const DOCUMENT_NAMES: Record<string, string> = {
  PASSPORT: 'Passport',
  DRIVING_LICENCE: 'Driving licence',
  NATIONAL_ID: 'National identity card',
  RESIDENCE_PERMIT: 'Residence permit',
  STATE_ID: 'State ID card',
};

export function documentName(type: string): string {
  return DOCUMENT_NAMES[type] ?? type.charAt(0) + type.slice(1).toLowerCase().replace(/_/g, ' ');
}

export interface PageSpec {
  /** For the heading: "Photo page of your passport", "Front of your driving licence". */
  title: string;
  step: string;
  guide: 'passport' | 'card';
  advice: string;
}

/** Passports have one page to capture (the photo page with the machine-readable zone); cards have two sides. */
export function pagesOf(documentType: string): PageSpec[] {
  const name = documentName(documentType).toLowerCase();
  if (documentType === 'PASSPORT') {
    return [{ title: 'Photo page of your passport', step: 'photo page', guide: 'passport', advice: 'Open your passport at the page with your photo. Fit the whole page in the frame, including the two lines of characters at the bottom.' }];
  }
  return [
    { title: `Front of your ${name}`, step: 'front', guide: 'card', advice: 'Place the front of the card on a dark, flat surface and fit all four corners in the frame.' },
    { title: `Back of your ${name}`, step: 'back', guide: 'card', advice: 'Now turn the card over and fit the back in the frame.' },
  ];
}

export const CAMERA_HELP = {
  DENIED:
    'Camera access is blocked for this page. To allow it, tap the camera or padlock icon in the address bar (or open your browser settings for this site), choose Allow for the camera, then press "Try the camera again".',
  NO_CAMERA: "We couldn't find a camera on this device.",
  IN_USE: 'Your camera is being used by another app. Close that app, then press "Try the camera again".',
  UNSUPPORTED: "This browser can't open the camera here. Try the latest Chrome, Safari, Firefox or Edge.",
  NEEDS_CAMERA: 'This check needs photos taken with a camera. Open this link on a phone or computer with a camera to continue.',
} as const;

/** What to tell the user when the server refuses an uploaded image. */
export function uploadRefusal(code: string, status: number): string | null {
  if (code === 'PAYLOAD_TOO_LARGE' || status === 413) return 'This file is too large. Choose a smaller photo, or take one with the camera.';
  if (code === 'IMAGE_TOO_LARGE') return 'This image is too large. Choose a smaller photo.';
  if (code === 'UNPROCESSABLE_IMAGE' || code === 'UNSUPPORTED_MEDIA_TYPE') return "We couldn't read this image. Choose a JPEG or PNG photo.";
  return null;
}
