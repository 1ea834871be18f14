import type { ImageInspector } from '../../domain/ports/image-inspector.port.js';
import type { DecodeLimits } from '../../config/image-limits.js';
import { inspectImage } from './image-decoder.js';

/** The upload check: the same header checks every decoder applies, done before an image is stored. */
export class HeaderImageInspector implements ImageInspector {
  constructor(private readonly limits: DecodeLimits) {}

  async check(bytes: Uint8Array): Promise<void> {
    await inspectImage(bytes, this.limits);
  }
}
