import { evaluateFaceMatch, type FaceMatchEvidence } from '../checks/face-match.check.js';
import { evaluateFamiliarFaceSearch, type FfsEvidence } from '../checks/familiar-face-search.check.js';
import { evaluateLiveness } from '../checks/liveness.check.js';
import type { Box } from '../ports/face-engine.port.js';
import { DeferJob, type JobQueue } from '../ports/job-queue.port.js';
import type { PoolRepository } from '../ports/pool-repository.port.js';
import type { Repositories } from '../ports/repositories.port.js';
import type { ScoreCalibration } from '../ports/score-calibration.port.js';
import type { PoolService } from '../pools/pool.service.js';
import type { SessionLifecycle } from '../sessions/lifecycle/session-lifecycle.js';
import { isProcessing } from '../sessions/lifecycle/session-states.js';
import type { CheckRecord, MediaRecord, Report, ResourceRecord, SessionBundle, TaskRecord } from '../sessions/session.types.js';
import { cosine, type FaceEvidence, type FaceOutcome } from './face-evidence.js';
import { JOBS } from './pipeline-jobs.js';

/** A face to compare (from an analysis or an enrolled applicant), or why there is none. */
type Comparable = { face: { embedding: Float32Array }; others?: Box[] } | Exclude<FaceOutcome, { face: unknown }>;

export interface TaskRunner {
  /** Runs one task (e.g. ID_DOCUMENT_TEXT_DATA_EXTRACTION) and returns its finished record. */
  run(task: TaskRecord, bundle: SessionBundle): Promise<TaskRecord>;
  /** Runs a check that belongs to the task runner's domain (e.g. ID_DOCUMENT_AUTHENTICITY). */
  runCheck?(check: CheckRecord, bundle: SessionBundle): Promise<{ report: Report; resourcesUsed: string[] } | null>;
}

export interface SessionPipelineDeps {
  repos: Repositories;
  poolRepo: PoolRepository;
  pools: PoolService;
  queue: JobQueue;
  /** Every state change and the events after each step (webhooks, finalise) go through the lifecycle. */
  lifecycle: Pick<SessionLifecycle, 'checkEvaluated' | 'taskDone' | 'requestFinalise'>;
  faces: FaceEvidence;
  calibration: ScoreCalibration;
  livenessThreshold: number;
  tasks?: TaskRunner;
  now: () => number;
  newId: () => string;
}

/**
 * The asynchronous checks pipeline. Each step is a queued job that is safe to run twice: it reads the current
 * state, does only what is still undone, and writes results keyed by the check or task id.
 */
export class SessionPipeline {
  constructor(private readonly deps: SessionPipelineDeps) {}

  private async enqueue(name: string, payload: Record<string, string>, sessionId: string, dedupeKey: string) {
    await this.deps.queue.enqueue({ name, payload, sessionId, dedupeKey });
  }

  /** The lifecycle starts a session's processing (JOBS.process) and finalises it; these are the steps between. */
  handlers() {
    return {
      [JOBS.process]: (p: { sessionId: string }) => this.process(p.sessionId),
      [JOBS.check]: (p: { sessionId: string; checkId: string }) => this.runCheck(p.sessionId, p.checkId),
      [JOBS.task]: (p: { sessionId: string; taskId: string }) => this.runTask(p.sessionId, p.taskId),
    };
  }

  private async load(sessionId: string): Promise<SessionBundle | null> {
    const session = await this.deps.repos.sessions.getById(sessionId);
    return session ? this.deps.repos.sessions.bundle(session) : null;
  }

  /** Creates the tasks of each captured document, then fans out one job per check and task still undone. */
  async process(sessionId: string): Promise<void> {
    const bundle = await this.load(sessionId);
    if (!bundle || !isProcessing(bundle.session.state)) return;
    const now = this.deps.now();
    for (const resource of bundle.resources.filter((r) => r.type === 'ID_DOCUMENT' && r.data.pages?.length)) {
      for (const requested of bundle.session.spec.requested_tasks) {
        if (bundle.tasks.some((t) => t.resourceId === resource.id && t.type === requested.type)) continue;
        const task: TaskRecord = {
          id: this.deps.newId(),
          sessionId,
          resourceId: resource.id,
          type: requested.type,
          state: 'CREATED',
          config: requested.config,
          recommendation: null,
          generatedChecks: [],
          generatedMedia: [],
          createdAt: now,
          updatedAt: now,
        };
        await this.deps.repos.work.saveTask(task);
        bundle.tasks.push(task);
      }
    }
    for (const task of bundle.tasks.filter((t) => t.state !== 'DONE')) {
      await this.enqueue(JOBS.task, { sessionId, taskId: task.id }, sessionId, `task:${task.id}`);
    }
    for (const check of bundle.checks.filter((c) => c.state !== 'DONE')) {
      await this.enqueue(JOBS.check, { sessionId, checkId: check.id }, sessionId, `check:${check.id}`);
    }
    await this.deps.lifecycle.requestFinalise(sessionId, String(now));
  }

