import type { Job, JobQueue, JobSpec, QueueStats } from '../../src/domain/ports/job-queue.port.js';
import { DeferJob } from '../../src/domain/ports/job-queue.port.js';

type Handler = (payload: never, job: Job) => Promise<void> | void;

/**
 * An in-memory job queue with the port's idempotent enqueue (one job per dedupe key, ever) for the unit tier.
 * drain() runs due jobs in order until none is left, the way the workers would, one at a time.
 */
export class MemoryJobQueue implements JobQueue {
  readonly jobs: (JobSpec & { id: string; state: 'queued' | 'done' | 'dead'; attempts: number })[] = [];
  private next = 1;

  async enqueue(spec: JobSpec): Promise<void> {
    if (spec.dedupeKey && this.jobs.some((j) => j.dedupeKey === spec.dedupeKey)) return;
    this.jobs.push({ ...spec, id: String(this.next++), state: 'queued', attempts: 0 });
  }

  queued(name?: string) {
    return this.jobs.filter((j) => j.state === 'queued' && (!name || j.name === name));
  }

  /** Runs queued jobs until none is left; a DeferJob puts its job back once, at the end of the line. */
  async drain(handlers: Record<string, Handler>, maxRuns = 1000): Promise<void> {
    for (let runs = 0; runs < maxRuns; runs++) {
      const job = this.jobs.find((j) => j.state === 'queued');
      if (!job) return;
      const handler = handlers[job.name];
      if (!handler) throw new Error(`no handler for job ${job.name}`);
      job.attempts += 1;
      try {
        await handler(job.payload as never, {
          id: job.id,
          name: job.name,
          payload: job.payload,
          attempts: job.attempts,
          maxAttempts: job.maxAttempts ?? 5,
          sessionId: job.sessionId ?? null,
          requestId: null,
        });
        job.state = 'done';
      } catch (err) {
        if (!(err instanceof DeferJob)) throw err;
        this.jobs.splice(this.jobs.indexOf(job), 1);
        this.jobs.push(job);
      }
    }
    throw new Error('the queue did not drain');
  }

  async claim(): Promise<Job[]> {
    return [];
  }
  async complete(): Promise<void> {}
  async fail(): Promise<void> {}
  async extendLease(): Promise<void> {}
  async release(): Promise<void> {}
  async dropSession(sessionId: string): Promise<void> {
    for (const job of this.jobs) if (job.sessionId === sessionId && job.state === 'queued') job.state = 'dead';
  }
  async stats(): Promise<QueueStats> {
    return {
      queued: this.queued().length,
      running: 0,
      done: this.jobs.filter((j) => j.state === 'done').length,
      dead: 0,
    };
  }
}
