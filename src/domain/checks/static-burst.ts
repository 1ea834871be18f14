import type { AnalysedFace, Point } from '../ports/face-engine.port.js';

// A STATIC capture is a short burst of live frames around the shutter. Whether they are frames of one live scene
// is decided here, from what the face engine found in each frame: no I/O, so every rule is unit-tested.
//
// What five landmarks can tell: a still picture re-sent (byte-identical, re-encoded or rescaled) or a picture held
// still in front of the camera gives the same landmark geometry in every frame, up to the detector's jitter; a
// picture moved in 2D (slid, turned, zoomed) moves all five points by one similarity transform. A live head in a
// second of burst sways and turns a little, which moves the nose and mouth against the eyes: motion a similarity
// transform does not explain. Five points cannot tell a head from a picture tilted as a plane or warped (a
// homography fits them too); that is ZOOM's job with its parallax test, and docs/checks.md says so.

/** What the client must send, and the bounds the server holds it to. */
export const BURST = {
  /** Frames the page takes (the full-resolution still included). */
  frames: 5,
  /** The time they span. */
  spanMs: 1000,
  minFrames: 3,
  maxFrames: 8,
  minSpanMs: 300,
  maxSpanMs: 4000,
} as const;

/**
 * Thresholds, in units of the inter-ocular distance (IOD). NO_MOTION_IOD and RIGID_RESIDUAL_IOD sit above the
 * largest values measured on a still photo re-encoded, rescaled, slid, turned and zoomed (src/domain/checks
 * static-burst figures in docs/checks.md); SAME_IDENTITY_COSINE below which two frames are not one person.
 */
export const BURST_THRESHOLDS = {
  noMotionIod: 0.05,
  rigidResidualIod: 0.03,
  sameIdentityCosine: 0.5,
  /** Embeddings this close are the same picture, not two live frames: reported, and fails with no motion. */
  samePictureCosine: 0.995,
};

export interface BurstFrame {
  sha256: string;
  /** Decoded size: landmarks are compared as fractions of it, so a rescaled copy lands on the same place. */
  width: number;
  height: number;
  /** Faces found; exactly one is expected. Null when the frame could not be read. */
  faces: AnalysedFace[] | null;
  /** Milliseconds from the first frame of the burst, as the client declared. */
  offsetMs: number;
}

export interface BurstTiming {
  /** When the server issued the challenge and when the upload consumed it. */
  issuedAt: number;
  usedAt: number;
  expiresAt: number;
}

export interface BurstVerdict {
  pass: boolean;
  /** Why it failed (the first hard rule broken); absent on a pass. */
  reason?: string;
  details: Record<string, string | number>;
}

/** A second face at least this share of the main one's size makes the frame ambiguous. */
const COMPARABLE_FACE = 0.5;

const fail = (reason: string, details: Record<string, string | number>): BurstVerdict => ({
  pass: false,
  reason,
  details,
});

/** Least-squares similarity transform (scale, rotation, translation) from a to b; the RMS residual it leaves. */
export function similarityResidual(a: readonly Point[], b: readonly Point[]): number {
  const n = a.length;
  const ca = centroid(a);
  const cb = centroid(b);
  let sxx = 0;
  let sxy = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const ax = a[i]!.x - ca.x;
    const ay = a[i]!.y - ca.y;
    const bx = b[i]!.x - cb.x;
    const by = b[i]!.y - cb.y;
    sxx += ax * bx + ay * by;
    sxy += ax * by - ay * bx;
    norm += ax * ax + ay * ay;
  }
  if (norm === 0) return 0;
  // b ≈ [[p, -q], [q, p]] a + t, with p = s cos θ, q = s sin θ.
  const p = sxx / norm;
  const q = sxy / norm;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const ax = a[i]!.x - ca.x;
    const ay = a[i]!.y - ca.y;
    const dx = p * ax - q * ay - (b[i]!.x - cb.x);
    const dy = q * ax + p * ay - (b[i]!.y - cb.y);
    sum += dx * dx + dy * dy;
  }
  return Math.sqrt(sum / n);
}

function centroid(points: readonly Point[]): Point {
  const x = points.reduce((s, p) => s + p.x, 0) / points.length;
  const y = points.reduce((s, p) => s + p.y, 0) / points.length;
  return { x, y };
}

/** Landmarks as fractions of the frame's width (both axes), so frames of any resolution compare. */
function normalised(frame: BurstFrame, face: AnalysedFace): Point[] {
  return face.landmarks.map((p) => ({ x: p.x / frame.width, y: p.y / frame.width }));
}

