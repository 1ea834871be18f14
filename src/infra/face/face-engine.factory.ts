import { availableParallelism } from 'node:os';
import type { FaceEngine } from '../../domain/ports/face-engine.port.js';
import type { DecodeGate } from '../image/decode-gate.js';
import { DEFAULT_INTAKE_LIMITS } from './image/intake-limits.js';
import { EmbedderSpecs } from './embedder-specs.js';
import { defaultModelsDir, type EmbedderResolver, loadModelFiles } from './model-set.js';
import { InProcessFaceEngine } from './pipeline/in-process-face.engine.js';
import { DEFAULT_PIPELINE_OPTIONS, FacePipeline, type PipelineOptions } from './pipeline/face-pipeline.js';
import { PooledFaceEngine } from './pool/pooled-face.engine.js';

export interface FaceEngineConfig {
  /** Which engine implementation; one today. */
  engine?: 'faceplugin-onnx';
  /** Folder holding the four ONNX files (default: <project>/models/faceplugin-0.0.1). */
  modelsDir?: string;
  /** Worker threads (default: one per core, which measured fastest with single-threaded sessions). */
  threads?: number;
  /** Images allowed to wait beyond the running ones before ENGINE_OVERLOADED (default 4 per thread). */
  maxQueue?: number;
  /** Decompression-bomb guards, checked on the header before decoding (see DEFAULT_DECODE_LIMITS). */
  maxPixels?: number;
  maxSide?: number;
  maxDecodeBytes?: number;
  /** The process's decode gate (pooled engine only): images are admitted by their estimated decoding memory. */
  gate?: DecodeGate;
  /** Longest side images are analysed at; larger ones are shrunk while decoding (default 3,000 px). */
  maxWorkingSide?: number;
  /** Faces analysed per image, largest first (default 10). */
  maxFaces?: number;
  /** In-process engine (no threads), for command-line tools and tests only. */
  inProcess?: boolean;
  /** Looks installed model sets up (the store's registry); without it only the shipped set can be asked for. */
  modelSets?: EmbedderResolver;
}

function pipelineOptions(config: FaceEngineConfig): Partial<PipelineOptions> {
  return {
    limits: {
      ...DEFAULT_INTAKE_LIMITS,
      ...(config.maxPixels !== undefined && { maxPixels: config.maxPixels }),
      ...(config.maxSide !== undefined && { maxSide: config.maxSide }),
      ...(config.maxDecodeBytes !== undefined && { maxDecodeBytes: config.maxDecodeBytes }),
      ...(config.maxWorkingSide !== undefined && { maxWorkingSide: config.maxWorkingSide }),
    },
    maxFaces: config.maxFaces ?? DEFAULT_PIPELINE_OPTIONS.maxFaces,
  };
}

/**
 * Builds the configured face engine. Rejects with FaceEngineError('ENGINE_UNAVAILABLE') when the model files are
 * missing or wrong (the server can then run without face checks) rather than crashing a worker later.
 */
export async function createFaceEngine(config: FaceEngineConfig = {}): Promise<FaceEngine> {
  const modelsDir = config.modelsDir ?? defaultModelsDir();
  await loadModelFiles(modelsDir);
  const pipeline = pipelineOptions(config);
  const specs = new EmbedderSpecs(config.modelSets);
  if (config.inProcess) return new InProcessFaceEngine(await FacePipeline.load(modelsDir, pipeline), specs);
  const threads = Math.max(1, Math.floor(config.threads ?? availableParallelism()));
  return PooledFaceEngine.start(
    { modelsDir, pipeline },
    { threads, maxQueue: Math.max(0, config.maxQueue ?? 4 * threads), ...(config.gate ? { gate: config.gate } : {}) },
    specs,
  );
}
