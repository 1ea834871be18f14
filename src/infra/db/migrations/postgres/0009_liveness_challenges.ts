// Issue 20: a liveness capture comes only from the live camera, through a challenge the server issued for one
// session and one LIVENESS requirement. The challenge row gains what binds it (the requirement, a secret nonce
// the upload must echo), the liveness type it serves (STATIC now, ZOOM later) and room for a step plan that is
// revealed one step at a time (steps: JSON, revealed: how many the client has seen). 0008 is another branch's.

export const up = `
ALTER TABLE capture_challenges ADD COLUMN requirement_id TEXT;
ALTER TABLE capture_challenges ADD COLUMN liveness_type TEXT;
ALTER TABLE capture_challenges ADD COLUMN nonce TEXT;
ALTER TABLE capture_challenges ADD COLUMN steps TEXT;
ALTER TABLE capture_challenges ADD COLUMN revealed INTEGER NOT NULL DEFAULT 0;
`;
