import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawSignedFetch } from '../helpers/signing.js';
import { type RunningServer, startServer, type TestApp } from '../helpers/server.js';
import { idvClient, yoti } from '../helpers/yoti.js';

// Seeded mutation fuzzing of the JSON the API accepts: valid bodies with values swapped for odd ones (wrong
// types, huge or control-character strings, prototype keys, deep nesting, internal URLs). No answer may be a
// 5xx. The seed makes a failure reproducible.

let seed = 12345;
const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
const ODD: readonly (() => unknown)[] = [
  () => null, () => -1, () => 0, () => 1e308, () => -0.5, () => 2 ** 53 + 7, () => true, () => '', () => 'x'.repeat(100_000),
  () => '\u0000\ud800', () => '🙂'.repeat(50), () => [], () => [null], () => ({}), () => JSON.parse('{"__proto__": {"admin": true}}'),
  () => [[[[[]]]]], () => '2026-13-45T99:99:99Z', () => '#zzz', () => 'javascript:alert(1)', () => 'http://169.254.169.254/', () => 'CAMERA',
];
const odd = (): unknown => pick(ODD)();
function mutate(v: unknown): unknown {
  if (rnd() < 0.12) return odd();
  if (Array.isArray(v)) return [...v.map(mutate), ...(rnd() < 0.1 ? [odd()] : [])];
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (rnd() > 0.05) o[k] = mutate(x);
    if (rnd() < 0.1) o[pick(['extra', 'type', 'config', 'constructor', 'prototype'])] = odd();
    return o;
  }
  return v;
}

const sdkSpec = () =>
  new yoti.SessionSpecificationBuilder()
    .withClientSessionTokenTtl(600)
    .withResourcesTtl(90000)
    .withUserTrackingId('u')
    .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().withMaxRetries(3).build())
    .withRequestedCheck(new yoti.RequestedFaceMatchCheckBuilder().withManualCheckNever().build())
    .withRequestedCheck(new yoti.RequestedDocumentAuthenticityCheckBuilder().build())
    .withRequestedTask(new yoti.RequestedTextExtractionTaskBuilder().withManualCheckNever().build())
    .withRequiredDocument(
      new yoti.RequiredIdDocumentBuilder()
        .withFilter(new yoti.OrthogonalRestrictionsFilterBuilder().withWhitelistedCountries(['GBR']).withWhitelistedDocumentTypes(['PASSPORT']).build())
        .build(),
    )
    .withSdkConfig(new yoti.SdkConfigBuilder().withAllowsCameraAndUpload().withPrimaryColour('#2d9fff').withSuccessUrl('https://e.test/ok').withErrorUrl('https://e.test/err').build())
    .withNotifications(new yoti.NotificationConfigBuilder().withEndpoint('https://e.test/hook').withAuthToken('a:b').forSessionCompletion().build())
    .build();

describe('API fuzzing', () => {
  let server: RunningServer;
  let app: TestApp;
  beforeAll(async () => {
    server = await startServer({});
    app = await server.createApp('fuzz');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers mutated session, pool and applicant bodies without a 5xx', async () => {
    const failures: string[] = [];
    const statuses = new Set<number>();
    const send = async (method: string, path: string, body?: unknown) => {
      const r = await rawSignedFetch(server.apiUrl, { method, path, ...(body !== undefined ? { body: Buffer.from(JSON.stringify(body)) } : {}), sdkId: app.sdkId, privateKeyPem: app.privateKeyPem });
      statuses.add(r.status);
      if (r.status >= 500) failures.push(`${method} ${path} ${JSON.stringify(body).slice(0, 300)} -> ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      return r;
    };
    const poolId = ((await send('POST', '/pools', { label: 'p', type: 'BLOCKLIST' })).body as { id: string }).id;
    const spec = JSON.parse(JSON.stringify(sdkSpec()));
    for (let i = 0; i < 150; i++) {
      const created = await send('POST', '/sessions', mutate(spec));
      if (created.status === 201) {
        const id = (created.body as { session_id: string }).session_id;
        await send('GET', `/sessions/${id}`);
        await send('GET', `/sessions/${id}/configuration`);
      }
      await send('POST', '/pools', mutate({ label: 'x', type: 'BLOCKLIST', description: 'd', threshold: 0.5 }));
      await send('PATCH', `/pools/${poolId}`, mutate({ label: 'y', threshold: 0.6 }));
      await send('POST', '/applicants', mutate({ external_id: 'e', metadata: { a: 1 } }));
      await send('POST', `/pools/${poolId}/search`, mutate({ media_id: 'm', limit: 10 }));
      await send('POST', `/pools/${poolId}/applicants`, mutate({ applicant_id: 'a' }));
    }
    expect(failures).toEqual([]);
    // The mutations reach both sides of validation.
    expect(statuses).toContain(201);
    expect(statuses).toContain(400);
  }, 120_000);

  it('answers mutated capture calls without a 5xx', async () => {
    const client = idvClient(app, server.apiUrl);
    const failures: string[] = [];
    for (let i = 0; i < 30; i++) {
      const session = await client.createSession(sdkSpec());
      const base = `${server.apiUrl}/client/sessions/${session.getSessionId()}`;
      const call = async (method: string, path: string, init: { json?: unknown; body?: BodyInit; type?: string } = {}) => {
        const type = init.json !== undefined ? 'application/json' : init.type;
        const res = await fetch(base + path, {
          method,
          headers: { 'x-client-session-token': session.getClientSessionToken(), ...(type ? { 'content-type': type } : {}) },
          ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : init.body !== undefined ? { body: init.body } : {}),
        });
        const text = await res.text();
        if (res.status >= 500) failures.push(`${method} ${path} -> ${res.status} ${text.slice(0, 200)}`);
        return { status: res.status, text };
      };
      await call('POST', '/consent', { json: rnd() < 0.5 ? odd() : {} });
      const requirement = JSON.parse((await call('GET', '/configuration')).text).requirements?.find((r: { type: string }) => r.type === 'ID_DOCUMENT');
      const doc = await call('POST', '/documents', { json: mutate({ requirement_id: requirement?.id, document_type: 'PASSPORT', issuing_country: 'GBR' }) });
      const docId = doc.status === 201 ? (JSON.parse(doc.text) as { id: string }).id : 'no-such-document';
      const form = new FormData();
      if (rnd() < 0.8) form.set('image', new Blob([new Uint8Array(Buffer.from(rnd() < 0.5 ? 'abc' : `\xff\xd8\xff\xe0${'x'.repeat(100)}`))]), 'a.jpg');
      for (let k = 0; k < Math.floor(rnd() * 8); k++) form.append(pick(['frames', 'capture_method', 'challenge_id', 'requirement_id', 'image', 'x']), String(odd()).slice(0, 5000));
      await call('POST', `/documents/${docId}/pages`, { body: form });
      await call('POST', `/documents/${docId}/complete`);
      await call('POST', '/challenges', { json: odd() });
      await call('POST', '/documents', { body: 'not json', type: 'application/json' });
      await call('POST', '/liveness', { body: 'not multipart', type: 'multipart/form-data; boundary=zz' });
      await call('POST', '/finish', { json: odd() });
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
