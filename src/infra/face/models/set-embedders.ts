import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { FaceEngineError } from '../../../domain/ports/face-engine.port.js';
import type { EmbedderSpec } from '../model-set.js';
import { ARCFACE_INPUT, FaceEmbedder, SHIPPED_INPUT } from './face-embedder.js';
import { flushTinyWeights } from './flush-tiny-weights.js';

const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  logSeverityLevel: 3,
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
};

/**
 * Opens an installed set's embedder: the file must still have the checksum it was installed with (a file changed
 * under the same id would give embeddings that silently stop matching the stored ones).
 */
export async function openEmbedder(spec: EmbedderSpec): Promise<FaceEmbedder> {
  let bytes: Buffer;
  try {
    bytes = await readFile(spec.file);
  } catch {
    throw new FaceEngineError('ENGINE_UNAVAILABLE', `the embedder of model set ${spec.id} is missing (${spec.file})`);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== spec.sha256) {
    throw new FaceEngineError(
      'ENGINE_UNAVAILABLE',
      `the embedder of model set ${spec.id} (${spec.file}) no longer has its installed checksum`,
    );
  }
  const model = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let session: ort.InferenceSession;
  try {
    // Flushing tiny weights only speeds inference up; a model it cannot walk is loaded as it is.
    let prepared: Uint8Array = model;
    try {
      prepared = flushTinyWeights(model).model;
    } catch {}
    session = await ort.InferenceSession.create(prepared, SESSION_OPTIONS);
  } catch (err) {
    throw new FaceEngineError(
      'ENGINE_UNAVAILABLE',
      `the embedder of model set ${spec.id} could not be loaded: ${(err as Error).message}`,
    );
  }
  const input = spec.template === 'shipped' ? SHIPPED_INPUT : ARCFACE_INPUT;
  return new FaceEmbedder(session, false, input.channels, { ...input, size: spec.inputSize });
}

/** The installed sets' embedders of one thread, opened on first use and kept. */
export class SetEmbedders {
  private readonly open = new Map<string, Promise<FaceEmbedder>>();

  get(spec: EmbedderSpec): Promise<FaceEmbedder> {
    let embedder = this.open.get(spec.id);
    if (!embedder) {
      embedder = openEmbedder(spec);
      // A failure is not kept: the file may be put back.
      embedder.catch(() => this.open.delete(spec.id));
      this.open.set(spec.id, embedder);
    }
    return embedder;
  }

  async close(): Promise<void> {
    const open = await Promise.allSettled(this.open.values());
    this.open.clear();
    await Promise.all(open.map((r) => (r.status === 'fulfilled' ? r.value.release() : undefined)));
  }
}
