import { alignTo } from './mrz-align.js';
import {
  candidateLayouts,
  positionClasses,
  type FieldName,
  type MrzFormat,
  type MrzLayout,
  type PositionClass,
} from './mrz-format.js';
import { buildReading, fieldText } from './mrz-parser.js';
import type { MrzReading } from './mrz-reading.js';
import { coerce, repairMrz, type RepairResult } from './mrz-repair.js';
import { fitLineLength, normalizeOcrLine } from './mrz-text.js';

// Several engines read the same MRZ lines. Check digits protect the numbers and dates, but nothing
// protects the names, the country codes, the sex or the document code. So a reading is accepted only when
// (1) every check digit passes, (2) no other read that also passes its check digits says something else
// in the protected fields, and (3) every character of every unprotected field is read alike by at least
// two engines, reads being aligned character by character so that one spurious character does not shift
// the rest of the line.

export interface OcrRead {
  engine: string;
  /** One string per MRZ line, as the engine read it (any length). */
  lines: string[];
  /**
   * Letters this engine is known to print for the OCR-B filler '<' (tesseract's LSTM eng model reads it as
   * K, C, L, E, X or S: notes/ocr-mrz.md §3). Where the accepted character is '<', such a letter counts as
   * a read of '<'; anywhere else it counts as itself.
   */
  fillerGhosts?: string;
  /** Per line, other readings the engine found plausible (another cell grid), best first. */
  alternatives?: string[][];
  /** Engines of one model family count as one when agreement is counted (OcrEngine.modelFamily). */
  family?: string;
  /** Per line, the engine's probability for each character of `lines` (the OCR-B reader gives them). */
  confidence?: number[][];
}

export interface ConsensusOptions {
  today?: Date;
  /** Engines that must read each character alike (default 2). */
  minAgreement?: number;
  /**
   * Whether characters covered by check digits must be read alike by `minAgreement` engines as well
   * (default true). Check digits are mod 10: a letter read as a digit 10 or 20 values away (G/6, S/8, L/1)
   * passes them, and so does about one garbled document number in ten from a generic OCR model (measured:
   * tesseract LSTM reads of OCR-B O/D/0/S/5/8 runs), so a second reader is asked to agree everywhere.
   */
  confirmProtected?: boolean;
}

export type ConsensusResult =
  | { ok: true; reading: MrzReading; sources: string[] }
  | {
      ok: false;
      reason: 'no-valid-read' | 'conflict' | 'unconfirmed';
      format?: MrzFormat;
      failedChecks: string[];
      unconfirmed?: FieldName[];
      detail: string;
    };

interface Attempt {
  engine: string;
  layout: MrzLayout;
  repair: RepairResult;
  /** The engine's filler ghosts (see OcrRead.fillerGhosts). */
  ghosts?: string;
  /** The engine's model family (see OcrRead.family). */
  family?: string;
}

/** Engines without a declared model family are a family of their own. */
const familyOf = (r: { engine: string; family?: string }): string => r.family ?? r.engine;

/** The check-digit-covered content of a reading; two passing reads that differ here cannot both be right. */
function protectedKey(a: Attempt): string {
  const covered = a.layout.fields.filter(
    (f) =>
      f.kind !== 'name' &&
      a.layout.checks.some((c) => c.covers.some((s) => s.line === f.line && s.start <= f.start && s.end >= f.end)),
  );
  return [a.layout.format, ...covered.map((f) => fieldText(a.repair.lines, f))].join('/');
}

function attempt(
  engine: string,
  lines: readonly string[],
  lineLength: number,
  alternatives: readonly (readonly string[])[] = [],
): Attempt | undefined {
  if (lines.length === 0) return undefined;
  // Per line: the reading, then its alternatives, each fitted to the length in up to 3 ways.
  const variants = lines.map((l, i) =>
    [
      ...new Set(
        [l, ...(alternatives[i] ?? [])].flatMap((t) => fitLineLength(normalizeOcrLine(t), lineLength).slice(0, 3)),
      ),
    ].slice(0, 6),
  );
  if (variants.some((v) => v.length === 0)) return undefined;
  let combos: string[][] = [[]];
  for (const options of variants) combos = combos.flatMap((prefix) => options.map((o) => [...prefix, o])).slice(0, 36);
  let first: Attempt | undefined;
  for (const combo of combos) {
    for (const layout of candidateLayouts(combo.length, lineLength, combo[0] ?? '')) {
      const repair = repairMrz(combo, layout);
      const a = { engine, layout, repair };
      if (repair.ok) return a;
      first ??= a;
    }
  }
  return first;
}

