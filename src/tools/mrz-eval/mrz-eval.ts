import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { candidateLayouts } from '../../domain/mrz/mrz-format.js';
import { allChecksPass, buildReading } from '../../domain/mrz/mrz-parser.js';
import type { MrzReading } from '../../domain/mrz/mrz-reading.js';
import type { OcrEngine } from '../../domain/ports/ocr-engine.port.js';
import { readDocument, type ReadDocumentOptions } from '../../infra/mrz/mrz-reader.js';

// Scores the MRZ reader against a folder laid out like ../shared/data/mrz-*: images anywhere below it and a
// ground_truth.json mapping relative paths to {mrz: [lines] | null | "UNKNOWN"}. The number that matters
// most is acceptedWrong: readings returned as verified that differ from the truth.

/**
 * CPU time of this process (all threads, tesseract.js workers included) plus its finished children (the
 * tesseract command), in ms. Wall-clock time on a shared 2-core machine mostly measures the neighbours;
 * this does not.
 */
export function cpuMs(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    // /proc/self/stat fields 16-17: cutime, cstime in clock ticks (100 per second on Linux).
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    children = (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    children = 0;
  }
  return (own.user + own.system) / 1000 + (Number.isFinite(children) ? children : 0);
}

/**
 * `checked`: an image the folder leaves unlabelled whose MRZ openidv transcribed by eye from the photo
 * (bench/mrz-checked.json), so that a wrong acceptance among the unlabelled specimens counts too.
 */
export type Label =
  | { kind: 'mrz'; lines: string[] }
  | { kind: 'checked'; lines: string[] }
  | { kind: 'none' }
  | { kind: 'unknown' };

export type Outcome = 'correct' | 'wrong' | 'refused' | 'accepted-unlabelled' | 'refused-unlabelled';

export interface ImageResult {
  file: string;
  label: Label['kind'];
  outcome: Outcome;
  ms: number;
  /** CPU milliseconds spent on this image (see cpuMs). */
  cpuMs: number;
  reason?: string;
  detail?: string;
  format?: string;
  lines?: string[];
  /** Fields that differ from the ground truth (accepted reads of transcribed images only). */
  wrongFields?: string[];
  engines?: string[];
}

export const SCORED_FIELDS = [
  'documentCode',
  'issuingState',
  'documentNumber',
  'nationality',
  'birthDate',
  'sex',
  'expiryDate',
  'optionalData',
  'surname',
  'givenNames',
] as const;

export interface FolderReport {
  folder: string;
  images: number;
  transcribed: { total: number; correct: number; wrong: number; refused: number };
  noMrz: { total: number; refused: number; accepted: number };
  unlabelled: { total: number; accepted: number; refused: number };
  checked: { total: number; correct: number; wrong: number; refused: number };
  /** Safety: accepted reads that are wrong, plus readings returned for images without an MRZ. */
  acceptedWrong: number;
  /** Per field over transcribed images: read right, read wrong, not read. */
  fields: Record<string, { right: number; wrong: number; missing: number }>;
  refusals: Record<string, number>;
  ms: { p50: number; p90: number; max: number; mean: number };
  cpuMs: { p50: number; p90: number; max: number; mean: number };
  results: ImageResult[];
}

const IMAGE = /\.(jpe?g|png|webp|tiff?|bmp)$/i;

async function listImages(dir: string, rel = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listImages(dir, r)));
    else if (IMAGE.test(e.name)) out.push(r);
  }
  return out;
}

/**
 * The folder's labels. A label the harness cannot use is an error, never a silent "unlabelled": a typo in a
 * transcription would otherwise drop that image from the score instead of counting it.
 */
