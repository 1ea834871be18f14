import { createRequire } from 'node:module';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postOversize } from '../helpers/oversize.js';
import { rawSignedFetch, signedQuery, signRequest } from '../helpers/signing.js';
import { type RunningServer, startServer, type TestApp } from '../helpers/server.js';

// The official yoti SDK (CommonJS) drives the built server exactly as an integrator's code would.
const require = createRequire(import.meta.url);
const yoti = require('yoti');

let server: RunningServer;
let appA: TestApp;
let appB: TestApp;
let client: InstanceType<typeof yoti.IDVClient>;
let jpeg: Buffer;

function livenessAndFaceComparisonSpec(ttl = 600) {
  return new yoti.SessionSpecificationBuilder()
    .withClientSessionTokenTtl(ttl)
    .withResourcesTtl(ttl + 86400)
    .withUserTrackingId('user-42')
    .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().withMaxRetries(3).build())
    .withRequestedCheck(new yoti.RequestedFaceComparisonCheckBuilder().withManualCheckNever().build())
    .withSdkConfig(
      new yoti.SdkConfigBuilder()
        .withAllowsCameraAndUpload()
        .withPrimaryColour('#2d9fff')
        .withSuccessUrl('https://example.test/ok')
        .withErrorUrl('https://example.test/err')
        .build(),
    )
    .withNotifications(
      new yoti.NotificationConfigBuilder()
        .withEndpoint('https://example.test/hook')
        .withAuthToken('user:pass')
        .forSessionCompletion()
        .build(),
    )
    .build();
}

async function expectIdvError(promise: Promise<unknown>, status: number, code?: string) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e as { getResponseStatusCode(): number; getResponseBody(): { code?: string } },
  );
  expect(err, 'expected the SDK call to fail').not.toBeNull();
  expect(err!.getResponseStatusCode()).toBe(status);
  if (code) expect(err!.getResponseBody()?.code).toBe(code);
}

beforeAll(async () => {
  server = await startServer({ env: { OPENIDV_MIN_TOKEN_TTL: '1', OPENIDV_BODY_LIMIT: String(2 * 1024 * 1024) } });
  appA = await server.createApp('app A');
  appB = await server.createApp('app B');
  client = new yoti.IDVClient(appA.sdkId, appA.privateKeyPem, { apiUrl: server.apiUrl });
  jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#c08060' } })
    .jpeg()
    .toBuffer();
});

afterAll(async () => {
  await server?.stop();
});

