import type { Kysely, Selectable } from 'kysely';
import type { ReviewQueueQuery, ReviewRepository } from '../../../../domain/ports/console-repository.port.js';
import type { ReviewDecision, ReviewItem, ReviewState } from '../../../../domain/review/review.types.js';
import type { DB, ReviewItemsTable } from '../../db.types.js';

const toItem = (r: Selectable<ReviewItemsTable>): ReviewItem => ({
  id: r.id,
  sessionId: r.session_id,
  appId: r.app_id,
  checkId: r.check_id,
  checkType: r.check_type,
  reason: r.reason,
  state: r.state as ReviewState,
  firstDecision: r.first_decision as ReviewDecision | null,
  firstReason: r.first_reason,
  firstBy: r.first_by,
  firstAt: r.first_at,
  decision: r.decision as ReviewDecision | null,
  decisionReason: r.decision_reason,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  appliedAt: r.applied_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const decisionColumns = (i: ReviewItem) => ({
  state: i.state,
  first_decision: i.firstDecision,
  first_reason: i.firstReason,
  first_by: i.firstBy,
  first_at: i.firstAt,
  decision: i.decision,
  decision_reason: i.decisionReason,
  decided_by: i.decidedBy,
  decided_at: i.decidedAt,
  updated_at: i.updatedAt,
});

export class KyselyReviewRepository implements ReviewRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async createOrGet(item: ReviewItem): Promise<ReviewItem> {
    await this.db
      .insertInto('review_items')
      .values({
        id: item.id,
        session_id: item.sessionId,
        app_id: item.appId,
        check_id: item.checkId,
        check_type: item.checkType,
        reason: item.reason,
        applied_at: item.appliedAt,
        created_at: item.createdAt,
        ...decisionColumns(item),
      })
      .onConflict((oc) => oc.column('check_id').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('review_items')
      .selectAll()
      .where('check_id', '=', item.checkId)
      .executeTakeFirstOrThrow();
    return toItem(row);
  }

  async get(id: string): Promise<ReviewItem | null> {
    const row = await this.db.selectFrom('review_items').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toItem(row) : null;
  }

  async listQueue(q: ReviewQueueQuery): Promise<ReviewItem[]> {
    if (q.appIds?.length === 0 || !q.states.length) return [];
    let query = this.db.selectFrom('review_items').selectAll().where('state', 'in', q.states);
    if (q.appIds) query = query.where('app_id', 'in', q.appIds);
    const after = q.after;
    if (after)
      query = query.where((eb) =>
        eb.or([eb('created_at', '>', after.at), eb.and([eb('created_at', '=', after.at), eb('id', '>', after.id)])]),
      );
    const rows = await query.orderBy('created_at').orderBy('id').limit(q.limit).execute();
    return rows.map(toItem);
  }

  async listForSession(sessionId: string): Promise<ReviewItem[]> {
    const rows = await this.db
      .selectFrom('review_items')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toItem);
  }

  async saveDecision(item: ReviewItem, expected: ReviewState): Promise<boolean> {
    const result = await this.db
      .updateTable('review_items')
      .set(decisionColumns(item))
      .where('id', '=', item.id)
      .where('state', '=', expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async markApplied(id: string, at: number): Promise<void> {
    await this.db
      .updateTable('review_items')
      .set({ applied_at: at })
      .where('id', '=', id)
      .where('applied_at', 'is', null)
      .execute();
  }

  async listUnapplied(limit: number): Promise<ReviewItem[]> {
    const rows = await this.db
      .selectFrom('review_items')
      .selectAll()
      .where('applied_at', 'is', null)
      .where('state', '=', 'DECIDED')
      .orderBy('decided_at')
      .limit(limit)
      .execute();
    return rows.map(toItem);
  }
}
