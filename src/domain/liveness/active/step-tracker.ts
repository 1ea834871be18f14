import type { Challenge, StepKind } from './challenge.js';
import type { FrameAnalysis, FrameFace } from './frame-analysis.js';

// Follows a streamed capture frame by frame against the secret plan: decides when the current step is met (and
// so when the next may be revealed), and stops the challenge at the first frame that proves it is not a live
// answer (a step late, met before a human could have reacted, or a move the plan did not ask for).

/** Pose targets; starting points measured on the synthetic stand-ins, to be calibrated on recorded people. */
export const POSE_TARGETS = Object.freeze({
  /** CENTER: |yaw| and |pitch| within this. */
  frontalDeg: 12,
  /** TURN_LEFT / TURN_RIGHT: |yaw| at least this, on the asked side. */
  yawDeg: 22,
  /** TURN_UP: pitch at least this. The mean-face fit reads about half a chin lift: stand-ins lifting 22–30° read
   * 12.4–18° at their peak (tuning split, seed 32, median 14.5), and never above 6.6° outside that step. */
  pitchDeg: 12,
  /** NEAR: face size at least this multiple of the CENTER size, while roughly frontal. */
  nearRatio: 1.45,
  nearMaxYawDeg: 20,
  /** Consecutive frames a target must hold (CENTER holds longer: it is the baseline). */
  hold: 2,
  centerHold: 3,
});

export type FailureCode = 'EXPIRED' | 'STEP_LATE' | 'TOO_EARLY' | 'WRONG_MOVE' | 'CLOCK';

export interface ObservedFrame {
  index: number;
  receivedAtMs: number;
  /** Index of the step that was revealed when the frame arrived. */
  stepIndex: number;
  analysis: FrameAnalysis;
  /** Face size (√ area of the landmarks' bounding box), px. */
  size?: number;
  /** The targets this frame meets. */
  targets: StepKind[];
}

export interface TrackerState {
  challenge: Challenge;
  stepIndex: number;
  revealedAtMs: number[];
  metAtMs: number[];
  /** Frame indices of the hold that met each step. */
  metFrames: number[][];
  frames: ObservedFrame[];
  baselineSize?: number;
  done: boolean;
  failure?: { code: FailureCode; message: string };
  /** Internal: frames in the current hold, and in a contrary move. */
  streak: number[];
  contrary: number;
  /** Targets already held when the step was revealed (left over from the previous step, not an answer). */
  heldAtReveal: StepKind[];
  neutralSinceReveal: boolean;
}

export interface Observation {
  stepMet: boolean;
  /** The step to reveal next, when one was just met and the plan goes on. */
  nextStep?: StepKind;
  done: boolean;
  failure?: { code: FailureCode; message: string };
}

export function startTracking(challenge: Challenge): TrackerState {
  return {
    challenge,
    stepIndex: 0,
    revealedAtMs: [challenge.createdAtMs],
    metAtMs: [],
    metFrames: [],
    frames: [],
    done: false,
    streak: [],
    contrary: 0,
    heldAtReveal: [],
    neutralSinceReveal: true,
  };
}

export function faceSize(face: FrameFace): number {
  let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of face.landmarks) {
    x1 = Math.min(x1, p.x);
    y1 = Math.min(y1, p.y);
    x2 = Math.max(x2, p.x);
    y2 = Math.max(y2, p.y);
  }
  return Math.sqrt(Math.max(0, x2 - x1) * Math.max(0, y2 - y1));
}

export function targetsMet(
  face: FrameFace | undefined,
  size: number | undefined,
  baseline: number | undefined,
): StepKind[] {
  if (!face) return [];
  const t = POSE_TARGETS;
  const out: StepKind[] = [];
  if (Math.abs(face.yawDeg) <= t.frontalDeg && Math.abs(face.pitchDeg) <= t.frontalDeg) out.push('CENTER');
  if (face.yawDeg >= t.yawDeg) out.push('TURN_LEFT');
  if (face.yawDeg <= -t.yawDeg) out.push('TURN_RIGHT');
  if (face.pitchDeg >= t.pitchDeg) out.push('TURN_UP');
  if (baseline && size && size >= t.nearRatio * baseline && Math.abs(face.yawDeg) <= t.nearMaxYawDeg) out.push('NEAR');
  return out;
}

