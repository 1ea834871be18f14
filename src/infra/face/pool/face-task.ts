import type { AnalyseOptions, FaceAnalysis, ImageErrorCode } from '../../../domain/ports/face-engine.port.js';
import type { EmbedderSpec } from '../model-set.js';
import type { PipelineOptions } from '../pipeline/face-pipeline.js';

/** What each pool worker is started with (structured-cloned into the thread). */
export interface FaceWorkerConfig {
  modelsDir: string;
  pipeline: Partial<PipelineOptions>;
}

export type FaceTask =
  | { kind: 'analyse'; bytes: Uint8Array; options: Omit<AnalyseOptions, 'transfer'>; specs: EmbedderSpec[] }
  /** Resolves once the worker's models are loaded: used to warm the pool and surface a load failure early. */
  | { kind: 'ready' };

/**
 * Typed failures travel as data, not as thrown errors: structured cloning keeps an Error's message but drops its
 * class and `code`, and the HTTP layer maps codes to statuses.
 */
export type FaceTaskResult =
  | { ok: true; analysis: FaceAnalysis | null }
  | { ok: false; code: ImageErrorCode; message: string };
