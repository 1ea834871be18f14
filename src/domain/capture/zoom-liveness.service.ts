import { randomBytes, randomInt } from 'node:crypto';
import { AppError } from '../errors.js';
import {
  type Challenge,
  createChallenge,
  DEFAULT_CHALLENGE_OPTIONS,
  type StepKind,
} from '../liveness/active/challenge.js';
import { ledgerFor } from '../liveness/active/frame-ledger.js';
import { frameFromJson, frameToJson, type StoredFrame } from '../liveness/active/frame-record.js';
import { decide } from '../liveness/active/liveness-decision.js';
import { type FailureCode, observe, startTracking, type TrackerState } from '../liveness/active/step-tracker.js';
import type { SessionMedia } from '../media/session-media.js';
import type { LivenessFrameAnalyser } from '../ports/liveness-frame-analyser.port.js';
import type { CaptureChallenge, Repositories } from '../ports/repositories.port.js';
import { livenessAttempts, maxAttempts } from '../sessions/requirements.js';
import type { SessionService } from '../sessions/session.service.js';
import type { SessionLifecycle } from '../sessions/lifecycle/session-lifecycle.js';
import type { Requirement, ResourceRecord, SessionRecord, ZoomAttempt } from '../sessions/session.types.js';
import { nonceMatches } from './challenge-nonce.js';
import type { SessionQuota } from './session-quota.js';

// Active liveness (liveness_type ZOOM), served: the server draws a secret plan of head moves, reveals it one step at
// a time as the frames it receives meet each step, and decides on the whole stream itself (step-tracker.ts,
// liveness-decision.ts). The client only ever learns the step it is on and, at the end, whether to try again.

/** What the page must respect when it streams frames. */
export const ZOOM_FRAMES = Object.freeze({
  /** Longest side of a frame: enough for the 68 landmarks on a face filling the oval, small for slow networks. */
  maxSide: 640,
  /** Pause between a frame's answer and the next send; capture_timing wants a median gap of 30–1500 ms. */
  intervalMs: 120,
  /** Frames after which a challenge is decided as it stands: 4 steps of at most 5 s each at ~10 fps. */
  maxFrames: 240,
});

export interface ZoomLivenessDeps {
  repos: Pick<Repositories, 'challenges' | 'livenessFrames' | 'frameLedger' | 'resources'>;
  sessionMedia: Pick<SessionMedia, 'checkImage' | 'store'>;
  lifecycle: Pick<SessionLifecycle, 'resourceUpdated'>;
  sessions: Pick<SessionService, 'deleteMedia'>;
  analyser: () => Promise<LivenessFrameAnalyser>;
  quota: SessionQuota;
  now: () => number;
  newId: () => string;
}

export type FaceGuidance = 'OK' | 'NO_FACE' | 'SEVERAL_FACES';
export type ZoomState = 'IN_PROGRESS' | 'PASSED' | 'RETRY' | 'FAILED';
/** What the user is told about a failed attempt: the challenge failures they can correct, else one answer. */
export type ZoomReason = Exclude<FailureCode, 'CLOCK'> | 'NOT_CONFIRMED';

const STALE = 'The liveness challenge is unknown, already used, expired or not for this capture; start a new attempt';
const stepJson = (plan: Challenge, index: number) => ({
  index,
  kind: plan.steps[index] ?? plan.steps.at(-1)!,
  timeout_ms: plan.options.stepTimeoutMs,
});
// randomInt takes ranges up to 2^48 - 1: uniform on [0, 1) to 47 bits, far finer than the 18 plans need.
const cryptoRng = () => randomInt(2 ** 47) / 2 ** 47;

export class ZoomLiveness {
  constructor(private readonly deps: ZoomLivenessDeps) {}

