import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOcrbFont } from '../../src/tools/ocrb-training/ocrb-synth.js';
import {
  browserSkipReason,
  collectProblems,
  type LaunchedBrowser,
  launchChromium,
  screenshot,
  standInVideoFromPhoto,
  tempDir,
} from '../helpers/browser.js';
import { hasData } from '../helpers/data.js';
import { type IntegratorApp, startIntegrator } from '../helpers/integrator-app.js';
import { lfwPeople } from '../helpers/lfw.js';
import { type RunningServer, startServer, type TestApp } from '../helpers/server.js';
import { syntheticPassport } from '../helpers/synthetic-passport.js';
import { familiarFaceSearch, signedCall, yoti } from '../helpers/yoti.js';

// An existing Yoti integration, unchanged: an Express app written like Yoti's examples creates sessions with the
// official SDK and shows openidv's page in an iframe with allow="camera" (another origin, as in production); the
// page runs in real Chromium with a fake camera showing the person whose synthetic passport is uploaded.
// The app lets its own origin frame its pages (openidv apps update --frame-ancestors); any other origin is
// refused by the CSP. What the parent hears (postMessage) and where the iframe goes (success_url, error_url
// with yotiErrorCode) are what Yoti's examples read.

const skipReason = browserSkipReason();
const withData = !skipReason && hasData('lfw-dev', 'images');
const withFont = Boolean(findOcrbFont());
if (skipReason) console.warn(`[skip] integrator iframe tests: ${skipReason}`);
if (!withFont)
  console.warn('[skip] integrator iframe document test: OCR-B font not found (apt-get install fonts-ocr-b)');

interface IdvEvent {
  origin: string;
  data: { eventType: string; eventCode?: number };
}

