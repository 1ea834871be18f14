import { randomUUID } from 'node:crypto';
import { brotliDecompressSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcess, inProcessApp } from '../helpers/in-process.js';
import { signedQuery, signRequest } from '../helpers/signing.js';

// The capture page's embedding rules and its hand-off routes through the HTTP layer on a real SQLite file: which
// origins may frame a session's page (per app, server default, none), that only a session id with its own token
// reveals an app's list, compression, the sdk_config options of the page, and hostile hand-off requests.

const SERVER_DEFAULT = 'https://default.example';
let h: InProcess;

beforeAll(async () => {
  h = await inProcessApp({ OPENIDV_FRAME_ANCESTORS: SERVER_DEFAULT });
});
afterAll(async () => {
  await h.close();
});

async function newSession(sdk: Record<string, unknown> = {}, sdkId = h.sdkId) {
  const body = JSON.stringify({
    requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'STATIC' } }],
    sdk_config: { error_url: 'https://rp.example/error', locale: 'fr-FR', ...sdk },
  });
  const res = sdkId === h.sdkId ? await h.signed('POST', '/sessions', body) : await signedAsOther(body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { session_id: string; client_session_token: string };
}

let other: { sdkId: string; privateKeyPem: string } | undefined;
async function signedAsOther(body: string) {
  const endpoint = `/sessions?${signedQuery(other!.sdkId)}`;
  return h.app.inject({
    method: 'POST',
    url: `/idverify/v1${endpoint}`,
    headers: {
      'x-yoti-auth-digest': signRequest('POST', endpoint, Buffer.from(body), other!.privateKeyPem),
      'content-type': 'application/json',
    },
    payload: body,
  });
}

const page = (query: string) => h.app.inject({ method: 'GET', url: `/idverify/v1/web/index.html${query}` });
const frameAncestors = (res: LightMyRequestResponse) =>
  /frame-ancestors ([^;]+)/.exec(String(res.headers['content-security-policy']))?.[1];
const linkMeta = (res: LightMyRequestResponse) => {
  const content = /<meta name="openidv-link" content="([^"]*)">/.exec(res.body)?.[1] ?? '';
  return JSON.parse(
    content
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  );
};

