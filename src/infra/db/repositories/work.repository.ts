import type { Insertable, Kysely, Selectable } from 'kysely';
import type { WorkRepository } from '../../../domain/ports/repositories.port.js';
import type { CheckRecord, TaskRecord } from '../../../domain/sessions/session.types.js';
import type { Dialect } from '../database.js';
import type { ChecksTable, DB, TasksTable } from '../db.types.js';
import { rawQuery } from '../raw-query.js';
import { fromJson, toJson } from './json.js';
import { outcomeUpdater } from './session-outcome.js';

export const checkRow = (c: CheckRecord): Insertable<ChecksTable> => ({
  id: c.id,
  session_id: c.sessionId,
  type: c.type,
  state: c.state,
  config: toJson(c.config),
  report: c.report ? toJson(c.report) : null,
  resources_used: toJson(c.resourcesUsed),
  generated_media: toJson(c.generatedMedia),
  created_at: c.createdAt,
  updated_at: c.updatedAt,
});

const toCheck = (row: Selectable<ChecksTable>): CheckRecord => ({
  id: row.id,
  sessionId: row.session_id,
  type: row.type,
  state: row.state as CheckRecord['state'],
  config: fromJson(row.config),
  report: fromJson(row.report),
  resourcesUsed: fromJson(row.resources_used),
  generatedMedia: fromJson(row.generated_media),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const taskRow = (t: TaskRecord): Insertable<TasksTable> => ({
  id: t.id,
  session_id: t.sessionId,
  resource_id: t.resourceId,
  type: t.type,
  state: t.state,
  config: toJson(t.config),
  recommendation: t.recommendation ? toJson(t.recommendation) : null,
  generated_checks: toJson(t.generatedChecks),
  generated_media: toJson(t.generatedMedia),
  created_at: t.createdAt,
  updated_at: t.updatedAt,
});

const toTask = (row: Selectable<TasksTable>): TaskRecord => ({
  id: row.id,
  sessionId: row.session_id,
  resourceId: row.resource_id,
  type: row.type,
  state: row.state as TaskRecord['state'],
  config: fromJson(row.config),
  recommendation: fromJson(row.recommendation),
  generatedChecks: fromJson(row.generated_checks),
  generatedMedia: fromJson(row.generated_media),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export class KyselyWorkRepository implements WorkRepository {
  private readonly checksOf;
  private readonly tasksOf;
  private readonly updateOutcome;

  constructor(
    private readonly db: Kysely<DB>,
    dialect: Dialect,
  ) {
    this.checksOf = rawQuery<Selectable<ChecksTable>>(
      db,
      dialect,
      'SELECT * FROM "checks" WHERE "session_id" = ? ORDER BY "created_at", "id"',
    );
    this.tasksOf = rawQuery<Selectable<TasksTable>>(
      db,
      dialect,
      'SELECT * FROM "tasks" WHERE "session_id" = ? ORDER BY "created_at", "id"',
    );
    this.updateOutcome = outcomeUpdater(dialect);
  }

  async getCheck(sessionId: string, id: string): Promise<CheckRecord | null> {
    const row = await this.db
      .selectFrom('checks')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toCheck(row) : null;
  }

  async saveCheck(check: CheckRecord): Promise<void> {
    const row = checkRow(check);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('checks')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ ...row, id: undefined, session_id: undefined, created_at: undefined }),
        )
        .execute();
      await this.updateOutcome(trx, check.sessionId);
    });
  }

  async listChecks(sessionId: string): Promise<CheckRecord[]> {
    return (await this.checksOf(sessionId)).map(toCheck);
  }

  async getTask(sessionId: string, id: string): Promise<TaskRecord | null> {
    const row = await this.db
      .selectFrom('tasks')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toTask(row) : null;
  }

  async saveTask(task: TaskRecord): Promise<void> {
    const row = taskRow(task);
    await this.db
      .insertInto('tasks')
      .values(row)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ ...row, id: undefined, session_id: undefined, created_at: undefined }),
      )
      .execute();
  }

  async listTasks(sessionId: string): Promise<TaskRecord[]> {
    return (await this.tasksOf(sessionId)).map(toTask);
  }
}
