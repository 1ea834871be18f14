// Names carry no check digit, so nothing can prove them right; this only undoes the OCR artefacts that are
// structurally certain (letters standing alone inside filler runs) and splits primary/secondary identifiers.

/** Letters the generic tesseract model produces for a lone OCR-B '<' (measured: K, X, L, C, E). */
const FILLER_GHOSTS = new Set(['K', 'X', 'L', 'C', 'E']);

/**
 * Replaces a ghost letter that stands alone deep inside a filler run ("<<K<<" or a trailing "<K<<<") with
 * '<'. A real one-letter name part is written "NAME<J<NAME" (single fillers around it) and is kept.
 */
export function cleanNameField(field: string): string {
  const chars = [...field];
  for (let i = 1; i < chars.length; i++) {
    if (!FILLER_GHOSTS.has(chars[i] as string) || field[i - 1] !== '<') continue;
    const next = field[i + 1];
    if (next !== undefined && next !== '<') continue;
    const fillerBefore = field[i - 2] === '<';
    const fillerAfter = next === undefined || field[i + 2] === '<';
    if (fillerBefore || fillerAfter) chars[i] = '<';
  }
  // Once the names end (a run of 3+ fillers), whatever follows is filler by definition of the layout.
  const joined = chars.join('');
  const tail = /<{3,}/.exec(joined);
  if (tail && !/[A-Z]{2,}/.test(joined.slice(tail.index))) {
    return joined.slice(0, tail.index) + '<'.repeat(joined.length - tail.index);
  }
  return joined;
}

export interface SplitName {
  surname: string;
  givenNames: string;
}

/** ICAO 9303-3 §4.6: primary identifier, '<<', secondary identifier; '<' separates name parts. */
export function splitNameField(field: string): SplitName {
  const trimmed = field.replace(/<+$/, '');
  const sep = trimmed.indexOf('<<');
  const primary = sep === -1 ? trimmed : trimmed.slice(0, sep);
  const secondary = sep === -1 ? '' : trimmed.slice(sep + 2);
  const words = (s: string): string => s.split('<').filter(Boolean).join(' ');
  return { surname: words(primary), givenNames: words(secondary) };
}