describe.skipIf(!withData)('a Yoti-style integrator app embedding the capture page', () => {
  let server: RunningServer;
  let app: TestApp;
  let integrator: IntegratorApp;
  let browser: LaunchedBrowser;
  /** A second camera showing another photo: the server flags a selfie whose bytes another session already sent. */
  let otherCamera: LaunchedBrowser;
  let poolId: string;
  let work: string;
  let passportFile: string;
  const [holder] = withData ? lfwPeople(1, 3, 21) : [];

  const sdkConfig = (base: string, urls = true) => {
    let builder = new yoti.SdkConfigBuilder()
      .withAllowsCameraAndUpload()
      .withPrimaryColour('#2d9fff')
      .withLocale('en-GB')
      .withPresetIssuingCountry('GBR');
    if (urls)
      builder = builder
        .withSuccessUrl(`${base}/success`)
        .withErrorUrl(`${base}/error`)
        .withPrivacyPolicyUrl(`${base}/privacy-policy`);
    return builder.build();
  };
  const liveness = () => new yoti.RequestedLivenessCheckBuilder().forStaticLiveness().withMaxRetries(2).build();
  const session = () =>
    new yoti.SessionSpecificationBuilder()
      .withClientSessionTokenTtl(600)
      .withResourcesTtl(90000)
      .withUserTrackingId('some-user-tracking-id');

  beforeAll(async () => {
    work = tempDir('openidv-integrator-');
    const [video, otherVideo] = await Promise.all([
      standInVideoFromPhoto(holder!.photos[1]!, join(work, 'holder.y4m')),
      standInVideoFromPhoto(holder!.photos[2]!, join(work, 'holder-2.y4m')),
    ]);
    passportFile = join(work, 'passport.jpg');
    if (withFont) writeFileSync(passportFile, (await syntheticPassport(readFileSync(holder!.photos[0]!))).image);
    [server, browser, otherCamera] = await Promise.all([
      startServer({ env: { OPENIDV_JOB_POLL_MS: '50' } }),
      launchChromium({ video }),
      launchChromium({ video: otherVideo }),
    ]);
    app = await server.createApp('yoti-example');
    poolId = (await signedCall(server.apiUrl, app, 'POST', '/pools', { label: 'EXAMPLE POOL' })).body.id;
    const applicant = await signedCall(server.apiUrl, app, 'POST', '/applicants', {
      face: { data: readFileSync(holder!.photos[0]!).toString('base64') },
    });
    await signedCall(server.apiUrl, app, 'POST', `/pools/${poolId}/applicants`, { applicant_id: applicant.body.id });
    integrator = await startIntegrator({
      apiUrl: server.apiUrl,
      app,
      useCases: {
        'document-face-match': (base) =>
          session()
            .withRequestedCheck(new yoti.RequestedDocumentAuthenticityCheckBuilder().build())
            .withRequestedCheck(new yoti.RequestedFaceMatchCheckBuilder().withManualCheckNever().build())
            .withRequestedCheck(liveness())
            .withRequiredDocument(
              new yoti.RequiredIdDocumentBuilder()
                .withFilter(
                  new yoti.OrthogonalRestrictionsFilterBuilder().withWhitelistedDocumentTypes(['PASSPORT']).build(),
                )
                .build(),
            )
            .withSdkConfig(sdkConfig(base))
            .build(),
        'liveness-ffs': (base) =>
          session()
            .withRequestedCheck(liveness())
            .withRequestedCheck(familiarFaceSearch(poolId, 'NO_MATCH'))
            .withSdkConfig(sdkConfig(base))
            .build(),
        'consent-declined': (base) => session().withRequestedCheck(liveness()).withSdkConfig(sdkConfig(base)).build(),
        'no-success-url': (base) =>
          session().withRequestedCheck(liveness()).withSdkConfig(sdkConfig(base, false)).build(),
      },
    });
    // The relying party declares where it embeds the page, with the command Yoti users would look for.
    const out = await server.cli(['apps', 'update', app.sdkId, '--frame-ancestors', integrator.baseUrl]);
    expect(out).toContain(integrator.baseUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await otherCamera?.close();
    await integrator?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function openUseCase(
    useCase: string,
    origin = integrator.baseUrl,
    camera = browser,
  ): Promise<{ context: BrowserContext; page: Page; frame: FrameLocator; problems: string[] }> {
    const context = await camera.browser.newContext({
      permissions: ['camera'],
      viewport: { width: 1000, height: 900 },
    });
    const page = await context.newPage();
    const problems = collectProblems(page, /frame-ancestors|Permissions policy/i);
    await page.goto(`${origin}/session/${useCase}`);
    return { context, page, frame: page.frameLocator('#idv'), problems };
  }

  const visible = (locator: ReturnType<FrameLocator['locator']>, timeout = 30_000) =>
    locator.first().waitFor({ state: 'visible', timeout });
  const heading = (frame: FrameLocator, name: string | RegExp, timeout = 30_000) =>
    visible(frame.getByRole('heading', { level: 1, name }), timeout);
  const events = (page: Page) => page.evaluate(() => (window as unknown as { idvEvents: IdvEvent[] }).idvEvents);

  async function consent(frame: FrameLocator) {
    await heading(frame, "Let's check your identity");
    await frame.getByRole('button', { name: 'Start' }).click();
    await heading(frame, 'Your consent to use your face');
    await frame.getByLabel(/I agree that my face/).check();
    await frame.getByRole('button', { name: 'Continue' }).click();
  }

  /** The selfie through the camera inside the iframe: live advice from the server, then the shutter and review. */
  async function selfie(frame: FrameLocator) {
    await heading(frame, 'Take a selfie');
    await frame.getByRole('button', { name: "I'm ready" }).click();
    await visible(frame.locator('#live-feedback', { hasText: 'Looks good' }), 60_000);
    await frame.getByRole('button', { name: 'Take photo' }).click();
    await visible(frame.locator('img.review-face'));
    await frame.getByRole('button', { name: 'Use this photo' }).click();
  }

  async function renderedChecks(page: Page) {
    const frame = page.frameLocator('#idv');
    await frame.locator('#state', { hasText: 'COMPLETED' }).waitFor({ timeout: 90_000 });
    return Object.fromEntries(
      (await frame.locator('#checks li').allTextContents()).map((row) => {
        const [type, ...rest] = row.split(' ');
        return [type!, rest.join(' ')];
      }),
    );
  }

  it.skipIf(!withFont)(
    'document + face match: passport uploaded and selfie taken inside the iframe, result rendered by the SDK',
    async () => {
      const { context, page, frame, problems } = await openUseCase('document-face-match');
      await consent(frame);
      await heading(frame, 'Your identity document');
      // One country (GBR preset), one type (PASSPORT): both chosen already.
      await frame.locator('#document-continue').click();
      await heading(frame, 'Photographing your document');
      await frame.locator('#document-tips-continue').click();
      await heading(frame, 'Photo page of your passport');
      const chooser = page.waitForEvent('filechooser');
      await frame.locator('#upload-button').click();
      await (await chooser).setFiles(passportFile);
      await visible(frame.locator('img.review'));
      await frame.getByRole('button', { name: 'Use this photo' }).click();
      await selfie(frame);
      const checks = await renderedChecks(page);
      // LIVENESS may go either way on the sheared stand-in (see the liveness + familiar face search case).
      expect(checks).toMatchObject({
        ID_DOCUMENT_FACE_MATCH: 'DONE APPROVE',
        LIVENESS: expect.stringMatching(/^DONE (APPROVE|REJECT)$/),
        ID_DOCUMENT_AUTHENTICITY: 'DONE APPROVE',
      });
      expect(await events(page)).toEqual([{ origin: server.baseUrl, data: { eventType: 'SUCCESS' } }]);
      await screenshot(page, 'integrator-01-document-face-match');
      expect(problems).toEqual([]);
      await context.close();
    },
    240_000,
  );

  it('liveness + familiar face search: the camera works in the iframe, and the parent hears SUCCESS before success_url', async () => {
    const { context, page, frame, problems } = await openUseCase('liveness-ffs', integrator.baseUrl, otherCamera);
    await consent(frame);
    await selfie(frame);
    const checks = await renderedChecks(page);
    const sessionId = new URL(
      page
        .frames()
        .find((f) => f !== page.mainFrame())!
        .url(),
    ).searchParams.get('sessionID');
    const liveness = sessionId
      ? (await signedCall(server.apiUrl, app, 'GET', `/sessions/${sessionId}`)).body.checks?.find(
          (c: { type: string }) => c.type === 'LIVENESS',
        )
      : null;
    // The camera plays the sheared stand-in (browser.ts): its burst passes the STATIC rules, but the passive score
    // of a sheared photo of this person sits at the threshold (0.49 measured), so LIVENESS may go either way here;
    // web-capture.e2e asserts the APPROVE, liveness-capture.e2e every REJECT.
    expect(checks, JSON.stringify(liveness?.report)).toEqual({
      LIVENESS: expect.stringMatching(/^DONE (APPROVE|REJECT)$/),
      FAMILIAR_FACE_SEARCH: 'DONE REJECT',
    });
    const signature = liveness?.report.breakdown.find(
      (b: { sub_check: string }) => b.sub_check === 'payload_signature_verification',
    );
    expect(signature?.result, JSON.stringify(signature)).toBe('PASS');
    expect(await events(page)).toEqual([{ origin: server.baseUrl, data: { eventType: 'SUCCESS' } }]);
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);

  it('consent declined: the parent hears ERROR 1000 and the iframe goes to error_url with yotiErrorCode', async () => {
    const { context, page, frame, problems } = await openUseCase('consent-declined');
    await heading(frame, "Let's check your identity");
    await frame.getByRole('button', { name: 'Start' }).click();
    await frame.getByRole('button', { name: "I don't agree" }).click();
    await heading(frame, "We can't continue without your consent");
    await frame.getByRole('button', { name: /^Return to localhost/ }).click();
    await frame.locator('#error', { hasText: 'Error Code: 1000' }).waitFor({ timeout: 15_000 });
    const url = new URL(
      page
        .frames()
        .find((f) => f !== page.mainFrame())!
        .url(),
    );
    expect(url.pathname).toBe('/error');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      sessionID: expect.any(String),
      error: 'CONSENT_DECLINED',
      yotiErrorCode: '1000',
    });
    expect(await events(page)).toEqual([{ origin: server.baseUrl, data: { eventType: 'ERROR', eventCode: 1000 } }]);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('a session with no success_url: the page says it is done and the parent hears SUCCESS (no eventCode)', async () => {
    const { context, page, frame, problems } = await openUseCase('no-success-url');
    await consent(frame);
    await selfie(frame);
    await heading(frame, "You're all done", 60_000);
    await page.waitForFunction(() => (window as unknown as { idvEvents: unknown[] }).idvEvents.length > 0, undefined, {
      timeout: 15_000,
    });
    const [event] = await events(page);
    expect(event).toEqual({ origin: server.baseUrl, data: { eventType: 'SUCCESS' } });
    expect(Object.keys(event!.data)).toEqual(['eventType']);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('refuses to be framed by an origin the app did not declare, and the CLI refuses malformed origins', async () => {
    const other = integrator.baseUrl.replace('localhost', '127.0.0.1');
    const { context, page, problems } = await openUseCase('consent-declined', other);
    await page.waitForTimeout(1500);
    expect(problems.some((p) => /frame-ancestors/.test(p))).toBe(true);
    expect(await page.frameLocator('#idv').getByRole('heading', { level: 1 }).count()).toBe(0);
    expect(await events(page)).toEqual([]);
    await context.close();

    const refused = await server.cli(['apps', 'update', app.sdkId, '--frame-ancestors', 'https://*']).then(
      () => null,
      (err: { stderr?: string }) => err.stderr ?? '',
    );
    expect(refused).toContain('frame_ancestors: "https://*": a wildcard must be followed by at least two labels');
    const created = await server.cli([
      'apps',
      'create',
      '--name',
      'framed',
      '--json',
      '--frame-ancestors',
      'https://shop.example https://*.shop.example',
    ]);
    const listed = JSON.parse(await server.cli(['apps', 'list', '--json'])) as {
      sdk_id: string;
      frame_ancestors: string;
    }[];
    expect(listed.find((a) => a.sdk_id === JSON.parse(created).sdk_id)?.frame_ancestors).toBe(
      'https://shop.example https://*.shop.example',
    );
  }, 60_000);
});
