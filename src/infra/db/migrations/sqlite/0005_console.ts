// The operator console: its users, their app grants and sign-in sessions, the manual review queue and the
// append-only audit log. Indexes serve the console's session list (keyset pages by creation time, filters).
export const up = `
CREATE TABLE console_users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT,
  oidc_subject TEXT UNIQUE,
  all_apps INTEGER NOT NULL,
  failed_attempts INTEGER NOT NULL,
  locked_until INTEGER,
  must_change_password INTEGER NOT NULL,
  disabled_at INTEGER,
  last_login_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE console_user_apps (
  user_id TEXT NOT NULL REFERENCES console_users(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL REFERENCES apps(sdk_id),
  PRIMARY KEY (user_id, app_id)
);
CREATE TABLE console_sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT REFERENCES console_users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  data TEXT NOT NULL,
  ip TEXT,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions(user_id);
CREATE INDEX console_sessions_expiry ON console_sessions(expires_at);
CREATE TABLE review_items (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL,
  check_id TEXT NOT NULL UNIQUE,
  check_type TEXT NOT NULL,
  reason TEXT NOT NULL,
  state TEXT NOT NULL,
  first_decision TEXT,
  first_reason TEXT,
  first_by TEXT,
  first_at INTEGER,
  decision TEXT,
  decision_reason TEXT,
  decided_by TEXT,
  decided_at INTEGER,
  applied_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX review_items_queue ON review_items(state, created_at, id);
CREATE INDEX review_items_session ON review_items(session_id, state);
CREATE INDEX review_items_unapplied ON review_items(applied_at, decided_at);
CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  app_id TEXT,
  session_id TEXT,
  target TEXT,
  detail TEXT,
  ip TEXT,
  expires_at INTEGER
);
CREATE INDEX audit_events_session ON audit_events(session_id, seq);
CREATE INDEX audit_events_actor ON audit_events(actor, seq);
CREATE INDEX audit_events_expiry ON audit_events(expires_at);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_keep BEFORE DELETE ON audit_events WHEN OLD.expires_at IS NULL BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE INDEX sessions_created ON sessions(created_at, id);
CREATE INDEX sessions_app_created ON sessions(app_id, created_at, id);
CREATE INDEX sessions_tracking ON sessions(user_tracking_id);
`;
