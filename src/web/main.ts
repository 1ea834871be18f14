// The end-user capture page: <api>/web/index.html?sessionID=…&sessionToken=… (spec 2.3), on its own or in a
// relying party's iframe. It reads what the session needs (GET configuration) and walks the user through
// consent, documents and the selfie, then finishes and sends the user to success_url (and the parent window
// SUCCESS). The flow is rebuilt from the configuration each time it starts, so "Try again" after an error, a
// reload, or coming back from a phone carries on from what the server already has.

import { ApiError, CaptureApi, type CaptureConfiguration, type Requirement, withRetry } from './api.js';
import { CameraError } from './camera.js';
import { type Exits, exitsFor, FlowError, type FlowContext, setSteps, showStep } from './context.js';
import { h, screen } from './dom.js';
import { Embedding, type LinkContext, readLinkContext } from './embedding.js';
import { chooseLocale, setLocale, t } from './i18n/i18n.js';
import { applyTheme } from './theme.js';
import { consentStep, welcome } from './steps/consent.js';
import { documentStep } from './steps/document.js';
import { faceStep } from './steps/face.js';
import { proofOfAddressStep } from './steps/proof-of-address.js';
import { backToComputer, isClaimRefused, linkUsedScreen, offerHandoff, onDesktop } from './steps/handoff.js';
import { errorScreen, expiredScreen, finishStep, incompleteLinkScreen } from './steps/outcome.js';

interface SessionLink {
  sessionId: string;
  token: string;
  forget: () => void;
  /** This browser is the phone a computer handed the session to. */
  onPhone: boolean;
}

const tokenKey = (sessionId: string) => `openidv.token.${sessionId}`;
const phoneKey = (sessionId: string) => `openidv.phone.${sessionId}`;
const query = () => new URLSearchParams(window.location.search);

/** Removes parameters from the address bar (tokens stay out of history, bookmarks and screenshots). */
function dropParams(...names: string[]): void {
  const q = query();
  if (!names.some((n) => q.has(n))) return;
  for (const name of names) q.delete(name);
  window.history.replaceState(null, '', `${window.location.pathname}?${q.toString()}`);
}

/**
 * The session id and token from the link. The token is moved out of the address bar into this tab's
 * sessionStorage, so a reload still works. Inside an iframe it stays in the URL: nobody sees that address, and
 * a reload must present it again for the server to let the embedding origin frame the page.
 */
function readLink(framed: boolean): SessionLink | null {
  const sessionId = query().get('sessionID');
  if (!sessionId) return null;
  let token = query().get('sessionToken');
  let forget: () => void = () => {};
  let onPhone = false;
  try {
    if (token) sessionStorage.setItem(tokenKey(sessionId), token);
    else token = sessionStorage.getItem(tokenKey(sessionId));
    onPhone = sessionStorage.getItem(phoneKey(sessionId)) === '1';
    forget = () => sessionStorage.removeItem(tokenKey(sessionId));
    if (!framed) dropParams('sessionToken');
  } catch {
    // Storage is blocked (some private modes): keep the token in the address bar, where a reload still finds it.
  }
  return token ? { sessionId, token, forget, onPhone } : null;
}

function watchConnection(): void {
  const banner = document.getElementById('offline');
  const update = () => {
    if (banner) banner.hidden = navigator.onLine;
  };
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  update();
}

/** The language, from sdk_config.locale (or what the server knows of it) then the browser; English otherwise. */
function useLanguage(preferred: string | null | undefined): void {
  setLocale(chooseLocale([preferred, ...(navigator.languages ?? [navigator.language])]));
  document.title = t('page.title');
  const header = document.querySelector('.app-title');
  if (header) header.textContent = t('page.header');
  const offline = document.getElementById('offline');
  if (offline) offline.textContent = t('page.offline');
}

function contextFor(api: CaptureApi, config: CaptureConfiguration, exits: Exits): FlowContext {
  return {
    api,
    config,
    allowUpload: config.sdk_config.allowed_capture_methods === 'CAMERA_AND_UPLOAD',
    suppressed: new Set(config.sdk_config.suppressed_screens ?? []),
    progress: (step) =>
      api.progress(step).then(
        () => undefined,
        () => undefined,
      ),
    exits,
  };
}

