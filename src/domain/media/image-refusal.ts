import { AppError, type ErrorCode } from '../errors.js';
import type { ImageErrorCode } from '../ports/face-engine.port.js';

// What a client is told when an image is refused: one fixed, readable message per engine code. The decoder's own
// words (libvips messages can name internal detail) stay in the FaceEngineError message, which only logs see.
const REFUSALS: Record<ImageErrorCode, { code: ErrorCode; message: string }> = {
  IMAGE_UNSUPPORTED_FORMAT: { code: 'UNPROCESSABLE_IMAGE', message: 'The image must be a JPEG, PNG or WebP file' },
  IMAGE_CORRUPT: {
    code: 'UNPROCESSABLE_IMAGE',
    message: 'The image could not be decoded: it is damaged or incomplete',
  },
  IMAGE_TOO_SMALL: { code: 'UNPROCESSABLE_IMAGE', message: 'The image is too small to use' },
  IMAGE_TOO_LARGE: {
    code: 'IMAGE_TOO_LARGE',
    message: 'The image is too large: its dimensions or the memory needed to decode it exceed the limit',
  },
  ENGINE_OVERLOADED: {
    code: 'SERVICE_UNAVAILABLE',
    message: 'The server is busy analysing other images; try again shortly',
  },
  ENGINE_UNAVAILABLE: { code: 'SERVICE_UNAVAILABLE', message: 'Image analysis is not available at the moment' },
};

export function imageRefusal(code: ImageErrorCode): AppError {
  const { code: appCode, message } = REFUSALS[code];
  return new AppError(appCode, message);
}

/** The engine codes that mean the image itself is unusable (as opposed to the engine being unavailable). */
export const IMAGE_ERROR_CODES: ReadonlySet<string> = new Set<ImageErrorCode>([
  'IMAGE_UNSUPPORTED_FORMAT',
  'IMAGE_CORRUPT',
  'IMAGE_TOO_LARGE',
  'IMAGE_TOO_SMALL',
]);
