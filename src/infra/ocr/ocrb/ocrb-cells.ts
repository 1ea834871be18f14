import { blackHat, type GrayImage } from '../../image/gray-image.js';

// MRZ text is OCR-B at a fixed pitch, every position printed (fillers included). So a line of N characters
// is N equal cells between the first and the last ink column: no per-glyph segmentation is needed, only the
// pitch and phase, which are fitted so that cell borders fall in the gaps between glyphs.

/** Cell size the classifier reads (pixels). */
export const CELL_W = 16;
export const CELL_H = 24;
/** Cell height as a multiple of the measured glyph height; the rest is margin above and below. */
const CELL_HEIGHT_FACTOR = 1.5;

export interface InkMap {
  width: number;
  height: number;
  /** 0 = paper, 1 = ink. */
  data: Float32Array;
}

function percentile(values: Uint8Array, p: number): number {
  const hist = new Uint32Array(256);
  for (const v of values) hist[v] = (hist[v] as number) + 1;
  const target = values.length * p;
  let acc = 0;
  for (let i = 0; i < 256; i++) {
    acc += hist[i] as number;
    if (acc >= target) return i;
  }
  return 255;
}

/**
 * Darkness relative to the local paper: a black-hat with a window wider than any stroke removes shadows,
 * light gradients and background print broader than a stroke; the 97th percentile then sets full ink, so
 * faint, glary and dark prints look alike to the classifier.
 */
export function inkMap(img: GrayImage, glyphHeight = img.height / 2): InkMap {
  // A line is mapped up to four times (both orientations compared, the chosen one read, then cropped for
  // tesseract); line images are never modified, so the map is kept with the image.
  const cached = inkMaps.get(img);
  if (cached?.glyphHeight === glyphHeight) return cached.map;
  const map = computeInkMap(img, glyphHeight);
  inkMaps.set(img, { glyphHeight, map });
  return map;
}

const inkMaps = new WeakMap<GrayImage, { glyphHeight: number; map: InkMap }>();

function computeInkMap(img: GrayImage, glyphHeight: number): InkMap {
  const k = Math.max(5, Math.round(glyphHeight * 0.6)) | 1;
  const hat = blackHat(img, k, k);
  const full = Math.max(24, percentile(hat.data, 0.97));
  const floor = full * 0.15;
  const data = new Float32Array(img.data.length);
  for (let i = 0; i < data.length; i++)
    data[i] = Math.min(1, Math.max(0, ((hat.data[i] as number) - floor) / (full - floor)));
  return { width: img.width, height: img.height, data };
}

export interface LineGeometry {
  /** Glyph rows (top inclusive, bottom exclusive). */
  top: number;
  bottom: number;
  /** First and last ink columns. */
  left: number;
  right: number;
}

/**
 * Rows where the glyphs are, and candidate horizontal extents of the line within them (most inclusive
 * first). Several extents are returned because stray marks next to the line (a card edge, a stamp, strong
 * background print) cannot be told from glyphs by ink alone; the classifier later picks the extent whose
 * cells read most confidently.
 */
export function measureLine(map: InkMap): LineGeometry[] {
  const { width: w, height: h, data } = map;
  const rows = new Float32Array(h);
  for (let y = 0; y < h; y++) {
    let s = 0;
    for (let x = 0; x < w; x++) s += data[y * w + x] as number;
    rows[y] = s;
  }
  // The text band is the contiguous run of rows around the densest one that keeps 30 % of its ink. The
  // line was sampled centred on its axis, so the peak is sought in the middle rows: the margins may hold
  // the neighbouring MRZ lines, which are just as dense.
  const lo = Math.floor(h * 0.3);
  const hi = Math.ceil(h * 0.7);
  let peak = lo;
  for (let y = lo; y < hi; y++) if ((rows[y] as number) > (rows[peak] as number)) peak = y;
  const floor = (rows[peak] as number) * 0.3;
  if (floor <= 0) return [];
  let top = peak;
  let bottom = peak + 1;
  while (top > 0 && (rows[top - 1] as number) >= floor) top--;
  while (bottom < h && (rows[bottom] as number) >= floor) bottom++;
  const glyphH = bottom - top;
  const cols = new Float32Array(w);
  for (let y = top; y < bottom; y++)
    for (let x = 0; x < w; x++) cols[x] = (cols[x] as number) + (data[y * w + x] as number);
  const minInk = Math.max(1, glyphH * 0.12);
  const inked = (x: number): boolean =>
    (cols[x] as number) >= minInk && ((cols[x + 1] ?? 0) >= minInk || (cols[x - 1] ?? 0) >= minInk);
  const out: LineGeometry[] = [];
  let left = 0;
  while (left < w && !inked(left)) left++;
  let right = w - 1;
  while (right > left && !inked(right)) right--;
  if (right - left >= glyphH * 4) out.push({ top, bottom, left, right: right + 1 });
  // An MRZ has no blank cells: the line is one cluster of inked columns whose gaps stay under about a
  // glyph height (narrow glyphs such as 1 and I leave the widest). Marks beyond a wider gap are not part
  // of it, so the longest cluster is a second candidate.
  const maxGap = Math.max(2, glyphH * 0.9);
  let bestL = -1;
  let bestR = -1;
  let runStart = -1;
  let lastInk = -Infinity;
  for (let x = 0; x < w; x++) {
    if (!inked(x)) continue;
    if (x - lastInk > maxGap) runStart = x;
    lastInk = x;
    if (lastInk - runStart > bestR - bestL) {
      bestL = runStart;
      bestR = lastInk;
    }
  }
  if (bestL >= 0 && bestR - bestL >= glyphH * 4 && (bestL !== left || bestR !== right)) {
    out.push({ top, bottom, left: bestL, right: bestR + 1 });
  }
  return out;
}

