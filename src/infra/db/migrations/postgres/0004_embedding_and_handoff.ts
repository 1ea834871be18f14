// frame_ancestors: NULL = the server default, '' = no framing, else space-separated origins (validated on input).
// handoffs: desktop-to-phone hand-off links, stored as SHA-256 digests of their single-use claim and watch secrets.
export const up = `
ALTER TABLE apps ADD COLUMN frame_ancestors TEXT;
CREATE TABLE handoffs (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  claim_hash TEXT NOT NULL UNIQUE,
  watch_hash TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  claimed_at BIGINT,
  revoked_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX handoffs_session ON handoffs(session_id);
`;
