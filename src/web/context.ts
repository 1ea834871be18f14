import type { CaptureApi, CaptureConfiguration } from './api.js';

/** What every step needs: the API, the session's configuration, and a few shared actions. */
export interface FlowContext {
  api: CaptureApi;
  config: CaptureConfiguration;
  /** sdk_config.allowed_capture_methods is CAMERA_AND_UPLOAD. */
  allowUpload: boolean;
  /** Reports the step the user reached (POST progress); never fails the flow (the promise always resolves). */
  progress(step: string): Promise<void>;
  /** Sends the user to error_url (with sessionID and the error code), when the integrator gave one. */
  leave: ((code: string) => void) | null;
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

/** "the service" or the integrator's host name, for "Return to …" buttons. */
export function siteName(url: string | null): string {
  try {
    return url ? new URL(url).hostname : 'the service';
  } catch {
    return 'the service';
  }
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
  text.textContent = `Step ${stepIndex} of ${stepTotal}: ${label}`;
  // Halfway through the current step: "Step 1 of 1" is not yet done.
  fill.style.width = `${Math.round(((stepIndex - 0.5) / stepTotal) * 100)}%`;
}