export async function loadLabels(dir: string): Promise<Map<string, Label>> {
  const file = path.join(dir, 'ground_truth.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new Error(`${file}: expected an object mapping image paths to {"mrz": ...}`);
  const labels = new Map<string, Label>();
  for (const [image, entry] of Object.entries(raw)) {
    const mrz = (entry as { mrz?: unknown } | null)?.mrz;
    if (isLines(mrz)) labels.set(image, { kind: 'mrz', lines: mrz });
    else if (mrz === null) labels.set(image, { kind: 'none' });
    else if (mrz === 'UNKNOWN') labels.set(image, { kind: 'unknown' });
    else throw new Error(`${file}: "${image}": mrz must be a list of 2 or 3 lines, null (no MRZ) or "UNKNOWN"`);
  }
  return labels;
}

const isLines = (v: unknown): v is string[] =>
  Array.isArray(v) && (v.length === 2 || v.length === 3) && v.every((l) => typeof l === 'string');

/** Fields of a transcribed ground truth, parsed like a reading (ground truths all pass their check digits). */
export function truthReading(lines: string[], today?: Date): MrzReading | undefined {
  const layout = candidateLayouts(lines.length, lines[0]?.length ?? 0, lines[0] ?? '').find((l) =>
    allChecksPass(lines, l),
  );
  return layout ? buildReading(lines, layout, today ? { today } : {}) : undefined;
}

function fieldValue(r: MrzReading, f: (typeof SCORED_FIELDS)[number]): string {
  const v = r[f];
  return Array.isArray(v) ? v.join('|') : String(v ?? '');
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

function stats(values: number[]): { p50: number; p90: number; max: number; mean: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    max: sorted[sorted.length - 1] ?? 0,
    mean: Math.round(sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length)),
  };
}

export interface EvalOptions extends ReadDocumentOptions {
  onImage?: (r: ImageResult) => void;
  /** Relative paths to read; all images of the folder when absent. */
  only?: readonly string[];
  /** MRZs transcribed by eye for images the folder leaves unlabelled, by relative path. */
  checked?: Readonly<Record<string, string[]>>;
}

const sameLines = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((l, i) => l === b[i]);

