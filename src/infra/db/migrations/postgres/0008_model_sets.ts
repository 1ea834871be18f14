// Bring your own model (issue 24): the installed face model sets, the embeddings a face has under sets other than
// the one it was enrolled with (written while pools are re-embedded), and the set each pool searches on. Existing
// pools are on the shipped set, the only one embeddings were made with before this step. At most one set is
// active (the partial unique index); none active means the shipped set.
export const up = `
CREATE TABLE model_sets (
  id TEXT PRIMARY KEY,
  embedder_file TEXT NOT NULL,
  embedder_sha256 TEXT NOT NULL,
  input_size INTEGER NOT NULL,
  template TEXT NOT NULL,
  dimensions INTEGER NOT NULL,
  calibration TEXT,
  state TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX model_sets_one_active ON model_sets(state) WHERE state = 'active';
CREATE TABLE face_embeddings (
  face_key BIGINT NOT NULL REFERENCES faces(key) ON DELETE CASCADE,
  model_set_id TEXT NOT NULL,
  embedding BYTEA NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (face_key, model_set_id)
);
CREATE INDEX face_embeddings_set ON face_embeddings(model_set_id, face_key);
ALTER TABLE pools ADD COLUMN model_set_id TEXT NOT NULL DEFAULT 'faceplugin-0.0.1/ultralight320-mfn512-5pt'
`;
