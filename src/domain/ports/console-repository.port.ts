import type { AuditEvent, AuditQuery, NewAuditEvent } from '../audit/audit.types.js';
import type { ConsoleUser } from '../console/console-user.types.js';
import type { ReviewItem, ReviewState } from '../review/review.types.js';
import type { SessionState } from '../sessions/session.types.js';

// Storage of the operator console: users, sign-in sessions, the review queue, the audit log and the session
// list. One adapter per database (Kysely), tested by one contract suite on SQLite and PostgreSQL.

export interface ConsoleUserRepository {
  create(user: ConsoleUser): Promise<void>;
  get(id: string): Promise<ConsoleUser | null>;
  getByUsername(username: string): Promise<ConsoleUser | null>;
  getByOidcSubject(subject: string): Promise<ConsoleUser | null>;
  list(): Promise<ConsoleUser[]>;
  count(): Promise<number>;
  update(id: string, patch: Partial<Omit<ConsoleUser, 'id' | 'createdAt' | 'appIds'>>, at: number): Promise<void>;
  setApps(id: string, appIds: string[]): Promise<void>;
  /** Counts a failed sign-in atomically and returns the new count. */
  addFailure(id: string, at: number): Promise<number>;
}

/** A console sign-in session (or a pending sign-in, user null), stored by the hash of its cookie token. */
export interface SignInSession {
  tokenHash: string;
  userId: string | null;
  csrfToken: string;
  /** Pending single sign-on state (state, nonce, PKCE verifier), or {}. */
  data: Record<string, string>;
  ip: string | null;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface SignInSessionRepository {
  create(session: SignInSession): Promise<void>;
  get(tokenHash: string): Promise<SignInSession | null>;
  touch(tokenHash: string, lastSeenAt: number, expiresAt: number): Promise<void>;
  delete(tokenHash: string): Promise<void>;
  deleteForUser(userId: string): Promise<void>;
  purgeExpired(now: number): Promise<number>;
}

export interface ReviewQueueQuery {
  appIds: string[] | null;
  states: ReviewState[];
  /** Keyset: items created after (createdAt, id). */
  after?: { at: number; id: string };
  limit: number;
}

export interface ReviewRepository {
  /** Inserts the item, or returns the one already open for the same check (openReview is idempotent). */
  createOrGet(item: ReviewItem): Promise<ReviewItem>;
  get(id: string): Promise<ReviewItem | null>;
  listQueue(query: ReviewQueueQuery): Promise<ReviewItem[]>;
  listForSession(sessionId: string): Promise<ReviewItem[]>;
  /** Writes a decision only if the item is still in `expected` state; false when someone else got there first. */
  saveDecision(item: ReviewItem, expected: ReviewState): Promise<boolean>;
  markApplied(id: string, at: number): Promise<void>;
  listUnapplied(limit: number): Promise<ReviewItem[]>;
}

export interface AuditRepository {
  append(event: NewAuditEvent): Promise<void>;
  /** Newest first. */
  query(query: AuditQuery): Promise<AuditEvent[]>;
  purgeExpired(now: number): Promise<number>;
}

export type SessionOutcome = 'APPROVE' | 'REJECT' | 'NOT_AVAILABLE' | 'PENDING';

export interface SessionListQuery {
  appIds: string[] | null;
  state?: SessionState;
  outcome?: SessionOutcome;
  /** Prefix of user_tracking_id. */
  trackingId?: string;
  sessionId?: string;
  from?: number;
  to?: number;
  needsReview?: boolean;
  /** Keyset: sessions created before (at, id), newest first. */
  before?: { at: number; id: string };
  limit: number;
}

export interface SessionListRow {
  id: string;
  appId: string;
  state: SessionState;
  userTrackingId: string | null;
  createdAt: number;
  completedAt: number | null;
  checks: { type: string; state: string; recommendation: string | null }[];
  openReviews: number;
}

export interface SessionListRepository {
  list(query: SessionListQuery): Promise<SessionListRow[]>;
}

/** Writes on apps that only the console makes (key and webhook-secret rotation). */
export interface AppAdminRepository {
  setPublicKey(sdkId: string, publicKeyPem: string): Promise<boolean>;
  setWebhookSecret(sdkId: string, secret: string): Promise<boolean>;
}

export interface ConsoleRepositories {
  users: ConsoleUserRepository;
  signIns: SignInSessionRepository;
  reviews: ReviewRepository;
  audit: AuditRepository;
  sessionList: SessionListRepository;
  appAdmin: AppAdminRepository;
}
