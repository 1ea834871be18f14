import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Challenge, createChallenge, type StepKind } from '../../domain/liveness/active/challenge.js';
import { ledgerEntries, MemoryFrameLedger } from '../../domain/liveness/active/frame-ledger.js';
import {
  type DecisionThresholds,
  decide,
  type LivenessDecision,
} from '../../domain/liveness/active/liveness-decision.js';
import { estimatePose } from '../../domain/liveness/active/mean-face.js';
import { interOcular } from '../../domain/liveness/active/planar-fit.js';
import { observe, startTracking } from '../../domain/liveness/active/step-tracker.js';
import type { FaceEngine } from '../../domain/ports/face-engine.port.js';
import type { LivenessFrameAnalyser } from '../../domain/ports/liveness-frame-analyser.port.js';
import { clopperPearsonUpper } from './clopper-pearson.js';
import { CARD_STYLE, HEAD_STYLE, PromptFollower, recordedTimeline } from './stand-in-motion.js';
import {
  encodeJpeg,
  FlatCard,
  loadRgb,
  type Photo,
  REST_POSE,
  type ScenePose,
  TexturedHead,
} from './synthetic-scene.js';
import { type Canvas, seededRng } from './triangle-raster.js';

// `openidv eval liveness`: builds attack and bona fide stand-in captures from LFW photos at run time, streams
// them frame by frame through the real analyser and the active liveness engine, and reports APCER per attack
// class with its one-sided 95% Clopper–Pearson upper bound, the stand-ins' pass rate and completion time, and
// what the server spends. Nothing is stored: every frame is rendered, analysed and dropped.

export const ATTACK_CLASSES = [
  'still_photo',
  'photo_2d',
  'photo_3d',
  'replay_out_of_order',
  'replay_late',
  'person_splice',
  'replay_capture',
] as const;
export type AttackClass = (typeof ATTACK_CLASSES)[number];
export type AttemptClass = 'bona_fide' | AttackClass;

export interface EvaluationOptions {
  /** ../shared/data */
  dataDir: string;
  split: 'tuning' | 'held-out';
  /** Attempts per class (bona fide included). */
  attempts: number;
  classes: AttemptClass[];
  /** Simulated camera rate range, frames per second. */
  fps: [number, number];
  seed: number;
  thresholds?: Partial<DecisionThresholds>;
  /** Photos to scan for usable subjects (first photo of each person). */
  maxPeople?: number;
  /** Run only the attempts on these people (LFW names), to look again at the ones that failed. */
  subjects?: string[];
  /** Keep each decision's evidence (per-frame pose, cosine, targets) in the results. */
  keepEvidence?: boolean;
  onAttempt?: (r: AttemptResult) => void;
}

export interface AttemptResult {
  cls: AttemptClass;
  subject: string;
  plan: StepKind[];
  decision: LivenessDecision['result'];
  /** Hard sub-checks that failed. */
  failed: string[];
  failure?: string;
  frames: number;
  /** Time from the challenge's creation to its last step met (ms of simulated time), when done. */
  completedMs?: number;
  analyseMs: number[];
  decideMs: number;
  parallax?: number;
  minCosine?: number;
  /** Share of the frames re-sending one earlier capture in its order (the frame_ledger measure). */
  replayShare: number;
  /** The decision's evidence (per frame: pose, face count, cosine, targets), when asked for. */
  evidence?: LivenessDecision['evidence'];
}

export interface Subject {
  id: string;
  photo: Photo;
  /** The pose that makes the rendered head frontal (the photo's own pose undone). */
  frontal: ScenePose;
}

/** FNV-1a: a stable split of identities by name, independent of the listing order. */
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function splitOf(person: string): 'tuning' | 'held-out' {
  return fnv(person) % 2 === 0 ? 'tuning' : 'held-out';
}

/**
 * Subjects: the first photo of each LFW person of the split with exactly one face, near-frontal (|yaw|, |pitch|
 * ≤ 10° by the mean-face fit), eyes at least 22 px apart, and one face in its rendered frontal frame: the photo an
 * attacker would pick, and one the head stand-in can be turned from.
 */
