import { withRetry } from '../api.js';
import { type FlowContext, siteName } from '../context.js';
import { button, h, notice, screen } from '../dom.js';
import { orList, plural, t, withElement } from '../i18n/i18n.js';
import { documentInSentence, proofOfAddressInSentence } from '../messages.js';

const COMMON_DOCUMENTS = ['PASSPORT', 'DRIVING_LICENCE', 'NATIONAL_ID'];

/** What the user will be asked for, before anything starts. */
export function welcome(
  ctx: FlowContext,
  needs: { documents: number; documentTypes: string[]; proofOfAddress: string[]; selfie: boolean },
): Promise<void> {
  const types =
    needs.documentTypes.length > 0 && needs.documentTypes.length <= 3 ? needs.documentTypes : COMMON_DOCUMENTS;
  const documents = orList(types.map(documentInSentence));
  const host = siteName(ctx.config.sdk_config.success_url);
  const items = [
    needs.documents > 0
      ? h(
          'li',
          {},
          needs.documents > 1
            ? plural('welcome.documents', needs.documents, { documents })
            : t('welcome.document', { documents }),
        )
      : null,
    needs.proofOfAddress.length
      ? h(
          'li',
          {},
          t('welcome.proofOfAddress', { documents: orList(needs.proofOfAddress.map(proofOfAddressInSentence)) }),
        )
      : null,
    needs.selfie ? h('li', {}, t('welcome.selfie')) : null,
    h('li', {}, t('welcome.time')),
  ];
  const start = button(t('welcome.start'), () => undefined, 'primary', { id: 'start' });
  screen(
    t('welcome.title'),
    h('p', { class: 'lead' }, host ? t('welcome.askedBy', { site: host }) : t('welcome.asked')),
    h('ul', { class: 'checklist' }, ...items),
    h('p', { class: 'small' }, t('welcome.privacy')),
    h('div', { class: 'actions' }, start),
  );
  ctx.progress('WELCOME');
  return new Promise((resolve) => start.addEventListener('click', () => resolve(), { once: true }));
}

/**
 * Biometric consent, required before any face capture. Declining ends the check: the user can change their
 * mind, or go back to the integrator (error_url, or the parent window of an iframe).
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
    const back = button(t('consent.goBack'), () => undefined, 'primary', { id: 'consent-back' });
    const { leave, leaveLabel } = ctx.exits;
    screen(
      t('consent.declinedTitle'),
      h('p', { class: 'lead' }, t('consent.declinedLead')),
      h(
        'div',
        { class: 'actions' },
        back,
        leave ? button(leaveLabel, () => leave('CONSENT_DECLINED'), 'secondary', { id: 'consent-leave' }) : null,
      ),
      leave ? null : h('p', { class: 'small' }, t('consent.closePage')),
    );
    await new Promise((r) => back.addEventListener('click', r, { once: true }));
  }
}

function askConsent(ctx: FlowContext, comparesWithDocument: boolean): Promise<boolean> {
  const policy = ctx.config.sdk_config.privacy_policy_url;
  const box = h('input', { type: 'checkbox', id: 'consent-box', 'aria-describedby': 'consent-error' });
  const error = h('div', { id: 'consent-error' });
  const agree = button(t('consent.continue'), () => undefined, 'primary', { id: 'consent-continue' });
  const decline = button(t('consent.decline'), () => undefined, 'secondary', { id: 'consent-decline' });
  const link = policy
    ? h(
        'a',
        { href: policy, target: '_blank', rel: 'noopener noreferrer', id: 'privacy-link' },
        t('consent.policyLink'),
      )
    : null;
  screen(
    t('consent.title'),
    h('p', { class: 'lead' }, t(comparesWithDocument ? 'consent.leadWithDocument' : 'consent.lead')),
    h('p', {}, t('consent.biometric')),
    link ? h('p', {}, ...withElement('consent.policy', 'link', link)) : null,
    h('div', { class: 'field checkbox' }, box, h('label', { for: 'consent-box' }, t('consent.agree'))),
    error,
    h('div', { class: 'actions' }, agree, decline),
  );
  ctx.progress('CONSENT');
  return new Promise((resolve) => {
    agree.addEventListener('click', () => {
      if (box.checked) return resolve(true);
      error.replaceChildren(notice('error', t('consent.tickTheBox')));
      box.focus();
    });
    decline.addEventListener('click', () => resolve(false), { once: true });
  });
}
