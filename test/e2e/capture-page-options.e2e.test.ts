import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jsqr from 'jsqr';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../src/web/i18n/en.js';
import {
  browserSkipReason,
  collectProblems,
  type LaunchedBrowser,
  launchChromium,
  placeholderVideo,
  screenshot,
  tempDir,
  videoFromPhoto,
} from '../helpers/browser.js';
import { hasData } from '../helpers/data.js';
import { lfwPeople } from '../helpers/lfw.js';
import { type RunningServer, startServer, type TestApp } from '../helpers/server.js';
import { idvClient, signedCall, yoti } from '../helpers/yoti.js';

// The capture page's options and finish, in real Chromium: the four languages (and no English left in the
// others), the desktop-to-phone hand-off through its QR code, suppressed screens, the selfie's retake and its
// last try, a file that is not an image, a relying party's own face reference, the wording for expired
// documents, and the "Take photo" button on a laptop screen. Screenshots go to test-artifacts/web-capture/.

// jsqr is CommonJS whose typings declare an ES default export.
const jsQR = ((jsqr as unknown as { default?: typeof jsqr }).default ?? jsqr) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string } | null;

const skipReason = browserSkipReason();
if (skipReason) console.warn(`[skip] capture page option tests: ${skipReason}`);
const withData = !skipReason && hasData('lfw-dev', 'images');
const RP = 'https://rp.example';
const PHONE_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';

type Spec = {
  selfie?: boolean;
  document?: boolean | { allowExpired?: boolean; types?: string[]; countries?: string[] };
  faceComparison?: boolean;
  maxRetries?: number;
  locale?: string;
  handoff?: boolean;
  suppressed?: string[];
  /** sdk_config.attempts_configuration.ID_DOCUMENT_TEXT_DATA_EXTRACTION.GENERIC */
  genericRetries?: number;
  /** A SUPPLEMENTARY_DOCUMENT requirement (proof of address); null lists no types or countries. */
  proof?: { types: string[] | null; countries: string[] | null };
};

