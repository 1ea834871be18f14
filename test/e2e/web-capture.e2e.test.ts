import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserSkipReason,
  collectProblems,
  type LaunchedBrowser,
  launchChromium,
  layoutProblems,
  placeholderVideo,
  screenshot,
  standInVideoFromPhoto,
  tempDir,
  videoFromPhoto,
} from '../helpers/browser.js';
import { ClientApi } from '../helpers/client-api.js';
import { dataPath, hasData } from '../helpers/data.js';
import { lfwPeople } from '../helpers/lfw.js';
import { type RunningServer, startServer, type TestApp } from '../helpers/server.js';
import { familiarFaceSearch, idvClient, signedCall, yoti } from '../helpers/yoti.js';

// The end-user capture page in real Chromium against the real server: the relying party's story through the yoti
// SDK, with Chromium's fake camera showing an enrolled person (a video made from an LFW photo), plus camera
// denial, an expired link and a 320-px phone. Screenshots go to test-artifacts/web-capture/.

const skipReason = browserSkipReason();
if (skipReason) console.warn(`[skip] capture page browser tests: ${skipReason}`);
const DOCUMENT = ['mrz-passporteye', 'testdata', '100_pass-cze.jpg'] as const;
const withData = !skipReason && hasData('lfw-dev', 'images') && hasData(...DOCUMENT);
const RP = 'https://rp.example';
const FACE_READY = 'Looks good';

interface Opened {
  context: BrowserContext;
  page: Page;
  /** Page errors and CSP / Trusted Types violations. */
  problems: string[];
}

