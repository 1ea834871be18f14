import type { ReviewItem } from '../../review/review.types.js';
import type { BreakdownItem, Report } from '../session.types.js';

/**
 * A check's report once a person decided it: the recommendation becomes the decision (a REJECT keeps the
 * automated reason code, e.g. MATCH_FOUND, when the machine had rejected too), and every sub-check is marked
 * EXPERT_REVIEW with the decision as its result and the reviewer's reason as a detail.
 */
export function reviewedReport(automated: Report | null, item: Pick<ReviewItem, 'decision' | 'decisionReason'>): Report {
  const approve = item.decision === 'APPROVE';
  const reason = automated?.recommendation.value === 'REJECT' ? automated.recommendation.reason : undefined;
  const details = item.decisionReason ? [{ name: 'review_reason', value: item.decisionReason }] : [];
  return {
    recommendation: approve ? { value: 'APPROVE' } : { value: 'REJECT', ...(reason ? { reason } : {}) },
    breakdown: (automated?.breakdown ?? []).map((b): BreakdownItem => ({ ...b, result: approve ? 'PASS' : 'FAIL', process: 'EXPERT_REVIEW', details: [...b.details, ...details] })),
  };
}
