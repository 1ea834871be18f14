// The audit log: who saw which biometric data and who decided what, when and from where. Append-only.

export interface AuditEvent {
  seq: number;
  at: number;
  /** Username, or `system` / `cli`. */
  actor: string;
  /** Dotted verb, e.g. `session.view`, `media.view`, `review.decide`, `user.create`, `signin.failed`. */
  action: string;
  appId: string | null;
  sessionId: string | null;
  /** What was acted on beyond the session: a media id, a face id, a user name. */
  target: string | null;
  /** Short free text or JSON (a decision and its reason); never images, embeddings or MRZ text. */
  detail: string | null;
  ip: string | null;
  /** Erased after this time (the session's retention); null: kept. */
  expiresAt: number | null;
}

export type NewAuditEvent = Omit<AuditEvent, 'seq' | 'expiresAt'> & { expiresAt?: number | null };

export interface AuditQuery {
  actor?: string;
  action?: string;
  sessionId?: string;
  /** Apps the reader may see; null: every app (events with no app are shown to admins only). */
  appIds: string[] | null;
  from?: number;
  to?: number;
  /** Keyset: events with seq below this. */
  beforeSeq?: number;
  limit: number;
}
