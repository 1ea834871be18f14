import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolReviewBand } from '../../src/domain/pools/review-band.js';
import { defaultScoreCalibration } from '../../src/infra/face/calibration/score-calibration.js';
import { browserSkipReason, launchChromium, type LaunchedBrowser } from '../helpers/browser.js';
import { ClientApi } from '../helpers/client-api.js';
import { hasData } from '../helpers/data.js';
import { lfwPeople } from '../helpers/lfw.js';
import { lookAlike } from '../helpers/look-alike.js';
import { freePort, startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { ROOT, type RunningServer, startServer, type TestApp } from '../helpers/server.js';
import { startWebhookReceiver } from '../helpers/webhook-receiver.js';
import { familiarFaceSearch, idvClient, signedCall, yoti } from '../helpers/yoti.js';

// The operator console in a real Chromium against the built server: an admin signs in with the one-time
// password printed at first start and adds a reviewer; the reviewer finds the familiar face search that the
// session lifecycle sent to review (manual_check FALLBACK, a look-alike in the pool's review band), compares the
// faces and rejects it with a reason; the session completes with EXPERT_REVIEW in the report the official SDK
// reads, the webhook fires, and the audit log shows the views and the decision. A viewer
// cannot decide, a user of app A cannot open app B's session, a POST without the CSRF token is refused, single
// sign-on works against a real OIDC provider, and axe-core finds no violation on any page.

const skip = browserSkipReason() ?? (hasData('lfw-dev', 'images') ? null : 'no LFW photos');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = join(ROOT, 'test-artifacts', 'console');

async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no script at all) stays as it is.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(ctx: Document, opts: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * Screenshots for the documentation: every photo is replaced by a grey placeholder first (the photos are test data,
 * never part of the repository), so take them last on a page.
 */
async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  const placeholder = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="140"><rect width="120" height="140" fill="#9aa3ad"/><text x="60" y="75" font-size="12" text-anchor="middle" fill="#fff">photo</text></svg>')}`;
  await page.evaluate(
    (src) =>
      Promise.all(
        Array.from(
          document.querySelectorAll('img'),
          (img) =>
            new Promise((done) => {
              img.onload = done;
              img.onerror = done;
              img.src = src;
            }),
        ),
      ),
    placeholder,
  );
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

describe.skipIf(skip !== null)('operator console in Chromium', () => {
  let server: RunningServer;
  let idp: TestOidcProvider;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let browser: LaunchedBrowser;
  let appA: TestApp;
  let appB: TestApp;
  let reviewId: string;
  let sessionA: string;
  let sessionB: string;
  const pages = new Set<string>();
  const [enrolled] = skip === null ? lfwPeople(1, 2, 10) : [];

  beforeAll(async () => {
    const port = await freePort();
    idp = await startOidcProvider([`http://127.0.0.1:${port}/console/sso/callback`]);
    receiver = await startWebhookReceiver();
    server = await startServer({
      args: ['--port', String(port)],
      env: {
        OPENIDV_JOB_POLL_MS: '50',
        OPENIDV_WEBHOOK_ALLOW_PRIVATE: 'true',
        OPENIDV_CONSOLE_OIDC_ISSUER: idp.issuer,
        OPENIDV_CONSOLE_OIDC_CLIENT_ID: idp.clientId,
        OPENIDV_CONSOLE_OIDC_CLIENT_SECRET: idp.clientSecret,
        OPENIDV_CONSOLE_OIDC_ALLOW_HTTP: 'true',
        OPENIDV_CONSOLE_OIDC_NAME: 'Test IdP',
      },
    });
    appA = await server.createApp('Fraud team app');
    appB = await server.createApp('Other tenant');
    // A pool with one enrolled person, and a session whose selfie is a real photo of someone else who looks enough
    // like them that the best candidate falls in the pool's review band: manual_check FALLBACK sends it to a person.
    const poolId = (await signedCall(server.apiUrl, appA, 'POST', '/pools', { label: 'BLOCKLIST' })).body.id;
    const applicant = await signedCall(server.apiUrl, appA, 'POST', '/applicants', {
      face: { data: readFileSync(enrolled!.photos[0]!).toString('base64') },
    });
    await signedCall(server.apiUrl, appA, 'POST', `/pools/${poolId}/applicants`, { applicant_id: applicant.body.id });
    const search = async (photo: string) =>
      (
        await signedCall(server.apiUrl, appA, 'POST', `/pools/${poolId}/search`, {
          image: { data: readFileSync(photo).toString('base64') },
        })
      ).body.candidates?.[0]?.similarity ?? Number.NaN;
    const probe = await lookAlike(enrolled!, poolReviewBand({}, 1, defaultScoreCalibration()), search);
    const spec = new yoti.SessionSpecificationBuilder()
      .withClientSessionTokenTtl(600)
      .withUserTrackingId('<b>tracked</b>')
      .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().withMaxRetries(2).build())
      .withRequestedCheck(familiarFaceSearch(poolId, 'NO_MATCH', 'FALLBACK'))
      .withNotifications(
        new yoti.NotificationConfigBuilder()
          .withEndpoint(receiver.url)
          .forCheckCompletion()
          .forSessionCompletion()
          .build(),
      )
      .build();
    const session = await idvClient(appA, server.apiUrl).createSession(spec);
    sessionA = session.getSessionId();
    await new ClientApi(server.apiUrl, sessionA, session.getClientSessionToken()).selfieAndFinish(
      readFileSync(probe.photo),
    );
    sessionB = (
      await idvClient(appB, server.apiUrl).createSession(
        new yoti.SessionSpecificationBuilder()
          .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().build())
          .build(),
      )
    ).getSessionId();
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await idp?.close();
    await receiver?.close();
  });

  const oneTimePassword = () => /password: (\S+)\s+\(one-time/.exec(server.output())![1]!;

  async function visit(page: Page, path: string, name?: string) {
    const res = await page.goto(`${server.baseUrl}${path}`);
    const key = new URL(page.url()).pathname.replace(/[0-9a-f-]{36}/g, ':id');
    if (!pages.has(key)) {
      pages.add(key);
      expect(await axeViolations(page), key).toEqual([]);
    }
    if (name) await shot(page, name);
    return res;
  }

  /** Waits for a page, or fails saying where the browser is and what it shows. */
  async function arrive(page: Page, url: RegExp) {
    await page.waitForURL(url, { timeout: 15_000 }).catch(async (err: Error) => {
      throw new Error(
        `${err.message} at ${page.url()}: ${(await page.locator('body').textContent())?.replace(/\s+/g, ' ').slice(0, 400)}`,
      );
    });
  }

  async function signIn(
    context: BrowserContext,
    username: string,
    password: string,
    newPassword?: string,
  ): Promise<Page> {
    const page = await context.newPage();
    await visit(page, '/console/', 'console-01-sign-in');
    // Keyboard: the first Tab reaches the skip link, which moves the focus to the page's content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    if (newPassword) {
      await page.waitForURL(/account\/password/);
      await visit(page, '/console/account/password');
      await page.getByLabel('Current password').fill(password);
      await page.getByLabel(/^New password \(/).fill(newPassword);
      await page.getByLabel('New password again').fill(newPassword);
      await page.getByRole('button', { name: 'Set password' }).click();
    }
    await arrive(page, /\/console\/sessions/);
    return page;
  }

  it('runs the review story: a reviewer rejects a FALLBACK search, the session completes, the webhook fires, the audit log shows it', async () => {
    const admin = await browser.browser.newContext();
    const page = await signIn(admin, 'admin', oneTimePassword(), 'the admin chose this one');
    await visit(page, '/console/sessions', 'console-02-sessions');
    expect(await page.locator('tbody').textContent()).toContain('<b>tracked</b>');
    await visit(page, '/console/users');
    await page.getByLabel(/^User name/).fill('rita');
    await page.getByLabel('Role').selectOption('reviewer');
    await page.getByLabel(/Fraud team app/).check();
    await page.getByRole('button', { name: 'Add user' }).click();
    const ritaPassword = (await page.locator('.notice code').textContent())!;
    await shot(page, 'console-08-users');

    const reviewer = await browser.browser.newContext();
    const r = await signIn(reviewer, 'rita', ritaPassword, 'rita reviews carefully');
    // The lifecycle sent the search to review: the session shows in the queue once its checks have run.
    for (const deadline = Date.now() + 60_000; ; ) {
      await r.goto(`${server.baseUrl}/console/reviews`);
      if ((await r.locator('tbody').textContent())?.includes(sessionA)) break;
      if (Date.now() > deadline) throw new Error('the session never reached the review queue');
      await r.waitForTimeout(300);
    }
    await visit(r, '/console/reviews', 'console-03-review-queue');
    const row = r.locator('tbody tr', { hasText: sessionA });
    expect(await row.textContent()).toContain("in the pool's review band");
    // While it waits, the official SDK reads the session: ONGOING, the search CREATED and without a report yet.
    const waiting = await idvClient(appA, server.apiUrl).getSession(sessionA);
    expect(waiting.getState()).toBe('ONGOING');
    const waitingSearch = waiting
      .getChecks()
      .find((c: { getType(): string }) => c.getType() === 'FAMILIAR_FACE_SEARCH');
    expect(waitingSearch.getState()).toBe('CREATED');
    expect(waitingSearch.getReport()).toBeUndefined();
    await row.getByRole('link', { name: /Review/ }).click();
    await arrive(r, /\/console\/reviews\/[0-9a-f-]{36}$/);
    reviewId = new URL(r.url()).pathname.split('/').pop()!;
    await visit(r, `/console/reviews/${reviewId}`);
    // The probe and the candidate's enrolled face both load (the images are real and served to this user).
    const images = r.locator('section.compare img');
    expect(await images.count()).toBeGreaterThanOrEqual(2);
    for (const img of await images.all())
      expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(await r.locator('.compare h4').first().textContent()).toMatch(/similarity 0\.\d\d/);
    await shot(r, 'console-04-review-compare');
    await r.getByRole('radio', { name: 'Reject' }).check();
    await r.getByLabel(/^Reason/).fill('Same person as the blocklisted applicant <script>x</script>');
    await r.getByRole('button', { name: 'Record decision' }).click();
    await r.waitForLoadState();
    expect(await r.locator('.notice').first().textContent()).toContain('Decided: REJECT by rita');

    // The decision completes the session: the SDK reads EXPERT_REVIEW in the report, and the webhook fires.
    let done = await idvClient(appA, server.apiUrl).getSession(sessionA);
    for (
      const deadline = Date.now() + 30_000;
      done.getState() !== 'COMPLETED';
      done = await idvClient(appA, server.apiUrl).getSession(sessionA)
    ) {
      if (Date.now() > deadline) throw new Error('the reviewed session did not complete');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const report = done
      .getChecks()
      .find((c: { getType(): string }) => c.getType() === 'FAMILIAR_FACE_SEARCH')
      .getReport();
    expect(report.getRecommendation().getValue()).toBe('REJECT');
    expect(report.getRecommendation().getReason()).toBe('MATCH_FOUND');
    const [decided] = report.getBreakdown();
    expect([decided.getSubCheck(), decided.getResult(), decided.getProcess()]).toEqual([
      'face_not_found_in_pool',
      'FAIL',
      'EXPERT_REVIEW',
    ]);
    const reason = decided.getDetails().find((d: { getName(): string }) => d.getName() === 'review_reason');
    expect(reason.getValue()).toBe('Same person as the blocklisted applicant <script>x</script>');
    const completion = () =>
      receiver.delivered().find((w) => w.json.topic === 'session_completion' && w.json.session_id === sessionA);
    for (
      const deadline = Date.now() + 30_000;
      !completion();
      await new Promise((resolve) => setTimeout(resolve, 100))
    ) {
      if (Date.now() > deadline) throw new Error('no SESSION_COMPLETION webhook');
    }

    await visit(page, '/console/audit', 'console-06-audit');
    const audit = (await page.locator('tbody').textContent())!;
    for (const action of ['review.view', 'media.view', 'face.view', 'review.decide', 'user.create'])
      expect(audit).toContain(action);
    expect(audit).toContain('Same person as the blocklisted applicant <script>x</script>');
    // Add to blocklist: the session's selfie becomes a second applicant of the pool; then one face is removed.
    await visit(page, `/console/sessions/${sessionA}`);
    await page.getByRole('button', { name: 'Add to pool' }).first().click();
    await arrive(page, /added=/);
    expect(await page.locator('.notice.success').textContent()).toContain('added to the pool as applicant');
    await shot(page, 'console-05-session');
    await visit(page, '/console/pools', 'console-07-pools');
    await page.getByRole('link', { name: 'BLOCKLIST' }).click();
    await visit(page, new URL(page.url()).pathname);
    expect(await page.locator('tbody tr').count()).toBe(2);
    await page.locator('tbody a').first().click();
    await visit(page, new URL(page.url()).pathname);
    await page.getByRole('button', { name: 'Remove face 1' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('button', { name: /^Remove face/ }).count()).toBe(0);
    await visit(page, '/console/apps');
    await visit(page, '/console/try');
    await page.getByRole('button', { name: 'Create test session' }).click();
    await page.waitForSelector('.qr svg');
    await visit(page, '/console/try');
    await page.getByRole('button', { name: 'Create test session' }).click();
    await page.waitForSelector('.qr svg');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'console-09-try-it');
    const link = await page.locator('.qr + div a.id').getAttribute('href');
    expect(link).toContain('/idverify/v1/web/index.html?sessionID=');
    await visit(page, `/console/sessions?review=yes`);
    await admin.close();

    // A user of app A cannot open app B's session by its URL.
    const res = await visit(r, `/console/sessions/${sessionB}`);
    expect(res!.status()).toBe(404);
    // A POST without the CSRF token is refused, even with the reviewer's cookie.
    const other = await signedCall(server.apiUrl, appA, 'GET', `/sessions/${sessionA}`);
    expect(other.status).toBe(200);
    const refused = await r.request.post(`${server.baseUrl}/console/reviews/${reviewId}/decide`, {
      form: { decision: 'APPROVE', reason: '' },
    });
    expect(refused.status()).toBe(403);
    await reviewer.close();
  }, 240_000);

  it('does not let a viewer decide', async () => {
    const created = JSON.parse(
      await server.cli(['users', 'create', '--username', 'vera', '--role', 'viewer', '--apps', appA.sdkId, '--json']),
    ) as { password: string };
    const context = await browser.browser.newContext();
    const page = await signIn(context, 'vera', created.password, 'vera only looks here');
    await visit(page, `/console/reviews/${reviewId}`);
    expect(await page.getByRole('button', { name: 'Record decision' }).count()).toBe(0);
    const csrf = await page.locator('input[name="_csrf"]').first().getAttribute('value');
    const res = await page.request.post(`${server.baseUrl}/console/reviews/${reviewId}/decide`, {
      form: { _csrf: csrf!, decision: 'APPROVE', reason: '' },
    });
    expect(res.status()).toBe(403);
    // Disabling her from the command line ends her session at once.
    await server.cli(['users', 'disable', 'vera']);
    await page.goto(`${server.baseUrl}/console/sessions`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    const listed = JSON.parse(await server.cli(['users', 'list', '--json'])) as { username: string; status: string }[];
    expect(listed.find((u) => u.username === 'vera')?.status).toBe('disabled');
    await context.close();
  });

  it('signs in with OpenID Connect against a real provider', async () => {
    await server.cli([
      'users',
      'create',
      '--username',
      'oscar@example.com',
      '--role',
      'viewer',
      '--apps',
      appA.sdkId,
      '--sso-only',
    ]);
    const context = await browser.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/console/login`);
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await page.locator('input[name="login"]').fill('oscar');
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await arrive(page, /\/console\/sessions/);
    expect(await page.locator('.account').textContent()).toContain('oscar@example.com (viewer)');
    expect(await page.locator('tbody').textContent()).toContain(sessionA);
    await context.close();
    // A provider identity with no console user behind it is refused.
    const stranger = await browser.browser.newContext();
    const p2 = await stranger.newPage();
    await p2.goto(`${server.baseUrl}/console/login`);
    await p2.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await p2.locator('input[name="login"]').fill('mallory');
    await p2.locator('input[name="password"]').fill('anything');
    await p2.getByRole('button', { name: 'Sign-in' }).click();
    await p2.getByRole('button', { name: 'Continue' }).click();
    await arrive(p2, /\/console\/sso\/callback/);
    expect(await p2.locator('.notice').textContent()).toContain('no console user is linked');
    await stranger.close();
  });
});
