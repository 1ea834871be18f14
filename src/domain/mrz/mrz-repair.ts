import { CLASS_CHARS, type MrzLayout, type PositionClass } from './mrz-format.js';
import type { CorrectedPart } from './mrz-reading.js';
import { positionClasses } from './mrz-format.js';
import { cleanNameField } from './mrz-names.js';
import { evaluateChecks, resolveChecks } from './mrz-parser.js';

// Glyph pairs generic OCR confuses in OCR-B. Only these are ever swapped, so a repair can turn an O into a 0
// but never a 3 into an 8: digit-for-digit guesses are exactly what a mod-10 check digit cannot catch.
const TO_DIGIT: Readonly<Record<string, string>> = {
  O: '0',
  Q: '0',
  D: '0',
  U: '0',
  C: '0',
  I: '1',
  L: '1',
  T: '1',
  J: '1',
  Z: '2',
  B: '8',
  E: '8',
  S: '5',
  G: '6',
  A: '4',
};
const TO_LETTER: Readonly<Record<string, string>> = {
  '0': 'O',
  '1': 'I',
  '2': 'Z',
  '4': 'A',
  '5': 'S',
  '6': 'G',
  '8': 'B',
};
const SEX: Readonly<Record<string, string>> = {
  M: 'M',
  F: 'F',
  X: 'X',
  '<': '<',
  H: 'M',
  N: 'M',
  P: 'F',
  E: 'F',
  K: '<',
};
const ALNUM_SWAPS: Readonly<Record<string, string>> = {
  O: '0',
  '0': 'O',
  Q: '0',
  D: '0',
  I: '1',
  '1': 'I',
  B: '8',
  '8': 'B',
  S: '5',
  '5': 'S',
  Z: '2',
  '2': 'Z',
  G: '6',
  '6': 'G',
};

export interface RepairResult {
  lines: string[];
  correctedFields: CorrectedPart[];
  /** Characters changed by check-digit-guided swaps (the risky kind of correction). */
  guidedSwaps: number;
  /** Characters changed because the position only admits digits or only letters (safe). */
  classFixes: number;
  ok: boolean;
  failedChecks: string[];
}

function fieldAt(layout: MrzLayout, line: number, pos: number): CorrectedPart | undefined {
  if (layout.checks.some((c) => c.line === line && c.pos === pos)) return 'checkDigits';
  return layout.fields.find((f) => f.line === line && pos >= f.start && pos < f.end)?.name;
}

/** The character `ch` becomes at a position of class `cls` (O->0 where only digits may stand, ...). */
export function coerce(ch: string, cls: PositionClass): string {
  switch (cls) {
    case 'digit':
      return ch === '<' ? ch : (TO_DIGIT[ch] ?? ch);
    case 'check':
      return ch === '<' ? ch : (TO_DIGIT[ch] ?? ch);
    case 'letter':
    case 'name':
      return TO_LETTER[ch] ?? ch;
    case 'sex':
      return SEX[ch] ?? ch;
    default:
      return ch;
  }
}

/** Applies class fixes: digits where only digits may stand, letters where only letters may. */
function classFix(
  lines: string[],
  layout: MrzLayout,
  corrected: Set<CorrectedPart>,
): { lines: string[]; fixes: number } {
  const classes = positionClasses(layout);
  let fixes = 0;
  const out = lines.map((line, li) =>
    [...line]
      .map((ch, pos) => {
        const fixed = coerce(ch, (classes[li] as PositionClass[])[pos] as PositionClass);
        if (fixed !== ch) {
          fixes++;
          const f = fieldAt(layout, li, pos);
          if (f) corrected.add(f);
        }
        return fixed;
      })
      .join(''),
  );
  for (const f of layout.fields) {
    if (f.kind !== 'name') continue;
    const line = out[f.line] as string;
    const cleaned = cleanNameField(line.slice(f.start, f.end));
    if (cleaned !== line.slice(f.start, f.end)) corrected.add(f.name);
    out[f.line] = line.slice(0, f.start) + cleaned + line.slice(f.end);
  }
  return { lines: out, fixes };
}

function replaceAt(lines: string[], line: number, pos: number, ch: string): string[] {
  const copy = [...lines];
  const l = copy[line] as string;
  copy[line] = l.slice(0, pos) + ch + l.slice(pos + 1);
  return copy;
}

/**
 * Finds the unique smallest set (1, then 2) of confusable swaps inside `positions` that makes `passes` true.
 * Returns undefined when none or more than one variant of that size works: an ambiguous repair is refused.
 */
function guidedSwap(
  lines: string[],
  positions: { line: number; pos: number }[],
  passes: (l: string[]) => boolean,
  maxSwaps: number,
): string[] | undefined {
  const swappable = positions.filter((p) => ALNUM_SWAPS[(lines[p.line] as string)[p.pos] as string] !== undefined);
  const swapOne = (l: string[], p: { line: number; pos: number }): string[] =>
    replaceAt(l, p.line, p.pos, ALNUM_SWAPS[(l[p.line] as string)[p.pos] as string] as string);
  const found1 = swappable.map((p) => swapOne(lines, p)).filter(passes);
  if (found1.length === 1) return found1[0];
  if (found1.length > 1 || maxSwaps < 2) return undefined;
  const found2: string[][] = [];
  for (let i = 0; i < swappable.length; i++) {
    for (let j = i + 1; j < swappable.length; j++) {
      const v = swapOne(
        swapOne(lines, swappable[i] as { line: number; pos: number }),
        swappable[j] as { line: number; pos: number },
      );
      if (passes(v)) found2.push(v);
    }
  }
  return found2.length === 1 ? found2[0] : undefined;
}

