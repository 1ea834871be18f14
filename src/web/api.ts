// The client capture API (src/http/routes/client.routes.ts), authenticated by the session's client token.
// XMLHttpRequest rather than fetch: only XHR reports upload progress.

import { sleep } from './dom.js';

export interface DocumentChoice {
  code: string;
  supported_documents: { type: string }[];
}

export interface Requirement {
  id: string;
  type: 'ID_DOCUMENT' | 'SUPPLEMENTARY_DOCUMENT' | 'LIVENESS' | 'FACE_CAPTURE' | string;
  state: 'REQUIRED' | 'COMPLETED' | string;
  supported_countries?: DocumentChoice[];
  attempts_remaining?: number;
  /** LIVENESS: the burst (STATIC) or the guided head-movement challenge (ZOOM). */
  liveness_type?: 'STATIC' | 'ZOOM' | string;
  /** ID_DOCUMENT: the filter accepts expired documents. */
  allow_expired_documents?: boolean;
  /** SUPPLEMENTARY_DOCUMENT: the types the user may choose from, and the countries (none: no country asked). */
  document_types?: string[];
  country_codes?: string[];
}

export interface SdkConfig {
  allowed_capture_methods: 'CAMERA' | 'CAMERA_AND_UPLOAD' | string;
  primary_colour: string;
  secondary_colour: string;
  font_colour: string;
  locale: string;
  preset_issuing_country: string | null;
  privacy_policy_url: string | null;
  success_url: string | null;
  error_url: string | null;
  /** EARLY: consent first; JUST_IN_TIME: just before the first face capture. */
  biometric_consent_flow?: 'EARLY' | 'JUST_IN_TIME' | string;
  allow_handoff?: boolean;
  suppressed_screens?: string[];
}

export interface CaptureConfiguration {
  session_id: string;
  client_session_token_ttl: number;
  biometric_consent: string | null;
  biometric_consent_required: boolean;
  /** The user has captured something already (a relying party's own face reference does not count). */
  end_user_started?: boolean;
  sdk_config: SdkConfig;
  requirements: Requirement[];
}

export interface LivenessChallenge {
  challenge_id: string;
  nonce: string;
  expires_at: string;
  step: { index: number; kind: string; frames: number; span_ms: number; min_frames: number; max_frames: number };
}

export type ZoomStepKind = 'CENTER' | 'TURN_LEFT' | 'TURN_RIGHT' | 'TURN_UP' | 'NEAR' | string;

export interface ZoomStep {
  index: number;
  kind: ZoomStepKind;
  timeout_ms: number;
}

/** A ZOOM attempt: only its current step is known; the next one comes in a frame's answer once this one is met. */
export interface ZoomChallenge {
  challenge_id: string;
  nonce: string;
  requirement_id: string;
  liveness_type: 'ZOOM';
  expires_at: string;
  steps_total: number;
  step: ZoomStep;
  frames: { max_side: number; interval_ms: number; max_frames: number };
}

export type ZoomState = 'IN_PROGRESS' | 'PASSED' | 'RETRY' | 'FAILED';

/** The server's answer to one streamed frame. */
export interface ZoomFrameAnswer {
  frame_index: number;
  state: ZoomState;
  steps_met: number;
  steps_total: number;
  step?: ZoomStep;
  step_met?: boolean;
  face?: 'OK' | 'NO_FACE' | 'SEVERAL_FACES' | string;
  reason?: string;
  attempts_remaining?: number;
}

/** A STATIC capture: frames of the live camera around the shutter, the full-resolution still among them. */
export interface LiveBurst {
  challenge: LivenessChallenge;
  still: Blob;
  stillOffsetMs: number;
  frames: { blob: Blob; offsetMs: number }[];
}

export type ReadingCategory = 'GENERIC' | 'RECLASSIFICATION';

export interface DocumentCompletion {
  id: string;
  state: 'COMPLETED' | 'RETRY';
  /** Where the session sets attempts_configuration: how reading the document went (category null: it was read). */
  reading?: { category: ReadingCategory | null; reason: string | null };
  attempts_remaining?: Record<string, number>;
}

export interface Feedback {
  face_count: number;
  usable: boolean;
  issues: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterMs = 0,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** No answer at all (offline, connection reset, timeout) or a temporary server condition. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }

  /** The client token is no longer valid: expired, already used (finished) or wrong. */
  get expired(): boolean {
    return this.status === 401;
  }
}

export interface Handoff {
  handoff_id: string;
  claim_token: string;
  watch_token: string;
  expires_at: string;
}

