import { halve, type RgbImage } from './rgb-image.js';

/**
 * Successive 2× box-filtered reductions of one image, built lazily. Bilinear sampling only looks at 4 pixels, so
 * shrinking a 900-pixel face straight to 112 or 64 pixels would alias (jagged edges, moiré) and shift the
 * embedding; sampling from the level that leaves 1–2 source pixels per output pixel (then supersampled by the
 * warp) avoids that without a full-resolution area filter per crop.
 */
export class ImagePyramid {
  private readonly levels: RgbImage[];

  constructor(base: RgbImage) {
    this.levels = [base];
  }

  get base(): RgbImage {
    return this.levels[0]!;
  }

  /** Level index for sampling at `scale` source pixels per output pixel: the largest 2^k not above the scale. */
  levelFor(scale: number): number {
    let k = 0;
    while (scale / 2 ** (k + 1) >= 1 && this.levelSize(k + 1) >= 8) k++;
    return k;
  }

  level(k: number): RgbImage {
    while (this.levels.length <= k) this.levels.push(halve(this.levels[this.levels.length - 1]!));
    return this.levels[k]!;
  }

  private levelSize(k: number): number {
    return Math.min(this.base.width, this.base.height) / 2 ** k;
  }
}
