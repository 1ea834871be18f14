import type { ReviewItem } from '../../../domain/review/review.types.js';
import { html, type SafeHtml } from '../html.js';

export function reviewBadge(r: ReviewItem): SafeHtml {
  if (r.state === 'OPEN') return html`<span class="badge review">waiting for a reviewer</span>`;
  if (r.state === 'AWAITING_SECOND')
    return html`<span class="badge review">rejected once, waiting for a second reviewer</span>`;
  return html`<span class="badge ${r.decision ?? ''}">${r.decision === 'APPROVE' ? 'approved' : 'rejected'} by ${[r.firstBy, r.decidedBy].filter(Boolean).join(' and ')}</span>`;
}
