import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { DeferJob, type Job, type JobQueue } from '../domain/ports/job-queue.port.js';
import { requestContext } from '../shared/request-context.js';

export type JobHandler = (payload: never, job: Job) => Promise<void>;

export interface JobRunnerOptions {
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  logger: Logger;
  /** Delay before attempt n+1 (n = attempts so far). */
  backoffMs?: (attempts: number) => number;
  onOutcome?: (name: string, outcome: 'done' | 'retry' | 'dead') => void;
}

export const defaultBackoff = (attempts: number) =>
  Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1)) * (0.75 + Math.random() / 2);

/**
 * Polls the queue and runs handlers with bounded concurrency. A lease is extended while a handler runs; on stop,
 * in-flight jobs get time to finish and the rest go back to the queue. Handlers must be idempotent: delivery is
 * at least once (a killed worker's job runs again when its lease expires).
 */
export class JobRunner {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private running = false;
  private readonly inflight = new Map<string, Promise<void>>();
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly queue: JobQueue,
    private readonly handlers: Record<string, JobHandler>,
    private readonly options: JobRunnerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Poll now (a job was just enqueued in this process). */
  wake(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const free = this.options.concurrency - this.inflight.size;
      let claimed: Job[] = [];
      if (free > 0) {
        try {
          claimed = await this.queue.claim(this.owner, free, this.options.leaseMs);
        } catch (err) {
          this.options.logger.error({ err }, 'job claim failed');
        }
      }
      for (const job of claimed) {
        const p = this.execute(job).finally(() => {
          this.inflight.delete(job.id);
          this.wake();
        });
        this.inflight.set(job.id, p);
      }
      if (claimed.length === 0 || this.inflight.size >= this.options.concurrency) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = null;
      }
    }
  }

  private async execute(job: Job): Promise<void> {
    const log = this.options.logger.child({
      job: job.id,
      jobName: job.name,
      attempt: job.attempts,
      reqId: job.requestId ?? undefined,
    });
    const handler = this.handlers[job.name];
    if (job.attempts > job.maxAttempts) {
      // Only a lease that ran out on the last attempt gets here: its worker stopped or died each time (say, native
      // code crashing on one input). Running it again would take down worker after worker.
      log.warn('job lease expired after its last attempt: marking it dead');
      await this.queue
        .fail(job.id, this.owner, 'lease expired after the last attempt (the worker running it stopped or died)', null)
        .catch(() => undefined);
      this.options.onOutcome?.(job.name, 'dead');
      return;
    }
    // Three renewals per lease, whatever its length: with a floor of 1 s, a 1 s lease lapsed at every renewal and a
    // second worker started the same job while the first still ran it.
    const heartbeat = setInterval(() => {
      this.queue
        .extendLease(job.id, this.owner, this.options.leaseMs)
        .catch((err) => log.warn({ err }, 'lease extension failed'));
    }, this.options.leaseMs / 3);
    try {
      if (!handler) throw new Error(`no handler for job ${job.name}`);
      // Jobs this handler enqueues inherit the originating request id.
      await requestContext.run({ requestId: job.requestId ?? `job:${job.id}` }, () =>
        handler(job.payload as never, job),
      );
      await this.queue.complete(job.id, this.owner);
      this.options.onOutcome?.(job.name, 'done');
    } catch (err) {
      if (err instanceof DeferJob) {
        await this.queue.release(job.id, this.owner, Date.now() + err.delayMs).catch(() => undefined);
        return;
      }
      const final = !handler || job.attempts >= job.maxAttempts;
      const retryAt = final ? null : Date.now() + (this.options.backoffMs ?? defaultBackoff)(job.attempts);
      log.warn({ err: err instanceof Error ? err.message : String(err), final }, 'job failed');
      await this.queue
        .fail(job.id, this.owner, err instanceof Error ? err.message : String(err), retryAt)
        .catch(() => undefined);
      this.options.onOutcome?.(job.name, final ? 'dead' : 'retry');
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Stops claiming, lets in-flight jobs finish for up to `graceMs`, then returns the rest to the queue. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loop;
    const pending = [...this.inflight.values()];
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.allSettled(pending).then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
    ]);
    clearTimeout(timer); // an idle grace timer would keep the event loop (a test runner, an embedding app) alive
    // Jobs still running go back to the queue; their late complete/fail calls no longer match the lease owner.
    if (timedOut) {
      await Promise.all(
        [...this.inflight.keys()].map((id) => this.queue.release(id, this.owner).catch(() => undefined)),
      );
    }
  }
}
