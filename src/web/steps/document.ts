import { ApiError, type DocumentChoice, type ReadingCategory, type Requirement, withRetry } from '../api.js';
import { browserCountry, countryName } from '../countries.js';
import { FlowError, type FlowContext } from '../context.js';
import { button, h, notice, screen } from '../dom.js';
import { locale, plural, t } from '../i18n/i18n.js';
import { documentName, pagesOf, uploadRefusal } from '../messages.js';
import { capture, review } from './capture.js';
import { uploadWithProgress } from './upload.js';

type Choice = { country: string; type: string };

/**
 * One ID_DOCUMENT requirement: choose country and type, then capture and send each page. The document resource
 * is created with its first page, so going back to choose another document leaves nothing behind.
 */
export async function documentStep(ctx: FlowContext, requirement: Requirement, first: boolean): Promise<void> {
  const countries = requirement.supported_countries ?? [];
  if (!countries.length) throw new FlowError('NO_ACCEPTED_DOCUMENT', t('document.noneAccepted'));
  // ID_DOCUMENT_REQUIREMENTS suppressed: no choice screen, when the session leaves exactly one document to choose.
  const only = ctx.suppressed.has('ID_DOCUMENT_REQUIREMENTS') ? singleChoice(ctx, countries) : null;
  let tips = first && !ctx.suppressed.has('ID_DOCUMENT_EDUCATION');
  let previous: Choice | undefined;
  // The same document again, straight to the camera (its photo could not be read).
  let retake: Choice | null = null;
  for (;;) {
    const choice: Choice = retake ?? only ?? (await chooseDocument(ctx, requirement, countries, previous));
    previous = choice;
    retake = null;
    if (tips) await education(ctx);
    tips = false;
    const resourceId = await capturePages(ctx, requirement, choice, only === null);
    if (resourceId === null) continue;
    const completion = await reading(() => withRetry(() => ctx.api.completeDocument(resourceId)));
    const category = completion.reading?.category ?? null;
    if (completion.state === 'RETRY' && category) {
      await tryAgain(ctx, category, completion.attempts_remaining?.[category] ?? 0);
      // Another document than the one chosen: choose again. Unreadable: the same one, photographed again.
      if (category === 'GENERIC') retake = choice;
      continue;
    }
    if (category) await outOfTries(ctx);
    ctx.progress('DOCUMENT_COMPLETED');
    return;
  }
}

/**
 * Completing the document may read it (the session's attempts_configuration): that takes a few seconds, so the
 * user sees why they wait.
 */
function reading<T>(complete: () => Promise<T>): Promise<T> {
  screen(
    t('docRead.checkingTitle'),
    h(
      'p',
      { class: 'status', role: 'status' },
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      t('docRead.checking'),
    ),
  );
  return complete();
}

/** The reading failed with a try left: why, and how many tries remain. */
function tryAgain(ctx: FlowContext, category: ReadingCategory, remaining: number): Promise<void> {
  const again = button(t('docRead.tryAgain'), () => undefined, 'primary', { id: 'document-again' });
  screen(
    t('docRead.retryTitle'),
    notice('warning', h('p', {}, t(`docRead.reason.${category}`))),
    // attempts_remaining counts the tries after this one; the user is about to make this one too.
    h('p', { id: 'document-tries-left' }, plural('docRead.triesLeft', remaining + 1)),
    h('div', { class: 'actions' }, again),
  );
  ctx.progress(`DOCUMENT_RETRY_${category}`);
  return new Promise((resolve) => again.addEventListener('click', () => resolve(), { once: true }));
}

/** No tries left: say so before moving on, rather than carrying on as if the document had been read. */
function outOfTries(ctx: FlowContext): Promise<void> {
  const next = button(t('docRead.continue'), () => undefined, 'primary', { id: 'document-out-of-tries' });
  screen(
    t('docRead.outOfTriesTitle'),
    notice('warning', h('p', {}, t('docRead.outOfTries'))),
    h('div', { class: 'actions' }, next),
  );
  ctx.progress('DOCUMENT_OUT_OF_TRIES');
  return new Promise((resolve) => next.addEventListener('click', () => resolve(), { once: true }));
}

/** The one document the session allows: a single country (or the preset one) with a single document type. */
function singleChoice(ctx: FlowContext, countries: DocumentChoice[]): Choice | null {
  const preset = ctx.config.sdk_config.preset_issuing_country;
  const country = countries.length === 1 ? countries[0] : countries.find((c) => c.code === preset);
  return country && country.supported_documents.length === 1
    ? { country: country.code, type: country.supported_documents[0]!.type }
    : null;
}

