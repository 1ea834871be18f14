import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientApi } from '../helpers/client-api.js';
import { waitUntilCompleted } from '../helpers/document-session.js';
import { rawHttp } from '../helpers/raw-http.js';
import { type RunningServer, startServer, type TestApp } from '../helpers/server.js';
import { idvClient, signedCall, yoti } from '../helpers/yoti.js';

// A proof of address (SUPPLEMENTARY_DOCUMENT requirement) through the built server: created with the official
// SDK's builders, captured through the client API as the page does, and read back with the SDK's getters
// (getResources().getSupplementaryDocuments(), its pages and media). Then the upload path under hostile input:
// cut bodies, files that are not images, oversize bodies, other sessions' and other apps' ids, and types or
// countries the requirement does not allow.

const BOUNDARY = 'openidvSupplementaryBoundary';

/** A page of a bill: a white sheet with a few lines of text, as a camera or a scanner gives it. */
const billPage = (format: 'jpeg' | 'png', line: string) =>
  sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="620" height="877"><rect width="100%" height="100%" fill="#fff"/><text x="40" y="80" font-size="28">${line}</text><text x="40" y="130" font-size="20">1 High Street, London</text></svg>`,
    ),
  )
    [format]()
    .toBuffer();

describe('supplementary documents through the official SDK', () => {
  let server: RunningServer;
  let app: TestApp;
  let other: TestApp;
  let client: InstanceType<typeof yoti.IDVClient>;

  beforeAll(async () => {
    server = await startServer({ env: { OPENIDV_JOB_POLL_MS: '50' } });
    [app, other] = [await server.createApp('proof-of-address'), await server.createApp('another tenant')];
    client = idvClient(app, server.apiUrl);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  async function open(
    types: string[] | null = ['UTILITY_BILL', 'BANK_STATEMENT'],
    countries: string[] | null = ['GBR', 'IRL'],
    on = client,
  ) {
    let required = new yoti.RequiredSupplementaryDocumentBuilder().withObjective(
      new yoti.ProofOfAddressObjectiveBuilder().build(),
    );
    if (types) required = required.withDocumentTypes(types);
    if (countries) required = required.withCountryCodes(countries);
    const session = await on.createSession(
      new yoti.SessionSpecificationBuilder()
        .withRequiredDocument(required.build())
        .withSdkConfig(new yoti.SdkConfigBuilder().withAllowsCameraAndUpload().build())
        .build(),
    );
    const id: string = session.getSessionId();
    const api = new ClientApi(server.apiUrl, id, session.getClientSessionToken());
    const requirement = (await api.configuration()).body.requirements.find(
      (r: { type: string }) => r.type === 'SUPPLEMENTARY_DOCUMENT',
    );
    return { id, api, requirement, token: session.getClientSessionToken() as string };
  }

  it('captures a proof of address that the SDK reads back, page by page, and completes only once it is in', async () => {
    const { id, api, requirement } = await open();
    const [required] = (await client.getSessionConfiguration(id)).getCapture().getSupplementaryResourceRequirements();
    expect(required.getDocumentTypes()).toEqual(['UTILITY_BILL', 'BANK_STATEMENT']);
    expect(required.getCountryCodes()).toEqual(['GBR', 'IRL']);
    expect(required.getObjective().getType()).toBe('PROOF_OF_ADDRESS');
    expect(required.getState()).toBe('REQUIRED');
    expect(requirement).toMatchObject({
      document_types: ['UTILITY_BILL', 'BANK_STATEMENT'],
      country_codes: ['GBR', 'IRL'],
    });

    const refused = await api.finish();
    expect(refused.status, 'no finishing without the required proof of address').toBe(409);
    expect(refused.body).toMatchObject({ code: 'CONFLICT' });

    const pages = [await billPage('jpeg', 'Your bank statement'), await billPage('png', 'Page 2')];
    const created = await api.createSupplementaryDocument(requirement.id, 'BANK_STATEMENT', 'IRL');
    expect(created.status).toBe(201);
    expect((await api.supplementaryPage(created.body.id, pages[0]!, 'CAMERA')).status).toBe(201);
    expect((await api.supplementaryPage(created.body.id, pages[1]!, 'UPLOAD')).status).toBe(201);
    expect((await api.completeSupplementaryDocument(created.body.id)).body).toEqual({
      id: created.body.id,
      state: 'COMPLETED',
    });
    expect(
      (await client.getSessionConfiguration(id)).getCapture().getSupplementaryResourceRequirements()[0].getState(),
    ).toBe('COMPLETED');
    expect((await api.finish()).body).toMatchObject({ complete: true });
    await waitUntilCompleted(client, id, 30_000);

    const result = await client.getSession(id);
    expect(result.getResources().getIdDocuments()).toEqual([]);
    const [document] = result.getResources().getSupplementaryDocuments();
    expect(document.getId()).toBe(created.body.id);
    expect(document.getDocumentType()).toBe('BANK_STATEMENT');
    expect(document.getIssuingCountry()).toBe('IRL');
    expect(document.getTextExtractionTasks()).toEqual([]);
    expect(document.getDocumentFields(), 'no text is read from it').toBeUndefined();
    expect(document.getDocumentFile()).toBeUndefined();
    expect(document.getPages().map((p: { getCaptureMethod(): string }) => p.getCaptureMethod())).toEqual([
      'CAMERA',
      'UPLOAD',
    ]);
    for (const [i, page] of document.getPages().entries()) {
      expect(page.getMedia().getType()).toBe('IMAGE');
      const media = await client.getMediaContent(id, page.getMedia().getId());
      expect(media.getMimeType()).toBe(i === 0 ? 'image/jpeg' : 'image/png');
      expect(Buffer.from(media.getContent()).equals(pages[i]!)).toBe(true);
    }
    // Another app gets exactly the 404 an unknown id gets.
    const foreign = await signedCall(
      server.apiUrl,
      other,
      'GET',
      `/sessions/${id}/media/${document.getPages()[0].getMedia().getId()}/content`,
    );
    expect(foreign.status).toBe(404);
  }, 60_000);

  it('offers any of the four types and no country when the requirement names none', async () => {
    const { api, requirement } = await open(null, null);
    expect(requirement).toMatchObject({
      document_types: ['UTILITY_BILL', 'BANK_STATEMENT', 'COUNCIL_TAX_BILL', 'PHONE_BILL'],
      country_codes: [],
    });
    expect((await api.createSupplementaryDocument(requirement.id, 'COUNCIL_TAX_BILL')).status).toBe(201);
  });

  describe('hostile input on the upload path', () => {
    it('refuses types and countries the requirement does not allow, by name', async () => {
      const { api, requirement } = await open(['UTILITY_BILL'], ['GBR']);
      for (const [type, country, property] of [
        ['BANK_STATEMENT', 'GBR', 'document_type'],
        ['PASSPORT', 'GBR', 'document_type'],
        ['UTILITY_BILL', 'FRA', 'issuing_country'],
        ['UTILITY_BILL', undefined, 'issuing_country'],
        ['x'.repeat(65), 'GBR', 'document_type'],
      ] as const) {
        const answer = await api.createSupplementaryDocument(requirement.id, type, country);
        expect([answer.status, answer.body.code, answer.body.errors?.[0]?.property]).toEqual([
          400,
          'PAYLOAD_VALIDATION',
          property,
        ]);
      }
      const lowercase = await api.createSupplementaryDocument(requirement.id, 'UTILITY_BILL', 'gbr');
      expect(lowercase.status).toBe(400);
    });

    it('refuses files that are not images, frames, and cut or oversized bodies, keeping nothing', async () => {
      const { id, api, requirement, token } = await open(['UTILITY_BILL'], ['GBR']);
      const doc = (await api.createSupplementaryDocument(requirement.id, 'UTILITY_BILL', 'GBR')).body.id as string;
      const pdf = Buffer.from(
        '%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF\n',
      );
      for (const bytes of [
        pdf,
        Buffer.from('<html><script>alert(1)</script></html>'),
        Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
      ]) {
        const answer = await api.supplementaryPage(doc, bytes);
        expect([answer.status, answer.body.code]).toEqual([422, 'UNPROCESSABLE_IMAGE']);
      }
      const path = `/idverify/v1/client/sessions/${id}/supplementary-documents/${doc}/pages`;
      const headers = { 'x-client-session-token': token, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
      const jpeg = await billPage('jpeg', 'bill');
      const part = (name: string, data: Buffer) =>
        Buffer.concat([
          Buffer.from(
            `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
          ),
          data,
          Buffer.from('\r\n'),
        ]);
      const whole = Buffer.concat([part('image', jpeg), Buffer.from(`--${BOUNDARY}--\r\n`)]);
      const cut = await rawHttp(server.baseUrl, {
        method: 'POST',
        path,
        headers,
        body: whole.subarray(0, Math.floor(whole.length / 2)),
      });
      expect(cut.status).toBe(400);
      expect(JSON.parse(cut.body)).toMatchObject({ code: 'PAYLOAD_VALIDATION' });
      const withFrames = await rawHttp(server.baseUrl, {
        method: 'POST',
        path,
        headers,
        body: Buffer.concat([part('image', jpeg), part('frames', jpeg), Buffer.from(`--${BOUNDARY}--\r\n`)]),
      });
      expect([withFrames.status, JSON.parse(withFrames.body).errors?.[0]?.property]).toEqual([400, 'frames']);
      const oversized = await rawHttp(server.baseUrl, {
        method: 'POST',
        path,
        headers,
        body: Buffer.concat([part('image', Buffer.alloc(16 << 20, 0x41)), Buffer.from(`--${BOUNDARY}--\r\n`)]),
      });
      expect(oversized.status).toBe(413);
      const json = await rawHttp(server.baseUrl, {
        method: 'POST',
        path,
        headers: { ...headers, 'content-type': 'application/json' },
        body: Buffer.from('{"image":"x"}'),
      });
      expect(json.status).toBe(415);
      const raw = (await signedCall(server.apiUrl, app, 'GET', `/sessions/${id}`)).body;
      expect(raw.resources.supplementary_documents).toEqual([expect.objectContaining({ id: doc, pages: [] })]);
      // The server is still well: a real page goes through.
      expect((await api.supplementaryPage(doc, jpeg)).status).toBe(201);
    }, 60_000);

    it("never lets one session's token reach another session's or another app's document", async () => {
      const mine = await open(['UTILITY_BILL'], ['GBR']);
      const theirs = await open(['UTILITY_BILL'], ['GBR'], idvClient(other, server.apiUrl));
      const theirDoc = (await theirs.api.createSupplementaryDocument(theirs.requirement.id, 'UTILITY_BILL', 'GBR')).body
        .id as string;
      const jpeg = await billPage('jpeg', 'bill');
      const page = await mine.api.supplementaryPage(theirDoc, jpeg);
      expect([page.status, page.body.code]).toEqual([404, 'RESOURCE_NOT_FOUND']);
      expect((await mine.api.completeSupplementaryDocument(theirDoc)).status).toBe(404);
      const requirement = await mine.api.createSupplementaryDocument(theirs.requirement.id, 'UTILITY_BILL', 'GBR');
      expect([requirement.status, requirement.body.errors?.[0]?.property]).toEqual([400, 'requirement_id']);
      // Their path with my token: the token opens one session only.
      const borrowed = await new ClientApi(server.apiUrl, theirs.id, mine.token).supplementaryPage(theirDoc, jpeg);
      expect([borrowed.status, borrowed.body.code]).toEqual([401, 'BAD_TOKEN']);
      const raw = (await signedCall(server.apiUrl, other, 'GET', `/sessions/${theirs.id}`)).body;
      expect(raw.resources.supplementary_documents[0].pages).toEqual([]);
    });
  });
});
