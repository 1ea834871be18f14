// The end-user capture API as the web page calls it, authenticated by the client session token.
export class ClientApi {
  constructor(
    private readonly apiUrl: string,
    readonly sessionId: string,
    private readonly token: string,
  ) {}

  private async request(method: string, path: string, body?: BodyInit, json?: unknown) {
    const res = await fetch(`${this.apiUrl}/client/sessions/${this.sessionId}${path}`, {
      method,
      headers: { 'x-client-session-token': this.token, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
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
  challenge() {
    return this.request('POST', '/challenges');
  }
  async liveness(image: Buffer, opts: { challenge?: boolean } = {}) {
    const fields: Record<string, string> = {};
    if (opts.challenge !== false) fields.challenge_id = (await this.challenge()).body.challenge_id;
    return this.request('POST', '/liveness', this.form(image, fields));
  }
  faceCapture(image: Buffer) {
    return this.request('POST', '/face-capture', this.form(image));
  }
  analyse(image: Buffer) {
    return this.request('POST', '/analyse', this.form(image));
  }
  createDocument(requirementId: string, documentType: string, country: string) {
    return this.request('POST', '/documents', undefined, { requirement_id: requirementId, document_type: documentType, issuing_country: country });
  }
  page(resourceId: string, image: Buffer, method: 'CAMERA' | 'UPLOAD' = 'CAMERA', frames: Buffer[] = []) {
    return this.request('POST', `/documents/${resourceId}/pages`, this.form(image, { capture_method: method }, frames));
  }
  completeDocument(resourceId: string) {
    return this.request('POST', `/documents/${resourceId}/complete`);
  }
  createSupplementaryDocument(requirementId: string, documentType: string, country?: string) {
    return this.request('POST', '/supplementary-documents', undefined, { requirement_id: requirementId, document_type: documentType, ...(country ? { issuing_country: country } : {}) });
  }
  supplementaryPage(resourceId: string, image: Buffer, method: 'CAMERA' | 'UPLOAD' = 'UPLOAD') {
    return this.request('POST', `/supplementary-documents/${resourceId}/pages`, this.form(image, { capture_method: method }));
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
