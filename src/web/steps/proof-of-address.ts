import { ApiError, type Requirement, withRetry } from '../api.js';
import { browserCountry, countryName } from '../countries.js';
import type { FlowContext } from '../context.js';
import { button, h, notice, screen } from '../dom.js';
import { locale, t } from '../i18n/i18n.js';
import { proofOfAddressInSentence, proofOfAddressName, uploadRefusal } from '../messages.js';
import { capture, review } from './capture.js';
import { uploadWithProgress } from './upload.js';

// A SUPPLEMENTARY_DOCUMENT requirement (Yoti's proof of address): the user picks one of the types the session
// allows (and the country, only where the session names countries), then photographs or uploads its pages, one
// image each, up to the server's limit. Nothing is read from it: the relying party gets the images.

const ALL_TYPES = ['UTILITY_BILL', 'BANK_STATEMENT', 'COUNCIL_TAX_BILL', 'PHONE_BILL'];
/** The server takes at most this many pages of one supplementary document. */
const MAX_PAGES = 4;

type Choice = { type: string; country: string | null };

export async function proofOfAddressStep(ctx: FlowContext, requirement: Requirement): Promise<void> {
  const types = requirement.document_types?.length ? requirement.document_types : ALL_TYPES;
  const countries = requirement.country_codes ?? [];
  let previous: Choice | undefined;
  for (;;) {
    const choice = await chooseDocument(ctx, types, countries, previous);
    previous = choice;
    const resourceId = await capturePages(ctx, requirement, choice);
    if (resourceId === null) continue;
    await withRetry(() => ctx.api.completeSupplementaryDocument(resourceId));
    ctx.progress('PROOF_OF_ADDRESS_COMPLETED');
    return;
  }
}

function chooseDocument(ctx: FlowContext, types: string[], countries: string[], previous?: Choice): Promise<Choice> {
  const only = types.length === 1;
  const fieldset = h(
    'fieldset',
    { class: 'field types' },
    h('legend', {}, t('poa.type')),
    ...types.map((type) => {
      const id = `poa-type-${type}`;
      return h(
        'div',
        { class: 'radio' },
        h('input', { type: 'radio', name: 'poa-type', id, value: type, checked: only || previous?.type === type }),
        h('label', { for: id }, proofOfAddressName(type)),
      );
    }),
  );
  let select: HTMLSelectElement | null = null;
  if (countries.length) {
    const sorted = [...countries].sort((a, b) => countryName(a).localeCompare(countryName(b), locale()));
    select = h(
      'select',
      { id: 'poa-country', name: 'country', autocomplete: 'country', 'aria-describedby': 'poa-error' },
      h('option', { value: '' }, t('poa.chooseCountry')),
      ...sorted.map((c) => h('option', { value: c }, countryName(c))),
    );
    select.value =
      [previous?.country, ctx.config.sdk_config.preset_issuing_country, browserCountry()].find(
        (c) => c && countries.includes(c),
      ) ?? (countries.length === 1 ? countries[0]! : '');
  }
  const error = h('div', { id: 'poa-error' });
  // A choice made after a refusal clears it.
  fieldset.addEventListener('change', () => error.replaceChildren());
  select?.addEventListener('change', () => error.replaceChildren());
  const next = button(t('poa.continue'), () => undefined, 'primary', { id: 'poa-continue' });
  screen(
    t('poa.title'),
    h('p', { class: 'lead' }, t('poa.lead')),
    fieldset,
    select ? h('div', { class: 'field' }, h('label', { for: 'poa-country' }, t('poa.country')), select) : null,
    error,
    h('div', { class: 'actions' }, next),
  );
  ctx.progress('PROOF_OF_ADDRESS_SELECT');
  return new Promise((resolve) => {
    next.addEventListener('click', () => {
      const type = (fieldset.querySelector('input[name="poa-type"]:checked') as HTMLInputElement | null)?.value;
      if (!type) {
        error.replaceChildren(notice('error', t('poa.errorType')));
        return (fieldset.querySelector('input') as HTMLInputElement | null)?.focus();
      }
      if (select && !select.value) {
        error.replaceChildren(notice('error', t('poa.errorCountry')));
        return select.focus();
      }
      resolve({ type, country: select?.value || null });
    });
  });
}

/** The pages, one image each; null when the user goes back to choose another document before sending any. */
async function capturePages(ctx: FlowContext, requirement: Requirement, choice: Choice): Promise<string | null> {
  let resourceId: string | null = null;
  const name = proofOfAddressInSentence(choice.type);
  for (let index = 1; index <= MAX_PAGES; index++) {
    const title = t('poa.pageTitle', { index, document: name });
    let message: string | undefined;
    for (;;) {
      ctx.progress(`PROOF_OF_ADDRESS_PAGE_${index}`);
      const shot = await capture(ctx, {
        title,
        advice: t('poa.advice'),
        facing: 'environment',
        guide: 'sheet',
        maxWidth: 2200,
        ...(message ? { notice: message } : {}),
        ...(resourceId === null ? { back: t('poa.chooseAnother') } : {}),
      });
      message = undefined;
      if ('back' in shot) return null;
      if (!(await review(title, shot.blob, t('poa.review')))) continue;
      try {
        await uploadWithProgress(title, t('poa.sending'), async (onProgress) => {
          resourceId ??= await ctx.api.createSupplementaryDocument(requirement.id, choice.type, choice.country);
          return ctx.api.uploadPage(resourceId, shot.blob, shot.method, onProgress, 'supplementary-documents');
        });
        ctx.progress(`PROOF_OF_ADDRESS_PAGE_${index}_UPLOADED`);
        break;
      } catch (err) {
        const refusal = err instanceof ApiError ? uploadRefusal(err.code, err.status) : null;
        if (!refusal) throw err;
        message = refusal;
      }
    }
    if (index === MAX_PAGES || !(await morePages(ctx))) break;
  }
  return resourceId;
}

function morePages(ctx: FlowContext): Promise<boolean> {
  const more = button(t('poa.addPage'), () => undefined, 'secondary', { id: 'poa-add-page' });
  const done = button(t('poa.done'), () => undefined, 'primary', { id: 'poa-done' });
  screen(
    t('poa.moreTitle'),
    h('p', { class: 'lead' }, t('poa.moreLead', { count: MAX_PAGES })),
    h('div', { class: 'actions' }, done, more),
  );
  ctx.progress('PROOF_OF_ADDRESS_MORE');
  return new Promise((resolve) => {
    more.addEventListener('click', () => resolve(true), { once: true });
    done.addEventListener('click', () => resolve(false), { once: true });
  });
}
