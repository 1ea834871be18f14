import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ModelSetError } from '../../domain/models/model-migration.js';
import {
  type AlignmentTemplate,
  MODEL_SET_ID_PATTERN,
  type ModelSetRecord,
} from '../../domain/models/model-set.types.js';
import type { ModelSetRepository } from '../../domain/ports/model-set-repository.port.js';
import { EMBEDDING_DIMENSIONS, MODEL_SET_ID } from '../../infra/face/model-set.js';
import { ALIGNED_SIZE } from '../../infra/face/models/face-embedder.js';

export interface InstallRequest {
  id: string;
  file: string;
  sha256: string;
  template: AlignmentTemplate;
  /** Expected embedding size; the model's own is used (and must be the index's) when absent. */
  dims?: number;
}

/**
 * Checks an embedder before anything is written: the id is free, the file is there with the checksum given, it
 * is an ONNX model that takes an aligned 112 × 112 face and gives one finite vector of the expected size. Then
 * the file is copied into the data folder (named by its checksum, written under a temporary name and renamed,
 * so a half-copied file is never the installed one) and the set is registered. A failure at any step leaves
 * nothing installed.
 */
export async function installModelSet(
  deps: { repo: Pick<ModelSetRepository, 'get' | 'install' | 'list'>; dataDir: string; now: () => number },
  request: InstallRequest,
): Promise<ModelSetRecord> {
  const { id } = request;
  if (!MODEL_SET_ID_PATTERN.test(id))
    throw new ModelSetError(`"${id}" is not a model set id: letters, digits and . _ / - (at most 120)`);
  if (id === MODEL_SET_ID) throw new ModelSetError(`${id} is the shipped model set`);
  if (await deps.repo.get(id)) throw new ModelSetError(`a model set ${id} is already installed`);
  const expected = request.sha256.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(expected))
    throw new ModelSetError('--sha256 must be 64 hexadecimal digits (the SHA-256 of the file)');
  if (request.dims !== undefined && (!Number.isInteger(request.dims) || request.dims < 1))
    throw new ModelSetError('--dims must be a positive integer');

  const source = resolve(request.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(source);
  } catch (err) {
    throw new ModelSetError(
      `cannot read ${source}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expected)
    throw new ModelSetError(`checksum mismatch: ${source} has sha256 ${actual}, not ${expected}`);
  const dims = await probeEmbedder(bytes, request.template);
  if (request.dims !== undefined && request.dims !== dims)
    throw new ModelSetError(`the model gives ${dims}-d embeddings, not ${request.dims} (--dims)`);
  if (dims !== EMBEDDING_DIMENSIONS) {
    throw new ModelSetError(
      `the model gives ${dims}-d embeddings; the face index of this version holds ${EMBEDDING_DIMENSIONS}-d ones`,
    );
  }

  const dir = join(deps.dataDir, 'models');
  await mkdir(dir, { recursive: true });
  const target = join(dir, `${actual}.onnx`);
  const partial = `${target}.${process.pid}.partial`;
  await copyFile(source, partial);
  await rename(partial, target);
  const now = deps.now();
  const record: ModelSetRecord = {
    id,
    embedderFile: target,
    embedderSha256: actual,
    inputSize: ALIGNED_SIZE,
    template: request.template,
    dimensions: dims,
    calibration: null,
    state: 'installed',
    createdAt: now,
    updatedAt: now,
  };
  if (!(await deps.repo.install(record))) {
    // Installed meanwhile by another run: the copy stays only when some set uses the same file.
    if (!(await deps.repo.list()).some((s) => s.embedderFile === target)) await rm(target, { force: true });
    throw new ModelSetError(`a model set ${id} is already installed`);
  }
  return record;
}

/**
 * Loads the model and embeds a plain grey face with it: the embedding size, or a ModelSetError saying what is
 * wrong with the file.
 */
async function probeEmbedder(bytes: Buffer, template: AlignmentTemplate): Promise<number> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      logSeverityLevel: 4,
    });
  } catch (err) {
    throw new ModelSetError(`not an ONNX model (ONNX Runtime: ${firstLine(err)})`);
  }
  try {
    if (session.inputNames.length !== 1)
      throw new ModelSetError(`the model takes ${session.inputNames.length} inputs; an embedder takes one image`);
    const size = ALIGNED_SIZE;
    const value = template === 'shipped' ? 0 : 0.1;
    const input = new ort.Tensor('float32', new Float32Array(3 * size * size).fill(value), [1, 3, size, size]);
    let output: ort.Tensor;
    try {
      const results = await session.run({ [session.inputNames[0]!]: input });
      output = results[session.outputNames[0]!]!;
    } catch (err) {
      throw new ModelSetError(`the model does not take a 1 × 3 × ${size} × ${size} aligned face: ${firstLine(err)}`);
    }
    const data = output.data;
    if (!(data instanceof Float32Array))
      throw new ModelSetError(`the model's output is ${output.type}, not a float32 embedding`);
    if (!data.every(Number.isFinite)) throw new ModelSetError('the model gives non-finite values for a plain image');
    return data.length;
  } finally {
    await session.release();
  }
}

const firstLine = (err: unknown) =>
  String(err instanceof Error ? err.message : err)
    .split('\n')[0]!
    .slice(0, 300);