/** The document types the user may choose from, in the catalogue's order. */
function documentTypes(requirements: Requirement[]): string[] {
  const types: string[] = [];
  for (const r of requirements)
    for (const c of r.supported_countries ?? [])
      for (const d of c.supported_documents) if (!types.includes(d.type)) types.push(d.type);
  return types;
}

let handoffDeclined = false;

/** The steps; 'again' when the flow must be rebuilt from the server (the user came back from the phone offer). */
async function flow(ctx: FlowContext, link: SessionLink, retried: boolean): Promise<'again' | undefined> {
  const todo = ctx.config.requirements.filter((r) => r.state !== 'COMPLETED');
  const documents = todo.filter((r) => r.type === 'ID_DOCUMENT');
  const proofs = todo.filter((r) => r.type === 'SUPPLEMENTARY_DOCUMENT');
  const liveness = todo.find((r) => r.type === 'LIVENESS' && (r.attempts_remaining ?? 1) > 0);
  const faceCapture = todo.find((r) => r.type === 'FACE_CAPTURE');
  const needsFace = Boolean(liveness || faceCapture);
  const needsConsent = needsFace && ctx.config.biometric_consent === null && ctx.config.biometric_consent_required;

  // Consent comes first, or (JUST_IN_TIME) right before the first face capture.
  const early = ctx.config.sdk_config.biometric_consent_flow !== 'JUST_IN_TIME';
  const labels = [
    ...(needsConsent && early ? [t('step.consent')] : []),
    ...documents.map(() => t('step.document')),
    ...proofs.map(() => t('step.proofOfAddress')),
    ...(needsConsent && !early ? [t('step.consent')] : []),
    ...(liveness ? [t('step.selfie')] : []),
    ...(faceCapture ? [t('step.faceCapture')] : []),
  ];
  setSteps(labels.length);
  let step = 0;
  const next = () => showStep(labels[step] ?? null, ++step);

  // The welcome screen only for a fresh start, not when the user comes back to a check of their own under way
  // (a face reference the relying party supplied does not make it one).
  // A phone taking over from a computer: the user saw the welcome there.
  const resumed =
    retried || link.onPhone || ctx.config.biometric_consent !== null || ctx.config.end_user_started === true;
  const proofTypes = [...new Set(proofs.flatMap((r) => r.document_types ?? []))];
  if (labels.length && !resumed)
    await welcome(ctx, {
      documents: documents.length,
      documentTypes: documentTypes(documents),
      proofOfAddress: proofs.length ? proofTypes : [],
      selfie: needsFace,
    });
  if (labels.length && ctx.config.sdk_config.allow_handoff && !link.onPhone && !handoffDeclined && onDesktop()) {
    const outcome = await offerHandoff(ctx, link.forget);
    if (outcome !== 'here') return;
    handoffDeclined = true;
    return 'again';
  }
  const consent = async () => {
    next();
    await consentStep(ctx, documents.length > 0);
  };
  if (needsConsent && early) await consent();
  for (const [i, document] of documents.entries()) {
    next();
    await documentStep(ctx, document, i === 0);
  }
  for (const proof of proofs) {
    next();
    await proofOfAddressStep(ctx, proof);
  }
  if (needsConsent && !early) await consent();
  if (liveness) {
    next();
    await faceStep(ctx, liveness, 'LIVENESS');
  }
  if (faceCapture) {
    next();
    await faceStep(ctx, faceCapture, 'FACE_CAPTURE');
  }
  await finishStep(ctx, link.forget, link.onPhone);
}

async function run(api: CaptureApi, link: SessionLink, page: Page, retried = false): Promise<void> {
  let config: CaptureConfiguration | null = null;
  try {
    showStep(null);
    loadingScreen();
    config = await withRetry(() => api.configuration());
    useLanguage(config.sdk_config.locale);
    applyTheme(config.sdk_config);
    const ctx = contextFor(api, config, exits(page, link, config.sdk_config.error_url));
    if ((await flow(ctx, link, retried)) === 'again') return run(api, link, page, true);
  } catch (err) {
    report(err, api, link, page, config);
  }
}

interface Page {
  context: LinkContext;
  embedding: Embedding;
}

