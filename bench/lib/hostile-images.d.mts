// Types of hostile-images.mjs, for the TypeScript tests that share its generators.
export function solidImage(
  width: number,
  height: number,
  format?: 'png' | 'jpeg' | 'webp',
  options?: Record<string, unknown>,
): Promise<Buffer>;
export function progressiveJpegBomb(width: number, height: number): Promise<Buffer>;
export function withJpegSize(jpeg: Buffer, width: number, height: number): Buffer;
export function palettePngBomb(
  width: number,
  height: number,
  options?: { interlaced?: boolean; alpha?: boolean },
): Buffer;
export function losslessWebpBomb(width: number, height: number): Promise<Buffer>;
export const HOSTILE_KINDS: Record<string, () => Promise<Buffer> | Buffer>;
