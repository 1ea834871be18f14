import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DocumentEvidence } from '../checks/check-definition.js';
import { countriesFor, isKnownCountry } from '../documents/supported-documents.js';
import {
  attemptLimits,
  attemptsRemaining,
  attemptsUsed,
  readingFailure,
  type TextAttemptCategory,
} from '../documents/text-attempts.js';
import { AppError, validationError } from '../errors.js';
import { imageRefusal } from '../media/image-refusal.js';
import type { SessionMedia } from '../media/session-media.js';
import type { FaceEvidence } from '../pipeline/face-evidence.js';
import type { FaceEngine, ImageErrorCode } from '../ports/face-engine.port.js';
import type { CaptureChallenge, ChallengeStep, Repositories } from '../ports/repositories.port.js';
import { BURST } from '../checks/static-burst.js';
import type { FaceQualityPolicy } from '../pools/enrolment-gate.js';
import type { SessionLifecycle } from '../sessions/lifecycle/session-lifecycle.js';
import { isRequirementMet, livenessAttempts, maxAttempts } from '../sessions/requirements.js';
import { SUPPLEMENTARY_DOCUMENT_TYPES } from '../sessions/session-spec.schema.js';
import { isTokenActive, tokenTtl } from '../sessions/session-token.js';
import type { SessionService } from '../sessions/session.service.js';
import type { Requirement, ResourceRecord, SessionRecord } from '../sessions/session.types.js';
import { captureFeedback } from './capture-feedback.js';
import type { SessionQuota } from './session-quota.js';
import type { ZoomLiveness } from './zoom-liveness.service.js';
import { nonceMatches } from './challenge-nonce.js';

export interface CaptureServiceDeps {
  repos: Pick<Repositories, 'sessions' | 'resources' | 'challenges' | 'devices'>;
  sessions: Pick<SessionService, 'recordEvent' | 'deleteMedia'>;
  /** Reads an ID document when it is completed, where attempts_configuration lets the user capture it again. */
  documents?: Pick<DocumentEvidence, 'reading'>;
  sessionMedia: Pick<SessionMedia, 'checkImage' | 'store'>;
  lifecycle: Pick<SessionLifecycle, 'resourceUpdated' | 'userFinished'>;
  faces: FaceEvidence;
  engine: () => Promise<FaceEngine>;
  quality: FaceQualityPolicy;
  quota: SessionQuota;
  now: () => number;
  newId: () => string;
  challengeTtlMs: number;
  zoom: ZoomLiveness;
}

export interface UploadedImage {
  data: Buffer;
}

/** A STATIC liveness upload: the still, the other frames of the burst, their times, and the challenge answered. */
export interface LivenessBurst {
  image: UploadedImage;
  frames: UploadedImage[];
  /** Milliseconds from the burst's first frame: of the still, and of each frame in order. */
  stillOffsetMs: number;
  frameOffsetsMs: number[];
  challengeId: string;
  nonce: string;
  requirementId?: string;
}

export type DocumentKind = 'ID_DOCUMENT' | 'SUPPLEMENTARY_DOCUMENT';

/**
 * The answer to completing a document. Where the session sets attempts_configuration, `reading` says how the
 * reading went (a category and reason when it failed) and `attempts_remaining` what is left per category; RETRY
 * means the pages were discarded and the document must be captured again.
 */
export interface DocumentCompletion {
  id: string;
  state: 'COMPLETED' | 'RETRY';
  reading?: { category: TextAttemptCategory | null; reason: string | null };
  attempts_remaining?: Record<string, number>;
}

/** Pages per document: an ID document has a front and a back; a bill or statement may run to a few pages. */
const MAX_PAGES: Record<DocumentKind, number> = { ID_DOCUMENT: 2, SUPPLEMENTARY_DOCUMENT: 4 };