const TURN_STEPS: StepKind[] = ['TURN_LEFT', 'TURN_RIGHT', 'TURN_UP'];

/**
 * Feeds one frame. `receivedAtMs` is the server's clock on arrival (never the client's): the reveal times are the
 * server's too, so the windows measure what the server saw. The state is updated in place.
 */
export function observe(state: TrackerState, analysis: FrameAnalysis, receivedAtMs: number): Observation {
  const finished = (): Observation => ({
    stepMet: false,
    done: state.done,
    ...(state.failure && { failure: state.failure }),
  });
  if (state.done || state.failure) return finished();
  const { challenge } = state;
  const last = state.frames.at(-1);
  const fail = (code: FailureCode, message: string): Observation => {
    state.failure = { code, message };
    return finished();
  };
  const size = analysis.face ? faceSize(analysis.face) : undefined;
  const targets = targetsMet(analysis.face, size, state.baselineSize);
  const frame: ObservedFrame = {
    index: state.frames.length,
    receivedAtMs,
    stepIndex: state.stepIndex,
    analysis,
    ...(size !== undefined && { size }),
    targets,
  };
  state.frames.push(frame);
  if (last && receivedAtMs < last.receivedAtMs) return fail('CLOCK', 'frame received before the previous one');
  if (receivedAtMs > challenge.expiresAtMs) return fail('EXPIRED', 'the challenge expired');
  const step = challenge.steps[state.stepIndex]!;
  const revealed = state.revealedAtMs[state.stepIndex]!;
  if (receivedAtMs - revealed > challenge.options.stepTimeoutMs) {
    return fail(
      'STEP_LATE',
      `step ${state.stepIndex + 1} (${step}) not met within ${challenge.options.stepTimeoutMs} ms`,
    );
  }

  // Back through the centre: well inside the turn targets, not just inside CENTER's band, which a chin lift that
  // reads 12-13° straddles from frame to frame (a stand-in held up failed WRONG_MOVE on that flicker).
  const face = analysis.face;
  if (face && Math.abs(face.yawDeg) <= POSE_TARGETS.yawDeg / 2 && Math.abs(face.pitchDeg) <= POSE_TARGETS.pitchDeg / 2)
    state.neutralSinceReveal = true;
  // A move the plan did not ask for: another turn reached after the reveal (not one still held from the previous
  // step, unless the head came back through the centre first).
  if (step !== 'CENTER') {
    const wrong = targets.filter(
      (t) => TURN_STEPS.includes(t) && t !== step && (state.neutralSinceReveal || !state.heldAtReveal.includes(t)),
    );
    state.contrary = wrong.length > 0 ? state.contrary + 1 : 0;
    if (state.contrary >= POSE_TARGETS.hold) {
      return fail('WRONG_MOVE', `step ${state.stepIndex + 1} asked for ${step}, the head moved to ${wrong[0]}`);
    }
  }

  if (!targets.includes(step)) {
    state.streak = [];
    return { stepMet: false, done: false };
  }
  state.streak.push(frame.index);
  const hold = step === 'CENTER' ? POSE_TARGETS.centerHold : POSE_TARGETS.hold;
  if (state.streak.length < hold) return { stepMet: false, done: false };

  const onset = state.frames[state.streak[0]!]!.receivedAtMs;
  if (step !== 'CENTER' && onset - revealed < challenge.options.minReactionMs) {
    return fail('TOO_EARLY', `step ${state.stepIndex + 1} (${step}) was met ${onset - revealed} ms after it was shown`);
  }
  if (step === 'CENTER') {
    const sizes = state.streak.map((i) => state.frames[i]!.size!).sort((a, b) => a - b);
    state.baselineSize = sizes[Math.floor(sizes.length / 2)]!;
  }
  state.metAtMs.push(receivedAtMs);
  state.metFrames.push(state.streak);
  state.streak = [];
  state.contrary = 0;
  state.stepIndex++;
  if (state.stepIndex >= challenge.steps.length) {
    state.done = true;
    return { stepMet: true, done: true };
  }
  state.revealedAtMs.push(receivedAtMs);
  state.heldAtReveal = targets;
  state.neutralSinceReveal = false;
  return { stepMet: true, nextStep: challenge.steps[state.stepIndex]!, done: false };
}
