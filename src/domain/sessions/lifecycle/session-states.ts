import type { SessionState } from '../session.types.js';

/**
 * The stored states of a session and the moves between them. "Created" and "in progress" are both ONGOING (as in
 * Yoti's API): a session is in progress once its pipeline has been started. DELETED is the erasure of every row,
 * possible from any state.
 *
 *   ONGOING ──checks start──▶ ONGOING ──a check needs a person──▶ AWAITING_REVIEW ──decided──▶ ONGOING
 *      │                         └──every check and task DONE──▶ COMPLETED
 *      └──token ran out before the captures were done──▶ EXPIRED
 */
export const SESSION_MOVES: Readonly<Record<SessionState, readonly SessionState[]>> = {
  ONGOING: ['AWAITING_REVIEW', 'COMPLETED', 'EXPIRED'],
  AWAITING_REVIEW: ['ONGOING'],
  COMPLETED: [],
  EXPIRED: [],
};

export const canMove = (from: SessionState, to: SessionState): boolean => SESSION_MOVES[from].includes(to);

/** The states in which the pipeline still works on a session (its checks and tasks may run). */
export const isProcessing = (state: SessionState): boolean => state === 'ONGOING' || state === 'AWAITING_REVIEW';

/** What the API shows: a session waiting for a reviewer is ONGOING to the relying party and its SDK. */
export const wireState = (state: SessionState): 'ONGOING' | 'COMPLETED' | 'EXPIRED' =>
  state === 'AWAITING_REVIEW' ? 'ONGOING' : state;
