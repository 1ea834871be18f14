import type { Job, JobQueue, JobSpec, QueueStats } from '../domain/ports/job-queue.port.js';

/**
 * Tells this process's job runner, when it has one, that a job was just enqueued, so it polls now instead of at its
 * next interval. The runner subscribes when the workers start and leaves when they stop; the services only see a
 * JobQueue.
 */
export class JobSignal {
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }
}

/** A queue that raises the signal after each enqueue. */
export class SignallingJobQueue implements JobQueue {
  constructor(
    private readonly queue: JobQueue,
    private readonly signal: JobSignal,
  ) {}

  async enqueue(job: JobSpec): Promise<void> {
    await this.queue.enqueue(job);
    this.signal.notify();
  }

  claim(owner: string, limit: number, leaseMs: number): Promise<Job[]> {
    return this.queue.claim(owner, limit, leaseMs);
  }

  complete(id: string, owner: string): Promise<void> {
    return this.queue.complete(id, owner);
  }

  fail(id: string, owner: string, error: string, retryAt: number | null): Promise<void> {
    return this.queue.fail(id, owner, error, retryAt);
  }

  extendLease(id: string, owner: string, leaseMs: number): Promise<void> {
    return this.queue.extendLease(id, owner, leaseMs);
  }

  release(id: string, owner: string, runAt?: number): Promise<void> {
    return this.queue.release(id, owner, runAt);
  }

  dropSession(sessionId: string): Promise<void> {
    return this.queue.dropSession(sessionId);
  }

  stats(): Promise<QueueStats> {
    return this.queue.stats();
  }
}
