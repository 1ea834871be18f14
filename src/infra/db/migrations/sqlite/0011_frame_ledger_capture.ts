// Issue 20: the replay ledger keeps which capture (the challenge id) each frame came from and its place in that
// capture's stream, so a re-sent capture is recognised as frames matching ONE earlier capture in its order, which
// a retry by the same person in the same room does not do. Rows recorded before have neither: each then counts
// as a capture of its own frame, which can match one frame at most.

export const up = `
ALTER TABLE liveness_frame_ledger ADD COLUMN capture_id TEXT;
ALTER TABLE liveness_frame_ledger ADD COLUMN frame_index INTEGER;
`;
