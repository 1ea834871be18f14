import { Piscina } from 'piscina';
import type { DocumentRead, DocumentReader } from '../../domain/ports/document-reader.port.js';
import type { Box } from '../../domain/ports/face-engine.port.js';
import type { OcrEnginesConfig } from '../ocr/ocr-engines.factory.js';
import { resolveWorkerScript } from '../workers/worker-script.js';
import type { DocumentTask } from './document-reader.worker.js';

/** Document reading in worker threads (one by default: OCR engines start their own threads and processes). */
export class PooledDocumentReader implements DocumentReader {
  private constructor(
    private readonly pool: Piscina<DocumentTask, DocumentRead | Uint8Array>,
    private readonly deadlineMs: number,
  ) {}

  static async start(options: { threads?: number; deadlineMs?: number; ocr?: OcrEnginesConfig } = {}): Promise<PooledDocumentReader> {
    const pool = new Piscina<DocumentTask, DocumentRead | Uint8Array>({
      filename: await resolveWorkerScript(new URL('./document-reader.worker.js', import.meta.url)),
      minThreads: 1,
      maxThreads: options.threads ?? 1,
      idleTimeout: 60_000,
      workerData: options.ocr ?? {},
    });
    return new PooledDocumentReader(pool, options.deadlineMs ?? 8000);
  }

  async read(image: Buffer): Promise<DocumentRead> {
    return (await this.pool.run({ kind: 'read', bytes: new Uint8Array(image), deadlineMs: this.deadlineMs })) as DocumentRead;
  }

  async cropPortrait(image: Buffer, face: Box): Promise<Buffer> {
    return Buffer.from((await this.pool.run({ kind: 'crop', bytes: new Uint8Array(image), face })) as Uint8Array);
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
