// Issue 20, active liveness (ZOOM). liveness_frames: a challenge's frames are streamed one request at a time,
// maybe to different API processes, so each analysed frame is a row the next request rebuilds the tracker from;
// the primary key makes two racing requests for one index collide instead of both counting. The rows hold
// landmarks and an embedding, so they go with their challenge and session (cascade) and are deleted as soon as
// the challenge is decided (maintenance forgets those of a challenge abandoned mid-stream).
// liveness_frame_ledger: per tenant, the hashes (never the images) of frames of decided captures, to refuse one
// that re-sends them. A perceptual hash is also kept as its eight 32-bit words, each indexed with the app: two
// 256-bit hashes within 4 bits share at least four words, so looking up each word finds every near copy without
// scanning the tenant (multi-index hashing). Words are null when the hash is not 64 hex digits. One row per
// distinct frame and tenant: seeing the same bytes again only refreshes created_at, which retention counts from.

export const up = `
CREATE TABLE liveness_frames (
  challenge_id TEXT NOT NULL REFERENCES capture_challenges(id) ON DELETE CASCADE,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  analysis TEXT NOT NULL,
  PRIMARY KEY (challenge_id, idx)
);
CREATE INDEX liveness_frames_session ON liveness_frames(session_id);
CREATE INDEX liveness_frames_received ON liveness_frames(received_at);
CREATE TABLE liveness_frame_ledger (
  app_id TEXT NOT NULL REFERENCES apps(sdk_id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  phash TEXT NOT NULL,
  w0 INTEGER,
  w1 INTEGER,
  w2 INTEGER,
  w3 INTEGER,
  w4 INTEGER,
  w5 INTEGER,
  w6 INTEGER,
  w7 INTEGER,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (app_id, digest)
);
CREATE INDEX liveness_frame_ledger_w0 ON liveness_frame_ledger(app_id, w0);
CREATE INDEX liveness_frame_ledger_w1 ON liveness_frame_ledger(app_id, w1);
CREATE INDEX liveness_frame_ledger_w2 ON liveness_frame_ledger(app_id, w2);
CREATE INDEX liveness_frame_ledger_w3 ON liveness_frame_ledger(app_id, w3);
CREATE INDEX liveness_frame_ledger_w4 ON liveness_frame_ledger(app_id, w4);
CREATE INDEX liveness_frame_ledger_w5 ON liveness_frame_ledger(app_id, w5);
CREATE INDEX liveness_frame_ledger_w6 ON liveness_frame_ledger(app_id, w6);
CREATE INDEX liveness_frame_ledger_w7 ON liveness_frame_ledger(app_id, w7);
CREATE INDEX liveness_frame_ledger_created ON liveness_frame_ledger(created_at);
`;