/**
 * Every read aligned to reference lines: per line and position, the character it read there (class-fixed),
 * and the engine's probability for it (1 where the engine gives none).
 */
function alignReads(
  reads: readonly OcrRead[],
  reference: string[],
  layout: MrzLayout,
): { engine: string; family: string; ghosts: string; at: string[][]; conf: number[][] }[] {
  const classes = positionClasses(layout);
  return reads.map((r) => {
    const at: string[][] = [];
    const conf: number[][] = [];
    reference.forEach((ref, li) => {
      const line = r.lines[li] ?? '';
      const raw = normalizeOcrLine(line);
      const map = alignTo(ref, raw);
      // Probabilities index the engine's own text; normalising must have left it as it was.
      const probs = raw === line ? r.confidence?.[li] : undefined;
      at.push(
        [...ref].map((_, pos) => {
          const k = map[pos] ?? -1;
          return k < 0 ? '' : coerce(raw[k] as string, (classes[li] as PositionClass[])[pos] as PositionClass);
        }),
      );
      conf.push([...ref].map((_, pos) => probs?.[map[pos] ?? -1] ?? 1));
    });
    return { engine: r.engine, family: familyOf(r), ghosts: r.fillerGhosts ?? '', at, conf };
  });
}

/** Combines the reads of one MRZ band (same line count, lines of `lineLength` characters) into a verdict. */
export function resolveReads(
  reads: readonly OcrRead[],
  lineLength: number,
  options: ConsensusOptions = {},
): ConsensusResult {
  const minAgreement = options.minAgreement ?? 2;
  const attempts = reads
    .map((r): Attempt | undefined => {
      const a = attempt(r.engine, r.lines, lineLength, r.alternatives);
      return a && { ...a, family: familyOf(r), ...(r.fillerGhosts ? { ghosts: r.fillerGhosts } : {}) };
    })
    .filter((a): a is Attempt => a !== undefined);
  const reference = attempts[0];
  if (!reference) return { ok: false, reason: 'no-valid-read', failedChecks: [], detail: 'no MRZ-shaped text read' };
  // Agreement between engines (this vote, the majority variants, the confirmations) is judged on what each
  // read with its best grid, never on the alternative grid or fitted length an attempt used to pass: an
  // alternative picked because the best grid broke the format of an unprotected field (a 9 in a country
  // code) is no evidence for that field's letters. Measured: a Dutch P<NLD, photo at 75 %, accepted as
  // P<NLO through the OCR-B reader's second grid.
  // A per-position vote, on the first read's grid: fixes characters no single engine got all right.
  const aligned = alignReads(reads, reference.repair.lines, reference.layout);
  if (reads.length >= 3) {
    const voted = reference.repair.lines.map((line, li) =>
      [...line]
        .map((own, pos) => {
          const counts = new Map<string, number>();
          for (const a of aligned) {
            const ch = (a.at[li] as string[])[pos] as string;
            if (ch) counts.set(ch, (counts.get(ch) ?? 0) + 1);
          }
          let best = own;
          for (const [ch, n] of counts) if (n > (counts.get(best) ?? 0)) best = ch;
          return best;
        })
        .join(''),
    );
    const v = attempt('vote', voted, lineLength);
    if (v) attempts.push(v);
  }

  const valid = attempts.filter((a) => a.repair.ok);
  if (valid.length === 0) {
    const best = [...attempts].sort(
      (a, b) => a.repair.failedChecks.length - b.repair.failedChecks.length,
    )[0] as Attempt;
    return {
      ok: false,
      reason: 'no-valid-read',
      format: best.layout.format,
      failedChecks: best.repair.failedChecks,
      detail: `check digits failed: ${best.repair.failedChecks.join(', ')}`,
    };
  }
  // Reads that pass every check digit yet differ in protected content: at most one can be right. A key
  // read by at least two engines and by twice as many as any rival wins; otherwise nothing is accepted.
  const byKey = new Map<string, Set<string>>();
  for (const a of valid) {
    const k = protectedKey(a);
    if (!byKey.has(k)) byKey.set(k, new Set());
    if (a.engine !== 'vote') byKey.get(k)?.add(familyOf(a));
  }
  let candidates = valid;
  // Valid reads that differ only between glyph-alike characters (O/0, I/1, B/8, S/5, Z/2, or an LSTM
  // engine's ghost letter for a filler) disagree about
  // which of two near-identical OCR-B shapes stands at a position, not about what is printed where. The
  // first engine in preference order (the OCR-B reader, trained on exactly these shapes) settles it; any
  // single such swap would have failed its check digit, since every pair differs by a value mod 10 catches.
  if (byKey.size > 1 && new Set(valid.map(shapeKey)).size === 1) {
    const first = valid.find((a) => a.engine !== 'vote') as Attempt;
    candidates = valid.filter((a) => protectedKey(a) === protectedKey(first));
    byKey.clear();
  }
  if (byKey.size > 1) {
    const ranked = [...byKey.entries()].sort((x, y) => y[1].size - x[1].size);
    const [top, second] = [ranked[0], ranked[1]] as [[string, Set<string>], [string, Set<string>]];
    if (top[1].size < 2 || top[1].size < 2 * second[1].size) {
      return {
        ok: false,
        reason: 'conflict',
        format: valid[0]?.layout.format,
        failedChecks: [],
        detail: `reads that pass every check digit disagree (${[...new Set(valid.map((a) => a.engine))].join(', ')})`,
      };
    }
    candidates = valid.filter((a) => protectedKey(a) === top[0]);
  }
  // Each valid read also offers a variant whose unprotected characters are the per-position majority of all
  // engines (its protected characters, and so its check digits, unchanged).
  for (const a of [...candidates]) {
    const m = majorityVariant(a, reads);
    if (m) candidates.push(m);
  }

  // Among equally valid reads, the one whose unprotected characters have the widest support wins.
  let best: { a: Attempt; unconfirmed: FieldName[] } | undefined;
  for (const a of candidates) {
    const unconfirmed = unconfirmedFields(a, reads, minAgreement, options.confirmProtected ?? true);
    if (!best || unconfirmed.length < best.unconfirmed.length) best = { a, unconfirmed };
    if (unconfirmed.length === 0) break;
  }
  const chosen = best as { a: Attempt; unconfirmed: FieldName[] };
  if (chosen.unconfirmed.length > 0) {
    return {
      ok: false,
      reason: 'unconfirmed',
      format: chosen.a.layout.format,
      failedChecks: [],
      unconfirmed: chosen.unconfirmed,
      detail: `check digits pass but no ${minAgreement} engines read every character of ${chosen.unconfirmed.join(', ')} alike`,
    };
  }
  const reading = buildReading(chosen.a.repair.lines, chosen.a.layout, {
    ...(options.today ? { today: options.today } : {}),
    correctedFields: chosen.a.repair.correctedFields,
  });
  return {
    ok: true,
    reading,
    sources: [...new Set(candidates.filter((a) => protectedKey(a) === protectedKey(chosen.a)).map((a) => a.engine))],
  };
}

