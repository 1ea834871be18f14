import type { CheckOutcome } from '../../checks/check-definition.js';
import { CHECKS, type CheckRegistry } from '../../checks/registry.js';
import type { Topic } from '../../notifications/notifier.js';
import { JOBS } from '../../pipeline/pipeline-jobs.js';
import type { JobQueue } from '../../ports/job-queue.port.js';
import type { MediaStore } from '../../ports/media-store.port.js';
import type { ResourceRepository, SessionRepository, WorkRepository } from '../../ports/repositories.port.js';
import type { ReviewService } from '../../review/review.service.js';
import type { ReviewDecided } from '../../review/review.types.js';
import { allRequirementsMet, deriveRequirements, isRequirementMet } from '../requirements.js';
import type { SessionSpec } from '../session-spec.validator.js';
import type { CheckRecord, SessionRecord, SessionState, TaskRecord } from '../session.types.js';
import { reviewedReport } from './reviewed-report.js';
import { canMove } from './session-states.js';

/** The events that follow a transition (webhooks of spec section 8); the Notifier is the adapter. */
export interface SessionEvents {
  notify(session: SessionRecord, topic: Topic, eventKey: string, extra?: Record<string, string>): Promise<void>;
}

/** The part of the review queue the lifecycle uses. */
export type ReviewDesk = Pick<ReviewService, 'openReview' | 'get' | 'markApplied' | 'listUnapplied'>;

export interface SessionLifecycleDeps {
  sessions: Pick<SessionRepository, 'create' | 'getById' | 'bundle' | 'update' | 'delete'>;
  resources: Pick<ResourceRepository, 'list'>;
  work: Pick<WorkRepository, 'getCheck' | 'listChecks' | 'saveCheck' | 'saveTask'>;
  queue: Pick<JobQueue, 'enqueue' | 'dropSession'>;
  events: SessionEvents;
  /** Where session media bytes live: erasure removes them. */
  media: Pick<MediaStore, 'deletePrefix'>;
  reviews?: ReviewDesk;
  /** Removes the copies a database keeps of erased rows (SQLite's WAL). */
  scrub?: () => Promise<void>;
  /** The checks sessions may ask for (CHECKS unless a test adds its own). */
  checks?: CheckRegistry;
  now: () => number;
  newId: () => string;
}

/**
 * The one owner of a session's state. Every transition (created, checks started, awaiting review, completed,
 * expired, deleted) is made here, and so are the events that follow each: webhooks and the pipeline's jobs. The
 * session service, the capture API, the pipeline, the review queue and the maintenance pass ask it; none of them
 * writes a session state or starts the pipeline itself. Each method is safe to run twice (jobs are delivered at
 * least once): state writes are guarded by the allowed moves, events have fixed ids and jobs fixed dedupe keys.
 */
export class SessionLifecycle {
  constructor(private readonly deps: SessionLifecycleDeps) {}

  handlers() {
    return {
      [JOBS.finalise]: (p: { sessionId: string }) => this.finalise(p.sessionId),
      [JOBS.review]: (p: { reviewId: string }) => this.applyReview(p.reviewId),
    };
  }

  // ---- created --------------------------------------------------------------------------------------------