export interface HandoffStatus {
  state: 'WAITING' | 'CLAIMED' | 'FINISHED' | 'LEFT' | 'EXPIRED' | 'REPLACED';
  requirements_completed: number;
  requirements_total: number;
  error?: string;
}

interface SendOptions {
  json?: unknown;
  headers?: Record<string, string>;
  form?: FormData;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export class CaptureApi {
  constructor(
    private readonly base: string,
    readonly sessionId: string,
    private readonly token: string,
  ) {}

  private send<T>(method: string, path: string, options: SendOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, `${this.base}/client/sessions/${encodeURIComponent(this.sessionId)}${path}`);
      if (this.token) xhr.setRequestHeader('X-Client-Session-Token', this.token);
      for (const [name, value] of Object.entries(options.headers ?? {})) xhr.setRequestHeader(name, value);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.timeout = options.timeoutMs ?? 30_000;
      let body: XMLHttpRequestBodyInit | null = null;
      if (options.json !== undefined) {
        xhr.setRequestHeader('Content-Type', 'application/json');
        body = JSON.stringify(options.json);
      } else if (options.form) {
        body = options.form;
      }
      const onProgress = options.onProgress;
      if (onProgress)
        xhr.upload.addEventListener('progress', (e) => e.lengthComputable && onProgress(e.loaded / e.total));
      xhr.addEventListener('load', () => {
        let parsed: unknown = null;
        try {
          parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null;
        } catch {
          parsed = null;
        }
        if (xhr.status >= 200 && xhr.status < 300) return resolve(parsed as T);
        const error = (parsed ?? {}) as { code?: string; message?: string };
        const retryAfter = Number(xhr.getResponseHeader('Retry-After'));
        reject(
          new ApiError(
            xhr.status,
            error.code ?? `HTTP_${xhr.status}`,
            error.message ?? `The server answered ${xhr.status}`,
            Number.isFinite(retryAfter) ? retryAfter * 1000 : 0,
          ),
        );
      });
      xhr.addEventListener('error', () => reject(new ApiError(0, 'NETWORK', 'The connection failed')));
      xhr.addEventListener('timeout', () => reject(new ApiError(0, 'TIMEOUT', 'The server took too long to answer')));
      xhr.addEventListener('abort', () => reject(new DOMException('The request was cancelled', 'AbortError')));
      options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(body);
    });
  }

  private static form(image: Blob, fields: Record<string, string> = {}): FormData {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append(
      'image',
      image,
      image.type === 'image/png' ? 'image.png' : image.type === 'image/webp' ? 'image.webp' : 'image.jpg',
    );
    return form;
  }

  configuration(): Promise<CaptureConfiguration> {
    return this.send('GET', '/configuration');
  }

  consent(): Promise<{ biometric_consent: string }> {
    return this.send('POST', '/consent');
  }

  /** A fresh liveness challenge for a LIVENESS requirement: its nonce, and what the burst must be. */
  challenge(requirementId: string): Promise<LivenessChallenge> {
    return this.send('POST', `/challenges?requirement_id=${encodeURIComponent(requirementId)}`);
  }

  /** A new ZOOM attempt (same route as the STATIC challenge; a ZOOM requirement answers with its first step). */
  zoomChallenge(requirementId: string): Promise<ZoomChallenge> {
    return this.send('POST', `/challenges?requirement_id=${encodeURIComponent(requirementId)}`);
  }

  /** One camera frame of a ZOOM attempt; the caller sends the next only after this answer. */
  zoomFrame(challenge: ZoomChallenge, image: Blob, signal?: AbortSignal): Promise<ZoomFrameAnswer> {
    const form = CaptureApi.form(image, { nonce: challenge.nonce });
    return this.send('POST', `/challenges/${encodeURIComponent(challenge.challenge_id)}/frames`, {
      form,
      timeoutMs: 20_000,
      ...(signal ? { signal } : {}),
    });
  }

  async createDocument(requirementId: string, documentType: string, issuingCountry: string): Promise<string> {
    const body = { requirement_id: requirementId, document_type: documentType, issuing_country: issuingCountry };
    return (await this.send<{ id: string }>('POST', '/documents', { json: body })).id;
  }

  /** A page of an ID document (`documents`) or of a proof of address (`supplementary-documents`). */
  uploadPage(
    resourceId: string,
    image: Blob,
    method: 'CAMERA' | 'UPLOAD',
    onProgress?: (f: number) => void,
    collection: 'documents' | 'supplementary-documents' = 'documents',
  ): Promise<{ page: number }> {
    const form = CaptureApi.form(image, { capture_method: method });
    return this.send('POST', `/${collection}/${encodeURIComponent(resourceId)}/pages`, {
      form,
      timeoutMs: 120_000,
      ...(onProgress ? { onProgress } : {}),
    });
  }

  async createSupplementaryDocument(
    requirementId: string,
    documentType: string,
    issuingCountry: string | null,
  ): Promise<string> {
    const body = {
      requirement_id: requirementId,
      document_type: documentType,
      ...(issuingCountry ? { issuing_country: issuingCountry } : {}),
    };
    return (await this.send<{ id: string }>('POST', '/supplementary-documents', { json: body })).id;
  }

  completeSupplementaryDocument(resourceId: string): Promise<unknown> {
    return this.send('POST', `/supplementary-documents/${encodeURIComponent(resourceId)}/complete`);
  }

  /** RETRY: the server could not read the document and a try is left (attempts_configuration); take it again. */
  completeDocument(resourceId: string): Promise<DocumentCompletion> {
    return this.send('POST', `/documents/${encodeURIComponent(resourceId)}/complete`, { timeoutMs: 120_000 });
  }

  /** The burst answering its challenge: the still as `image`, the other frames as `frames`, each with its time. */
  uploadLiveness(burst: LiveBurst, requirementId: string, onProgress?: (f: number) => void) {
    const form = CaptureApi.form(burst.still, {
      challenge_id: burst.challenge.challenge_id,
      nonce: burst.challenge.nonce,
      requirement_id: requirementId,
      still_offset_ms: String(burst.stillOffsetMs),
      frame_offsets_ms: burst.frames.map((f) => f.offsetMs).join(','),
    });
    for (const f of burst.frames) form.append('frames', f.blob, 'frame.jpg');
    return this.send<{ attempts_remaining: number; feedback: Feedback }>('POST', '/liveness', {
      form,
      timeoutMs: 120_000,
      ...(onProgress ? { onProgress } : {}),
    });
  }

  uploadFaceCapture(image: Blob, requirementId: string, method: 'CAMERA' | 'UPLOAD', onProgress?: (f: number) => void) {
    const form = CaptureApi.form(image, { requirement_id: requirementId, capture_method: method });
    return this.send<{ feedback: Feedback }>('POST', '/face-capture', {
      form,
      timeoutMs: 120_000,
      ...(onProgress ? { onProgress } : {}),
    });
  }

  analyse(image: Blob, signal: AbortSignal): Promise<Feedback> {
    return this.send('POST', '/analyse', { form: CaptureApi.form(image), signal, timeoutMs: 15_000 });
  }

  progress(step: string): Promise<unknown> {
    return this.send('POST', '/progress', { json: { step } });
  }

  finish(): Promise<{ complete: boolean; redirect_url: string | null }> {
    return this.send('POST', '/finish');
  }

  createHandoff(): Promise<Handoff> {
    return this.send('POST', '/handoff');
  }

  watchHandoff(handoff: Handoff): Promise<HandoffStatus> {
    return this.send('GET', `/handoff/${encodeURIComponent(handoff.handoff_id)}`, {
      headers: { 'X-Handoff-Watch-Token': handoff.watch_token },
    });
  }

  /** The phone's side of a hand-off: the link's claim token, once, for the session's client token (no token yet). */
  static async claimHandoff(base: string, sessionId: string, claimToken: string): Promise<string> {
    const api = new CaptureApi(base, sessionId, '');
    return (
      await api.send<{ client_session_token: string }>('POST', '/handoff/claim', { json: { claim_token: claimToken } })
    ).client_session_token;
  }
}

/** Resolves when the browser believes it is online again (at once if it already does). */
export function whenOnline(): Promise<void> {
  if (navigator.onLine) return Promise.resolve();
  return new Promise((resolve) => window.addEventListener('online', () => resolve(), { once: true }));
}

export interface RetryInfo {
  attempt: number;
  attempts: number;
  delayMs: number;
  error: ApiError;
}

/**
 * Runs `call` again after a temporary failure (no connection, timeout, 429, 5xx) with exponential backoff, waiting
 * for the connection to come back when the browser is offline. Other errors, and the last failure, are thrown.
 */
export async function withRetry<T>(
  call: () => Promise<T>,
  options: { attempts?: number; baseDelayMs?: number; onRetry?: (info: RetryInfo) => void } = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ApiError) || !err.retryable || attempt >= attempts) throw err;
      const backoff = (options.baseDelayMs ?? 1000) * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4);
      const delayMs = Math.min(10_000, Math.max(backoff, err.retryAfterMs));
      options.onRetry?.({ attempt, attempts, delayMs, error: err });
      await whenOnline();
      await sleep(delayMs);
    }
  }
}
