import type { CaptureApi, CaptureConfiguration } from './api.js';
import { type Embedding, yotiCode } from './embedding.js';
import { t } from './i18n/i18n.js';

/** What every step needs: the API, the session's configuration, and a few shared actions. */
export interface FlowContext {
  api: CaptureApi;
  config: CaptureConfiguration;
  /** sdk_config.allowed_capture_methods is CAMERA_AND_UPLOAD. */
  allowUpload: boolean;
  /** sdk_config.suppressed_screens. */
  suppressed: ReadonlySet<string>;
  /** Reports the step the user reached (POST progress); never fails the flow (the promise always resolves). */
  progress(step: string): Promise<void>;
  exits: Exits;
}

/** A failure the user cannot fix on this page: shown on the error screen, with a way back to the integrator. */
export class FlowError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FlowError';
  }
}

/** url with ?sessionID=… (and other parameters) added, keeping what it already has. */
export function withParams(url: string, params: Record<string, string>): string {
  const u = new URL(url, location.href);
  for (const [name, value] of Object.entries(params)) u.searchParams.set(name, value);
  return u.toString();
}

/** The integrator's host name, for "Return to …" buttons; null when there is no usable URL. */
export function siteName(url: string | null): string | null {
  try {
    return url ? new URL(url).hostname || null : null;
  } catch {
    return null;
  }
}

/** How the user leaves the page, wherever it runs: redirect, iframe parent, or (after a hand-off) the computer. */
export interface Exits {
  /** Ends the check with an error code; null when there is nowhere to go (no error_url, no listening parent). */
  leave: ((code: string) => void) | null;
  leaveLabel: string;
  /** The user finished: the parent hears SUCCESS, then the browser goes to success_url when there is one. */
  success(redirectUrl: string | null): void;
}

export function exitsFor(options: {
  sessionId: string;
  errorUrl: string | null;
  embedding: Embedding;
  onPhone?: (code: string) => void;
}): Exits {
  const { sessionId, errorUrl, embedding, onPhone } = options;
  const site = siteName(errorUrl);
  if (onPhone) return { leave: onPhone, leaveLabel: t('page.leave'), success: () => undefined };
  const leave =
    errorUrl || embedding.canNotify
      ? (code: string) => {
          embedding.error(code);
          // Yoti's examples read yotiErrorCode; openidv's readable code stays beside it.
          if (errorUrl)
            window.location.assign(
              withParams(errorUrl, { sessionID: sessionId, error: code, yotiErrorCode: String(yotiCode(code)) }),
            );
        }
      : null;
  return {
    leave,
    leaveLabel: site ? t('page.returnTo', { site }) : errorUrl ? t('page.returnToService') : t('page.leave'),
    success(redirectUrl) {
      embedding.success();
      if (redirectUrl) window.location.replace(redirectUrl);
    },
  };
}

let stepIndex = 0;
let stepTotal = 0;

export function setSteps(total: number): void {
  stepTotal = total;
  stepIndex = 0;
}

/** Shows "Step 2 of 4: Your document" above the screen, or hides the indicator outside the numbered steps. */
export function showStep(label: string | null, index?: number): void {
  const box = document.getElementById('steps');
  const text = document.getElementById('steps-label');
  const fill = document.getElementById('steps-fill');
  if (!box || !text || !fill) return;
  if (label === null || stepTotal === 0) {
    box.hidden = true;
    return;
  }
  if (index !== undefined) stepIndex = index;
  box.hidden = false;
  text.textContent = t('page.step', { index: stepIndex, total: stepTotal, label });
  // Halfway through the current step: "Step 1 of 1" is not yet done.
  fill.style.width = `${Math.round(((stepIndex - 0.5) / stepTotal) * 100)}%`;
}
