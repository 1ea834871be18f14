import { ApiError, type DocumentChoice, type Requirement, withRetry } from '../api.js';
import { browserCountry, countryName } from '../countries.js';
import { FlowError, type FlowContext } from '../context.js';
import { button, h, notice, screen } from '../dom.js';
import { documentName, pagesOf, uploadRefusal } from '../messages.js';
import { capture, review } from './capture.js';
import { uploadWithProgress } from './upload.js';

/**
 * One ID_DOCUMENT requirement: choose country and type, then capture and send each page. The document resource
 * is created with its first page, so going back to choose another document leaves nothing behind.
 */
export async function documentStep(ctx: FlowContext, requirement: Requirement): Promise<void> {
  const countries = requirement.supported_countries ?? [];
  if (!countries.length) throw new FlowError('NO_ACCEPTED_DOCUMENT', 'This check does not accept any document we can capture here.');
  let previous: { country: string; type: string } | undefined;
  for (;;) {
    const choice = await chooseDocument(ctx, countries, previous);
    previous = choice;
    const resourceId = await capturePages(ctx, requirement, choice);
    if (resourceId === null) continue;
    await withRetry(() => ctx.api.completeDocument(resourceId));
    ctx.progress('DOCUMENT_COMPLETED');
    return;
  }
}

/** The pages of the chosen document; null when the user goes back to choose another one. */
async function capturePages(ctx: FlowContext, requirement: Requirement, { country, type }: { country: string; type: string }): Promise<string | null> {
  let resourceId: string | null = null;
  const pages = pagesOf(type);
  for (const [index, page] of pages.entries()) {
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
        ...(resourceId === null ? { back: 'Choose a different document' } : {}),
      });
      message = undefined;
      if ('back' in shot) return null;
      if (!(await review(page.title, shot.blob, 'Is the whole document in the photo, sharp, without glare, and can you read all the text?'))) continue;
      try {
        await uploadWithProgress(page.title, pages.length > 1 ? `Sending the ${page.step}` : 'Sending the photo', async (onProgress) => {
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

function chooseDocument(ctx: FlowContext, countries: DocumentChoice[], previous?: { country: string; type: string }): Promise<{ country: string; type: string }> {
  const sorted = [...countries].sort((a, b) => countryName(a.code).localeCompare(countryName(b.code)));
  const preset = [previous?.country, ctx.config.sdk_config.preset_issuing_country, browserCountry()].find((c) => c && countries.some((x) => x.code === c)) ?? (countries.length === 1 ? countries[0]!.code : '');
  const select = h('select', { id: 'country', name: 'country', autocomplete: 'country', 'aria-describedby': 'choice-error' }, h('option', { value: '' }, 'Choose a country'), ...sorted.map((c) => h('option', { value: c.code }, countryName(c.code))));
  select.value = preset;
  const types = h('fieldset', { class: 'field types' });
  const error = h('div', { id: 'choice-error' });
  const next = button('Continue', () => undefined, 'primary', { id: 'document-continue' });

  const renderTypes = () => {
    const chosen = countries.find((c) => c.code === select.value);
    types.replaceChildren(h('legend', {}, 'Type of document'));
    if (!chosen) {
      types.append(h('p', { class: 'small' }, 'Choose the country first.'));
      return;
    }
    const only = chosen.supported_documents.length === 1;
    for (const doc of chosen.supported_documents) {
      const id = `type-${doc.type}`;
      types.append(h('div', { class: 'radio' }, h('input', { type: 'radio', name: 'document-type', id, value: doc.type, checked: only || (previous?.country === chosen.code && previous.type === doc.type) }), h('label', { for: id }, documentName(doc.type))));
    }
  };
  select.addEventListener('change', () => {
    error.replaceChildren();
    renderTypes();
  });
  renderTypes();

  screen(
    'Your identity document',
    h('p', { class: 'lead' }, 'Which document will you use? It must be the original and not expired.'),
    h('div', { class: 'field' }, h('label', { for: 'country' }, 'Country that issued it'), select),
    types,
    error,
    h('div', { class: 'actions' }, next),
  );
  ctx.progress('DOCUMENT_SELECT');
  return new Promise((resolve) => {
    next.addEventListener('click', () => {
      const type = (types.querySelector('input[name="document-type"]:checked') as HTMLInputElement | null)?.value;
      if (!select.value) {
        error.replaceChildren(notice('error', 'Choose the country that issued your document.'));
        return select.focus();
      }
      if (!type) {
        error.replaceChildren(notice('error', 'Choose the type of document.'));
        return (types.querySelector('input') as HTMLInputElement | null)?.focus();
      }
      resolve({ country: select.value, type });
    });
  });
}
