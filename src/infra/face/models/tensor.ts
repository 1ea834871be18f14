/** Interleaved RGB bytes -> planar CHW float32 in the channel order and scaling a model was trained with. */
export function toChw(
  rgb: Uint8Array,
  pixels: number,
  order: 'rgb' | 'bgr',
  mean: number,
  scale: number,
): Float32Array {
  const out = new Float32Array(pixels * 3);
  const [c0, c2] = order === 'rgb' ? [0, 2] : [2, 0];
  for (let i = 0, p = 0; i < pixels; i++, p += 3) {
    out[i] = (rgb[p + c0]! - mean) * scale;
    out[pixels + i] = (rgb[p + 1]! - mean) * scale;
    out[2 * pixels + i] = (rgb[p + c2]! - mean) * scale;
  }
  return out;
}

/** ITU-R BT.601 luma, as cv2.cvtColor(…, COLOR_RGB2GRAY) computes it. */
export function toGrey(rgb: Uint8Array, pixels: number): Float32Array {
  const out = new Float32Array(pixels);
  for (let i = 0, p = 0; i < pixels; i++, p += 3) out[i] = 0.299 * rgb[p]! + 0.587 * rgb[p + 1]! + 0.114 * rgb[p + 2]!;
  return out;
}