function rmsDistance(a: readonly Point[], b: readonly Point[]): number {
  return Math.sqrt(a.reduce((s, p, i) => s + (p.x - b[i]!.x) ** 2 + (p.y - b[i]!.y) ** 2, 0) / a.length);
}

function iod(points: readonly Point[]): number {
  return Math.hypot(points[1]!.x - points[0]!.x, points[1]!.y - points[0]!.y);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

const fixed = (n: number) => n.toFixed(4);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The hard rules of a STATIC burst: bound to its challenge in time, frames all different, one face that stays one
 * person, and motion between frames that a still picture, re-sent or moved in 2D, does not make.
 */
export function assessBurst(frames: BurstFrame[], timing: BurstTiming, thresholds = BURST_THRESHOLDS): BurstVerdict {
  const details: Record<string, string | number> = { frames: frames.length };
  if (frames.length < BURST.minFrames || frames.length > BURST.maxFrames) {
    return fail(
      `the burst has ${frames.length} frames; ${BURST.minFrames} to ${BURST.maxFrames} are expected`,
      details,
    );
  }
  const offsets = frames.map((f) => f.offsetMs);
  const span = Math.max(...offsets) - Math.min(...offsets);
  details.span_ms = span;
  details.upload_after_ms = timing.usedAt - timing.issuedAt;
  if (timing.usedAt > timing.expiresAt) return fail('the capture arrived after its challenge expired', details);
  if (offsets.some((t, i) => i > 0 && t <= offsets[i - 1]!)) return fail('the frame times do not increase', details);
  if (span < BURST.minSpanMs || span > BURST.maxSpanMs)
    return fail(`the frames span ${span} ms; ${BURST.minSpanMs} to ${BURST.maxSpanMs} ms are expected`, details);
  // The burst cannot have been taken in less time than it spans after the challenge existed.
  if (timing.usedAt - timing.issuedAt < span)
    return fail('the capture arrived sooner after its challenge than the burst lasts', details);
  if (new Set(frames.map((f) => f.sha256)).size !== frames.length)
    return fail('two frames of the burst are byte-identical', details);

  const faces: { points: Point[]; face: AnalysedFace }[] = [];
  for (const [i, frame] of frames.entries()) {
    if (!frame.faces) return fail(`frame ${i + 1} could not be read`, details);
    // The largest face is the user's; a much smaller one (a poster, a passer-by far behind) does not spoil it.
    const [main, ...others] = [...frame.faces].sort((a, b) => b.quality.faceSizePx - a.quality.faceSizePx);
    if (!main) return fail(`frame ${i + 1} shows no face`, details);
    if (others.some((o) => o.quality.faceSizePx >= COMPARABLE_FACE * main.quality.faceSizePx)) {
      return fail(`frame ${i + 1} shows several faces of comparable size`, details);
    }
    faces.push({ points: normalised(frame, main), face: main });
  }

  const anchor = faces[0]!;
  let minCosine = 1;
  let maxCosine = -1;
  let maxMotion = 0;
  const residuals: number[] = [];
  for (let i = 0; i < faces.length; i++) {
    for (let j = i + 1; j < faces.length; j++) {
      const a = faces[i]!;
      const b = faces[j]!;
      const scale = (iod(a.points) + iod(b.points)) / 2 || 1;
      const cosine = dot(a.face.embedding, b.face.embedding);
      minCosine = Math.min(minCosine, cosine);
      maxCosine = Math.max(maxCosine, cosine);
      maxMotion = Math.max(maxMotion, rmsDistance(a.points, b.points) / scale);
      residuals.push(similarityResidual(a.points, b.points) / scale);
    }
  }
  details.identity_min_cosine = fixed(minCosine);
  details.identity_max_cosine = fixed(maxCosine);
  details.landmark_motion_iod = fixed(maxMotion);
  // The median over frame pairs: the detector's jitter spikes on one frame, a moving head shows in most pairs.
  const residual = median(residuals);
  details.non_rigid_motion_iod = fixed(residual);
  details.anchor_face_px = Math.round(anchor.face.quality.faceSizePx);
  if (minCosine < thresholds.sameIdentityCosine) return fail('the face changes identity between frames', details);
  if (maxMotion < thresholds.noMotionIod) {
    return fail(
      maxCosine >= thresholds.samePictureCosine
        ? 'the frames are one picture re-sent: no motion between them'
        : 'the scene does not move between frames',
      details,
    );
  }
  if (residual < thresholds.rigidResidualIod)
    return fail('the face moves only as a flat picture would (one 2D similarity transform)', details);
  return { pass: true, details };
}
