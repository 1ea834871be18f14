import { createHash } from 'node:crypto';
import type { SessionPolicy } from './session-policy.js';
import { AppError, validationError } from '../errors.js';
import { type ImageMime, sniffImageType } from '../media/image-type.js';
import type { ImageInspector } from '../ports/image-inspector.port.js';
import type { MediaStore } from '../ports/media-store.port.js';
import type { Repositories } from '../ports/repositories.port.js';
import { deriveRequirements } from './requirements.js';
import { renderSessionConfiguration, renderSessionResult } from './session-result.js';
import type { SessionSpecInput } from './session-spec.schema.js';
import { validateSessionSpec } from './session-spec.validator.js';
import type { CheckRecord, MediaRecord, ResourceRecord, SessionRecord } from './session.types.js';

export interface Clock {
  now(): number;
}

export interface SessionHooks {
  /** Called before a session is stored, for rules needing adapters (FFS pool ownership, webhook endpoints). */
  validateSpec?(appId: string, spec: ReturnType<typeof validateSessionSpec>): Promise<void>;
  /** Called after a capture changed a session's resources. */
  resourceUpdated?(session: SessionRecord, resourceId: string): Promise<void>;
  /** Called before a session's rows are deleted, to erase what lives outside them (faces, index entries). */
  erasing?(session: SessionRecord): Promise<void>;
  /** Called once an erasure has committed, to remove the copies a database keeps of deleted rows (SQLite's WAL). */
  erased?(): Promise<void>;
}

export interface SessionServiceDeps {
  repos: Repositories;
  media: MediaStore;
  images: ImageInspector;
  policy: SessionPolicy;
  clock: Clock;
  newId: () => string;
  hooks?: SessionHooks;
}

export const mediaKey = (m: Pick<MediaRecord, 'appId' | 'sessionId' | 'id'>) => `${m.appId}/${m.sessionId}/${m.id}`;

export class SessionService {
  constructor(private readonly deps: SessionServiceDeps) {}

  private get repos() {
    return this.deps.repos;
  }