export interface RepairOptions {
  /**
   * Check-digit-guided swaps allowed per field; default 0. A swap that makes a check digit pass is only
   * evidence when nothing else could: with 10 possible check values a random wrong variant passes 1 time in
   * 10, and in TD1/TD3 the composite weights line up with the document and personal number fields, so the
   * composite cannot catch it either (measured in mrz-decoder.test.ts). The reader only turns this on for
   * characters the recogniser itself was unsure about.
   */
  maxGuidedSwaps?: number;
}

/**
 * Repairs OCR lines of the right length against a layout. Never invents a character: it only moves
 * characters between confusable glyph classes, and only when a check digit demands it unambiguously.
 */
export function repairMrz(input: readonly string[], layout: MrzLayout, options: RepairOptions = {}): RepairResult {
  const maxSwaps = options.maxGuidedSwaps ?? 0;
  const corrected = new Set<CorrectedPart>();
  const { lines: fixedLines, fixes } = classFix([...input], layout, corrected);
  let lines = fixedLines;
  let guidedSwaps = 0;

  const checkOk = (l: string[], name: string): boolean =>
    evaluateChecks(l, layout).find((c) => c.name === name)?.ok ?? false;

  // Own check digits of alphanumeric fields first (document number, personal number), then the composite
  // for the optional data that only the composite covers.
  for (const resolved of resolveChecks(lines, layout)) {
    const { def } = resolved;
    if (def.name === 'composite' || checkOk(lines, def.name)) continue;
    const alnumCovered = def.covers.flatMap((s) => {
      const kinds = layout.fields.filter(
        (f) => f.line === s.line && f.start >= s.start && f.end <= s.end && f.kind === 'alnum',
      );
      return kinds.flatMap((f) =>
        Array.from({ length: f.end - f.start }, (_, k) => ({ line: f.line, pos: f.start + k })),
      );
    });
    const extra = resolved.overflow
      ? Array.from({ length: resolved.overflow.extension.length }, (_, k) => ({
          line: resolved.overflow!.segment.line,
          pos: resolved.overflow!.segment.start + k,
        }))
      : [];
    if (maxSwaps === 0) continue;
    const repaired = guidedSwap(lines, [...alnumCovered, ...extra], (l) => checkOk(l, def.name), maxSwaps);
    if (repaired) {
      guidedSwaps += diffCount(lines, repaired);
      markDiff(lines, repaired, layout, corrected);
      lines = repaired;
    }
  }
  const composite = layout.checks.find((c) => c.name === 'composite');
  if (
    maxSwaps > 0 &&
    composite &&
    !checkOk(lines, 'composite') &&
    evaluateChecks(lines, layout).filter((c) => !c.ok).length === 1
  ) {
    // Only fields without a check digit of their own: anything else would break its own check.
    const onlyComposite = layout.fields.filter(
      (f) =>
        f.kind === 'alnum' &&
        !layout.checks.some(
          (c) =>
            c.name !== 'composite' && c.covers.some((s) => s.line === f.line && s.start <= f.start && s.end >= f.end),
        ),
    );
    const positions = onlyComposite.flatMap((f) =>
      Array.from({ length: f.end - f.start }, (_, k) => ({ line: f.line, pos: f.start + k })),
    );
    const repaired = guidedSwap(lines, positions, (l) => evaluateChecks(l, layout).every((c) => c.ok), 1);
    if (repaired) {
      guidedSwaps += diffCount(lines, repaired);
      markDiff(lines, repaired, layout, corrected);
      lines = repaired;
    }
  }
  const results = evaluateChecks(lines, layout);
  const misfits = formatMisfits(lines, layout);
  return {
    lines,
    correctedFields: [...corrected],
    guidedSwaps,
    classFixes: fixes,
    ok: results.every((c) => c.ok) && misfits.length === 0,
    failedChecks: [...results.filter((c) => !c.ok).map((c) => c.name), ...misfits],
  };
}

/** Fields holding a character their class forbids even after the class fixes (e.g. sex 'Q'). */
function formatMisfits(lines: string[], layout: MrzLayout): string[] {
  const classes = positionClasses(layout);
  const bad = new Set<string>();
  lines.forEach((line, li) => {
    for (let pos = 0; pos < line.length; pos++) {
      const cls = (classes[li] as PositionClass[])[pos] as PositionClass;
      if (!CLASS_CHARS[cls].test(line[pos] as string)) bad.add(`format:${fieldAt(layout, li, pos) ?? 'line'}`);
    }
  });
  return [...bad];
}

function diffCount(a: string[], b: string[]): number {
  let n = 0;
  a.forEach((l, i) => {
    for (let k = 0; k < l.length; k++) if (l[k] !== (b[i] as string)[k]) n++;
  });
  return n;
}

function markDiff(a: string[], b: string[], layout: MrzLayout, corrected: Set<CorrectedPart>): void {
  a.forEach((l, i) => {
    for (let k = 0; k < l.length; k++) {
      if (l[k] === (b[i] as string)[k]) continue;
      const f = fieldAt(layout, i, k);
      if (f) corrected.add(f);
    }
  });
}
