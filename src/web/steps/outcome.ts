import { withRetry } from '../api.js';
import { type Exits, type FlowContext, showStep, siteName } from '../context.js';
import { button, h, notice, screen } from '../dom.js';
import { t } from '../i18n/i18n.js';

/**
 * Finish: the token stops working, the checks start, the parent window hears SUCCESS and the user goes back to
 * the integrator (success_url). On a phone that took over from a computer, the computer does all that.
 */
export async function finishStep(ctx: FlowContext, forgetToken: () => void, onPhone: boolean): Promise<void> {
  showStep(null);
  screen(
    t('finish.sendingTitle'),
    h(
      'p',
      { class: 'status', role: 'status' },
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      t('finish.wait'),
    ),
  );
  // Before finishing: the token stops working once the session is finished.
  await ctx.progress('FINISH');
  const result = await withRetry(() => ctx.api.finish(), { attempts: 5 });
  forgetToken();
  doneScreen(ctx.exits, onPhone ? null : result.redirect_url, onPhone);
}

/** "You're all done", then the exits: SUCCESS to a parent window, and success_url. */
export function doneScreen(exits: Exits, redirectUrl: string | null, onPhone = false): void {
  showStep(null);
  const site = siteName(redirectUrl);
  screen(
    t('finish.doneTitle'),
    h(
      'p',
      { class: 'lead', role: 'status' },
      onPhone ? t('finish.doneOnPhone') : redirectUrl && site ? t('finish.takingBack', { site }) : t('finish.done'),
    ),
  );
  exits.success(redirectUrl);
}

/** The token is no longer valid: expired, already used, or wrong. The way back, where the server knows it. */
export function expiredScreen(exits: Exits): void {
  showStep(null);
  const { leave, leaveLabel } = exits;
  screen(
    t('expired.title'),
    h('p', { class: 'lead' }, t('expired.lead')),
    h('p', {}, t('expired.again')),
    leave
      ? h(
          'div',
          { class: 'actions' },
          button(leaveLabel, () => leave('TOKEN_EXPIRED'), 'primary', { id: 'expired-leave' }),
        )
      : null,
  );
}

/** The link lacks its session or token. */
export function incompleteLinkScreen(): void {
  screen(t('incomplete.title'), h('p', { class: 'lead' }, t('incomplete.lead')), h('p', {}, t('incomplete.again')));
}

/** A failure the page cannot fix by itself: say so, offer to try again, and a way back to the integrator. */
export function errorScreen(title: string, message: string, retry: () => void, exits: Exits, code: string): void {
  showStep(null);
  const { leave, leaveLabel } = exits;
  screen(
    title,
    notice('error', h('p', {}, message)),
    h(
      'div',
      { class: 'actions' },
      button(t('error.tryAgain'), retry, 'primary', { id: 'error-retry' }),
      leave ? button(leaveLabel, () => leave(code), 'secondary', { id: 'error-leave' }) : null,
    ),
  );
}
