import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawRequest, rawHttp } from '../helpers/raw-http.js';
import { rawSignedFetch, signedQuery, signRequest } from '../helpers/signing.js';
import { type RunningServer, startServer, type TestApp } from '../helpers/server.js';
import { idvClient, signedCall, yoti } from '../helpers/yoti.js';

// Seeded mutation fuzzing of the JSON the API accepts: valid bodies with values swapped for odd ones (wrong
// types, huge or control-character strings, prototype keys, deep nesting, internal URLs); of the multipart
// uploads (cut, oversized, mis-declared, interleaved and repeated parts, parts without a filename, huge header
// lines); and of what strangers send (bodies of any type and size with no, forged or borrowed credentials).
// No answer may be a 5xx. The seed makes a failure reproducible.

let seed = 12345;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
const ODD: readonly (() => unknown)[] = [
  () => null,
  () => -1,
  () => 0,
  () => 1e308,
  () => -0.5,
  () => 2 ** 53 + 7,
  () => true,
  () => '',
  () => 'x'.repeat(100_000),
  () => '\u0000\ud800',
  () => '🙂'.repeat(50),
  () => [],
  () => [null],
  () => ({}),
  () => JSON.parse('{"__proto__": {"admin": true}}'),
  () => [[[[[]]]]],
  () => '2026-13-45T99:99:99Z',
  () => '#zzz',
  () => 'javascript:alert(1)',
  () => 'http://169.254.169.254/',
  () => 'CAMERA',
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
        .withFilter(
          new yoti.OrthogonalRestrictionsFilterBuilder()
            .withWhitelistedCountries(['GBR'])
            .withWhitelistedDocumentTypes(['PASSPORT'])
            .build(),
        )
        .build(),
    )
    .withSdkConfig(
      new yoti.SdkConfigBuilder()
        .withAllowsCameraAndUpload()
        .withPrimaryColour('#2d9fff')
        .withSuccessUrl('https://e.test/ok')
        .withErrorUrl('https://e.test/err')
        .build(),
    )
    .withNotifications(
      new yoti.NotificationConfigBuilder()
        .withEndpoint('https://e.test/hook')
        .withAuthToken('a:b')
        .forSessionCompletion()
        .build(),
    )
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
      const r = await rawSignedFetch(server.apiUrl, {
        method,
        path,
        ...(body !== undefined ? { body: Buffer.from(JSON.stringify(body)) } : {}),
        sdkId: app.sdkId,
        privateKeyPem: app.privateKeyPem,
      });
      statuses.add(r.status);
      if (r.status >= 500)
        failures.push(
          `${method} ${path} ${JSON.stringify(body).slice(0, 300)} -> ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`,
        );
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
      const call = async (
        method: string,
        path: string,
        init: { json?: unknown; body?: BodyInit; type?: string } = {},
      ) => {
        const type = init.json !== undefined ? 'application/json' : init.type;
        const res = await fetch(base + path, {
          method,
          headers: {
            'x-client-session-token': session.getClientSessionToken(),
            ...(type ? { 'content-type': type } : {}),
          },
          ...(init.json !== undefined
            ? { body: JSON.stringify(init.json) }
            : init.body !== undefined
              ? { body: init.body }
              : {}),
        });
        const text = await res.text();
        if (res.status >= 500) failures.push(`${method} ${path} -> ${res.status} ${text.slice(0, 200)}`);
        return { status: res.status, text };
      };
      await call('POST', '/consent', { json: rnd() < 0.5 ? odd() : {} });
      const requirement = JSON.parse((await call('GET', '/configuration')).text).requirements?.find(
        (r: { type: string }) => r.type === 'ID_DOCUMENT',
      );
      const doc = await call('POST', '/documents', {
        json: mutate({ requirement_id: requirement?.id, document_type: 'PASSPORT', issuing_country: 'GBR' }),
      });
      const docId = doc.status === 201 ? (JSON.parse(doc.text) as { id: string }).id : 'no-such-document';
      const form = new FormData();
      if (rnd() < 0.8)
        form.set(
          'image',
          new Blob([new Uint8Array(Buffer.from(rnd() < 0.5 ? 'abc' : `\xff\xd8\xff\xe0${'x'.repeat(100)}`))]),
          'a.jpg',
        );
      for (let k = 0; k < Math.floor(rnd() * 8); k++)
        form.append(
          pick([
            'frames',
            'capture_method',
            'challenge_id',
            'nonce',
            'still_offset_ms',
            'frame_offsets_ms',
            'requirement_id',
            'image',
            'x',
          ]),
          String(odd()).slice(0, 5000),
        );
      await call('POST', `/documents/${docId}/pages`, { body: form });
      await call('POST', `/documents/${docId}/complete`);
      await call('POST', '/challenges', { json: odd() });
      await call('POST', '/documents', { body: 'not json', type: 'application/json' });
      await call('POST', '/liveness', { body: 'not multipart', type: 'multipart/form-data; boundary=zz' });
      await call('POST', '/finish', { json: odd() });
    }
    expect(failures).toEqual([]);
  }, 120_000);

  /** A multipart body drawn from a well-formed upload, with one or more of the mutations an attacker would try. */
  function mutatedMultipart(fileField: string): { body: Buffer; type: string; label: string } {
    const boundary = `fz${Math.floor(rnd() * 1e9)}`;
    const parts: { name: string; filename: string | null; data: Buffer; pad: number }[] = [
      { name: 'capture_method', filename: null, data: Buffer.from('UPLOAD'), pad: 0 },
      { name: fileField, filename: 'a.jpg', data: Buffer.from(`\xff\xd8\xff\xe0${'x'.repeat(200)}`, 'latin1'), pad: 0 },
      { name: 'frames', filename: 'f.jpg', data: Buffer.from('frame'), pad: 0 },
    ];
    const labels: string[] = [];
    const mutations: [string, () => void][] = [
      ['duplicate', () => parts.push({ ...pick(parts) })],
      [
        'interleave',
        () =>
          parts.splice(Math.floor(rnd() * parts.length), 0, {
            name: pick(['challenge_id', 'nonce', 'frame_offsets_ms', 'requirement_id', 'x']),
            filename: null,
            data: Buffer.from(String(odd()).slice(0, 3000)),
            pad: 0,
          }),
      ],
      ['no-filename', () => (pick(parts).filename = null)],
      [
        'odd-filename',
        () => (pick(parts).filename = pick(['', '../../etc/passwd', 'a\u0000b', '%00.jpg', 'x'.repeat(2000)])),
      ],
      ['huge-header', () => (pick(parts).pad = pick([4000, 17_000, 70_000]))],
      [
        'many-parts',
        () => {
          for (let i = 0; i < 25; i++)
            parts.push({ name: 'frames', filename: 'f.jpg', data: Buffer.from('f'), pad: 0 });
        },
      ],
      ['empty-file', () => (pick(parts).data = Buffer.alloc(0))],
    ];
    for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
      const [label, apply] = pick(mutations);
      labels.push(label);
      apply();
    }
    const chunks = parts.flatMap((p) => [
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename === null ? '' : `; filename="${p.filename}"`}\r\n${p.pad ? `X-Pad: ${'p'.repeat(p.pad)}\r\n` : ''}\r\n`,
      ),
      p.data,
      Buffer.from('\r\n'),
    ]);
    let body = Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]);
    const ending = rnd();
    if (ending < 0.2) {
      labels.push('cut');
      body = body.subarray(0, Math.floor(rnd() * body.length));
    } else if (ending < 0.35) {
      labels.push('cut-and-closed');
      body = Buffer.concat([
        body.subarray(0, Math.floor(rnd() * body.length)),
        Buffer.from(pick([`--${boundary}--`, `\r\n--${boundary}--\r\n`])),
      ]);
    }
    const declared = rnd();
    let type = `multipart/form-data; boundary=${boundary}`;
    if (declared < 0.25) {
      type = pick([
        'multipart/form-data',
        'multipart/form-data; boundary=other',
        `multipart/mixed; boundary=${boundary}`,
        `multipart/form-data; boundary="${boundary}"`,
        `MULTIPART/FORM-DATA; BOUNDARY=${boundary}`,
        'text/plain',
        'application/json',
      ]);
      labels.push(`type:${type.slice(0, 30)}`);
    }
    return { body, type, label: labels.join('+') };
  }

  it('answers mutated multipart uploads on every upload route without a 5xx, and stays up', async () => {
    const client = idvClient(app, server.apiUrl);
    const failures: string[] = [];
    const statuses = new Set<number>();
    const record = (what: string, answer: { status: number; body: string; error?: string }) => {
      statuses.add(answer.status);
      if (answer.status === 0 || answer.status >= 500)
        failures.push(`${what} -> ${answer.status} ${answer.error ?? answer.body.slice(0, 200)}`);
    };
    for (let i = 0; i < 12; i++) {
      const session = await client.createSession(sdkSpec());
      const id = session.getSessionId();
      const token = session.getClientSessionToken();
      const api = (path: string) => `${server.apiUrl}/client/sessions/${id}${path}`;
      await fetch(api('/consent'), { method: 'POST', headers: { 'x-client-session-token': token } });
      const requirement = (
        (await (await fetch(api('/configuration'), { headers: { 'x-client-session-token': token } })).json()) as {
          requirements: { id: string; type: string }[];
        }
      ).requirements.find((r) => r.type === 'ID_DOCUMENT');
      const doc = (await (
        await fetch(api('/documents'), {
          method: 'POST',
          headers: { 'x-client-session-token': token, 'content-type': 'application/json' },
          body: JSON.stringify({ requirement_id: requirement?.id, document_type: 'PASSPORT', issuing_country: 'GBR' }),
        })
      ).json()) as { id: string };
      for (const path of ['/analyse', '/liveness', '/face-capture', `/documents/${doc.id}/pages`]) {
        for (let k = 0; k < 4; k++) {
          const { body, type, label } = mutatedMultipart('image');
          const url = new URL(api(path));
          record(
            `${path} ${label}`,
            await rawHttp(server.baseUrl, {
              method: 'POST',
              path: url.pathname,
              headers: { 'x-client-session-token': token, 'content-type': type },
              body,
            }),
          );
        }
      }
      // The relying party's upload, signed over the mutated bytes.
      const resource = await signedCall(server.apiUrl, app, 'POST', `/sessions/${id}/resources/face-capture`, {
        requirement_id: 'none',
      });
      for (let k = 0; k < 4; k++) {
        const { body, type, label } = mutatedMultipart('binary-content');
        const endpoint = `/sessions/${id}/resources/face-capture/${resource.body?.id ?? 'none'}/image?${signedQuery(app.sdkId)}`;
        record(
          `PUT image ${label}`,
          await rawHttp(server.baseUrl, {
            method: 'PUT',
            path: `/idverify/v1${endpoint}`,
            headers: {
              'x-yoti-auth-digest': signRequest('PUT', endpoint, body, app.privateKeyPem),
              'content-type': type,
            },
            body,
          }),
        );
      }
    }
    // Oversized (over the 15 MiB upload limit), announced or chunked, and an HTTP header line over 16 KB.
    const session = await client.createSession(sdkSpec());
    const big = Buffer.concat([
      Buffer.from('--b\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n\r\n'),
      Buffer.alloc(16 << 20, 0x41),
    ]);
    for (const chunked of [false, true]) {
      const answer = await rawHttp(server.baseUrl, {
        method: 'POST',
        path: `/idverify/v1/client/sessions/${session.getSessionId()}/analyse`,
        headers: {
          'x-client-session-token': session.getClientSessionToken(),
          'content-type': 'multipart/form-data; boundary=b',
        },
        body: big,
        chunked,
      });
      expect(answer.status).toBe(413);
    }
    const longHeader = await rawHttp(server.baseUrl, {
      method: 'POST',
      path: `/idverify/v1/client/sessions/${session.getSessionId()}/analyse`,
      headers: {
        'x-client-session-token': session.getClientSessionToken(),
        'x-long': 'h'.repeat(20_000),
        'content-type': 'multipart/form-data; boundary=b',
      },
      body: Buffer.from('--b--\r\n'),
    });
    expect(longHeader.status).toBe(431);
    expect(failures).toEqual([]);
    expect(statuses).toContain(400);
    expect(server.process.exitCode).toBeNull();
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
  }, 120_000);

  // Last: strangers spend this address's budget for unauthenticated requests.
  // Only a request naming a known app and carrying a signature gets past the headers; its body can only be judged
  // (and its signature verified) once read, so a type or a declared size it could never send is refused first.
  it('answers strangers 401 or 429 whatever body they send, judging no body of a request that names no known app', async () => {
    const client = idvClient(app, server.apiUrl);
    const [session, other] = [await client.createSession(sdkSpec()), await client.createSession(sdkSpec())];
    const spec = JSON.parse(JSON.stringify(sdkSpec()));
    const bodies: (() => { body: Buffer; type: string | null })[] = [
      () => ({ body: Buffer.from(JSON.stringify(mutate(spec))), type: 'application/json' }),
      () => ({ body: Buffer.from(`${'['.repeat(300_000)}`), type: 'application/json' }),
      () => ({ body: Buffer.from('not json at all {'), type: 'application/json' }),
      () => ({ body: Buffer.from('a=b&c=d'), type: 'application/x-www-form-urlencoded' }),
      () => ({ body: Buffer.from('hello'), type: 'text/plain' }),
      () => ({
        body: Buffer.from('--b\r\nContent-Disposition: form-data; name="image"; filename="a"\r\n\r\nXX'),
        type: 'multipart/form-data; boundary=b',
      }),
      () => ({ body: Buffer.alloc(2 << 20, 0x7b), type: 'application/json' }),
      () => ({ body: Buffer.from('{}'), type: null }),
    ];
    const credentials: [string, (path: string) => { path: string; headers: Record<string, string> }][] = [
      ['none', (path) => ({ path, headers: {} })],
      [
        'unknown app',
        (path) => ({ path: `${path}?sdkId=nobody&nonce=n&timestamp=1`, headers: { 'x-yoti-auth-digest': 'Zm9yZ2Vk' } }),
      ],
      [
        'forged digest',
        (path) => ({
          path: `${path}?sdkId=${app.sdkId}&nonce=n&timestamp=1`,
          headers: { 'x-yoti-auth-digest': 'Zm9yZ2Vk' },
        }),
      ],
      ['unsigned', (path) => ({ path: `${path}?sdkId=${app.sdkId}`, headers: {} })],
      [
        'signature of another request',
        (path) => ({
          path: `${path}?sdkId=${app.sdkId}&nonce=n&timestamp=1`,
          headers: { 'x-yoti-auth-digest': signRequest('GET', '/sessions?sdkId=x', undefined, app.privateKeyPem) },
        }),
      ],
    ];
    const signedRoutes: [string, string][] = [
      ['POST', '/sessions'],
      ['PATCH', '/pools/p'],
      ['POST', '/applicants'],
      ['POST', '/pools/p/search'],
      ['PUT', `/sessions/${session.getSessionId()}/resources/face-capture/r/image`],
    ];
    const clientRoutes = ['/documents', '/progress', '/liveness', '/analyse', '/consent'];
    const clientTokens: [string, string | null][] = [
      ['no token', null],
      ['forged token', 'forged'],
      ["another session's token", other.getClientSessionToken()],
    ];
    const statuses: Record<string, number> = {};
    const wrong: string[] = [];
    const send = async (label: string, req: RawRequest, signedForApp = false) => {
      const answer = await rawHttp(server.baseUrl, req);
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      const allowed = signedForApp ? [401, 413, 415, 429] : [401, 429];
      if (!allowed.includes(answer.status))
        wrong.push(`${label} -> ${answer.status} ${answer.error ?? answer.body.slice(0, 150)}`);
    };
    for (let i = 0; i < 160; i++) {
      const { body, type } = pick(bodies)();
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      if (rnd() < 0.5) {
        const [method, route] = pick(signedRoutes);
        const [label, credential] = pick(credentials);
        const target = credential(`/idverify/v1${route}`);
        await send(
          `${method} ${route} (${label}, ${type})`,
          { method, path: target.path, headers: { ...headers, ...target.headers }, body },
          label === 'forged digest' || label === 'signature of another request',
        );
      } else {
        const route = pick(clientRoutes);
        const [label, token] = pick(clientTokens);
        await send(`client ${route} (${label}, ${type})`, {
          method: 'POST',
          path: `/idverify/v1/client/sessions/${session.getSessionId()}${route}`,
          headers: { ...headers, ...(token ? { 'x-client-session-token': token } : {}) },
          body,
        });
      }
    }
    expect(wrong).toEqual([]);
    // The budget for unauthenticated requests of this address (120 a minute by default) ran out on the way.
    expect(statuses[401]).toBeGreaterThan(0);
    expect(statuses[429]).toBeGreaterThan(0);
  }, 120_000);
});
