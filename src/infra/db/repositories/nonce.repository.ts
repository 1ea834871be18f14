import { type Kysely, sql, type Transaction } from 'kysely';
import type { NonceRepository } from '../../../domain/ports/repositories.port.js';
import type { Dialect } from '../database.js';
import type { DB } from '../db.types.js';

// The guard's start time is kept beside the nonces, under an sdk id no app can have (signed requests must name
// one), so it needs no table of its own and moves with the nonces when a store is migrated.
const GUARD_START = { sdk_id: '', nonce: 'nonce-guard-start' } as const;
/** Rows per INSERT: three bound parameters each stays far under both engines' limits. */
const MAX_BATCH = 1000;

interface Pending {
  sdkId: string;
  nonce: string;
  at: number;
  resolve(fresh: boolean): void;
  reject(err: unknown): void;
}

const keyOf = (sdkId: string, nonce: string) => `${sdkId}\n${nonce}`;

type Row = { sdk_id: string; nonce: string; seen_at: number };

/**
 * Every signed request records its nonce. Concurrent requests share one INSERT, so one commit serves all the
 * requests that arrived meanwhile (group commit); the unique key still decides, across processes too, which
 * request saw a nonce first.
 *
 * The commit does not wait for the disk (SQLite `synchronous=NORMAL`, PostgreSQL `synchronous_commit=off` for
 * that one transaction): both logs are written in order, so the next durable commit (the request's own
 * effects, any other process's write) carries the nonce to disk with it. What a power cut can lose is the
 * nonce of a request that changed nothing (a GET) in the last moment before it; a crash of the process loses
 * nothing. On SQLite the fsync it saves blocks the event loop.
 */
export class KyselyNonceRepository implements NonceRepository {
  private pending: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  remember(sdkId: string, nonce: string, at: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ sdkId, nonce, at, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0, MAX_BATCH);
      try {
        const rows = new Map<string, Row>();
        for (const p of batch)
          if (!rows.has(keyOf(p.sdkId, p.nonce)))
            rows.set(keyOf(p.sdkId, p.nonce), { sdk_id: p.sdkId, nonce: p.nonce, seen_at: p.at });
        const inserted = await this.insertWithoutFlush([...rows.values()]);
        // A nonce twice in one batch: the first request has it, the others are replays.
        const fresh = new Set(inserted.map((r) => keyOf(r.sdk_id, r.nonce)));
        for (const p of batch) p.resolve(fresh.delete(keyOf(p.sdkId, p.nonce)));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.flushing = false;
  }

  private insertWithoutFlush(rows: Row[]): Promise<{ sdk_id: string; nonce: string }[]> {
    const insert = (db: Kysely<DB> | Transaction<DB>) =>
      db
        .insertInto('nonces')
        .values(rows)
        .onConflict((oc) => oc.columns(['sdk_id', 'nonce']).doNothing())
        .returning(['sdk_id', 'nonce'])
        .execute();
    if (this.dialect === 'postgres') {
      return this.db.transaction().execute(async (trx) => {
        await sql`SET LOCAL synchronous_commit TO OFF`.execute(trx);
        return insert(trx);
      });
    }
    // SQLite: one connection, held for the three statements, so no other write runs with NORMAL.
    return this.db.connection().execute(async (conn) => {
      const [{ synchronous }] = (await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(conn)).rows as [
        { synchronous: number },
      ];
      await sql.raw('PRAGMA synchronous = NORMAL').execute(conn);
      try {
        return await insert(conn);
      } finally {
        await sql.raw(`PRAGMA synchronous = ${Number(synchronous)}`).execute(conn);
      }
    });
  }

  async purgeBefore(at: number): Promise<void> {
    await this.db.deleteFrom('nonces').where('seen_at', '<', at).where('sdk_id', '!=', GUARD_START.sdk_id).execute();
  }

  async guardStart(now: number): Promise<number> {
    await this.remember(GUARD_START.sdk_id, GUARD_START.nonce, now);
    const row = await this.db
      .selectFrom('nonces')
      .select('seen_at')
      .where('sdk_id', '=', GUARD_START.sdk_id)
      .where('nonce', '=', GUARD_START.nonce)
      .executeTakeFirstOrThrow();
    return Number(row.seen_at);
  }

  async forgetGuardStart(): Promise<void> {
    await this.db
      .deleteFrom('nonces')
      .where('sdk_id', '=', GUARD_START.sdk_id)
      .where('nonce', '=', GUARD_START.nonce)
      .execute();
  }
}
