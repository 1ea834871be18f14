import { AppError, validationError } from '../errors.js';
import type { ReviewQueueQuery, ReviewRepository } from '../ports/console-repository.port.js';
import type { ReviewDecided, ReviewDecision, ReviewItem, ReviewState } from './review.types.js';

export const MAX_REASON_LENGTH = 2000;

export interface ReviewPolicy {
  /** A REJECT takes two different reviewers (the second confirms or overturns it). */
  fourEyesReject: boolean;
}

export type ReviewListener = (event: ReviewDecided) => Promise<void> | void;

/**
 * The manual review queue. The session lifecycle calls openReview() for a check it sends to a person and
 * listens with onDecided(); the console calls decide(). Decisions are written with a compare-and-set on the
 * item's state, so two reviewers deciding at once cannot both win. A listener that fails leaves the item
 * decided but not applied (the error goes to onListenerError, the decision stands): listUnapplied() lets the
 * lifecycle finish such items after a crash, and markApplied() records that the decision reached the check's
 * report.
 */
export class ReviewService {
  private readonly listeners: ReviewListener[] = [];

  constructor(
    private readonly deps: {
      reviews: ReviewRepository;
      policy: ReviewPolicy;
      now: () => number;
      newId: () => string;
      onListenerError?: (err: unknown, item: ReviewItem) => void;
    },
  ) {}

  get policy(): ReviewPolicy {
    return this.deps.policy;
  }

  /** Sends a check to review; idempotent per check (a retried job gets the same item back). */
  async openReview(
    session: { id: string; appId: string },
    check: { id: string; type: string },
    reason: string,
  ): Promise<ReviewItem> {
    const now = this.deps.now();
    return this.deps.reviews.createOrGet({
      id: this.deps.newId(),
      sessionId: session.id,
      appId: session.appId,
      checkId: check.id,
      checkType: check.type,
      reason,
      state: 'OPEN',
      firstDecision: null,
      firstReason: null,
      firstBy: null,
      firstAt: null,
      decision: null,
      decisionReason: null,
      decidedBy: null,
      decidedAt: null,
      appliedAt: null,
      createdAt: now,
      updatedAt: now,
    });
  }

  /** Called when a decision is final. Listeners run in registration order; an error does not undo the decision. */
  onDecided(listener: ReviewListener): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener) >>> 0, 1);
  }

  get(id: string): Promise<ReviewItem | null> {
    return this.deps.reviews.get(id);
  }

  queue(query: ReviewQueueQuery): Promise<ReviewItem[]> {
    return this.deps.reviews.listQueue(query);
  }

  forSession(sessionId: string): Promise<ReviewItem[]> {
    return this.deps.reviews.listForSession(sessionId);
  }

  /**
   * A reviewer's decision. Under the four-eyes rule a first REJECT moves the item to AWAITING_SECOND; a second,
   * different reviewer then confirms (REJECT) or overturns (APPROVE) it. The reason is required for a REJECT.
   */
  async decide(itemId: string, reviewer: string, decision: ReviewDecision, reason: string): Promise<ReviewItem> {
    if (decision !== 'APPROVE' && decision !== 'REJECT')
      throw validationError([{ property: 'decision', message: 'must be APPROVE or REJECT' }]);
    const text = reason.trim();
    if (decision === 'REJECT' && !text)
      throw validationError([{ property: 'reason', message: 'is required to reject' }]);
    if (text.length > MAX_REASON_LENGTH)
      throw validationError([{ property: 'reason', message: `must be at most ${MAX_REASON_LENGTH} characters` }]);
    const item = await this.deps.reviews.get(itemId);
    if (!item) throw new AppError('NOT_FOUND', 'No review item with this id');
    const now = this.deps.now();
    let next: ReviewItem;
    if (item.state === 'OPEN') {
      next =
        decision === 'REJECT' && this.deps.policy.fourEyesReject
          ? {
              ...item,
              state: 'AWAITING_SECOND',
              firstDecision: decision,
              firstReason: text,
              firstBy: reviewer,
              firstAt: now,
              updatedAt: now,
            }
          : {
              ...item,
              state: 'DECIDED',
              decision,
              decisionReason: text,
              decidedBy: reviewer,
              decidedAt: now,
              updatedAt: now,
            };
    } else if (item.state === 'AWAITING_SECOND') {
      if (item.firstBy === reviewer)
        throw new AppError('CONFLICT', 'A second reviewer must confirm or overturn this rejection');
      next = {
        ...item,
        state: 'DECIDED',
        decision,
        decisionReason: text,
        decidedBy: reviewer,
        decidedAt: now,
        updatedAt: now,
      };
    } else {
      throw new AppError('CONFLICT', 'This review item is already decided');
    }
    if (!(await this.deps.reviews.saveDecision(next, item.state as ReviewState)))
      throw new AppError('CONFLICT', 'Another reviewer decided this item first');
    if (next.state === 'DECIDED') await this.emit(next);
    return next;
  }

  private async emit(item: ReviewItem): Promise<void> {
    const event: ReviewDecided = {
      item,
      sessionId: item.sessionId,
      appId: item.appId,
      checkId: item.checkId,
      decision: item.decision!,
      reason: item.decisionReason ?? '',
      decidedBy: [item.firstBy, item.decidedBy].filter((x): x is string => Boolean(x)),
      decidedAt: item.decidedAt!,
    };
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (err) {
        this.deps.onListenerError?.(err, item);
      }
    }
  }

  /** The lifecycle calls this once the decision is recorded in the check's report. */
  markApplied(itemId: string): Promise<void> {
    return this.deps.reviews.markApplied(itemId, this.deps.now());
  }

  /** Decided items whose decision has not reached the report yet (the lifecycle's recovery sweep). */
  listUnapplied(limit = 100): Promise<ReviewItem[]> {
    return this.deps.reviews.listUnapplied(limit);
  }

  /** Re-sends the decided event of an unapplied item (used by a recovery sweep). */
  async redeliver(item: ReviewItem): Promise<void> {
    if (item.state === 'DECIDED' && item.appliedAt === null) await this.emit(item);
  }
}
