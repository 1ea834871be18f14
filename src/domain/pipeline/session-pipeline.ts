import type { CheckEvidence, CheckOutcome } from '../checks/check-definition.js';
import { manualCheckReason } from '../checks/manual-check.js';
import { CHECKS, type CheckRegistry } from '../checks/registry.js';
import { DeferJob, type JobQueue } from '../ports/job-queue.port.js';
import type { Repositories } from '../ports/repositories.port.js';
import type { SessionLifecycle } from '../sessions/lifecycle/session-lifecycle.js';
import { isProcessing } from '../sessions/lifecycle/session-states.js';
import type { CheckRecord, SessionBundle, TaskRecord } from '../sessions/session.types.js';
import { JOBS } from './pipeline-jobs.js';

export interface TaskRunner {
  /** Runs one task (e.g. ID_DOCUMENT_TEXT_DATA_EXTRACTION) and returns its finished record. */
  run(task: TaskRecord, bundle: SessionBundle): Promise<TaskRecord>;
}

export interface SessionPipelineDeps {
  repos: Pick<Repositories, 'sessions' | 'work'>;
  queue: Pick<JobQueue, 'enqueue'>;
  /** Every state change and the events after each step (webhooks, finalise) go through the lifecycle. */
  lifecycle: Pick<SessionLifecycle, 'checkEvaluated' | 'taskDone' | 'requestFinalise'>;
  /** How each check is evaluated (CHECKS unless a test adds its own). */
  checks?: CheckRegistry;
  evidence: CheckEvidence;
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

  private get checks(): CheckRegistry {
    return this.deps.checks ?? CHECKS;
  }

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
    const finished = await this.deps.tasks.run(task, bundle);
    await this.deps.lifecycle.taskDone(bundle.session, task, await this.generateChecks(bundle, finished));
  }

  /**
   * The checks the finished task makes for its document (a text data check for extracted fields), saved and queued
   * before the task is saved DONE, so the session cannot complete without them. A run again after a worker died
   * finds them by type and document instead of making them twice.
   */
  private async generateChecks(bundle: SessionBundle, finished: TaskRecord): Promise<TaskRecord> {
    const generated = [...finished.generatedChecks];
    for (const definition of this.checks.generatedBy(finished.type)) {
      if (!definition.generatedBy!.when(finished)) continue;
      let check = bundle.checks.find(
        (c) => c.type === definition.type && c.resourcesUsed.includes(finished.resourceId),
      );
      if (!check) {
        const now = this.deps.now();
        check = {
          id: this.deps.newId(),
          sessionId: finished.sessionId,
          type: definition.type,
          state: 'CREATED',
          config: {},
          report: null,
          resourcesUsed: [finished.resourceId],
          generatedMedia: [],
          createdAt: now,
          updatedAt: now,
        };
        await this.deps.repos.work.saveCheck(check);
      }
      if (check.state !== 'DONE')
        await this.enqueue(
          JOBS.check,
          { sessionId: finished.sessionId, checkId: check.id },
          finished.sessionId,
          `check:${check.id}`,
        );
      if (!generated.some((g) => g.id === check.id)) generated.push({ id: check.id, type: check.type });
    }
    return { ...finished, generatedChecks: generated };
  }

  async runCheck(sessionId: string, checkId: string): Promise<void> {
    const bundle = await this.load(sessionId);
    const check = bundle?.checks.find((c) => c.id === checkId);
    if (!bundle || !check) return;
    // Saved already (a worker died after the write): only the follow-ups run again.
    if (check.state !== 'CREATED') return this.deps.lifecycle.checkEvaluated(bundle.session, check);
    // Document checks wait for the text extraction of the same document.
    if (this.checks.get(check.type)?.waitsForTasks && bundle.tasks.some((t) => t.state !== 'DONE')) {
      throw new DeferJob(500, 'waiting for document tasks');
    }
    await this.deps.lifecycle.checkEvaluated(bundle.session, check, await this.evaluate(check, bundle));
  }

  private async evaluate(check: CheckRecord, bundle: SessionBundle): Promise<CheckOutcome> {
    const definition = this.checks.get(check.type);
    if (!definition) throw new Error(`no evaluator for check ${check.type}`);
    const { inconclusive, ...outcome } = await definition.evaluate(check.config, {
      check,
      bundle,
      evidence: this.deps.evidence,
    });
    const review = definition.review
      ? definition.review(check.config, outcome.report)
      : manualCheckReason(check.config.manual_check, inconclusive);
    return { ...outcome, review };
  }
}
