import type { MrzFormat } from '../../domain/mrz/mrz-format.js';
import type { Rect } from './document-quality.js';

// Where things are on the page, in MRZ units. ICAO 9303 fixes the MRZ at the bottom of the data page and the
// portrait at its left; measuring along and across the MRZ lines makes the layout independent of the
// photo's scale, rotation and crop.

export interface Point {
  x: number;
  y: number;
}

/** The MRZ band as a quadrilateral: top-left, top-right, bottom-right, bottom-left (reading direction). */
export type Quad = [Point, Point, Point, Point];

/** Page proportions per format: page height above the MRZ's bottom edge, in MRZ widths (ICAO 9303-4/5/6). */
const PAGE_HEIGHT: Partial<Record<MrzFormat, number>> = {
  TD3: 0.74,
  MRVA: 0.74,
  TD2: 0.78,
  MRVB: 0.78,
  FRENCH_ID: 0.78,
  TD1: 0.68,
};

/** Maps (u along the MRZ from its left end, v up from its bottom edge), both in MRZ widths, to the image. */
function mrzFrame(q: Quad): (u: number, v: number) => Point {
  const [, , br, bl] = q;
  const ax = br.x - bl.x;
  const ay = br.y - bl.y;
  // "Up" is perpendicular to the lines, towards the top edge of the band, scaled to the same length.
  let nx = -ay;
  let ny = ax;
  const tl = q[0];
  if ((tl.x - bl.x) * nx + (tl.y - bl.y) * ny < 0) {
    nx = -nx;
    ny = -ny;
  }
  return (u, v) => ({ x: bl.x + ax * u + nx * v, y: bl.y + ay * u + ny * v });
}

function boundingRect(points: Point[], width: number, height: number): Rect {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x = Math.max(0, Math.min(...xs));
  const y = Math.max(0, Math.min(...ys));
  return { x, y, width: Math.min(width, Math.max(...xs)) - x, height: Math.min(height, Math.max(...ys)) - y };
}

/** Estimated data page (the side carrying the MRZ), for quality measures and crops. */
export function documentArea(mrz: Quad, format: MrzFormat | undefined, imageWidth: number, imageHeight: number): Rect {
  const f = mrzFrame(mrz);
  const h = PAGE_HEIGHT[format ?? 'TD3'] ?? 0.74;
  return boundingRect([f(-0.06, -0.06), f(1.06, -0.06), f(1.06, h), f(-0.06, h)], imageWidth, imageHeight);
}

/**
 * Generous window around the portrait of a TD3/TD2/MRV/French ID data page (left third, above the MRZ),
 * for the face detector to search. TD1 cards carry the MRZ on the back, away from the portrait: undefined.
 */
export function portraitWindow(
  mrz: Quad,
  format: MrzFormat,
  imageWidth: number,
  imageHeight: number,
): Rect | undefined {
  if (format === 'TD1') return undefined;
  const f = mrzFrame(mrz);
  const top = (PAGE_HEIGHT[format] ?? 0.74) + 0.02;
  return boundingRect([f(-0.08, 0.1), f(0.45, 0.1), f(0.45, top), f(-0.08, top)], imageWidth, imageHeight);
}
