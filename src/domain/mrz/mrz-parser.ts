import { states } from 'mrz';
import { checkDigitMatches } from './check-digit.js';
import { parseBirthDate, parseExpiryDate } from './mrz-dates.js';
import type { CheckDef, FieldDef, FieldName, MrzLayout, Segment } from './mrz-format.js';
import { splitNameField } from './mrz-names.js';
import type { CheckDigitResult, CorrectedPart, FieldVerification, MrzReading } from './mrz-reading.js';

// Codes ICAO 9303-3 adds to ISO 3166 that the `mrz` package's table lacks; UTO is the specimen state.
const EXTRA_CODES = [
  'UTO',
  'GBD',
  'GBN',
  'GBO',
  'GBP',
  'GBS',
  'UNO',
  'UNA',
  'UNK',
  'XBA',
  'XIM',
  'XCC',
  'XCO',
  'XEC',
  'XPO',
  'XES',
  'XMP',
  'XOM',
  'XDC',
  'XXB',
  'XXC',
  'EUE',
  'RKS',
  'D',
];
const KNOWN_STATES = new Set([...Object.keys(states), ...EXTRA_CODES]);

export function isKnownStateCode(field: string): boolean {
  return KNOWN_STATES.has(field.replace(/<+$/, ''));
}

export function segmentText(lines: readonly string[], s: Segment): string {
  return (lines[s.line] ?? '').slice(s.start, s.end);
}

export function fieldText(lines: readonly string[], f: FieldDef): string {
  return segmentText(lines, f);
}

interface ResolvedCheck {
  def: CheckDef;
  /** Text the digit is computed over. */
  text: string;
  digit: string;
  /** Where the digit sits (it moves for an overflowing document number). */
  at: { line: number; pos: number };
  /** Characters of the full document number when it overflows, else undefined. */
  overflow?: { extension: string; segment: Segment };
}

/** Works out what each check digit covers, following a long document number into the optional data. */
export function resolveChecks(lines: readonly string[], layout: MrzLayout): ResolvedCheck[] {
  return layout.checks.map((def) => {
    const digit = (lines[def.line] ?? '')[def.pos] ?? '';
    const text = def.covers.map((s) => segmentText(lines, s)).join('');
    if (digit === '<' && def.overflowInto) {
      const opt = segmentText(lines, def.overflowInto);
      const end = opt.indexOf('<');
      const used = end === -1 ? opt : opt.slice(0, end);
      if (used.length >= 2) {
        const extension = used.slice(0, -1);
        return {
          def,
          text: text + extension,
          digit: used.slice(-1),
          at: { line: def.overflowInto.line, pos: def.overflowInto.start + used.length - 1 },
          overflow: { extension, segment: def.overflowInto },
        };
      }
    }
    return { def, text, digit, at: { line: def.line, pos: def.pos } };
  });
}

export function evaluateChecks(lines: readonly string[], layout: MrzLayout): CheckDigitResult[] {
  return resolveChecks(lines, layout).map((c) => ({
    name: c.def.name,
    digit: c.digit,
    ok: /^[0-9A-Z<]*$/.test(c.text) && checkDigitMatches(c.text, c.digit, c.def.fillerMeansZero === true),
  }));
}

export function allChecksPass(lines: readonly string[], layout: MrzLayout): boolean {
  return evaluateChecks(lines, layout).every((c) => c.ok);
}

const strip = (s: string): string => s.replace(/</g, ' ').trim().replace(/ +/g, ' ');

function documentType(code: string): MrzReading['documentType'] {
  if (code.startsWith('P')) return 'PASSPORT';
  if (code.startsWith('V')) return 'VISA';
  if (/^[ACI]/.test(code)) return 'ID_CARD';
  return 'OTHER';
}

function coveredByChecks(f: FieldDef, layout: MrzLayout): boolean {
  return layout.checks.some((c) => c.covers.some((s) => s.line === f.line && s.start <= f.start && s.end >= f.end));
}

