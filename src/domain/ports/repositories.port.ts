import type { FaceAnalysis } from './face-engine.port.js';
import type {
  CheckRecord,
  DeviceEvent,
  MediaRecord,
  ResourceRecord,
  SessionBundle,
  SessionRecord,
  TaskRecord,
} from '../sessions/session.types.js';

export interface AppRecord {
  sdkId: string;
  name: string;
  publicKeyPem: string;
  webhookSecret: string;
  createdAt: number;
  revokedAt: number | null;
  /** Origins allowed to frame the app's capture pages: null = the server default, [] = none. */
  frameAncestors: string[] | null;
}

export interface AppRepository {
  create(app: AppRecord): Promise<void>;
  get(sdkId: string): Promise<AppRecord | null>;
  list(): Promise<AppRecord[]>;
  revoke(sdkId: string, at: number): Promise<boolean>;
  /** false when no such app exists. */
  setFrameAncestors(sdkId: string, origins: string[] | null): Promise<boolean>;
}

export interface SessionRepository {
  create(session: SessionRecord, checks: CheckRecord[]): Promise<void>;
  /** Scoped to the owning app: another app's session reads as missing. */
  get(appId: string, id: string): Promise<SessionRecord | null>;
  getById(id: string): Promise<SessionRecord | null>;
  getByClientToken(token: string): Promise<SessionRecord | null>;
  bundle(session: SessionRecord): Promise<SessionBundle>;
  update(
    id: string,
    patch: Partial<Pick<SessionRecord, 'state' | 'biometricConsentAt' | 'finishedAt' | 'completedAt'>>,
    at: number,
  ): Promise<void>;
  /** Deletes the session and every row that hangs off it. */
  delete(id: string): Promise<void>;
  listPurgeable(now: number, limit: number): Promise<SessionRecord[]>;
  /** ONGOING sessions whose token expired before the user finished and whose checks never started. */
  listUnfinishedExpired(now: number, limit: number): Promise<SessionRecord[]>;
}

export interface ResourceRepository {
  create(resource: ResourceRecord): Promise<void>;
  get(sessionId: string, id: string): Promise<ResourceRecord | null>;
  list(sessionId: string): Promise<ResourceRecord[]>;
  update(resource: ResourceRecord): Promise<void>;
}

export interface WorkRepository {
  getCheck(sessionId: string, id: string): Promise<CheckRecord | null>;
  saveCheck(check: CheckRecord): Promise<void>;
  listChecks(sessionId: string): Promise<CheckRecord[]>;
  getTask(sessionId: string, id: string): Promise<TaskRecord | null>;
  saveTask(task: TaskRecord): Promise<void>;
  listTasks(sessionId: string): Promise<TaskRecord[]>;
}

export interface MediaRepository {
  create(media: MediaRecord): Promise<void>;
  /** Sessions other than `sessionId` holding media with these bytes (a replayed capture). */
  countOtherSessionsWithDigest(sessionId: string, sha256: string): Promise<number>;
  get(sessionId: string, id: string): Promise<MediaRecord | null>;
  list(sessionId: string): Promise<MediaRecord[]>;
  delete(sessionId: string, id: string): Promise<void>;
}

export interface DeviceEventRepository {
  add(event: DeviceEvent): Promise<void>;
  list(sessionId: string): Promise<DeviceEvent[]>;
  clear(sessionId: string): Promise<void>;
}

/**
 * Per-session counters of what a client token made the server store or compute (erased with the session). Each
 * change is atomic, so concurrent requests of one session, in one process or several, never pass a limit together.
 */
export interface UsageRepository {
  /**
   * Adds each amount to its counter, all or none: null when every counter stays within its limit, else the name
   * of the first that would pass it (and nothing is added). Counters starting with `drop.prefix`, except
   * `drop.keep`, are deleted in the same step (earlier rate windows).
   */
  consume(
    sessionId: string,
    charges: readonly UsageCharge[],
    drop?: { prefix: string; keep: string },
  ): Promise<string | null>;
  /** Takes `amount` back off a counter (never below zero). */
  release(sessionId: string, counter: string, amount: number): Promise<void>;
}

