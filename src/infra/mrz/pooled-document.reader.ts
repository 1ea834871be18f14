import { Piscina } from 'piscina';
import type { DocumentRead, DocumentReader } from '../../domain/ports/document-reader.port.js';
import { FaceEngineError, type Box } from '../../domain/ports/face-engine.port.js';
import type { DecodeGate } from '../image/decode-gate.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../../config/image-limits.js';
import { inspectImage } from '../image/image-decoder.js';
import type { OcrEnginesConfig } from '../ocr/ocr-engines.factory.js';
import { resolveWorkerScript } from '../workers/worker-script.js';
import { ImageLoadError } from './document-image.js';
import type { DocumentTask } from './document-reader.worker.js';

export interface DocumentReaderOptions {
  threads?: number;
  deadlineMs?: number;
  ocr?: OcrEnginesConfig;
  limits?: DecodeLimits;
  /** Admits each page by its estimated decoding memory, shared with the process's other decoders. */
  gate?: DecodeGate;
}

/**
 * Document reading in worker threads (one by default: OCR engines start their own threads and processes). A page
 * over the decode limits is refused here from its header and never reaches the thread.
 */
export class PooledDocumentReader implements DocumentReader {
  private constructor(
    private readonly pool: Piscina<DocumentTask, DocumentRead | Uint8Array>,
    private readonly deadlineMs: number,
    private readonly limits: DecodeLimits,
    private readonly gate: DecodeGate | undefined,
  ) {}

  static async start(options: DocumentReaderOptions = {}): Promise<PooledDocumentReader> {
    const pool = new Piscina<DocumentTask, DocumentRead | Uint8Array>({
      filename: await resolveWorkerScript(new URL('./document-reader.worker.js', import.meta.url)),
      minThreads: 1,
      maxThreads: options.threads ?? 1,
      idleTimeout: 60_000,
      workerData: options.ocr ?? {},
    });
    return new PooledDocumentReader(
      pool,
      options.deadlineMs ?? 8000,
      options.limits ?? DEFAULT_DECODE_LIMITS,
      options.gate,
    );
  }

  private async admitted<T>(image: Buffer, work: (bytes: Uint8Array) => Promise<T>): Promise<T> {
    const { cost } = await inspectImage(image, this.limits);
    const run = () => work(new Uint8Array(image));
    return this.gate ? this.gate.run(cost, run) : run();
  }

  async read(image: Buffer): Promise<DocumentRead> {
    try {
      return await this.admitted(
        image,
        async (bytes) =>
          (await this.pool.run({
            kind: 'read',
            bytes,
            deadlineMs: this.deadlineMs,
            limits: this.limits,
          })) as DocumentRead,
      );
    } catch (err) {
      // A page refused from its header reads like one the thread could not load; an overloaded gate is retried.
      if (!(err instanceof FaceEngineError) || err.code === 'ENGINE_OVERLOADED' || err.code === 'ENGINE_UNAVAILABLE')
        throw err;
      const failure = new ImageLoadError(err.code);
      return {
        failure: { reason: 'UNABLE_TO_LOAD', detail: failure.message },
        engines: { agreed: [], consulted: [] },
        ms: 0,
      };
    }
  }

  async cropPortrait(image: Buffer, face: Box): Promise<Buffer> {
    return this.admitted(image, async (bytes) =>
      Buffer.from((await this.pool.run({ kind: 'crop', bytes, face, limits: this.limits })) as Uint8Array),
    );
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