export interface BuildOptions {
  /** Reference date for century inference; defaults to now. */
  today?: Date;
  correctedFields?: CorrectedPart[];
}

/**
 * Turns lines whose check digits have all been verified into a reading. Throws when a check digit fails:
 * callers must never build a reading from unverified lines.
 */
export function buildReading(lines: readonly string[], layout: MrzLayout, options: BuildOptions = {}): MrzReading {
  const checkDigits = evaluateChecks(lines, layout);
  if (!checkDigits.every((c) => c.ok)) throw new Error('buildReading called with failing check digits');
  const today = options.today ?? new Date();
  const get = (name: FieldName): string => {
    const f = layout.fields.find((x) => x.name === name);
    return f ? fieldText(lines, f) : '';
  };
  const docCheck = resolveChecks(lines, layout).find((c) => c.def.name === 'documentNumber');
  let documentNumber = get('documentNumber');
  const optional = layout.fields.filter((f) => f.name === 'optionalData1' || f.name === 'optionalData2');
  let optionalData = optional.map((f) => fieldText(lines, f));
  if (docCheck?.overflow) {
    documentNumber = documentNumber + docCheck.overflow.extension;
    // The overflow and its check digit are part of the number, not optional data.
    const consumed = docCheck.overflow.extension.length + 1;
    optionalData = optionalData.map((v, i) => (i === 0 ? v.slice(consumed) : v));
  }

  let surname: string;
  let givenNames: string;
  if (layout.format === 'FRENCH_ID') {
    surname = strip(get('surname'));
    givenNames = strip(get('givenNames'));
  } else {
    ({ surname, givenNames } = splitNameField(get('names')));
  }

  const verification: Partial<Record<FieldName, FieldVerification>> = {};
  for (const f of layout.fields) {
    if (coveredByChecks(f, layout)) verification[f.name] = 'check-digit';
    else if (f.kind === 'country' || f.kind === 'sex' || f.kind === 'code') verification[f.name] = 'format';
    else verification[f.name] = 'none';
  }
  const unverifiedFields = layout.fields.filter((f) => verification[f.name] !== 'check-digit').map((f) => f.name);

  const warnings: string[] = [];
  const issuingState = strip(get('issuingState'));
  const nationalityField = layout.fields.some((f) => f.name === 'nationality') ? strip(get('nationality')) : null;
  for (const [label, code] of [
    ['issuing state', issuingState],
    ['nationality', nationalityField],
  ] as const) {
    if (code === null) continue;
    if (code === 'UTO') warnings.push(`${label} UTO is the ICAO specimen state`);
    else if (!isKnownStateCode(code)) warnings.push(`${label} ${code} is not a known ICAO 9303 code`);
  }

  const sexChar = get('sex');
  const rawBirth = get('birthDate');
  const rawExpiry = layout.fields.some((f) => f.name === 'expiryDate') ? get('expiryDate') : null;
  const documentCode = strip(get('documentCode')).replace(/ /g, '');
  const expiryDate = rawExpiry === null ? null : parseExpiryDate(rawExpiry, today);
  return {
    format: layout.format,
    documentCode,
    documentType: documentType(documentCode),
    issuingState,
    documentNumber: documentNumber.replace(/<+$/, '').replace(/</g, ''),
    nationality: nationalityField,
    birthDate: parseBirthDate(rawBirth, today, { expiryIso: expiryDate, documentCode }),
    sex: sexChar === 'M' || sexChar === 'F' ? sexChar : 'X',
    expiryDate,
    optionalData: optionalData.map(strip),
    surname,
    givenNames,
    lines: [...lines],
    raw: { birthDate: rawBirth, expiryDate: rawExpiry },
    checkDigits,
    correctedFields: [...new Set(options.correctedFields ?? [])],
    verification,
    unverifiedFields,
    warnings,
  };
}
