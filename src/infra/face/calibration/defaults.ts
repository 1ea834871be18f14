// PROVISIONAL: replaced by the measured figures of the full lfw-dev run.
export const FACE_MATCH_THRESHOLD = 0.33;
export const LIVENESS_THRESHOLD = 0.5;
