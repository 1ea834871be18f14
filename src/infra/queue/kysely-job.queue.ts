import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Job, JobQueue, JobSpec, QueueStats } from '../../domain/ports/job-queue.port.js';
import type { Dialect } from '../db/database.js';
import type { DB } from '../db/db.types.js';
import { currentRequestId } from '../../shared/request-context.js';

// One implementation for both dialects; only the claim differs: PostgreSQL skips rows other workers hold
// (FOR UPDATE SKIP LOCKED), SQLite has a single writer so the UPDATE … WHERE id IN (SELECT …) is atomic.
export class KyselyJobQueue implements JobQueue {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
    private readonly now: () => number,
  ) {}

  async enqueue(job: JobSpec): Promise<void> {
    const at = this.now();
    await this.db
      .insertInto('jobs')
      .values({
        id: randomUUID(),
        name: job.name,
        payload: JSON.stringify(job.payload ?? null),
        state: 'queued',
        attempts: 0,
        max_attempts: job.maxAttempts ?? 5,
        run_at: job.runAt ?? at,
        lease_owner: null,
        lease_expires_at: null,
        last_error: null,
        dedupe_key: job.dedupeKey ?? null,
        session_id: job.sessionId ?? null,
        request_id: job.requestId ?? currentRequestId() ?? null,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .execute();
  }

  async claim(owner: string, limit: number, leaseMs: number): Promise<Job[]> {
    const now = this.now();
    const lock = this.dialect === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
    const result = await sql<{
      id: string;
      name: string;
      payload: string;
      attempts: number;
      max_attempts: number;
      session_id: string | null;
      request_id: string | null;
    }>`
      UPDATE jobs SET state = 'running', lease_owner = ${owner}, lease_expires_at = ${now + leaseMs},
        attempts = attempts + 1, updated_at = ${now}
      WHERE id IN (
        SELECT id FROM jobs
        WHERE (state = 'queued' AND run_at <= ${now}) OR (state = 'running' AND lease_expires_at < ${now})
        ORDER BY run_at, created_at LIMIT ${limit} ${lock}
      )
      RETURNING id, name, payload, attempts, max_attempts, session_id, request_id`.execute(this.db);
    return result.rows.map((r) => ({
      id: r.id,
      name: r.name,
      payload: JSON.parse(r.payload) as unknown,
      attempts: Number(r.attempts),
      maxAttempts: Number(r.max_attempts),
      sessionId: r.session_id,
      requestId: r.request_id,
    }));
  }

  async complete(id: string, owner: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ state: 'done', lease_owner: null, lease_expires_at: null, updated_at: this.now() })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async fail(id: string, owner: string, error: string, retryAt: number | null): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({
        state: retryAt === null ? 'dead' : 'queued',
        run_at: retryAt ?? this.now(),
        lease_owner: null,
        lease_expires_at: null,
        last_error: error.slice(0, 2000),
        updated_at: this.now(),
      })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async extendLease(id: string, owner: string, leaseMs: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ lease_expires_at: this.now() + leaseMs })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'running')
      .execute();
  }

  async release(id: string, owner: string, runAt?: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'queued',
        ...(runAt !== undefined ? { run_at: runAt } : {}),
        lease_owner: null,
        lease_expires_at: null,
        attempts: eb('attempts', '-', 1),
        updated_at: this.now(),
      }))
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'running')
      .execute();
  }

  async dropSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('jobs').where('session_id', '=', sessionId).execute();
  }

  async stats(): Promise<QueueStats> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('state')
      .execute();
    const stats: QueueStats = { queued: 0, running: 0, done: 0, dead: 0 };
    for (const r of rows) if (r.state in stats) stats[r.state as keyof QueueStats] = Number(r.n);
    return stats;
  }
}