export interface CellGrid {
  count: number;
  /** Mean pitch. */
  pitch: number;
  /** Left edge of the first cell. */
  x0: number;
  /**
   * Pitch change per cell, from perspective: a document photographed at an angle has glyphs shrinking
   * towards its far edge. Cell i spans [edge(i), edge(i+1)] with edge(i) = x0 + p0·i + curve·i².
   */
  curve: number;
  /** Mean ink on the cell borders (lower is a cleaner fit). */
  borderInk: number;
}

export function cellEdge(grid: CellGrid, i: number): number {
  const p0 = grid.pitch - grid.curve * grid.count;
  return grid.x0 + p0 * i + grid.curve * i * i;
}

function columnProfile(map: InkMap, g: LineGeometry): Float32Array {
  const { width: w, data } = map;
  const cols = new Float32Array(w);
  for (let y = g.top; y < g.bottom; y++)
    for (let x = 0; x < w; x++) cols[x] = (cols[x] as number) + (data[y * w + x] as number);
  const height = g.bottom - g.top;
  for (let x = 0; x < w; x++) cols[x] = (cols[x] as number) / height;
  return cols;
}

/**
 * Fits `count` cells to the line. OCR-B glyphs leave about 0.15 pitch of paper on the left of a cell and
 * 0.17 on the right, so the inked extent spans about count - 0.33 pitches; the search refines pitch, phase
 * and perspective around that by minimising the ink the cell borders cut through.
 */
export function fitCells(map: InkMap, g: LineGeometry, count: number): CellGrid {
  const cols = columnProfile(map, g);
  const at = (x: number): number => {
    const i = Math.floor(x);
    const f = x - i;
    return (cols[i] ?? 0) * (1 - f) + (cols[i + 1] ?? 0) * f;
  };
  const extent = g.right - g.left;
  const p0 = extent / (count - 0.33);
  let best: CellGrid = { count, pitch: p0, x0: g.left - 0.15 * p0, curve: 0, borderInk: Infinity };
  const search = (pitches: number[], phases: number[], curves: number[]): void => {
    for (const pitch of pitches) {
      for (const curve of curves) {
        for (const ph of phases) {
          const grid: CellGrid = { count, pitch, x0: g.left + ph * pitch, curve, borderInk: 0 };
          let ink = 0;
          for (let i = 0; i <= count; i++) ink += at(cellEdge(grid, i));
          // Cells must cover the inked extent: penalise grids that leave ink outside.
          const spill = Math.max(0, g.left - grid.x0 - 0.05 * pitch) + Math.max(0, g.right - cellEdge(grid, count));
          const score = ink / (count + 1) + spill / pitch;
          if (score < best.borderInk) best = { ...grid, borderInk: score };
        }
      }
    }
  };
  const range = (from: number, to: number, step: number): number[] => {
    const out: number[] = [];
    for (let v = from; v <= to + step / 2; v += step) out.push(v);
    return out;
  };
  search(
    range(-0.04, 0.04, 0.004).map((d) => p0 * (1 + d)),
    range(-0.35, 0.1, 0.025),
    [0],
  );
  // Perspective: up to ±15 % pitch change from one end of the line to the other.
  const maxCurve = (0.15 * p0) / (2 * count);
  const { pitch, x0 } = best;
  search(
    range(-0.012, 0.012, 0.004).map((d) => pitch * (1 + d)),
    range(-0.06, 0.06, 0.02).map((d) => (x0 - g.left) / pitch + d),
    range(-maxCurve, maxCurve, maxCurve / 5),
  );
  return best;
}

/**
 * Pitch from the periodicity of the column profile, independent of where the line seems to end: stray
 * ink beyond the last glyph (background print, a card edge) stretches an extent-based fit but leaves the
 * period alone. The autocorrelation peak near 8 pitches is used, so a one-pixel error is an eighth.
 */
