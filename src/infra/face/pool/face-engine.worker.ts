// Entry point of one pool thread: loads the four ONNX sessions once, then analyses one image per task.
import { FaceEngineError } from '../../../domain/ports/face-engine.port.js';
import { workerData } from 'piscina';
import { FacePipeline } from '../pipeline/face-pipeline.js';
import type { FaceTask, FaceTaskResult, FaceWorkerConfig } from './face-task.js';

const config = workerData as FaceWorkerConfig;
// Kept as a settled promise so a load failure is reported on every task instead of killing the thread.
const pipeline: Promise<FacePipeline | FaceEngineError> = FacePipeline.load(config.modelsDir, config.pipeline).catch(
  (err: unknown) =>
    err instanceof FaceEngineError
      ? err
      : new FaceEngineError('ENGINE_UNAVAILABLE', `face models failed to load: ${String(err)}`),
);

export default async function run(task: FaceTask): Promise<FaceTaskResult> {
  const engine = await pipeline;
  if (engine instanceof FaceEngineError) return { ok: false, code: engine.code, message: engine.message };
  if (task.kind === 'ready') return { ok: true, analysis: null };
  try {
    return { ok: true, analysis: await engine.analyse(task.bytes, task.options, undefined, task.specs) };
  } catch (err) {
    if (err instanceof FaceEngineError) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}
