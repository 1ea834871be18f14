import { create as createQr } from 'qrcode';
import { ApiError, type Handoff, type HandoffStatus } from '../api.js';
import { type FlowContext, withParams } from '../context.js';
import { button, h, notice, onLeave, screen, sleep } from '../dom.js';
import { plural, t } from '../i18n/i18n.js';
import { doneScreen } from './outcome.js';

// Desktop-to-phone hand-off (sdk_config.allow_handoff). On a computer the page offers a QR code and a link that
// open the same session on a phone (single use, a few minutes; see handoff.service.ts), then follows the phone
// and ends when the phone finishes. The QR code is drawn here as SVG: no image service, nothing from elsewhere.

const POLL_MS = 2500;
const SVG = 'http://www.w3.org/2000/svg';

/** A computer rather than a phone or tablet: a fine pointer and no mobile browser. */
export function onDesktop(): boolean {
  return (
    !window.matchMedia('(pointer: coarse)').matches && !/Android|iPhone|iPad|iPod|Mobile/i.test(navigator.userAgent)
  );
}

/** The link as an SVG QR code: one path of dark modules inside a 4-module quiet zone. */
function qrCode(text: string): SVGSVGElement {
  const { modules } = createQr(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  let d = '';
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) if (modules.get(y, x)) d += `M${x + 4} ${y + 4}h1v1h-1z`;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size + 8} ${size + 8}`);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('handoff.qrAlt'));
  svg.setAttribute('shape-rendering', 'crispEdges');
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', '#ffffff');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000000');
  svg.append(background, path);
  return svg;
}

export type HandoffOutcome = 'here' | 'done' | 'left';

/**
 * The offer on a computer. Resolves 'here' when the user stays on the computer, 'done' when the phone finished
 * (the computer then shows the end and leaves to success_url), 'left' when the user ended the check on the phone.
 */
export async function offerHandoff(ctx: FlowContext, forgetToken: () => void): Promise<HandoffOutcome> {
  for (;;) {
    const handoff = await ctx.api.createHandoff();
    const outcome = await follow(ctx, handoff, forgetToken);
    if (outcome !== 'renew') return outcome;
  }
}

function follow(ctx: FlowContext, handoff: Handoff, forgetToken: () => void): Promise<HandoffOutcome | 'renew'> {
  const url = withParams(`${window.location.origin}${window.location.pathname}`, {
    sessionID: ctx.api.sessionId,
    handoff: handoff.claim_token,
  });
  const minutes = Math.max(1, Math.round((Date.parse(handoff.expires_at) - Date.now()) / 60_000));
  const status = h('p', { class: 'status', role: 'status', id: 'handoff-status' }, t('handoff.waiting'));
  // The clipboard may be refused (an iframe without allow="clipboard-write"): the link stays on screen.
  const copy = button(
    t('handoff.copy'),
    () =>
      void navigator.clipboard?.writeText(url).then(
        () => (copy.textContent = t('handoff.copied')),
        () => undefined,
      ),
    'secondary',
    { id: 'handoff-copy' },
  );
  const here = button(t('handoff.here'), () => undefined, 'link', { id: 'handoff-here' });
  screen(
    t('handoff.title'),
    h('p', { class: 'lead' }, t('handoff.lead')),
    h('div', { class: 'qr-box' }, qrCode(url)),
    h('p', { class: 'small' }, plural('handoff.once', minutes)),
    h('p', {}, t('handoff.orLink')),
    h(
      'p',
      { class: 'handoff-link' },
      h('a', { href: url, id: 'handoff-link', rel: 'noreferrer', target: '_blank' }, url),
    ),
    status,
    h('div', { class: 'actions' }, copy, here),
  );
  ctx.progress('HANDOFF_OFFERED');
  return new Promise((resolve) => {
    let stopped = false;
    onLeave(() => (stopped = true));
    here.addEventListener('click', () => {
      stopped = true;
      resolve('here');
    });
    const settle = (state: HandoffStatus) => {
      if (state.state === 'CLAIMED') {
        status.textContent = `${t('handoff.connected')} ${t('handoff.progress', { done: state.requirements_completed, total: state.requirements_total })}`;
        return false;
      }
      if (state.state === 'FINISHED') {
        forgetToken();
        const success = ctx.config.sdk_config.success_url;
        doneScreen(ctx.exits, success ? withParams(success, { sessionID: ctx.api.sessionId }) : null);
        resolve('done');
        return true;
      }
      if (state.state === 'LEFT') {
        leftOnPhone(ctx, state.error ?? 'USER_CANCELLED');
        resolve('left');
        return true;
      }
      if (state.state === 'EXPIRED' || state.state === 'REPLACED') {
        void expired().then(resolve);
        return true;
      }
      return false;
    };
    const expired = () => {
      const again = button(t('handoff.newCode'), () => undefined, 'primary', { id: 'handoff-renew' });
      const stay = button(t('handoff.here'), () => undefined, 'secondary', { id: 'handoff-here' });
      screen(
        t('handoff.expiredTitle'),
        h('p', { class: 'lead' }, t('handoff.expired')),
        h('div', { class: 'actions' }, again, stay),
      );
      return new Promise<'renew' | 'here'>((r) => {
        again.addEventListener('click', () => r('renew'), { once: true });
        stay.addEventListener('click', () => r('here'), { once: true });
      });
    };
    void (async () => {
      while (!stopped) {
        await sleep(POLL_MS);
        if (stopped) return;
        try {
          if (settle(await ctx.api.watchHandoff(handoff))) return;
        } catch {
          // The connection comes and goes: keep following; the phone's work is safe on the server.
        }
      }
    })();
  });
}

/** The user ended the check on the phone: the computer tells the relying party (event, error_url). */
function leftOnPhone(ctx: FlowContext, code: string): void {
  screen(t('error.cannotContinue'), notice('warning', h('p', {}, t('handoff.leftOnPhone'))));
  ctx.exits.leave?.(code);
}

/** On the phone: a link that no longer works (used, replaced or expired). */
export function linkUsedScreen(): void {
  screen(t('handoff.linkUsedTitle'), h('p', { class: 'lead' }, t('handoff.linkUsed')));
}

/** On the phone, after the user ended the check there: the computer takes it from here. */
export function backToComputer(): void {
  screen(t('handoff.backToComputer'), h('p', { class: 'lead' }, t('consent.closePage')));
}

export function isClaimRefused(err: unknown): boolean {
  return err instanceof ApiError && err.status === 401;
}