export function periodicPitch(map: InkMap, g: LineGeometry): number | undefined {
  const cols = columnProfile(map, g).slice(g.left, g.right);
  const n = cols.length;
  let mean = 0;
  for (const v of cols) mean += v;
  mean /= Math.max(1, n);
  for (let i = 0; i < n; i++) cols[i] = (cols[i] as number) - mean;
  const r = (lag: number): number => {
    let s = 0;
    for (let i = 0; i + lag < n; i++) s += (cols[i] as number) * (cols[i + lag] as number);
    return s / Math.max(1, n - lag);
  };
  const glyph = g.bottom - g.top;
  let p1 = 0;
  let best = -Infinity;
  for (let lag = Math.round(glyph * 0.6); lag <= Math.round(glyph * 1.6); lag++) {
    const v = r(lag);
    if (v > best) {
      best = v;
      p1 = lag;
    }
  }
  if (p1 === 0 || best <= 0) return undefined;
  const k = Math.min(8, Math.floor(n / (2 * p1)));
  if (k < 2) return p1;
  let lagK = k * p1;
  best = -Infinity;
  for (let lag = Math.round(k * p1 - p1 / 2); lag <= Math.round(k * p1 + p1 / 2); lag++) {
    const v = r(lag);
    if (v > best) {
      best = v;
      lagK = lag;
    }
  }
  const [a, b, c] = [r(lagK - 1), r(lagK), r(lagK + 1)];
  const denom = a - 2 * b + c;
  const offset = denom < 0 ? (0.5 * (a - c)) / denom : 0;
  return (lagK + Math.max(-0.5, Math.min(0.5, offset))) / k;
}

/** Fits `count` cells of a known pitch: only the phase is searched, anchored on the left end. */
export function fitCellsWithPitch(map: InkMap, g: LineGeometry, count: number, pitch: number): CellGrid {
  const cols = columnProfile(map, g);
  const at = (x: number): number => {
    const i = Math.floor(x);
    const f = x - i;
    return (cols[i] ?? 0) * (1 - f) + (cols[i + 1] ?? 0) * f;
  };
  let best: CellGrid = { count, pitch, x0: g.left - 0.15 * pitch, curve: 0, borderInk: Infinity };
  for (let ph = -0.45; ph <= 0.1001; ph += 0.02) {
    for (const dp of [-0.004, -0.002, 0, 0.002, 0.004]) {
      const grid: CellGrid = { count, pitch: pitch * (1 + dp), x0: g.left + ph * pitch, curve: 0, borderInk: 0 };
      let ink = 0;
      for (let i = 0; i <= count; i++) ink += at(cellEdge(grid, i));
      const score = ink / (count + 1) + Math.max(0, g.left - grid.x0 - 0.05 * pitch) / pitch;
      if (score < best.borderInk) best = { ...grid, borderInk: score };
    }
  }
  return best;
}

/** Mean ink the grid's cell borders cut through (without the fit's coverage penalty). */
export function borderInk(map: InkMap, g: LineGeometry, grid: CellGrid): number {
  const cols = columnProfile(map, g);
  let ink = 0;
  for (let i = 0; i <= grid.count; i++) {
    const x = cellEdge(grid, i);
    const k = Math.floor(x);
    const f = x - k;
    ink += (cols[k] ?? 0) * (1 - f) + (cols[k + 1] ?? 0) * f;
  }
  return ink / (grid.count + 1);
}

/** Bilinear resampling of one cell of the ink map into a CELL_W × CELL_H feature vector. */
export function cellFeatures(
  map: InkMap,
  g: LineGeometry,
  grid: CellGrid,
  index: number,
  dx = 0,
  dy = 0,
): Float32Array {
  const out = new Float32Array(CELL_W * CELL_H);
  const left = cellEdge(grid, index);
  const width = cellEdge(grid, index + 1) - left;
  // Under perspective the glyphs shrink in height as they shrink in width.
  const glyphH = (g.bottom - g.top) * (width / grid.pitch);
  const cellH = glyphH * CELL_HEIGHT_FACTOR;
  const cy = (g.top + g.bottom) / 2 + dy * glyphH;
  const x0 = left + dx * width;
  const { width: w, height: h, data } = map;
  const px = (x: number, y: number): number => (x < 0 || y < 0 || x >= w || y >= h ? 0 : (data[y * w + x] as number));
  for (let v = 0; v < CELL_H; v++) {
    const sy = cy - cellH / 2 + ((v + 0.5) * cellH) / CELL_H - 0.5;
    const yi = Math.floor(sy);
    const fy = sy - yi;
    for (let u = 0; u < CELL_W; u++) {
      const sx = x0 + ((u + 0.5) * width) / CELL_W - 0.5;
      const xi = Math.floor(sx);
      const fx = sx - xi;
      out[v * CELL_W + u] =
        px(xi, yi) * (1 - fx) * (1 - fy) +
        px(xi + 1, yi) * fx * (1 - fy) +
        px(xi, yi + 1) * (1 - fx) * fy +
        px(xi + 1, yi + 1) * fx * fy;
    }
  }
  return out;
}
