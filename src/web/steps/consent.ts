import { withRetry } from '../api.js';
import { type FlowContext, siteName } from '../context.js';
import { button, h, notice, screen } from '../dom.js';
import { documentName } from '../messages.js';

/** What the user will be asked for, before anything starts. */
export function welcome(ctx: FlowContext, needs: { documents: number; documentTypes: string[]; selfie: boolean }): Promise<void> {
  const names = needs.documentTypes.map((t) => documentName(t).toLowerCase());
  const which = names.length > 0 && names.length <= 3 ? `${names.slice(0, -1).join(', ')}${names.length > 1 ? ' or ' : ''}${names[names.length - 1]}` : 'passport, driving licence or identity card';
  const host = ctx.config.sdk_config.success_url ? siteName(ctx.config.sdk_config.success_url) : null;
  const items = [
    needs.documents > 0 ? h('li', {}, needs.documents > 1 ? `${needs.documents} identity documents (${which})` : `Your ${which}`) : null,
    needs.selfie ? h('li', {}, 'To take a selfie with your camera') : null,
    h('li', {}, 'A well-lit place, and about 2 minutes'),
  ];
  const start = button('Start', () => undefined, 'primary', { id: 'start' });
  screen(
    "Let's check your identity",
    h('p', { class: 'lead' }, `${host ? `${host} has asked you` : 'You have been asked'} to confirm who you are. You will need:`),
    h('ul', { class: 'checklist' }, ...items),
    h('p', { class: 'small' }, 'Your photos are sent securely and used only for this check.'),
    h('div', { class: 'actions' }, start),
  );
  ctx.progress('WELCOME');
  return new Promise((resolve) => start.addEventListener('click', () => resolve(), { once: true }));
}

/**
 * Biometric consent, required before any face capture. Declining ends the check: the user can change their
 * mind, or go back to the integrator (error_url).
 */
export async function consentStep(ctx: FlowContext, comparesWithDocument: boolean): Promise<void> {
  for (;;) {
    const agreed = await askConsent(ctx, comparesWithDocument);
    if (agreed) {
      await withRetry(() => ctx.api.consent());
      ctx.progress('CONSENT_GIVEN');
      return;
    }
    ctx.progress('CONSENT_DECLINED');
    const back = button('Go back', () => undefined, 'primary', { id: 'consent-back' });
    screen(
      "We can't continue without your consent",
      h('p', { class: 'lead' }, 'Checking your identity needs a photo of your face. Without your consent we cannot do that check.'),
      h('div', { class: 'actions' }, back, ctx.leave ? button(`Return to ${siteName(ctx.config.sdk_config.error_url)}`, () => ctx.leave!('CONSENT_DECLINED'), 'secondary', { id: 'consent-leave' }) : null),
      ctx.leave ? null : h('p', { class: 'small' }, 'You can close this page now.'),
    );
    await new Promise((r) => back.addEventListener('click', r, { once: true }));
  }
}

function askConsent(ctx: FlowContext, comparesWithDocument: boolean): Promise<boolean> {
  const policy = ctx.config.sdk_config.privacy_policy_url;
  const box = h('input', { type: 'checkbox', id: 'consent-box', 'aria-describedby': 'consent-error' });
  const error = h('div', { id: 'consent-error' });
  const agree = button('Continue', () => undefined, 'primary', { id: 'consent-continue' });
  const decline = button("I don't agree", () => undefined, 'secondary', { id: 'consent-decline' });
  screen(
    'Your consent to use your face',
    h(
      'p',
      { class: 'lead' },
      comparesWithDocument
        ? "We'll take a selfie to check that you are a real person and that your face matches the photo on your document."
        : "We'll take a selfie to check that you are a real person and to confirm who you are.",
    ),
    h('p', {}, 'This uses biometric data: measurements of your face made from the selfie. They are used only for this identity check.'),
    policy
      ? h('p', {}, 'Read how your data is used and kept in the ', h('a', { href: policy, target: '_blank', rel: 'noopener noreferrer', id: 'privacy-link' }, 'privacy policy (opens in a new tab)'), '.')
      : null,
    h('div', { class: 'field checkbox' }, box, h('label', { for: 'consent-box' }, 'I agree that my face can be scanned and compared for this identity check.')),
    error,
    h('div', { class: 'actions' }, agree, decline),
  );
  ctx.progress('CONSENT');
  return new Promise((resolve) => {
    agree.addEventListener('click', () => {
      if (box.checked) return resolve(true);
      error.replaceChildren(notice('error', 'Tick the box to agree, or choose "I don\'t agree".'));
      box.focus();
    });
    decline.addEventListener('click', () => resolve(false), { once: true });
  });
}
