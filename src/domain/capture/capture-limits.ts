// Set in config.ts; SessionQuota enforces them.

/** What one client session token may make the server store or compute (the end user is not trusted). */
export interface CaptureLimits {
  /** Images received over the session's life (pages, frames, selfies, face captures), refused ones included. */
  readonly maxUploads: number;
  /** Bytes of images stored for the session. */
  readonly maxUploadBytes: number;
  /** Tracked device events (progress reports and the like) stored for the session. */
  readonly maxEvents: number;
  /** Live-feedback analyses (`/analyse`) over the session's life, and within any one minute. */
  readonly maxAnalyses: number;
  readonly analysesPerMinute: number;
  /** ZOOM liveness frames streamed over the session's life, abandoned challenges included. */
  readonly maxLivenessFrames: number;
}
