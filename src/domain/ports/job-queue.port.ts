// A durable job queue with at-least-once delivery: a job is leased to one worker at a time, retried with
// backoff when its handler throws, and recovered when its worker dies (the lease expires).

export interface JobSpec {
  name: string;
  payload: unknown;
  /** Earliest start (epoch ms); default now. */
  runAt?: number;
  maxAttempts?: number;
  /** A second enqueue with the same key is ignored (idempotent enqueue). */
  dedupeKey?: string;
  /** Lets erasure drop the pending jobs of a session. */
  sessionId?: string;
  /** The request the job descends from, for tracing in logs (default: the current request context). */
  requestId?: string;
}

export interface Job {
  id: string;
  name: string;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
  sessionId: string | null;
  requestId: string | null;
}

export interface QueueStats {
  queued: number;
  running: number;
  done: number;
  dead: number;
}

export interface JobQueue {
  enqueue(job: JobSpec): Promise<void>;
  /** Leases up to `limit` due jobs (queued, or running with an expired lease) to `owner`. */
  claim(owner: string, limit: number, leaseMs: number): Promise<Job[]>;
  complete(id: string, owner: string): Promise<void>;
  /** Reschedules at `retryAt`, or marks the job dead when null. */
  fail(id: string, owner: string, error: string, retryAt: number | null): Promise<void>;
  extendLease(id: string, owner: string, leaseMs: number): Promise<void>;
  /** Returns a leased job to the queue without counting the attempt (shutdown, or a deferral until runAt). */
  release(id: string, owner: string, runAt?: number): Promise<void>;
  dropSession(sessionId: string): Promise<void>;
  stats(): Promise<QueueStats>;
}

/** Thrown by a handler that cannot run yet (e.g. waiting for an earlier event): rerun later, no attempt used. */
export class DeferJob extends Error {
  constructor(
    readonly delayMs: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'DeferJob';
  }
}
