import { setTimeout } from 'node:timers/promises';
import {
  BURST_OFFSETS,
  type PhotoBurst,
  type PhotoBurstKind,
  photoBurst,
} from '../../src/tools/liveness-eval/photo-bursts.js';

// The end-user capture API as the web page calls it, authenticated by the client session token.

export interface LivenessOptions {
  /** false: send no challenge fields; 'replay': answer a challenge already used. Default: a fresh one. */
  challenge?: false | { challenge_id: string; nonce: string };
  /**
   * How the burst is made from the photo (photo-bursts.ts). Default: the stand-in, which passes the burst rules.
   * 'raw': the bytes exactly as given, as the still and as every frame (hostile inputs must reach the server).
   */
  kind?: PhotoBurstKind | 'raw';
  /** Fields to add or override (hostile tests). */
  fields?: Record<string, string>;
}
export class ClientApi {
  constructor(
    private readonly apiUrl: string,
    readonly sessionId: string,
    readonly token: string,
  ) {}

  private async request(method: string, path: string, body?: BodyInit, json?: unknown) {
    const res = await fetch(`${this.apiUrl}/client/sessions/${this.sessionId}${path}`, {
      method,
      headers: {
        'x-client-session-token': this.token,
        ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(json !== undefined ? { body: JSON.stringify(json) } : body ? { body } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  }

  private form(image: Buffer, fields: Record<string, string> = {}, frames: Buffer[] = []) {
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array(image)], { type: 'image/jpeg' }), 'image.jpg');
    for (const f of frames) form.append('frames', new Blob([new Uint8Array(f)], { type: 'image/jpeg' }), 'frame.jpg');
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    return form;
  }

  configuration() {
    return this.request('GET', '/configuration');
  }
  consent() {
    return this.request('POST', '/consent');
  }
  challenge(requirementId?: string) {
    return this.request(
      'POST',
      `/challenges${requirementId ? `?requirement_id=${encodeURIComponent(requirementId)}` : ''}`,
    );
  }
  /**
   * A STATIC liveness capture as the page sends it: a challenge, then a burst made from `image` answering it once
   * the burst's time has passed. Bytes that are not an image are sent as they are, as every frame.
   */
  async liveness(image: Buffer, opts: LivenessOptions = {}) {
    const raw: PhotoBurst = {
      image,
      frames: [image, image, image, image],
      stillOffsetMs: 200,
      frameOffsetsMs: [0, 100, 300, 400],
    };
    const burst = opts.kind === 'raw' ? raw : await photoBurst(image, opts.kind).catch(() => raw);
    return this.livenessBurst(burst, opts);
  }
  async livenessBurst(burst: PhotoBurst, opts: Omit<LivenessOptions, 'kind'> = {}) {
    const fields: Record<string, string> = {
      still_offset_ms: String(burst.stillOffsetMs),
      frame_offsets_ms: burst.frameOffsetsMs.join(','),
    };
    if (opts.challenge !== false) {
      let challenge = opts.challenge;
      if (!challenge) {
        const issued = await this.challenge();
        if (issued.status !== 201) return issued; // no consent, no LIVENESS requirement: the refusal is the answer
        challenge = issued.body as { challenge_id: string; nonce: string };
      }
      Object.assign(fields, { challenge_id: challenge.challenge_id, nonce: challenge.nonce });
      if (!opts.challenge) await setTimeout(BURST_OFFSETS.at(-1)! + 100); // no burst answers sooner than it lasts
    }
    return this.request('POST', '/liveness', this.form(burst.image, { ...fields, ...opts.fields }, burst.frames));
  }
  /** One frame of a ZOOM challenge; `fields` replaces the nonce field (hostile tests send none, or others). */
  zoomFrame(challengeId: string, nonce: string, image: Uint8Array, fields?: Record<string, string>) {
    return this.request(
      'POST',
      `/challenges/${encodeURIComponent(challengeId)}/frames`,
      this.form(Buffer.from(image), fields ?? { nonce }),
    );
  }
  faceCapture(image: Buffer) {
    return this.request('POST', '/face-capture', this.form(image));
  }
  analyse(image: Buffer) {
    return this.request('POST', '/analyse', this.form(image));
  }
  createDocument(requirementId: string, documentType: string, country: string) {
    return this.request('POST', '/documents', undefined, {
      requirement_id: requirementId,
      document_type: documentType,
      issuing_country: country,
    });
  }
  page(resourceId: string, image: Buffer, method: 'CAMERA' | 'UPLOAD' = 'CAMERA', frames: Buffer[] = []) {
    return this.request('POST', `/documents/${resourceId}/pages`, this.form(image, { capture_method: method }, frames));
  }
  completeDocument(resourceId: string) {
    return this.request('POST', `/documents/${resourceId}/complete`);
  }
  createSupplementaryDocument(requirementId: string, documentType: string, country?: string) {
    return this.request('POST', '/supplementary-documents', undefined, {
      requirement_id: requirementId,
      document_type: documentType,
      ...(country ? { issuing_country: country } : {}),
    });
  }
  supplementaryPage(resourceId: string, image: Buffer, method: 'CAMERA' | 'UPLOAD' = 'UPLOAD') {
    return this.request(
      'POST',
      `/supplementary-documents/${resourceId}/pages`,
      this.form(image, { capture_method: method }),
    );
  }
  completeSupplementaryDocument(resourceId: string) {
    return this.request('POST', `/supplementary-documents/${resourceId}/complete`);
  }
  progress(step: string) {
    return this.request('POST', '/progress', undefined, { step });
  }
  finish() {
    return this.request('POST', '/finish');
  }
  /** Consent, then a selfie with a fresh challenge, then finish. */
  async selfieAndFinish(image: Buffer) {
    await this.consent();
    const upload = await this.liveness(image);
    if (upload.status !== 201) throw new Error(`liveness upload failed: ${JSON.stringify(upload.body)}`);
    return this.finish();
  }
}
