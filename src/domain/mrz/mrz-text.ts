import { CLASS_CHARS, positionClasses, type MrzLayout, type PositionClass } from './mrz-format.js';

// OCR output is noisy text; an MRZ is fixed-width lines. This turns the first into candidates for the second.

const LOOKALIKE_FILLERS = /[«‹<≤([{]/g;

/** Upper-cases, maps filler look-alikes to '<' and drops everything outside A-Z, 0-9 and '<'. */
export function normalizeOcrLine(text: string): string {
  return text
    .toUpperCase()
    .replace(LOOKALIKE_FILLERS, '<')
    .replace(/[^A-Z0-9<]/g, '');
}

function longestFillerRun(line: string): { start: number; length: number } | undefined {
  let best: { start: number; length: number } | undefined;
  for (const m of line.matchAll(/<+/g)) {
    if (!best || m[0].length > best.length) best = { start: m.index, length: m[0].length };
  }
  return best;
}

/**
 * Variants of `line` at exactly `target` characters, most plausible first. Tesseract mostly miscounts
 * long filler runs, so the first guess resizes the longest run; cutting either end handles stray border
 * marks read as characters.
 */
export function fitLineLength(line: string, target: number): string[] {
  const diff = line.length - target;
  if (diff === 0) return [line];
  const out: string[] = [];
  const run = longestFillerRun(line);
  if (diff > 0) {
    if (run && run.length > diff)
      out.push(line.slice(0, run.start) + '<'.repeat(run.length - diff) + line.slice(run.start + run.length));
    if (/<$/.test(line)) out.push(line.slice(0, target));
    out.push(line.slice(diff));
    out.push(line.slice(0, target));
  } else {
    if (run) out.push(line.slice(0, run.start) + '<'.repeat(run.length - diff) + line.slice(run.start + run.length));
    out.push(line + '<'.repeat(-diff));
  }
  return [...new Set(out)];
}

/** Splits block OCR output into MRZ-looking lines (at least `minLength` MRZ characters). */
export function mrzLikeLines(text: string, minLength = 20): string[] {
  return text
    .split(/\r?\n/)
    .map(normalizeOcrLine)
    .filter((l) => l.length >= minLength);
}

/**
 * How much a set of lines looks like an MRZ of some layout, 0-1: the share of positions whose character
 * fits the position's class before any repair (digits where dates and check digits stand, letters in
 * codes and names). A misread MRZ keeps most of its shape; a line of ordinary print does not.
 */
export function mrzShapeScore(lines: readonly string[], layouts: readonly MrzLayout[]): number {
  let best = 0;
  for (const layout of layouts) {
    if (lines.length !== layout.lineCount) continue;
    const classes = positionClasses(layout);
    let fit = 0;
    let total = 0;
    lines.forEach((line, li) => {
      for (let pos = 0; pos < layout.lineLength; pos++) {
        const ch = line[pos] ?? '';
        const cls = (classes[li] as PositionClass[])[pos] as PositionClass;
        total++;
        if (ch && CLASS_CHARS[cls].test(ch)) fit++;
      }
    });
    best = Math.max(best, total ? fit / total : 0);
  }
  return best;
}
