import type { CaptureLimits } from './capture-limits.js';
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
    const { maxUploads, maxUploadBytes } = this.limits;
    const over = await this.usage.consume(sessionId, [
      { counter: 'uploads', amount: images.length, limit: maxUploads },
      { counter: 'upload_bytes', amount: total(images), limit: maxUploadBytes },
    ]);
    if (over === 'uploads')
      throw new AppError('SESSION_LIMIT_REACHED', `This session has received its limit of ${maxUploads} images`);
    if (over)
      throw new AppError(
        'SESSION_LIMIT_REACHED',
        `This session has stored its limit of ${Math.round(maxUploadBytes / MiB)} MB of images`,
      );
  }

  /** Gives back the bytes of received images that were refused and not kept (they still count as received). */
  async notKept(sessionId: string, images: readonly Uint8Array[]): Promise<void> {
    await this.usage.release(sessionId, 'upload_bytes', total(images));
  }

  /** Gives back the bytes of stored images that were erased (the pages of a document taken again). */
  async erased(sessionId: string, bytes: number): Promise<void> {
    if (bytes > 0) await this.usage.release(sessionId, 'upload_bytes', bytes);
  }

  async event(sessionId: string): Promise<void> {
    if (await this.usage.consume(sessionId, [{ counter: 'events', amount: 1, limit: this.limits.maxEvents }])) {
      throw new AppError(
        'SESSION_LIMIT_REACHED',
        `This session has recorded its limit of ${this.limits.maxEvents} events`,
      );
    }
  }

  /**
   * One streamed ZOOM liveness frame (each costs a full face analysis). A session's attempts are bounded by
   * max_retries and each by its frame cap, so this only stops a client that abandons challenges to stream forever.
   */
  async livenessFrame(sessionId: string, tokenExpiresAt: number): Promise<void> {
    const limit = this.limits.maxLivenessFrames;
    if (await this.usage.consume(sessionId, [{ counter: 'liveness_frames', amount: 1, limit }])) {
      throw retryAfter(
        new AppError('ANALYSIS_LIMIT_REACHED', `This session has streamed its limit of ${limit} liveness frames`),
        tokenExpiresAt - this.now(),
      );
    }
  }

  /**
   * One live-feedback analysis: at most analysesPerMinute in any calendar minute (429 until the minute ends) and
   * maxAnalyses over the session's life (429 until the token ends). Both answer with Retry-After.
   */
  async analysis(sessionId: string, tokenExpiresAt: number): Promise<void> {
    const now = this.now();
    const window = Math.floor(now / MINUTE_MS);
    const minute = `analyses@${window}`;
    const over = await this.usage.consume(
      sessionId,
      [
        { counter: minute, amount: 1, limit: this.limits.analysesPerMinute },
        { counter: 'analyses', amount: 1, limit: this.limits.maxAnalyses },
      ],
      { prefix: 'analyses@', keep: minute },
    );
    if (over === minute) {
      throw retryAfter(
        new AppError('RATE_LIMITED', `At most ${this.limits.analysesPerMinute} analyses a minute`),
        (window + 1) * MINUTE_MS - now,
      );
    }
    if (over) throw retryAfter(new AppError('ANALYSIS_LIMIT_REACHED'), tokenExpiresAt - now);
  }
}

const total = (images: readonly Uint8Array[]) => images.reduce((sum, i) => sum + i.length, 0);

function retryAfter(error: AppError, ms: number): AppError {
  error.retryAfterSec = Math.max(1, Math.ceil(ms / 1000));
  return error;
}