  /** Stores a validated session and its checks: ONGOING from the start, as in Yoti's API. */
  async create(appId: string, spec: SessionSpec): Promise<SessionRecord> {
    const now = this.deps.now();
    const session: SessionRecord = {
      id: this.deps.newId(),
      appId,
      state: 'ONGOING',
      spec,
      requirements: deriveRequirements(spec, this.deps.newId, this.deps.checks),
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
    await this.deps.sessions.create(session, checks);
    return session;
  }

  // ---- captures, and the start of the checks ----------------------------------------------------------------

  /** A capture of the session changed (RESOURCE_UPDATE); `eventKey` tells one change from another. */
  async resourceUpdated(
    session: SessionRecord,
    resourceId: string,
    eventKey = `resource:${resourceId}`,
  ): Promise<void> {
    await this.deps.events.notify(session, 'RESOURCE_UPDATE', eventKey, { resource_id: resourceId });
  }

  /** Relying-business uploads have no "finish": the last required capture starts the checks. */
  async capturesChanged(session: SessionRecord): Promise<void> {
    if (await this.capturesDone(session)) await this.startChecks(session);
  }

  /** The user finished on the capture page: the token dies and the checks start, with whatever was captured. */
  async userFinished(session: SessionRecord): Promise<{ complete: boolean }> {
    const now = this.deps.now();
    await this.deps.sessions.update(session.id, { finishedAt: now }, now);
    await this.deps.events.notify(session, 'CLIENT_SESSION_TOKEN_DELETED', 'client_session_token_deleted');
    await this.startChecks(session);
    return { complete: await this.capturesDone(session) };
  }

  /**
   * The token ran out before the user finished: the checks start when every capture is in, else the session is
   * over (EXPIRED; storing the state keeps it out of the maintenance scan that found it).
   */
  async tokenExpired(session: SessionRecord): Promise<void> {
    if (await this.capturesDone(session)) await this.startChecks(session);
    else await this.move(session, 'EXPIRED');
  }

  private async capturesDone(session: SessionRecord): Promise<boolean> {
    return allRequirementsMet(session.requirements, await this.deps.resources.list(session.id));
  }

  private async startChecks(session: SessionRecord): Promise<void> {
    await this.deps.queue.enqueue({
      name: JOBS.process,
      payload: { sessionId: session.id },
      sessionId: session.id,
      dedupeKey: `process:${session.id}`,
    });
  }

  // ---- checks and tasks -----------------------------------------------------------------------------------

  /**
   * A check's result. With an outcome, its report is saved: the check is DONE, or AWAITING_REVIEW when the outcome
   * names a reason for a person to decide (the session then waits in review). Without one (the step found the check
   * already saved, e.g. after a worker died), only the follow-ups run again.
   */
  async checkEvaluated(session: SessionRecord, check: CheckRecord, outcome?: CheckOutcome): Promise<void> {
    let saved = check;
    if (outcome) {
      const review = Boolean(outcome.review && this.deps.reviews);
      saved = {
        ...check,
        state: review ? 'AWAITING_REVIEW' : 'DONE',
        report: outcome.report,
        resourcesUsed: outcome.resourcesUsed,
        generatedMedia: outcome.generatedMedia ?? check.generatedMedia,
        config: outcome.config ?? check.config,
        updatedAt: this.deps.now(),
      };
      // The review item first: a worker dying in between leaves the check CREATED, so the job evaluates it again
      // and finds the same item (openReview is idempotent per check), never a check waiting with no item.
      const item = review ? await this.deps.reviews!.openReview(session, saved, outcome.review!) : null;
      await this.deps.work.saveCheck(saved);
      // A reviewer may have decided the item while a crash kept the check unsaved: its decision applies now.
      if (item?.state === 'DECIDED' && item.appliedAt === null) return this.applyReview(item.id);
    }
    if (saved.state === 'AWAITING_REVIEW') return this.move(session, 'AWAITING_REVIEW');
    if (saved.state === 'DONE')
      await this.announce(session, 'CHECK_COMPLETION', `check:${check.id}`, { check_id: check.id });
  }

  /** A task's result: saved DONE (when `finished` is given), then its follow-ups. */
  async taskDone(session: SessionRecord, task: TaskRecord, finished?: TaskRecord): Promise<void> {
    if (finished) await this.deps.work.saveTask({ ...finished, state: 'DONE', updatedAt: this.deps.now() });
    await this.announce(session, 'TASK_COMPLETION', `task:${task.id}`, { task_id: task.id });
  }

  /**
   * The follow-ups of a finished task or check: its webhook and a finalise job. They run again when the step is
   * found already done, because the worker that saved it may have died before they were enqueued (both are
   * idempotent); skipping them left such a session ONGOING for good.
   */
  private async announce(
    session: SessionRecord,
    topic: 'TASK_COMPLETION' | 'CHECK_COMPLETION',
    key: string,
    extra: Record<string, string>,
  ) {
    await this.deps.events.notify(session, topic, key, extra);
    await this.requestFinalise(session.id, key);
  }

  /** A finalise job; `key` makes it distinct per cause, so one enqueued after a later step is not deduplicated away. */
  async requestFinalise(sessionId: string, key: string): Promise<void> {
    await this.deps.queue.enqueue({
      name: JOBS.finalise,
      payload: { sessionId },
      sessionId,
      dedupeKey: `finalise:${sessionId}:${key}`,
    });
  }

  // ---- completed ------------------------------------------------------------------------------------------

  /**
   * Marks the session COMPLETED once every check and task is DONE. Safe to run twice: the webhook has a fixed event
   * id, and it is sent again for a session found COMPLETED, in case the worker died between the two writes.
   */
  async finalise(sessionId: string): Promise<void> {
    const session = await this.deps.sessions.getById(sessionId);
    if (!session) return;
    if (session.state === 'ONGOING') {
      const { checks, tasks, resources } = await this.deps.sessions.bundle(session);
      if (checks.some((c) => c.state !== 'DONE') || tasks.some((t) => t.state !== 'DONE')) return;
      // No check reads a proof of address, so nothing else waits for one: without this a session would complete
      // while its configuration still says the document is REQUIRED. (The capture API refuses to finish without
      // it, and a token that runs out without it makes the session EXPIRED.)
      if (session.requirements.some((r) => r.type === 'SUPPLEMENTARY_DOCUMENT' && !isRequirementMet(r, resources)))
        return;
      if (session.finishedAt === null && !checks.length && !tasks.length) return;
      const now = this.deps.now();
      await this.deps.sessions.update(sessionId, { state: 'COMPLETED', completedAt: now }, now);
    } else if (session.state !== 'COMPLETED') return;
    await this.deps.events.notify(session, 'SESSION_COMPLETION', 'session_completion');
  }

  // ---- awaiting review ------------------------------------------------------------------------------------

  /** A reviewer's final decision: applied by a job, so a crash between the decision and the report loses nothing. */
  async reviewDecided(event: Pick<ReviewDecided, 'item'>): Promise<void> {
    const { item } = event;
    await this.deps.queue.enqueue({
      name: JOBS.review,
      payload: { reviewId: item.id },
      sessionId: item.sessionId,
      dedupeKey: `review:${item.id}`,
    });
  }

  /** Applies decided reviews whose decision never reached the check's report (a process died in between). */
  async recoverReviews(): Promise<void> {
    for (const item of (await this.deps.reviews?.listUnapplied()) ?? []) await this.applyReview(item.id);
  }

  /**
   * Writes a decision into the check's report (recommendation, EXPERT_REVIEW sub-checks), marks the check DONE,
   * sends CHECK_COMPLETION, and lets the session leave AWAITING_REVIEW once no other check waits for a person.
   */
  async applyReview(reviewId: string): Promise<void> {
    const reviews = this.deps.reviews;
    const item = await reviews?.get(reviewId);
    if (!reviews || !item || item.state !== 'DECIDED' || item.appliedAt !== null) return;
    const session = await this.deps.sessions.getById(item.sessionId);
    const check = session && (await this.deps.work.getCheck(session.id, item.checkId));
    if (!session || !check) return reviews.markApplied(item.id); // erased meanwhile: nothing left to apply to
    if (check.state === 'CREATED') return; // never sent to review by the lifecycle: not ours to decide
    if (check.state === 'AWAITING_REVIEW') {
      const rule = (this.deps.checks ?? CHECKS).get(check.type)?.reviewed?.(check.config);
      await this.deps.work.saveCheck({
        ...check,
        state: 'DONE',
        report: reviewedReport(check.report, item, rule),
        updatedAt: this.deps.now(),
      });
    }
    if (!(await this.deps.work.listChecks(session.id)).some((c) => c.state === 'AWAITING_REVIEW'))
      await this.move(session, 'ONGOING');
    await this.announce(session, 'CHECK_COMPLETION', `check:${check.id}`, { check_id: check.id });
    await reviews.markApplied(item.id);
  }

  // ---- deleted --------------------------------------------------------------------------------------------

  /** Erases a session everywhere: its pending jobs, media bytes, then the rows (which cascade). */
  async erase(session: SessionRecord): Promise<void> {
    await this.deps.queue.dropSession(session.id);
    await this.deps.media.deletePrefix(`${session.appId}/${session.id}/`);
    await this.deps.sessions.delete(session.id);
  }

  /** Erasure on request answers only once no copy is left on disk, as complete as erasure by TTL. */
  async delete(session: SessionRecord): Promise<void> {
    await this.erase(session);
    await this.deps.scrub?.();
  }

  // ---- state writes ---------------------------------------------------------------------------------------

  private async move(session: SessionRecord, to: SessionState): Promise<void> {
    const current = (await this.deps.sessions.getById(session.id))?.state;
    if (!current || current === to || !canMove(current, to)) return;
    await this.deps.sessions.update(session.id, { state: to }, this.deps.now());
  }
}
