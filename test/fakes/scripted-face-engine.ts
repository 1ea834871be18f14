import { createHash } from 'node:crypto';
import type { AnalyseOptions, FaceAnalysis, FaceEngine } from '../../src/domain/ports/face-engine.port.js';

/**
 * A face engine that answers what the test scripted for each image (by its bytes), for the unit tier: the model
 * itself is tested in test/integration/face-engine.test.ts on real photos. An unscripted image has no face.
 */
export class ScriptedFaceEngine implements FaceEngine {
  readonly modelSetId = 'scripted-1';
  readonly dimensions = 512;
  private readonly answers = new Map<string, FaceAnalysis | Error>();
  calls = 0;

  private key(bytes: Uint8Array): string {
    return createHash('sha256').update(bytes).digest('hex');
  }

  script(bytes: Uint8Array, answer: Omit<FaceAnalysis, 'modelSetId'> | Error): void {
    this.answers.set(this.key(bytes), answer instanceof Error ? answer : { modelSetId: this.modelSetId, ...answer });
  }

  async analyse(image: Uint8Array, _options?: AnalyseOptions): Promise<FaceAnalysis> {
    this.calls++;
    const answer = this.answers.get(this.key(image)) ?? {
      modelSetId: this.modelSetId,
      width: 640,
      height: 480,
      rotation: 0,
      faces: [],
    };
    if (answer instanceof Error) throw answer;
    return answer;
  }

  async close(): Promise<void> {}
}
