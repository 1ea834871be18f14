import { ApiError, type Requirement, type ZoomChallenge, type ZoomFrameAnswer, withRetry } from '../api.js';
import {
  CameraError,
  type CameraProblem,
  cameraSupported,
  canvasToBlob,
  drawFrameWithin,
  freshFrame,
  openCamera,
  stopCamera,
} from '../camera.js';
import type { FlowContext } from '../context.js';
import { button, h, notice, onLeave, screen, sleep } from '../dom.js';
import { plural, t } from '../i18n/i18n.js';
import { zoomReason } from '../messages.js';
import { cameraProblemView } from './camera-problem.js';
import { ZoomView } from './zoom-view.js';

/**
 * How the guided challenge ended; the liveness step is over either way. FAILED: no attempt left (the relying
 * party sees the REJECT); SPENT: the link may stream no more frames.
 */
export type ZoomOutcome = 'PASSED' | 'FAILED' | 'SPENT';

type AttemptEnd =
  | { kind: 'decided'; answer: ZoomFrameAnswer }
  /** 409: the server no longer knows the attempt (expired, used, a frame still in flight); it counts nothing. */
  | { kind: 'lost' }
  /** The connection failed several times in a row. */
  | { kind: 'offline' }
  /** The session may stream no more frames for longer than anyone would wait (its frame budget is spent). */
  | { kind: 'spent' };

// A network error is retried with the same frame after a short pause; this many in a row end the attempt with a
// message, rather than leaving the user in front of a prompt that nothing answers.
const NETWORK_FAILURES = 4;
const NETWORK_PAUSE_MS = 400;
// Attempts lost in a row (409 straight away) before the user is told: a server that keeps refusing should not
// make the page spin through challenges on its own.
const LOST_IN_A_ROW = 3;
const JPEG_QUALITY = 0.8;
// A 429 longer than this is not a pause but the end: the server's frame budget lasts as long as the link.
const LONGEST_WAIT_MS = 15_000;

/**
 * The active (ZOOM) selfie: the server reveals one head movement at a time and decides everything from the frames
 * it is sent; the page only shows the current step and streams the live camera, one frame per request (never a
 * queue: on a slow network the next frame is simply the newest one). The camera stays open across attempts, so
 * "Try again" starts the next one at once. Never a file: the camera, or an explanation of how to allow it.
 */
