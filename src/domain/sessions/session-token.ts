import { wireState } from './lifecycle/session-states.js';
import { allRequirementsMet } from './requirements.js';
import type { ResourceRecord, SessionRecord, SessionState } from './session.types.js';

// The client token's life, and the state a session shows by the clock: an ONGOING session whose token ran out
// before its captures were done is EXPIRED before the maintenance pass stores it so.

export function effectiveState(
  session: SessionRecord,
  resources: ResourceRecord[],
  now: number,
): Exclude<SessionState, 'AWAITING_REVIEW'> {
  if (session.state !== 'ONGOING') return wireState(session.state);
  const capturesDone = session.finishedAt !== null || allRequirementsMet(session.requirements, resources);
  return now >= session.tokenExpiresAt && !capturesDone ? 'EXPIRED' : 'ONGOING';
}

/** The client token works until its expiry, and never after the user finished. */
export function isTokenActive(session: SessionRecord, now: number): boolean {
  return session.finishedAt === null && session.state === 'ONGOING' && now < session.tokenExpiresAt;
}

export function tokenTtl(session: SessionRecord, now: number): number {
  return isTokenActive(session, now) ? Math.max(0, Math.floor((session.tokenExpiresAt - now) / 1000)) : 0;
}
