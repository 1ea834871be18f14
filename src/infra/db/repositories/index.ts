import type { Kysely } from 'kysely';
import type { Repositories } from '../../../domain/ports/repositories.port.js';
import type { Dialect } from '../database.js';
import type { DB } from '../db.types.js';
import { KyselyAppRepository } from './app.repository.js';
import { KyselyDeviceEventRepository } from './device-event.repository.js';
import { KyselyFrameLedgerRepository } from './frame-ledger.repository.js';
import { KyselyHandoffRepository } from './handoff.repository.js';
import { KyselyLivenessFrameRepository } from './liveness-frame.repository.js';
import { KyselyMediaRepository } from './media.repository.js';
import { KyselyNonceRepository } from './nonce.repository.js';
import { KyselyUsageRepository } from './usage.repository.js';
import {
  KyselyChallengeRepository,
  KyselyFaceAnalysisRepository,
  KyselyWebhookRepository,
} from './pipeline.repository.js';
import type { EmbeddingCodec } from '../../crypto/embedding-codec.js';
import { KyselyResourceRepository } from './resource.repository.js';
import { KyselySessionRepository } from './session.repository.js';
import { KyselyWorkRepository } from './work.repository.js';

export function createRepositories(db: Kysely<DB>, dialect: Dialect, codec: EmbeddingCodec): Repositories {
  return {
    apps: new KyselyAppRepository(db, dialect),
    sessions: new KyselySessionRepository(db, dialect),
    resources: new KyselyResourceRepository(db, dialect),
    work: new KyselyWorkRepository(db, dialect),
    media: new KyselyMediaRepository(db, dialect),
    devices: new KyselyDeviceEventRepository(db),
    usage: new KyselyUsageRepository(db),
    nonces: new KyselyNonceRepository(db, dialect),
    analyses: new KyselyFaceAnalysisRepository(db, codec),
    challenges: new KyselyChallengeRepository(db),
    livenessFrames: new KyselyLivenessFrameRepository(db),
    frameLedger: new KyselyFrameLedgerRepository(db, dialect),
    webhooks: new KyselyWebhookRepository(db),
    handoffs: new KyselyHandoffRepository(db),
  };
}