describe.skipIf(!withData)('end-user capture page in Chromium', () => {
  let server: RunningServer;
  let app: TestApp;
  let poolId: string;
  let faceCamera: LaunchedBrowser;
  let plainCamera: LaunchedBrowser;
  const [enrolled] = withData ? lfwPeople(1, 2, 10) : [];
  const documentImage = dataPath(...DOCUMENT);
  const tokens: string[] = [];
  let work: string | undefined;

  beforeAll(async () => {
    work = tempDir('openidv-web-');
    const [faceVideo, plainVideo] = await Promise.all([
      standInVideoFromPhoto(enrolled!.photos[1]!, join(work, 'face.y4m')),
      placeholderVideo(join(work, 'placeholder.y4m')),
    ]);
    // Info-level logs, to check below that no client token reaches them.
    [server, faceCamera, plainCamera] = await Promise.all([
      startServer({ env: { OPENIDV_LOG_LEVEL: 'info', OPENIDV_JOB_POLL_MS: '50' } }),
      launchChromium({ video: faceVideo }),
      launchChromium({ video: plainVideo }),
    ]);
    app = await server.createApp('web-capture');
    poolId = (await signedCall(server.apiUrl, app, 'POST', '/pools', { label: 'POOL EXAMPLE' })).body.id;
    const applicant = await signedCall(server.apiUrl, app, 'POST', '/applicants', {
      face: { data: readFileSync(enrolled!.photos[0]!).toString('base64') },
    });
    expect(applicant.status).toBe(201);
    expect(
      (await signedCall(server.apiUrl, app, 'POST', `/pools/${poolId}/applicants`, { applicant_id: applicant.body.id }))
        .status,
    ).toBe(204);
  });

  afterAll(async () => {
    await faceCamera?.close();
    await plainCamera?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function createSession(options: {
    selfie: boolean;
    document: boolean;
    upload: boolean;
    justInTimeConsent?: boolean;
  }) {
    let spec = new yoti.SessionSpecificationBuilder().withClientSessionTokenTtl(600);
    if (options.selfie) {
      spec = spec
        .withRequestedCheck(new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().withMaxRetries(2).build())
        .withRequestedCheck(familiarFaceSearch(poolId, 'NO_MATCH'));
    }
    if (options.document) {
      const filter = new yoti.OrthogonalRestrictionsFilterBuilder()
        .withWhitelistedCountries(['CZE', 'GBR'])
        .withWhitelistedDocumentTypes(['PASSPORT', 'NATIONAL_ID'])
        .build();
      spec = spec.withRequiredDocument(new yoti.RequiredIdDocumentBuilder().withFilter(filter).build());
    }
    let sdkBuilder = options.upload
      ? new yoti.SdkConfigBuilder().withAllowsCameraAndUpload()
      : new yoti.SdkConfigBuilder().withAllowsCamera();
    if (options.justInTimeConsent) sdkBuilder = sdkBuilder.withJustInTimeBiometricConsentFlow();
    const sdk = sdkBuilder
      .withPrimaryColour('#0b5fff')
      .withSuccessUrl(`${RP}/done`)
      .withErrorUrl(`${RP}/error`)
      .withPrivacyPolicyUrl(`${RP}/privacy`)
      .build();
    const session = await idvClient(app, server.apiUrl).createSession(spec.withSdkConfig(sdk).build());
    const id: string = session.getSessionId();
    const token: string = session.getClientSessionToken();
    tokens.push(token);
    return { id, token, url: `${server.apiUrl}/web/index.html?sessionID=${id}&sessionToken=${token}` };
  }

  async function open(
    browser: LaunchedBrowser,
    url: string,
    options: { camera: boolean; width?: number; height?: number },
  ): Promise<Opened> {
    const context = await browser.browser.newContext({
      permissions: options.camera ? ['camera'] : [],
      viewport: { width: options.width ?? 480, height: options.height ?? 860 },
      hasTouch: (options.width ?? 480) < 400,
      isMobile: (options.width ?? 480) < 400,
    });
    // The relying party's pages (success_url, error_url, privacy policy): the machine is offline.
    await context.route(`${RP}/**`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><title>Relying party</title><h1>Back at the relying party</h1>',
      }),
    );
    const page = await context.newPage();
    const problems = collectProblems(page);
    await page.goto(url);
    return { context, page, problems };
  }

  // playwright-core has no expect(): wait for the state instead (a timeout fails the test).
  const visible = (locator: Locator, timeout = 15_000) => locator.first().waitFor({ state: 'visible', timeout });
  const heading = (page: Page, text: string | RegExp) =>
    visible(page.getByRole('heading', { level: 1, name: text }), 30_000);

  async function chooseDocument(page: Page) {
    await heading(page, 'Your identity document');
    const options = await page.locator('#country option').allTextContents();
    expect(options).toEqual(['Choose a country', 'Czechia', 'United Kingdom']);
    await page.getByLabel('Country that issued it').selectOption('CZE');
    expect(
      await page
        .locator('input[name="document-type"]')
        .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
    ).toEqual(['PASSPORT', 'NATIONAL_ID']);
    await page.getByLabel('Passport').check();
  }

  /** Continue from the document choice, past the photo tips shown before the first document. */
  async function pastDocumentTips(page: Page) {
    await page.locator('#document-continue').click();
    await heading(page, 'Photographing your document');
    await page.locator('#document-tips-continue').click();
  }

  async function uploadDocumentFile(page: Page) {
    const chooser = page.waitForEvent('filechooser');
    await page.locator('#upload-button').click();
    await (await chooser).setFiles(documentImage);
    await heading(page, 'Photo page of your passport');
    await visible(page.locator('img.review'));
  }

  it('walks the relying party story: consent, passport upload, live selfie feedback, redirect to success_url, COMPLETED with the expected reports', async () => {
    const started = Date.now();
    const session = await createSession({ selfie: true, document: true, upload: true });
    const { page, context, problems } = await open(faceCamera, session.url, { camera: true });

    await heading(page, "Let's check your identity");
    // The token leaves the address bar as soon as the page has read it.
    expect(page.url()).not.toContain('sessionToken');
    expect(
      await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()),
    ).toBe('#0b5fff');
    await screenshot(page, 'story-01-welcome');
    await page.getByRole('button', { name: 'Start' }).click();

    await heading(page, 'Your consent to use your face');
    expect(await page.getByRole('link', { name: /privacy policy/ }).getAttribute('href')).toBe(`${RP}/privacy`);
    await page.getByRole('button', { name: 'Continue' }).click();
    await visible(page.getByRole('alert').filter({ hasText: 'Tick the box' }));
    await page.getByLabel(/I agree that my face/).check();
    await screenshot(page, 'story-02-consent');
    await page.getByRole('button', { name: 'Continue' }).click();

    await chooseDocument(page);
    expect(await page.locator('#steps-label').textContent()).toBe('Step 2 of 3: Your document');
    await screenshot(page, 'story-03-document-choice');
    await pastDocumentTips(page);

    await heading(page, 'Photo page of your passport');
    await visible(page.locator('.guide-passport'));
    await screenshot(page, 'story-04-document-camera');
    // Going back keeps the choice made.
    await page.getByRole('button', { name: 'Choose a different document' }).click();
    await heading(page, 'Your identity document');
    expect(await page.locator('#country').inputValue()).toBe('CZE');
    expect(await page.getByLabel('Passport').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, 'Photo page of your passport');
    await uploadDocumentFile(page);
    await screenshot(page, 'story-05-document-review');
    await page.getByRole('button', { name: 'Use this photo' }).click();

    await heading(page, 'Take a selfie');
    await page.getByRole('button', { name: "I'm ready" }).click();
    await visible(page.locator('.guide-oval'));
    // Live feedback from POST analyse on preview frames (the first one waits for the face models to load).
    await visible(page.locator('#live-feedback', { hasText: FACE_READY }), 45_000);
    await visible(page.locator('.guide-oval.ok'));
    await screenshot(page, 'story-06-selfie-feedback');
    await page.getByRole('button', { name: 'Take photo' }).click();
    // The selfie is shown before it is sent, as documents are.
    await visible(page.locator('img.review-face'));
    await page.getByRole('button', { name: 'Use this photo' }).click();

    await page.waitForURL(`${RP}/done?sessionID=${session.id}`, { timeout: 60_000 });
    await screenshot(page, 'story-07-success-url');
    expect(problems).toEqual([]);
    await context.close();

    const client = idvClient(app, server.apiUrl);
    const deadline = Date.now() + 60_000;
    while ((await client.getSession(session.id)).getState() !== 'COMPLETED') {
      if (Date.now() > deadline) throw new Error('the session did not complete');
      await new Promise((r) => setTimeout(r, 200));
    }
    const result = await client.getSession(session.id);
    expect(result.getBiometricConsentTimestamp()).toBeInstanceOf(Date);
    const raw = (await signedCall(server.apiUrl, app, 'GET', `/sessions/${session.id}`)).body;
    // One document: going back to the choice created nothing.
    expect(raw.resources.id_documents).toHaveLength(1);
    const [idDocument] = raw.resources.id_documents;
    expect(idDocument).toMatchObject({ document_type: 'PASSPORT', issuing_country: 'CZE' });
    expect(idDocument.pages.map((p: { capture_method: string }) => p.capture_method)).toEqual(['UPLOAD']);
    const checks = raw.checks as {
      type: string;
      state: string;
      report: { recommendation: { value: string; reason?: string } };
    }[];
    const ffs = checks.find((c) => c.type === 'FAMILIAR_FACE_SEARCH')!;
    const liveness = checks.find((c) => c.type === 'LIVENESS')!;
    expect(ffs).toMatchObject({
      state: 'DONE',
      report: { recommendation: { value: 'REJECT', reason: 'MATCH_FOUND' } },
    });
    expect(liveness, JSON.stringify(liveness)).toMatchObject({
      state: 'DONE',
      report: { recommendation: { value: 'APPROVE' } },
    });
    // The page reported its progress (POST progress) up to the finish.
    const events = (await signedCall(server.apiUrl, app, 'GET', `/sessions/${session.id}/tracked-devices`)).body.map(
      (e: { event: string }) => e.event,
    );
    for (const step of [
      'CONFIG_FIRST_LOADED',
      'PROGRESS:WELCOME',
      'PROGRESS:CONSENT_GIVEN',
      'PROGRESS:DOCUMENT_COMPLETED',
      'PROGRESS:SELFIE_UPLOADED',
      'PROGRESS:FINISH',
      'CLIENT_SESSION_TOKEN_DELETED',
    ]) {
      expect(events).toContain(step);
    }
    console.info(
      `[web-capture] story: ${((Date.now() - started) / 1000).toFixed(1)} s from session creation to COMPLETED`,
    );
  }, 180_000);

  it('fits a 320-px phone: every control inside the viewport, no sideways scrolling (placeholder camera, no face)', async () => {
    const session = await createSession({ selfie: true, document: true, upload: true });
    const { page, context, problems } = await open(plainCamera, session.url, { camera: true, width: 320, height: 640 });
    const check = async (name: string) => {
      expect(await layoutProblems(page), name).toEqual([]);
      await screenshot(page, `phone-${name}`);
    };
    // Keyboard only where it matters most: consent, and the shutter.
    const focused = () =>
      page.evaluate(() => ({
        id: document.activeElement?.id,
        outline: getComputedStyle(document.activeElement!).outlineStyle,
      }));
    await heading(page, "Let's check your identity");
    await check('01-welcome');
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual({ id: 'start', outline: 'solid' });
    await page.keyboard.press('Enter');
    await heading(page, 'Your consent to use your face');
    await page.keyboard.press('Tab'); // the privacy policy link
    expect((await focused()).id).toBe('privacy-link');
    await page.keyboard.press('Tab');
    expect((await focused()).id).toBe('consent-box');
    await page.keyboard.press('Space');
    expect(await page.locator('#consent-box').isChecked()).toBe(true);
    await check('02-consent');
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual({ id: 'consent-continue', outline: 'solid' });
    await page.keyboard.press('Enter');
    await chooseDocument(page);
    await check('03-document-choice');
    await pastDocumentTips(page);
    await visible(page.locator('#shutter:not([disabled])'));
    await check('04-document-camera');
    // Keyboard only: the shutter has the focus once the camera runs.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('shutter');
    await page.keyboard.press('Enter');
    await heading(page, 'Photo page of your passport');
    await visible(page.locator('img.review'));
    await check('05-document-review');
    await page.getByRole('button', { name: 'Use this photo' }).click();
    await heading(page, 'Take a selfie');
    await check('06-selfie-tips');
    await page.getByRole('button', { name: "I'm ready" }).click();
    await visible(page.locator('#live-feedback', { hasText: "We can't see your face" }), 45_000);
    await check('07-selfie-no-face');
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('falls back to a file upload when the camera is denied or missing, retries an upload after a network failure, and explains camera-only sessions', async () => {
    const session = await createSession({ selfie: false, document: true, upload: true });
    const { page, context, problems } = await open(plainCamera, session.url, { camera: false });
    await page.getByRole('button', { name: 'Start' }).click();
    await chooseDocument(page);
    await pastDocumentTips(page);
    await visible(page.getByText('Camera access is blocked'));
    await visible(page.getByRole('button', { name: 'Try the camera again' }));
    await screenshot(page, 'denied-01-upload-fallback');
    await uploadDocumentFile(page);
    // The first upload attempt dies on the network: the page says so and tries again by itself.
    let failed = 0;
    await page.route('**/documents/*/pages', (route) =>
      failed++ === 0 ? route.abort('connectionreset') : route.continue(),
    );
    await page.getByRole('button', { name: 'Use this photo' }).click();
    await visible(page.getByText(/The connection was interrupted\. Trying again/), 10_000);
    await screenshot(page, 'denied-02-upload-retry');
    await page.waitForURL(`${RP}/done?sessionID=${session.id}`, { timeout: 30_000 });
    expect(failed).toBe(2);
    expect(problems).toEqual([]);
    await context.close();
    const raw = (await signedCall(server.apiUrl, app, 'GET', `/sessions/${session.id}`)).body;
    expect(raw.resources.id_documents[0].pages.map((p: { capture_method: string }) => p.capture_method)).toEqual([
      'UPLOAD',
    ]);

    // Camera only: no upload offered, and the user is told how to allow the camera.
    const cameraOnly = await createSession({ selfie: false, document: true, upload: false });
    const second = await open(plainCamera, cameraOnly.url, { camera: false });
    await second.page.getByRole('button', { name: 'Start' }).click();
    await chooseDocument(second.page);
    await pastDocumentTips(second.page);
    await visible(second.page.getByText(/Camera access is blocked.*choose Allow/));
    await visible(second.page.getByRole('button', { name: 'Try the camera again' }));
    expect(await second.page.locator('#upload-button').count()).toBe(0);
    await screenshot(second.page, 'denied-03-camera-only');
    await second.context.close();

    // A device with no camera at all: upload offered at once.
    const noCamera = await launchChromium();
    try {
      const third = await open(noCamera, (await createSession({ selfie: false, document: true, upload: true })).url, {
        camera: true,
      });
      await third.page.getByRole('button', { name: 'Start' }).click();
      await chooseDocument(third.page);
      await pastDocumentTips(third.page);
      await visible(third.page.getByText("We couldn't find a camera on this device."));
      await visible(third.page.locator('#upload-button'));
      await screenshot(third.page, 'denied-04-no-camera');
      expect(third.problems).toEqual([]);
    } finally {
      await noCamera.close();
    }
  }, 120_000);

  it('takes the selfie live only: no upload even where uploads are allowed, and a still photo held to the camera is rejected', async () => {
    // The attack of issue 20 in its browser form: the camera sees a still photo (a video of it, frame for frame).
    const stillVideo = await videoFromPhoto(enrolled!.photos[1]!, join(work!, 'still.y4m'));
    const stillCamera = await launchChromium({ video: stillVideo });
    try {
      const session = await createSession({ selfie: true, document: false, upload: true });
      const { page, context, problems } = await open(stillCamera, session.url, { camera: true });
      await page.getByRole('button', { name: 'Start' }).click();
      await page.getByLabel(/I agree that my face/).check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await heading(page, 'Take a selfie');
      await page.getByRole('button', { name: "I'm ready" }).click();
      await visible(page.locator('.guide-oval'));
      await visible(page.locator('#shutter:not([disabled])'), 30_000);
      expect(
        await page.locator('#upload-button').count(),
        'no upload on the selfie step of a CAMERA_AND_UPLOAD session',
      ).toBe(0);
      expect(await page.locator('#file-input').count()).toBe(1); // present for documents, never offered here
      await screenshot(page, 'selfie-live-only');
      await page.getByRole('button', { name: 'Take photo' }).click();
      await visible(page.locator('img.review-face'), 15_000);
      await page.getByRole('button', { name: 'Use this photo' }).click();
      await page.waitForURL(`${RP}/done?sessionID=${session.id}`, { timeout: 60_000 });
      expect(problems).toEqual([]);
      await context.close();

      const client = idvClient(app, server.apiUrl);
      const deadline = Date.now() + 60_000;
      while ((await client.getSession(session.id)).getState() !== 'COMPLETED') {
        if (Date.now() > deadline) throw new Error('the session did not complete');
        await new Promise((r) => setTimeout(r, 200));
      }
      const result = await client.getSession(session.id);
      const [liveness] = result.getLivenessChecks();
      expect(liveness.getReport().getRecommendation().getValue()).toBe('REJECT');
      const signature = liveness
        .getReport()
        .getBreakdown()
        .find((b: { getSubCheck(): string }) => b.getSubCheck() === 'payload_signature_verification');
      const reason = signature
        .getDetails()
        .find((d: { getName(): string }) => d.getName() === 'reason')
        .getValue();
      console.info(`[web-capture] a still photo held to the camera: LIVENESS REJECT, ${reason}`);
      expect(reason).toMatch(/byte-identical|no motion|does not move|flat picture/);
      expect(result.getResources().getStaticLivenessResources()).toHaveLength(1);
      const raw = (await signedCall(server.apiUrl, app, 'GET', `/sessions/${session.id}`)).body;
      expect(raw.resources.liveness_capture[0]).toMatchObject({ capture_method: 'CAMERA' });
      expect(raw.resources.liveness_capture[0].frames).toHaveLength(4);
    } finally {
      await stillCamera.close();
    }

    // The camera denied on the selfie step: how to allow it, try again, or go back; still no upload.
    const denied = await createSession({ selfie: true, document: false, upload: true });
    const second = await open(plainCamera, denied.url, { camera: false });
    await second.page.getByRole('button', { name: 'Start' }).click();
    await second.page.getByLabel(/I agree that my face/).check();
    await second.page.getByRole('button', { name: 'Continue' }).click();
    await second.page.getByRole('button', { name: "I'm ready" }).click();
    await visible(second.page.getByText(/must be taken live with your camera/));
    await visible(second.page.getByRole('button', { name: 'Try the camera again' }));
    expect(await second.page.locator('#upload-button').count()).toBe(0);
    await visible(second.page.locator('#camera-leave'));
    await screenshot(second.page, 'selfie-camera-denied');
    await second.page.locator('#camera-leave').click();
    await second.page.waitForURL(new RegExp(`${RP}/error\\?sessionID=${denied.id}&error=CAMERA_DENIED`), {
      timeout: 15_000,
    });
    await second.context.close();
  }, 180_000);

  it('asks consent just in time when configured, and returns a user who declines it to error_url with the sessionID', async () => {
    const session = await createSession({ selfie: true, document: true, upload: true, justInTimeConsent: true });
    const { page, context, problems } = await open(plainCamera, session.url, { camera: true });
    await page.getByRole('button', { name: 'Start' }).click();
    await chooseDocument(page);
    await pastDocumentTips(page);
    await uploadDocumentFile(page);
    await page.getByRole('button', { name: 'Use this photo' }).click();
    await heading(page, 'Your consent to use your face');
    expect(await page.locator('#steps-label').textContent()).toBe('Step 2 of 3: Consent');
    await page.getByRole('button', { name: "I don't agree" }).click();
    await heading(page, "We can't continue without your consent");
    await screenshot(page, 'declined-01');
    await page.getByRole('button', { name: 'Return to rp.example' }).click();
    await page.waitForURL(`${RP}/error?sessionID=${session.id}&error=CONSENT_DECLINED&yotiErrorCode=1000`);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('shows "this link has expired" for a used, wrong or deleted link, with the way back to the relying party where it is known', async () => {
    const session = await createSession({ selfie: false, document: true, upload: true });
    expect((await new ClientApi(server.apiUrl, session.id, session.token).finish()).status).toBe(200);
    const { page, context, problems } = await open(plainCamera, session.url, { camera: true });
    await heading(page, 'This link has expired');
    await visible(page.getByText('start the check again'));
    await screenshot(page, 'expired-01');
    // A used link still knows its session's error_url: not a dead end.
    await page.getByRole('button', { name: 'Return to rp.example' }).click();
    await page.waitForURL(`${RP}/error?sessionID=${session.id}&error=TOKEN_EXPIRED&yotiErrorCode=2000`);
    // A wrong token, or a deleted session, tells nobody which relying party it belongs to: no button to guess.
    await page.goto(`${server.apiUrl}/web/index.html?sessionID=${session.id}&sessionToken=not-a-token`);
    await heading(page, 'This link has expired');
    expect(await page.locator('#expired-leave').count()).toBe(0);
    const deleted = await createSession({ selfie: false, document: true, upload: true });
    expect((await signedCall(server.apiUrl, app, 'DELETE', `/sessions/${deleted.id}`)).status).toBe(204);
    await page.goto(deleted.url);
    await heading(page, 'This link has expired');
    expect(await page.locator('#expired-leave').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('serves the page with a strict CSP, no referrer, no caching, and keeps tokens out of the logs', async () => {
    const res = await fetch(`${server.apiUrl}/web/index.html?sessionID=x&sessionToken=y`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("script-src 'self'");
    const js = await fetch(`${server.apiUrl}/web/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(
      (await fetch(`${server.apiUrl}/web/app.js`, { headers: { 'if-none-match': js.headers.get('etag')! } })).status,
    ).toBe(304);
    expect((await fetch(`${server.apiUrl}/web/styles.css`)).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    expect((await fetch(`${server.apiUrl}/web/tsconfig.json`)).status).toBe(404);
    const redirect = await fetch(`${server.apiUrl}/web/?sessionID=x&sessionToken=y`, { redirect: 'manual' });
    expect(redirect.headers.get('location')).toBe('/idverify/v1/web/index.html?sessionID=x&sessionToken=y');
    // The server logged every request of this file at info level; no client token appears in it.
    expect(server.output()).toContain('sessionToken=[redacted]');
    for (const token of tokens) expect(server.output()).not.toContain(token);
  });
});
