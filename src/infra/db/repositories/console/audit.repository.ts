import type { Kysely, Selectable } from 'kysely';
import type { AuditEvent, AuditQuery, NewAuditEvent } from '../../../../domain/audit/audit.types.js';
import type { AuditRepository } from '../../../../domain/ports/console-repository.port.js';
import type { AuditEventsTable, DB } from '../../db.types.js';

const toEvent = (r: Selectable<AuditEventsTable>): AuditEvent => ({
  seq: r.seq,
  at: r.at,
  actor: r.actor,
  action: r.action,
  appId: r.app_id,
  sessionId: r.session_id,
  target: r.target,
  detail: r.detail,
  ip: r.ip,
  expiresAt: r.expires_at,
});

/** Append-only: the tables' triggers refuse UPDATE, and DELETE of rows with no retention time. */
export class KyselyAuditRepository implements AuditRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async append(e: NewAuditEvent): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        at: e.at,
        actor: e.actor,
        action: e.action,
        app_id: e.appId,
        session_id: e.sessionId,
        target: e.target,
        detail: e.detail,
        ip: e.ip,
        expires_at: e.expiresAt ?? null,
      })
      .execute();
  }

  async query(q: AuditQuery): Promise<AuditEvent[]> {
    if (q.appIds?.length === 0) return [];
    let query = this.db.selectFrom('audit_events').selectAll();
    if (q.appIds) query = query.where('app_id', 'in', q.appIds);
    if (q.actor) query = query.where('actor', '=', q.actor);
    if (q.action) query = query.where('action', '=', q.action);
    if (q.sessionId) query = query.where('session_id', '=', q.sessionId);
    if (q.from !== undefined) query = query.where('at', '>=', q.from);
    if (q.to !== undefined) query = query.where('at', '<', q.to);
    if (q.beforeSeq !== undefined) query = query.where('seq', '<', q.beforeSeq);
    const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute();
    return rows.map(toEvent);
  }

  async purgeExpired(now: number): Promise<number> {
    const result = await this.db
      .deleteFrom('audit_events')
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
