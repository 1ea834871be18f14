import type { Pt } from './planar-fit.js';

// openidv's own 3D mean face for the 68 iBUG points, in units of the inter-ocular distance (eye centres 1 apart,
// origin between them; x to the image's right, y down, z out of the face towards the camera).
// x, y: the mean of our landmark model's output on 78 near-frontal lfw-dev photos (first photo of the first
// 400 people, |yaw| and |roll| ≤ 6°), each aligned on its eye centres. z: a hand-set depth per point from
// ordinary facial anatomy in cm (nose tip +3, eye corners 0, jaw contour receding to −7.8 at the ears) ÷ 6.3 cm.
// It is a coarse ordinal prior, good enough for a pose estimate and a synthetic head; it is not a scanned mean
// shape (OpenFace's is non-commercial and deliberately not used).
const XY: [number, number][] = [
  [-1.138, -0.024],
  [-1.12, 0.276],
  [-1.083, 0.573],
  [-1.032, 0.866],
  [-0.933, 1.142],
  [-0.765, 1.38],
  [-0.541, 1.574],
  [-0.285, 1.725],
  [0.012, 1.767],
  [0.31, 1.719],
  [0.566, 1.562],
  [0.787, 1.364],
  [0.951, 1.12],
  [1.043, 0.841],
  [1.088, 0.547],
  [1.118, 0.252],
  [1.131, -0.049],
  [-0.938, -0.207],
  [-0.795, -0.341],
  [-0.588, -0.379],
  [-0.374, -0.345],
  [-0.172, -0.265],
  [0.172, -0.261],
  [0.371, -0.339],
  [0.582, -0.374],
  [0.789, -0.339],
  [0.929, -0.205],
  [-0.001, -0.039],
  [0.001, 0.148],
  [0.003, 0.332],
  [0.005, 0.524],
  [-0.228, 0.658],
  [-0.114, 0.694],
  [0.008, 0.725],
  [0.129, 0.694],
  [0.244, 0.658],
  [-0.694, -0.001],
  [-0.57, -0.057],
  [-0.427, -0.057],
  [-0.298, 0.024],
  [-0.433, 0.047],
  [-0.578, 0.045],
  [0.3, 0.023],
  [0.427, -0.055],
  [0.569, -0.056],
  [0.694, -0.003],
  [0.578, 0.045],
  [0.435, 0.047],
  [-0.419, 1.021],
  [-0.262, 0.947],
  [-0.105, 0.908],
  [0.009, 0.938],
  [0.122, 0.909],
  [0.282, 0.947],
  [0.44, 1.022],
  [0.288, 1.168],
  [0.134, 1.233],
  [0.011, 1.245],
  [-0.113, 1.233],
  [-0.267, 1.169],
  [-0.35, 1.027],
  [-0.105, 1.007],
  [0.011, 1.02],
  [0.125, 1.008],
  [0.37, 1.029],
  [0.126, 1.087],
  [0.009, 1.101],
  [-0.109, 1.087],
];

// Depth in cm, points 0..67.
const Z_CM: number[] = [
  // jaw contour 0..16
  -7.8, -7.2, -6.5, -5.5, -4.2, -2.8, -1.5, -0.5, 0, -0.5, -1.5, -2.8, -4.2, -5.5, -6.5, -7.2, -7.8,
  // brows 17..26
  -1.0, 0.2, 0.8, 1.0, 1.0, 1.0, 1.0, 0.8, 0.2, -1.0,
  // nose bridge 27..30, nostrils 31..35
  0.8, 1.5, 2.2, 3.0, 1.0, 1.6, 2.0, 1.6, 1.0,
  // eyes 36..47
  -0.8, 0.0, 0.1, -0.2, 0.0, -0.1, -0.2, 0.1, 0.0, -0.8, -0.1, 0.0,
  // outer lips 48..59
  -0.6, 0.6, 1.1, 1.3, 1.1, 0.6, -0.6, 0.6, 1.0, 1.1, 1.0, 0.6,
  // inner lips 60..67
  -0.3, 0.7, 0.9, 0.7, -0.3, 0.7, 0.9, 0.7,
];

const IOD_CM = 6.3;

export interface Pt3 {
  x: number;
  y: number;
  z: number;
}

export const MEAN_FACE: readonly Pt3[] = Object.freeze(XY.map(([x, y], i) => ({ x, y, z: Z_CM[i]! / IOD_CM })));

export const deg = (rad: number): number => (rad * 180) / Math.PI;
export const rad = (d: number): number => (d * Math.PI) / 180;

/** R = Ry(yaw)·Rx(pitch)·Rz(roll), row-major. Yaw > 0 turns the nose to the image's right, pitch > 0 lifts it. */
export function rotationMatrix(yawDeg: number, pitchDeg: number, rollDeg: number): number[] {
  const [cy, sy] = [Math.cos(rad(yawDeg)), Math.sin(rad(yawDeg))];
  const [cp, sp] = [Math.cos(rad(pitchDeg)), Math.sin(rad(pitchDeg))];
  const [cr, sr] = [Math.cos(rad(rollDeg)), Math.sin(rad(rollDeg))];
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const rx = [1, 0, 0, 0, cp, -sp, 0, sp, cp];
  const rz = [cr, -sr, 0, sr, cr, 0, 0, 0, 1];
  return mul(mul(ry, rx), rz);
}

