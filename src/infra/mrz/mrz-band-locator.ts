import { connectedComponents, type Blob } from './connected-components.js';
import { blackHat, otsuThreshold, rankFilter, type GrayImage } from '../image/gray-image.js';

// Finds the 2 or 3 text lines of an MRZ in a grey image already scaled to a working width. The MRZ has a
// signature no other text on a document has: 2-3 long lines of equal length, left-aligned, evenly spaced,
// made of small dark glyphs. So: black-hat (dark glyphs smaller than the kernel), threshold, smear each
// line horizontally into one blob, then look for groups of parallel blobs with that geometry.

export interface TextLineBox {
  /** Ends of the line's centre axis in working-image pixels. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Thickness of the smeared line blob, about the glyph height. */
  height: number;
}

export interface MrzBandCandidate {
  lines: TextLineBox[];
  /** Mean skew of the lines in radians (positive: rising to the right in image coordinates). */
  angle: number;
  score: number;
}

interface LineBlob extends Blob {
  width: number;
  thickness: number;
}

interface MaskSettings {
  /** Share of the Otsu threshold of the black-hat response. */
  threshold: number;
  /** Horizontal bridging, in units of width/100. */
  bridge: number;
}

// Two passes: Otsu as is with short bridges suits photos with background print (a lower threshold merges
// guilloche into the lines); 60 % of Otsu with longer bridges suits crisp print, where Otsu cuts strokes thin
// and the arms of '<' fillers leave wide gaps.
const MASKS: readonly MaskSettings[] = [
  { threshold: 1, bridge: 2 },
  { threshold: 0.6, bridge: 3 },
];

function lineBlobs(gray: GrayImage): LineBlob[][] {
  const { width: w, height: h } = gray;
  const unit = Math.max(4, Math.round(w / 100));
  const hat = blackHat(gray, unit * 2 + 1, Math.max(3, Math.round(unit * 0.9)));
  const otsu = otsuThreshold(hat.data);
  return MASKS.map((m) => {
    const t = Math.max(18, otsu * m.threshold);
    const mask = new Uint8Array(w * h);
    for (let i = 0; i < mask.length; i++) mask[i] = (hat.data[i] as number) > t ? 255 : 0;
    const bridge = unit * m.bridge + 1;
    const bridged = rankFilter(rankFilter({ width: w, height: h, data: mask }, bridge, 1, 'max'), bridge, 1, 'min');
    // Thin specks and 1-px connections between lines go away with a small vertical opening.
    const opened = rankFilter(rankFilter(bridged, 1, 3, 'min'), 1, 3, 'max');
    return connectedComponents(opened.data, w, h, unit * unit)
      .map((b) => {
        const width = b.x1 - b.x0 + 1;
        // Skew makes the bounding box taller than the line; subtract the rise over the width.
        const thickness = Math.max(1, b.y1 - b.y0 + 1 - Math.abs(b.slope) * width);
        return { ...b, width, thickness };
      })
      .filter((b) => b.width >= w * 0.12 && b.width / b.thickness >= 8 && b.thickness >= 3);
  });
}

function toBox(b: LineBlob): TextLineBox {
  const yAt = (x: number): number => b.meanY + b.slope * (x - b.meanX);
  return { x0: b.x0, y0: yAt(b.x0), x1: b.x1, y1: yAt(b.x1), height: b.thickness };
}

/** Groups of 2-3 blobs that line up like an MRZ, best first. */
export function locateMrzBands(gray: GrayImage): MrzBandCandidate[] {
  const out: MrzBandCandidate[] = [];
  for (const pass of lineBlobs(gray))
    out.push(
      ...groupLines(
        pass.sort((a, b) => a.meanY - b.meanY),
        gray,
      ),
    );
  out.sort((a, b) => b.score - a.score);
  // Both passes often find the same band: keep the better-scored copy.
  const same = (a: MrzBandCandidate, b: MrzBandCandidate): boolean =>
    a.lines.length === b.lines.length &&
    a.lines.every((l, i) => {
      const m = b.lines[i] as TextLineBox;
      return (
        Math.abs(l.y0 - m.y0) < l.height / 2 && Math.abs(l.x0 - m.x0) < l.height && Math.abs(l.x1 - m.x1) < l.height
      );
    });
  return out.filter((c, i) => !out.slice(0, i).some((d) => same(c, d)));
}

function groupLines(blobs: LineBlob[], gray: GrayImage): MrzBandCandidate[] {
  const out: MrzBandCandidate[] = [];
  for (let i = 0; i < blobs.length; i++) {
    const group: LineBlob[] = [blobs[i] as LineBlob];
    for (let j = i + 1; j < blobs.length && group.length < 3; j++) {
      const prev = group[group.length - 1] as LineBlob;
      const cand = blobs[j] as LineBlob;
      const gap = cand.meanY - prev.meanY;
      const hgt = (prev.thickness + cand.thickness) / 2;
      if (gap < hgt * 1.1) continue; // same row (a fragment of the same line)
      if (gap > hgt * 3.2) break;
      const tol = Math.max(prev.width, cand.width) * 0.08 + hgt;
      if (Math.abs(cand.x0 - prev.x0) > tol || Math.abs(cand.x1 - prev.x1) > tol) continue;
      if (Math.abs(cand.slope - prev.slope) > 0.05) continue;
      group.push(cand);
    }
    if (group.length < 2) continue;
    out.push(scoreGroup(group, gray));
    if (group.length === 3) out.push(scoreGroup(group.slice(1), gray));
  }
  return out;
}

function scoreGroup(group: LineBlob[], gray: GrayImage): MrzBandCandidate {
  const widths = group.map((g) => g.width);
  const meanW = widths.reduce((s, v) => s + v, 0) / widths.length;
  const spread = Math.max(...widths) - Math.min(...widths);
  const thick = group.reduce((s, g) => s + g.thickness, 0) / group.length;
  // Longer, lower, more uniform groups of 3 or 2 lines score higher; the MRZ sits at the bottom.
  const lowness = (group[group.length - 1] as LineBlob).meanY / gray.height;
  const aspect = meanW / thick;
  const aspectFit = aspect >= 15 && aspect <= 90 ? 1 : 0.5;
  const score =
    (meanW / gray.width) * (1 - spread / meanW) * aspectFit * (0.6 + 0.4 * lowness) * (group.length === 3 ? 1.05 : 1);
  const angle = Math.atan(group.reduce((s, g) => s + g.slope, 0) / group.length);
  return { lines: group.map(toBox), angle, score };
}
