export const up = `
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  max_attempts BIGINT NOT NULL,
  run_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_expires_at BIGINT,
  last_error TEXT,
  dedupe_key TEXT UNIQUE,
  session_id TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_ready ON jobs(state, run_at);
CREATE INDEX jobs_session ON jobs(session_id);
CREATE TABLE capture_challenges (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  media_sha256 TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX capture_challenges_session ON capture_challenges(session_id);
CREATE INDEX media_sha256 ON media(sha256);
CREATE TABLE face_analyses (
  media_id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  model_set_id TEXT NOT NULL,
  result TEXT NOT NULL,
  embeddings BYTEA,
  created_at BIGINT NOT NULL
);
CREATE INDEX face_analyses_session ON face_analyses(session_id);
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  topic TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  last_status BIGINT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_session ON webhook_deliveries(session_id, created_at);
CREATE TABLE applicants (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(sdk_id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX applicants_app ON applicants(app_id, created_at, id);
CREATE TABLE faces (
  key BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  applicant_id TEXT NOT NULL REFERENCES applicants(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL,
  model_set_id TEXT NOT NULL,
  embedding BYTEA NOT NULL,
  quality TEXT NOT NULL,
  image_key TEXT NOT NULL,
  content_type TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX faces_applicant ON faces(applicant_id, created_at);
CREATE TABLE pools (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(sdk_id),
  label TEXT NOT NULL,
  settings TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX pools_app ON pools(app_id, created_at, id);
CREATE TABLE pool_members (
  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  applicant_id TEXT NOT NULL REFERENCES applicants(id) ON DELETE CASCADE,
  added_at BIGINT NOT NULL,
  PRIMARY KEY (pool_id, applicant_id)
);
CREATE INDEX pool_members_applicant ON pool_members(applicant_id);
CREATE TABLE face_changes (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pool_id TEXT NOT NULL,
  face_key BIGINT,
  op TEXT NOT NULL,
  at BIGINT NOT NULL
);
`;
