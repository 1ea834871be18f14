import type { CaptureLimits } from '../../config/config.js';
import { AppError } from '../errors.js';
import type { UsageRepository } from '../ports/repositories.port.js';

const MINUTE_MS = 60_000;
const MiB = 1024 * 1024;

/**
 * What one client session token may make the server store or compute: images received (refused ones included,
 * since each costs a decode), bytes kept, device events, and live-feedback analyses overall and per minute. The
 * counters live in the database, so every API process and every restart sees the same totals.
 */
export class SessionQuota {
  constructor(
    private readonly usage: UsageRepository,
    private readonly limits: CaptureLimits,
    private readonly now: () => number,
  ) {}

  /** Counts images about to be received and their bytes; refuses (409) past either limit, counting nothing. */
  async upload(sessionId: string, images: readonly Uint8Array[]): Promise<void> {
    const bytes = images.reduce((sum, i) => sum + i.length, 0);
    if (!(await this.usage.consume(sessionId, 'uploads', images.length, this.limits.maxUploads))) {
      throw new AppError('SESSION_LIMIT_REACHED', `This session has received its limit of ${this.limits.maxUploads} images`);
    }
    if (!(await this.usage.consume(sessionId, 'upload_bytes', bytes, this.limits.maxUploadBytes))) {
      await this.usage.release(sessionId, 'uploads', images.length);
      throw new AppError('SESSION_LIMIT_REACHED', `This session has stored its limit of ${Math.round(this.limits.maxUploadBytes / MiB)} MB of images`);
    }
  }

  /** Gives back the bytes of received images that were refused and not kept (they still count as received). */
  async notKept(sessionId: string, images: readonly Uint8Array[]): Promise<void> {
    await this.usage.release(sessionId, 'upload_bytes', images.reduce((sum, i) => sum + i.length, 0));
  }

  async event(sessionId: string): Promise<void> {
    if (!(await this.usage.consume(sessionId, 'events', 1, this.limits.maxEvents))) {
      throw new AppError('SESSION_LIMIT_REACHED', `This session has recorded its limit of ${this.limits.maxEvents} events`);
    }
  }

  /**
   * One live-feedback analysis: at most maxAnalyses over the session's life (then 429 until the token ends) and
   * analysesPerMinute in any calendar minute (429 until the minute ends). Both answer with Retry-After.
   */
  async analysis(sessionId: string, tokenExpiresAt: number): Promise<void> {
    const now = this.now();
    const window = Math.floor(now / MINUTE_MS);
    const minuteKey = `analyses@${window}`;
    if (!(await this.usage.consume(sessionId, minuteKey, 1, this.limits.analysesPerMinute))) {
      throw retryAfter(new AppError('RATE_LIMITED', `At most ${this.limits.analysesPerMinute} analyses a minute`), (window + 1) * MINUTE_MS - now);
    }
    if (!(await this.usage.consume(sessionId, 'analyses', 1, this.limits.maxAnalyses))) {
      throw retryAfter(new AppError('ANALYSIS_LIMIT_REACHED'), tokenExpiresAt - now);
    }
    // Only the current minute's counter matters; earlier ones go (one indexed delete, usually of nothing).
    await this.usage.prune(sessionId, 'analyses@', minuteKey);
  }
}

function retryAfter(error: AppError, ms: number): AppError {
  error.retryAfterSec = Math.max(1, Math.ceil(ms / 1000));
  return error;
}
