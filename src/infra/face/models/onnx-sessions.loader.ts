import * as ort from 'onnxruntime-node';
import { FaceEngineError } from '../../../domain/ports/face-engine.port.js';
import { loadModelFiles, type ModelRole } from '../model-set.js';
import { flushTinyWeights } from './flush-tiny-weights.js';

export type FaceSessions = Record<ModelRole, ort.InferenceSession>;

/**
 * One intra-op and one inter-op thread per session: parallelism comes from one worker per core. Measured here, two
 * intra-op threads on 2 vCPUs doubled latency because ORT's spinning threads fight libvips and JS (notes §3).
 * Severity 3 (errors only) keeps ORT's initializer warnings out of the logs.
 */
const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  logSeverityLevel: 3,
  executionProviders: ['cpu'],
};

/**
 * Every model runs at ORT's 'all' graph level (median ms, 1 thread, ORT 1.30, basic vs all): fr_detect 6.5 vs 2.1,
 * fr_landmark 1.2 vs 0.33, fr_liveness 4.6 vs 4.6, fr_feature 11.7 vs 8.8 once its tiny weights are flushed
 * (61 ms at 'all' without: see flush-tiny-weights.ts).
 */

export async function loadFaceSessions(modelsDir: string): Promise<FaceSessions> {
  const files = await loadModelFiles(modelsDir);
  try {
    const entries = await Promise.all(
      (Object.keys(files) as ModelRole[]).map(
        async (role) =>
          [
            role,
            await ort.InferenceSession.create(flushTinyWeights(files[role]).model, {
              ...SESSION_OPTIONS,
              graphOptimizationLevel: 'all',
            }),
          ] as const,
      ),
    );
    return Object.fromEntries(entries) as FaceSessions;
  } catch (err) {
    throw new FaceEngineError('ENGINE_UNAVAILABLE', `face models could not be loaded: ${(err as Error).message}`);
  }
}

export async function releaseFaceSessions(sessions: FaceSessions): Promise<void> {
  await Promise.all(Object.values(sessions).map((s) => s.release()));
}

/** Runs a single-input, batch-1 model on a CHW float tensor and returns the named outputs' data. */
export async function runModel(
  session: ort.InferenceSession,
  input: Float32Array,
  dims: readonly number[],
): Promise<Record<string, Float32Array>> {
  const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, dims) };
  const results = await session.run(feeds);
  const out: Record<string, Float32Array> = {};
  for (const name of session.outputNames) out[name] = results[name]!.data as Float32Array;
  return out;
}