  /** A new attempt: a fresh secret plan; only its first step (CENTER) is told. */
  async start(session: SessionRecord, requirement: Requirement) {
    const resources = await this.deps.repos.resources.list(session.id);
    const mine = resources.filter((r) => r.requirementId === requirement.id);
    if (mine.some((r) => r.data.zoom?.result === 'APPROVE'))
      throw new AppError('CONFLICT', 'This liveness capture is already complete');
    if (livenessAttempts(requirement, resources) >= maxAttempts(requirement))
      throw new AppError('MAX_RETRIES_EXCEEDED');
    const now = this.deps.now();
    const plan = createChallenge(cryptoRng, now);
    const record: CaptureChallenge = {
      id: this.deps.newId(),
      sessionId: session.id,
      expiresAt: plan.expiresAtMs,
      usedAt: null,
      mediaSha256: null,
      createdAt: now,
      requirementId: requirement.id,
      livenessType: 'ZOOM',
      nonce: randomBytes(16).toString('base64url'),
      steps: plan.steps.map((kind) => ({ kind, frames: 0, spanMs: plan.options.stepTimeoutMs })),
      revealed: 1,
    };
    await this.deps.repos.challenges.create(record);
    return {
      challenge_id: record.id,
      nonce: record.nonce!,
      requirement_id: requirement.id,
      liveness_type: 'ZOOM' as const,
      expires_at: new Date(record.expiresAt).toISOString(),
      steps_total: plan.steps.length,
      step: stepJson(plan, 0),
      frames: { max_side: ZOOM_FRAMES.maxSide, interval_ms: ZOOM_FRAMES.intervalMs, max_frames: ZOOM_FRAMES.maxFrames },
    };
  }

  /**
   * One streamed frame: analysed, fed to the tracker rebuilt from the frames before it, kept as audit media when it
   * meets a step, and the challenge decided when the plan is done or has failed.
   */
  async frame(session: SessionRecord, challengeId: string, nonce: string, image: Buffer) {
    const receivedAt = this.deps.now();
    const record = await this.open(session, challengeId, nonce);
    const requirement = session.requirements.find((r) => r.id === record.requirementId);
    if (!requirement) throw new AppError('CONFLICT', STALE);
    const { repos } = this.deps;
    const earlier = (await repos.livenessFrames.list(session.id, record.id)).map((row) => ({
      row,
      stored: frameFromJson(row.analysis),
    }));
    // A challenge past its life takes no more frames: one that never got any is just stale, one that did is
    // decided now as it stands (the tracker fails it as EXPIRED).
    if (record.expiresAt <= receivedAt && earlier.length === 0) throw new AppError('CONFLICT', STALE);
    await this.deps.quota.livenessFrame(session.id, session.tokenExpiresAt);
    const contentType = await this.deps.sessionMedia.checkImage(image);
    const analysis = await (await this.deps.analyser()).analyse(image);

    const plan = planOf(record);
    const state = startTracking(plan);
    for (const { row, stored } of earlier) observe(state, stored.analysis, row.receivedAt);
    const metBefore = state.metAtMs.length;
    const observation = observe(state, analysis, receivedAt);
    const stepMet = state.metAtMs.length > metBefore;
    const kept = stepMet ? await this.keepFrame(session, image, contentType) : undefined;
    const stored: StoredFrame = { analysis, ...(kept && { mediaId: kept }) };
    const appended = await repos.livenessFrames.append({
      challengeId: record.id,
      sessionId: session.id,
      index: earlier.length,
      receivedAt,
      analysis: frameToJson(stored),
    });
    if (!appended) {
      if (kept) await this.deps.sessions.deleteMedia(session.appId, session.id, kept);
      throw new AppError('CONFLICT', 'Another frame of this challenge is being processed: send one at a time');
    }
    if (observation.nextStep) await repos.challenges.reveal(session.id, record.id, state.stepIndex + 1);

    const face: FaceGuidance = analysis.faceCount === 0 ? 'NO_FACE' : analysis.faceCount > 1 ? 'SEVERAL_FACES' : 'OK';
    const progress = {
      frame_index: earlier.length,
      steps_met: state.metAtMs.length,
      steps_total: plan.steps.length,
      step: stepJson(plan, state.stepIndex),
      step_met: stepMet,
      face,
    };
    const over = state.done || state.failure || earlier.length + 1 >= ZOOM_FRAMES.maxFrames;
    if (!over) return { ...progress, state: 'IN_PROGRESS' as ZoomState };
    const media = [...earlier.map((e) => e.stored.mediaId), kept].filter((m): m is string => !!m);
    return { ...progress, ...(await this.decideAttempt(session, requirement, record, state, media)) };
  }

