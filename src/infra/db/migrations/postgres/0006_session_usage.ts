export const up = `
CREATE TABLE session_usage (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  counter TEXT NOT NULL,
  amount BIGINT NOT NULL,
  PRIMARY KEY (session_id, counter)
);
`;