/** The document types a SUPPLEMENTARY_DOCUMENT requirement accepts: those it names, else all of Yoti's four. */
export function supplementaryTypes(requirement: Requirement): readonly string[] {
  return requirement.document_types?.length ? requirement.document_types : SUPPLEMENTARY_DOCUMENT_TYPES;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * The end-user capture API (openidv's own; Yoti's web client API is not public), authenticated by the session's
 * client token and scoped to that one session.
 */
export class CaptureService {
  constructor(private readonly deps: CaptureServiceDeps) {}

  /** The session the token opens, only while the token is alive, and only for its own session id. */
  async authenticate(sessionId: string, token: string | undefined): Promise<SessionRecord> {
    const session = token ? await this.deps.repos.sessions.getByClientToken(token) : null;
    const same =
      session !== null &&
      session.id.length === sessionId.length &&
      timingSafeEqual(Buffer.from(session.id), Buffer.from(sessionId)) &&
      isTokenActive(session, this.deps.now());
    if (!same) throw new AppError('BAD_TOKEN');
    return session!;
  }

  private requirement(
    session: SessionRecord,
    id: string | undefined,
    type: Requirement['type'],
    property = 'requirement_id',
  ): Requirement {
    const found = id
      ? session.requirements.find((r) => r.id === id)
      : session.requirements.find((r) => r.type === type);
    if (!found || found.type !== type)
      throw validationError([{ property, message: `is not a ${type} requirement of this session` }]);
    return found;
  }

  private requireConsent(session: SessionRecord): void {
    if (session.biometricConsentAt === null)
      throw new AppError('FORBIDDEN', 'Biometric consent is required before a face capture');
  }

  async configuration(session: SessionRecord, device: Record<string, string>) {
    const resources = await this.deps.repos.resources.list(session.id);
    const events = await this.deps.repos.devices.list(session.id);
    if (!events.some((e) => e.event === 'CONFIG_FIRST_LOADED'))
      await this.deps.sessions.recordEvent(session.id, 'CONFIG_FIRST_LOADED', device);
    const { spec } = session;
    const sdk = spec.sdk_config;
    return {
      session_id: session.id,
      client_session_token_ttl: tokenTtl(session, this.deps.now()),
      biometric_consent:
        session.biometricConsentAt !== null ? new Date(session.biometricConsentAt).toISOString() : null,
      biometric_consent_required: !spec.block_biometric_consent,
      // The user has begun (a capture of theirs exists): a relying party's own face reference does not count.
      end_user_started: resources.some((r) => r.source === 'END_USER'),
      sdk_config: {
        allowed_capture_methods: sdk.allowed_capture_methods,
        primary_colour: sdk.primary_colour ?? '#2d9fff',
        secondary_colour: sdk.secondary_colour ?? '#ffffff',
        font_colour: sdk.font_colour ?? '#1d1d1d',
        locale: sdk.locale ?? 'en',
        preset_issuing_country: sdk.preset_issuing_country ?? null,
        privacy_policy_url: sdk.privacy_policy_url ?? null,
        success_url: sdk.success_url ?? null,
        error_url: sdk.error_url ?? null,
        biometric_consent_flow: sdk.biometric_consent_flow ?? 'EARLY',
        allow_handoff: sdk.allow_handoff ?? false,
        suppressed_screens: sdk.suppressed_screens ?? [],
      },
      requirements: session.requirements.map((r) => {
        const base = { id: r.id, type: r.type, state: isRequirementMet(r, resources) ? 'COMPLETED' : 'REQUIRED' };
        if (r.type === 'ID_DOCUMENT')
          return {
            ...base,
            supported_countries: countriesFor(r.filter),
            allow_expired_documents: r.filter?.allow_expired_documents ?? false,
          };
        if (r.type === 'SUPPLEMENTARY_DOCUMENT')
          return {
            ...base,
            document_types: [...supplementaryTypes(r)],
            country_codes: r.country_codes ?? [],
            objective: r.objective?.type ?? 'PROOF_OF_ADDRESS',
          };
        if (r.type === 'LIVENESS') {
          return {
            ...base,
            liveness_type: r.liveness_type ?? 'STATIC',
            attempts_remaining: Math.max(0, maxAttempts(r) - livenessAttempts(r, resources)),
          };
        }
        return base;
      }),
    };
  }

  async consent(session: SessionRecord) {
    if (session.spec.block_biometric_consent)
      throw new AppError('FORBIDDEN', 'Biometric consent is blocked for this session');
    const at = session.biometricConsentAt ?? this.deps.now();
    if (session.biometricConsentAt === null)
      await this.deps.repos.sessions.update(session.id, { biometricConsentAt: at }, at);
    return { biometric_consent: new Date(at).toISOString() };
  }

  /**
   * A liveness challenge: single use, short-lived, bound to this session and one LIVENESS requirement, with a
   * secret nonce the upload must echo. Its plan is revealed a step at a time: STATIC has one step (the burst);
   * ZOOM a secret plan of head moves (zoom-liveness.service.ts).
   */
  async challenge(session: SessionRecord, requirementId?: string) {
    this.requireConsent(session);
    const requirement = this.requirement(session, requirementId, 'LIVENESS');
    await this.deps.quota.event(session.id);
    if (requirement.liveness_type === 'ZOOM') return this.deps.zoom.start(session, requirement);
    const now = this.deps.now();
    const steps: ChallengeStep[] = [{ kind: 'BURST', frames: BURST.frames, spanMs: BURST.spanMs }];
    const challenge = {
      id: this.deps.newId(),
      sessionId: session.id,
      expiresAt: now + this.deps.challengeTtlMs,
      usedAt: null,
      mediaSha256: null,
      createdAt: now,
      requirementId: requirement.id,
      livenessType: 'STATIC',
      nonce: randomBytes(16).toString('base64url'),
      steps,
      revealed: 1,
    };
    await this.deps.repos.challenges.create(challenge);
    const step = steps[0]!;
    return {
      challenge_id: challenge.id,
      nonce: challenge.nonce,
      requirement_id: requirement.id,
      liveness_type: 'STATIC' as const,
      expires_at: new Date(challenge.expiresAt).toISOString(),
      steps_total: steps.length,
      step: {
        index: 0,
        kind: step.kind,
        frames: step.frames,
        span_ms: step.spanMs,
        min_frames: BURST.minFrames,
        max_frames: BURST.maxFrames,
      },
    };
  }

  async createDocument(
    session: SessionRecord,
    body: { requirement_id: string; document_type: string; issuing_country: string },
  ) {
    const requirement = this.requirement(session, body.requirement_id, 'ID_DOCUMENT');
    const allowed = countriesFor(requirement.filter).find((c) => c.code === body.issuing_country);
    if (!allowed) throw validationError([{ property: 'issuing_country', message: 'is not accepted for this session' }]);
    if (!allowed.supported_documents.some((d) => d.type === body.document_type)) {
      throw validationError([
        { property: 'document_type', message: 'is not accepted for this country in this session' },
      ]);
    }
    await this.deps.quota.event(session.id);
    const now = this.deps.now();
    // A capture sent back to be taken again (its reading failed) is taken again in the same resource, whatever
    // document the user now chooses: its tries stay counted against it.
    const retaken = (await this.deps.repos.resources.list(session.id)).find(
      (r) =>
        r.requirementId === requirement.id &&
        r.source === 'END_USER' &&
        r.data.text_attempts &&
        !r.data.complete &&
        !r.data.pages?.length,
    );
    if (retaken) {
      retaken.data = { ...retaken.data, document_type: body.document_type, issuing_country: body.issuing_country };
      retaken.updatedAt = now;
      await this.deps.repos.resources.update(retaken);
      return { id: retaken.id };
    }
    const resource: ResourceRecord = {
      id: this.deps.newId(),
      sessionId: session.id,
      type: 'ID_DOCUMENT',
      requirementId: requirement.id,
      source: 'END_USER',
      data: { document_type: body.document_type, issuing_country: body.issuing_country, pages: [] },
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.repos.resources.create(resource);
    await this.deps.sessions.recordEvent(session.id, 'RESOURCE_CREATED', {});
    return { id: resource.id };
  }

  /**
   * A proof-of-address document (SUPPLEMENTARY_DOCUMENT requirement): a type the requirement allows (any of Yoti's
   * four when it names none) and, where the requirement lists countries, one of them. No text is read from it.
   */
  async createSupplementaryDocument(
    session: SessionRecord,
    body: { requirement_id: string; document_type: string; issuing_country?: string },
  ) {
    const requirement = this.requirement(session, body.requirement_id, 'SUPPLEMENTARY_DOCUMENT');
    if (!supplementaryTypes(requirement).includes(body.document_type)) {
      throw validationError([{ property: 'document_type', message: 'is not accepted for this session' }]);
    }
    const countries = requirement.country_codes ?? [];
    const country = body.issuing_country;
    if (countries.length && country === undefined)
      throw validationError([
        { property: 'issuing_country', message: 'is required: this session accepts documents of some countries only' },
      ]);
    if (country !== undefined && !(countries.length ? countries.includes(country) : isKnownCountry(country))) {
      throw validationError([{ property: 'issuing_country', message: 'is not accepted for this session' }]);
    }
    await this.deps.quota.event(session.id);
    const now = this.deps.now();
    const resource: ResourceRecord = {
      id: this.deps.newId(),
      sessionId: session.id,
      type: 'SUPPLEMENTARY_DOCUMENT',
      requirementId: requirement.id,
      source: 'END_USER',
      data: { document_type: body.document_type, ...(country ? { issuing_country: country } : {}), pages: [] },
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.repos.resources.create(resource);
    await this.deps.sessions.recordEvent(session.id, 'RESOURCE_CREATED', {});
    return { id: resource.id };
  }

  private async ownResource(session: SessionRecord, id: string, type: ResourceRecord['type']): Promise<ResourceRecord> {
    const resource = await this.deps.repos.resources.get(session.id, id);
    if (!resource || resource.type !== type || resource.source !== 'END_USER') throw new AppError('RESOURCE_NOT_FOUND');
    return resource;
  }

  async uploadPage(
    session: SessionRecord,
    resourceId: string,
    image: UploadedImage,
    frames: UploadedImage[],
    method: 'CAMERA' | 'UPLOAD',
    kind: DocumentKind = 'ID_DOCUMENT',
  ) {
    const resource = await this.ownResource(session, resourceId, kind);
    if (resource.data.complete) throw new AppError('CONFLICT', 'This document is already complete');
    if (method === 'UPLOAD' && session.spec.sdk_config.allowed_capture_methods === 'CAMERA') {
      throw new AppError('FORBIDDEN', 'This session accepts camera captures only');
    }
    const maxPages = MAX_PAGES[kind];
    if ((resource.data.pages?.length ?? 0) >= maxPages)
      throw new AppError('CONFLICT', `A document has at most ${maxPages} pages`);
    const images = [image.data, ...frames.slice(0, 5).map((f) => f.data)];
    const [page, ...frameMedia] = await this.receiving(session, images, async () => {
      // Every image is checked before any is stored, so a refused frame leaves no page behind.
      const types = await Promise.all(images.map((data) => this.deps.sessionMedia.checkImage(data)));
      const stored = [];
      for (const [i, data] of images.entries())
        stored.push(await this.deps.sessionMedia.store(session, 'IMAGE', types[i]!, data));
      return stored;
    });
    resource.data = {
      ...resource.data,
      pages: [
        ...(resource.data.pages ?? []),
        { capture_method: method, media_id: page!.id, frames: frameMedia.map((m) => m.id) },
      ],
    };
    resource.updatedAt = this.deps.now();
    await this.deps.repos.resources.update(resource);
    await this.deps.lifecycle.resourceUpdated(session, resource.id, `resource:${resource.id}:page:${page!.id}`);
    return { page: resource.data.pages!.length, media_id: page!.id };
  }

  async completeDocument(
    session: SessionRecord,
    resourceId: string,
    kind: DocumentKind = 'ID_DOCUMENT',
  ): Promise<DocumentCompletion> {
    const resource = await this.ownResource(session, resourceId, kind);
    if (resource.data.complete) return { id: resource.id, state: 'COMPLETED' };
    if (!resource.data.pages?.length) throw new AppError('CONFLICT', 'Upload at least one page first');
    const retry = kind === 'ID_DOCUMENT' ? await this.readForRetry(session, resource) : null;
    if (retry?.state === 'RETRY') return retry;
    // Read again: the reading stored on the resource meanwhile must not be written over.
    const latest = retry ? ((await this.deps.repos.resources.get(session.id, resource.id)) ?? resource) : resource;
    latest.data = { ...latest.data, complete: true };
    latest.updatedAt = this.deps.now();
    await this.deps.repos.resources.update(latest);
    return {
      id: resource.id,
      state: 'COMPLETED',
      ...(retry ? { reading: retry.reading, attempts_remaining: retry.attempts_remaining } : {}),
    };
  }

  /**
   * With attempts_configuration, the document is read now: a failed reading with a try left in its category
   * spends it, discards the pages and asks for the document again (RETRY); with none left it goes on as it is.
   * Null where the session sets no attempts (the reading waits for the pipeline, as before).
   */
  private async readForRetry(session: SessionRecord, resource: ResourceRecord): Promise<DocumentCompletion | null> {
    const limits = attemptLimits(session.spec);
    if (!limits || !this.deps.documents) return null;
    const requirement = session.requirements.find((r) => r.id === resource.requirementId);
    if (!requirement) return null;
    const bundle = await this.deps.repos.sessions.bundle(session);
    const current = bundle.resources.find((r) => r.id === resource.id) ?? resource;
    const failure = readingFailure(current, await this.deps.documents.reading(bundle, current));
    const used = attemptsUsed(requirement, bundle.resources);
    const left = (limits[failure?.category ?? 'GENERIC'] ?? 0) - (used[failure?.category ?? 'GENERIC'] ?? 0);
    if (!failure || left <= 0) {
      return {
        id: resource.id,
        state: 'COMPLETED',
        reading: failure ?? { category: null, reason: null },
        attempts_remaining: attemptsRemaining(session.spec, requirement, bundle.resources),
      };
    }
    const pages = current.data.pages ?? [];
    const attempts = {
      ...current.data.text_attempts,
      [failure.category]: (current.data.text_attempts?.[failure.category] ?? 0) + 1,
    };
    const { reading: _discarded, ...kept } = current.data;
    current.data = { ...kept, pages: [], text_attempts: attempts };
    current.updatedAt = this.deps.now();
    await this.deps.repos.resources.update(current);
    // The unreadable pages are not the document: they are erased rather than kept unreferenced, and their bytes no
    // longer count as stored (the images still count as received).
    const erased = pages.flatMap((p) => [p.media_id, ...p.frames]);
    for (const id of erased) await this.deps.sessions.deleteMedia(session.appId, session.id, id);
    await this.deps.quota.erased(
      session.id,
      bundle.media.filter((m) => erased.includes(m.id)).reduce((sum, m) => sum + m.size, 0),
    );
    await this.deps.sessions.recordEvent(session.id, `DOCUMENT_RETRY:${failure.category}`, {});
    const resources = bundle.resources.map((r) => (r.id === current.id ? current : r));
    return {
      id: resource.id,
      state: 'RETRY',
      reading: failure,
      attempts_remaining: attemptsRemaining(session.spec, requirement, resources),
    };
  }

  /**
   * Counts received images against the session's quota (refused ones too: each cost a decode), and gives their
   * bytes back when `work` refuses them, since nothing of them is kept.
   */
  private async receiving<T>(session: SessionRecord, images: Buffer[], work: () => Promise<T>): Promise<T> {
    await this.deps.quota.upload(session.id, images);
    try {
      return await work();
    } catch (err) {
      await this.deps.quota.notKept(session.id, images);
      throw err;
    }
  }

  /**
   * A face image the engine can read, stored with its analysis. An image it cannot read (undecodable, too small,
   * too large) is refused with 422 and nothing of it is kept.
   */
  private async acceptFaceImage(
    session: SessionRecord,
    image: UploadedImage,
    beforeStore: (digest: string) => Promise<void> = async () => undefined,
  ) {
    const contentType = await this.deps.sessionMedia.checkImage(image.data);
    const examined = await this.deps.faces.examine(image.data);
    if (examined.imageError) throw imageRefusal(examined.imageError as ImageErrorCode);
    await beforeStore(sha256(image.data));
    const media = await this.deps.sessionMedia.store(session, 'IMAGE', contentType, image.data);
    return { media, stored: await this.deps.faces.keep(media, examined) };
  }

  /**
   * A usable, unused, unexpired challenge of this session for this requirement whose nonce the client echoes. Every
   * way of failing gives the same answer, so a guess learns nothing about which part was wrong.
   */
  private async openChallenge(
    session: SessionRecord,
    requirement: Requirement,
    challengeId: string,
    nonce: string,
  ): Promise<CaptureChallenge> {
    const challenge = await this.deps.repos.challenges.get(session.id, challengeId);
    const usable =
      challenge !== null &&
      challenge.livenessType === 'STATIC' &&
      challenge.requirementId === requirement.id &&
      challenge.usedAt === null &&
      challenge.expiresAt > this.deps.now() &&
      nonceMatches(challenge.nonce, nonce);
    if (!usable)
      throw new AppError(
        'CONFLICT',
        'The liveness challenge is unknown, already used, expired or not for this capture; request a new one',
      );
    return challenge!;
  }

  /**
   * A STATIC liveness capture: the full-resolution still and the other frames of the burst the page took around
   * the shutter, answering a challenge of this session. There is no other way in: an image without a challenge is
   * refused. The frames are analysed by the LIVENESS check; the still at once, so the user can retry within
   * max_retries.
   */
  async uploadLiveness(session: SessionRecord, burst: LivenessBurst) {
    this.requireConsent(session);
    const requirement = this.requirement(session, burst.requirementId, 'LIVENESS');
    if (requirement.liveness_type === 'ZOOM')
      throw new AppError('CONFLICT', 'This liveness capture is an active (ZOOM) challenge: stream its frames instead');
    const frameCount = burst.frames.length + 1;
    if (frameCount < BURST.minFrames || frameCount > BURST.maxFrames) {
      throw validationError([
        {
          property: 'frames',
          message: `a burst has ${BURST.minFrames - 1} to ${BURST.maxFrames - 1} frames besides the image`,
        },
      ]);
    }
    const resources = await this.deps.repos.resources.list(session.id);
    let resource = resources.find((r) => r.requirementId === requirement.id && r.source === 'END_USER');
    const attempts = resource?.data.attempts ?? 0;
    if (attempts >= maxAttempts(requirement)) throw new AppError('MAX_RETRIES_EXCEEDED');
    const challenge = await this.openChallenge(session, requirement, burst.challengeId, burst.nonce);
    const images = [burst.image.data, ...burst.frames.map((f) => f.data)];
    const stored = await this.receiving(session, images, async () => {
      // Every frame is checked before anything is stored, and the challenge is consumed only by a burst that is
      // kept: a refused one leaves the challenge usable and nothing behind.
      const types = await Promise.all(images.slice(1).map((data) => this.deps.sessionMedia.checkImage(data)));
      const still = await this.acceptFaceImage(session, burst.image, async (digest) => {
        if (!(await this.deps.repos.challenges.consume(session.id, challenge.id, digest, this.deps.now()))) {
          throw new AppError(
            'CONFLICT',
            'The liveness challenge is unknown, already used, expired or not for this capture; request a new one',
          );
        }
      });
      const frames = [];
      for (const [i, data] of images.slice(1).entries())
        frames.push(await this.deps.sessionMedia.store(session, 'IMAGE', types[i]!, data));
      return { still, frames };
    });
    const { media, stored: analysis } = stored.still;
    const now = this.deps.now();
    if (!resource) {
      resource = {
        id: this.deps.newId(),
        sessionId: session.id,
        type: 'LIVENESS',
        requirementId: requirement.id,
        source: 'END_USER',
        data: { liveness_type: 'STATIC' },
        createdAt: now,
        updatedAt: now,
      };
      await this.deps.repos.resources.create(resource);
    }
    const timeline = [
      { media_id: media.id, offset_ms: burst.stillOffsetMs },
      ...stored.frames.map((m, i) => ({ media_id: m.id, offset_ms: burst.frameOffsetsMs[i]! })),
    ].sort((a, b) => a.offset_ms - b.offset_ms);
    resource.data = {
      ...resource.data,
      image_media_id: media.id,
      capture_method: 'CAMERA',
      challenge_id: challenge.id,
      burst: timeline,
      attempts: attempts + 1,
    };
    resource.updatedAt = now;
    await this.deps.repos.resources.update(resource);
    await this.deps.lifecycle.resourceUpdated(session, resource.id, `resource:${resource.id}:attempt:${attempts + 1}`);
    return {
      resource_id: resource.id,
      media_id: media.id,
      attempts_remaining: maxAttempts(requirement) - attempts - 1,
      feedback: captureFeedback(analysis, this.deps.quality),
    };
  }

  /** One frame of an active (ZOOM) liveness challenge: see ZoomLiveness. */
  async zoomFrame(session: SessionRecord, challengeId: string, nonce: string, image: UploadedImage) {
    this.requireConsent(session);
    return this.deps.zoom.frame(session, challengeId, nonce, image.data);
  }

  /** An end-user face capture (FACE_CAPTURE requirement). */
  async uploadFaceCapture(
    session: SessionRecord,
    image: UploadedImage,
    requirementId?: string,
    method: 'CAMERA' | 'UPLOAD' = 'CAMERA',
  ) {
    this.requireConsent(session);
    const requirement = this.requirement(session, requirementId, 'FACE_CAPTURE');
    const { media, stored } = await this.receiving(session, [image.data], () => this.acceptFaceImage(session, image));
    const now = this.deps.now();
    const resource: ResourceRecord = {
      id: this.deps.newId(),
      sessionId: session.id,
      type: 'FACE_CAPTURE',
      requirementId: requirement.id,
      source: 'END_USER',
      data: { image_media_id: media.id, capture_method: method },
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.repos.resources.create(resource);
    return { resource_id: resource.id, media_id: media.id, feedback: captureFeedback(stored, this.deps.quality) };
  }

  /** Live feedback on a preview frame; nothing is stored, but each one counts against the session's analyses. */
  async analyse(session: SessionRecord, image: UploadedImage) {
    this.requireConsent(session);
    await this.deps.quota.analysis(session.id, session.tokenExpiresAt);
    const analysis = await (await this.deps.engine()).analyse(image.data, { liveness: false, maxFaces: 3 });
    return captureFeedback({ analysis, imageError: null }, this.deps.quality);
  }

  async progress(session: SessionRecord, step: string) {
    await this.deps.quota.event(session.id);
    await this.deps.sessions.recordEvent(session.id, `PROGRESS:${step.slice(0, 64)}`, {});
    return { ok: true };
  }

  /** The user is done: the token dies, checks start, and the page learns where to send the user. */
  async finish(session: SessionRecord) {
    // A required proof of address is not optional: the session must not complete without it (it expires instead
    // when the user never provides it), so the page cannot finish before it is in.
    const proofs = session.requirements.filter((r) => r.type === 'SUPPLEMENTARY_DOCUMENT');
    const resources = proofs.length ? await this.deps.repos.resources.list(session.id) : [];
    if (proofs.some((r) => !isRequirementMet(r, resources))) {
      throw new AppError('CONFLICT', 'A required supplementary document (proof of address) has not been captured yet');
    }
    await this.deps.sessions.recordEvent(session.id, 'CLIENT_SESSION_TOKEN_DELETED', {});
    const { complete } = await this.deps.lifecycle.userFinished(session);
    const base = session.spec.sdk_config.success_url;
    return { complete, redirect_url: base ? withSessionId(base, session.id) : null };
  }
}

export function withSessionId(url: string, sessionId: string): string {
  const u = new URL(url);
  u.searchParams.set('sessionID', sessionId);
  return u.toString();
}