// Glyph-alike characters whose MRZ values differ by an amount a mod-10 check digit always detects (so
// not G/6 or L/1: 10 and 20 apart). Where a check digit covers a field, a second engine reading another
// member of the class still confirms the glyph's position and shape; the check digit settles which it is.
const SAME_SHAPE = ['O0DQ', '1I', '8B', '5S', '2Z'];
/**
 * Below this probability the first engine's reading of an unprotected character is doubt, not a reading.
 * 0.6, 0.7 and 0.8 cost no correct reading on the specimens; 0.7 is the middle (docs/benchmarks.md).
 */
const UNSURE = 0.7;
const sameShape = (a: string, b: string): boolean => a === b || SAME_SHAPE.some((c) => c.includes(a) && c.includes(b));

/**
 * protectedKey with each glyph-alike class collapsed to one character, and an engine's filler ghosts read
 * as fillers: K is 20, a multiple of 10, so a ghost K in an empty personal-number field passes the check
 * digit and must not count as a rival reading of that field.
 */
function shapeKey(a: Attempt): string {
  return [...protectedKey(a)]
    .map((c) => (a.ghosts?.includes(c) ? '<' : (SAME_SHAPE.find((g) => g.includes(c))?.[0] ?? c)))
    .join('');
}

function isCovered(layout: MrzLayout, f: { line: number; start: number; end: number }): boolean {
  return layout.checks.some((c) => c.covers.some((s) => s.line === f.line && s.start <= f.start && s.end >= f.end));
}

