import type { Kysely } from 'kysely';
import type { AppAdminRepository } from '../../../../domain/ports/console-repository.port.js';
import type { DB } from '../../db.types.js';

export class KyselyAppAdminRepository implements AppAdminRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async setPublicKey(sdkId: string, publicKeyPem: string): Promise<boolean> {
    const r = await this.db
      .updateTable('apps')
      .set({ public_key_pem: publicKeyPem })
      .where('sdk_id', '=', sdkId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async setWebhookSecret(sdkId: string, secret: string): Promise<boolean> {
    const r = await this.db
      .updateTable('apps')
      .set({ webhook_secret: secret })
      .where('sdk_id', '=', sdkId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
