// One error class and one catalogue of stable codes; the HTTP layer renders them in the Yoti shape
// `{code, message, errors?}`.

export interface PropertyError {
  property: string;
  message: string;
}

export const ERRORS = {
  PAYLOAD_VALIDATION: { status: 400, message: 'There were errors validating the payload' },
  UNSUPPORTED_CHECK: { status: 400, message: 'A requested check or task is not supported by this server' },
  UNAUTHORIZED: { status: 401, message: 'The request signature could not be verified' },
  BAD_TOKEN: { status: 401, message: 'The client session token is invalid or has expired' },
  FORBIDDEN: { status: 403, message: 'You may only update resources that you have created' },
  NOT_FOUND: { status: 404, message: 'The requested resource was not found' },
  SESSION_NOT_FOUND: { status: 404, message: 'Session not found' },
  MEDIA_NOT_FOUND: { status: 404, message: 'Media not found' },
  RESOURCE_NOT_FOUND: { status: 404, message: 'Resource not found' },
  APPLICANT_NOT_FOUND: { status: 404, message: 'Applicant not found' },
  FACE_NOT_FOUND: { status: 404, message: 'Face not found' },
  POOL_NOT_FOUND: { status: 404, message: 'Pool not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time' },
  SESSION_EXPIRED: { status: 409, message: 'The session has expired' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state of the resource' },
  SESSION_LIMIT_REACHED: { status: 409, message: 'This session has reached a limit on what it may store' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The content type of the request is not supported' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request URL and headers are too large (16 KB at most)' },
  UNPROCESSABLE_IMAGE: { status: 422, message: 'The image could not be processed' },
  NO_FACE_DETECTED: { status: 422, message: 'No face was found in the image' },
  MULTIPLE_FACES_DETECTED: { status: 422, message: 'Several faces of comparable size were found in the image' },
  FACE_TOO_SMALL: { status: 422, message: 'The face is too small to use' },
  FACE_TOO_BLURRY: { status: 422, message: 'The face is too blurry to use' },
  FACE_POOR_QUALITY: { status: 422, message: 'The face image quality is too poor to use' },
  IMAGE_TOO_LARGE: { status: 422, message: 'The image dimensions exceed the allowed limit' },
  MAX_RETRIES_EXCEEDED: { status: 422, message: 'No capture attempts remain for this resource' },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  ANALYSIS_LIMIT_REACHED: { status: 429, message: 'This session has used all its live feedback analyses' },
  INTERNAL_ERROR: { status: 500, message: 'An unexpected error occurred' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is temporarily unavailable' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly status: number;

  /** Seconds after which the same request may succeed (sent as Retry-After). */
  retryAfterSec?: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly errors?: PropertyError[],
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
  }
}

export function validationError(errors: PropertyError[], message?: string): AppError {
  return new AppError('PAYLOAD_VALIDATION', message, errors);
}