export interface UsageCharge {
  counter: string;
  amount: number;
  limit: number;
}

export interface NonceRepository {
  /** Records a nonce; false when it was already seen for this app (a replay). */
  remember(sdkId: string, nonce: string, at: number): Promise<boolean>;
  /** Forgets nonces seen before `at` (never the guard's start). */
  purgeBefore(at: number): Promise<void>;
  /** When the guard started recording nonces (stored, so the first start holds across restarts): `now` if unset. */
  guardStart(now: number): Promise<number>;
  /** The guard is off: nonces seen from now on are not recorded, so a later start must not predate this. */
  forgetGuardStart(): Promise<void>;
}

/** A face analysis of one session image, kept so every check reads the same result (erased with the session). */
export interface StoredFaceAnalysis {
  mediaId: string;
  sessionId: string;
  /** Faces found (none when the image could not be read: see imageError). */
  analysis: FaceAnalysis;
  /** Why the image could not be analysed (an image error code of the face engine). */
  imageError: string | null;
  createdAt: number;
}

export interface FaceAnalysisRepository {
  get(mediaId: string): Promise<StoredFaceAnalysis | null>;
  save(record: StoredFaceAnalysis): Promise<void>;
  delete(mediaId: string): Promise<void>;
}

export interface CaptureChallenge {
  id: string;
  sessionId: string;
  expiresAt: number;
  usedAt: number | null;
  mediaSha256: string | null;
  createdAt: number;
  /** The LIVENESS requirement it was issued for; null on challenges issued before migration 0009. */
  requirementId: string | null;
  /** STATIC now, ZOOM later; null on challenges issued before migration 0009. */
  livenessType: string | null;
  /** A secret the upload echoes: only the client the challenge was issued to knows it. */
  nonce: string | null;
  /** The server's step plan (a STATIC burst is one step); revealed to the client one step at a time. */
  steps: ChallengeStep[] | null;
  /** How many steps of the plan the client has been shown. */
  revealed: number;
}

/** One step of a liveness challenge. STATIC: one BURST of live frames around the shutter. */
export interface ChallengeStep {
  kind: string;
  /** Frames the client must send for this step, the full-resolution still included. */
  frames: number;
  /** The time the frames should span, in milliseconds. */
  spanMs: number;
}

export interface ChallengeRepository {
  create(challenge: CaptureChallenge): Promise<void>;
  get(sessionId: string, id: string): Promise<CaptureChallenge | null>;
  /** Marks an unused, unexpired challenge used for an image digest; false when it was not usable. */
  consume(sessionId: string, id: string, sha256: string, at: number): Promise<boolean>;
  findByMedia(sessionId: string, sha256: string): Promise<CaptureChallenge | null>;
  /** A ZOOM challenge's next step was revealed: raises `revealed` to this count (never lowers it). */
  reveal(sessionId: string, id: string, revealed: number): Promise<void>;
  /**
   * Marks an unused ZOOM challenge used once its stream is decided, even past its expiry (a late stream is decided
   * too, as a failure); false when it was already used, so two racing requests cannot both decide it.
   */
  finish(sessionId: string, id: string, at: number): Promise<boolean>;
}

/**
 * One analysed frame of a ZOOM challenge still in progress. Frames are streamed one request at a time, maybe to
 * different API processes, so the tracker's state is rebuilt from these rows on each frame. The analysis holds
 * landmarks and an embedding (biometric data): the rows are deleted as soon as the challenge is decided.
 */
export interface LivenessFrameRecord {
  challengeId: string;
  sessionId: string;
  /** 0, 1, 2, … in arrival order. */
  index: number;
  receivedAt: number;
  /** JSON of the frame's FrameAnalysis (domain/liveness/active/frame-analysis.ts). */
  analysis: string;
}

export interface LivenessFrameRepository {
  /** Stores frame `index`; false when that index is already taken (a concurrent frame of the same challenge). */
  append(frame: LivenessFrameRecord): Promise<boolean>;
  /** The challenge's frames in index order. */
  list(sessionId: string, challengeId: string): Promise<LivenessFrameRecord[]>;
  deleteForChallenge(sessionId: string, challengeId: string): Promise<void>;
  /** Forgets frames received before `before`: those of challenges abandoned mid-stream, never decided; returns how many. */
  purgeReceivedBefore(before: number): Promise<number>;
}

