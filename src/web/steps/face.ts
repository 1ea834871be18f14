import { ApiError, type Feedback, type Requirement } from '../api.js';
import type { FlowContext } from '../context.js';
import { announce, button, h, notice, screen } from '../dom.js';
import { faceAdvice, uploadRefusal } from '../messages.js';
import { capture } from './capture.js';
import { uploadWithProgress } from './upload.js';

/**
 * The selfie: LIVENESS (with a single-use capture challenge, within attempts_remaining) or FACE_CAPTURE.
 * The camera preview gets live advice from the server; after an upload the server's verdict decides whether
 * the user is asked to try again.
 */
export async function faceStep(ctx: FlowContext, requirement: Requirement, kind: 'LIVENESS' | 'FACE_CAPTURE'): Promise<void> {
  await tips(ctx);
  let message: string | undefined;
  for (;;) {
    const shot = await capture(ctx, {
      title: 'Take a selfie',
      advice: 'Hold your phone at eye level and keep your face inside the oval.',
      facing: 'user',
      guide: 'oval',
      maxWidth: 1280,
      liveFeedback: (frame, signal) => ctx.api.analyse(frame, signal),
      ...(message ? { notice: message } : {}),
    });
    message = undefined;
    if ('back' in shot) continue;
    let feedback: Feedback;
    let remaining: number | null = null;
    try {
      const result = await uploadWithProgress('Sending your selfie', 'Sending your selfie', async (onProgress) => {
        if (kind === 'FACE_CAPTURE') return { ...(await ctx.api.uploadFaceCapture(shot.blob, requirement.id, onProgress)), attempts_remaining: null };
        // A fresh challenge per try: a challenge is consumed by the upload that carries it.
        return ctx.api.uploadLiveness(shot.blob, await ctx.api.challenge(), requirement.id, onProgress);
      });
      feedback = result.feedback;
      remaining = result.attempts_remaining;
    } catch (err) {
      // Every attempt is used up: the last selfie that was sent stands, and the checks decide.
      if (err instanceof ApiError && err.code === 'MAX_RETRIES_EXCEEDED') return;
      const refusal = err instanceof ApiError ? uploadRefusal(err.code, err.status) : null;
      if (!refusal) throw err;
      message = refusal;
      continue;
    }
    ctx.progress(kind === 'LIVENESS' ? 'SELFIE_UPLOADED' : 'FACE_CAPTURE_UPLOADED');
    if (feedback.usable || remaining === 0) {
      announce('Your selfie has been sent.');
      return;
    }
    await tryAgain(ctx, faceAdvice(feedback.issues), remaining);
  }
}

function tips(ctx: FlowContext): Promise<void> {
  const ready = button("I'm ready", () => undefined, 'primary', { id: 'selfie-ready' });
  screen(
    'Take a selfie',
    h('p', { class: 'lead' }, "Next, we'll take a photo of your face to check it's really you."),
    h(
      'ul',
      { class: 'checklist' },
      h('li', {}, 'Find a place with good, even light'),
      h('li', {}, 'Take off glasses, hats and face coverings'),
      h('li', {}, 'Look straight at the camera with your face inside the oval'),
    ),
    h('p', { class: 'small' }, 'Your browser may ask to use the camera: choose Allow.'),
    h('div', { class: 'actions' }, ready),
  );
  ctx.progress('SELFIE_TIPS');
  return new Promise((resolve) => ready.addEventListener('click', () => resolve(), { once: true }));
}

function tryAgain(ctx: FlowContext, advice: string, remaining: number | null): Promise<void> {
  const again = button('Try again', () => undefined, 'primary', { id: 'selfie-again' });
  screen(
    "Let's try that again",
    notice('warning', h('p', {}, "We couldn't use that selfie."), h('p', {}, advice)),
    remaining !== null ? h('p', {}, remaining === 1 ? 'You have 1 more try.' : `You have ${remaining} more tries.`) : null,
    h('div', { class: 'actions' }, again),
  );
  ctx.progress('SELFIE_RETRY');
  return new Promise((resolve) => again.addEventListener('click', () => resolve(), { once: true }));
}