export function zoomChallenge(ctx: FlowContext, requirement: Requirement): Promise<ZoomOutcome> {
  return new Promise<ZoomOutcome>((resolve, reject) => {
    let stream: MediaStream | null = null;
    let video: HTMLVideoElement | null = null;
    let controller = new AbortController();
    let lostInARow = 0;
    const view = new ZoomView();
    const actions = h('div', { class: 'actions' });
    const problem = h('div', { class: 'zoom-problem' });

    screen(t('selfie.title'), h('p', { class: 'lead' }, t('zoom.lead')), view.root, problem, actions);
    onLeave(() => {
      controller.abort();
      stopCamera(stream);
    });
    const finish = (outcome: ZoomOutcome) => {
      controller.abort();
      stopCamera(stream);
      resolve(outcome);
    };
    const fail = (err: unknown) => {
      controller.abort();
      stopCamera(stream);
      reject(err);
    };
    const offer = (label: string, id: string, then: () => void) => {
      const b = button(label, then, 'primary', { id });
      actions.replaceChildren(b);
      b.focus();
    };

    const showCameraProblem = (p: CameraProblem) => {
      const v = cameraProblemView(ctx, p, { retry: () => void start(), upload: null, liveOnly: true });
      view.cameraUnavailable();
      problem.replaceChildren(v.message);
      actions.replaceChildren(...v.buttons);
      v.buttons[0]?.focus();
    };

    const start = async () => {
      problem.replaceChildren();
      actions.replaceChildren();
      view.cameraStarting();
      if (!cameraSupported()) return showCameraProblem('UNSUPPORTED');
      try {
        stopCamera(stream);
        stream = await openCamera('user');
      } catch (err) {
        return showCameraProblem(err instanceof CameraError ? err.problem : 'NO_CAMERA');
      }
      video = view.showVideo(stream);
      await video.play().catch(() => undefined);
      const v = video;
      // A camera that opens but never delivers a frame is as good as busy.
      const playing =
        v.videoWidth > 0 ||
        (await Promise.race([
          new Promise<boolean>((r) => v.addEventListener('loadeddata', () => r(true), { once: true })),
          new Promise<boolean>((r) => window.setTimeout(() => r(false), 10_000)),
        ]));
      if (!playing) return showCameraProblem('IN_USE');
      ctx.progress('SELFIE_CAMERA');
      view.ready();
      offer(t('zoom.start'), 'zoom-start', () => void attempt());
    };

    const attempt = async () => {
      actions.replaceChildren();
      problem.replaceChildren();
      view.starting();
      let challenge: ZoomChallenge;
      try {
        challenge = await withRetry(() => ctx.api.zoomChallenge(requirement.id), { attempts: 3, baseDelayMs: 600 });
      } catch (err) {
        // Every attempt was used already (a reload after the last one): the last result stands.
        if (err instanceof ApiError && err.code === 'MAX_RETRIES_EXCEEDED') return finish('FAILED');
        if (err instanceof ApiError && err.retryable) return trouble(t('zoom.offline'));
        return fail(err);
      }
      controller = new AbortController();
      ctx.progress('ZOOM_STARTED');
      view.begin(challenge);
      let end: AttemptEnd;
      try {
        end = await streamFrames(challenge, controller.signal);
      } catch (err) {
        if (controller.signal.aborted) return;
        return fail(err);
      }
      view.end();
      if (end.kind === 'lost') {
        lostInARow++;
        if (lostInARow >= LOST_IN_A_ROW) return trouble(t('zoom.cannotStart'));
        return void attempt();
      }
      lostInARow = 0;
      if (end.kind === 'offline') return trouble(t('zoom.offline'));
      if (end.kind === 'spent') {
        ctx.progress('ZOOM_FRAME_LIMIT');
        return finish('SPENT');
      }
      const { answer } = end;
      if (answer.state === 'PASSED') {
        ctx.progress('SELFIE_UPLOADED');
        view.passed();
        return finish('PASSED');
      }
      ctx.progress(`ZOOM_${answer.state}:${answer.reason ?? ''}`);
      if (answer.state === 'FAILED' || (answer.attempts_remaining ?? 1) <= 0) return finish('FAILED');
      view.retry();
      problem.replaceChildren(
        notice(
          'warning',
          h('p', { class: 'zoom-retry-title' }, t('zoom.retryTitle')),
          h('p', { id: 'zoom-reason', 'data-reason': answer.reason ?? '' }, zoomReason(answer.reason)),
          answer.attempts_remaining !== undefined
            ? h('p', { id: 'tries-left' }, plural('selfie.triesLeft', answer.attempts_remaining))
            : null,
        ),
      );
      offer(t('selfie.tryAgain'), 'zoom-again', () => void attempt());
    };

    /** Something the user can retry that is not a judgement on their moves: no connection, the server refusing. */
    const trouble = (message: string) => {
      view.end();
      view.retry();
      problem.replaceChildren(notice('error', h('p', {}, message)));
      offer(t('selfie.tryAgain'), 'zoom-again', () => void attempt());
    };

    const streamFrames = async (challenge: ZoomChallenge, signal: AbortSignal): Promise<AttemptEnd> => {
      const { interval_ms: interval, max_side: maxSide } = challenge.frames;
      let lastSent = Number.NEGATIVE_INFINITY;
      let failures = 0;
      let again: Blob | null = null;
      for (;;) {
        const wait = lastSent + interval - performance.now();
        if (wait > 0) await sleep(wait);
        if (signal.aborted) throw new DOMException('left the screen', 'AbortError');
        let frame: Blob | null = again;
        if (!frame) {
          // Never the same camera frame twice: a slow camera would otherwise send identical pictures.
          await freshFrame(video!);
          frame = await canvasToBlob(drawFrameWithin(video!, maxSide), 'image/jpeg', JPEG_QUALITY);
        }
        again = null;
        lastSent = performance.now();
        let answer: ZoomFrameAnswer;
        try {
          answer = await ctx.api.zoomFrame(challenge, frame, signal);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          if (err.status === 422) continue;
          if (err.status === 409) return { kind: 'lost' };
          if (err.status === 429) {
            if (err.retryAfterMs > LONGEST_WAIT_MS) return { kind: 'spent' };
            // Busy for a moment: wait as told, then send what the camera shows then.
            await sleep(Math.max(1000, err.retryAfterMs));
            continue;
          }
          if (err.status === 0 || err.status >= 500) {
            if (++failures >= NETWORK_FAILURES) return { kind: 'offline' };
            again = frame;
            await sleep(Math.max(NETWORK_PAUSE_MS * failures, err.retryAfterMs));
            continue;
          }
          throw err;
        }
        failures = 0;
        view.update(answer);
        if (answer.state !== 'IN_PROGRESS') return { kind: 'decided', answer };
      }
    };

    void start();
  });
}