/** Tips before the first document photo, once (Yoti's ID_DOCUMENT_EDUCATION screen). */
function education(ctx: FlowContext): Promise<void> {
  const next = button(t('documentEducation.continue'), () => undefined, 'primary', { id: 'document-tips-continue' });
  screen(
    t('documentEducation.title'),
    h('p', { class: 'lead' }, t('documentEducation.lead')),
    h(
      'ul',
      { class: 'checklist' },
      h('li', {}, t('documentEducation.original')),
      h('li', {}, t('documentEducation.surface')),
      h('li', {}, t('documentEducation.glare')),
      h('li', {}, t('documentEducation.corners')),
    ),
    h('div', { class: 'actions' }, next),
  );
  ctx.progress('DOCUMENT_TIPS');
  return new Promise((resolve) => next.addEventListener('click', () => resolve(), { once: true }));
}

/** The pages of the chosen document; null when the user goes back to choose another one. */
async function capturePages(
  ctx: FlowContext,
  requirement: Requirement,
  { country, type }: Choice,
  canGoBack: boolean,
): Promise<string | null> {
  let resourceId: string | null = null;
  for (const [index, page] of pagesOf(type).entries()) {
    let message: string | undefined;
    for (;;) {
      ctx.progress(`DOCUMENT_PAGE_${index + 1}`);
      const shot = await capture(ctx, {
        title: page.title,
        advice: page.advice,
        facing: 'environment',
        guide: page.guide,
        maxWidth: 2200,
        ...(message ? { notice: message } : {}),
        ...(resourceId === null && canGoBack ? { back: t('document.chooseAnother') } : {}),
      });
      message = undefined;
      if ('back' in shot) return null;
      if (!(await review(page.title, shot.blob, t('document.reviewQuestion')))) continue;
      try {
        await uploadWithProgress(page.title, page.sending, async (onProgress) => {
          resourceId ??= await ctx.api.createDocument(requirement.id, type, country);
          return ctx.api.uploadPage(resourceId, shot.blob, shot.method, onProgress);
        });
        ctx.progress(`DOCUMENT_PAGE_${index + 1}_UPLOADED`);
        break;
      } catch (err) {
        const refusal = err instanceof ApiError ? uploadRefusal(err.code, err.status) : null;
        if (!refusal) throw err;
        message = refusal;
      }
    }
  }
  return resourceId;
}

function chooseDocument(
  ctx: FlowContext,
  requirement: Requirement,
  countries: DocumentChoice[],
  previous?: Choice,
): Promise<Choice> {
  const sorted = [...countries].sort((a, b) => countryName(a.code).localeCompare(countryName(b.code), locale()));
  const preset =
    [previous?.country, ctx.config.sdk_config.preset_issuing_country, browserCountry()].find(
      (c) => c && countries.some((x) => x.code === c),
    ) ?? (countries.length === 1 ? countries[0]!.code : '');
  const select = h(
    'select',
    { id: 'country', name: 'country', autocomplete: 'country', 'aria-describedby': 'choice-error' },
    h('option', { value: '' }, t('document.chooseCountry')),
    ...sorted.map((c) => h('option', { value: c.code }, countryName(c.code))),
  );
  select.value = preset;
  const types = h('fieldset', { class: 'field types' });
  const error = h('div', { id: 'choice-error' });
  const next = button(t('document.continue'), () => undefined, 'primary', { id: 'document-continue' });

  const renderTypes = () => {
    const chosen = countries.find((c) => c.code === select.value);
    types.replaceChildren(h('legend', {}, t('document.type')));
    if (!chosen) {
      types.append(h('p', { class: 'small' }, t('document.countryFirst')));
      return;
    }
    const only = chosen.supported_documents.length === 1;
    for (const doc of chosen.supported_documents) {
      const id = `type-${doc.type}`;
      types.append(
        h(
          'div',
          { class: 'radio' },
          h('input', {
            type: 'radio',
            name: 'document-type',
            id,
            value: doc.type,
            checked: only || (previous?.country === chosen.code && previous.type === doc.type),
          }),
          h('label', { for: id }, documentName(doc.type)),
        ),
      );
    }
  };
  select.addEventListener('change', () => {
    error.replaceChildren();
    renderTypes();
  });
  renderTypes();

  screen(
    t('document.title'),
    // "Not expired" only where the session refuses expired documents.
    h('p', { class: 'lead' }, t(requirement.allow_expired_documents ? 'document.leadExpiredAllowed' : 'document.lead')),
    h('div', { class: 'field' }, h('label', { for: 'country' }, t('document.country')), select),
    types,
    error,
    h('div', { class: 'actions' }, next),
  );
  ctx.progress('DOCUMENT_SELECT');
  return new Promise((resolve) => {
    next.addEventListener('click', () => {
      const type = (types.querySelector('input[name="document-type"]:checked') as HTMLInputElement | null)?.value;
      if (!select.value) {
        error.replaceChildren(notice('error', t('document.errorCountry')));
        return select.focus();
      }
      if (!type) {
        error.replaceChildren(notice('error', t('document.errorType')));
        return (types.querySelector('input') as HTMLInputElement | null)?.focus();
      }
      resolve({ country: select.value, type });
    });
  });
}
