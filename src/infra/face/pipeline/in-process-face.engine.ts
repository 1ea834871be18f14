import type { AnalyseOptions, FaceAnalysis, FaceEngine } from '../../../domain/ports/face-engine.port.js';
import { EmbedderSpecs } from '../embedder-specs.js';
import type { FacePipeline } from './face-pipeline.js';

/**
 * The pipeline behind the FaceEngine port on the calling thread. For tools and tests that want no threads (and
 * for the pool's own workers); a server must use the pooled engine so inference never blocks its event loop.
 */
export class InProcessFaceEngine implements FaceEngine {
  constructor(
    private readonly pipeline: FacePipeline,
    private readonly specs = new EmbedderSpecs(),
  ) {}

  get modelSetId(): string {
    return this.pipeline.modelSetId;
  }

  get dimensions(): number {
    return this.pipeline.dimensions;
  }

  async analyse(image: Uint8Array, options: AnalyseOptions = {}): Promise<FaceAnalysis> {
    const { transfer: _ignored, ...rest } = options;
    return this.pipeline.analyse(image, rest, undefined, await this.specs.for(rest));
  }

  close(): Promise<void> {
    return this.pipeline.close();
  }
}
