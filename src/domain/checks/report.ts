import type { Box } from '../ports/face-engine.port.js';
import type { BreakdownItem, Recommendation, Report } from '../sessions/session.types.js';

// Small builders so every check renders the Yoti report shape the same way (detail values are strings).

export type Details = Record<string, string | number | undefined>;

export function subCheck(sub_check: string, pass: boolean, details: Details = {}): BreakdownItem {
  return {
    sub_check,
    result: pass ? 'PASS' : 'FAIL',
    process: 'AUTOMATED',
    details: Object.entries(details)
      .filter(([, v]) => v !== undefined)
      .map(([name, value]) => ({ name, value: typeof value === 'number' ? formatScore(value) : String(value) })),
  };
}

/** Scores leave the server with two decimals: fine-grained scores help reconstruct faces from a black box. */
export function formatScore(value: number): string {
  return (Math.round(value * 100) / 100).toFixed(2);
}

export function report(recommendation: Recommendation, breakdown: BreakdownItem[]): Report {
  return { recommendation, breakdown };
}

export const approve = (): Recommendation => ({ value: 'APPROVE' });
export const reject = (reason?: string): Recommendation => (reason ? { value: 'REJECT', reason } : { value: 'REJECT' });
export const notAvailable = (reason: string): Recommendation => ({ value: 'NOT_AVAILABLE', reason });

const boxText = (b: Box) => [b.x, b.y, b.width, b.height].map((v) => Math.round(v)).join(',');

/**
 * openidv extension details (name/value strings, which the SDKs parse like any detail) when the image held several
 * faces and its main one was used: that face's box and the others' ("x,y,width,height" in pixels, ";"-separated).
 */
export function faceSelectionDetails(used: Box, others: Box[], usedName: string): Details {
  return {
    [`${usedName}_box`]: boxText(used),
    other_faces_count: String(others.length),
    other_face_boxes: others.map(boxText).join(';'),
  };
}