describe('sessions through the official yoti SDK', () => {
  it('creates, reads, configures, captures, serves media and deletes a session', async () => {
    const created = await client.createSession(livenessAndFaceComparisonSpec());
    const sessionId: string = created.getSessionId();
    expect(created.getClientSessionToken()).toMatch(/\S+/);
    expect(created.getClientSessionTokenTtl()).toBe(600);

    const result = await client.getSession(sessionId);
    expect(result.getState()).toBe('ONGOING');
    expect(result.getUserTrackingId()).toBe('user-42');
    expect(Number.isInteger(result.getClientSessionTokenTtl())).toBe(true);
    expect(result.getClientSessionTokenTtl()).toBeLessThanOrEqual(600);
    expect(
      result
        .getChecks()
        .map((c: { getType(): string }) => c.getType())
        .sort(),
    ).toEqual(['FACE_COMPARISON', 'LIVENESS']);
    for (const check of result.getChecks()) expect(check.getState()).toBe('CREATED');
    expect(result.getLivenessChecks()).toHaveLength(1);

    const configuration = await client.getSessionConfiguration(sessionId);
    expect(configuration.getSessionId()).toBe(sessionId);
    const required = configuration.getCapture().getRequiredResources();
    const faceCapture = required.find((r: { getType(): string }) => r.getType() === 'FACE_CAPTURE');
    const liveness = required.find((r: { getType(): string }) => r.getType() === 'LIVENESS');
    expect(liveness.getLivenessType()).toBe('STATIC');
    expect(faceCapture.getState()).toBe('REQUIRED');

    const resource = await client.createFaceCaptureResource(
      sessionId,
      new yoti.CreateFaceCaptureResourcePayloadBuilder().withRequirementId(faceCapture.getId()).build(),
    );
    expect(resource.getFrames()).toBe(1);
    await client.uploadFaceCaptureImage(
      sessionId,
      resource.getId(),
      new yoti.UploadFaceCaptureImagePayloadBuilder().forJpegImage().withImageContents(jpeg).build(),
    );

    const after = await client.getSession(sessionId);
    const captures = after.getResources().getFaceCaptureResources();
    expect(captures).toHaveLength(1);
    const mediaId = captures[0].getImage().getMedia().getId();
    const media = await client.getMediaContent(sessionId, mediaId);
    expect(media.getMimeType()).toBe('image/jpeg');
    expect(Buffer.compare(Buffer.from(media.getContent()), jpeg)).toBe(0);

    const configAfter = await client.getSessionConfiguration(sessionId);
    const faceAfter = configAfter
      .getCapture()
      .getRequiredResources()
      .find((r: { getId(): string }) => r.getId() === faceCapture.getId());
    expect(faceAfter.getState()).toBe('COMPLETED');

    const devices = await client.getSessionTrackedDevices(sessionId);
    expect(devices.getDeviceEvents().map((d: { getEvent(): string }) => d.getEvent())).toContain('RESOURCE_CREATED');
    await client.deleteSessionTrackedDevices(sessionId);
    expect((await client.getSessionTrackedDevices(sessionId)).getDeviceEvents()).toHaveLength(0);

    await client.deleteMediaContent(sessionId, mediaId);
    await expectIdvError(client.getMediaContent(sessionId, mediaId), 404, 'MEDIA_NOT_FOUND');

    await client.deleteSession(sessionId);
    await expectIdvError(client.getSession(sessionId), 404, 'SESSION_NOT_FOUND');
    expect(await server.cli(['apps', 'list', '--json'])).toContain(appA.sdkId);
  });

  it('lists supported documents without authentication', async () => {
    const docs = await client.getSupportedDocuments(true);
    const gbr = docs.getSupportedCountries().find((c: { getCode(): string }) => c.getCode() === 'GBR');
    expect(gbr.getSupportedDocuments().map((d: { getType(): string }) => d.getType())).toContain('PASSPORT');
    const res = await fetch(`${server.apiUrl}/supported-documents`);
    expect(res.status).toBe(200);
  });

  it('answers signed RequestBuilder calls', async () => {
    const created = await client.createSession(livenessAndFaceComparisonSpec());
    const response = await new yoti.RequestBuilder()
      .withBaseUrl(server.apiUrl)
      .withPemString(appA.privateKeyPem)
      .withEndpoint(`/sessions/${created.getSessionId()}`)
      .withQueryParam('sdkId', appA.sdkId)
      .withGet()
      .build()
      .execute();
    expect(response.getStatusCode()).toBe(200);
    expect(response.getParsedResponse().session_id).toBe(created.getSessionId());
  });

  it('rejects invalid specifications with property paths and unsupported checks with 400', async () => {
    const bad = {
      client_session_token_ttl: 600,
      requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'BLINK' } }],
    };
    const res = await rawSignedFetch(server.apiUrl, {
      method: 'POST',
      path: '/sessions',
      body: Buffer.from(JSON.stringify(bad)),
      sdkId: appA.sdkId,
      privateKeyPem: appA.privateKeyPem,
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_VALIDATION' });
    expect((res.body as { errors: { property: string }[] }).errors.map((e) => e.property)).toContain(
      'requested_checks[0].config.liveness_type',
    );

    const watchlist = new yoti.SessionSpecificationBuilder()
      .withRequestedCheck(new yoti.RequestedWatchlistScreeningCheckBuilder().withAdverseMediaCategory().build())
      .build();
    await expectIdvError(client.createSession(watchlist), 400, 'UNSUPPORTED_CHECK');

    // FACE_COMPARISON compares the liveness selfie: alone it would complete at once with NOT_AVAILABLE.
    const comparisonAlone = new yoti.SessionSpecificationBuilder()
      .withRequestedCheck(new yoti.RequestedFaceComparisonCheckBuilder().withManualCheckNever().build())
      .build();
    const refused = await client.createSession(comparisonAlone).then(
      () => null,
      (e: { getResponseStatusCode(): number; getResponseBody(): unknown }) => e,
    );
    expect(refused?.getResponseStatusCode()).toBe(400);
    expect(refused?.getResponseBody()).toMatchObject({
      code: 'PAYLOAD_VALIDATION',
      errors: [
        { property: 'requested_checks[0].type', message: expect.stringContaining('request a LIVENESS check as well') },
      ],
    });
  });

  it('expires a session when the token lifetime ends with captures incomplete', async () => {
    const created = await client.createSession(livenessAndFaceComparisonSpec(1));
    await new Promise((r) => setTimeout(r, 1500));
    const result = await client.getSession(created.getSessionId());
    expect(result.getState()).toBe('EXPIRED');
    expect(result.getClientSessionTokenTtl()).toBe(0);
    const configuration = await client.getSessionConfiguration(created.getSessionId());
    const faceCapture = configuration
      .getCapture()
      .getRequiredResources()
      .find((r: { getType(): string }) => r.getType() === 'FACE_CAPTURE');
    await expectIdvError(
      client.createFaceCaptureResource(
        created.getSessionId(),
        new yoti.CreateFaceCaptureResourcePayloadBuilder().withRequirementId(faceCapture.getId()).build(),
      ),
      409,
      'SESSION_EXPIRED',
    );
  });
});