export async function evaluateFolder(
  dir: string,
  engines: readonly OcrEngine[],
  options: EvalOptions = {},
): Promise<FolderReport> {
  const labels = await loadLabels(dir);
  const all = await listImages(dir);
  const absent = [...labels.keys(), ...Object.keys(options.checked ?? {}), ...(options.only ?? [])].filter(
    (f) => !all.includes(f),
  );
  if (absent.length > 0) throw new Error(`${dir}: images named but not found: ${[...new Set(absent)].join(', ')}`);
  const files = all.filter((f) => !options.only || options.only.includes(f));
  const results: ImageResult[] = [];
  const fields = Object.fromEntries(
    SCORED_FIELDS.map((f) => [f, { right: 0, wrong: 0, missing: 0 }]),
  ) as FolderReport['fields'];
  for (const file of files) {
    const given = labels.get(file) ?? { kind: 'unknown' as const };
    const seen = options.checked?.[file];
    const label: Label = given.kind === 'unknown' && seen ? { kind: 'checked', lines: seen } : given;
    const bytes = await readFile(path.join(dir, file));
    const cpu0 = cpuMs();
    const reading = await readDocument(bytes, { ocr: engines }, options);
    const base = {
      file,
      label: label.kind,
      ms: Math.round(reading.timings.totalMs),
      cpuMs: Math.round(cpuMs() - cpu0),
      ...(reading.failure ? { reason: reading.failure.reason, detail: reading.failure.detail } : {}),
      ...(reading.mrz ? { format: reading.mrz.format, lines: reading.mrz.lines, engines: reading.engines.agreed } : {}),
    };
    let result: ImageResult;
    if (label.kind === 'mrz') {
      const truth = truthReading(label.lines, options.today);
      if (!reading.mrz) {
        result = { ...base, outcome: 'refused' };
        for (const f of SCORED_FIELDS) fields[f]!.missing++;
      } else {
        const correct = sameLines(reading.mrz.lines, label.lines);
        const wrongFields = truth
          ? SCORED_FIELDS.filter((f) => fieldValue(reading.mrz!, f) !== fieldValue(truth, f))
          : [...SCORED_FIELDS];
        for (const f of SCORED_FIELDS) fields[f]![wrongFields.includes(f) ? 'wrong' : 'right']++;
        result = { ...base, outcome: correct ? 'correct' : 'wrong', ...(correct ? {} : { wrongFields }) };
      }
    } else if (label.kind === 'checked') {
      result = {
        ...base,
        outcome: !reading.mrz ? 'refused' : sameLines(reading.mrz.lines, label.lines) ? 'correct' : 'wrong',
      };
    } else if (label.kind === 'none') {
      result = { ...base, outcome: reading.mrz ? 'wrong' : 'refused' };
    } else {
      result = { ...base, outcome: reading.mrz ? 'accepted-unlabelled' : 'refused-unlabelled' };
    }
    results.push(result);
    options.onImage?.(result);
  }
  const count = (pred: (r: ImageResult) => boolean): number => results.filter(pred).length;
  const refusals: Record<string, number> = {};
  for (const r of results) if (r.reason) refusals[r.reason] = (refusals[r.reason] ?? 0) + 1;
  return {
    folder: dir,
    images: results.length,
    transcribed: {
      total: count((r) => r.label === 'mrz'),
      correct: count((r) => r.label === 'mrz' && r.outcome === 'correct'),
      wrong: count((r) => r.label === 'mrz' && r.outcome === 'wrong'),
      refused: count((r) => r.label === 'mrz' && r.outcome === 'refused'),
    },
    noMrz: {
      total: count((r) => r.label === 'none'),
      refused: count((r) => r.label === 'none' && r.outcome === 'refused'),
      accepted: count((r) => r.label === 'none' && r.outcome === 'wrong'),
    },
    unlabelled: {
      total: count((r) => r.label === 'unknown'),
      accepted: count((r) => r.outcome === 'accepted-unlabelled'),
      refused: count((r) => r.outcome === 'refused-unlabelled'),
    },
    checked: {
      total: count((r) => r.label === 'checked'),
      correct: count((r) => r.label === 'checked' && r.outcome === 'correct'),
      wrong: count((r) => r.label === 'checked' && r.outcome === 'wrong'),
      refused: count((r) => r.label === 'checked' && r.outcome === 'refused'),
    },
    acceptedWrong: count((r) => r.outcome === 'wrong'),
    fields,
    refusals,
    ms: stats(results.map((r) => r.ms)),
    cpuMs: stats(results.map((r) => r.cpuMs)),
    results,
  };
}

/** Sums folder reports (timing percentiles over all images). */
export function combineReports(reports: FolderReport[]): FolderReport {
  const results = reports.flatMap((r) => r.results);
  const sum = <T extends Record<string, number>>(pick: (r: FolderReport) => T): T => {
    const out = {} as Record<string, number>;
    for (const r of reports) for (const [k, v] of Object.entries(pick(r))) out[k] = (out[k] ?? 0) + v;
    return out as T;
  };
  const fields = Object.fromEntries(
    SCORED_FIELDS.map((f) => [f, sum((r) => r.fields[f] as { right: number; wrong: number; missing: number })]),
  ) as FolderReport['fields'];
  return {
    folder: 'total',
    images: results.length,
    transcribed: sum((r) => r.transcribed),
    noMrz: sum((r) => r.noMrz),
    unlabelled: sum((r) => r.unlabelled),
    checked: sum((r) => r.checked),
    acceptedWrong: reports.reduce((s, r) => s + r.acceptedWrong, 0),
    fields,
    refusals: sum((r) => r.refusals),
    ms: stats(results.map((r) => r.ms)),
    cpuMs: stats(results.map((r) => r.cpuMs)),
    results,
  };
}
