import { FaceEngineError } from '../../domain/ports/face-engine.port.js';
import type { AnalyseOptions } from '../../domain/ports/face-engine.port.js';
import { type EmbedderResolver, type EmbedderSpec, MODEL_SET_ID } from './model-set.js';

/**
 * The specs of the installed sets an analysis asks for, looked up on the calling thread (the face threads have
 * no database) and kept: an installed set's file and checksum never change under its id.
 */
export class EmbedderSpecs {
  private readonly known = new Map<string, EmbedderSpec>();

  constructor(private readonly resolve?: EmbedderResolver) {}

  async for(options: Pick<AnalyseOptions, 'modelSetId' | 'alsoEmbedWith'>): Promise<EmbedderSpec[]> {
    const ids = [options.modelSetId ?? MODEL_SET_ID, ...(options.alsoEmbedWith ?? [])].filter(
      (id) => id !== MODEL_SET_ID,
    );
    const specs: EmbedderSpec[] = [];
    for (const id of new Set(ids)) {
      let spec = this.known.get(id);
      if (!spec) {
        const found = this.resolve ? await this.resolve(id) : null;
        if (!found) throw new FaceEngineError('ENGINE_UNAVAILABLE', `model set ${id} is not installed`);
        this.known.set(id, found);
        spec = found;
      }
      specs.push(spec);
    }
    return specs;
  }
}