export async function loadSubjects(
  engine: FaceEngine,
  dataDir: string,
  split: EvaluationOptions['split'],
  max: number,
): Promise<Subject[]> {
  const root = join(dataDir, 'lfw-dev', 'images');
  const people = (await readdir(root))
    .sort()
    .filter((p) => splitOf(p) === split)
    .slice(0, max);
  const subjects: Subject[] = [];
  for (const person of people) {
    const files = (await readdir(join(root, person))).filter((f) => f.endsWith('.jpg')).sort();
    if (files.length === 0) continue;
    const bytes = new Uint8Array(await readFile(join(root, person, files[0]!)));
    const analysis = await engine.analyse(bytes, { landmarks68: true, liveness: false });
    const face = analysis.faces[0];
    if (analysis.faces.length !== 1 || !face?.landmarks68) continue;
    const pose = estimatePose(face.landmarks68);
    if (Math.abs(pose.yawDeg) > 10 || Math.abs(pose.pitchDeg) > 10 || interOcular(face.landmarks68) < 22) continue;
    const subject: Subject = {
      id: `${person}/${files[0]}`,
      photo: { image: await loadRgb(bytes), landmarks: face.landmarks68 },
      frontal: { ...REST_POSE, yawDeg: -pose.yawDeg, pitchDeg: -pose.pitchDeg },
    };
    // The rendered frame must show one face too: a second face in the photo's background, missed at the photo's
    // own size, can be found in the enlarged frames and would fail face_processing for reasons of the photo.
    const rendered = await engine.analyse(
      await encodeJpeg(new TexturedHead(subject.photo).render(subject.frontal).toImage(0, 1, Math.random)),
      {
        liveness: false,
      },
    );
    if (rendered.faces.length !== 1) continue;
    subjects.push(subject);
  }
  return subjects;
}

/** What a capture looks like to the server: frames at times, some of them reacting to the revealed steps. */
interface FrameSource {
  frame(tMs: number): Promise<Uint8Array>;
  shown?(step: StepKind, tMs: number): void;
  /** Frame times (ms from the challenge's creation) when the source replays a recorded capture's own timing. */
  times?: number[];
}

interface Captured {
  plan: StepKind[];
  frames: { tMs: number; bytes: Uint8Array }[];
}

/** Client-side latency between the server's reveal and the prompt on screen. */
const REVEAL_LATENCY_MS = 80;

async function camera(canvas: Canvas, rng: () => number, gain: number): Promise<Uint8Array> {
  return encodeJpeg(canvas.toImage(2.5, gain * (0.99 + 0.02 * rng()), rng), 85);
}

export class LivenessEvaluation {
  private readonly ledger = new MemoryFrameLedger();
  private readonly bonaFide: Captured[] = [];

  constructor(
    private readonly analyser: LivenessFrameAnalyser,
    private readonly subjects: Subject[],
    private readonly options: EvaluationOptions,
  ) {
    if (subjects.length < 2) throw new Error('at least two usable subjects are needed');
  }

  async run(): Promise<AttemptResult[]> {
    const results: AttemptResult[] = [];
    // Bona fide first: replay_capture re-sends captures the server has already seen.
    const order = [...this.options.classes].sort((a, b) => (a === 'bona_fide' ? -1 : b === 'bona_fide' ? 1 : 0));
    for (const cls of order) {
      for (let i = 0; i < this.options.attempts; i++) {
        const r = await this.attempt(cls, i);
        if (!r) continue;
        results.push(r);
        this.options.onAttempt?.(r);
      }
    }
    return results;
  }

