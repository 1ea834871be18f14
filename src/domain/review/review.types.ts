// The manual review queue: one item per check that the lifecycle sends to a person.

export type ReviewDecision = 'APPROVE' | 'REJECT';
/** OPEN: waiting for a reviewer; AWAITING_SECOND: a REJECT waits for a second reviewer (four-eyes); DECIDED. */
export type ReviewState = 'OPEN' | 'AWAITING_SECOND' | 'DECIDED';

export interface ReviewItem {
  id: string;
  sessionId: string;
  appId: string;
  checkId: string;
  checkType: string;
  /** Why the check was sent to review (e.g. ALWAYS, FFS_REVIEW_BAND, LIVENESS_NEAR_THRESHOLD). */
  reason: string;
  state: ReviewState;
  /** Four-eyes: the first reviewer's REJECT, confirmed or overturned by a second reviewer. */
  firstDecision: ReviewDecision | null;
  firstReason: string | null;
  firstBy: string | null;
  firstAt: number | null;
  decision: ReviewDecision | null;
  decisionReason: string | null;
  decidedBy: string | null;
  decidedAt: number | null;
  /** Set by the lifecycle once the decision is in the check's report (see ReviewService.markApplied). */
  appliedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ReviewDecided {
  item: ReviewItem;
  sessionId: string;
  appId: string;
  checkId: string;
  decision: ReviewDecision;
  reason: string;
  /** Every reviewer whose decision made this one: one name, or two under the four-eyes rule. */
  decidedBy: string[];
  decidedAt: number;
}
