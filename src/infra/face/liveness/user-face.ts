import type { AnalysedFace } from '../../../domain/ports/face-engine.port.js';

/**
 * Raw embedding norm at which a detection reads clearly as a face: the face pipeline's own bar for a box the detector
 * was unsure of (face-pipeline.ts confirmNorm). Stand-in captures (tuning seed 35, held-out seed 43; 13,690 frames):
 * the user's face read p5 2.88, median 3.7; the other boxes (a raised hand, a blurred face on a poster behind, a
 * second box on the user's own face) read 1.6-2.45, save a few real faces behind the user and second boxes.
 */
export const CLEAR_FACE_NORM = 2.5;

/**
 * Which of a camera frame's faces is the user's, and how many people the frame shows. The user: the largest face
 * that reads clearly, or the largest at all when none does (the largest alone took a raised hand, as large as the
 * face beside it, for the user). Another person: a face that reads clearly, away from the user's (its box centre
 * outside the user's box); a blurred face far behind is not a second person answering the challenge.
 */
export function userFace(faces: readonly AnalysedFace[]): { user?: AnalysedFace; people: number } {
  const clear = faces.filter((f) => f.quality.embeddingNorm >= CLEAR_FACE_NORM);
  // faces come largest first.
  const user = clear[0] ?? faces[0];
  if (!user) return { people: 0 };
  const inside = (f: AnalysedFace) => {
    const [cx, cy] = [f.box.x + f.box.width / 2, f.box.y + f.box.height / 2];
    const b = user.box;
    return cx >= b.x && cx <= b.x + b.width && cy >= b.y && cy <= b.y + b.height;
  };
  return { user, people: 1 + clear.filter((f) => f !== user && !inside(f)).length };
}