function exits(page: Page, link: SessionLink, errorUrl: string | null): Exits {
  const api = new CaptureApi(apiBase(), link.sessionId, link.token);
  // After a hand-off, ending the check on the phone tells the computer, which tells the relying party.
  const onPhone = link.onPhone
    ? (code: string) =>
        void api.progress(`LEFT:${code}`).then(
          () => backToComputer(),
          () => backToComputer(),
        )
    : undefined;
  return exitsFor({ sessionId: link.sessionId, errorUrl, embedding: page.embedding, ...(onPhone ? { onPhone } : {}) });
}

function report(
  err: unknown,
  api: CaptureApi,
  link: SessionLink,
  page: Page,
  config: CaptureConfiguration | null,
): void {
  // A link that no longer works still knows its way back: the server put the session's error_url in the page.
  const out = exits(page, link, config?.sdk_config.error_url ?? page.context.errorUrl);
  const retry = () => void run(api, link, page, true);
  if (err instanceof ApiError && err.expired) {
    link.forget();
    page.embedding.error('TOKEN_EXPIRED');
    return expiredScreen(out);
  }
  if (err instanceof ApiError && err.retryable) {
    const offline = err.status === 0;
    return errorScreen(
      t(offline ? 'error.unreachableTitle' : 'error.busyTitle'),
      t(offline ? 'error.unreachable' : 'error.busy'),
      retry,
      out,
      offline ? 'NETWORK_ERROR' : 'SERVICE_UNAVAILABLE',
    );
  }
  if (err instanceof FlowError) return errorScreen(t('error.cannotContinue'), err.message, retry, out, err.code);
  if (err instanceof ApiError && err.code === 'SESSION_LIMIT_REACHED')
    return errorScreen(t('error.limitTitle'), t('error.limit'), retry, out, err.code);
  if (err instanceof CameraError)
    return errorScreen(
      t('error.cameraTitle'),
      t('error.camera'),
      retry,
      out,
      err.problem === 'DENIED' ? 'CAMERA_DENIED' : 'CAMERA_UNAVAILABLE',
    );
  console.error('identity check failed', err);
  errorScreen(t('error.unexpectedTitle'), t('error.unexpected'), retry, out, 'UNEXPECTED_ERROR');
}

/** The page's first screen while the session (or a hand-off claim) loads. */
function loadingScreen(): void {
  screen(
    t('page.loadingTitle'),
    h(
      'p',
      { class: 'status', role: 'status' },
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      t('page.loading'),
    ),
  );
}

/** The API lives beside the page: /idverify/v1/web/index.html → /idverify/v1. */
const apiBase = () => window.location.pathname.replace(/\/web\/[^/]*$/, '');

/** The phone's side of a hand-off: trade the link's claim token for the session's token, once. */
async function claimHandoff(sessionId: string, claim: string): Promise<SessionLink | null> {
  loadingScreen();
  try {
    const token = await withRetry(() => CaptureApi.claimHandoff(apiBase(), sessionId, claim));
    try {
      sessionStorage.setItem(tokenKey(sessionId), token);
      sessionStorage.setItem(phoneKey(sessionId), '1');
    } catch {
      // without storage, a reload of the phone's page cannot continue; the computer can show a new code
    }
    dropParams('handoff');
    return { sessionId, token, forget: () => sessionStorage.removeItem(tokenKey(sessionId)), onPhone: true };
  } catch (err) {
    dropParams('handoff');
    if (isClaimRefused(err)) linkUsedScreen();
    else
      errorScreen(
        t('error.unreachableTitle'),
        t('error.unreachable'),
        () => window.location.reload(),
        { leave: null, leaveLabel: '', success: () => undefined },
        'NETWORK_ERROR',
      );
    return null;
  }
}

async function boot(): Promise<void> {
  const context = readLinkContext();
  useLanguage(context.locale);
  watchConnection();
  const page: Page = { context, embedding: new Embedding(context) };
  const sessionId = query().get('sessionID');
  const claim = query().get('handoff');
  const link = sessionId && claim ? await claimHandoff(sessionId, claim) : readLink(page.embedding.framed);
  if (sessionId && claim && !link) return;
  if (!link) {
    page.embedding.error(sessionId ? 'SESSION_TOKEN_MISSING' : 'SESSION_ID_MISSING');
    return incompleteLinkScreen();
  }
  void run(new CaptureApi(apiBase(), link.sessionId, link.token), link, page);
}

void boot();
