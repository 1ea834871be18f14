import type { BrowserContext } from 'playwright-core';
import type { StepKind } from '../../src/domain/liveness/active/challenge.js';
import type { Subject } from '../../src/tools/liveness-eval/liveness-evaluation.js';
import { type CameraSource, headStandIn, photoMovedAsPlane } from '../../src/tools/liveness-eval/served-attempt.js';
import { seededRng } from '../../src/tools/liveness-eval/triangle-raster.js';

// Reactive camera stand-ins for the ZOOM page. Chromium's y4m fake camera plays a fixed file and cannot answer
// prompts revealed in a random order, so the page's getUserMedia is replaced by a canvas stream whose frames are
// rendered in Node, on demand, with the liveness evaluator's own scene code, by a subject that sees the step the
// page shows (its data-zoom-step attribute) and moves as HEAD_STYLE / CARD_STYLE say (a reaction delay, a smooth
// move, a hold with tremor); the sources are served-attempt.ts's, which the API e2e and bench:zoom use too. Two
// subjects, neither of them a person:
// - 'head': a synthetic textured head (the photo's landmarks lifted with openidv's mean-face depth, rotated with
//   perspective in front of the photo's still background). It stands for a rigid, non-planar head of average
//   depth turning as asked; no skin, expression, real depth of that person, or webcam optics.
// - 'card': the same photo as a flat card tilted in 3D through the same pinhole camera (FlatCard 'perspective'),
//   following the prompts with the larger angles a puppeteer would use: a held print or screen.
// The JS hook on getUserMedia is itself the injection attack openidv documents it does not resist; here it only
// delivers the stand-ins' frames to the real page.

export type StandInKind = 'head' | 'card';

/** A subject in front of the page's camera: it sees the step the page shows and is rendered when a frame is due. */
export class PromptedSubject {
  private readonly source: CameraSource;
  private readonly started = performance.now();
  private step: string | null = null;
  /** Camera frames rendered so far. */
  frames = 0;

  constructor(kind: StandInKind, subject: Subject, seed: number) {
    const rng = seededRng(seed);
    this.source = kind === 'head' ? headStandIn(subject, rng) : photoMovedAsPlane(subject, rng);
  }

  /** The camera picture now, as JPEG base64, the subject having seen `step` (null: no step is asked). */
  async frame(step: string | null): Promise<string> {
    const now = performance.now() - this.started;
    if (step && step !== this.step) {
      this.source.shown?.(step as StepKind, now);
    }
    this.step = step;
    this.frames++;
    return Buffer.from(await this.source.frame(now)).toString('base64');
  }
}

/**
 * Replaces getUserMedia in every page of `context` by a stream of `subject`'s frames: the page paints each one on a
 * canvas (decoded from bytes, so the page's CSP needs no data: images) and streams the canvas.
 */
export async function useStandInCamera(context: BrowserContext, subject: PromptedSubject): Promise<void> {
  await context.exposeBinding('__cameraFrame', (_source, step: string | null) => subject.frame(step));
  await context.addInitScript(() => {
    const w = window as unknown as { __cameraFrame(step: string | null): Promise<string> };
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 320;
    const g = canvas.getContext('2d')!;
    const paint = async () => {
      const step = document.getElementById('zoom-prompt')?.getAttribute('data-zoom-step') ?? null;
      const b64 = await w.__cameraFrame(step);
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
      g.drawImage(bitmap, 0, 0);
      bitmap.close();
    };
    if (!navigator.mediaDevices) return;
    navigator.mediaDevices.getUserMedia = async () => {
      await paint();
      const stream = canvas.captureStream(30);
      const track = stream.getVideoTracks()[0]!;
      void (async () => {
        while (track.readyState === 'live') {
          await paint();
          await new Promise((r) => setTimeout(r, 30));
        }
      })();
      return stream;
    };
  });
}