  async create(appId: string, input: SessionSpecInput) {
    const now = this.deps.clock.now();
    const spec = validateSessionSpec(input, this.deps.policy, now);
    await this.deps.hooks?.validateSpec?.(appId, spec);
    const session: SessionRecord = {
      id: this.deps.newId(),
      appId,
      state: 'ONGOING',
      spec,
      requirements: deriveRequirements(spec, this.deps.newId),
      clientToken: this.deps.newId(),
      tokenExpiresAt: now + spec.client_session_token_ttl * 1000,
      resourcesExpireAt: now + spec.resources_ttl * 1000,
      biometricConsentAt: null,
      finishedAt: null,
      completedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    const checks: CheckRecord[] = spec.requested_checks.map((c) => ({
      id: this.deps.newId(),
      sessionId: session.id,
      type: c.type,
      state: 'CREATED',
      config: c.config,
      report: null,
      resourcesUsed: [],
      generatedMedia: [],
      createdAt: now,
      updatedAt: now,
    }));
    await this.repos.sessions.create(session, checks);
    return {
      client_session_token_ttl: spec.client_session_token_ttl,
      client_session_token: session.clientToken,
      session_id: session.id,
    };
  }

  /** The app's own session, or 404 exactly as for an unknown id. */
  async require(appId: string, id: string): Promise<SessionRecord> {
    const session = await this.repos.sessions.get(appId, id);
    if (!session) throw new AppError('SESSION_NOT_FOUND');
    return session;
  }

  async result(appId: string, id: string) {
    const session = await this.require(appId, id);
    return renderSessionResult(await this.repos.sessions.bundle(session), this.deps.clock.now());
  }

  async configuration(appId: string, id: string) {
    const session = await this.require(appId, id);
    return renderSessionConfiguration(session, await this.repos.resources.list(id), this.deps.clock.now());
  }

  /** Erasure on request answers only once no copy is left on disk, as complete as erasure by TTL. */
  async delete(appId: string, id: string): Promise<void> {
    await this.erase(await this.require(appId, id));
    await this.deps.hooks?.erased?.();
  }

  /** Erases a session everywhere: derived data, media bytes, then the rows (which cascade). */
  async erase(session: SessionRecord): Promise<void> {
    await this.deps.hooks?.erasing?.(session);
    await this.deps.media.deletePrefix(`${session.appId}/${session.id}/`);
    await this.repos.sessions.delete(session.id);
  }

  async mediaContent(appId: string, sessionId: string, mediaId: string) {
    await this.require(appId, sessionId);
    const media = await this.repos.media.get(sessionId, mediaId);
    const data = media ? await this.deps.media.get(mediaKey(media)) : null;
    if (!media || !data) throw new AppError('MEDIA_NOT_FOUND');
    return { contentType: media.contentType, data };
  }

  async deleteMedia(appId: string, sessionId: string, mediaId: string): Promise<void> {
    await this.require(appId, sessionId);
    const media = await this.repos.media.get(sessionId, mediaId);
    if (!media) throw new AppError('MEDIA_NOT_FOUND');
    await this.deps.media.delete(mediaKey(media));
    // The face analysis of an image holds its embedding: it goes with the image.
    await this.repos.analyses.delete(mediaId);
    await this.repos.media.delete(sessionId, mediaId);
    await this.deps.hooks?.erased?.();
  }

  /** Refuses writes to a session whose capture window has closed. */
  async requireWritable(appId: string, id: string): Promise<SessionRecord> {
    const session = await this.require(appId, id);
    if (session.state === 'COMPLETED') throw new AppError('CONFLICT', 'The session is already completed');
    if (session.state === 'EXPIRED' || this.deps.clock.now() >= session.tokenExpiresAt) throw new AppError('SESSION_EXPIRED');
    return session;
  }

  async createFaceCapture(appId: string, sessionId: string, requirementId: string) {
    const session = await this.requireWritable(appId, sessionId);
    const requirement = session.requirements.find((r) => r.id === requirementId);
    if (!requirement || requirement.type !== 'FACE_CAPTURE') {
      throw validationError([{ property: 'requirement_id', message: 'is not a FACE_CAPTURE requirement of this session' }]);
    }
    const now = this.deps.clock.now();
    const resource: ResourceRecord = {
      id: this.deps.newId(),
      sessionId,
      type: 'FACE_CAPTURE',
      requirementId,
      source: 'RELYING_BUSINESS',
      data: {},
      createdAt: now,
      updatedAt: now,
    };
    await this.repos.resources.create(resource);
    await this.recordEvent(sessionId, 'RESOURCE_CREATED', {});
    return { id: resource.id, frames: 1 };
  }

  /**
   * Refuses (422) bytes that are not a JPEG, PNG or WebP, or whose header the decode limits forbid, before anything
   * is stored. The type is sniffed from the bytes, never trusted.
   */
  async checkImage(data: Buffer): Promise<ImageMime> {
    const contentType = sniffImageType(data);
    if (!contentType) throw new AppError('UNPROCESSABLE_IMAGE', 'The image must be a JPEG, PNG or WebP file');
    await this.deps.images.check(data);
    return contentType;
  }

  /** Stores an image as a media of the session, once checkImage() accepts it. */
  async storeImage(session: SessionRecord, data: Buffer): Promise<MediaRecord> {
    return this.storeMedia(session, 'IMAGE', await this.checkImage(data), data);
  }

  async storeMedia(session: SessionRecord, type: MediaRecord['type'], contentType: string, data: Buffer): Promise<MediaRecord> {
    const media: MediaRecord = {
      id: this.deps.newId(),
      sessionId: session.id,
      appId: session.appId,
      type,
      contentType,
      storageKey: '',
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      createdAt: this.deps.clock.now(),
    };
    media.storageKey = mediaKey(media);
    // Bytes first: a crash between the two leaves an orphan file (erased with the session), never a dangling row.
    await this.deps.media.put(media.storageKey, data, contentType);
    await this.repos.media.create(media);
    return media;
  }

  async uploadFaceCaptureImage(appId: string, sessionId: string, resourceId: string, data: Buffer): Promise<void> {
    const session = await this.requireWritable(appId, sessionId);
    const resource = await this.repos.resources.get(sessionId, resourceId);
    if (!resource || resource.type !== 'FACE_CAPTURE') throw new AppError('RESOURCE_NOT_FOUND');
    if (resource.data.image_media_id || resource.data.applicant_face_id) {
      throw new AppError('CONFLICT', 'This face capture resource already has an image');
    }
    const media = await this.storeImage(session, data);
    resource.data = { ...resource.data, image_media_id: media.id };
    resource.updatedAt = this.deps.clock.now();
    await this.repos.resources.update(resource);
    await this.deps.hooks?.resourceUpdated?.(session, resource.id);
  }

  /** F11: the face-capture resource takes an applicant's enrolled face instead of an upload. */
  async attachApplicantFace(appId: string, sessionId: string, resourceId: string, applicantId: string, faceId: string): Promise<void> {
    const session = await this.requireWritable(appId, sessionId);
    const resource = await this.repos.resources.get(sessionId, resourceId);
    if (!resource || resource.type !== 'FACE_CAPTURE') throw new AppError('RESOURCE_NOT_FOUND');
    if (resource.data.image_media_id) throw new AppError('CONFLICT', 'This face capture resource already has an image');
    resource.data = { ...resource.data, applicant_id: applicantId, applicant_face_id: faceId };
    resource.updatedAt = this.deps.clock.now();
    await this.repos.resources.update(resource);
    await this.deps.hooks?.resourceUpdated?.(session, resource.id);
  }

  async recordEvent(sessionId: string, event: string, device: Record<string, string>): Promise<void> {
    await this.repos.devices.add({ id: this.deps.newId(), sessionId, event, device, createdAt: this.deps.clock.now() });
  }

  /** Extension: the webhook delivery log of a session. */
  async notifications(appId: string, sessionId: string) {
    await this.require(appId, sessionId);
    const deliveries = await this.repos.webhooks.list(sessionId);
    const iso = (ms: number) => new Date(ms).toISOString();
    return deliveries.map((d) => ({
      id: d.id,
      topic: d.topic,
      state: d.state,
      attempts: d.attempts,
      ...(d.lastStatus !== null ? { last_status: d.lastStatus } : {}),
      ...(d.lastError ? { last_error: d.lastError } : {}),
      created: iso(d.createdAt),
      ...(d.deliveredAt !== null ? { delivered: iso(d.deliveredAt) } : {}),
    }));
  }

  async trackedDevices(appId: string, sessionId: string) {
    await this.require(appId, sessionId);
    const events = await this.repos.devices.list(sessionId);
    return events.map((e) => ({ event: e.event, created: new Date(e.createdAt).toISOString(), device: e.device }));
  }

  async deleteTrackedDevices(appId: string, sessionId: string): Promise<void> {
    await this.require(appId, sessionId);
    await this.repos.devices.clear(sessionId);
  }
}
