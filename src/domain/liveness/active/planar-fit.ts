// Least-squares fits of a planar map between two landmark sets, and what is left over. A print or a screen held
// in front of a camera is a plane: however it is moved, tilted or sheared, its landmarks move as a homography
// (an affine map when it is far or barely tilted). A head is not a plane: turning it moves the nose tip and the
// jaw contour by different amounts, and no homography absorbs that. The residual is the 3D evidence.

export interface Pt {
  x: number;
  y: number;
}

/** Row-major 3×3, h[8] = 1. */
export type Homography = number[];

/** Solves A x = b (n×n, partial pivoting); null when singular. */
export function solveLinear(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (Math.abs(m[p]![c]!) < 1e-12) return null;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** Hartley normalisation: centroid to the origin, mean distance √2. Returns the normalised points and the map. */
function normaliser(points: Pt[]): { s: number; cx: number; cy: number } {
  const cx = points.reduce((s, p) => s + p.x, 0) / points.length;
  const cy = points.reduce((s, p) => s + p.y, 0) / points.length;
  const d = points.reduce((s, p) => s + Math.hypot(p.x - cx, p.y - cy), 0) / points.length || 1;
  return { s: Math.SQRT2 / d, cx, cy };
}

export function applyHomography(h: Homography, p: Pt): Pt {
  const w = h[6]! * p.x + h[7]! * p.y + h[8]!;
  return { x: (h[0]! * p.x + h[1]! * p.y + h[2]!) / w, y: (h[3]! * p.x + h[4]! * p.y + h[5]!) / w };
}

/**
 * Best homography from `a` to `b` in the algebraic least-squares sense (DLT with h33 = 1 on Hartley-normalised
 * points; 8 unknowns, normal equations). Enough for 68 well-spread points; null when degenerate.
 */
export function fitHomography(a: Pt[], b: Pt[]): Homography | null {
  const na = normaliser(a);
  const nb = normaliser(b);
  const ata = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
  const atb = new Array<number>(8).fill(0);
  const add = (row: number[], rhs: number) => {
    for (let i = 0; i < 8; i++) {
      atb[i]! += row[i]! * rhs;
      for (let j = 0; j < 8; j++) ata[i]![j]! += row[i]! * row[j]!;
    }
  };
  for (let i = 0; i < a.length; i++) {
    const x = (a[i]!.x - na.cx) * na.s;
    const y = (a[i]!.y - na.cy) * na.s;
    const u = (b[i]!.x - nb.cx) * nb.s;
    const v = (b[i]!.y - nb.cy) * nb.s;
    add([x, y, 1, 0, 0, 0, -u * x, -u * y], u);
    add([0, 0, 0, x, y, 1, -v * x, -v * y], v);
  }
  const sol = solveLinear(ata, atb);
  if (!sol) return null;
  const hn = [...sol, 1];
  // Undo the normalisations: H = Tb⁻¹ · Hn · Ta.
  const ta = [na.s, 0, -na.s * na.cx, 0, na.s, -na.s * na.cy, 0, 0, 1];
  const tbInv = [1 / nb.s, 0, nb.cx, 0, 1 / nb.s, nb.cy, 0, 0, 1];
  const h = mul3(tbInv, mul3(hn, ta));
  const k = h[8]!;
  return Math.abs(k) < 1e-12 ? null : h.map((v) => v / k);
}

/** Best affine map from `a` to `b` (6 unknowns, least squares), as a homography with a zero last row. */
export function fitAffine(a: Pt[], b: Pt[]): Homography | null {
  const ata = Array.from({ length: 3 }, () => new Array<number>(3).fill(0));
  const bx = [0, 0, 0];
  const by = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    const row = [a[i]!.x, a[i]!.y, 1];
    for (let r = 0; r < 3; r++) {
      bx[r]! += row[r]! * b[i]!.x;
      by[r]! += row[r]! * b[i]!.y;
      for (let c = 0; c < 3; c++) ata[r]![c]! += row[r]! * row[c]!;
    }
  }
  const px = solveLinear(ata, bx);
  const py = solveLinear(ata, by);
  return px && py ? [...px, ...py, 0, 0, 1] : null;
}

function mul3(p: number[], q: number[]): number[] {
  const r = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) r[i * 3 + j]! += p[i * 3 + k]! * q[k * 3 + j]!;
  return r;
}

/** Per-point transfer residuals |H·a − b|. */
export function residuals(h: Homography, a: Pt[], b: Pt[]): Pt[] {
  return a.map((p, i) => {
    const q = applyHomography(h, p);
    return { x: b[i]!.x - q.x, y: b[i]!.y - q.y };
  });
}

export const rms = (r: Pt[]): number =>
  Math.sqrt(r.reduce((s, p) => s + p.x * p.x + p.y * p.y, 0) / Math.max(1, r.length));

/** Mean of several landmark sets, point by point (averaging frames lowers the landmark model's jitter). */
export function meanShape(shapes: Pt[][]): Pt[] {
  const n = shapes[0]!.length;
  return Array.from({ length: n }, (_, i) => ({
    x: shapes.reduce((s, sh) => s + sh[i]!.x, 0) / shapes.length,
    y: shapes.reduce((s, sh) => s + sh[i]!.y, 0) / shapes.length,
  }));
}

const centre = (p: Pt[], idx: number[]): Pt => ({
  x: idx.reduce((s, i) => s + p[i]!.x, 0) / idx.length,
  y: idx.reduce((s, i) => s + p[i]!.y, 0) / idx.length,
});

/** Distance between the eye centres of a 68-point iBUG shape: the scale every residual is divided by. */
export function interOcular(p: Pt[]): number {
  const l = centre(p, [36, 37, 38, 39, 40, 41]);
  const r = centre(p, [42, 43, 44, 45, 46, 47]);
  return Math.hypot(r.x - l.x, r.y - l.y);
}

/** Pearson correlation; 0 when either side is constant. */
export function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}
