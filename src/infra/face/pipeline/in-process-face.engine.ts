import type { AnalyseOptions, FaceAnalysis, FaceEngine } from '../../../domain/ports/face-engine.port.js';
import type { FacePipeline } from './face-pipeline.js';

/**
 * The pipeline behind the FaceEngine port on the calling thread. For tools and tests that want no threads (and
 * for the pool's own workers); a server must use the pooled engine so inference never blocks its event loop.
 */
export class InProcessFaceEngine implements FaceEngine {
  constructor(private readonly pipeline: FacePipeline) {}

  get modelSetId(): string {
    return this.pipeline.modelSetId;
  }

  get dimensions(): number {
    return this.pipeline.dimensions;
  }

  analyse(image: Uint8Array, options: AnalyseOptions = {}): Promise<FaceAnalysis> {
    const { transfer: _ignored, ...rest } = options;
    return this.pipeline.analyse(image, rest);
  }

  close(): Promise<void> {
    return this.pipeline.close();
  }
}
