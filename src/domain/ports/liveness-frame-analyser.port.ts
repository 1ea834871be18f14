import type { FrameAnalysis } from '../liveness/active/frame-analysis.js';

// What the active liveness engine needs from one streamed camera frame, and nothing about the models behind it.
export interface LivenessFrameAnalyser {
  /** Rejects with FaceEngineError for an unreadable, oversized or unsupported image (the HTTP layer maps it). */
  analyse(jpeg: Uint8Array): Promise<FrameAnalysis>;
}
