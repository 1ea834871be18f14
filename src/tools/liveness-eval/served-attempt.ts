import { setTimeout as sleep } from 'node:timers/promises';
import type { StepKind } from '../../domain/liveness/active/challenge.js';
import type { Subject } from './liveness-evaluation.js';
import { CARD_STYLE, HEAD_STYLE, PromptFollower } from './stand-in-motion.js';
import { encodeJpeg, FlatCard, loadRgb, REST_POSE, TexturedHead } from './synthetic-scene.js';
import type { Canvas } from './triangle-raster.js';

// Subjects that answer a served ZOOM challenge over HTTP in real time (the e2e tests and bench/zoom-served), rendered
// with the evaluator's own scene code (docs/liveness.md): what each stands for is said where it is made. None is a
// person; a pass by the head stand-in shows the served path works end to end, not that people pass.

/** The two client routes an attempt uses (test/helpers/client-api.ts has them, and so does the bench). */
export interface ZoomClient {
  challenge(): Promise<{ status: number; body: ChallengeAnswer }>;
  zoomFrame(challengeId: string, nonce: string, image: Uint8Array): Promise<{ status: number; body: FrameAnswer }>;
}

/** The fields of the answers an attempt reads (an error answer has none of them, only code and message). */
export interface ChallengeAnswer {
  challenge_id: string;
  nonce: string;
  step: { kind: StepKind };
  frames: { interval_ms: number };
}
export interface FrameAnswer extends Record<string, unknown> {
  state?: string;
  reason?: string;
  step_met?: boolean;
  step?: { kind: StepKind };
}

export interface CameraSource {
  /** The camera frame at `tMs` after the attempt began. */
  frame(tMs: number): Promise<Uint8Array>;
  /** A step the page would now show (the subject reacts to it, or ignores it). */
  shown?(step: StepKind, tMs: number): void;
}

/** A camera's sensor noise and exposure over the rendered scene, as the evaluator renders it. */
function camera(canvas: Canvas, rng: () => number): Promise<Uint8Array> {
  return encodeJpeg(canvas.toImage(2.5, 0.99 + 0.02 * rng(), rng), 85);
}

/** A textured 3D head made from the subject's photo and landmarks, turning as each revealed step asks. */
export function headStandIn(subject: Subject, rng: () => number): CameraSource {
  const head = new TexturedHead(subject.photo);
  const follower = new PromptFollower(HEAD_STYLE, rng, subject.frontal);
  return { frame: (t) => camera(head.render(follower.pose(t)), rng), shown: (step, t) => follower.prompt(step, t) };
}

/** The subject's photo as a flat print or screen, tilted in 3D by someone who follows each prompt. */
export function photoMovedAsPlane(subject: Subject, rng: () => number): CameraSource {
  const card = new FlatCard(subject.photo, [120, 110, 100]);
  const follower = new PromptFollower(CARD_STYLE, rng, REST_POSE);
  return {
    frame: (t) => camera(card.render(follower.pose(t), 'perspective'), rng),
    shown: (step, t) => follower.prompt(step, t),
  };
}

/** The subject's photo held still in front of the camera. */
export function stillPhoto(subject: Subject, rng: () => number): CameraSource {
  const card = new FlatCard(subject.photo, [120, 110, 100]);
  return { frame: () => camera(card.render(REST_POSE, 'perspective'), rng) };
}

/** Frames replayed from a list whatever is asked: a capture sent again, byte for byte or re-encoded at `quality`. */
export function recorded(frames: Uint8Array[], quality?: number): CameraSource {
  let i = 0;
  return {
    frame: async () => {
      const bytes = frames[Math.min(i++, frames.length - 1)]!;
      return quality === undefined ? bytes : encodeJpeg(await loadRgb(bytes), quality);
    },
  };
}

export interface AttemptOutcome {
  /** The last answer: a decided attempt (state PASSED / RETRY / FAILED) or the refusal that ended the stream. */
  status: number;
  body: FrameAnswer;
  /** Every frame sent, in order, and each one's round trip (ms, measured by the client). */
  sent: Uint8Array[];
  roundTripMs: number[];
  challengeId: string;
  /** From the challenge's answer to the decided frame's answer. */
  elapsedMs: number;
}

/**
 * One attempt as the page makes it: a challenge, then frames one at a time (the next after the answer and the
 * challenge's interval), the revealed step shown to the subject, until the server decides.
 */
export async function streamAttempt(api: ZoomClient, source: CameraSource, maxFrames = 400): Promise<AttemptOutcome> {
  const started = await api.challenge();
  if (started.status !== 201)
    return {
      status: started.status,
      body: started.body as unknown as FrameAnswer,
      sent: [],
      roundTripMs: [],
      challengeId: '',
      elapsedMs: 0,
    };
  const { challenge_id: id, nonce, step, frames } = started.body;
  const t0 = performance.now();
  source.shown?.(step.kind, 80);
  const sent: Uint8Array[] = [];
  const roundTripMs: number[] = [];
  for (let i = 0; i < maxFrames; i++) {
    const bytes = await source.frame(performance.now() - t0);
    const before = performance.now();
    const answer = await api.zoomFrame(id, nonce, bytes);
    roundTripMs.push(performance.now() - before);
    sent.push(bytes);
    if (answer.status !== 200 || answer.body.state !== 'IN_PROGRESS') {
      const elapsedMs = performance.now() - t0;
      return { status: answer.status, body: answer.body, sent, roundTripMs, challengeId: id, elapsedMs };
    }
    if (answer.body.step_met && answer.body.step) source.shown?.(answer.body.step.kind, performance.now() - t0 + 80);
    await sleep(frames.interval_ms);
  }
  throw new Error(`challenge ${id} was not decided after ${maxFrames} frames`);
}
