export const up = `
CREATE TABLE apps (
  sdk_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  public_key_pem TEXT NOT NULL,
  webhook_secret TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(sdk_id),
  state TEXT NOT NULL,
  spec TEXT NOT NULL,
  requirements TEXT NOT NULL,
  user_tracking_id TEXT,
  client_token TEXT NOT NULL UNIQUE,
  token_expires_at BIGINT NOT NULL,
  resources_expire_at BIGINT NOT NULL,
  biometric_consent_at BIGINT,
  finished_at BIGINT,
  completed_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX sessions_app ON sessions(app_id, created_at);
CREATE INDEX sessions_resources_expiry ON sessions(resources_expire_at);
CREATE TABLE checks (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  state TEXT NOT NULL,
  config TEXT NOT NULL,
  report TEXT,
  resources_used TEXT NOT NULL,
  generated_media TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX checks_session ON checks(session_id);
CREATE TABLE resources (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  requirement_id TEXT,
  source TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX resources_session ON resources(session_id);
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  state TEXT NOT NULL,
  config TEXT NOT NULL,
  recommendation TEXT,
  generated_checks TEXT NOT NULL,
  generated_media TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX tasks_session ON tasks(session_id);
CREATE TABLE media (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL,
  type TEXT NOT NULL,
  content_type TEXT NOT NULL,
  storage_key TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX media_session ON media(session_id);
CREATE TABLE device_events (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  event TEXT NOT NULL,
  device TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX device_events_session ON device_events(session_id, created_at);
CREATE TABLE nonces (
  sdk_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  seen_at BIGINT NOT NULL,
  PRIMARY KEY (sdk_id, nonce)
);
CREATE INDEX nonces_seen ON nonces(seen_at);
`;
