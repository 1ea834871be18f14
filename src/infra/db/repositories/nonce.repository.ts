import type { Kysely } from 'kysely';
import type { NonceRepository } from '../../../domain/ports/repositories.port.js';
import type { DB } from '../db.types.js';

export class KyselyNonceRepository implements NonceRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async remember(sdkId: string, nonce: string, at: number): Promise<boolean> {
    const result = await this.db
      .insertInto('nonces')
      .values({ sdk_id: sdkId, nonce, seen_at: at })
      .onConflict((oc) => oc.columns(['sdk_id', 'nonce']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async purgeBefore(at: number): Promise<void> {
    await this.db.deleteFrom('nonces').where('seen_at', '<', at).execute();
  }
}