  async runTask(sessionId: string, taskId: string): Promise<void> {
    const bundle = await this.load(sessionId);
    const task = bundle?.tasks.find((t) => t.id === taskId);
    if (!bundle || !task) return;
    if (task.state === 'DONE') return this.deps.lifecycle.taskDone(bundle.session, task);
    if (!this.deps.tasks) throw new Error(`no runner for task ${task.type}`);
    await this.deps.lifecycle.taskDone(bundle.session, task, await this.deps.tasks.run(task, bundle));
  }

  async runCheck(sessionId: string, checkId: string): Promise<void> {
    const bundle = await this.load(sessionId);
    const check = bundle?.checks.find((c) => c.id === checkId);
    if (!bundle || !check) return;
    // Saved already (a worker died after the write): only the follow-ups run again.
    if (check.state !== 'CREATED') return this.deps.lifecycle.checkEvaluated(bundle.session, check);
    // Document checks wait for the text extraction of the same document.
    if (check.type === 'ID_DOCUMENT_AUTHENTICITY' && bundle.tasks.some((t) => t.state !== 'DONE')) {
      throw new DeferJob(500, 'waiting for document tasks');
    }
    await this.deps.lifecycle.checkEvaluated(bundle.session, check, await this.evaluate(check, bundle));
  }

  // ---- evidence -------------------------------------------------------------------------------------------

  private mediaOf(bundle: SessionBundle, id: string | undefined): MediaRecord | null {
    return (id && bundle.media.find((m) => m.id === id)) || null;
  }

  /** The selfie: the latest liveness capture, else an end-user face capture. */
  private selfie(bundle: SessionBundle): { resource: ResourceRecord | null; media: MediaRecord | null } {
    const liveness = bundle.resources.filter((r) => r.type === 'LIVENESS' && r.data.image_media_id).at(-1);
    const capture = bundle.resources.filter((r) => r.type === 'FACE_CAPTURE' && r.source === 'END_USER' && r.data.image_media_id).at(-1);
    const resource = liveness ?? capture ?? null;
    return { resource, media: this.mediaOf(bundle, resource?.data.image_media_id) };
  }

  private async evaluate(check: CheckRecord, bundle: SessionBundle): Promise<{ report: Report; resourcesUsed: string[]; config?: Record<string, unknown> }> {
    const { faces } = this.deps;
    const selfie = this.selfie(bundle);
    const used = (...rs: (ResourceRecord | null | undefined)[]) => rs.filter((r): r is ResourceRecord => Boolean(r)).map((r) => r.id);
    switch (check.type) {
      case 'LIVENESS': {
        const resource = bundle.resources.filter((r) => r.type === 'LIVENESS' && r.data.image_media_id).at(-1) ?? null;
        const media = this.mediaOf(bundle, resource?.data.image_media_id);
        return {
          report: evaluateLiveness({
            face: await faces.singleFace(media),
            signature: await this.verifyCapture(bundle, media),
            threshold: this.deps.livenessThreshold,
          }),
          resourcesUsed: used(resource),
        };
      }
      case 'FAMILIAR_FACE_SEARCH':
        return this.familiarFaceSearch(check, bundle, selfie.resource, await faces.singleFace(selfie.media, 'dominant'));
      case 'ID_DOCUMENT_FACE_MATCH': {
        const doc = bundle.resources.find((r) => r.type === 'ID_DOCUMENT' && r.data.pages?.length) ?? null;
        const portraitMedia = this.mediaOf(bundle, doc?.data.document_id_photo_media_id ?? doc?.data.pages?.[0]?.media_id);
        const evidence = await this.compare(await faces.singleFace(selfie.media), doc ? await faces.largestFace(portraitMedia) : null, 'DOCUMENT_NOT_FOUND');
        return { report: evaluateFaceMatch(evidence), resourcesUsed: used(selfie.resource, doc) };
      }
      case 'FACE_COMPARISON': {
        const reference = bundle.resources.find((r) => r.type === 'FACE_CAPTURE' && r.source === 'RELYING_BUSINESS' && (r.data.image_media_id || r.data.applicant_face_id)) ?? null;
        const referenceFace = reference ? await this.referenceFace(bundle, reference) : null;
        const evidence = await this.compare(await faces.singleFace(selfie.media), referenceFace, 'INVALID');
        return { report: evaluateFaceMatch(evidence), resourcesUsed: used(selfie.resource, reference) };
      }
      default: {
        const outcome = await this.deps.tasks?.runCheck?.(check, bundle);
        if (!outcome) throw new Error(`no evaluator for check ${check.type}`);
        return outcome;
      }
    }
  }

