import type { CheckRegistry } from '../checks/registry.js';
import { AppError, validationError } from '../errors.js';
import { mediaKey, type SessionMedia } from '../media/session-media.js';
import type { MediaStore } from '../ports/media-store.port.js';
import type { Repositories } from '../ports/repositories.port.js';
import type { SessionLifecycle } from './lifecycle/session-lifecycle.js';
import type { SessionPolicy } from './session-policy.js';
import type { SessionSpecInput } from './session-spec.schema.js';
import { type SessionSpec, validateSessionSpec } from './session-spec.validator.js';
import type { ResourceRecord, SessionBundle, SessionRecord } from './session.types.js';

export interface Clock {
  now(): number;
}

/** Rules of a session specification that need adapters (FFS pool ownership, webhook endpoints). */
export interface SessionSpecRules {
  check(appId: string, spec: SessionSpec): Promise<void>;
}

export interface SessionServiceDeps {
  repos: Pick<Repositories, 'sessions' | 'resources' | 'media' | 'analyses' | 'devices' | 'webhooks'>;
  /** Media bytes: read and deleted here; written through `sessionMedia`. */
  media: Pick<MediaStore, 'get' | 'delete'>;
  sessionMedia: SessionMedia;
  lifecycle: Pick<SessionLifecycle, 'create' | 'delete' | 'resourceUpdated' | 'capturesChanged'>;
  specRules?: SessionSpecRules;
  policy: SessionPolicy;
  /** The checks sessions may ask for (CHECKS unless a test adds its own). */
  checks?: CheckRegistry;
  clock: Clock;
  newId: () => string;
  /** Removes the copies a database keeps of deleted rows (SQLite's WAL), once an erasure has committed. */
  scrub?: () => Promise<void>;
}

export class SessionService {
  constructor(private readonly deps: SessionServiceDeps) {}

  private get repos() {
    return this.deps.repos;
  }

  async create(appId: string, input: SessionSpecInput) {
    const spec = validateSessionSpec(input, this.deps.policy, this.deps.clock.now(), this.deps.checks);
    await this.deps.specRules?.check(appId, spec);
    const session = await this.deps.lifecycle.create(appId, spec);
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

  /** Everything the session result shows, and the time it is shown at (the token TTL counts down). */
  async result(appId: string, id: string): Promise<{ bundle: SessionBundle; at: number }> {
    const session = await this.require(appId, id);
    return { bundle: await this.repos.sessions.bundle(session), at: this.deps.clock.now() };
  }

  async configuration(
    appId: string,
    id: string,
  ): Promise<{ session: SessionRecord; resources: ResourceRecord[]; at: number }> {
    const session = await this.require(appId, id);
    return { session, resources: await this.repos.resources.list(id), at: this.deps.clock.now() };
  }

  async delete(appId: string, id: string): Promise<void> {
    await this.deps.lifecycle.delete(await this.require(appId, id));
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
    await this.deps.scrub?.();
  }

  /** Refuses writes to a session whose capture window has closed. */
  async requireWritable(appId: string, id: string): Promise<SessionRecord> {
    const session = await this.require(appId, id);
    if (session.state === 'COMPLETED') throw new AppError('CONFLICT', 'The session is already completed');
    if (session.state === 'EXPIRED' || this.deps.clock.now() >= session.tokenExpiresAt)
      throw new AppError('SESSION_EXPIRED');
    return session;
  }

  async createFaceCapture(appId: string, sessionId: string, requirementId: string) {
    const session = await this.requireWritable(appId, sessionId);
    const requirement = session.requirements.find((r) => r.id === requirementId);
    if (requirement?.type !== 'FACE_CAPTURE') {
      throw validationError([
        { property: 'requirement_id', message: 'is not a FACE_CAPTURE requirement of this session' },
      ]);
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

  async uploadFaceCaptureImage(appId: string, sessionId: string, resourceId: string, data: Buffer): Promise<void> {
    const session = await this.requireWritable(appId, sessionId);
    const resource = await this.repos.resources.get(sessionId, resourceId);
    if (resource?.type !== 'FACE_CAPTURE') throw new AppError('RESOURCE_NOT_FOUND');
    if (resource.data.image_media_id || resource.data.applicant_face_id) {
      throw new AppError('CONFLICT', 'This face capture resource already has an image');
    }
    const media = await this.deps.sessionMedia.storeImage(session, data);
    resource.data = { ...resource.data, image_media_id: media.id };
    resource.updatedAt = this.deps.clock.now();
    await this.repos.resources.update(resource);
    await this.capturedByRelyingBusiness(session, resource.id);
  }

  /** F11: the face-capture resource takes an applicant's enrolled face instead of an upload. */
  async attachApplicantFace(
    appId: string,
    sessionId: string,
    resourceId: string,
    applicantId: string,
    faceId: string,
  ): Promise<void> {
    const session = await this.requireWritable(appId, sessionId);
    const resource = await this.repos.resources.get(sessionId, resourceId);
    if (resource?.type !== 'FACE_CAPTURE') throw new AppError('RESOURCE_NOT_FOUND');
    if (resource.data.image_media_id) throw new AppError('CONFLICT', 'This face capture resource already has an image');
    resource.data = { ...resource.data, applicant_id: applicantId, applicant_face_id: faceId };
    resource.updatedAt = this.deps.clock.now();
    await this.repos.resources.update(resource);
    await this.capturedByRelyingBusiness(session, resource.id);
  }

  /** Relying-business uploads have no "finish": the last required capture starts the checks. */
  private async capturedByRelyingBusiness(session: SessionRecord, resourceId: string): Promise<void> {
    await this.deps.lifecycle.resourceUpdated(session, resourceId);
    await this.deps.lifecycle.capturesChanged(session);
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
