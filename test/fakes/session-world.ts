import { loadConfig } from '../../src/config/config.js';
import { CaptureService } from '../../src/domain/capture/capture.service.js';
import { SessionQuota } from '../../src/domain/capture/session-quota.js';
import { ZoomLiveness } from '../../src/domain/capture/zoom-liveness.service.js';
import { FaceModelFrameAnalyser } from '../../src/infra/face/liveness/face-model.frame-analyser.js';
import type { CheckRegistry } from '../../src/domain/checks/registry.js';
import { DocumentTasks } from '../../src/domain/documents/document-tasks.js';
import { SessionMedia } from '../../src/domain/media/session-media.js';
import { Notifier } from '../../src/domain/notifications/notifier.js';
import { SessionEvidence } from '../../src/domain/pipeline/check-evidence.js';
import { FaceEvidence } from '../../src/domain/pipeline/face-evidence.js';
import { SessionPipeline } from '../../src/domain/pipeline/session-pipeline.js';
import { DEFAULT_FACE_QUALITY } from '../../src/domain/pools/enrolment-gate.js';
import type { PoolCandidate } from '../../src/domain/pools/pool-search.js';
import { poolDecisionPolicy } from '../../src/domain/pools/pool-threshold.js';
import type { PoolRecord } from '../../src/domain/pools/pool.types.js';
import type { DocumentReader } from '../../src/domain/ports/document-reader.port.js';
import type { AppRepository } from '../../src/domain/ports/repositories.port.js';
import { ReviewService } from '../../src/domain/review/review.service.js';
import { SessionLifecycle } from '../../src/domain/sessions/lifecycle/session-lifecycle.js';
import { validateSessionSpec } from '../../src/domain/sessions/session-spec.validator.js';
import { SessionService } from '../../src/domain/sessions/session.service.js';
import type { SessionSpecInput } from '../../src/domain/sessions/session-spec.schema.js';
import { decadeCalibration } from './decade-calibration.js';
import { MemoryJobQueue } from './memory-job-queue.js';
import { MemoryMediaStore } from './memory-media-store.js';
import { MemorySessionStore } from './memory-repositories.js';
import { MemoryReviewRepository } from './memory-reviews.js';
import { ScriptedFaceEngine } from './scripted-face-engine.js';

const CONFIG = loadConfig({});

/** A pool of the world: searching it finds `candidates`, whatever the face, and its threshold holds at `size`. */
export interface WorldPool {
  record: PoolRecord;
  candidates: PoolCandidate[];
  size: number;
}
const POLICY = CONFIG.sessions;

/**
 * The session domain on in-memory fakes of its ports: the real lifecycle, notifier and review service over a
 * memory store, queue and media store, with a clock the test moves and ids it can read; the pipeline evaluates
 * with a scripted face engine and an optional scripted pool. Webhook sending is not reached (deliveries stay queued
 * as jobs). `checks` replaces the check registry (a test's own checks); `reader` reads documents (the text
 * extraction task runs with it).
 */
export function sessionWorld(options: { checks?: CheckRegistry; pool?: WorldPool; reader?: DocumentReader } = {}) {
  const { checks, pool, reader } = options;
  let clock = 1_700_000_000_000;
  let seq = 0;
  const now = () => clock;
  const newId = () => `id-${++seq}`;
  const store = new MemorySessionStore();
  const calibration = decadeCalibration();
  const queue = new MemoryJobQueue();
  const media = new MemoryMediaStore();
  const apps: AppRepository = {
    create: async () => undefined,
    get: async () => null,
    list: async () => [],
    revoke: async () => false,
    setFrameAncestors: async () => false,
  };
  const notifier = new Notifier({
    repos: { webhooks: store.webhooks, sessions: store.sessions, apps },
    queue,
    sender: { post: async () => ({ status: 204 }) },
    now,
    maxAttempts: 3,
  });
  const reviews = new ReviewService({
    reviews: new MemoryReviewRepository(),
    policy: { fourEyesReject: false },
    now,
    newId,
  });
  let scrubs = 0;
  const lifecycle = new SessionLifecycle({
    sessions: store.sessions,
    resources: store.resources,
    work: store.work,
    queue,
    events: notifier,
    media,
    reviews,
    scrub: async () => void scrubs++,
    ...(checks ? { checks } : {}),
    now,
    newId,
  });
  reviews.onDecided((event) => lifecycle.reviewDecided(event));
  const engine = new ScriptedFaceEngine();
  const faces = new FaceEvidence({
    repos: store,
    media,
    engine: async () => engine,
    now,
    quality: DEFAULT_FACE_QUALITY,
  });
  const sessionMedia = new SessionMedia({
    store: media,
    media: store.media,
    images: { check: async () => undefined },
    now,
    newId,
  });
  const documents = reader
    ? new DocumentTasks({ repos: store, media, sessionMedia, reader: async () => reader, faces, now })
    : undefined;
  const evidence = new SessionEvidence({
    repos: store,
    poolRepo: {
      getPool: async (appId, id) => (pool && pool.record.appId === appId && pool.record.id === id ? pool.record : null),
      getFace: async () => null,
    },
    pools: {
      searchEmbedding: async (p, probe) => ({
        candidates: pool?.candidates ?? [],
        policy: poolDecisionPolicy(p.settings, pool?.size ?? 0, calibration),
        modelSetId: probe.modelSetId,
        calibration,
      }),
    },
    faces,
    calibration,
    modelSets: { calibration: async () => calibration },
    embeddingOf: async () => null,
    livenessThreshold: 0.5,
    ...(documents ? { documents } : {}),
    now,
  });
  const pipeline = new SessionPipeline({
    repos: store,
    queue,
    lifecycle,
    evidence,
    ...(checks ? { checks } : {}),
    ...(documents ? { tasks: documents } : {}),
    now,
    newId,
  });
  const sessions = new SessionService({
    repos: store,
    media,
    sessionMedia,
    lifecycle,
    policy: POLICY,
    ...(checks ? { checks } : {}),
    clock: { now },
    newId,
  });
  const quota = new SessionQuota(store.usage, CONFIG.capture, now);
  const zoom = new ZoomLiveness({
    repos: store,
    sessionMedia,
    lifecycle,
    sessions,
    analyser: async () => new FaceModelFrameAnalyser(engine),
    quota,
    now,
    newId,
  });
  const capture = new CaptureService({
    repos: store,
    sessions,
    ...(documents ? { documents } : {}),
    sessionMedia,
    lifecycle,
    faces,
    engine: async () => engine,
    quality: DEFAULT_FACE_QUALITY,
    quota,
    now,
    newId,
    challengeTtlMs: 60_000,
    zoom,
  });
  /** Runs every queued job (pipeline steps, lifecycle jobs; webhook deliveries are left out). */
  const drain = () =>
    queue.drain({ ...pipeline.handlers(), ...lifecycle.handlers(), 'webhook.deliver': () => undefined });
  return {
    store,
    queue,
    media,
    notifier,
    reviews,
    lifecycle,
    pipeline,
    sessions,
    capture,
    engine,
    faces,
    sessionMedia,
    drain,
    now,
    newId,
    advance: (ms: number) => {
      clock += ms;
    },
    scrubs: () => scrubs,
    /** Webhook topics recorded for a session, in order (one per event: re-sent events keep their id). */
    topics: async (sessionId: string) => (await store.webhooks.list(sessionId)).map((w) => w.topic),
    spec: (input: SessionSpecInput) => validateSessionSpec(input, POLICY, clock, checks),
  };
}