  /** The challenge, when it is this session's, ZOOM, not yet decided, and the nonce matches; one answer otherwise. */
  private async open(session: SessionRecord, challengeId: string, nonce: string): Promise<CaptureChallenge> {
    const record = await this.deps.repos.challenges.get(session.id, challengeId);
    const usable =
      record !== null &&
      record.livenessType === 'ZOOM' &&
      record.usedAt === null &&
      Array.isArray(record.steps) &&
      nonceMatches(record.nonce, nonce);
    if (!usable) throw new AppError('CONFLICT', STALE);
    return record!;
  }

  /** The frame that met a step, kept as audit media (its type already checked on arrival). */
  private async keepFrame(session: SessionRecord, image: Buffer, contentType: string): Promise<string> {
    await this.deps.quota.upload(session.id, [image]);
    return (await this.deps.sessionMedia.store(session, 'IMAGE', contentType, image)).id;
  }

  /**
   * The verdict on a finished stream, made once (the challenge is marked used first, so two racing frames cannot
   * both decide it): every sub-check against the tenant's ledger of earlier frames, kept on a resource of its own
   * (one per attempt, as Yoti reports each attempt) with the audit frames and the evidence as JSON media.
   */
  private async decideAttempt(
    session: SessionRecord,
    requirement: Requirement,
    record: CaptureChallenge,
    state: TrackerState,
    media: string[],
  ): Promise<{ state: ZoomState; reason?: ZoomReason; attempts_remaining: number }> {
    const { repos, now } = this.deps;
    if (!(await repos.challenges.finish(session.id, record.id, now())))
      throw new AppError('CONFLICT', 'This challenge was decided by another request');
    const hashes = state.frames.map((f) => ({
      digest: f.analysis.digest,
      perceptualHash: f.analysis.perceptualHash,
    }));
    const decision = decide(state, { ledger: await ledgerFor(repos.frameLedger, session.appId, session.id, hashes) });
    await repos.frameLedger.record(session.appId, { id: record.id, sessionId: session.id }, hashes, now());
    const evidence = Buffer.from(
      JSON.stringify({
        liveness_type: 'ZOOM',
        method: "openidv challenge-response (head moves revealed step by step); not FaceTec, not Yoti's ZOOM",
        result: decision.result,
        sub_checks: decision.subChecks,
        ...decision.evidence,
      }),
    );
    const evidenceMedia = await this.deps.sessionMedia.store(session, 'JSON', 'application/json', evidence);
    const zoom: ZoomAttempt = {
      result: decision.result,
      frames: media,
      evidence_media_id: evidenceMedia.id,
      sub_checks: decision.subChecks,
    };
    // The CENTER step's frame is frontal by construction: the face the other checks compare.
    const anchor = state.metFrames.length > 0 ? media[0] : undefined;
    const at = now();
    const resource: ResourceRecord = {
      id: this.deps.newId(),
      sessionId: session.id,
      type: 'LIVENESS',
      requirementId: requirement.id,
      source: 'END_USER',
      data: {
        liveness_type: 'ZOOM',
        ...(anchor && { image_media_id: anchor }),
        capture_method: 'CAMERA',
        challenge_id: record.id,
        attempts: 1,
        zoom,
      },
      createdAt: at,
      updatedAt: at,
    };
    await repos.resources.create(resource);
    // The per-frame analyses hold landmarks and embeddings: they go as soon as the verdict is kept.
    await repos.livenessFrames.deleteForChallenge(session.id, record.id);
    await this.deps.lifecycle.resourceUpdated(session, resource.id, `resource:${resource.id}:zoom`);
    const remaining = Math.max(
      0,
      maxAttempts(requirement) - livenessAttempts(requirement, await repos.resources.list(session.id)),
    );
    if (decision.result === 'APPROVE') return { state: 'PASSED', attempts_remaining: remaining };
    const code = state.failure?.code;
    return {
      state: remaining > 0 ? 'RETRY' : 'FAILED',
      reason: code && code !== 'CLOCK' ? code : 'NOT_CONFIRMED',
      attempts_remaining: remaining,
    };
  }
}

/** The engine's challenge from its stored record (the plan is in `steps`, the times on the record). */
function planOf(record: CaptureChallenge): Challenge {
  return {
    id: record.id,
    steps: (record.steps ?? []).map((s) => s.kind as StepKind),
    createdAtMs: record.createdAt,
    expiresAtMs: record.expiresAt,
    options: { ...DEFAULT_CHALLENGE_OPTIONS },
  };
}
