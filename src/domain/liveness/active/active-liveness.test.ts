import { describe, expect, it } from 'vitest';
import { type Challenge, createChallenge, type StepKind } from './challenge.js';
import type { FrameAnalysis } from './frame-analysis.js';
import { ledgerEntries, longestChain, MemoryFrameLedger } from './frame-ledger.js';
import { decide } from './liveness-decision.js';
import { estimatePose, MEAN_FACE, project, rotate, rotationMatrix } from './mean-face.js';
import type { Pt } from './planar-fit.js';
import { observe, startTracking, type TrackerState } from './step-tracker.js';

// Synthetic landmark trajectories: a rigid 3D head (the mean face) against a flat picture of it, projected by a
// pinhole camera, with landmark jitter. Proves the decision logic and the geometry, not the models.

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function gauss(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
}

type Pose = { yaw: number; pitch: number; distance: number };

/** A target pose per step, as a person answering it would hold it. */
const POSE_FOR: Record<StepKind, Pose> = {
  CENTER: { yaw: 0, pitch: 0, distance: 8 },
  TURN_LEFT: { yaw: 30, pitch: 0, distance: 8 },
  TURN_RIGHT: { yaw: -30, pitch: 0, distance: 8 },
  TURN_UP: { yaw: 0, pitch: 22, distance: 8 },
  NEAR: { yaw: 0, pitch: 0, distance: 4.5 },
};

interface Subject {
  /** 'head': the 3D mean face; 'plane': the same face flattened onto a card moved like the head. */
  kind: 'head' | 'plane';
  embedding: number[];
  noise: number;
}

function landmarksAt(subject: Subject, pose: Pose, rng: () => number): Pt[] {
  const r = rotationMatrix(pose.yaw, pose.pitch, 0);
  const focal = 480;
  return MEAN_FACE.map((p) => {
    const q = rotate(r, subject.kind === 'plane' ? { ...p, z: 0 } : p);
    const s = project(q, focal, pose.distance, 320, 240);
    return { x: s.x + gauss(rng) * subject.noise * 60, y: s.y + gauss(rng) * subject.noise * 60 };
  });
}

let frameCounter = 0;
function frameOf(subject: Subject, pose: Pose, rng: () => number, embedding = subject.embedding): FrameAnalysis {
  const landmarks = landmarksAt(subject, pose, rng);
  // The pose comes from the landmarks, as in the real analyser; for a card it is taken as fooled (the pose the
  // attacker mimics), the worst case, so that only the parallax test stands between the card and an APPROVE.
  const est =
    subject.kind === 'plane' ? { yawDeg: pose.yaw, pitchDeg: pose.pitch, rollDeg: 0 } : estimatePose(landmarks);
  frameCounter++;
  return {
    digest: `d${frameCounter}`,
    // Unrelated frames differ in about half their hash bits.
    perceptualHash: Array.from({ length: 64 }, () => Math.floor(rng() * 16).toString(16)).join(''),
    width: 640,
    height: 480,
    faceCount: 1,
    face: {
      box: { x: 0, y: 0, width: 100, height: 100 },
      landmarks,
      yawDeg: est.yawDeg,
      pitchDeg: est.pitchDeg,
      rollDeg: est.rollDeg,
      embedding: embedding.map((v) => v + gauss(rng) * 0.01),
      passive: 0.9,
    },
  };
}