  private async referenceFace(bundle: SessionBundle, reference: ResourceRecord): Promise<Comparable> {
    if (reference.data.applicant_face_id && reference.data.applicant_id) {
      const face = await this.deps.poolRepo.getFace(bundle.session.appId, reference.data.applicant_id, reference.data.applicant_face_id);
      if (!face) return { refusal: 'MISSING', detail: "the applicant's face no longer exists" };
      return { face: { embedding: face.embedding } };
    }
    return this.deps.faces.singleFace(this.mediaOf(bundle, reference.data.image_media_id), 'dominant');
  }

  private async compare(selfie: Comparable, reference: Comparable | null, missingReason: string): Promise<FaceMatchEvidence> {
    if (!('face' in selfie)) return { kind: 'unusable', side: 'selfie', refusal: selfie.refusal, detail: selfie.detail };
    if (!reference) return { kind: 'unusable', side: 'reference', refusal: 'MISSING', detail: 'no reference image', reason: missingReason };
    if (!('face' in reference)) return { kind: 'unusable', side: 'reference', refusal: reference.refusal, detail: reference.detail };
    return {
      kind: 'compared',
      similarity: cosine(selfie.face.embedding, reference.face.embedding),
      threshold: this.deps.calibration.oneToOneThreshold,
      referenceOtherFaces: reference.others?.length ?? 0,
    };
  }

  private async familiarFaceSearch(check: CheckRecord, bundle: SessionBundle, resource: ResourceRecord | null, selfie: FaceOutcome) {
    const poolId = String(check.config.pool_id);
    const criteria = check.config.approval_criteria as 'MATCH' | 'NO_MATCH';
    const pool = await this.deps.poolRepo.getPool(bundle.session.appId, poolId);
    const config = { pool_id: poolId, ...(pool ? { pool_label: pool.label } : {}), approval_criteria: criteria };
    let evidence: FfsEvidence;
    if (!pool) evidence = { kind: 'no-pool', poolId };
    else if (!('face' in selfie)) evidence = { kind: 'no-face', refusal: selfie.refusal, detail: selfie.detail };
    else {
      const { candidates, policy } = await this.deps.pools.searchEmbedding(pool, selfie.face.embedding);
      evidence = { kind: 'searched', poolId, candidates, policy, probe: { box: selfie.face.box, others: selfie.others } };
    }
    return { report: evaluateFamiliarFaceSearch(criteria, evidence), resourcesUsed: resource ? [resource.id] : [], config };
  }

  /**
   * payload_signature_verification: the image arrived with a server-issued capture challenge of this session,
   * used once, before it expired, for exactly these bytes, and the same bytes were not seen in another session.
   */
  private async verifyCapture(bundle: SessionBundle, media: MediaRecord | null): Promise<{ pass: boolean; detail: string }> {
    if (!media) return { pass: false, detail: 'no capture' };
    const challenge = await this.deps.repos.challenges.findByMedia(bundle.session.id, media.sha256);
    if (!challenge || challenge.usedAt === null || challenge.usedAt > challenge.expiresAt) {
      return { pass: false, detail: 'the capture did not carry a valid capture challenge' };
    }
    if ((await this.deps.repos.media.countOtherSessionsWithDigest(bundle.session.id, media.sha256)) > 0) {
      return { pass: false, detail: 'the same image was submitted in another session' };
    }
    return { pass: true, detail: 'verified' };
  }
}
