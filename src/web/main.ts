// The end-user capture page: <api>/web/index.html?sessionID=…&sessionToken=… (spec 2.3). It reads what the
// session needs (GET configuration) and walks the user through consent, documents and the selfie, then finishes
// and sends the user to success_url. The flow is rebuilt from the configuration each time it starts, so "Try
// again" after an error, or a reload, carries on from what the server already has.

import { ApiError, CaptureApi, type CaptureConfiguration, type Requirement, withRetry } from './api.js';
import { CameraError } from './camera.js';
import { FlowError, type FlowContext, setSteps, showStep, siteName, withParams } from './context.js';
import { h, screen } from './dom.js';
import { applyTheme } from './theme.js';
import { consentStep, welcome } from './steps/consent.js';
import { documentStep } from './steps/document.js';
import { faceStep } from './steps/face.js';
import { errorScreen, expiredScreen, finishStep, incompleteLinkScreen } from './steps/outcome.js';

interface SessionLink {
  sessionId: string;
  token: string;
  forget: () => void;
}

/**
 * The session id and token from the link. The token is moved out of the address bar (into this tab's
 * sessionStorage, so a reload still works) to keep it out of history, bookmarks and screenshots.
 */
function readLink(): SessionLink | null {
  const query = new URLSearchParams(window.location.search);
  const sessionId = query.get('sessionID');
  if (!sessionId) return null;
  const key = `openidv.token.${sessionId}`;
  let token = query.get('sessionToken');
  let forget = () => undefined as void;
  try {
    if (token) sessionStorage.setItem(key, token);
    else token = sessionStorage.getItem(key);
    forget = () => sessionStorage.removeItem(key);
    if (query.has('sessionToken')) {
      query.delete('sessionToken');
      window.history.replaceState(null, '', `${window.location.pathname}?${query.toString()}`);
    }
  } catch {
    // Storage is blocked (some private modes): keep the token in the address bar, where a reload still finds it.
  }
  return token ? { sessionId, token, forget } : null;
}

function watchConnection(): void {
  const banner = document.getElementById('offline');
  const update = () => banner && (banner.hidden = navigator.onLine);
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  update();
}

function contextFor(api: CaptureApi, config: CaptureConfiguration): FlowContext {
  const errorUrl = config.sdk_config.error_url;
  return {
    api,
    config,
    allowUpload: config.sdk_config.allowed_capture_methods === 'CAMERA_AND_UPLOAD',
    progress: (step) => api.progress(step).then(
      () => undefined,
      () => undefined,
    ),
    leave: errorUrl ? (code) => window.location.assign(withParams(errorUrl, { sessionID: api.sessionId, error: code })) : null,
  };
}

/** The document types the user may choose from, in the catalogue's order. */
function documentTypes(requirements: Requirement[]): string[] {
  const types: string[] = [];
  for (const r of requirements) for (const c of r.supported_countries ?? []) for (const d of c.supported_documents) if (!types.includes(d.type)) types.push(d.type);
  return types;
}

async function flow(ctx: FlowContext, link: SessionLink, retried: boolean): Promise<void> {
  const todo = ctx.config.requirements.filter((r) => r.state !== 'COMPLETED');
  const documents = todo.filter((r) => r.type === 'ID_DOCUMENT');
  const liveness = todo.find((r) => r.type === 'LIVENESS' && (r.attempts_remaining ?? 1) > 0);
  const faceCapture = todo.find((r) => r.type === 'FACE_CAPTURE');
  const needsFace = Boolean(liveness || faceCapture);
  const needsConsent = needsFace && ctx.config.biometric_consent === null && ctx.config.biometric_consent_required;

  // Consent comes first, or (JUST_IN_TIME) right before the first face capture.
  const early = ctx.config.sdk_config.biometric_consent_flow !== 'JUST_IN_TIME';
  const labels = [
    ...(needsConsent && early ? ['Consent'] : []),
    ...documents.map(() => 'Your document'),
    ...(needsConsent && !early ? ['Consent'] : []),
    ...(liveness ? ['Selfie'] : []),
    ...(faceCapture ? ['Photo of your face'] : []),
  ];
  setSteps(labels.length);
  let step = 0;
  const next = () => showStep(labels[step] ?? null, ++step);

  // The welcome screen only for a fresh start, not when the user comes back to a check already under way.
  const resumed = retried || ctx.config.biometric_consent !== null || ctx.config.requirements.some((r) => r.state === 'COMPLETED');
  if (labels.length && !resumed) await welcome(ctx, { documents: documents.length, documentTypes: documentTypes(documents), selfie: needsFace });
  const consent = async () => {
    next();
    await consentStep(ctx, documents.length > 0);
  };
  if (needsConsent && early) await consent();
  for (const document of documents) {
    next();
    await documentStep(ctx, document);
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
  await finishStep(ctx, link.forget);
}

async function run(api: CaptureApi, link: SessionLink, retried = false): Promise<void> {
  let config: CaptureConfiguration | null = null;
  try {
    showStep(null);
    screen('Getting ready', h('p', { class: 'status', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading your identity check…'));
    config = await withRetry(() => api.configuration());
    applyTheme(config.sdk_config);
    await flow(contextFor(api, config), link, retried);
  } catch (err) {
    report(err, api, link, config);
  }
}

function report(err: unknown, api: CaptureApi, link: SessionLink, config: CaptureConfiguration | null): void {
  const errorUrl = config?.sdk_config.error_url ?? null;
  const retry = () => void run(api, link, true);
  const leave = (code: string) => (errorUrl ? () => window.location.assign(withParams(errorUrl, { sessionID: link.sessionId, error: code })) : null);
  const leaveLabel = `Return to ${siteName(errorUrl)}`;
  if (err instanceof ApiError && err.expired) {
    link.forget();
    return expiredScreen(errorUrl, link.sessionId);
  }
  if (err instanceof ApiError && err.retryable) {
    return errorScreen(
      err.status === 0 ? "We can't reach the server" : 'The service is busy',
      err.status === 0 ? 'Check your internet connection, then try again. Nothing you have done so far is lost.' : 'Please wait a moment, then try again. Nothing you have done so far is lost.',
      retry,
      leave('NETWORK_ERROR'),
      leaveLabel,
    );
  }
  if (err instanceof FlowError) return errorScreen('We cannot continue', err.message, retry, leave(err.code), leaveLabel);
  if (err instanceof ApiError && err.code === 'SESSION_LIMIT_REACHED') {
    return errorScreen('We cannot take any more photos', 'This check has received as many photos as it can. Return to the service that sent you here to start again.', retry, leave(err.code), leaveLabel);
  }
  if (err instanceof CameraError) return errorScreen('The camera is not available', 'We could not use your camera.', retry, leave('CAMERA_UNAVAILABLE'), leaveLabel);
  const code = err instanceof ApiError ? err.code : 'UNEXPECTED_ERROR';
  console.error('identity check failed', err);
  errorScreen('Something went wrong', 'Sorry, something went wrong on our side. You can try again, or return and start over.', retry, leave(code), leaveLabel);
}

function boot(): void {
  watchConnection();
  const link = readLink();
  if (!link) return incompleteLinkScreen();
  // The API lives beside the page: /idverify/v1/web/index.html → /idverify/v1.
  const base = window.location.pathname.replace(/\/web\/[^/]*$/, '');
  void run(new CaptureApi(base, link.sessionId, link.token), link);
}

boot();
