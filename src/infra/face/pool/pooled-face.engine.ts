import { Piscina } from 'piscina';
import {
  FaceEngineError,
  type AnalyseOptions,
  type FaceAnalysis,
  type FaceEngine,
} from '../../../domain/ports/face-engine.port.js';
import type { DecodeGate } from '../../image/decode-gate.js';
import { workingPixels } from '../../image/decode-limits.js';
import { inspectImage } from '../../image/image-decoder.js';
import { DEFAULT_INTAKE_LIMITS, type IntakeLimits } from '../image/intake-limits.js';
import { EmbedderSpecs } from '../embedder-specs.js';
import { EMBEDDING_DIMENSIONS, MODEL_SET_ID } from '../model-set.js';
import type { FaceTask, FaceTaskResult, FaceWorkerConfig } from './face-task.js';
import { resolveWorkerScript } from '../../workers/worker-script.js';

export interface PoolOptions {
  /** Worker threads, each with its own single-threaded ONNX sessions. */
  threads: number;
  /** Images allowed to wait for a worker; beyond that analyse() fails fast with ENGINE_OVERLOADED. */
  maxQueue: number;
  /** Admits each image by its estimated decoding memory, shared with the process's other decoders. */
  gate?: DecodeGate;
}

/**
 * Memory of the analysis after decoding (pyramid, tiles, turned copies of the working image): measured +127 MB
 * peak for a 3000 × 3000 image without faces (the worst case: every turn is tried), +38 MB for 1000 × 1000.
 */
const analysisCost = (pixels: number) => 32 * 1024 * 1024 + 12 * pixels;

/**
 * The FaceEngine the server uses: inference never runs on the event loop. Back-pressure is explicit: a caller
 * that finds the queue full gets ENGINE_OVERLOADED at once (the HTTP layer answers 503, a job retries later)
 * instead of piling up images in memory behind a slow pool. Each image's header is checked here first (an image
 * over the decode limits never reaches a thread) and its estimated decoding memory is admitted by the gate.
 */
export class PooledFaceEngine implements FaceEngine {
  readonly modelSetId = MODEL_SET_ID;
  readonly dimensions = EMBEDDING_DIMENSIONS;
  private closed = false;

  private constructor(
    private readonly pool: Piscina<FaceTask, FaceTaskResult>,
    private readonly maxQueue: number,
    private readonly limits: IntakeLimits,
    private readonly gate: DecodeGate | undefined,
    private readonly specs: EmbedderSpecs,
  ) {}

  /** Starts the threads and waits until every one has loaded its models, so a broken install fails here. */
  static async start(
    worker: FaceWorkerConfig,
    options: PoolOptions,
    specs = new EmbedderSpecs(),
  ): Promise<PooledFaceEngine> {
    const pool = new Piscina<FaceTask, FaceTaskResult>({
      filename: await resolveWorkerScript(new URL('./face-engine.worker.js', import.meta.url)),
      minThreads: options.threads,
      maxThreads: options.threads,
      maxQueue: options.maxQueue,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      concurrentTasksPerWorker: 1,
      workerData: worker,
      name: 'default',
    });
    const engine = new PooledFaceEngine(
      pool,
      options.maxQueue,
      { ...DEFAULT_INTAKE_LIMITS, ...worker.pipeline.limits },
      options.gate,
      specs,
    );
    try {
      const results = await Promise.all(Array.from({ length: options.threads }, () => pool.run({ kind: 'ready' })));
      const failed = results.find((r) => !r.ok);
      if (failed && !failed.ok) throw new FaceEngineError(failed.code, failed.message);
    } catch (err) {
      await pool.destroy();
      throw err instanceof FaceEngineError ? err : new FaceEngineError('ENGINE_UNAVAILABLE', String(err));
    }
    return engine;
  }

  /** Tasks waiting for a thread (not counting those running). */
  get queueSize(): number {
    return this.pool.queueSize;
  }

  async analyse(image: Uint8Array, options: AnalyseOptions = {}): Promise<FaceAnalysis> {
    if (this.closed) throw new FaceEngineError('ENGINE_UNAVAILABLE', 'face engine is closed');
    const { header, cost } = await inspectImage(image, this.limits, this.limits.maxWorkingSide);
    if (!this.gate) return this.run(image, options);
    // The gate holds the task's memory until its analysis ends, which may need more than the decoding did.
    return this.gate.run(Math.max(cost, analysisCost(workingPixels(header, this.limits.maxWorkingSide))), () =>
      this.run(image, options),
    );
  }

  private async run(image: Uint8Array, options: AnalyseOptions): Promise<FaceAnalysis> {
    const { transfer, ...rest } = options;
    const specs = await this.specs.for(rest);
    // Zero-copy when allowed and the array owns its whole buffer; otherwise exactly one copy, then moved.
    // (`new Uint8Array(x)` copies; Buffer#slice would not, and moving its memory would detach the caller's
    // Buffer and Node's shared allocation pool.)
    const ownsBuffer =
      image.buffer instanceof ArrayBuffer && image.byteOffset === 0 && image.byteLength === image.buffer.byteLength;
    const bytes = transfer && ownsBuffer ? image : new Uint8Array(image);
    let result: FaceTaskResult;
    try {
      result = await this.pool.run(
        { kind: 'analyse', bytes, options: rest, specs },
        { transferList: [bytes.buffer as ArrayBuffer] },
      );
    } catch (err) {
      // Piscina refuses work beyond the running tasks + maxQueue with one of these two errors.
      if (err instanceof Error && /queue is at limit|no task queue available/i.test(err.message)) {
        throw new FaceEngineError('ENGINE_OVERLOADED', `face engine queue is full (${this.maxQueue} images waiting)`);
      }
      if (this.closed) throw new FaceEngineError('ENGINE_UNAVAILABLE', 'face engine is closed');
      throw err;
    }
    if (!result.ok) throw new FaceEngineError(result.code, result.message);
    return result.analysis!;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.destroy();
  }
}
