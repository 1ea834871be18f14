import type { Box } from '../../../domain/ports/face-engine.port.js';

export function clipBox(b: Box, width: number, height: number): Box {
  const x1 = Math.max(0, b.x);
  const y1 = Math.max(0, b.y);
  const x2 = Math.min(width, b.x + b.width);
  const y2 = Math.min(height, b.y + b.height);
  return { x: x1, y: y1, width: Math.max(0, x2 - x1), height: Math.max(0, y2 - y1) };
}

/** Square of side = box height around the box centre: the crop the landmark and liveness models expect. */
export function squareBox(b: Box): Box {
  const side = b.height;
  return { x: b.x + b.width / 2 - side / 2, y: b.y, width: side, height: side };
}

/**
 * Silent-Face-Anti-Spoofing's `_get_new_box`: the box scaled by `scale` around its centre (scale reduced if the
 * image is too small), then shifted, not clipped, into the image so the crop keeps its aspect ratio.
 */
export function expandedBoxInside(b: Box, scale: number, width: number, height: number): Box {
  const s = Math.min((height - 1) / b.height, (width - 1) / b.width, scale);
  const w = b.width * s;
  const h = b.height * s;
  const cx = b.x + b.width / 2;
  const cy = b.y + b.height / 2;
  let x = cx - w / 2;
  let y = cy - h / 2;
  x = Math.min(Math.max(0, x), width - 1 - w);
  y = Math.min(Math.max(0, y), height - 1 - h);
  return { x: Math.max(0, x), y: Math.max(0, y), width: w, height: h };
}
