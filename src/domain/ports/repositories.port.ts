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
}

export interface AppRepository {
  create(app: AppRecord): Promise<void>;
  get(sdkId: string): Promise<AppRecord | null>;
  list(): Promise<AppRecord[]>;
  revoke(sdkId: string, at: number): Promise<boolean>;
}

export interface SessionRepository {
  create(session: SessionRecord, checks: CheckRecord[]): Promise<void>;
  /** Scoped to the owning app: another app's session reads as missing. */
  get(appId: string, id: string): Promise<SessionRecord | null>;
  getById(id: string): Promise<SessionRecord | null>;
  getByClientToken(token: string): Promise<SessionRecord | null>;
  bundle(session: SessionRecord): Promise<SessionBundle>;
  update(id: string, patch: Partial<Pick<SessionRecord, 'state' | 'biometricConsentAt' | 'finishedAt' | 'completedAt'>>, at: number): Promise<void>;
  /** Deletes the session and every row that hangs off it. */
  delete(id: string): Promise<void>;
  listPurgeable(now: number, limit: number): Promise<SessionRecord[]>;
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
  get(sessionId: string, id: string): Promise<MediaRecord | null>;
  list(sessionId: string): Promise<MediaRecord[]>;
  delete(sessionId: string, id: string): Promise<void>;
}

export interface DeviceEventRepository {
  add(event: DeviceEvent): Promise<void>;
  list(sessionId: string): Promise<DeviceEvent[]>;
  clear(sessionId: string): Promise<void>;
}

export interface NonceRepository {
  /** Records a nonce; false when it was already seen for this app (a replay). */
  remember(sdkId: string, nonce: string, at: number): Promise<boolean>;
  purgeBefore(at: number): Promise<void>;
}

export interface Repositories {
  apps: AppRepository;
  sessions: SessionRepository;
  resources: ResourceRepository;
  work: WorkRepository;
  media: MediaRepository;
  devices: DeviceEventRepository;
  nonces: NonceRepository;
}
