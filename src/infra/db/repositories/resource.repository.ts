import type { Kysely, Selectable } from 'kysely';
import type { ResourceRepository } from '../../../domain/ports/repositories.port.js';
import type { ResourceRecord } from '../../../domain/sessions/session.types.js';
import type { Dialect } from '../database.js';
import type { DB, ResourcesTable } from '../db.types.js';
import { rawQuery } from '../raw-query.js';
import { fromJson, toJson } from './json.js';

const toRecord = (row: Selectable<ResourcesTable>): ResourceRecord => ({
  id: row.id,
  sessionId: row.session_id,
  type: row.type as ResourceRecord['type'],
  requirementId: row.requirement_id,
  source: row.source as ResourceRecord['source'],
  data: fromJson(row.data),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export class KyselyResourceRepository implements ResourceRepository {
  private readonly ofSession;

  constructor(
    private readonly db: Kysely<DB>,
    dialect: Dialect,
  ) {
    this.ofSession = rawQuery<Selectable<ResourcesTable>>(
      db,
      dialect,
      'SELECT * FROM "resources" WHERE "session_id" = ? ORDER BY "created_at", "id"',
    );
  }

  async create(r: ResourceRecord): Promise<void> {
    await this.db
      .insertInto('resources')
      .values({
        id: r.id,
        session_id: r.sessionId,
        type: r.type,
        requirement_id: r.requirementId,
        source: r.source,
        data: toJson(r.data),
        created_at: r.createdAt,
        updated_at: r.updatedAt,
      })
      .execute();
  }

  async get(sessionId: string, id: string): Promise<ResourceRecord | null> {
    const row = await this.db
      .selectFrom('resources')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async list(sessionId: string): Promise<ResourceRecord[]> {
    return (await this.ofSession(sessionId)).map(toRecord);
  }

  async update(r: ResourceRecord): Promise<void> {
    await this.db
      .updateTable('resources')
      .set({ data: toJson(r.data), updated_at: r.updatedAt })
      .where('id', '=', r.id)
      .where('session_id', '=', r.sessionId)
      .execute();
  }
}
