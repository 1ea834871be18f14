import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcess, inProcessApp } from '../helpers/in-process.js';
import { signedQuery, signRequest } from '../helpers/signing.js';

// Budgets: 5 requests a minute per app or client session, 3 per address for requests that fail or lack
// authentication. Each test uses its own app and addresses, so the budgets of one do not leak into another.

let h: InProcess;
beforeAll(async () => {
  h = await inProcessApp({ OPENIDV_RATE_LIMIT: '5', OPENIDV_UNAUTHENTICATED_RATE_LIMIT: '3' });
});
afterAll(async () => {
  await h.close();
});

async function newApp(name: string) {
  const { app, privateKeyPem } = await h.container.apps.create(name);
  const signed = (method: string, path: string, body?: string, remoteAddress = '127.0.0.1') => {
    const endpoint = `${path}${path.includes('?') ? '&' : '?'}${signedQuery(app.sdkId)}`;
    const bytes = body === undefined ? undefined : Buffer.from(body);
    return h.app.inject({
      method: method as 'GET',
      url: `/idverify/v1${endpoint}`,
      remoteAddress,
      headers: {
        'x-yoti-auth-digest': signRequest(method, endpoint, bytes, privateKeyPem!),
        ...(bytes ? { 'content-type': 'application/json' } : {}),
      },
      ...(bytes ? { payload: bytes } : {}),
    });
  };
  return { sdkId: app.sdkId, signed };
}

const client = (
  sessionPath: string,
  token: string,
  remoteAddress = '127.0.0.1',
  headers: Record<string, string> = {},
) =>
  h.app.inject({
    method: 'GET',
    url: `/idverify/v1/client/sessions/${sessionPath}/configuration`,
    remoteAddress,
    headers: { 'x-client-session-token': token, ...headers },
  });

it('answers 429 with Retry-After in the Yoti shape once an app exceeds its rate', async () => {
  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push((await h.signed('GET', '/sessions/unknown')).statusCode);
  expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
  const limited = await h.signed('GET', '/sessions/unknown');
  expect(limited.statusCode).toBe(429);
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
  // Operations endpoints are never limited.
  expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
});

describe('poisoning', () => {
  it("strangers naming an app's sdkId spend their own address budget, never the app's", async () => {
    const victim = await newApp('victim');
    const stranger = '198.51.100.1';
    const unsigned = () =>
      h.app.inject({
        method: 'POST',
        url: `/idverify/v1/sessions?sdkId=${victim.sdkId}`,
        remoteAddress: stranger,
        payload: '{}',
        headers: { 'content-type': 'application/json' },
      });
    const forged = () =>
      h.app.inject({
        method: 'GET',
        url: `/idverify/v1/sessions/x?sdkId=${victim.sdkId}&nonce=n&timestamp=1`,
        remoteAddress: stranger,
        headers: { 'x-yoti-auth-digest': 'AAAA' },
      });
    const answers = [];
    for (let i = 0; i < 30; i++) answers.push((await (i % 2 ? forged() : unsigned())).statusCode);
    expect(answers.slice(0, 3)).toEqual([401, 401, 401]);
    expect(new Set(answers.slice(3))).toEqual(new Set([429]));
    // The app is served in full, from its own address and even from the stranger's (one NAT, one proxy).
    const own = [];
    for (let i = 0; i < 3; i++) own.push((await victim.signed('GET', '/sessions/unknown')).statusCode);
    for (let i = 0; i < 2; i++)
      own.push((await victim.signed('GET', '/sessions/unknown', undefined, stranger)).statusCode);
    expect(own).toEqual([404, 404, 404, 404, 404]);
  });

  it("strangers naming an end user's session spend their own budget; no spelling of its id opens a fresh one", async () => {
    const owner = await newApp('owner');
    const created = (await owner.signed('POST', '/sessions', '{}')).json() as {
      session_id: string;
      client_session_token: string;
    };
    const id = created.session_id;
    for (let i = 0; i < 10; i++) await client(id, `wrong-${i}`, '198.51.100.2');
    expect((await client(id, 'wrong', '198.51.100.2')).statusCode).toBe(429);
    // Every character percent-encoded in turn: the router decodes them all to the one stored id.
    const spellings = [
      id,
      ...[...id].map((_, i) => `${id.slice(0, i)}%${id.charCodeAt(i).toString(16).toUpperCase()}${id.slice(i + 1)}`),
    ];
    const answers = [];
    for (const spelling of spellings.slice(0, 8))
      answers.push((await client(spelling, created.client_session_token)).statusCode);
    expect(answers).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
  });
});

