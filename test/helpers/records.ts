import { randomUUID } from 'node:crypto';
import type { AnalysedFace, FaceQuality } from '../../src/domain/ports/face-engine.port.js';
import type { FaceRecord, PoolRecord } from '../../src/domain/pools/pool.types.js';
import type { AppRecord } from '../../src/domain/ports/repositories.port.js';
import type { SessionSpec } from '../../src/domain/sessions/session-spec.validator.js';
import type {
  CheckRecord,
  DeviceEvent,
  MediaRecord,
  ResourceRecord,
  SessionRecord,
  TaskRecord,
} from '../../src/domain/sessions/session.types.js';

// Records for repository tests: complete, valid and distinct, with overrides for what a test cares about.

export const anApp = (o: Partial<AppRecord> = {}): AppRecord => ({
  sdkId: randomUUID(),
  name: 'Test app',
  publicKeyPem: '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n',
  webhookSecret: randomUUID(),
  createdAt: 1_000,
  revokedAt: null,
  frameAncestors: null,
  ...o,
});

export const aSpec = (o: Partial<SessionSpec> = {}): SessionSpec => ({
  client_session_token_ttl: 600,
  resources_ttl: 86_400,
  user_tracking_id: 'user-1',
  requested_checks: [{ type: 'LIVENESS', config: {} }],
  requested_tasks: [],
  sdk_config: { allowed_capture_methods: 'CAMERA' } as SessionSpec['sdk_config'],
  required_documents: [],
  block_biometric_consent: false,
  ...o,
});

export const aSession = (appId: string, o: Partial<SessionRecord> = {}): SessionRecord => ({
  id: randomUUID(),
  appId,
  state: 'ONGOING',
  spec: aSpec(),
  requirements: [{ id: randomUUID(), type: 'LIVENESS', liveness_type: 'STATIC', max_retries: 3 }],
  clientToken: randomUUID(),
  tokenExpiresAt: 10_000,
  resourcesExpireAt: 100_000,
  biometricConsentAt: null,
  finishedAt: null,
  completedAt: null,
  createdAt: 2_000,
  updatedAt: 2_000,
  ...o,
});

export const aCheck = (sessionId: string, o: Partial<CheckRecord> = {}): CheckRecord => ({
  id: randomUUID(),
  sessionId,
  type: 'LIVENESS',
  state: 'CREATED',
  config: { manual_check: 'NEVER' },
  report: null,
  resourcesUsed: [],
  generatedMedia: [],
  createdAt: 2_000,
  updatedAt: 2_000,
  ...o,
});

export const aResource = (sessionId: string, o: Partial<ResourceRecord> = {}): ResourceRecord => ({
  id: randomUUID(),
  sessionId,
  type: 'LIVENESS',
  requirementId: null,
  source: 'END_USER',
  data: { liveness_type: 'STATIC', attempts: 0 },
  createdAt: 3_000,
  updatedAt: 3_000,
  ...o,
});

export const aTask = (sessionId: string, resourceId: string, o: Partial<TaskRecord> = {}): TaskRecord => ({
  id: randomUUID(),
  sessionId,
  resourceId,
  type: 'ID_DOCUMENT_TEXT_DATA_EXTRACTION',
  state: 'CREATED',
  config: {},
  recommendation: null,
  generatedChecks: [],
  generatedMedia: [],
  createdAt: 3_000,
  updatedAt: 3_000,
  ...o,
});

export const aMedia = (session: SessionRecord, o: Partial<MediaRecord> = {}): MediaRecord => {
  const id = o.id ?? randomUUID();
  return {
    id,
    sessionId: session.id,
    appId: session.appId,
    type: 'IMAGE',
    contentType: 'image/jpeg',
    storageKey: `${session.appId}/${session.id}/${id}`,
    size: 1234,
    sha256: 'ab'.repeat(32),
    createdAt: 4_000,
    ...o,
  };
};

export const aDeviceEvent = (sessionId: string, o: Partial<DeviceEvent> = {}): DeviceEvent => ({
  id: randomUUID(),
  sessionId,
  event: 'CLIENT_STARTED',
  device: { os: 'linux', browser: 'chromium' },
  createdAt: 5_000,
  ...o,
});

export const aQuality = (): FaceQuality =>
  ({
    faceSizePx: 180,
    sharpness: 120.5,
    brightness: 128,
    clippedFraction: 0.01,
    frontalness: 0.97,
    yawDeg: 2.5,
    rollDeg: -1.25,
  }) as FaceQuality;

/** A unit vector of pseudo-random floats; values chosen to exercise every bit, not to look like a face. */
export function anEmbedding(seed: number, dim = 512): Float32Array {
  const v = new Float32Array(dim);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < dim; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    v[i] = x / 2 ** 31 - 0.5;
  }
  const norm = Math.hypot(...v);
  for (let i = 0; i < dim; i++) v[i] = v[i]! / norm;
  return v;
}

export const aFace = (
  appId: string,
  applicantId: string,
  o: Partial<Omit<FaceRecord, 'key'>> = {},
): Omit<FaceRecord, 'key'> => {
  const id = o.id ?? randomUUID();
  return {
    id,
    applicantId,
    appId,
    modelSetId: 'test-model-set-1',
    embedding: anEmbedding(id.charCodeAt(0) + id.charCodeAt(1) * 256),
    quality: aQuality(),
    imageKey: `${appId}/applicants/${applicantId}/${id}`,
    contentType: 'image/jpeg',
    source: { type: 'IMAGE' },
    createdAt: 6_000,
    ...o,
  };
};

export const aPool = (appId: string, o: Partial<PoolRecord> = {}): PoolRecord => ({
  id: randomUUID(),
  appId,
  label: 'members',
  settings: { top_k: 5 },
  // The set aFace() embeds with: a pool on another set would hold none of those faces.
  modelSetId: 'test-model-set-1',
  createdAt: 7_000,
  updatedAt: 7_000,
  ...o,
});

/** One analysed face as the engine reports it, with a seeded embedding. */
export const aFaceResult = (seed: number): AnalysedFace =>
  ({
    box: { x: 10.5, y: 20.25, width: 100, height: 120 },
    landmarks: [
      { x: 40, y: 60 },
      { x: 80, y: 60 },
      { x: 60, y: 80 },
      { x: 45, y: 100 },
      { x: 75, y: 100 },
    ],
    detectorScore: 0.98,
    quality: aQuality(),
    embedding: anEmbedding(seed),
    liveness: 0.91,
  }) as AnalysedFace;
