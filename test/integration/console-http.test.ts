import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionSpecInput } from '../../src/domain/sessions/session-spec.schema.js';
import { ConsoleAgent } from '../helpers/console-agent.js';
import { type InProcess, inProcessApp } from '../helpers/in-process.js';
import { signedQuery, signRequest } from '../helpers/signing.js';

// The console over HTTP (app.inject, real SQLite, real argon2): sign-in, CSRF, session fixation, lock-out,
// roles, tenancy between apps, output escaping and hostile input on every route. No input may produce a 500.

const PASSWORD = 'console test password';
const XSS = '<img src=x onerror=alert(1)>"\'`';

const spec = (tracking: string, poolId?: string) =>
  ({
    client_session_token_ttl: 600,
    user_tracking_id: tracking,
    requested_checks: [
      { type: 'LIVENESS', config: { liveness_type: 'STATIC', max_retries: 1 } },
      ...(poolId ? [{ type: 'FAMILIAR_FACE_SEARCH', config: { pool_id: poolId, approval_criteria: 'NO_MATCH' } }] : []),
    ],
    sdk_config: { allowed_capture_methods: 'CAMERA' },
  }) as unknown as SessionSpecInput;

describe('operator console over HTTP', () => {
  let env: InProcess;
  let appA: string;
  let appB: string;
  let sessionA: string;
  let sessionB: string;
  let reviewA: string;
  let reviewB: string;
  let poolB: string;

  beforeAll(async () => {
    // The in-process client connects from loopback, standing in for a reverse proxy (X-Forwarded-Proto/-For).
    env = await inProcessApp({ OPENIDV_CONSOLE_MAX_FAILURES: '3', OPENIDV_TRUST_PROXY: 'loopback' });
    const c = env.container;
    appA = env.sdkId;
    appB = (await c.apps.create('Second app')).app.sdkId;
    const poolA = (await c.pools.createPool(appA, 'blocklist A')).id;
    poolB = (await c.pools.createPool(appB, 'blocklist B')).id;
    sessionA = (await c.sessions.create(appA, spec(XSS, poolA))).session_id;
    sessionB = (await c.sessions.create(appB, spec('user-b', poolB))).session_id;
    const checkOf = async (_appId: string, id: string) =>
      (await c.repos.work.listChecks(id)).find((x) => x.type === 'FAMILIAR_FACE_SEARCH')!;
    reviewA = (
      await c.console.reviews.openReview(
        { id: sessionA, appId: appA },
        await checkOf(appA, sessionA),
        'FFS_REVIEW_BAND',
      )
    ).id;
    reviewB = (
      await c.console.reviews.openReview({ id: sessionB, appId: appB }, await checkOf(appB, sessionB), 'ALWAYS')
    ).id;
    await c.console.users.create({ username: 'root', role: 'admin', password: PASSWORD });
    await c.console.users.create({ username: 'rev-a', role: 'reviewer', password: PASSWORD, appIds: [appA] });
    await c.console.users.create({ username: 'view-a', role: 'viewer', password: PASSWORD, appIds: [appA] });
  });
  afterAll(async () => {
    await env?.close();
  });

  const agent = async (username: string) => {
    const a = new ConsoleAgent(env.app);
    const res = await a.signIn(username, PASSWORD);
    expect(res.statusCode, res.body).toBe(303);
    return a;
  };

  it('sends a visitor without a session to the sign-in page, with security headers and no caching', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/console/sessions' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/login?next=%2Fconsole%2Fsessions');
    const login = await env.app.inject({ method: 'GET', url: '/console/login' });
    expect(login.headers['content-security-policy']).toContain("default-src 'none'");
    expect(login.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(login.headers['cache-control']).toBe('no-store');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('Path=/console');
    const https = await env.app.inject({
      method: 'GET',
      url: '/console/login',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(String(https.headers['set-cookie'])).toContain('Secure');
  });

  it('signs in with a new session token (a planted one never becomes signed in) and a Strict cookie', async () => {
    const a = new ConsoleAgent(env.app);
    a.cookies.set('openidv_console', 'planted-by-attacker');
    await a.get('/console/login');
    const pending = a.cookies.get('openidv_console_signin')!;
    const res = await a.post('/console/login', { username: 'root', password: PASSWORD });
    expect(res.statusCode).toBe(303);
    const set = (res.headers['set-cookie'] as string[]).find((s) => s.startsWith('openidv_console='))!;
    expect(set).toContain('SameSite=Strict');
    const token = a.cookies.get('openidv_console')!;
    expect(token).not.toBe('planted-by-attacker');
    expect(token).not.toBe(pending);
    // Neither the planted token nor the pending sign-in token authenticates.
    for (const other of ['planted-by-attacker', pending]) {
      const r = await env.app.inject({
        method: 'GET',
        url: '/console/sessions',
        headers: { cookie: `openidv_console=${other}` },
      });
      expect(r.statusCode).toBe(303);
    }
    expect((await a.get('/console/sessions')).statusCode).toBe(200);
    await a.post('/console/logout');
    expect(
      (
        await env.app.inject({
          method: 'GET',
          url: '/console/sessions',
          headers: { cookie: `openidv_console=${token}` },
        })
      ).statusCode,
    ).toBe(303);
  });

  it('refuses requests without the CSRF token, with a wrong one, from another origin, and a login without its form', async () => {
    const a = await agent('root');
    await a.get('/console/users');
    const before = (await env.container.console.users.list()).length;
    expect((await a.post('/console/users', { username: 'csrf-1', role: 'admin', _csrf: null })).statusCode).toBe(403);
    expect(
      (await a.post('/console/users', { username: 'csrf-2', role: 'admin', _csrf: 'x'.repeat(43) })).statusCode,
    ).toBe(403);
    expect(
      (await a.post('/console/users', { username: 'csrf-3', role: 'admin' }, { origin: 'https://evil.example' }))
        .statusCode,
    ).toBe(403);
    expect((await env.container.console.users.list()).length).toBe(before);
    const res = await a.post('/console/users', { username: 'csrf-ok', role: 'viewer' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('One-time password');
    const fresh = new ConsoleAgent(env.app);
    expect(
      (await fresh.post('/console/login', { username: 'root', password: PASSWORD, _csrf: 'guess' })).statusCode,
    ).toBe(403);
  });

  it('locks an account after repeated failures: the right password then fails too, and the audit log says so', async () => {
    await env.container.console.users.create({ username: 'victim', role: 'viewer', password: PASSWORD });
    const a = new ConsoleAgent(env.app);
    for (let i = 0; i < 3; i++) expect((await a.signIn('victim', `wrong ${i}`)).statusCode).toBe(401);
    const locked = await a.signIn('victim', PASSWORD);
    expect(locked.statusCode).toBe(401);
    expect(locked.body).toContain('Sign-in failed');
    const events = await env.container.console.audit.search({
      appIds: null,
      actor: 'victim',
      action: 'signin.failed',
      limit: 10,
    });
    expect(events.map((e) => e.detail)).toEqual(['LOCKED', 'LOCKED', 'BAD_CREDENTIALS', 'BAD_CREDENTIALS']);
  });

  it('keeps console cookies and API signatures apart', async () => {
    const a = await agent('root');
    const api = await env.app.inject({
      method: 'GET',
      url: `/idverify/v1/sessions/${sessionA}`,
      headers: { cookie: `openidv_console=${a.cookies.get('openidv_console')}` },
    });
    expect(api.statusCode).toBe(401);
    const signed = await env.signed('GET', `/sessions/${sessionA}`);
    expect(signed.statusCode).toBe(200);
    const consoleWithSignature = await env.app.inject({
      method: 'GET',
      url: `/console/sessions/${sessionA}?sdkId=${appA}&nonce=n&timestamp=1`,
      headers: { 'x-yoti-auth-digest': 'abc' },
    });
    expect(consoleWithSignature.statusCode).toBe(303);
  });

  it('shows a user only the apps granted: app B’s session, review item and pool read as unknown', async () => {
    const a = await agent('rev-a');
    expect((await a.get(`/console/sessions/${sessionA}`)).statusCode).toBe(200);
    for (const url of [
      `/console/sessions/${sessionB}`,
      `/console/sessions/${sessionB}/media/x`,
      `/console/reviews/${reviewB}`,
      `/console/pools/${poolB}`,
    ]) {
      const res = await a.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('user-b');
    }
    expect((await a.post(`/console/reviews/${reviewB}/decide`, { decision: 'APPROVE', reason: '' })).statusCode).toBe(
      404,
    );
    const list = await a.get(`/console/sessions?app=${appB}`);
    expect(list.body).not.toContain(sessionB);
    expect((await a.get('/console/sessions')).body).not.toContain(sessionB);
    expect((await a.get('/console/reviews')).body).not.toContain(reviewB);
    for (const adminOnly of ['/console/users', '/console/apps', '/console/audit', '/console/try'])
      expect((await a.get(adminOnly)).statusCode, adminOnly).toBe(403);
  });

  it('lets a viewer look at a review item but not decide it', async () => {
    const v = await agent('view-a');
    const page = await v.get(`/console/reviews/${reviewA}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('can look at this item but not decide');
    expect((await v.post(`/console/reviews/${reviewA}/decide`, { decision: 'REJECT', reason: 'no' })).statusCode).toBe(
      403,
    );
    expect((await env.container.console.reviews.get(reviewA))!.state).toBe('OPEN');
  });

  it('escapes user_tracking_id and review reasons everywhere they are shown', async () => {
    const r = await agent('rev-a');
    await r.get(`/console/reviews/${reviewA}`);
    expect(
      (
        await r.post(`/console/reviews/${reviewA}/decide`, {
          decision: 'REJECT',
          reason: `<script>alert("x")</script>${XSS}`,
        })
      ).statusCode,
    ).toBe(303);
    const root = await agent('root');
    for (const url of [
      '/console/sessions',
      `/console/sessions/${sessionA}`,
      `/console/reviews/${reviewA}`,
      '/console/audit',
      '/console/reviews?show=decided',
    ]) {
      const res = await root.get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).not.toContain('<img src=x');
      expect(res.body, url).not.toContain('<script>');
    }
    expect((await root.get('/console/sessions')).body).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&#96;');
    const csv = await root.get('/console/audit/export?format=csv&action=review.decide');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('review.decide');
    const json = JSON.parse((await root.get('/console/audit/export?format=json&action=review.decide')).body) as {
      actor: string;
    }[];
    expect(json[0]!.actor).toBe('rev-a');
  });

  it('answers hostile ids, cursors, filters and huge query strings with 4xx pages, never a 500', async () => {
    const root = await agent('root');
    const long = 'x'.repeat(900);
    // Past the router's 1000-character parameter limit the server's own 400 answers (before any console code).
    expect((await root.get(`/console/sessions/${'x'.repeat(5000)}`)).statusCode).toBe(400);
    expect((await root.get('/console/sessions/%00%ff')).statusCode).toBe(400);
    const cases: [string, number][] = [
      [`/console/sessions/${long}`, 404],
      ['/console/sessions/%3Cscript%3E', 404],
      ['/console/sessions/..%2f..%2fetc%2fpasswd', 404],
      [`/console/sessions/${sessionA}/media/${long}`, 404],
      [`/console/reviews/${long}`, 404],
      [`/console/pools/${long}`, 404],
      [`/console/pools/${poolB}/applicants/nobody`, 404],
      [`/console/pools/${poolB}/applicants/a/faces/b`, 404],
      ['/console/sessions?before=not-a-cursor', 400],
      ['/console/sessions?before=WzEsMl0', 400],
      ['/console/sessions?state=DROP%20TABLE', 400],
      ['/console/sessions?outcome=1%27%20OR%201=1', 400],
      ['/console/sessions?from=yesterday', 400],
      [`/console/sessions?tracking=${'y'.repeat(501)}`, 400],
      [`/console/sessions?tracking=${'%27'.repeat(100)}`, 200],
      ['/console/sessions?state=ONGOING&state=COMPLETED', 200],
      ['/console/reviews?after=%7B%7D', 400],
      ['/console/audit?before=1e400', 400],
      ['/console/audit/export?format=xml', 400],
      [`/console/sessions?q=${'z'.repeat(12_000)}`, 200],
      ['/console/nowhere', 404],
      ['/console/users/x/../../apps', 200],
    ];
    for (const [url, status] of cases) {
      const res = await root.get(url);
      expect(res.statusCode, url.slice(0, 80)).toBe(status);
      expect(res.headers['content-type'], url.slice(0, 80)).toContain('text/html');
    }
    const posts: [string, Record<string, string>, number][] = [
      ['/console/users', { username: long, role: 'viewer' }, 400],
      ['/console/users', { username: 'ok-name', role: 'god' }, 400],
      ['/console/users', { username: 'ok-name-2', role: 'viewer', apps: 'not-an-app' }, 400],
      [`/console/reviews/${reviewA}/decide`, { decision: 'MAYBE', reason: '' }, 400],
      [`/console/reviews/${long}/decide`, { decision: 'APPROVE', reason: '' }, 404],
      [`/console/sessions/${sessionA}/add-to-pool`, { media_id: 'nope', pool_id: 'nope' }, 404],
      [`/console/pools/${poolB}/review-band`, { review_target_fpir: '2' }, 400],
      [`/console/pools/${poolB}/review-band`, { review_target_fpir: 'NaN' }, 400],
      ['/console/apps/nope/rotate-key', {}, 404],
      ['/console/try', { app: 'nope', checks: 'LIVENESS' }, 400],
      ['/console/try', { app: appA, checks: 'FAMILIAR_FACE_SEARCH', pool: poolB }, 400],
      ['/console/account/password', { current: 'x', password: 'short', confirm: 'short' }, 400],
    ];
    for (const [url, form, status] of posts) {
      await root.get('/console/sessions');
      const res = await root.post(url, form);
      expect(res.statusCode, `${url.slice(0, 80)} ${JSON.stringify(form).slice(0, 80)}`).toBe(status);
    }
    const huge = await env.app.inject({
      method: 'POST',
      url: '/console/users',
      payload: `a=${'b'.repeat(70_000)}`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `openidv_console=${root.cookies.get('openidv_console')}`,
      },
    });
    expect(huge.statusCode).toBe(413);
  });

  it('rotates an app key: the old key stops signing at once, the new one (shown once) works', async () => {
    const root = await agent('root');
    await root.get('/console/apps');
    const res = await root.post(`/console/apps/${appA}/rotate-key`);
    expect(res.statusCode).toBe(200);
    const pem = /<textarea class="key" readonly>([^<]+)<\/textarea>/.exec(res.body)![1]!;
    expect(await env.signed('GET', `/sessions/${sessionA}`).then((r) => r.statusCode)).toBe(401);
    const query = signedQuery(appA);
    const endpoint = `/sessions/${sessionA}?${query}`;
    const signed = await env.app.inject({
      method: 'GET',
      url: `/idverify/v1${endpoint}`,
      headers: { 'x-yoti-auth-digest': signRequest('GET', endpoint, undefined, pem) },
    });
    expect(signed.statusCode).toBe(200);
  });

  it("sets an app's framing origins: the capture page's CSP follows, bad origins are refused, a viewer cannot", async () => {
    const c = env.container;
    const { session_id: id, client_session_token: token } = await c.sessions.create(appA, {
      requested_checks: [{ type: 'LIVENESS', config: { liveness_type: 'STATIC' } }],
    });
    const framing = async () =>
      /frame-ancestors ([^;]+)/.exec(
        String(
          (
            await env.app.inject({
              method: 'GET',
              url: `/idverify/v1/web/index.html?sessionID=${id}&sessionToken=${token}`,
            })
          ).headers['content-security-policy'],
        ),
      )?.[1];
    const root = await agent('root');
    await root.get('/console/apps');
    const saved = await root.post(`/console/apps/${appA}/frame-ancestors`, {
      frame_ancestors: 'https://shop.example https://*.shop.example',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.body).toContain('value="https://shop.example https://*.shop.example"');
    expect(await framing()).toBe('https://shop.example https://*.shop.example');
    for (const bad of [
      'https://shop.example/path',
      'javascript:alert(1)',
      '*',
      `https://${'a'.repeat(2100)}.example`,
    ]) {
      expect(
        (await root.post(`/console/apps/${appA}/frame-ancestors`, { frame_ancestors: bad })).statusCode,
        bad,
      ).toBeGreaterThanOrEqual(400);
    }
    expect(await framing()).toBe('https://shop.example https://*.shop.example');
    expect((await root.post(`/console/apps/${appA}/frame-ancestors`, { frame_ancestors: '' })).statusCode).toBe(200);
    expect(await framing()).toBe("'none'");
    const viewer = await agent('view-a');
    await viewer.get('/console/sessions');
    expect(
      (await viewer.post(`/console/apps/${appA}/frame-ancestors`, { frame_ancestors: 'https://evil.example' }))
        .statusCode,
    ).toBe(403);
    expect(await framing()).toBe("'none'");
  });

  it('records every view of biometric data and every decision with who, when and from where', async () => {
    const r = await agent('rev-a');
    await r.get(`/console/sessions/${sessionA}`, { 'x-forwarded-for': '203.0.113.9' });
    const events = await env.container.console.audit.search({ appIds: [appA], sessionId: sessionA, limit: 50 });
    const view = events.find((e) => e.action === 'session.view' && e.actor === 'rev-a' && e.ip === '203.0.113.9');
    expect(view).toBeDefined();
    const session = await env.container.repos.sessions.getById(sessionA);
    expect(view!.expiresAt).toBe(session!.resourcesExpireAt);
    expect(events.some((e) => e.action === 'review.decide' && e.actor === 'rev-a')).toBe(true);
    expect(events.some((e) => e.action === 'review.view')).toBe(true);
  });
});