describe('client addresses', () => {
  it('ignores X-Forwarded-For from a connection that is not a configured proxy', async () => {
    const answers = [];
    for (let i = 0; i < 8; i++)
      answers.push((await client('s', 'bad', '198.51.100.3', { 'x-forwarded-for': `203.0.113.${i}` })).statusCode);
    expect(answers).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);

    const owner = await newApp('tracked');
    const created = (await owner.signed('POST', '/sessions', '{}')).json() as {
      session_id: string;
      client_session_token: string;
    };
    await client(created.session_id, created.client_session_token, '192.0.2.10', { 'x-forwarded-for': '203.0.113.99' });
    const devices = (await owner.signed('GET', `/sessions/${created.session_id}/tracked-devices`)).json() as {
      device: { ip_address: string };
    }[];
    expect(devices.map((d) => d.device.ip_address)).toEqual(['192.0.2.10']);
  });

  it('counts an IPv6 client by its /64', async () => {
    const answers = [];
    for (let i = 1; i <= 6; i++) answers.push((await client('s', 'bad', `2001:db8:7:7::${i.toString(16)}`)).statusCode);
    expect(answers).toEqual([401, 401, 401, 429, 429, 429]);
    expect((await client('s', 'bad', '2001:db8:7:8::1')).statusCode).toBe(401);
  });
});

describe('behind a configured proxy', () => {
  let proxied: InProcess;
  beforeAll(async () => {
    proxied = await inProcessApp({ OPENIDV_TRUST_PROXY: '10.0.0.0/8', OPENIDV_UNAUTHENTICATED_RATE_LIMIT: '3' });
  });
  afterAll(async () => {
    await proxied?.close();
  });

  it('takes the client address from X-Forwarded-For of the proxy only', async () => {
    const created = (await proxied.signed('POST', '/sessions', '{}')).json() as {
      session_id: string;
      client_session_token: string;
    };
    const configuration = (remoteAddress: string, forwardedFor: string) =>
      proxied.app.inject({
        method: 'GET',
        url: `/idverify/v1/client/sessions/${created.session_id}/configuration`,
        remoteAddress,
        headers: { 'x-client-session-token': created.client_session_token, 'x-forwarded-for': forwardedFor },
      });
    await configuration('10.1.2.3', '203.0.113.50');
    const devices = (await proxied.signed('GET', `/sessions/${created.session_id}/tracked-devices`)).json() as {
      device: { ip_address: string };
    }[];
    expect(devices.map((d) => d.device.ip_address)).toEqual(['203.0.113.50']);
    // Each client behind the proxy has its own budget; a client claiming a proxy header directly does not.
    const bad = (remoteAddress: string, forwardedFor: string) =>
      proxied.app.inject({
        method: 'GET',
        url: '/idverify/v1/client/sessions/s/configuration',
        remoteAddress,
        headers: { 'x-client-session-token': 'x', 'x-forwarded-for': forwardedFor },
      });
    const behind = [];
    for (let i = 0; i < 6; i++) behind.push((await bad('10.1.2.3', `203.0.113.${60 + i}`)).statusCode);
    expect(behind).toEqual([401, 401, 401, 401, 401, 401]);
    const direct = [];
    for (let i = 0; i < 5; i++) direct.push((await bad('198.51.100.9', `203.0.113.${70 + i}`)).statusCode);
    expect(direct).toEqual([401, 401, 401, 429, 429]);
  });
});