function identity(rng: () => number): number[] {
  const v = Array.from({ length: 64 }, () => gauss(rng));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

const lerp = (a: Pose, b: Pose, t: number): Pose => ({
  yaw: a.yaw + (b.yaw - a.yaw) * t,
  pitch: a.pitch + (b.pitch - a.pitch) * t,
  distance: a.distance + (b.distance - a.distance) * t,
});

interface RunOptions {
  /** Which step the responder performs for each revealed step (default: the one asked). */
  answer?: (asked: StepKind, index: number) => StepKind;
  reactionMs?: number;
  /** Embedding used from this step index on (a person swap). */
  swapAt?: { step: number; embedding: number[] };
  frameMs?: number;
}

/** A responder that waits for each reveal, reacts, moves to the answer's pose over 500 ms and holds it. */
function run(challenge: Challenge, subject: Subject, rng: () => number, options: RunOptions = {}): TrackerState {
  const state = startTracking(challenge);
  const frameMs = options.frameMs ?? 80;
  let t = challenge.createdAtMs + 300;
  let from = POSE_FOR.CENTER;
  let stepIndex = 0;
  let revealedAt = challenge.createdAtMs;
  for (let n = 0; n < 400 && !state.done && !state.failure; n++) {
    const asked = challenge.steps[stepIndex]!;
    const doing = options.answer ? options.answer(asked, stepIndex) : asked;
    const target = POSE_FOR[doing];
    const since = t - revealedAt - (options.reactionMs ?? 450);
    const pose = stepIndex === 0 ? target : lerp(from, target, Math.max(0, Math.min(1, since / 500)));
    const emb = options.swapAt && stepIndex >= options.swapAt.step ? options.swapAt.embedding : subject.embedding;
    const obs = observe(state, frameOf(subject, pose, rng, emb), t);
    if (obs.stepMet) {
      stepIndex++;
      revealedAt = t;
      from = pose;
    }
    t += frameMs;
  }
  return state;
}

const subCheck = (d: ReturnType<typeof decide>, name: string) => d.subChecks.find((c) => c.name === name)!;

describe('createChallenge', () => {
  it('starts at CENTER, holds two turns and NEAR, and varies the order', () => {
    const rng = seeded(1);
    const plans = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const c = createChallenge(rng, 1000);
      expect(c.steps[0]).toBe('CENTER');
      expect(c.steps).toHaveLength(4);
      expect(c.steps.filter((s) => s === 'NEAR')).toHaveLength(1);
      expect(new Set(c.steps).size).toBe(4);
      expect(c.id).toMatch(/^[0-9a-f]{32}$/);
      expect(c.expiresAtMs).toBe(1000 + c.options.ttlMs);
      plans.add(c.steps.join());
    }
    expect(plans.size).toBe(18);
  });
});

describe('estimatePose', () => {
  it('recovers yaw and pitch of the projected mean face', () => {
    const rng = seeded(2);
    const head: Subject = { kind: 'head', embedding: [], noise: 0 };
    for (const [yaw, pitch] of [
      [0, 0],
      [30, 0],
      [-25, 5],
      [0, 20],
    ] as const) {
      const est = estimatePose(landmarksAt(head, { yaw, pitch, distance: 8 }, rng));
      expect(Math.abs(est.yawDeg - yaw)).toBeLessThan(3);
      expect(Math.abs(est.pitchDeg - pitch)).toBeLessThan(6);
    }
  });
});

describe('estimatePose on a tilted card', () => {
  it('reads little yaw from a flat face turned 45°: a card has no nose to swing', () => {
    const rng = seeded(14);
    const card: Subject = { kind: 'plane', embedding: [], noise: 0 };
    expect(Math.abs(estimatePose(landmarksAt(card, { yaw: 45, pitch: 0, distance: 8 }, rng)).yawDeg)).toBeLessThan(15);
  });
});

