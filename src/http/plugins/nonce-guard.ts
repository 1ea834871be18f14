import type { AppRecord, NonceRepository } from '../../domain/ports/repositories.port.js';

/** Nonces and timestamps beyond this length are not an SDK's (a UUID is 36 characters). */
const MAX_NONCE_LENGTH = 128;
const PURGE_EVERY_MS = 3600_000;
/** Without a timestamp window, nonces are the only protection: kept this long. */
const UNTIMED_RETENTION_MS = 30 * 86400_000;

export interface NonceGuardOptions {
  nonces: NonceRepository;
  /** A Node-style (epoch-ms) `timestamp` older than this is refused; 0 = timestamps are not read. */
  windowMs: number;
  now: () => number;
}

/**
 * Replay protection for signed requests (spec 2.2: every official SDK sends a fresh random `nonce`).
 *
 * A nonce is accepted once per app and remembered for twice the window. Retention is bounded safely by the
 * Node SDK's `timestamp` (epoch milliseconds): a value between the app's creation and now is read as the
 * signing time, and a request signed more than the window ago is refused, so forgetting its nonce later does
 * not let it through again. A request signed before the guard first started (when its nonce was not recorded)
 * is refused the same way. Timestamps outside that range (Java's monotonic microseconds, none at all) are not
 * read: those requests are protected by their nonce for the retention period only.
 */
export function nonceGuard(options: NonceGuardOptions) {
  const { nonces, windowMs, now } = options;
  const retentionMs = windowMs > 0 ? 2 * windowMs : UNTIMED_RETENTION_MS;
  // Read (or set) at once, not at the first request: a request signed after this process started is never
  // "before the guard started".
  let start: Promise<number> | undefined;
  const guardStart = () => {
    start ??= nonces.guardStart(now()).catch((err: unknown) => {
      start = undefined; // retried by the next request
      throw err;
    });
    return start;
  };
  guardStart().catch(() => undefined);
  let lastPurge = 0;

  /** The signing time a timestamp gives, or null when it is not a Node-style epoch-ms time for this app. */
  const signedAt = (app: AppRecord, timestamp: string | null, at: number): number | null => {
    if (windowMs === 0 || !timestamp || !/^\d{1,16}$/.test(timestamp)) return null;
    const ts = Number(timestamp);
    return ts >= app.createdAt - windowMs && ts <= at + windowMs ? ts : null;
  };

  /** Null when the request may proceed, else why it is refused (logged, never sent). */
  return async function checkReplay(app: AppRecord, query: URLSearchParams): Promise<string | null> {
    const since = await guardStart();
    const at = now();
    const nonce = query.get('nonce');
    if (!nonce) return 'missing nonce';
    if (nonce.length > MAX_NONCE_LENGTH) return 'nonce too long';
    const ts = signedAt(app, query.get('timestamp'), at);
    if (ts !== null && ts < at - windowMs) return 'signed too long ago for the nonce window';
    if (ts !== null && ts < since) return 'signed before the nonce guard started';
    if (!(await nonces.remember(app.sdkId, nonce, at))) return 'replayed nonce';
    if (at - lastPurge > PURGE_EVERY_MS) {
      lastPurge = at;
      await nonces.purgeBefore(at - retentionMs);
    }
    return null;
  };
}
