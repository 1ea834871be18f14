import { candidateLayouts, type FieldName, type MrzFormat, type MrzLayout } from './mrz-format.js';
import { buildReading, fieldText } from './mrz-parser.js';
import type { MrzReading } from './mrz-reading.js';
import { repairMrz, type RepairResult } from './mrz-repair.js';
import { fitLineLength, normalizeOcrLine } from './mrz-text.js';
import { voteLine } from './mrz-vote.js';

// Several engines read the same MRZ lines. Check digits protect the numbers and dates, but nothing
// protects the names, the country codes, the sex or the document code. So a reading is accepted only when
// (1) every check digit passes, (2) no other read that also passes its check digits says something else
// in the protected fields, and (3) each unprotected field is read identically by at least two engines.

export interface OcrRead {
  engine: string;
  /** One string per MRZ line, as the engine read it (any length). */
  lines: string[];
}

export interface ConsensusOptions {
  today?: Date;
  /** Engines that must agree on every field no check digit covers (default 2). */
  minAgreement?: number;
}

export type ConsensusResult =
  | { ok: true; reading: MrzReading; sources: string[]; support: Partial<Record<FieldName, string[]>> }
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

const protectedKey = (r: MrzReading): string =>
  [r.documentNumber, r.raw.birthDate, r.raw.expiryDate ?? '', r.optionalData.join('|')].join('/');

function attempt(engine: string, lines: string[], lineLength: number): Attempt | undefined {
  if (lines.length === 0) return undefined;
  const variants = lines.map((l) => fitLineLength(normalizeOcrLine(l), lineLength).slice(0, 3));
  if (variants.some((v) => v.length === 0)) return undefined;
  let first: Attempt | undefined;
  // Try a few length repairs per line; keep the first that passes, else the most plausible one.
  const combos: string[][] = [[]];
  for (const options of variants) {
    const next: string[][] = [];
    for (const prefix of combos) for (const o of options) if (next.length < 9) next.push([...prefix, o]);
    combos.splice(0, combos.length, ...next);
  }
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

/** Combines the reads of one MRZ band (all with the same line count and length) into a verdict. */
export function resolveReads(reads: readonly OcrRead[], lineLength: number, options: ConsensusOptions = {}): ConsensusResult {
  const minAgreement = options.minAgreement ?? 2;
  const attempts = reads.map((r) => attempt(r.engine, r.lines, lineLength)).filter((a): a is Attempt => a !== undefined);
  if (attempts.length >= 3) {
    // Per-position majority over all reads, each line fitted to length first.
    const lineCount = Math.max(...reads.map((r) => r.lines.length));
    const voted = Array.from({ length: lineCount }, (_, i) =>
      voteLine(reads.map((r) => fitLineLength(normalizeOcrLine(r.lines[i] ?? ''), lineLength)[0] ?? '').filter((l) => l.length === lineLength)) ?? '',
    );
    const v = attempt('vote', voted, lineLength);
    if (v) attempts.push(v);
  }
  const valid = attempts.filter((a) => a.repair.ok);
  if (valid.length === 0) {
    const best = [...attempts].sort((a, b) => a.repair.failedChecks.length - b.repair.failedChecks.length)[0];
    return {
      ok: false,
      reason: 'no-valid-read',
      ...(best ? { format: best.layout.format, failedChecks: best.repair.failedChecks } : { failedChecks: [] }),
      detail: best ? `check digits failed: ${best.repair.failedChecks.join(', ')}` : 'no MRZ-shaped text read',
    };
  }
  const build = (a: Attempt): MrzReading =>
    buildReading(a.repair.lines, a.layout, { ...(options.today ? { today: options.today } : {}), correctedFields: a.repair.correctedFields });
  const readings = valid.map((a) => ({ a, r: build(a) }));
  const keys = new Set(readings.map((x) => `${x.a.layout.format}/${protectedKey(x.r)}`));
  if (keys.size > 1) {
    return {
      ok: false,
      reason: 'conflict',
      format: valid[0]?.layout.format,
      failedChecks: [],
      detail: `reads that pass every check digit disagree (${[...new Set(valid.map((a) => a.engine))].join(', ')})`,
    };
  }
  const chosen = readings[0] as { a: Attempt; r: MrzReading };
  const layout = chosen.a.layout;
  const support: Partial<Record<FieldName, string[]>> = {};
  const unconfirmed: FieldName[] = [];
  for (const f of layout.fields) {
    if (chosen.r.verification[f.name] === 'check-digit') continue;
    const value = fieldText(chosen.a.repair.lines, f);
    const engines = new Set(
      attempts.filter((a) => a.engine !== 'vote' && a.layout.format === layout.format && fieldText(a.repair.lines, f) === value).map((a) => a.engine),
    );
    support[f.name] = [...engines];
    if (engines.size < minAgreement) unconfirmed.push(f.name);
  }
  if (unconfirmed.length > 0) {
    return {
      ok: false,
      reason: 'unconfirmed',
      format: layout.format,
      failedChecks: [],
      unconfirmed,
      detail: `check digits pass but ${unconfirmed.join(', ')} not read alike by ${minAgreement} engines`,
    };
  }
  return { ok: true, reading: chosen.r, sources: [...new Set(valid.map((a) => a.engine))], support };
}
