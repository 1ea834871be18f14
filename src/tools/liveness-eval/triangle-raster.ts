// A small textured-triangle rasteriser with a depth buffer: enough to draw a photo onto a 3D mesh or a tilted
// plane for synthetic frames. Affine texture mapping per triangle (triangles are small), bilinear sampling,
// the nearest surface wins.

export interface RgbImage {
  width: number;
  height: number;
  /** Interleaved RGB, 3 bytes per pixel. */
  data: Uint8Array;
}

export interface Vertex {
  /** Where it lands in the output, px. */
  x: number;
  y: number;
  /** Distance from the camera (smaller is nearer). */
  depth: number;
  /** Where it is in the texture, px. */
  u: number;
  v: number;
}

export class Canvas {
  readonly rgb: Float32Array;
  readonly depth: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    fill: [number, number, number] = [128, 128, 128],
  ) {
    this.rgb = new Float32Array(width * height * 3);
    for (let i = 0; i < width * height; i++) this.rgb.set(fill, i * 3);
    this.depth = new Float32Array(width * height).fill(Number.POSITIVE_INFINITY);
  }

  /** Draws one textured triangle. */
  triangle(tex: RgbImage, a: Vertex, b: Vertex, c: Vertex): void {
    const det = (b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y);
    if (Math.abs(det) < 1e-9) return;
    const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x, c.x)));
    const x1 = Math.min(this.width - 1, Math.ceil(Math.max(a.x, b.x, c.x)));
    const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y, c.y)));
    const y1 = Math.min(this.height - 1, Math.ceil(Math.max(a.y, b.y, c.y)));
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5;
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        const l1 = ((b.x - px) * (c.y - py) - (c.x - px) * (b.y - py)) / det;
        const l2 = ((c.x - px) * (a.y - py) - (a.x - px) * (c.y - py)) / det;
        const l3 = 1 - l1 - l2;
        if (l1 < -1e-6 || l2 < -1e-6 || l3 < -1e-6) continue;
        const z = l1 * a.depth + l2 * b.depth + l3 * c.depth;
        const k = y * this.width + x;
        if (z >= this.depth[k]!) continue;
        this.depth[k] = z;
        sample(tex, l1 * a.u + l2 * b.u + l3 * c.u, l1 * a.v + l2 * b.v + l3 * c.v, this.rgb, k * 3);
      }
    }
  }

  /** Adds Gaussian sensor noise and a gain, then rounds to bytes. */
  toImage(noiseSigma: number, gain: number, rng: () => number): RgbImage {
    const data = new Uint8Array(this.rgb.length);
    for (let i = 0; i < data.length; i++) {
      const n = noiseSigma > 0 ? noiseSigma * gauss(rng) : 0;
      data[i] = Math.max(0, Math.min(255, Math.round(this.rgb[i]! * gain + n)));
    }
    return { width: this.width, height: this.height, data };
  }
}

function sample(tex: RgbImage, u: number, v: number, out: Float32Array, at: number): void {
  const x = Math.max(0, Math.min(tex.width - 1.001, u - 0.5));
  const y = Math.max(0, Math.min(tex.height - 1.001, v - 0.5));
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const i00 = (y0 * tex.width + x0) * 3;
  const i10 = i00 + 3;
  const i01 = i00 + tex.width * 3;
  const i11 = i01 + 3;
  for (let c = 0; c < 3; c++) {
    const top = tex.data[i00 + c]! * (1 - fx) + tex.data[i10 + c]! * fx;
    const bottom = tex.data[i01 + c]! * (1 - fx) + tex.data[i11 + c]! * fx;
    out[at + c] = top * (1 - fy) + bottom * fy;
  }
}

export function gauss(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
}

/** Seeded uniform [0, 1) (mulberry32): every sequence is reproducible from its seed. */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Bowyer–Watson Delaunay triangulation of a small point set; triangles as index triples. */
export function delaunay(points: { x: number; y: number }[]): [number, number, number][] {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) * 20;
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  const all = [...points, { x: cx - span, y: cy - span }, { x: cx + span, y: cy - span }, { x: cx, y: cy + span }];
  const n = points.length;
  let tris: [number, number, number][] = [[n, n + 1, n + 2]];
  const inCircle = (t: [number, number, number], p: { x: number; y: number }) => {
    const [a, b, c] = t.map((i) => all[i]!) as [typeof p, typeof p, typeof p];
    const ax = a.x - p.x;
    const ay = a.y - p.y;
    const bx = b.x - p.x;
    const by = b.y - p.y;
    const cx2 = c.x - p.x;
    const cy2 = c.y - p.y;
    const d =
      (ax * ax + ay * ay) * (bx * cy2 - cx2 * by) -
      (bx * bx + by * by) * (ax * cy2 - cx2 * ay) +
      (cx2 * cx2 + cy2 * cy2) * (ax * by - bx * ay);
    const orient = (b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y);
    return orient > 0 ? d > 0 : d < 0;
  };
  for (let i = 0; i < n; i++) {
    const p = all[i]!;
    const bad = tris.filter((t) => inCircle(t, p));
    const edges = new Map<string, [number, number]>();
    for (const t of bad) {
      for (const [u, v] of [
        [t[0], t[1]],
        [t[1], t[2]],
        [t[2], t[0]],
      ] as [number, number][]) {
        const key = u < v ? `${u},${v}` : `${v},${u}`;
        if (edges.has(key)) edges.delete(key);
        else edges.set(key, [u, v]);
      }
    }
    tris = tris.filter((t) => !bad.includes(t));
    for (const [u, v] of edges.values()) tris.push([u, v, i]);
  }
  return tris.filter((t) => t.every((i) => i < n));
}
