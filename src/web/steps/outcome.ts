import { withRetry } from '../api.js';
import { type FlowContext, showStep, siteName, withParams } from '../context.js';
import { button, h, notice, screen } from '../dom.js';

/** Finish: the token stops working, the checks start, and the user goes back to the integrator (success_url). */
export async function finishStep(ctx: FlowContext, forgetToken: () => void): Promise<void> {
  showStep(null);
  screen('Sending your details', h('p', { class: 'status', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Please wait, this takes a few seconds…'));
  // Before finishing: the token stops working once the session is finished.
  await ctx.progress('FINISH');
  const result = await withRetry(() => ctx.api.finish(), { attempts: 5 });
  forgetToken();
  if (result.redirect_url) {
    screen("You're all done", h('p', { class: 'lead', role: 'status' }, `Thank you. Taking you back to ${siteName(result.redirect_url)}…`));
    window.location.replace(result.redirect_url);
    return;
  }
  screen("You're all done", h('p', { class: 'lead' }, 'Thank you. Your details have been sent. You can close this page now.'));
}

/** The token is no longer valid: expired, already used, or wrong. */
export function expiredScreen(errorUrl: string | null, sessionId: string): void {
  showStep(null);
  screen(
    'This link has expired',
    h('p', { class: 'lead' }, 'For your security, identity check links work only for a limited time and only once.'),
    h('p', {}, 'Go back to the website or app that sent you here and start the check again to get a new link.'),
    errorUrl ? h('div', { class: 'actions' }, button(`Return to ${siteName(errorUrl)}`, () => window.location.assign(withParams(errorUrl, { sessionID: sessionId, error: 'TOKEN_EXPIRED' })), 'primary')) : null,
  );
}

/** The link lacks its session or token. */
export function incompleteLinkScreen(): void {
  screen(
    'This link is incomplete',
    h('p', { class: 'lead' }, 'The link you followed is missing some details, so we cannot start your identity check.'),
    h('p', {}, 'Go back to the website or app that sent you here and open the link again.'),
  );
}

/** A failure the page cannot fix by itself: say so, offer to try again, and a way back to the integrator. */
export function errorScreen(title: string, message: string, retry: () => void, leave: (() => void) | null, leaveLabel: string): void {
  showStep(null);
  screen(
    title,
    notice('error', h('p', {}, message)),
    h('div', { class: 'actions' }, button('Try again', retry, 'primary', { id: 'error-retry' }), leave ? button(leaveLabel, leave, 'secondary', { id: 'error-leave' }) : null),
  );
}
