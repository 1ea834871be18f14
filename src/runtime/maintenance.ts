import type { Logger } from 'pino';
import type { MediaStore } from '../domain/ports/media-store.port.js';
import type { SessionPipeline } from '../domain/pipeline/session-pipeline.js';
import type { PoolRepository } from '../domain/ports/pool-repository.port.js';
import type { Repositories } from '../domain/ports/repositories.port.js';
import { allRequirementsMet } from '../domain/sessions/requirements.js';
import type { SessionService } from '../domain/sessions/session.service.js';
import type { Database } from '../infra/db/database.js';
import type { ConsoleServices } from './console-services.js';

const CHANGE_LOG_RETENTION_MS = 86400_000;
/** A write of the largest body takes seconds: a temporary file this old was left by a killed process. */
const STALE_TEMP_MS = 5 * 60_000;

/**
 * Periodic upkeep run by every worker process (each step is idempotent, so several workers may overlap):
 * erase sessions past their resources TTL, settle sessions whose token ran out before the user finished (start
 * their checks when every capture is done, else mark them EXPIRED), prune the face-index change log, drop the
 * console's audit events past their session's retention and its expired sign-in sessions, and remove media
 * temporary files that killed processes left (the first pass runs when the workers start).
 */
export async function runMaintenance(deps: {
  repos: Repositories;
  poolRepo: PoolRepository;
  sessions: SessionService;
  pipeline: SessionPipeline;
  database: Database;
  media: MediaStore;
  now: () => number;
  logger: Logger;
  console?: ConsoleServices;
}): Promise<void> {
  const now = deps.now();
  const expired = await deps.repos.sessions.listPurgeable(now, 100);
  for (const session of expired) {
    await deps.sessions.erase(session);
    deps.logger.info({ session: session.id }, 'session erased after its resources TTL');
  }
  if (expired.length && !(await deps.database.checkpoint())) deps.logger.warn('erased rows may stay in the SQLite WAL until the next checkpoint');
  for (const session of await deps.repos.sessions.listUnfinishedExpired(now, 100)) {
    const resources = await deps.repos.resources.list(session.id);
    if (allRequirementsMet(session.requirements, resources)) await deps.pipeline.start(session);
    // Captures incomplete at token expiry: the session is over; storing the state keeps it out of this scan.
    else await deps.repos.sessions.update(session.id, { state: 'EXPIRED' }, now);
  }
  await deps.poolRepo.pruneChanges(now - CHANGE_LOG_RETENTION_MS);
  await deps.console?.audit.purgeExpired();
  await deps.console?.signIns.purgeExpired();
  const swept = (await deps.media.sweepTemporary?.(STALE_TEMP_MS)) ?? 0;
  if (swept) deps.logger.info({ files: swept }, 'removed temporary media files left by an interrupted write');
}