function mul(p: number[], q: number[]): number[] {
  const r = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) r[i * 3 + j]! += p[i * 3 + k]! * q[k * 3 + j]!;
  return r;
}

export const rotate = (r: number[], p: Pt3): Pt3 => ({
  x: r[0]! * p.x + r[1]! * p.y + r[2]! * p.z,
  y: r[3]! * p.x + r[4]! * p.y + r[5]! * p.z,
  z: r[6]! * p.x + r[7]! * p.y + r[8]! * p.z,
});

/** Pinhole projection of a point whose z is towards the camera, the camera `distance` away from z = 0. */
export const project = (p: Pt3, focal: number, distance: number, cx: number, cy: number): Pt => ({
  x: cx + (focal * p.x) / (distance - p.z),
  y: cy + (focal * p.y) / (distance - p.z),
});

export interface HeadPose {
  yawDeg: number;
  pitchDeg: number;
  rollDeg: number;
  /** Image pixels per mean-face unit (the inter-ocular distance of a frontal face). */
  scale: number;
  /** Root-mean-square fit error in mean-face units: large when the points are not a face seen from some angle. */
  fitError: number;
}

/**
 * Head pose from 68 image points by a scaled-orthographic fit to the mean face (linear least squares for the
 * 2×3 camera, then the nearest rotation). Weak perspective is enough for a face at arm's length, where depth
 * varies by a few percent of the distance; it is the same estimate a planar photo is measured with, so the
 * parallax test, not this, is what tells a head from a picture.
 */
export function estimatePose(points: Pt[]): HeadPose {
  const n = points.length;
  const mx = MEAN_FACE.reduce((s, p) => ({ x: s.x + p.x / n, y: s.y + p.y / n, z: s.z + p.z / n }), {
    x: 0,
    y: 0,
    z: 0,
  });
  const mu = points.reduce((s, p) => ({ x: s.x + p.x / n, y: s.y + p.y / n }), { x: 0, y: 0 });
  // Normal equations: (XᵀX) m_row = Xᵀ u for each image row.
  const xtx = Array.from({ length: 3 }, () => [0, 0, 0]);
  const xtu = [0, 0, 0];
  const xtv = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const q = MEAN_FACE[i]!;
    const v3 = [q.x - mx.x, q.y - mx.y, q.z - mx.z];
    const u = points[i]!.x - mu.x;
    const v = points[i]!.y - mu.y;
    for (let a = 0; a < 3; a++) {
      xtu[a]! += v3[a]! * u;
      xtv[a]! += v3[a]! * v;
      for (let b = 0; b < 3; b++) xtx[a]![b]! += v3[a]! * v3[b]!;
    }
  }
  const r0 = solve3(xtx, xtu);
  const r1 = solve3(xtx, xtv);
  const n0 = Math.hypot(...r0);
  const n1 = Math.hypot(...r1);
  const scale = (n0 + n1) / 2;
  // Nearest orthonormal pair: symmetric Gram–Schmidt.
  const a = r0.map((v) => v / n0);
  const b = r1.map((v) => v / n1);
  const dot = a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
  const e0 = normalise(a.map((v, i) => v - (dot / 2) * b[i]!));
  const e1 = normalise(b.map((v, i) => v - (dot / 2) * a[i]!));
  const e2 = [e0[1]! * e1[2]! - e0[2]! * e1[1]!, e0[2]! * e1[0]! - e0[0]! * e1[2]!, e0[0]! * e1[1]! - e0[1]! * e1[0]!];
  const pitch = Math.asin(Math.max(-1, Math.min(1, -e1[2]!)));
  const yaw = Math.atan2(e0[2]!, e2[2]!);
  const roll = Math.atan2(e1[0]!, e1[1]!);
  let err = 0;
  for (let i = 0; i < n; i++) {
    const q = MEAN_FACE[i]!;
    const d = [q.x - mx.x, q.y - mx.y, q.z - mx.z];
    const px = scale * (e0[0]! * d[0]! + e0[1]! * d[1]! + e0[2]! * d[2]!);
    const py = scale * (e1[0]! * d[0]! + e1[1]! * d[1]! + e1[2]! * d[2]!);
    err += (px - (points[i]!.x - mu.x)) ** 2 + (py - (points[i]!.y - mu.y)) ** 2;
  }
  return { yawDeg: deg(yaw), pitchDeg: deg(pitch), rollDeg: deg(roll), scale, fitError: Math.sqrt(err / n) / scale };
}

function normalise(v: number[]): number[] {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

function solve3(a: number[][], b: number[]): number[] {
  const det = (m: number[][]) =>
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
    m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
    m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const d = det(a);
  return [0, 1, 2].map((c) => det(a.map((row, i) => row.map((v, j) => (j === c ? b[i]! : v)))) / d);
}