describe('authentication and tenancy', () => {
  let sessionId: string;
  const body = Buffer.from(JSON.stringify({ client_session_token_ttl: 600 }));

  beforeAll(async () => {
    sessionId = (await client.createSession(livenessAndFaceComparisonSpec())).getSessionId();
  });

  it('rejects a tampered body', async () => {
    const res = await rawSignedFetch(server.apiUrl, {
      method: 'POST',
      path: '/sessions',
      body,
      sdkId: appA.sdkId,
      privateKeyPem: appA.privateKeyPem,
      tamper: (s) => ({ ...s, body: Buffer.from(JSON.stringify({ client_session_token_ttl: 900 })) }),
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('rejects a tampered query', async () => {
    const res = await rawSignedFetch(server.apiUrl, {
      method: 'GET',
      path: `/sessions/${sessionId}`,
      sdkId: appA.sdkId,
      privateKeyPem: appA.privateKeyPem,
      tamper: (s) => ({ ...s, path: s.path.replace(/nonce=[^&]+/, 'nonce=tampered') }),
    });
    expect(res.status).toBe(401);
  });

  it('rejects a request signed with the wrong key and one without a signature', async () => {
    const res = await rawSignedFetch(server.apiUrl, {
      method: 'GET',
      path: `/sessions/${sessionId}`,
      sdkId: appA.sdkId,
      privateKeyPem: appB.privateKeyPem,
    });
    expect(res.status).toBe(401);
    const unsigned = await fetch(`${server.apiUrl}/sessions/${sessionId}?sdkId=${appA.sdkId}`);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it("answers another app's session id exactly like an unknown one", async () => {
    const clientB = new yoti.IDVClient(appB.sdkId, appB.privateKeyPem, { apiUrl: server.apiUrl });
    await expectIdvError(clientB.getSession(sessionId), 404, 'SESSION_NOT_FOUND');
    await expectIdvError(clientB.getSession('00000000-0000-0000-0000-000000000000'), 404, 'SESSION_NOT_FOUND');
    await expectIdvError(clientB.deleteSession(sessionId), 404, 'SESSION_NOT_FOUND');
    await expectIdvError(clientB.getSessionConfiguration(sessionId), 404, 'SESSION_NOT_FOUND');
    expect((await client.getSession(sessionId)).getState()).toBe('ONGOING');
  });

  it('answers 415 to a wrong content type and 413 to an oversize body', async () => {
    const wrongType = await rawSignedFetch(server.apiUrl, {
      method: 'POST',
      path: '/sessions',
      body,
      contentType: 'text/plain',
      sdkId: appA.sdkId,
      privateKeyPem: appA.privateKeyPem,
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    const huge = Buffer.alloc(3 * 1024 * 1024, 0x20);
    const path = `/sessions?${signedQuery(appA.sdkId)}`;
    const digest = signRequest('POST', path, huge, appA.privateKeyPem);
    const tooLarge = await postOversize(
      `${server.apiUrl}${path}`,
      { 'x-yoti-auth-digest': digest, 'content-type': 'application/json' },
      huge.length,
    );
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('stops accepting a revoked app at once', async () => {
    const app = await server.createApp('to revoke');
    const revocable = new yoti.IDVClient(app.sdkId, app.privateKeyPem, { apiUrl: server.apiUrl });
    const id = (await revocable.createSession(livenessAndFaceComparisonSpec())).getSessionId();
    await server.cli(['apps', 'revoke', app.sdkId]);
    await expectIdvError(revocable.getSession(id), 401, 'UNAUTHORIZED');
  });
});
