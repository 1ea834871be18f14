import { ApiError, type Feedback, type LiveBurst, type LivenessChallenge } from '../api.js';
import {
  CameraError,
  type CameraProblem,
  canvasToBlob,
  cameraSupported,
  drawFrame,
  freshFrame,
  grabFrame,
  openCamera,
  prepareFile,
  stopCamera,
} from '../camera.js';
import type { FlowContext } from '../context.js';
import { button, h, notice, onLeave, screen } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { faceAdvice } from '../messages.js';
import { cameraProblemView } from './camera-problem.js';

export interface CaptureOptions {
  title: string;
  advice: string;
  facing: 'user' | 'environment';
  guide: 'oval' | 'card' | 'passport' | 'sheet';
  /** A message from the previous attempt ("We couldn't use that photo: …"). */
  notice?: string;
  /** Live feedback on preview frames (selfies): the server's face analysis. */
  liveFeedback?: (frame: Blob, signal: AbortSignal) => Promise<Feedback>;
  /** Pixels across of the captured image. */
  maxWidth: number;
  /** Label of a link back to the previous choice ("Choose a different document"). */
  back?: string;
  /** false: the live camera only, whatever the session allows (a liveness capture). Default: the session's rule. */
  allowUpload?: boolean;
  /**
   * A liveness capture: at the shutter, a fresh challenge from the server, then a burst of frames over the time it
   * asks for, the full-resolution still in the middle.
   */
  burst?: { challenge: () => Promise<LivenessChallenge> };
}

export type Captured = { blob: Blob; method: 'CAMERA' | 'UPLOAD'; burst?: LiveBurst } | { back: true };

// The server allows 60 analyses a minute per session by default (OPENIDV_ANALYSES_PER_MINUTE): one a second stays
// within it, and a 429 pauses the preview for the Retry-After the server gives.
const FEEDBACK_INTERVAL_MS = 1000;

/**
 * One photo, from the camera (with a guide overlay) or, where the session allows it or there is no camera, from
 * a file. Camera problems are explained in place, with a way to try again.
 */