describe.skipIf(!withData)('capture page options in Chromium', () => {
  let server: RunningServer;
  let app: TestApp;
  let faceCamera: LaunchedBrowser;
  let plainCamera: LaunchedBrowser;
  let work: string;
  const [person] = withData ? lfwPeople(1, 2, 40) : [];

  beforeAll(async () => {
    work = tempDir('openidv-options-');
    const [faceVideo, plainVideo] = await Promise.all([
      videoFromPhoto(person!.photos[0]!, join(work, 'face.y4m')),
      placeholderVideo(join(work, 'plain.y4m')),
    ]);
    [server, faceCamera, plainCamera] = await Promise.all([
      startServer({ env: { OPENIDV_JOB_POLL_MS: '50' } }),
      launchChromium({ video: faceVideo }),
      launchChromium({ video: plainVideo }),
    ]);
    app = await server.createApp('page-options');
  });
  afterAll(async () => {
    await faceCamera?.close();
    await plainCamera?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function createSession(spec: Spec) {
    let builder = new yoti.SessionSpecificationBuilder().withClientSessionTokenTtl(600);
    if (spec.selfie !== false)
      builder = builder.withRequestedCheck(
        new yoti.RequestedLivenessCheckBuilder()
          .forStaticLiveness()
          .withMaxRetries(spec.maxRetries ?? 1)
          .build(),
      );
    if (spec.faceComparison)
      builder = builder.withRequestedCheck(
        new yoti.RequestedFaceComparisonCheckBuilder().withManualCheckNever().build(),
      );
    if (spec.document) {
      const d = spec.document === true ? {} : spec.document;
      let filter = new yoti.OrthogonalRestrictionsFilterBuilder()
        .withWhitelistedCountries(d.countries ?? ['CZE', 'GBR'])
        .withWhitelistedDocumentTypes(d.types ?? ['PASSPORT', 'NATIONAL_ID']);
      if (d.allowExpired) filter = filter.withAllowExpiredDocuments(true);
      builder = builder.withRequiredDocument(new yoti.RequiredIdDocumentBuilder().withFilter(filter.build()).build());
    }
    if (spec.proof) {
      let proof = new yoti.RequiredSupplementaryDocumentBuilder().withObjective(
        new yoti.ProofOfAddressObjectiveBuilder().build(),
      );
      if (spec.proof.types) proof = proof.withDocumentTypes(spec.proof.types);
      if (spec.proof.countries) proof = proof.withCountryCodes(spec.proof.countries);
      builder = builder.withRequiredDocument(proof.build());
    }
    let sdk = new yoti.SdkConfigBuilder()
      .withAllowsCameraAndUpload()
      .withSuccessUrl(`${RP}/done`)
      .withErrorUrl(`${RP}/error`)
      .withPrivacyPolicyUrl(`${RP}/privacy`);
    if (spec.locale) sdk = sdk.withLocale(spec.locale);
    if (spec.handoff) sdk = sdk.withAllowHandoff(true);
    if (spec.suppressed) sdk = sdk.withSuppressedScreens(spec.suppressed);
    if (spec.genericRetries) sdk = sdk.withIdDocumentTextExtractionGenericRetries(spec.genericRetries);
    const session = await idvClient(app, server.apiUrl).createSession(builder.withSdkConfig(sdk.build()).build());
    const id: string = session.getSessionId();
    return {
      id,
      token: session.getClientSessionToken() as string,
      url: `${server.apiUrl}/web/index.html?sessionID=${id}&sessionToken=${session.getClientSessionToken()}`,
    };
  }

  interface Opened {
    context: BrowserContext;
    page: Page;
    problems: string[];
  }

  async function open(
    browser: Browser,
    url: string | null,
    options: { width?: number; height?: number; locale?: string; phone?: boolean } = {},
  ): Promise<Opened> {
    const context = await browser.newContext({
      permissions: ['camera'],
      viewport: { width: options.width ?? 480, height: options.height ?? 860 },
      ...(options.locale ? { locale: options.locale } : {}),
      ...(options.phone ? { isMobile: true, hasTouch: true, userAgent: PHONE_UA } : {}),
    });
    await context.route(`${RP}/**`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><title>Relying party</title><h1>Back at the relying party</h1>',
      }),
    );
    const page = await context.newPage();
    const problems = collectProblems(page);
    if (url) await page.goto(url);
    return { context, page, problems };
  }

  const visible = (locator: Locator, timeout = 15_000) => locator.first().waitFor({ state: 'visible', timeout });
  const heading = (page: Page, text: string | RegExp, timeout = 30_000) =>
    visible(page.getByRole('heading', { level: 1, name: text }), timeout);

  /** English sentences of the catalogue found on a page that should speak another language. */
  async function englishLeft(page: Page): Promise<string[]> {
    // innerText, not textContent: only what the page shows counts, not hidden templates or script text.
    // biome-ignore lint/performance/useDomNodeTextContent: see above
    const text = await page.evaluate(() => document.body.innerText);
    return Object.values(en).filter((s) => s.length >= 12 && !s.includes('{') && text.includes(s));
  }

  describe('languages', () => {
    const LANGUAGES = [
      {
        locale: 'en-GB',
        lang: 'en',
        welcome: "Let's check your identity",
        start: 'Start',
        consent: 'Your consent to use your face',
        agree: /I agree/,
        next: 'Continue',
        choice: 'Your identity document',
        country: 'Czechia',
      },
      {
        locale: 'es-ES',
        lang: 'es',
        welcome: 'Vamos a verificar tu identidad',
        start: 'Empezar',
        consent: 'Tu consentimiento para usar tu cara',
        agree: /Acepto/,
        next: 'Continuar',
        choice: 'Tu documento de identidad',
        country: 'Chequia',
      },
      {
        locale: 'fr-FR',
        lang: 'fr',
        welcome: 'Vérifions votre identité',
        start: 'Commencer',
        consent: 'Votre consentement pour l’utilisation de votre visage',
        agree: /J’accepte/,
        next: 'Continuer',
        choice: 'Votre pièce d’identité',
        country: 'Tchéquie',
      },
      {
        locale: 'de-DE',
        lang: 'de',
        welcome: 'Prüfen wir Ihre Identität',
        start: 'Starten',
        consent: 'Ihre Einwilligung zur Verwendung Ihres Gesichts',
        agree: /Ich willige ein/,
        next: 'Weiter',
        choice: 'Ihr Ausweisdokument',
        country: 'Tschechien',
      },
    ];
    for (const l of LANGUAGES) {
      it(`speaks ${l.lang} when sdk_config.locale is ${l.locale}, on every screen up to the camera`, async () => {
        const session = await createSession({ locale: l.locale, document: true });
        // The browser prefers another language: sdk_config.locale wins.
        const { context, page, problems } = await open(plainCamera.browser, session.url, {
          locale: l.lang === 'de' ? 'fr-FR' : 'de-DE',
        });
        await heading(page, l.welcome);
        expect(await page.evaluate(() => document.documentElement.lang)).toBe(l.lang);
        await screenshot(page, `language-${l.lang}-01-welcome`);
        const leaks: string[] = [];
        const check = async () => l.lang !== 'en' && leaks.push(...(await englishLeft(page)));
        await check();
        await page.getByRole('button', { name: l.start }).click();
        await heading(page, l.consent);
        await page.getByLabel(l.agree).check();
        await screenshot(page, `language-${l.lang}-02-consent`);
        await check();
        await page.getByRole('button', { name: l.next, exact: true }).click();
        await heading(page, l.choice);
        expect(await page.locator('#country option').allTextContents()).toContain(l.country);
        await page.locator('#country').selectOption('CZE');
        await page.locator('#type-PASSPORT').check();
        await screenshot(page, `language-${l.lang}-03-document-choice`);
        await check();
        await page.locator('#document-continue').click();
        await visible(page.locator('#document-tips-continue'));
        await check();
        await page.locator('#document-tips-continue').click();
        await visible(page.locator('#shutter:not([disabled])'));
        await check();
        expect(leaks).toEqual([]);
        expect(problems).toEqual([]);
        await context.close();
      }, 90_000);
    }

    it('falls back to the browser language when sdk_config.locale is one the page does not speak, then to English', async () => {
      const italian = await createSession({ locale: 'it-IT' });
      const { context, page } = await open(plainCamera.browser, italian.url, { locale: 'de-AT' });
      await heading(page, 'Prüfen wir Ihre Identität');
      await context.close();
      const none = await open(plainCamera.browser, (await createSession({})).url, { locale: 'pt-BR' });
      await heading(none.page, "Let's check your identity");
      await none.context.close();
    }, 60_000);
  });

  it('hands a desktop session over to a phone through its QR code, follows it, and ends when the phone finishes', async () => {
    const session = await createSession({ handoff: true });
    const desktop = await open(plainCamera.browser, session.url, { width: 1280, height: 800 });
    await heading(desktop.page, "Let's check your identity");
    await desktop.page.getByRole('button', { name: 'Start' }).click();
    await heading(desktop.page, 'Continue on your phone');
    const qr = desktop.page.locator('svg.qr');
    await visible(qr);
    await screenshot(desktop.page, 'handoff-01-desktop');
    // Read the QR code as a phone camera would, from the pixels on the screen.
    const png = await qr.screenshot();
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const decoded = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height);
    expect(decoded?.data).toBe(await desktop.page.locator('#handoff-link').getAttribute('href'));
    const link = new URL(decoded!.data);
    expect(link.origin + link.pathname).toBe(`${server.apiUrl}/web/index.html`);
    expect(link.searchParams.get('sessionID')).toBe(session.id);
    // The client token never travels in the hand-off link.
    expect(decoded!.data).not.toContain(session.token);

    const phone = await open(faceCamera.browser, decoded!.data, { phone: true, width: 390, height: 844 });
    // The phone does not offer a hand-off of its own, and the link leaves its address bar once claimed.
    await heading(phone.page, 'Your consent to use your face');
    expect(phone.page.url()).not.toContain('handoff=');
    await visible(desktop.page.locator('#handoff-status', { hasText: 'Your phone is connected' }), 10_000);
    await screenshot(desktop.page, 'handoff-02-desktop-following');
    // A second phone with the same link is refused.
    const intruder = await open(plainCamera.browser, decoded!.data, { phone: true, width: 390, height: 844 });
    await heading(intruder.page, 'This link no longer works');
    await intruder.context.close();

    await phone.page.getByLabel(/I agree that my face/).check();
    await phone.page.getByRole('button', { name: 'Continue' }).click();
    await heading(phone.page, 'Take a selfie');
    await phone.page.getByRole('button', { name: "I'm ready" }).click();
    await visible(phone.page.locator('#live-feedback', { hasText: 'Looks good' }), 60_000);
    await phone.page.getByRole('button', { name: 'Take photo' }).click();
    await phone.page.getByRole('button', { name: 'Use this photo' }).click();
    await heading(phone.page, "You're all done", 60_000);
    await visible(phone.page.getByText('You can go back to your computer now.'));
    // The computer ends the check and goes back to the relying party.
    await desktop.page.waitForURL(`${RP}/done?sessionID=${session.id}`, { timeout: 30_000 });
    expect([...desktop.problems, ...phone.problems]).toEqual([]);
    await phone.context.close();
    await desktop.context.close();
    const events = (await signedCall(server.apiUrl, app, 'GET', `/sessions/${session.id}/tracked-devices`)).body.map(
      (e: { event: string }) => e.event,
    );
    expect(events).toEqual(
      expect.arrayContaining([
        'PROGRESS:HANDOFF_OFFERED',
        'HANDOFF_CLAIMED',
        'PROGRESS:SELFIE_UPLOADED',
        'CLIENT_SESSION_TOKEN_DELETED',
      ]),
    );
  }, 180_000);

  it('keeps "Take photo" fully on screen on a 1280x800 laptop (about 1280x700 of page), for documents and the selfie', async () => {
    const session = await createSession({ document: true });
    const { context, page } = await open(plainCamera.browser, session.url, { width: 1280, height: 700 });
    const shutterOnScreen = async () => {
      await visible(page.locator('#shutter:not([disabled])'));
      await page.evaluate(() => window.scrollTo(0, 0));
      return page.evaluate(() => {
        const r = document.getElementById('shutter')!.getBoundingClientRect();
        return { top: Math.round(r.top), bottom: Math.round(r.bottom), height: window.innerHeight };
      });
    };
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByLabel(/I agree that my face/).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.locator('#country').selectOption('CZE');
    await page.locator('#type-PASSPORT').check();
    await page.locator('#document-continue').click();
    await page.locator('#document-tips-continue').click();
    const documentShutter = await shutterOnScreen();
    expect(documentShutter.bottom, JSON.stringify(documentShutter)).toBeLessThanOrEqual(documentShutter.height);
    await screenshot(page, 'laptop-01-document-camera');
    const chooser = page.waitForEvent('filechooser');
    await page.locator('#upload-button').click();
    await (await chooser).setFiles({
      name: 'page.png',
      mimeType: 'image/png',
      buffer: await sharp({ create: { width: 800, height: 560, channels: 3, background: '#ddd' } })
        .png()
        .toBuffer(),
    });
    await page.getByRole('button', { name: 'Use this photo' }).click();
    await page.getByRole('button', { name: "I'm ready" }).click();
    const selfieShutter = await shutterOnScreen();
    expect(selfieShutter.bottom, JSON.stringify(selfieShutter)).toBeLessThanOrEqual(selfieShutter.height);
    await screenshot(page, 'laptop-02-selfie-camera');
    await context.close();
  }, 90_000);

  it('skips suppressed screens: document choice (single document), document tips and selfie tips', async () => {
    const session = await createSession({
      document: { countries: ['GBR'], types: ['PASSPORT'] },
      suppressed: ['ID_DOCUMENT_REQUIREMENTS', 'ID_DOCUMENT_EDUCATION', 'STATIC_LIVENESS_EDUCATION'],
    });
    const { context, page, problems } = await open(plainCamera.browser, session.url);
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByLabel(/I agree that my face/).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, 'Photo page of your passport');
    expect(await page.locator('#capture-back').count()).toBe(0);
    const chooser = page.waitForEvent('filechooser');
    await page.locator('#upload-button').click();
    await (await chooser).setFiles({
      name: 'page.png',
      mimeType: 'image/png',
      buffer: await sharp({ create: { width: 800, height: 560, channels: 3, background: '#ddd' } })
        .png()
        .toBuffer(),
    });
    await page.getByRole('button', { name: 'Use this photo' }).click();
    // Straight to the camera: no "I'm ready" tips.
    await visible(page.locator('#shutter'));
    expect(await page.locator('#selfie-ready').count()).toBe(0);
    const events = (await signedCall(server.apiUrl, app, 'GET', `/sessions/${session.id}/tracked-devices`)).body.map(
      (e: { event: string }) => e.event,
    );
    expect(events).not.toContain('PROGRESS:DOCUMENT_SELECT');
    expect(events).not.toContain('PROGRESS:DOCUMENT_TIPS');
    expect(events).not.toContain('PROGRESS:SELFIE_TIPS');
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it('lets the user retake a selfie before sending it, and says so when the last try is used before moving on', async () => {
    const session = await createSession({ maxRetries: 1 });
    const { context, page, problems } = await open(plainCamera.browser, session.url);
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByLabel(/I agree that my face/).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: "I'm ready" }).click();
    await page.locator('#shutter:not([disabled])').click();
    await visible(page.locator('img.review-face'));
    await page.getByRole('button', { name: 'Take another photo' }).click();
    await page.locator('#shutter:not([disabled])').click();
    await page.getByRole('button', { name: 'Use this photo' }).click();
    // The placeholder camera shows no face: one more try (max_retries 1), then none.
    await heading(page, "Let's try that again", 60_000);
    expect(await page.locator('#tries-left').textContent()).toBe('You have 1 more try.');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('#shutter:not([disabled])').click();
    await page.getByRole('button', { name: 'Use this photo' }).click();
    await heading(page, "You've used all your tries", 60_000);
    await screenshot(page, 'selfie-out-of-tries');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${RP}/done?sessionID=${session.id}`, { timeout: 30_000 });
    const raw = (await signedCall(server.apiUrl, app, 'GET', `/sessions/${session.id}`)).body;
    // The retake sent nothing: two attempts were used, in one liveness resource.
    expect(raw.resources.liveness_capture).toHaveLength(1);
    const tracked = (await signedCall(server.apiUrl, app, 'GET', `/sessions/${session.id}/tracked-devices`)).body.map(
      (e: { event: string }) => e.event,
    );
    expect(tracked.filter((e: string) => e === 'PROGRESS:SELFIE_UPLOADED')).toHaveLength(2);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('asks for an unreadable document again while attempts_configuration allows, then says the tries are used', async () => {
    const session = await createSession({
      selfie: false,
      document: { countries: ['GBR'], types: ['PASSPORT'] },
      genericRetries: 1,
    });
    const client = idvClient(app, server.apiUrl);
    const attempts = async () =>
      (await client.getSessionConfiguration(session.id))
        .getCapture()
        .getIdDocumentResourceRequirements()[0]
        .getAttemptsRemaining();
    expect(await attempts()).toEqual({ GENERIC: 1 });
    const { context, page, problems } = await open(plainCamera.browser, session.url);
    await page.getByRole('button', { name: 'Start' }).click();
    await page.locator('#document-continue').click();
    await page.locator('#document-tips-continue').click();
    // A blank page: no machine-readable zone to read.
    const blank = await sharp({ create: { width: 1000, height: 700, channels: 3, background: '#e8e2d4' } })
      .png()
      .toBuffer();
    const sendBlank = async () => {
      const chooser = page.waitForEvent('filechooser');
      await page.locator('#upload-button').click();
      await (await chooser).setFiles({ name: 'passport.png', mimeType: 'image/png', buffer: blank });
      await page.getByRole('button', { name: 'Use this photo' }).click();
    };
    await sendBlank();
    await heading(page, "We couldn't read your document", 90_000);
    expect(await page.locator('#document-tries-left').textContent()).toBe('You have 1 more try.');
    await screenshot(page, 'document-read-retry');
    expect(await attempts()).toEqual({ GENERIC: 0 });
    await page.getByRole('button', { name: 'Try again' }).click();
    // The same document again: straight back to its camera, no choice screen.
    await heading(page, 'Photo page of your passport');
    await sendBlank();
    await heading(page, "You've used all your tries", 90_000);
    await screenshot(page, 'document-read-out-of-tries');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${RP}/done?sessionID=${session.id}`, { timeout: 30_000 });
    expect(problems).toEqual([]);
    await context.close();
    const tracked = (await signedCall(server.apiUrl, app, 'GET', `/sessions/${session.id}/tracked-devices`)).body.map(
      (e: { event: string }) => e.event,
    );
    expect(tracked).toEqual(
      expect.arrayContaining([
        'DOCUMENT_RETRY:GENERIC',
        'PROGRESS:DOCUMENT_RETRY_GENERIC',
        'PROGRESS:DOCUMENT_OUT_OF_TRIES',
      ]),
    );
    const raw = (await signedCall(server.apiUrl, app, 'GET', `/sessions/${session.id}`)).body;
    expect(raw.resources.id_documents).toHaveLength(1);
    expect(raw.resources.id_documents[0].pages, 'only the last capture is kept').toHaveLength(1);
  }, 240_000);

  it('refuses a file that is not an image before the review screen', async () => {
    const session = await createSession({ selfie: false, document: true });
    const { context, page } = await open(plainCamera.browser, session.url, {});
    await page.getByRole('button', { name: 'Start' }).click();
    await page.locator('#country').selectOption('CZE');
    await page.locator('#type-PASSPORT').check();
    await page.locator('#document-continue').click();
    await page.locator('#document-tips-continue').click();
    const chooser = page.waitForEvent('filechooser');
    await page.locator('#upload-button').click();
    const notAnImage = join(work, 'statement.jpg');
    writeFileSync(notAnImage, '%PDF-1.4 this is a bank statement, not a photo\n');
    await (await chooser).setFiles({ name: 'statement.jpg', mimeType: 'image/jpeg', buffer: readFileSync(notAnImage) });
    await visible(page.getByRole('alert').filter({ hasText: "We couldn't read this file" }));
    expect(await page.locator('img.review').count()).toBe(0);
    await heading(page, 'Photo page of your passport');
    await context.close();
  }, 60_000);

  it('asks for a proof of address of an allowed type and country, takes several pages, and finishes only then', async () => {
    const session = await createSession({
      selfie: false,
      proof: { types: ['UTILITY_BILL', 'BANK_STATEMENT'], countries: ['GBR', 'IRL'] },
    });
    const { context, page, problems } = await open(plainCamera.browser, session.url);
    await heading(page, "Let's check your identity");
    await visible(page.getByText('A recent document showing your address (utility bill or bank statement)'));
    await page.getByRole('button', { name: 'Start' }).click();
    await heading(page, 'Proof of your address');
    expect(
      await page
        .locator('input[name="poa-type"]')
        .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value)),
    ).toEqual(['UTILITY_BILL', 'BANK_STATEMENT']);
    expect(await page.locator('#poa-country option').allTextContents()).toEqual([
      'Choose a country',
      'Ireland',
      'United Kingdom',
    ]);
    await page.locator('#poa-continue').click();
    await visible(page.getByRole('alert').filter({ hasText: 'Choose the type of document.' }));
    await page.getByLabel('Bank statement').check();
    expect(await page.locator('#poa-error').textContent(), 'a choice clears the refusal').toBe('');
    await page.locator('#poa-country').selectOption('IRL');
    await screenshot(page, 'proof-of-address-01-choice');
    await page.locator('#poa-continue').click();
    await heading(page, 'Page 1 of your bank statement');
    await visible(page.locator('#shutter:not([disabled])'));
    await screenshot(page, 'proof-of-address-02-camera');
    // Page 1 from the camera, page 2 from a file.
    await page.locator('#shutter').click();
    await page.getByRole('button', { name: 'Use this photo' }).click();
    await heading(page, 'Any more pages?');
    await page.getByRole('button', { name: 'Add another page' }).click();
    await heading(page, 'Page 2 of your bank statement');
    const chooser = page.waitForEvent('filechooser');
    await page.locator('#upload-button').click();
    await (await chooser).setFiles({
      name: 'statement-2.png',
      mimeType: 'image/png',
      buffer: await sharp({ create: { width: 620, height: 877, channels: 3, background: '#fafafa' } })
        .png()
        .toBuffer(),
    });
    await page.getByRole('button', { name: 'Use this photo' }).click();
    await page.getByRole('button', { name: "That's all" }).click();
    await page.waitForURL(`${RP}/done?sessionID=${session.id}`, { timeout: 30_000 });
    expect(problems).toEqual([]);
    await context.close();

    const client = idvClient(app, server.apiUrl);
    const deadline = Date.now() + 30_000;
    while ((await client.getSession(session.id)).getState() !== 'COMPLETED' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const result = await client.getSession(session.id);
    expect(result.getState()).toBe('COMPLETED');
    const [document] = result.getResources().getSupplementaryDocuments();
    expect([document.getDocumentType(), document.getIssuingCountry()]).toEqual(['BANK_STATEMENT', 'IRL']);
    expect(document.getPages().map((p: { getCaptureMethod(): string }) => p.getCaptureMethod())).toEqual([
      'CAMERA',
      'UPLOAD',
    ]);

    // No countries named: none is asked, and every type is offered.
    const open2 = await open(
      plainCamera.browser,
      (await createSession({ selfie: false, proof: { types: null, countries: null } })).url,
    );
    await open2.page.getByRole('button', { name: 'Start' }).click();
    await heading(open2.page, 'Proof of your address');
    expect(await open2.page.locator('input[name="poa-type"]').count()).toBe(4);
    expect(await open2.page.locator('#poa-country').count()).toBe(0);
    await open2.context.close();
  }, 120_000);

  it('shows the welcome when only the relying party has supplied the face reference', async () => {
    const session = await createSession({ faceComparison: true });
    const client = idvClient(app, server.apiUrl);
    const requirement = (await client.getSessionConfiguration(session.id))
      .getCapture()
      .getRequiredResources()
      .find((r: { getType(): string }) => r.getType() === 'FACE_CAPTURE');
    const resource = await client.createFaceCaptureResource(
      session.id,
      new yoti.CreateFaceCaptureResourcePayloadBuilder().withRequirementId(requirement.getId()).build(),
    );
    await client.uploadFaceCaptureImage(
      session.id,
      resource.getId(),
      new yoti.UploadFaceCaptureImagePayloadBuilder()
        .forJpegImage()
        .withImageContents(readFileSync(person!.photos[1]!))
        .build(),
    );
    const { context, page } = await open(plainCamera.browser, session.url);
    await heading(page, "Let's check your identity");
    await page.getByRole('button', { name: 'Start' }).click();
    await heading(page, 'Your consent to use your face');
    await context.close();
  }, 60_000);

  it('asks for a document "not expired" only when the session refuses expired documents', async () => {
    const lead = async (spec: Spec) => {
      const { context, page } = await open(plainCamera.browser, (await createSession(spec)).url);
      await page.getByRole('button', { name: 'Start' }).click();
      await heading(page, 'Your identity document');
      const text = await page.locator('p.lead').textContent();
      await context.close();
      return text;
    };
    expect(await lead({ selfie: false, document: true })).toBe(
      'Which document will you use? It must be the original and not expired.',
    );
    expect(await lead({ selfie: false, document: { allowExpired: true } })).toBe(
      'Which document will you use? It must be the original document.',
    );
  }, 60_000);
});
