import { alignTo } from './mrz-align.js';
import { candidateLayouts, positionClasses, type FieldName, type MrzFormat, type MrzLayout, type PositionClass } from './mrz-format.js';
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
}

export interface ConsensusOptions {
  today?: Date;
  /** Engines that must agree on every character no check digit covers (default 2). */
  minAgreement?: number;
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
}

/** The check-digit-covered content of a reading; two passing reads that differ here cannot both be right. */
function protectedKey(a: Attempt): string {
  const covered = a.layout.fields.filter(
    (f) => f.kind !== 'name' && a.layout.checks.some((c) => c.covers.some((s) => s.line === f.line && s.start <= f.start && s.end >= f.end)),
  );
  return [a.layout.format, ...covered.map((f) => fieldText(a.repair.lines, f))].join('/');
}

function attempt(engine: string, lines: readonly string[], lineLength: number): Attempt | undefined {
  if (lines.length === 0) return undefined;
  const variants = lines.map((l) => fitLineLength(normalizeOcrLine(l), lineLength).slice(0, 3));
  if (variants.some((v) => v.length === 0)) return undefined;
  let combos: string[][] = [[]];
  for (const options of variants) combos = combos.flatMap((prefix) => options.map((o) => [...prefix, o])).slice(0, 9);
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

/** Every read aligned to reference lines: per line and position, the character it read there (class-fixed). */
function alignReads(reads: readonly OcrRead[], reference: string[], layout: MrzLayout): { engine: string; ghosts: string; at: string[][] }[] {
  const classes = positionClasses(layout);
  return reads.map((r) => ({
    engine: r.engine,
    ghosts: r.fillerGhosts ?? '',
    at: reference.map((ref, li) => {
      const raw = normalizeOcrLine(r.lines[li] ?? '');
      const map = alignTo(ref, raw);
      return [...ref].map((_, pos) => {
        const k = map[pos] ?? -1;
        return k < 0 ? '' : coerce(raw[k] as string, (classes[li] as PositionClass[])[pos] as PositionClass);
      });
    }),
  }));
}

/** Combines the reads of one MRZ band (same line count, lines of `lineLength` characters) into a verdict. */
export function resolveReads(reads: readonly OcrRead[], lineLength: number, options: ConsensusOptions = {}): ConsensusResult {
  const minAgreement = options.minAgreement ?? 2;
  const attempts = reads.map((r) => attempt(r.engine, r.lines, lineLength)).filter((a): a is Attempt => a !== undefined);
  const reference = attempts[0];
  if (!reference) return { ok: false, reason: 'no-valid-read', failedChecks: [], detail: 'no MRZ-shaped text read' };

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
    const best = [...attempts].sort((a, b) => a.repair.failedChecks.length - b.repair.failedChecks.length)[0] as Attempt;
    return {
      ok: false,
      reason: 'no-valid-read',
      format: best.layout.format,
      failedChecks: best.repair.failedChecks,
      detail: `check digits failed: ${best.repair.failedChecks.join(', ')}`,
    };
  }
  if (new Set(valid.map(protectedKey)).size > 1) {
    return {
      ok: false,
      reason: 'conflict',
      format: valid[0]?.layout.format,
      failedChecks: [],
      detail: `reads that pass every check digit disagree (${[...new Set(valid.map((a) => a.engine))].join(', ')})`,
    };
  }

  // Among equally valid reads, the one whose unprotected characters have the widest support wins.
  let best: { a: Attempt; unconfirmed: FieldName[] } | undefined;
  for (const a of valid) {
    const unconfirmed = unconfirmedFields(a, reads, minAgreement);
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
  return { ok: true, reading, sources: [...new Set(valid.map((a) => a.engine))] };
}

function unconfirmedFields(a: Attempt, reads: readonly OcrRead[], minAgreement: number): FieldName[] {
  const lines = a.repair.lines;
  const aligned = alignReads(reads, lines, a.layout);
  const checks = a.layout.checks;
  const out: FieldName[] = [];
  for (const f of a.layout.fields) {
    const covered = checks.some((c) => c.covers.some((s) => s.line === f.line && s.start <= f.start && s.end >= f.end));
    // Names need a second reading even under a composite (the French card): one composite digit over
    // 70 characters is weak evidence for free text.
    if (covered && f.kind !== 'name') continue;
    const line = lines[f.line] as string;
    for (let pos = f.start; pos < f.end; pos++) {
      const want = line[pos] as string;
      const backers = aligned.filter((r) => {
        const got = (r.at[f.line] as string[])[pos] as string;
        return got === want || (want === '<' && got !== '' && r.ghosts.includes(got));
      }).length;
      if (backers < minAgreement) {
        out.push(f.name);
        break;
      }
    }
  }
  return out;
}