/** A frame of a decided liveness capture, as the replay ledger keeps it: hashes only, never the image. */
export interface LedgerFrame {
  /** SHA-256 of the frame's bytes, hex. */
  digest: string;
  /** 256-bit DCT perceptual hash, 64 hex digits ('' when the frame could not be hashed). */
  perceptualHash: string;
}

/** The capture a ledger frame came from: its challenge, and the session that challenge served. */
export interface LedgerCapture {
  id: string;
  sessionId: string;
}

/** A recorded frame and where it sat: its capture, its session, and its position in that capture's stream. */
export interface LedgerEntry extends LedgerFrame {
  captureId: string;
  /** Null on frames recorded before sessions were kept. */
  sessionId: string | null;
  index: number;
}

/**
 * The per-tenant ledger of frames seen in earlier liveness captures, to refuse a capture that re-sends them
 * (byte for byte, or re-encoded). Scoped by app: one tenant's captures never inform another's decisions.
 */
export interface FrameLedgerRepository {
  /** Records a decided capture's frames, in stream order. */
  record(appId: string, capture: LedgerCapture, frames: LedgerFrame[], at: number): Promise<void>;
  /**
   * The app's recorded frames that could be near one of `frames`: the same digest, or a perceptual hash sharing at
   * least one of its eight 32-bit words (any hash within 7 bits of another shares at least one), for the caller's
   * exact Hamming test.
   */
  candidates(appId: string, frames: LedgerFrame[]): Promise<LedgerEntry[]>;
  /** Forgets frames recorded before `before` (retention); returns how many. */
  purgeBefore(before: number): Promise<number>;
}

/** A desktop-to-phone hand-off link; its secrets are kept only as SHA-256 digests. */
export interface HandoffRecord {
  id: string;
  sessionId: string;
  claimHash: string;
  watchHash: string;
  expiresAt: number;
  claimedAt: number | null;
  /** Set when a newer link replaced this one before it was claimed. */
  revokedAt: number | null;
  createdAt: number;
}

export interface HandoffRepository {
  create(handoff: HandoffRecord): Promise<void>;
  get(sessionId: string, id: string): Promise<HandoffRecord | null>;
  findByClaimHash(claimHash: string): Promise<HandoffRecord | null>;
  countForSession(sessionId: string): Promise<number>;
  /** Revokes the session's unclaimed links. */
  revokeOpen(sessionId: string, at: number): Promise<void>;
  /** Marks an unclaimed, unrevoked, unexpired link claimed; false when it was not claimable (single use). */
  claim(id: string, at: number): Promise<boolean>;
}

export interface WebhookDelivery {
  id: string;
  sessionId: string;
  topic: string;
  payload: Record<string, string>;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
}

export interface WebhookRepository {
  /** Idempotent on id; created_at strictly increases within a session so deliveries keep their order. */
  create(delivery: Omit<WebhookDelivery, 'createdAt'>, now: number): Promise<void>;
  get(id: string): Promise<WebhookDelivery | null>;
  list(sessionId: string): Promise<WebhookDelivery[]>;
  /** The oldest delivery of the session still pending before this one, if any. */
  earlierPending(delivery: WebhookDelivery): Promise<WebhookDelivery | null>;
  update(delivery: WebhookDelivery): Promise<void>;
}

export interface Repositories {
  apps: AppRepository;
  sessions: SessionRepository;
  resources: ResourceRepository;
  work: WorkRepository;
  media: MediaRepository;
  devices: DeviceEventRepository;
  usage: UsageRepository;
  nonces: NonceRepository;
  analyses: FaceAnalysisRepository;
  challenges: ChallengeRepository;
  livenessFrames: LivenessFrameRepository;
  frameLedger: FrameLedgerRepository;
  webhooks: WebhookRepository;
  handoffs: HandoffRepository;
}
