import type { Logger } from 'pino';
import type { MediaStore } from '../domain/ports/media-store.port.js';
import type { PoolRepository } from '../domain/ports/pool-repository.port.js';
import type { Repositories } from '../domain/ports/repositories.port.js';
import type { SessionLifecycle } from '../domain/sessions/lifecycle/session-lifecycle.js';
import type { Database } from '../infra/db/database.js';
import type { ConsoleServices } from './console-services.js';

const CHANGE_LOG_RETENTION_MS = 86400_000;
const DAY_MS = 86400_000;
/** Past its challenge's lifetime plus this, a stream is abandoned: nobody will decide it, its frames can go. */
const ABANDONED_STREAM_MS = 3600_000;
/** A write of the largest body takes seconds: a temporary file this old was left by a killed process. */
const STALE_TEMP_MS = 5 * 60_000;

/**
 * Periodic upkeep run by every worker process (each step is idempotent, so several workers may overlap):
 * erase sessions past their resources TTL, settle sessions whose token ran out before the user finished (the
 * lifecycle starts their checks when every capture is done, else marks them EXPIRED), apply review decisions a
 * crash kept from their check, prune the face-index change log, drop the
 * console's audit events past their session's retention and its expired sign-in sessions, forget liveness frame
 * hashes past the replay ledger's retention (they are derived from faces) and the analysed frames (landmarks,
 * embeddings) of ZOOM streams abandoned before a decision, and remove media temporary files that killed
 * processes left (the first pass runs when the workers start).
 */
export async function runMaintenance(deps: {
  repos: Pick<Repositories, 'sessions' | 'frameLedger' | 'livenessFrames'>;
  config: { readonly face: { readonly frameLedgerDays: number; readonly challengeTtlMs: number } };
  poolRepo: Pick<PoolRepository, 'pruneChanges'>;
  lifecycle: Pick<SessionLifecycle, 'erase' | 'tokenExpired' | 'recoverReviews'>;
  database: Pick<Database, 'checkpoint'>;
  media: MediaStore;
  now: () => number;
  logger: Logger;
  console?: Pick<ConsoleServices, 'audit' | 'signIns'>;
}): Promise<void> {
  const now = deps.now();
  const expired = await deps.repos.sessions.listPurgeable(now, 100);
  for (const session of expired) {
    await deps.lifecycle.erase(session);
    deps.logger.info({ session: session.id }, 'session erased after its resources TTL');
  }
  if (expired.length && !(await deps.database.checkpoint()))
    deps.logger.warn('erased rows may stay in the SQLite WAL until the next checkpoint');
  for (const session of await deps.repos.sessions.listUnfinishedExpired(now, 100))
    await deps.lifecycle.tokenExpired(session);
  await deps.lifecycle.recoverReviews();
  await deps.poolRepo.pruneChanges(now - CHANGE_LOG_RETENTION_MS);
  const forgotten = await deps.repos.frameLedger.purgeBefore(now - deps.config.face.frameLedgerDays * DAY_MS);
  if (forgotten) deps.logger.info({ frames: forgotten }, 'frame hashes past the replay ledger retention forgotten');
  const abandoned = await deps.repos.livenessFrames.purgeReceivedBefore(
    now - deps.config.face.challengeTtlMs - ABANDONED_STREAM_MS,
  );
  if (abandoned) deps.logger.info({ frames: abandoned }, 'analysed frames of abandoned liveness streams removed');
  await deps.console?.audit.purgeExpired();
  await deps.console?.signIns.purgeExpired();
  const swept = (await deps.media.sweepTemporary?.(STALE_TEMP_MS)) ?? 0;
  if (swept) deps.logger.info({ files: swept }, 'removed temporary media files left by an interrupted write');
}
