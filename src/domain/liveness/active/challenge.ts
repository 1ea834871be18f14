// The challenge: a secret plan of head movements revealed one step at a time. The server draws it; the client
// only ever learns the step it is on, so a recording made in advance cannot hold the right moves in the right
// order, and a step shown too late or answered too early betrays a replay.

export type StepKind = 'CENTER' | 'TURN_LEFT' | 'TURN_RIGHT' | 'TURN_UP' | 'NEAR';

export interface ChallengeOptions {
  /** Whole-challenge lifetime from creation (default 60 s). */
  ttlMs: number;
  /** A step not met within this long of being revealed fails the challenge (default 5 s). */
  stepTimeoutMs: number;
  /** A step met sooner than this after being revealed was not a reaction to it (default 250 ms). */
  minReactionMs: number;
}

export const DEFAULT_CHALLENGE_OPTIONS: Readonly<ChallengeOptions> = Object.freeze({
  ttlMs: 60_000,
  stepTimeoutMs: 5_000,
  minReactionMs: 250,
});

export interface Challenge {
  /** 128 random bits, hex. */
  id: string;
  /** CENTER first (the identity anchor and the parallax baseline), then two head turns and NEAR in random order. */
  steps: StepKind[];
  createdAtMs: number;
  expiresAtMs: number;
  options: ChallengeOptions;
}

/** A uniform draw in [0, 1). The server passes a cryptographic source (crypto.randomInt-backed); tests a seeded one. */
export type Rng = () => number;

/** {left, right} in half the plans: a yaw turn is what the landmark model and the parallax test read best. */
const TURN_PAIRS: StepKind[][] = [
  ['TURN_LEFT', 'TURN_RIGHT'],
  ['TURN_LEFT', 'TURN_RIGHT'],
  ['TURN_LEFT', 'TURN_UP'],
  ['TURN_RIGHT', 'TURN_UP'],
];

/**
 * CENTER, then two head turns in random order with NEAR at a random place among them: 6 ordered turn pairs × 3
 * places = 18 distinct plans. A recording made for another plan shows a wrong move, or a right one at the wrong
 * time; even a recording of the same plan must match each step's reveal time, which the server chooses.
 */
export function createChallenge(rng: Rng, nowMs = 0, options: Partial<ChallengeOptions> = {}): Challenge {
  const opts = { ...DEFAULT_CHALLENGE_OPTIONS, ...options };
  const pick = (n: number) => Math.min(n - 1, Math.floor(rng() * n));
  const pair = [...TURN_PAIRS[pick(TURN_PAIRS.length)]!];
  if (pick(2) === 1) pair.reverse();
  const rest: StepKind[] = [...pair];
  rest.splice(pick(3), 0, 'NEAR');
  let id = '';
  for (let i = 0; i < 16; i++) id += pick(256).toString(16).padStart(2, '0');
  return { id, steps: ['CENTER', ...rest], createdAtMs: nowMs, expiresAtMs: nowMs + opts.ttlMs, options: opts };
}
