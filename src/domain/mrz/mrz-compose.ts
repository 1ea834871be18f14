import { computeCheckDigit } from './check-digit.js';
import { LAYOUTS, type MrzFormat } from './mrz-format.js';
import { resolveChecks } from './mrz-parser.js';

// Builds valid MRZ lines from field values: the inverse of the parser, used to make synthetic documents with
// known ground truth (tests, rendered fixtures, training text). Check digits are computed, never typed.

export interface ComposeInput {
  documentCode: string;
  issuingState: string;
  documentNumber: string;
  nationality?: string;
  /** YYMMDD */
  birthDate: string;
  sex: 'M' | 'F' | '<' | 'X';
  /** YYMMDD (absent for the French ID). */
  expiryDate?: string;
  surname: string;
  givenNames: string;
  optionalData1?: string;
  optionalData2?: string;
}

const mrzText = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9<]+/g, '<');
const fit = (s: string, n: number): string => mrzText(s).padEnd(n, '<').slice(0, n);
/** A name part: letters only, any other run (space, hyphen, apostrophe) becomes one filler. */
const namePart = (s: string): string =>
  s
    .toUpperCase()
    .replace(/[^A-Z]+/g, '<')
    .replace(/^<|<$/g, '');

function nameField(surname: string, given: string, n: number): string {
  return fit(given ? `${namePart(surname)}<<${namePart(given)}` : namePart(surname), n);
}

/** TD1/TD2 numbers over 9 characters: 9 in place, '<' for the check digit, the rest opens the optional data. */
function splitLongNumber(f: ComposeInput): { number: string; numberCheck: string; optional: string } {
  const number = mrzText(f.documentNumber);
  if (number.length <= 9) return { number, numberCheck: '0', optional: f.optionalData1 ?? '' };
  return { number: number.slice(0, 9), numberCheck: '<', optional: `${number.slice(9)}0<${f.optionalData1 ?? ''}` };
}

export function composeMrz(format: MrzFormat, f: ComposeInput): string[] {
  const layout = LAYOUTS[format];
  const nat = f.nationality ?? f.issuingState;
  const long = splitLongNumber(f);
  let lines: string[];
  switch (format) {
    case 'TD3':
    case 'MRVA':
      lines = [
        fit(f.documentCode, 2) + fit(f.issuingState, 3) + nameField(f.surname, f.givenNames, 39),
        fit(f.documentNumber, 9) +
          '0' +
          fit(nat, 3) +
          f.birthDate +
          '0' +
          f.sex +
          (f.expiryDate ?? '') +
          '0' +
          (format === 'TD3' ? fit(f.optionalData1 ?? '', 14) + '00' : fit(f.optionalData1 ?? '', 16)),
      ];
      break;
    case 'TD2':
    case 'MRVB':
      lines = [
        fit(f.documentCode, 2) + fit(f.issuingState, 3) + nameField(f.surname, f.givenNames, 31),
        format === 'TD2'
          ? fit(long.number, 9) +
            long.numberCheck +
            fit(nat, 3) +
            f.birthDate +
            '0' +
            f.sex +
            (f.expiryDate ?? '') +
            '0' +
            fit(long.optional, 7) +
            '0'
          : fit(f.documentNumber, 9) +
            '0' +
            fit(nat, 3) +
            f.birthDate +
            '0' +
            f.sex +
            (f.expiryDate ?? '') +
            '0' +
            fit(f.optionalData1 ?? '', 8),
      ];
      break;
    case 'TD1':
      lines = [
        fit(f.documentCode, 2) +
          fit(f.issuingState, 3) +
          fit(long.number, 9) +
          long.numberCheck +
          fit(long.optional, 15),
        f.birthDate + '0' + f.sex + (f.expiryDate ?? '') + '0' + fit(nat, 3) + fit(f.optionalData2 ?? '', 11) + '0',
        nameField(f.surname, f.givenNames, 30),
      ];
      break;
    case 'FRENCH_ID':
      lines = [
        fit(f.documentCode, 2) + fit(f.issuingState, 3) + fit(f.surname, 25) + fit(f.optionalData1 ?? '', 6),
        fit(f.documentNumber, 12) + '0' + fit(f.givenNames, 14) + f.birthDate + '0' + f.sex + '0',
      ];
      break;
  }
  // Fill the check digits in layout order: the composite comes last and covers the others.
  for (const check of layout.checks) {
    const resolved = resolveChecks(lines, layout).find((c) => c.def.name === check.name);
    if (!resolved) continue;
    const line = lines[resolved.at.line] as string;
    const digit = String(computeCheckDigit(resolved.text));
    lines[resolved.at.line] = line.slice(0, resolved.at.pos) + digit + line.slice(resolved.at.pos + 1);
  }
  return lines;
}
