import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type {
  SessionListQuery,
  SessionListRepository,
  SessionListRow,
} from '../../../../domain/ports/console-repository.port.js';
import type { SessionState } from '../../../../domain/sessions/session.types.js';
import type { Dialect } from '../../database.js';
import type { DB } from '../../db.types.js';

// The console's session list: keyset pages over (created_at, id) newest first, served by the indexes of
// migrations 0005 and 0007 (the stored outcome), reading only list columns (never a session's spec, resources or media). A page's checks and
// open reviews come in one query each for the page's ids.

type EB = ExpressionBuilder<DB, 'sessions'>;

export class KyselySessionListRepository implements SessionListRepository {
  private readonly recommendation;

  constructor(
    private readonly db: Kysely<DB>,
    dialect: Dialect,
  ) {
    this.recommendation =
      dialect === 'sqlite'
        ? sql<string | null>`json_extract(checks.report, '$.recommendation.value')`
        : sql<string | null>`(checks.report::json -> 'recommendation' ->> 'value')`;
  }

  async list(q: SessionListQuery): Promise<SessionListRow[]> {
    if (q.appIds?.length === 0) return [];
    let query = this.db
      .selectFrom('sessions')
      .select(['id', 'app_id', 'state', 'user_tracking_id', 'created_at', 'completed_at']);
    if (q.appIds) query = query.where('app_id', 'in', q.appIds);
    if (q.sessionId) query = query.where('id', '=', q.sessionId);
    if (q.state) query = query.where('state', '=', q.state);
    // A prefix as a range, so the index on user_tracking_id serves it in both dialects (LIKE would not).
    if (q.trackingId)
      query = query
        .where('user_tracking_id', '>=', q.trackingId)
        .where('user_tracking_id', '<', `${q.trackingId}\u{10FFFF}`);
    if (q.from !== undefined) query = query.where('created_at', '>=', q.from);
    if (q.to !== undefined) query = query.where('created_at', '<', q.to);
    const before = q.before;
    if (before)
      query = query.where((eb) =>
        eb.or([eb('created_at', '<', before.at), eb.and([eb('created_at', '=', before.at), eb('id', '<', before.id)])]),
      );
    if (q.outcome) query = query.where('outcome', '=', q.outcome);
    if (q.needsReview !== undefined) {
      const open = (eb: EB) =>
        eb.exists(
          eb
            .selectFrom('review_items')
            .select(sql.lit(1).as('one'))
            .whereRef('review_items.session_id', '=', 'sessions.id')
            .where('review_items.state', '<>', 'DECIDED'),
        );
      query = query.where((eb) => (q.needsReview ? open(eb) : eb.not(open(eb))));
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const [checks, reviews] = await Promise.all([
      this.db
        .selectFrom('checks')
        .select(['session_id', 'type', 'state', this.recommendation.as('recommendation')])
        .where('session_id', 'in', ids)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
      this.db
        .selectFrom('review_items')
        .select(['session_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('session_id', 'in', ids)
        .where('state', '<>', 'DECIDED')
        .groupBy('session_id')
        .execute(),
    ]);
    return rows.map((r) => ({
      id: r.id,
      appId: r.app_id,
      state: r.state as SessionState,
      userTrackingId: r.user_tracking_id,
      createdAt: r.created_at,
      completedAt: r.completed_at,
      checks: checks
        .filter((c) => c.session_id === r.id)
        .map((c) => ({ type: c.type, state: c.state, recommendation: c.recommendation })),
      openReviews: Number(reviews.find((v) => v.session_id === r.id)?.n ?? 0),
    }));
  }
}
