// Issue 20: the replay ledger keeps which capture (the challenge id) each frame came from, its session, and its
// place in that capture's stream, so a re-sent capture is recognised as frames matching ONE earlier capture of
// another session in its order. Rows recorded before have none of these: each then counts as a capture of its own
// frame, which can match one frame at most.

export const up = `
ALTER TABLE liveness_frame_ledger ADD COLUMN capture_id TEXT;
ALTER TABLE liveness_frame_ledger ADD COLUMN session_id TEXT;
ALTER TABLE liveness_frame_ledger ADD COLUMN frame_index INTEGER;
`;
