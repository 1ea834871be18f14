import { DEFAULT_DECODE_LIMITS } from '../../config/image-limits.js';
import { openImage, rawImage } from '../../infra/image/image-decoder.js';
import { MEAN_FACE, rotate, rotationMatrix } from '../../domain/liveness/active/mean-face.js';
import { interOcular, type Pt } from '../../domain/liveness/active/planar-fit.js';
import { Canvas, delaunay, type RgbImage, type Vertex } from './triangle-raster.js';

// Synthetic camera frames built from one photo and its 68 landmarks.
//
// The bona fide stand-in is a textured 3D head: the landmarks lifted with openidv's mean-face depth, a forehead
// and an outer ring (hair, ears, neck) further back, triangulated and texture-mapped from the photo, rotated
// about a neck pivot and projected with a pinhole camera in front of the photo's own background, which stays
// still. It stands for one thing only: a rigid, non-planar head of average depth turning in front of a static
// camera. It is not a person: no skin, hair or eye motion, no expression, no real depth of that individual, no
// webcam optics; a pass rate on it is not a BPCER.
//
// The attacks are the same photo as a flat card: held still, moved in the image plane (affine), or tilted in 3D
// (a homography through the same pinhole camera), over a plain room background.

export const FRAME_SIDE = 320;
/** Output pixels per photo pixel at the reference distance. */
const BASE_SCALE = 1.2;
/** Camera distance at the reference pose, in inter-ocular distances (≈ 50 cm). */
const DISTANCE_IOD = 8;

export interface ScenePose {
  yawDeg: number;
  pitchDeg: number;
  rollDeg: number;
  /** Camera distance ÷ the reference distance (NEAR ≈ 0.6). */
  distance: number;
  /** Image-plane shift of the subject, output px. */
  dx: number;
  dy: number;
}

export const REST_POSE: ScenePose = Object.freeze({ yawDeg: 0, pitchDeg: 0, rollDeg: 0, distance: 1, dx: 0, dy: 0 });

export interface Photo {
  image: RgbImage;
  landmarks: Pt[];
}