  private async attempt(cls: AttemptClass, i: number): Promise<AttemptResult | undefined> {
    const rng = seededRng(fnv(`${this.options.seed}:${cls}:${i}`));
    const n = this.subjects.length;
    // Bona fide: each subject twice in a row in one session (a retry), so the ledger meets the same face again; every
    // other attempt is a session of its own (a re-sent capture comes from someone else's session).
    const session = cls === 'bona_fide' ? `${cls}:${Math.floor(i / 2)}` : `${cls}:${i}`;
    const subject = this.subjects[(cls === 'bona_fide' ? Math.floor(i / 2) : i + fnv(cls)) % n]!;
    if (this.options.subjects && !this.options.subjects.includes(subject.id.split('/')[0]!)) return undefined;
    const other = this.subjects[(this.subjects.indexOf(subject) + 1 + Math.floor(rng() * (n - 1))) % n]!;
    const challenge = createChallenge(rng, 1_000_000);
    const gain = 0.9 + 0.2 * rng();
    let plan = challenge.steps;
    let source: FrameSource;
    let record: Captured | undefined;

    switch (cls) {
      case 'bona_fide': {
        const head = new TexturedHead(subject.photo);
        const follower = new PromptFollower(HEAD_STYLE, rng, subject.frontal);
        record = { plan, frames: [] };
        source = {
          frame: (t) => camera(head.render(follower.pose(t)), rng, gain),
          shown: (step, t) => follower.prompt(step, t),
        };
        break;
      }
      case 'still_photo': {
        const card = new FlatCard(subject.photo, background(rng));
        source = { frame: () => camera(card.render(REST_POSE, 'perspective'), rng, gain) };
        break;
      }
      case 'photo_2d':
      case 'photo_3d': {
        const card = new FlatCard(subject.photo, background(rng));
        const follower = new PromptFollower(CARD_STYLE, rng, REST_POSE);
        const motion = cls === 'photo_2d' ? 'affine' : 'perspective';
        source = {
          frame: (t) => camera(card.render(follower.pose(t), motion), rng, gain),
          shown: (step, t) => follower.prompt(step, t),
        };
        break;
      }
      case 'replay_out_of_order': {
        // A clip of the person made for another plan: the same moves, another order.
        const head = new TexturedHead(subject.photo);
        const recorded = otherOrder(challenge.steps, rng);
        const timeline = recordedTimeline(recorded, HEAD_STYLE, rng, subject.frontal);
        source = { frame: (t) => camera(head.render(timeline(t)), rng, gain) };
        break;
      }
      case 'replay_late': {
        // Clips of the right moves, each found and played only after the prompt: 5.2–8 s late.
        const head = new TexturedHead(subject.photo);
        const follower = new PromptFollower({ ...HEAD_STYLE, reactionMs: [5200, 8000] }, rng, subject.frontal);
        source = {
          frame: (t) => camera(head.render(follower.pose(t)), rng, gain),
          shown: (step, t) => follower.prompt(step, t),
        };
        break;
      }
      case 'person_splice': {
        // Someone else takes over from a random step after CENTER, moving exactly as asked.
        const a = new TexturedHead(subject.photo);
        const b = new TexturedHead(other.photo);
        const follower = new PromptFollower(HEAD_STYLE, rng, subject.frontal);
        const from = 1 + Math.floor(rng() * (challenge.steps.length - 1));
        let shownSteps = 0;
        source = {
          frame: (t) => camera((shownSteps > from ? b : a).render(follower.pose(t)), rng, gain),
          shown: (step, t) => {
            shownSteps++;
            follower.prompt(step, t);
          },
        };
        break;
      }
      case 'replay_capture': {
        // A capture this server already saw, sent again against a challenge with the same plan (the worst case),
        // byte for byte or re-encoded.
        const old = this.bonaFide[Math.floor(rng() * this.bonaFide.length)];
        if (!old) throw new Error('replay_capture needs bona fide captures: include bona_fide in the classes');
        plan = old.plan;
        const reencode = rng() < 0.5;
        const quality = 75 + Math.floor(rng() * 16);
        let k = 0;
        source = {
          times: old.frames.map((f) => f.tMs),
          frame: async () => {
            const f = old.frames[Math.min(k++, old.frames.length - 1)]!;
            return reencode ? encodeJpeg(await loadRgb(f.bytes), quality) : f.bytes;
          },
        };
        break;
      }
    }
    const live: Challenge = { ...challenge, steps: plan };
    const result = await this.stream(cls, subject.id, session, live, source, rng, record);
    if (record && result.decision === 'APPROVE') this.bonaFide.push(record);
    return result;
  }

