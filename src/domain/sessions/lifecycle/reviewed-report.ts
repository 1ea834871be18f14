import type { ReviewedReportRule } from '../../checks/check-definition.js';
import type { ReviewItem } from '../../review/review.types.js';
import type { BreakdownItem, Report } from '../session.types.js';

/**
 * A check's report once a person decided it: the recommendation becomes the decision, and the sub-check the person
 * decided (the check's rule; else the report's first) gets the decision as its result, `process: EXPERT_REVIEW` and
 * the reviewer's reason as a detail; it is added when the automated report lacks it (Yoti's manual_face_match beside
 * ai_face_match). The other sub-checks keep what the machine found. A REJECT keeps the machine's reason code when the
 * machine had rejected too, else takes the check's own (e.g. MATCH_FOUND for a familiar face search).
 */
export function reviewedReport(
  automated: Report | null,
  item: Pick<ReviewItem, 'decision' | 'decisionReason'>,
  rule?: ReviewedReportRule,
): Report {
  const approve = item.decision === 'APPROVE';
  const breakdown = automated?.breakdown ?? [];
  const name = rule?.subCheck ?? breakdown[0]?.sub_check ?? 'manual_review';
  const machineReason = automated?.recommendation.value === 'REJECT' ? automated.recommendation.reason : undefined;
  const reason = machineReason ?? rule?.rejectReason;
  const found = breakdown.find((b) => b.sub_check === name);
  const decided: BreakdownItem = {
    sub_check: name,
    result: approve ? 'PASS' : 'FAIL',
    process: 'EXPERT_REVIEW',
    details: [
      ...(found?.details ?? []),
      ...(item.decisionReason ? [{ name: 'review_reason', value: item.decisionReason }] : []),
    ],
  };
  return {
    recommendation: approve ? { value: 'APPROVE' } : { value: 'REJECT', ...(reason ? { reason } : {}) },
    breakdown: found ? breakdown.map((b) => (b === found ? decided : b)) : [...breakdown, decided],
  };
}
