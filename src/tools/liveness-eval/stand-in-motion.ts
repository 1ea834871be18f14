import type { StepKind } from '../../domain/liveness/active/challenge.js';
import type { ScenePose } from './synthetic-scene.js';

// How a synthetic subject moves in answer to the prompts it is shown: a reaction delay, a smooth move to the
// step's pose over half a second or so, then a hold with small tremor. Used by the bona fide stand-in (a head)
// and by the attackers who puppet a photo the same way (with larger angles: a card must be tilted further).

export interface MotionStyle {
  /** Reaction delay range after the prompt is seen, ms. */
  reactionMs: [number, number];
  moveMs: [number, number];
  /** Angle of a turn, degrees. */
  yawDeg: [number, number];
  pitchDeg: [number, number];
  /** NEAR: camera distance ÷ reference. */
  nearDistance: [number, number];
  /** Tremor: per-frame pose noise (deg) and position noise (px). */
  tremorDeg: number;
  tremorPx: number;
}

export const HEAD_STYLE: MotionStyle = {
  reactionMs: [350, 750],
  moveMs: [400, 750],
  yawDeg: [26, 34],
  pitchDeg: [22, 30],
  nearDistance: [0.55, 0.62],
  tremorDeg: 0.8,
  tremorPx: 1,
};

export const CARD_STYLE: MotionStyle = {
  ...HEAD_STYLE,
  yawDeg: [35, 60],
  pitchDeg: [30, 50],
  tremorDeg: 1,
  tremorPx: 1.5,
};

const draw = ([a, b]: [number, number], rng: () => number) => a + (b - a) * rng();
const smooth = (t: number) => (t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t));

/** The pose held for a step, relative to the subject's own frontal pose (`base`). */
export function targetPose(step: StepKind, style: MotionStyle, rng: () => number, base: ScenePose): ScenePose {
  switch (step) {
    case 'TURN_LEFT':
      return { ...base, yawDeg: base.yawDeg + draw(style.yawDeg, rng) };
    case 'TURN_RIGHT':
      return { ...base, yawDeg: base.yawDeg - draw(style.yawDeg, rng) };
    case 'TURN_UP':
      return { ...base, pitchDeg: base.pitchDeg + draw(style.pitchDeg, rng) };
    case 'NEAR':
      return { ...base, distance: draw(style.nearDistance, rng) };
    default:
      return base;
  }
}

/** A subject that follows prompts: call prompt() when a step is shown, pose(t) for each frame. */
export class PromptFollower {
  private from: ScenePose;
  private to: ScenePose;
  private startMs = 0;
  private durationMs = 1;
  private current: ScenePose;

  constructor(
    private readonly style: MotionStyle,
    private readonly rng: () => number,
    private readonly base: ScenePose,
  ) {
    this.from = base;
    this.to = base;
    this.current = base;
  }

  /** The subject sees `step` at `shownAtMs` and will start moving after its reaction delay. */
  prompt(step: StepKind, shownAtMs: number): void {
    this.from = this.current;
    this.to = targetPose(step, this.style, this.rng, this.base);
    this.startMs = shownAtMs + draw(this.style.reactionMs, this.rng);
    this.durationMs = draw(this.style.moveMs, this.rng);
  }

  pose(tMs: number): ScenePose {
    const k = smooth((tMs - this.startMs) / this.durationMs);
    const mix = (a: number, b: number) => a + (b - a) * k;
    this.current = {
      yawDeg: mix(this.from.yawDeg, this.to.yawDeg),
      pitchDeg: mix(this.from.pitchDeg, this.to.pitchDeg),
      rollDeg: mix(this.from.rollDeg, this.to.rollDeg),
      distance: mix(this.from.distance, this.to.distance),
      dx: mix(this.from.dx, this.to.dx),
      dy: mix(this.from.dy, this.to.dy),
    };
    const t = this.style;
    const n = () => this.rng() * 2 - 1;
    return {
      ...this.current,
      yawDeg: this.current.yawDeg + t.tremorDeg * n(),
      pitchDeg: this.current.pitchDeg + t.tremorDeg * n(),
      rollDeg: this.current.rollDeg + t.tremorDeg * n(),
      dx: this.current.dx + t.tremorPx * n(),
      dy: this.current.dy + t.tremorPx * n(),
    };
  }
}

/**
 * A recording of a subject answering `steps` without a server: each step after a fixed reaction and hold, as a
 * clip of the victim made in advance would be. Returns the pose at any time from the start of the clip.
 */
export function recordedTimeline(
  steps: StepKind[],
  style: MotionStyle,
  rng: () => number,
  base: ScenePose,
): (tMs: number) => ScenePose {
  const follower = new PromptFollower(style, rng, base);
  const shownAt: number[] = [];
  let t = 0;
  for (const _ of steps) {
    shownAt.push(t);
    t += draw([1300, 1800], rng);
  }
  let next = 0;
  return (tMs) => {
    while (next < steps.length && tMs >= shownAt[next]!) follower.prompt(steps[next]!, shownAt[next++]!);
    return follower.pose(tMs);
  };
}