describe('which origins may frame a session page', () => {
  it("writes the app's origins into frame-ancestors, drops X-Frame-Options, and tells the page its way back", async () => {
    await h.container.apps.setFrameAncestors(h.sdkId, 'https://shop.example, https://*.shop.example:8443');
    const s = await newSession();
    const res = await page(`?sessionID=${s.session_id}&sessionToken=${s.client_session_token}`);
    expect(res.statusCode).toBe(200);
    expect(frameAncestors(res)).toBe('https://shop.example https://*.shop.example:8443');
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    expect(linkMeta(res)).toEqual({
      frame_ancestors: ['https://shop.example', 'https://*.shop.example:8443'],
      error_url: 'https://rp.example/error',
      locale: 'fr-FR',
    });
  });

  it('answers an unknown session, a foreign one and a wrong token exactly alike (the server default), revealing nothing', async () => {
    await h.container.apps.setFrameAncestors(h.sdkId, 'https://shop.example');
    const s = await newSession();
    const bodies = [];
    for (const query of [
      `?sessionID=${randomUUID()}&sessionToken=${s.client_session_token}`,
      `?sessionID=${s.session_id}&sessionToken=${randomUUID()}`,
      `?sessionID=${s.session_id}`,
      `?sessionID=${s.session_id}&sessionToken=${s.client_session_token}&sessionToken=again`,
      `?sessionID=${s.session_id}&sessionToken=${'x'.repeat(5000)}`,
      '',
    ]) {
      const res = await page(query);
      expect(res.statusCode).toBe(200);
      expect(frameAncestors(res)).toBe(SERVER_DEFAULT);
      expect(linkMeta(res)).toEqual({ frame_ancestors: [SERVER_DEFAULT], error_url: null, locale: null });
      bodies.push(res.body);
    }
    expect(new Set(bodies).size).toBe(1);
  });

  it("keeps 'none' and X-Frame-Options DENY for an app that says none, and a used link still knows its app", async () => {
    await h.container.apps.setFrameAncestors(h.sdkId, 'none');
    const s = await newSession();
    const res = await page(`?sessionID=${s.session_id}&sessionToken=${s.client_session_token}`);
    expect(frameAncestors(res)).toBe("'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');

    await h.container.apps.setFrameAncestors(h.sdkId, 'https://shop.example');
    const finished = await h.app.inject({
      method: 'POST',
      url: `/idverify/v1/client/sessions/${s.session_id}/finish`,
      headers: { 'x-client-session-token': s.client_session_token },
    });
    expect(finished.statusCode).toBe(200);
    const used = await page(`?sessionID=${s.session_id}&sessionToken=${s.client_session_token}`);
    expect(frameAncestors(used)).toBe('https://shop.example');
    expect(linkMeta(used).error_url).toBe('https://rp.example/error');
  });

  it('falls back to the server default for an app that declares nothing, and to none for a revoked app', async () => {
    const created = await h.container.apps.create('second app');
    other = { sdkId: created.app.sdkId, privateKeyPem: created.privateKeyPem! };
    expect(created.app.frameAncestors).toBeNull();
    const s = await newSession({}, other.sdkId);
    expect(frameAncestors(await page(`?sessionID=${s.session_id}&sessionToken=${s.client_session_token}`))).toBe(
      SERVER_DEFAULT,
    );
    await h.container.apps.revoke(other.sdkId);
    expect(frameAncestors(await page(`?sessionID=${s.session_id}&sessionToken=${s.client_session_token}`))).toBe(
      SERVER_DEFAULT,
    );
  });

  it('refuses malformed or oversized origin lists with a clear error, and unknown apps', async () => {
    for (const bad of [
      '*',
      'https://*',
      'https://*.com',
      'https://shop.example/path',
      "'self'",
      'javascript:alert(1)',
      'https://a.example;script-src *',
      'ftp://a.example',
      'https://user@a.example',
      'https://a.example:99999',
      Array.from({ length: 21 }, (_, i) => `https://a${i}.example`).join(' '),
    ]) {
      await expect(h.container.apps.setFrameAncestors(h.sdkId, bad), bad).rejects.toMatchObject({
        code: 'PAYLOAD_VALIDATION',
        errors: [{ property: 'frame_ancestors' }],
      });
    }
    await expect(h.container.apps.setFrameAncestors(randomUUID(), 'https://a.example')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await h.container.apps.setFrameAncestors(h.sdkId, 'HTTPS://Shop.Example:443 https://shop.example')).toEqual([
      'https://shop.example',
    ]);
  });
});

describe('compression', () => {
  it('compresses app.js and JSON answers for clients that ask, and leaves the others alone', async () => {
    const plain = await h.app.inject({ method: 'GET', url: '/idverify/v1/web/app.js' });
    const br = await h.app.inject({
      method: 'GET',
      url: '/idverify/v1/web/app.js',
      headers: { 'accept-encoding': 'br' },
    });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    expect(brotliDecompressSync(br.rawPayload).equals(plain.rawPayload)).toBe(true);
    // A 304 stays a 304.
    expect(
      (
        await h.app.inject({
          method: 'GET',
          url: '/idverify/v1/web/app.js',
          headers: { 'accept-encoding': 'br', 'if-none-match': String(plain.headers.etag) },
        })
      ).statusCode,
    ).toBe(304);
    const json = await h.app.inject({
      method: 'GET',
      url: '/idverify/v1/openapi.json',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(json.headers['content-encoding']).toBe('gzip');
    // Request bodies are never inflated: a gzip-encoded signed body is not read as JSON.
    const { gzipSync } = await import('node:zlib');
    const gzipped = await h.signed('POST', '/sessions', gzipSync(Buffer.from('{}')));
    expect(gzipped.statusCode).toBe(400);
  });
});

describe('sdk_config options of the page', () => {
  const create = (sdk: Record<string, unknown>) =>
    h.signed(
      'POST',
      '/sessions',
      JSON.stringify({
        requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'STATIC' } }],
        sdk_config: sdk,
      }),
    );

  it("accepts Yoti's suppressible screens, and refuses unknown ones and brand_id with a 400 naming the field", async () => {
    const ok = await create({
      suppressed_screens: [
        'ID_DOCUMENT_EDUCATION',
        'ID_DOCUMENT_REQUIREMENTS',
        'FACE_CAPTURE_EDUCATION',
        'STATIC_LIVENESS_EDUCATION',
        'ZOOM_LIVENESS_EDUCATION',
        'FLOW_COMPLETION',
      ],
      allow_handoff: true,
      locale: 'es',
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const config = await h.app.inject({
      method: 'GET',
      url: `/idverify/v1/client/sessions/${ok.json().session_id}/configuration`,
      headers: { 'x-client-session-token': ok.json().client_session_token },
    });
    expect(config.json().sdk_config).toMatchObject({
      allow_handoff: true,
      locale: 'es',
      suppressed_screens: expect.arrayContaining(['STATIC_LIVENESS_EDUCATION']),
    });

    const unknown = await create({ suppressed_screens: ['WELCOME'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      code: 'PAYLOAD_VALIDATION',
      errors: [
        { property: 'sdk_config.suppressed_screens[0]', message: expect.stringContaining('unknown screen "WELCOME"') },
      ],
    });
    const brand = await create({ brand_id: 'my-brand' });
    expect(brand.statusCode).toBe(400);
    expect(brand.json().errors).toEqual([
      { property: 'sdk_config.brand_id', message: expect.stringContaining('not supported by openidv') },
    ]);
    const tooMany = await create({ suppressed_screens: Array.from({ length: 51 }, () => 'FLOW_COMPLETION') });
    expect(tooMany.statusCode).toBe(400);
  });
});

describe('desktop-to-phone hand-off', () => {
  const base = '/idverify/v1/client/sessions';
  const start = (id: string, token: string) =>
    h.app.inject({ method: 'POST', url: `${base}/${id}/handoff`, headers: { 'x-client-session-token': token } });
  const claim = (id: string, claimToken: unknown) =>
    h.app.inject({ method: 'POST', url: `${base}/${id}/handoff/claim`, payload: { claim_token: claimToken } });
  const watch = (id: string, handoffId: string, watchToken: string) =>
    h.app.inject({
      method: 'GET',
      url: `${base}/${id}/handoff/${handoffId}`,
      headers: { 'x-handoff-watch-token': watchToken },
    });

  it('hands the session over once: the phone gets the client token, a second claim fails, and the desktop follows to the end', async () => {
    const s = await newSession({ allow_handoff: true });
    const created = await start(s.session_id, s.client_session_token);
    expect(created.statusCode).toBe(201);
    const { handoff_id, claim_token, watch_token } = created.json();
    expect((await watch(s.session_id, handoff_id, watch_token)).json()).toEqual({
      state: 'WAITING',
      requirements_completed: 0,
      requirements_total: 1,
    });

    const claimed = await claim(s.session_id, claim_token);
    expect(claimed.statusCode).toBe(200);
    expect(claimed.json()).toEqual({ client_session_token: s.client_session_token });
    const again = await claim(s.session_id, claim_token);
    expect(again.statusCode).toBe(401);
    expect(again.json()).toMatchObject({ code: 'BAD_TOKEN' });
    expect((await watch(s.session_id, handoff_id, watch_token)).json().state).toBe('CLAIMED');

    // The phone's user leaves the check: the desktop learns why.
    await h.app.inject({
      method: 'POST',
      url: `${base}/${s.session_id}/progress`,
      headers: { 'x-client-session-token': s.client_session_token },
      payload: { step: 'LEFT:CONSENT_DECLINED' },
    });
    expect((await watch(s.session_id, handoff_id, watch_token)).json()).toMatchObject({
      state: 'LEFT',
      error: 'CONSENT_DECLINED',
    });
    await h.app.inject({
      method: 'POST',
      url: `${base}/${s.session_id}/finish`,
      headers: { 'x-client-session-token': s.client_session_token },
    });
    expect((await watch(s.session_id, handoff_id, watch_token)).json().state).toBe('FINISHED');
    // The client token died with the finish; the watch secret still reads the state, and nothing else.
    expect((await start(s.session_id, s.client_session_token)).statusCode).toBe(401);
    const events = (await h.signed('GET', `/sessions/${s.session_id}/tracked-devices`))
      .json()
      .map((e: { event: string }) => e.event);
    expect(events).toContain('HANDOFF_CLAIMED');
  });

  it('refuses hand-off misuse: not enabled, wrong session, replaced, expired session, guessed and malformed secrets, too many links', async () => {
    const plain = await newSession();
    expect((await start(plain.session_id, plain.client_session_token)).json()).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('allow_handoff'),
    });

    const s = await newSession({ allow_handoff: true });
    const t = await newSession({ allow_handoff: true });
    const first = (await start(s.session_id, s.client_session_token)).json();
    // Bound to its session: another session's id with this claim token fails.
    expect((await claim(t.session_id, first.claim_token)).statusCode).toBe(401);
    // A newer link replaces the unclaimed one.
    const second = (await start(s.session_id, s.client_session_token)).json();
    expect((await claim(s.session_id, first.claim_token)).statusCode).toBe(401);
    expect((await watch(s.session_id, first.handoff_id, first.watch_token)).json().state).toBe('REPLACED');
    // The watch secret of one hand-off reads no other, and a claim token is not a watch token.
    expect((await watch(s.session_id, second.handoff_id, first.watch_token)).statusCode).toBe(401);
    expect((await watch(s.session_id, second.handoff_id, second.claim_token)).statusCode).toBe(401);
    expect((await watch(t.session_id, second.handoff_id, second.watch_token)).statusCode).toBe(401);
    for (const bad of ['', 'x'.repeat(129), 42, null, { $ne: null }, randomUUID()]) {
      const res = await claim(s.session_id, bad);
      expect([400, 401], JSON.stringify(bad)).toContain(res.statusCode);
      expect(res.json().code).toMatch(/PAYLOAD_VALIDATION|BAD_TOKEN/);
    }
    expect(
      (await h.app.inject({ method: 'GET', url: `${base}/${s.session_id}/handoff/${second.handoff_id}` })).statusCode,
    ).toBe(400);
    expect(
      (
        await h.app.inject({
          method: 'GET',
          url: `${base}/${s.session_id}/handoff/${second.handoff_id}`,
          headers: { 'x-handoff-watch-token': 'y'.repeat(500) },
        })
      ).statusCode,
    ).toBe(400);
    // Still claimable after all that noise.
    expect((await claim(s.session_id, second.claim_token)).statusCode).toBe(200);

    // A claim after the session's token ended fails.
    const third = (await start(t.session_id, t.client_session_token)).json();
    await h.app.inject({
      method: 'POST',
      url: `${base}/${t.session_id}/finish`,
      headers: { 'x-client-session-token': t.client_session_token },
    });
    expect((await claim(t.session_id, third.claim_token)).statusCode).toBe(401);

    // At most 20 links per session.
    const u = await newSession({ allow_handoff: true });
    const statuses = [];
    for (let i = 0; i < 21; i++) statuses.push((await start(u.session_id, u.client_session_token)).statusCode);
    expect(statuses.slice(0, 20).every((x) => x === 201)).toBe(true);
    expect(statuses[20]).toBe(409);
  });
});
