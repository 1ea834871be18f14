import type { FfsComparison } from '../../../domain/console/session-view.service.js';
import { html, percent, type SafeHtml } from '../html.js';

const faceUrl = (poolId: string, applicantId: string, faceId: string) =>
  `/console/pools/${encodeURIComponent(poolId)}/applicants/${encodeURIComponent(applicantId)}/faces/${encodeURIComponent(faceId)}`;

/** The probe face beside each candidate's enrolled faces, with the similarity, the threshold and its error rates. */
export function ffsView(sessionId: string, f: FfsComparison): SafeHtml {
  const probe = f.probeMediaId
    ? html`<figure><img src="/console/sessions/${encodeURIComponent(sessionId)}/media/${encodeURIComponent(f.probeMediaId)}" alt="Selfie searched in the pool"><figcaption>Selfie (probe)</figcaption></figure>`
    : html`<p>No selfie.</p>`;
  const head = html`<h3>Pool ${f.poolLabel ?? f.poolId}</h3>`;
  if (f.unavailable || !f.policy || !f.band) return html`${head}<p>${f.unavailable}</p>${probe}`;
  const p = f.policy;
  const b = f.band;
  return html`${head}
  <dl class="facts">
    <dt>Faces in the pool</dt><dd>${p.poolSize.toLocaleString('en')}</dd>
    <dt>Match threshold in force</dt><dd>${p.threshold.toFixed(3)} (${p.source === 'pinned' ? 'pinned by an operator' : `derived for a ${percent(p.targetFpir)} target FPIR`})</dd>
    <dt>Expected error rates at this size</dt><dd>strangers reported as a match (FPIR) ${percent(p.expectedFpir)}; enrolled people missed (FNIR) ${percent(p.expectedFnir)}</dd>
    <dt>Review band</dt><dd>${b.empty ? 'empty (the match threshold is at or below the band threshold)' : html`${b.lower.toFixed(3)} to ${b.upper.toFixed(3)}: target FPIR ${percent(b.targetFpir)}, enrolled people missed even with review ${percent(b.expectedFnirAtLower)}`}</dd>
  </dl>
  <p class="muted">Candidates are searched again now; the pool may have changed since the check ran. Similarities are rounded to two decimals.</p>
  ${
    f.candidates.length
      ? f.candidates.map(
          (
            cand,
            i,
          ) => html`<section class="compare${cand.match ? ' match' : cand.inBand ? ' in-band' : ''}" aria-label="Candidate ${i + 1}">
      ${probe}
      <div><h4>Candidate ${i + 1}: similarity ${cand.similarity.toFixed(2)} ${cand.match ? html`<span class="badge REJECT">at or above the threshold</span>` : cand.inBand ? html`<span class="badge review">in the review band</span>` : html`<span class="badge">below the band</span>`}</h4>
      <p>Applicant <a class="id" href="/console/pools/${encodeURIComponent(f.poolId)}/applicants/${encodeURIComponent(cand.applicantId)}">${cand.applicantId}</a></p>
      <div class="grid">${cand.faceIds.map(
        (faceId, j) =>
          html`<figure><img src="${faceUrl(f.poolId, cand.applicantId, faceId)}" alt="Enrolled face ${j + 1} of candidate ${i + 1}"><figcaption>Enrolled face ${j + 1}${faceId === cand.faceId ? ' (best)' : ''}</figcaption></figure>`,
      )}</div></div></section>`,
        )
      : html`<p>The pool returned no candidates.</p>`
  }`;
}
