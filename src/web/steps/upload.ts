import { ApiError, withRetry } from '../api.js';
import { button, h, notice, screen } from '../dom.js';
import { t } from '../i18n/i18n.js';

/**
 * Sends a captured image with a progress bar. Temporary failures (no connection, timeouts, 5xx) are retried
 * with backoff; when they persist the user sees why and a "Try again" button, and the image stays in the page
 * until it has been accepted: an upload is never dropped silently. Other errors are thrown to the step.
 */
export async function uploadWithProgress<T>(
  title: string,
  label: string,
  send: (onProgress: (fraction: number) => void) => Promise<T>,
): Promise<T> {
  const bar = h('progress', { id: 'upload-progress', max: 100, value: 0 });
  const percent = h('span', { class: 'percent' }, '0%');
  const status = h('p', { class: 'status', role: 'status' });
  const problem = h('div', { class: 'upload-problem' });
  screen(
    title,
    h('div', { class: 'upload' }, h('label', { for: 'upload-progress' }, label, ' ', percent), bar, status, problem),
  );
  const onProgress = (fraction: number) => {
    const value = Math.round(fraction * 100);
    bar.value = value;
    percent.textContent = `${value}%`;
    // The bytes are out; the server is analysing the image.
    if (value >= 100) status.textContent = t('upload.checking');
  };
  for (;;) {
    try {
      return await withRetry(() => send(onProgress), {
        attempts: 4,
        onRetry: ({ attempt, attempts, delayMs }) => {
          bar.value = 0;
          percent.textContent = '0%';
          status.textContent = t('upload.retrying', {
            seconds: Math.ceil(delayMs / 1000),
            attempt: attempt + 1,
            attempts,
          });
        },
      });
    } catch (err) {
      if (!(err instanceof ApiError) || !err.retryable) throw err;
      status.textContent = '';
      const again = button(t('upload.tryAgain'), () => undefined, 'primary', { id: 'upload-retry' });
      problem.replaceChildren(
        notice(
          'error',
          h('p', {}, t(navigator.onLine ? 'upload.failed' : 'upload.offline')),
          h('p', {}, t('upload.kept')),
        ),
        h('div', { class: 'actions' }, again),
      );
      again.focus();
      await new Promise((r) => again.addEventListener('click', r, { once: true }));
      problem.replaceChildren();
      status.textContent = t('upload.sendingAgain');
    }
  }
}