describe('active liveness decision', () => {
  const noise = 0.01;

  it('approves a rigid 3D head that answers every step, for many plans', () => {
    const rng = seeded(3);
    for (let i = 0; i < 30; i++) {
      const challenge = createChallenge(rng, 10_000);
      const state = run(challenge, { kind: 'head', embedding: identity(rng), noise }, rng);
      const d = decide(state);
      expect(d.subChecks.filter((c) => !c.pass && !c.advisory).map((c) => c.reason)).toEqual([]);
      expect(d.result).toBe('APPROVE');
    }
  });

  it('rejects a flat picture moved and tilted exactly like the head, on the parallax test alone', () => {
    const rng = seeded(4);
    for (let i = 0; i < 30; i++) {
      const challenge = createChallenge(rng, 10_000);
      const state = run(challenge, { kind: 'plane', embedding: identity(rng), noise }, rng);
      const d = decide(state);
      expect(d.result).toBe('REJECT');
      expect(subCheck(d, 'challenge_response').pass).toBe(true);
      expect(subCheck(d, 'depth_parallax').pass).toBe(false);
      expect(subCheck(d, 'identity_consistency').pass).toBe(true);
    }
  });

  it('separates head and plane by a wide margin at realistic landmark noise', () => {
    const rng = seeded(5);
    const scores = (kind: Subject['kind']) =>
      Array.from({ length: 20 }, () => {
        const subject: Subject = { kind, embedding: identity(rng), noise: 0.02 };
        const d = decide(run(createChallenge(rng, 0), subject, rng));
        return Number(subCheck(d, 'depth_parallax').details[0]!.value);
      });
    const head = scores('head');
    const plane = scores('plane');
    expect([...head, ...plane].every(Number.isFinite)).toBe(true);
    expect(Math.min(...head)).toBeGreaterThan(2 * Math.max(...plane));
  });

  it('rejects a still picture: no step after CENTER is ever met', () => {
    const rng = seeded(6);
    const challenge = createChallenge(rng, 0);
    const state = run(challenge, { kind: 'head', embedding: identity(rng), noise }, rng, { answer: () => 'CENTER' });
    const d = decide(state);
    expect(d.result).toBe('REJECT');
    expect(state.failure?.code).toBe('STEP_LATE');
    expect(subCheck(d, 'challenge_response').pass).toBe(false);
  });

  it('rejects steps answered out of order', () => {
    const rng = seeded(7);
    for (let i = 0; i < 20; i++) {
      const challenge = createChallenge(rng, 0);
      // A recording of another plan: its turns come in the other order.
      const turns = challenge.steps.filter((s) => s.startsWith('TURN'));
      const swapped = (s: StepKind): StepKind => (s === turns[0] ? turns[1]! : s === turns[1] ? turns[0]! : s);
      const state = run(challenge, { kind: 'head', embedding: identity(rng), noise }, rng, { answer: swapped });
      expect(decide(state).result).toBe('REJECT');
      expect(state.failure?.code).toBe('WRONG_MOVE');
    }
  });

  it('lets a chin lift that flickers about the CENTER band end, and refuses one lifted again after the centre', () => {
    const rng = seeded(17);
    const subject: Subject = { kind: 'head', embedding: identity(rng), noise: 0 };
    const posed = (yaw: number, pitch: number) => {
      const f = frameOf(subject, POSE_FOR.CENTER, rng);
      return { ...f, face: { ...f.face!, yawDeg: yaw, pitchDeg: pitch } };
    };
    const afterLift = (pitches: number[]) => {
      const challenge = { ...createChallenge(rng, 0), steps: ['CENTER', 'TURN_UP', 'TURN_LEFT', 'NEAR'] as StepKind[] };
      const state = startTracking(challenge);
      let t = 100;
      const feed = (yaw: number, pitch: number) => {
        t += 80;
        return observe(state, posed(yaw, pitch), t);
      };
      for (let i = 0; i < 3; i++) feed(0, 0);
      for (let i = 0; i < 5; i++) feed(0, 3 * i);
      expect(feed(0, 13).nextStep).toBe('TURN_LEFT');
      for (const p of pitches) feed(0, p);
      feed(25, 2);
      feed(26, 1);
      return state;
    };
    // 11.8° reads as CENTER, 12.6° as TURN_UP: the same held lift, not a new move.
    const flicker = afterLift([11.8, 12.6, 11.9, 12.7, 12.4, 8]);
    expect(flicker.failure).toBeUndefined();
    expect(flicker.stepIndex).toBe(3);
    // Down to the centre, then up again while a left turn is asked: a move the plan did not ask for.
    expect(afterLift([2, 13, 13.5]).failure?.code).toBe('WRONG_MOVE');
  });

  it('rejects a step answered late, and one met before anyone could have reacted', () => {
    const rng = seeded(8);
    const late = run(createChallenge(rng, 0), { kind: 'head', embedding: identity(rng), noise }, rng, {
      reactionMs: 5200,
    });
    expect(late.failure?.code).toBe('STEP_LATE');
    expect(decide(late).result).toBe('REJECT');
    const early = run(createChallenge(rng, 0), { kind: 'head', embedding: identity(rng), noise }, rng, {
      reactionMs: -600,
    });
    expect(early.failure?.code).toBe('TOO_EARLY');
    expect(decide(early).result).toBe('REJECT');
  });

  it('rejects a capture that runs past the challenge lifetime', () => {
    const rng = seeded(9);
    const challenge = createChallenge(rng, 0, { ttlMs: 1500 });
    const state = run(challenge, { kind: 'head', embedding: identity(rng), noise }, rng);
    expect(state.failure?.code).toBe('EXPIRED');
  });

  it('rejects another person spliced in after the first step', () => {
    const rng = seeded(10);
    for (let step = 1; step < 4; step++) {
      const state = run(createChallenge(rng, 0), { kind: 'head', embedding: identity(rng), noise }, rng, {
        swapAt: { step, embedding: identity(rng) },
      });
      expect(state.done).toBe(true);
      const d = decide(state);
      expect(d.result).toBe('REJECT');
      expect(subCheck(d, 'identity_consistency').pass).toBe(false);
    }
  });

  it('judges a turned face against the frontal anchor at the lower turned threshold, a frontal one at the strict', () => {
    const rng = seeded(18);
    const subject: Subject = { kind: 'head', embedding: identity(rng), noise };
    /** An embedding at cosine `c` to the subject's. */
    const at = (c: number) => {
      const other = identity(rng);
      const dot = other.reduce((sum, x, i) => sum + x * subject.embedding[i]!, 0);
      const ortho = other.map((x, i) => x - dot * subject.embedding[i]!);
      const n = Math.hypot(...ortho);
      return subject.embedding.map((x, i) => c * x + Math.sqrt(1 - c * c) * (ortho[i]! / n));
    };
    const withCosine = (c: number, which: (yaw: number, pitch: number) => boolean) => {
      const state = run(createChallenge(rng, 0), subject, rng);
      let changed = 0;
      for (const f of state.frames.slice(1)) {
        const face = f.analysis.face!;
        if (which(Math.abs(face.yawDeg), Math.abs(face.pitchDeg))) {
          face.embedding = at(c);
          changed++;
        }
      }
      expect(changed).toBeGreaterThan(3);
      return subCheck(decide(state), 'identity_consistency');
    };
    const turned = (yaw: number, pitch: number) => yaw >= 20 || pitch >= 12;
    // A turn scores lower for the same person: 0.36 turned passes, 0.36 frontal does not, 0.25 turned does not.
    expect(withCosine(0.36, turned).pass).toBe(true);
    expect(withCosine(0.36, (y, p) => !turned(y, p)).pass).toBe(false);
    expect(withCosine(0.25, turned).pass).toBe(false);

    // The embedding drifting with the turn, down to 0.2 against the anchor from 20° on: each frame is still the face of
    // the frames next to it in pose, so the chain holds.
    const away = at(0);
    const state = run(createChallenge(rng, 0), subject, rng);
    for (const f of state.frames.slice(1)) {
      const face = f.analysis.face!;
      const phi = (Math.min(20, Math.max(Math.abs(face.yawDeg), Math.abs(face.pitchDeg))) / 20) * Math.acos(0.2);
      face.embedding = subject.embedding.map((x, i) => Math.cos(phi) * x + Math.sin(phi) * away[i]!);
    }
    const drift = subCheck(decide(state), 'identity_consistency');
    expect(Number(drift.details.find((d) => d.name === 'min_cosine')!.value)).toBeLessThan(0.3);
    expect(drift.pass).toBe(true);
    // A lookalike (0.40 to the anchor: over the turned threshold, under the strict one) spliced in at any step:
    // their frames near frontal are still judged against the anchor alone, and there are more than 3 of them.
    for (let step = 1; step < 4; step++) {
      const spliced = run(createChallenge(rng, 0), subject, rng, { swapAt: { step, embedding: at(0.4) } });
      expect(subCheck(decide(spliced), 'identity_consistency').pass).toBe(false);
    }
  });

  it('rejects byte-identical frames and frames replayed from an earlier capture', () => {
    const rng = seeded(11);
    const subject: Subject = { kind: 'head', embedding: identity(rng), noise };
    const first = run(createChallenge(rng, 0), subject, rng);
    expect(decide(first).result).toBe('APPROVE');
    const memory = new MemoryFrameLedger();
    memory.record(
      ledgerEntries(
        { id: first.challenge.id, sessionId: 'earlier session' },
        first.frames.map((f) => f.analysis),
      ),
    );
    const ledger = memory.view('this session');

    // The same bytes again.
    const again = run(createChallenge(rng, 0), subject, rng);
    again.frames.forEach((f, i) => {
      const old = first.frames[i % first.frames.length]!.analysis;
      f.analysis = { ...f.analysis, digest: old.digest };
    });
    const d1 = decide(again, { ledger });
    expect(d1.result).toBe('REJECT');
    expect(subCheck(d1, 'frame_ledger').reason).toMatch(/earlier capture/);

    // Re-encoded: new bytes, same perceptual hashes.
    const reencoded = run(createChallenge(rng, 0), subject, rng);
    reencoded.frames.forEach((f, i) => {
      f.analysis = { ...f.analysis, perceptualHash: first.frames[i % first.frames.length]!.analysis.perceptualHash };
    });
    expect(decide(reencoded, { ledger }).result).toBe('REJECT');
    // Within the session that made the first capture, the same hashes are the person's own retry; the same bytes
    // are still refused.
    const own = memory.view('earlier session');
    expect(subCheck(decide(reencoded, { ledger: own }), 'frame_ledger').pass).toBe(true);
    expect(subCheck(decide(again, { ledger: own }), 'frame_ledger').pass).toBe(false);

    // A frame sent twice within one capture.
    const dup = run(createChallenge(rng, 0), subject, rng);
    dup.frames[5]!.analysis = { ...dup.frames[5]!.analysis, digest: dup.frames[4]!.analysis.digest };
    expect(subCheck(decide(dup), 'frame_ledger').pass).toBe(false);

    // A fresh capture by the same person is not a replay.
    expect(decide(run(createChallenge(rng, 0), subject, rng), { ledger }).result).toBe('APPROVE');

    // Every frame near one of the earlier capture's, but not in its order (a retry of the same moves in a still
    // scene looks like this): not a re-sent capture.
    const shuffled = run(createChallenge(rng, 0), subject, rng);
    shuffled.frames.forEach((f, i) => {
      const n = first.frames.length;
      f.analysis = { ...f.analysis, perceptualHash: first.frames[(i * 7) % n]!.analysis.perceptualHash };
    });
    const d2 = decide(shuffled, { ledger });
    expect(subCheck(d2, 'frame_ledger').pass).toBe(true);
    expect(
      Number(subCheck(d2, 'frame_ledger').details.find((x) => x.name === 'frames_resending_one_capture')!.value),
    ).toBeLessThan(shuffled.frames.length / 2);
  });

  it('counts the longest chain of frame pairs in order, one new frame once', () => {
    expect(longestChain([])).toBe(0);
    expect(
      longestChain([
        [0, 0],
        [1, 1],
        [2, 2],
      ]),
    ).toBe(3);
    // One new frame near three earlier ones counts once; a pair out of order breaks the chain.
    expect(
      longestChain([
        [0, 0],
        [0, 1],
        [0, 2],
        [1, 5],
        [2, 3],
        [3, 4],
      ]),
    ).toBe(3);
    // Earlier frames may be skipped (frames dropped on the way), never reused.
    expect(
      longestChain([
        [0, 2],
        [1, 2],
        [2, 9],
      ]),
    ).toBe(2);
  });

  it('never decides on the passive score alone', () => {
    const rng = seeded(12);
    const state = run(createChallenge(rng, 0), { kind: 'head', embedding: identity(rng), noise }, rng);
    for (const f of state.frames) if (f.analysis.face) f.analysis.face.passive = 0.05;
    const d = decide(state);
    expect(subCheck(d, 'passive_texture').pass).toBe(false);
    expect(subCheck(d, 'passive_texture').advisory).toBe(true);
    expect(d.result).toBe('APPROVE');
  });

  it('reveals only the next step, and records the evidence without embeddings', () => {
    const rng = seeded(13);
    const challenge = createChallenge(rng, 0);
    const state = startTracking(challenge);
    const subject: Subject = { kind: 'head', embedding: identity(rng), noise: 0 };
    const seen: (StepKind | undefined)[] = [];
    for (let i = 0; i < 3; i++)
      seen.push(observe(state, frameOf(subject, POSE_FOR.CENTER, rng), 100 + i * 80).nextStep);
    expect(seen).toEqual([undefined, undefined, challenge.steps[1]]);
    const text = JSON.stringify(decide(state).evidence);
    expect(text).not.toMatch(/embedding/);
    expect(text).toContain(challenge.id);
  });
});
