import { ApiError, type Feedback, type LiveBurst, type Requirement } from '../api.js';
import type { FlowContext } from '../context.js';
import { announce, button, h, notice, screen } from '../dom.js';
import { plural, t } from '../i18n/i18n.js';
import { faceAdvice, uploadRefusal } from '../messages.js';
import { capture, review } from './capture.js';
import { uploadWithProgress } from './upload.js';
import { zoomChallenge } from './zoom-challenge.js';

export type FaceKind = 'LIVENESS' | 'FACE_CAPTURE';

/** The screen of tips before a face capture, and the suppressed_screens entry that skips it. */
const EDUCATION_SCREEN: Record<FaceKind, string> = {
  LIVENESS: 'STATIC_LIVENESS_EDUCATION',
  FACE_CAPTURE: 'FACE_CAPTURE_EDUCATION',
};

interface Verdict {
  feedback: Feedback;
  /** Attempts left after this one (LIVENESS); null when the requirement does not count them. */
  remaining: number | null;
}

/**
 * The selfie: LIVENESS (a burst from the live camera answering a single-use server challenge, within
 * attempts_remaining; never a file, whatever allowed_capture_methods says) or FACE_CAPTURE, in four parts that a
 * future capture mode (an active challenge, a video) can replace one at a time: tips, taking the picture (camera
 * with live advice from the server), the user's own review (retake or use), and sending it, after which the
 * server's verdict decides whether the user tries again.
 */
export async function faceStep(ctx: FlowContext, requirement: Requirement, kind: FaceKind): Promise<void> {
  if (kind === 'LIVENESS' && requirement.liveness_type === 'ZOOM') return zoomStep(ctx, requirement);
  if (!ctx.suppressed.has(EDUCATION_SCREEN[kind])) await tips(ctx);
  let message: string | undefined;
  for (;;) {
    const shot = await capture(ctx, {
      title: t('selfie.title'),
      advice: t('selfie.advice'),
      facing: 'user',
      guide: 'oval',
      maxWidth: 1280,
      liveFeedback: (frame, signal) => ctx.api.analyse(frame, signal),
      ...(message ? { notice: message } : {}),
      ...(kind === 'LIVENESS'
        ? { allowUpload: false, burst: { challenge: () => ctx.api.challenge(requirement.id) } }
        : {}),
    });
    message = undefined;
    if ('back' in shot) continue;
    if (!(await review(t('selfie.title'), shot.blob, t('selfie.reviewQuestion'), 'face'))) continue;
    let verdict: Verdict;
    try {
      verdict = await send(ctx, requirement, kind, shot);
    } catch (err) {
      // Every attempt was used already (a reload after the last one): the last selfie sent stands.
      if (err instanceof ApiError && err.code === 'MAX_RETRIES_EXCEEDED') return outOfTries(ctx);
      // The challenge ran out while the user looked at the photo: a new one comes with the next shot.
      if (err instanceof ApiError && err.status === 409) {
        message = t('selfie.tooSlow');
        continue;
      }
      const refusal = err instanceof ApiError ? uploadRefusal(err.code, err.status) : null;
      if (!refusal) throw err;
      message = refusal;
      continue;
    }
    ctx.progress(kind === 'LIVENESS' ? 'SELFIE_UPLOADED' : 'FACE_CAPTURE_UPLOADED');
    if (verdict.feedback.usable) {
      announce(t('selfie.sent'));
      return;
    }
    if (verdict.remaining === 0) return outOfTries(ctx);
    await tryAgain(ctx, faceAdvice(verdict.feedback.issues), verdict.remaining);
  }
}

function send(
  ctx: FlowContext,
  requirement: Requirement,
  kind: FaceKind,
  shot: { blob: Blob; method: 'CAMERA' | 'UPLOAD'; burst?: LiveBurst },
): Promise<Verdict> {
  return uploadWithProgress(t('selfie.sending'), t('selfie.sending'), async (onProgress) => {
    if (kind === 'FACE_CAPTURE')
      return {
        feedback: (await ctx.api.uploadFaceCapture(shot.blob, requirement.id, shot.method, onProgress)).feedback,
        remaining: null,
      };
    // Each burst answers the fresh challenge it asked for at the shutter; the server consumes it with the upload.
    if (!shot.burst) throw new Error('a liveness capture is a burst from the camera');
    const result = await ctx.api.uploadLiveness(shot.burst, requirement.id, onProgress);
    return { feedback: result.feedback, remaining: result.attempts_remaining };
  });
}

/**
 * The active selfie: the guided challenge decides on the server, attempt by attempt; PASSED or not, the flow goes
 * on (the relying party sees the result), after telling the user when no try is left.
 */
async function zoomStep(ctx: FlowContext, requirement: Requirement): Promise<void> {
  if (!ctx.suppressed.has('ZOOM_LIVENESS_EDUCATION')) await tips(ctx, true);
  const outcome = await zoomChallenge(ctx, requirement);
  if (outcome === 'PASSED') return;
  return outOfTries(ctx, outcome === 'SPENT' ? t('zoom.frameLimit') : t('zoom.outOfTries'));
}

function tips(ctx: FlowContext, zoom = false): Promise<void> {
  const ready = button(t('selfie.ready'), () => undefined, 'primary', { id: 'selfie-ready' });
  screen(
    t('selfie.title'),
    h('p', { class: 'lead' }, zoom ? t('zoom.tipsLead') : t('selfie.tipsLead')),
    h(
      'ul',
      { class: 'checklist' },
      h('li', {}, t('selfie.tipLight')),
      h('li', {}, t('selfie.tipCoverings')),
      h('li', {}, t('selfie.tipOval')),
      zoom ? h('li', {}, t('zoom.tipMoves')) : null,
    ),
    h('p', { class: 'small' }, t('selfie.allowCamera')),
    h('div', { class: 'actions' }, ready),
  );
  ctx.progress('SELFIE_TIPS');
  return new Promise((resolve) => ready.addEventListener('click', () => resolve(), { once: true }));
}

function tryAgain(ctx: FlowContext, advice: string, remaining: number | null): Promise<void> {
  const again = button(t('selfie.tryAgain'), () => undefined, 'primary', { id: 'selfie-again' });
  screen(
    t('selfie.againTitle'),
    notice('warning', h('p', {}, t('selfie.couldNotUse')), h('p', {}, advice)),
    remaining !== null ? h('p', { id: 'tries-left' }, plural('selfie.triesLeft', remaining)) : null,
    h('div', { class: 'actions' }, again),
  );
  ctx.progress('SELFIE_RETRY');
  return new Promise((resolve) => again.addEventListener('click', () => resolve(), { once: true }));
}

/** No tries left: say so before moving on, rather than carrying on as if the selfie had worked. */
function outOfTries(ctx: FlowContext, text = t('selfie.outOfTries')): Promise<void> {
  const next = button(t('selfie.continue'), () => undefined, 'primary', { id: 'selfie-out-of-tries' });
  screen(t('selfie.outOfTriesTitle'), notice('warning', h('p', {}, text)), h('div', { class: 'actions' }, next));
  ctx.progress('SELFIE_OUT_OF_TRIES');
  return new Promise((resolve) => next.addEventListener('click', () => resolve(), { once: true }));
}
