import type { Kysely } from 'kysely';
import type { DeviceEventRepository } from '../../../domain/ports/repositories.port.js';
import type { DeviceEvent } from '../../../domain/sessions/session.types.js';
import type { DB } from '../db.types.js';
import { fromJson, toJson } from './json.js';

export class KyselyDeviceEventRepository implements DeviceEventRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async add(e: DeviceEvent): Promise<void> {
    await this.db
      .insertInto('device_events')
      .values({ id: e.id, session_id: e.sessionId, event: e.event, device: toJson(e.device), created_at: e.createdAt })
      .execute();
  }

  async list(sessionId: string): Promise<DeviceEvent[]> {
    const rows = await this.db
      .selectFrom('device_events')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      sessionId: r.session_id,
      event: r.event,
      device: fromJson(r.device),
      createdAt: r.created_at,
    }));
  }

  async clear(sessionId: string): Promise<void> {
    await this.db.deleteFrom('device_events').where('session_id', '=', sessionId).execute();
  }
}