export function capture(ctx: FlowContext, options: CaptureOptions): Promise<Captured> {
  return new Promise<Captured>((resolve) => {
    let stream: MediaStream | null = null;
    const allowUpload = options.allowUpload ?? ctx.allowUpload;
    const fileInput = h('input', {
      type: 'file',
      accept: 'image/jpeg,image/png,image/webp,image/heic,image/*',
      class: 'sr-only',
      tabindex: -1,
      'aria-hidden': 'true',
      id: 'file-input',
    });
    const fileError = h('div', { class: 'file-error' });
    fileInput.addEventListener('change', async () => {
      const file = fileInput.files?.[0];
      fileInput.value = '';
      if (!file) return;
      try {
        const blob = await prepareFile(file);
        ctx.progress('UPLOAD_CHOSEN');
        resolve({ blob, method: 'UPLOAD' });
      } catch {
        fileError.replaceChildren(notice('error', t('capture.unreadableFile')));
      }
    });
    const uploadButton = (kind: 'primary' | 'secondary', label = t('capture.uploadInstead')) =>
      button(label, () => fileInput.click(), kind, { id: 'upload-button' });

    const backLink = options.back
      ? h(
          'div',
          { class: 'actions' },
          button(options.back, () => resolve({ back: true }), 'link', { id: 'capture-back' }),
        )
      : null;
    const viewfinder = h('div', { class: `viewfinder viewfinder-${options.guide}` });
    const feedback = h('p', { class: 'feedback', id: 'live-feedback', 'aria-live': 'polite' });
    const actions = h('div', { class: 'actions' });
    const area = h('div', { class: 'capture-area' });

    screen(
      options.title,
      h('p', { class: 'lead' }, options.advice),
      options.notice ? notice('warning', options.notice) : null,
      area,
      fileError,
      actions,
      backLink,
      fileInput,
    );
    onLeave(() => stopCamera(stream));

    const showProblem = (problem: CameraProblem) => {
      const view = cameraProblemView(ctx, problem, {
        retry: () => void start(),
        upload: allowUpload ? () => uploadButton('primary', t('capture.upload')) : null,
        liveOnly: Boolean(options.burst),
      });
      area.replaceChildren(view.message);
      actions.replaceChildren(...view.buttons);
      view.buttons[0]?.focus();
    };

    const start = async () => {
      area.replaceChildren(h('p', { class: 'status', role: 'status' }, t('capture.startingCamera')));
      actions.replaceChildren(...(allowUpload ? [uploadButton('secondary')] : []));
      if (!cameraSupported()) return showProblem(allowUpload ? 'NO_CAMERA' : 'UNSUPPORTED');
      try {
        stopCamera(stream);
        stream = await openCamera(options.facing);
      } catch (err) {
        return showProblem(err instanceof CameraError ? err.problem : 'NO_CAMERA');
      }
      const video = h('video', {
        autoplay: true,
        playsinline: true,
        muted: true,
        class: options.facing === 'user' ? 'mirrored' : '',
        'aria-label': t(options.facing === 'user' ? 'capture.previewFace' : 'capture.previewDocument'),
      });
      video.muted = true;
      video.srcObject = stream;
      const guide = h('div', { class: `guide guide-${options.guide}`, 'aria-hidden': 'true' });
      viewfinder.replaceChildren(video, guide);
      area.replaceChildren(viewfinder, ...(options.liveFeedback ? [feedback] : []));
      const shutter = button(t('capture.takePhoto'), () => void shoot(), 'primary', { id: 'shutter', disabled: true });
      actions.replaceChildren(shutter, ...(allowUpload ? [uploadButton('secondary')] : []));
      await video.play().catch(() => undefined);
      // A camera that opens but never delivers a frame is as good as busy.
      const playing =
        video.videoWidth > 0 ||
        (await Promise.race([
          new Promise<boolean>((r) => video.addEventListener('loadeddata', () => r(true), { once: true })),
          new Promise<boolean>((r) => window.setTimeout(() => r(false), 10_000)),
        ]));
      if (!playing) return showProblem('IN_USE');
      shutter.disabled = false;
      shutter.focus();
      ctx.progress(options.facing === 'user' ? 'SELFIE_CAMERA' : 'DOCUMENT_CAMERA');
      if (options.liveFeedback) runFeedback(video, guide, options.liveFeedback);

      async function shoot() {
        shutter.disabled = true;
        if (options.burst) return shootBurst(options.burst.challenge);
        const blob = await grabFrame(video, options.maxWidth, 0.92);
        stopCamera(stream);
        resolve({ blob, method: 'CAMERA' });
      }

      // The server checks the frames are of one live scene and came after its challenge: the challenge is asked
      // for at the shutter, and the frames are taken at even intervals over the span it gives.
      async function shootBurst(issue: () => Promise<LivenessChallenge>) {
        let challenge: LivenessChallenge;
        try {
          challenge = await issue();
        } catch (err) {
          fileError.replaceChildren(
            notice(
              'error',
              err instanceof ApiError && err.status === 0 ? t('upload.offline') : t('selfie.challengeFailed'),
            ),
          );
          shutter.disabled = false;
          return;
        }
        feedback.textContent = t('selfie.burstPrompt');
        const count = Math.min(Math.max(challenge.step.frames, challenge.step.min_frames), challenge.step.max_frames);
        const gap = challenge.step.span_ms / (count - 1);
        const stillAt = count >> 1;
        const started = performance.now();
        const drawn: { canvas: HTMLCanvasElement; offsetMs: number }[] = [];
        for (let i = 0; i < count; i++) {
          const wait = started + i * gap - performance.now();
          if (wait > 0) await new Promise((r) => window.setTimeout(r, wait));
          // Never the same camera frame twice (a slow camera, a busy device): the server refuses identical frames.
          if (i > 0) await freshFrame(video);
          const offsetMs = Math.max(Math.round(performance.now() - started), (drawn.at(-1)?.offsetMs ?? -1) + 1);
          drawn.push({ canvas: drawFrame(video, i === stillAt ? options.maxWidth : 640), offsetMs });
        }
        stopCamera(stream);
        // JPEG encoding takes a slow device seconds per full-size frame: done after the burst, so the frames' times
        // are when they were seen, and the burst spans what the challenge asked for.
        const shots = await Promise.all(
          drawn.map(async ({ canvas, offsetMs }, i) => ({
            blob: await canvasToBlob(canvas, 'image/jpeg', i === stillAt ? 0.92 : 0.85),
            offsetMs,
          })),
        );
        const still = shots[stillAt]!;
        resolve({
          blob: still.blob,
          method: 'CAMERA',
          burst: {
            challenge,
            still: still.blob,
            stillOffsetMs: still.offsetMs,
            frames: shots.filter((_, i) => i !== stillAt),
          },
        });
      }
    };

    // One preview frame at a time (never a queue), at most one per FEEDBACK_INTERVAL_MS, until the screen changes.
    const runFeedback = (
      video: HTMLVideoElement,
      guide: HTMLElement,
      analyse: NonNullable<CaptureOptions['liveFeedback']>,
    ) => {
      const controller = new AbortController();
      let timer = 0;
      onLeave(() => {
        controller.abort();
        window.clearTimeout(timer);
      });
      const say = (text: string, ok: boolean) => {
        if (feedback.textContent !== text) feedback.textContent = text;
        feedback.classList.toggle('ok', ok);
        guide.classList.toggle('ok', ok);
      };
      say(t('face.waiting'), false);
      const tick = async () => {
        const started = performance.now();
        let pause = 0;
        try {
          const result = await analyse(await grabFrame(video, 640, 0.8), controller.signal);
          say(result.usable ? t('face.ready') : faceAdvice(result.issues), result.usable);
        } catch (err) {
          // Feedback is advice only: a slow or failed analysis leaves the last message and tries again, later
          // when the server asks for it (429/503), so that previews never use up the budget the upload needs.
          if (err instanceof ApiError && (err.status === 429 || err.status === 503))
            pause = Math.max(err.retryAfterMs, 5000);
        }
        if (controller.signal.aborted) return;
        timer = window.setTimeout(
          () => void tick(),
          Math.max(pause, FEEDBACK_INTERVAL_MS - (performance.now() - started)),
        );
      };
      timer = window.setTimeout(() => void tick(), 300);
    };

    void start();
  });
}

/** Shows the photo before it is sent: use it, or take another. */
export function review(
  title: string,
  blob: Blob,
  question: string,
  kind: 'document' | 'face' = 'document',
): Promise<boolean> {
  const url = URL.createObjectURL(blob);
  const use = button(t('capture.usePhoto'), () => undefined, 'primary', { id: 'use-photo' });
  const retake = button(t('capture.retake'), () => undefined, 'secondary', { id: 'retake-photo' });
  screen(
    title,
    h('p', { class: 'lead' }, question),
    h('img', { class: `review review-${kind}`, src: url, alt: t('capture.reviewAlt') }),
    h('div', { class: 'actions' }, use, retake),
  );
  onLeave(() => URL.revokeObjectURL(url));
  return new Promise((resolve) => {
    use.addEventListener('click', () => resolve(true), { once: true });
    retake.addEventListener('click', () => resolve(false), { once: true });
  });
}
