import { Worker } from 'node:worker_threads';
import { resolveWorkerScript } from '../../workers/worker-script.js';
import { type CodeData, Codebook, type CodeShape } from './scan-codebook.js';

/**
 * Learns a code on a worker thread: the eigendecomposition behind it takes about 2 s of CPU at 512-d, which on
 * the main thread would stop every request for that long.
 */
export async function trainCodebookOffThread(rows: Float32Array, count: number, dimensions: number, shape: CodeShape): Promise<Codebook> {
  const filename = await resolveWorkerScript(new URL('./codebook.worker.js', import.meta.url));
  const worker = new Worker(filename, { workerData: { rows, count, dimensions, shape } });
  try {
    const data = await new Promise<CodeData>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`face index: codebook worker exited with code ${code}`)));
    });
    return new Codebook(data);
  } finally {
    void worker.terminate();
  }
}