export async function loadRgb(bytes: Uint8Array): Promise<RgbImage> {
  const { data, info } = await (await openImage(bytes, { limits: DEFAULT_DECODE_LIMITS, failOn: 'truncated' })).image
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

export async function encodeJpeg(image: RgbImage, quality = 85): Promise<Uint8Array> {
  const buf = await rawImage(image.data, { width: image.width, height: image.height, channels: 3 })
    .jpeg({ quality })
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

interface MeshPoint {
  /** Texture position (photo px). */
  u: number;
  v: number;
  /** Depth towards the camera, photo px (0 = the eye plane). */
  z: number;
  /** Background points do not move with the head. */
  fixed: boolean;
}

export class TexturedHead {
  private readonly points: MeshPoint[];
  private readonly triangles: [number, number, number][];
  private readonly pivot: { x: number; y: number; z: number };
  private readonly iod: number;

  constructor(private readonly photo: Photo) {
    const L = photo.landmarks;
    const iod = interOcular(L);
    this.iod = iod;
    const pts: MeshPoint[] = L.map((p, i) => ({ u: p.x, v: p.y, z: MEAN_FACE[i]!.z * iod, fixed: false }));
    const eyes = { x: (L[39]!.x + L[42]!.x) / 2, y: (L[39]!.y + L[42]!.y) / 2 };
    // Forehead: two rows above the brows, receding towards the temples.
    for (let i = 17; i <= 26; i++) {
      for (const [up, back] of [
        [0.45, 0.1],
        [0.95, 0.3],
      ] as const) {
        const off = (L[i]!.x - eyes.x) / iod;
        pts.push({
          u: L[i]!.x,
          v: L[i]!.y - up * iod,
          z: (MEAN_FACE[i]!.z - back - 0.45 * off * off) * iod,
          fixed: false,
        });
      }
    }
    // Outer ring: hair, ears and neck, about 9 cm behind the eyes.
    const cx = L.reduce((s, p) => s + p.x, 0) / 68;
    const cy = L.reduce((s, p) => s + p.y, 0) / 68 - 0.3 * iod;
    for (let k = 0; k < 20; k++) {
      const a = (2 * Math.PI * k) / 20;
      const u = clamp(cx + 1.6 * iod * Math.cos(a), 1, photo.image.width - 2);
      const v = clamp(cy + 2.1 * iod * Math.sin(a), 1, photo.image.height - 2);
      pts.push({ u, v, z: -1.4 * iod, fixed: false });
    }
    // The photo's border: the background, still.
    const { width: w, height: h } = photo.image;
    for (let k = 0; k <= 4; k++) {
      for (const [u, v] of [
        [(w * k) / 4, 0],
        [(w * k) / 4, h],
        [0, (h * k) / 4],
        [w, (h * k) / 4],
      ] as const) {
        if (!pts.some((p) => p.fixed && p.u === u && p.v === v)) pts.push({ u, v, z: -8 * iod, fixed: true });
      }
    }
    this.points = pts;
    this.triangles = delaunay(pts.map((p) => ({ x: p.u, y: p.v })));
    this.pivot = { x: eyes.x, y: eyes.y + 0.6 * iod, z: -1.5 * iod };
  }

  render(pose: ScenePose, canvas = new Canvas(FRAME_SIDE, FRAME_SIDE)): Canvas {
    const { width: w, height: h } = this.photo.image;
    const r = rotationMatrix(pose.yawDeg, pose.pitchDeg, pose.rollDeg);
    const dRef = DISTANCE_IOD * this.iod;
    const dist = pose.distance * dRef;
    const centre = FRAME_SIDE / 2;
    const vertices: Vertex[] = this.points.map((p) => {
      if (p.fixed) {
        return {
          x: centre + BASE_SCALE * (p.u - w / 2),
          y: centre + BASE_SCALE * (p.v - h / 2),
          depth: dRef * 3,
          u: p.u,
          v: p.v,
        };
      }
      const q = rotate(r, { x: p.u - this.pivot.x, y: p.v - this.pivot.y, z: p.z - this.pivot.z });
      const x = q.x + this.pivot.x - w / 2;
      const y = q.y + this.pivot.y - h / 2;
      const z = q.z + this.pivot.z;
      const k = (BASE_SCALE * dRef) / (dist - z);
      return { x: centre + pose.dx + k * x, y: centre + pose.dy + k * y, depth: dist - z, u: p.u, v: p.v };
    });
    for (const [a, b, c] of this.triangles) canvas.triangle(this.photo.image, vertices[a]!, vertices[b]!, vertices[c]!);
    return canvas;
  }
}

/** How a card is held: in the image plane (affine) or tilted in depth (perspective). */
export type CardMotion = 'affine' | 'perspective';

/**
 * The photo as a flat card, its face where the head's would be. 'perspective' turns the card by yaw/pitch about its
 * face centre and moves it in depth (a held print or screen); 'affine' imitates a turn in the image plane by
 * squeezing and shearing (cos of the angle, as a puppeteer would), and a NEAR step by scaling.
 */
export class FlatCard {
  private readonly grid: { u: number; v: number }[] = [];
  private readonly triangles: [number, number, number][] = [];
  private readonly centre: Pt;
  private readonly iod: number;

  constructor(
    private readonly photo: Photo,
    private readonly background: [number, number, number],
  ) {
    const n = 8;
    const { width: w, height: h } = photo.image;
    for (let j = 0; j <= n; j++) for (let i = 0; i <= n; i++) this.grid.push({ u: (w * i) / n, v: (h * j) / n });
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const a = j * (n + 1) + i;
        this.triangles.push([a, a + 1, a + n + 1], [a + 1, a + n + 2, a + n + 1]);
      }
    }
    const L = photo.landmarks;
    this.centre = { x: L.reduce((s, p) => s + p.x, 0) / 68, y: L.reduce((s, p) => s + p.y, 0) / 68 };
    this.iod = interOcular(L);
  }

  render(pose: ScenePose, motion: CardMotion): Canvas {
    const canvas = new Canvas(FRAME_SIDE, FRAME_SIDE, this.background);
    const { width: w, height: h } = this.photo.image;
    const dRef = DISTANCE_IOD * this.iod;
    const dist = pose.distance * dRef;
    const mid = FRAME_SIDE / 2;
    // The face centre sits where the head's would (the photo's centre is the optical axis, as for the head).
    const ox = this.centre.x - w / 2;
    const oy = this.centre.y - h / 2;
    const r = rotationMatrix(pose.yawDeg, pose.pitchDeg, pose.rollDeg);
    const cy = Math.cos((pose.yawDeg * Math.PI) / 180);
    const cp = Math.cos((pose.pitchDeg * Math.PI) / 180);
    const cr = Math.cos((pose.rollDeg * Math.PI) / 180);
    const sr = Math.sin((pose.rollDeg * Math.PI) / 180);
    const vertices: Vertex[] = this.grid.map(({ u, v }) => {
      const x0 = u - this.centre.x;
      const y0 = v - this.centre.y;
      if (motion === 'affine') {
        const s = (BASE_SCALE * dRef) / dist;
        // Squeeze across for a yaw, shear a little towards the turn, squeeze down for a pitch, then roll.
        const xs = x0 * cy + 0.15 * Math.sign(pose.yawDeg) * (1 - cy) * y0;
        const ys = y0 * cp;
        const x = xs * cr - ys * sr;
        const y = xs * sr + ys * cr;
        return { x: mid + pose.dx + s * (x + ox), y: mid + pose.dy + s * (y + oy), depth: dist, u, v };
      }
      const q = rotate(r, { x: x0, y: y0, z: 0 });
      const k = (BASE_SCALE * dRef) / (dist - q.z);
      return { x: mid + pose.dx + k * (q.x + ox), y: mid + pose.dy + k * (q.y + oy), depth: dist - q.z, u, v };
    });
    for (const [a, b, c] of this.triangles) canvas.triangle(this.photo.image, vertices[a]!, vertices[b]!, vertices[c]!);
    return canvas;
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