  private async stream(
    cls: AttemptClass,
    subject: string,
    session: string,
    challenge: Challenge,
    source: FrameSource,
    rng: () => number,
    record?: Captured,
  ): Promise<AttemptResult> {
    const state = startTracking(challenge);
    const [lo, hi] = this.options.fps;
    const interval = 1000 / (lo + (hi - lo) * rng());
    const analyseMs: number[] = [];
    const t0 = challenge.createdAtMs;
    source.shown?.(challenge.steps[0]!, REVEAL_LATENCY_MS);
    let t = t0 + (source.times?.[0] ?? 150);
    let k = 0;
    while (!state.done && !state.failure && t <= challenge.expiresAtMs + interval) {
      if (source.times && k >= source.times.length) break;
      const bytes = await source.frame(t - t0);
      record?.frames.push({ tMs: t - t0, bytes });
      const start = performance.now();
      const analysis = await this.analyser.analyse(bytes);
      analyseMs.push(performance.now() - start);
      const obs = observe(state, analysis, t);
      if (obs.nextStep) source.shown?.(obs.nextStep, t - t0 + REVEAL_LATENCY_MS);
      k++;
      t = source.times?.[k] !== undefined ? t0 + source.times[k]! : t + interval * (0.9 + 0.2 * rng());
    }
    const start = performance.now();
    const decision = decide(state, {
      ledger: this.ledger.view(session),
      ...(this.options.thresholds && { thresholds: this.options.thresholds }),
    });
    const decideMs = performance.now() - start;
    // The server keeps every capture it decided on.
    this.ledger.record(
      ledgerEntries(
        { id: challenge.id, sessionId: session },
        state.frames.map((f) => f.analysis),
      ),
    );
    const num = (name: string, detail: string) => {
      const v = decision.subChecks.find((c) => c.name === name)?.details.find((d) => d.name === detail)?.value;
      return v === undefined || Number.isNaN(Number(v)) ? undefined : Number(v);
    };
    const parallax = num('depth_parallax', 'parallax_score');
    const minCosine = num('identity_consistency', 'min_cosine');
    return {
      cls,
      subject,
      plan: challenge.steps,
      decision: decision.result,
      failed: decision.subChecks.filter((c) => !c.pass && !c.advisory).map((c) => c.name),
      ...(state.failure && { failure: state.failure.code }),
      frames: state.frames.length,
      ...(state.done && { completedMs: state.metAtMs.at(-1)! - t0 }),
      analyseMs,
      decideMs,
      ...(parallax !== undefined && { parallax }),
      ...(minCosine !== undefined && { minCosine }),
      replayShare: (num('frame_ledger', 'frames_resending_one_capture') ?? 0) / Math.max(1, state.frames.length),
      ...(this.options.keepEvidence && { evidence: decision.evidence }),
    };
  }
}

function background(rng: () => number): [number, number, number] {
  return [60 + rng() * 120, 60 + rng() * 120, 60 + rng() * 120];
}

/** The plan's steps after CENTER in another order (there is always one: three distinct steps). */
function otherOrder(steps: StepKind[], rng: () => number): StepKind[] {
  const rest = steps.slice(1);
  for (;;) {
    const shuffled = [...rest];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    if (shuffled.join() !== rest.join()) return [steps[0]!, ...shuffled];
  }
}

export interface ClassSummary {
  cls: AttemptClass;
  attempts: number;
  approved: number;
  /** APCER for an attack class, the pass rate for bona fide. */
  rate: number;
  /** One-sided 95% Clopper–Pearson upper bound of the rate (attack classes). */
  upper95: number;
  /** Which hard sub-checks rejected, counted once per attempt each. */
  rejectedBy: Record<string, number>;
  completedMs?: { p50: number; p90: number; max: number };
}

const quantile = (v: number[], q: number) => {
  if (v.length === 0) return Number.NaN;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

export function summarise(results: AttemptResult[]): {
  classes: ClassSummary[];
  analyseMs: { p50: number; p90: number };
  decideMs: { p50: number; p90: number };
  lastFramePlusDecideMs: { p50: number; p90: number };
  framesPerAttempt: { p50: number; max: number };
} {
  const classes = [...new Set(results.map((r) => r.cls))].map((cls): ClassSummary => {
    const rs = results.filter((r) => r.cls === cls);
    const approved = rs.filter((r) => r.decision === 'APPROVE').length;
    const rejectedBy: Record<string, number> = {};
    for (const r of rs) for (const f of r.failed) rejectedBy[f] = (rejectedBy[f] ?? 0) + 1;
    const done = rs.filter((r) => r.decision === 'APPROVE' && r.completedMs !== undefined).map((r) => r.completedMs!);
    return {
      cls,
      attempts: rs.length,
      approved,
      rate: approved / rs.length,
      upper95: clopperPearsonUpper(approved, rs.length),
      rejectedBy,
      ...(cls === 'bona_fide' && {
        completedMs: { p50: quantile(done, 0.5), p90: quantile(done, 0.9), max: Math.max(...done) },
      }),
    };
  });
  const analyse = results.flatMap((r) => r.analyseMs);
  const decideMs = results.map((r) => r.decideMs);
  const last = results.map((r) => (r.analyseMs.at(-1) ?? 0) + r.decideMs);
  const frames = results.map((r) => r.frames);
  return {
    classes,
    analyseMs: { p50: quantile(analyse, 0.5), p90: quantile(analyse, 0.9) },
    decideMs: { p50: quantile(decideMs, 0.5), p90: quantile(decideMs, 0.9) },
    lastFramePlusDecideMs: { p50: quantile(last, 0.5), p90: quantile(last, 0.9) },
    framesPerAttempt: { p50: quantile(frames, 0.5), max: Math.max(...frames) },
  };
}
