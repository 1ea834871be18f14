import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceEngineError } from '../../domain/ports/face-engine.port.js';

/**
 * The identity of everything that shapes an embedding: the weights (package and version), the detector, the
 * embedder and the alignment. Stored with every embedding; embeddings of different ids are never compared.
 * Change it whenever a change here would move embeddings (weights, alignment template, preprocessing).
 */
export const MODEL_SET_ID = 'faceplugin-0.0.1/ultralight320-mfn512-5pt';
export const EMBEDDING_DIMENSIONS = 512;

export type ModelRole = 'detect' | 'landmark' | 'feature' | 'liveness';

/** The four files openidv runs, with the sha256 scripts/install-models.mjs verified when extracting them. */
export const MODEL_FILES: Readonly<Record<ModelRole, { file: string; sha256: string }>> = Object.freeze({
  detect: { file: 'fr_detect.onnx', sha256: '6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854' },
  landmark: { file: 'fr_landmark.onnx', sha256: 'f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258' },
  feature: { file: 'fr_feature.onnx', sha256: '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581' },
  liveness: { file: 'fr_liveness.onnx', sha256: 'afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d' },
});

/** <project>/models/faceplugin-0.0.1, where the install script puts the files (same from src/ and dist/). */
export function defaultModelsDir(): string {
  return fileURLToPath(new URL('../../../models/faceplugin-0.0.1', import.meta.url));
}

/**
 * Reads and checks the model files. A wrong file would silently produce embeddings that do not match the stored
 * ones under the same model set id, so a checksum mismatch is as fatal as a missing file.
 */
export async function loadModelFiles(dir: string): Promise<Record<ModelRole, Uint8Array>> {
  const out = {} as Record<ModelRole, Uint8Array>;
  for (const [role, { file, sha256 }] of Object.entries(MODEL_FILES) as [
    ModelRole,
    { file: string; sha256: string },
  ][]) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, file));
    } catch {
      throw new FaceEngineError(
        'ENGINE_UNAVAILABLE',
        `face model ${file} not found in ${dir}; run \`npm install\` (scripts/install-models.mjs) or set OPENIDV_MODELS_DIR`,
      );
    }
    if (createHash('sha256').update(bytes).digest('hex') !== sha256) {
      throw new FaceEngineError('ENGINE_UNAVAILABLE', `face model ${file} in ${dir} has an unexpected checksum`);
    }
    out[role] = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return out;
}

/** What a worker needs to run an installed set's embedder (structured-cloned into the face threads). */
export interface EmbedderSpec {
  id: string;
  file: string;
  sha256: string;
  template: 'arcface112' | 'shipped';
  inputSize: number;
  dimensions: number;
}

/** Finds an installed set's embedder by id (null: not installed). The shipped set is never asked for. */
export type EmbedderResolver = (modelSetId: string) => Promise<EmbedderSpec | null>;