function majorityVariant(a: Attempt, reads: readonly OcrRead[]): Attempt | undefined {
  const aligned = alignReads(reads, a.repair.lines, a.layout);
  const lines = a.repair.lines.map((line, li) => {
    const chars = [...line];
    for (const f of a.layout.fields) {
      if (f.line !== li || isCovered(a.layout, f)) continue;
      for (let pos = f.start; pos < f.end; pos++) {
        const counts = new Map<string, number>();
        for (const r of aligned) {
          let ch = (r.at[li] as string[])[pos] as string;
          if (ch && r.ghosts.includes(ch) && chars[pos] === '<') ch = '<';
          if (ch) counts.set(ch, (counts.get(ch) ?? 0) + 1);
        }
        let best = chars[pos] as string;
        for (const [ch, n] of counts) if (n > (counts.get(best) ?? 0)) best = ch;
        chars[pos] = best;
      }
    }
    return chars.join('');
  });
  if (lines.every((l, i) => l === a.repair.lines[i])) return undefined;
  const repair = repairMrz(lines, a.layout);
  if (!repair.ok) return undefined;
  return {
    engine: 'vote',
    layout: a.layout,
    repair: { ...repair, correctedFields: [...new Set([...a.repair.correctedFields, ...repair.correctedFields])] },
  };
}

function unconfirmedFields(
  a: Attempt,
  reads: readonly OcrRead[],
  minAgreement: number,
  confirmProtected: boolean,
): FieldName[] {
  const lines = a.repair.lines;
  const aligned = alignReads(reads, lines, a.layout);
  const out: FieldName[] = [];
  for (const f of a.layout.fields) {
    // Names need a second reading even under a composite (the French card): one composite digit over
    // 70 characters is weak evidence for free text.
    if (!confirmProtected && isCovered(a.layout, f) && f.kind !== 'name') continue;
    const line = lines[f.line] as string;
    const protectedField = isCovered(a.layout, f) && f.kind !== 'name';
    for (let pos = f.start; pos < f.end; pos++) {
      const want = line[pos] as string;
      if (want === undefined) continue;
      const backing = aligned.filter((r) => {
        const got = (r.at[f.line] as string[])[pos] as string;
        if (got === want || (want === '<' && got !== '' && r.ghosts.includes(got))) return true;
        return protectedField && got !== '' && sameShape(want, got);
      });
      const backers = new Set(backing.map((r) => r.family)).size;
      // Where no check digit can settle a glyph-alike pair (O/0, I/1, D/O, ...), the first engine in
      // preference order, the OCR-B reader, is the one trained on those shapes: if it saw the other member
      // of the pair, two tesseract reads agreeing against it do not confirm the character (their errors
      // are alike; measured: a US visa's optional data 'I' accepted as '1').
      const first = (aligned[0]?.at[f.line] as string[] | undefined)?.[pos] ?? '';
      // And where that reader is unsure of the glyph (its probability below UNSURE), nothing confirms it:
      // measured, a Dutch P<NLD whose D the OCR-B reader read as 0 (p 0.54, runner-up 5) and both tesseract
      // models as O was accepted as P<NLO once the working image was 800 px wide instead of 1000.
      const unsure = !protectedField && ((aligned[0]?.conf[f.line] as number[] | undefined)?.[pos] ?? 1) < UNSURE;
      const vetoed = unsure || (!protectedField && first !== '' && first !== want && sameShape(want, first));
      if (backers < minAgreement || vetoed) {
        out.push(f.name);
        break;
      }
    }
  }
  return out;
}
