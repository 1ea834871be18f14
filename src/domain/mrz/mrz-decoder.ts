import { candidateLayouts, type MrzFormat, type MrzLayout } from './mrz-format.js';
import { buildReading, evaluateChecks } from './mrz-parser.js';
import type { MrzReading } from './mrz-reading.js';
import { repairMrz, type RepairResult } from './mrz-repair.js';
import { fitLineLength, normalizeOcrLine } from './mrz-text.js';

export interface DecodeOptions {
  today?: Date;
  maxGuidedSwaps?: number;
}

export type DecodeResult =
  | { ok: true; reading: MrzReading; repair: RepairResult }
  | {
      ok: false;
      /** Best guess of the layout when lines of an MRZ shape were seen (the check digits then failed). */
      format?: MrzFormat;
      failedChecks: string[];
      lines?: string[];
    };

const MAX_VARIANTS = 24;

function cartesian<T>(lists: T[][], cap: number): T[][] {
  let acc: T[][] = [[]];
  for (const list of lists) {
    const next: T[][] = [];
    for (const prefix of acc) for (const item of list) if (next.length < cap) next.push([...prefix, item]);
    acc = next;
  }
  return acc;
}

function targetLengths(lines: string[]): number[] {
  if (lines.length === 3) return [30];
  const mean = lines.reduce((s, l) => s + l.length, 0) / lines.length;
  return [36, 44].sort((a, b) => Math.abs(a - mean) - Math.abs(b - mean)).filter((t) => Math.abs(t - mean) <= 6);
}

/** Protected content of a reading; two accepted readings that differ here make the input ambiguous. */
function protectedKey(r: MrzReading): string {
  return [r.format, r.documentNumber, r.raw.birthDate, r.raw.expiryDate, r.optionalData.join('|')].join('/');
}

/**
 * Decodes one OCR pass (its text lines, in reading order) into a verified reading, or explains why not.
 * Tries every 2- and 3-line window of MRZ-looking lines, every layout those lengths allow and a few
 * length repairs; accepts only lines whose every check digit passes, with the fewest corrections, and
 * refuses when equally cheap repairs disagree on a protected field.
 */
export function decodeMrzLines(rawLines: readonly string[], options: DecodeOptions = {}): DecodeResult {
  const lines = rawLines.map(normalizeOcrLine).filter((l) => l.length >= 20);
  const accepted: { reading: MrzReading; repair: RepairResult; cost: number }[] = [];
  let bestFailure: { format: MrzFormat; failedChecks: string[]; lines: string[] } | undefined;

  for (const count of [3, 2]) {
    // Bottom-most windows first: the MRZ is at the bottom of the data page.
    for (let start = lines.length - count; start >= 0; start--) {
      const window = lines.slice(start, start + count);
      for (const length of targetLengths(window)) {
        if (count === 3 && Math.abs(window.reduce((s, l) => s + l.length, 0) / 3 - 30) > 6) continue;
        const variants = cartesian(
          window.map((l) => fitLineLength(l, length)),
          MAX_VARIANTS,
        );
        for (const variant of variants) {
          for (const layout of candidateLayouts(count, length, variant[0] ?? '')) {
            tryLayout(variant, layout);
          }
        }
      }
    }
  }

  function tryLayout(variant: string[], layout: MrzLayout): void {
    const repair = repairMrz(variant, layout, { maxGuidedSwaps: options.maxGuidedSwaps });
    if (repair.ok) {
      const reading = buildReading(repair.lines, layout, {
        ...(options.today ? { today: options.today } : {}),
        correctedFields: repair.correctedFields,
      });
      accepted.push({ reading, repair, cost: repair.guidedSwaps * 10 + repair.classFixes });
      return;
    }
    const failed = evaluateChecks(repair.lines, layout)
      .filter((c) => !c.ok)
      .map((c) => c.name);
    if (!bestFailure || failed.length < bestFailure.failedChecks.length) {
      bestFailure = { format: layout.format, failedChecks: failed, lines: repair.lines };
    }
  }

  if (accepted.length > 0) {
    accepted.sort((a, b) => a.cost - b.cost);
    const best = accepted[0] as (typeof accepted)[number];
    const rivals = accepted.filter(
      (a) => a.cost === best.cost && protectedKey(a.reading) !== protectedKey(best.reading),
    );
    if (rivals.length === 0) return { ok: true, reading: best.reading, repair: best.repair };
    return { ok: false, format: best.reading.format, failedChecks: ['ambiguous'], lines: best.reading.lines };
  }
  return bestFailure ? { ok: false, ...bestFailure } : { ok: false, failedChecks: [] };
}
