// ICAO 9303 part 3 §4.9: characters weigh 7-3-1 repeating; digits keep their value, A-Z are 10-35, the
// filler '<' is 0. The check digit is the weighted sum mod 10.

const WEIGHTS = [7, 3, 1] as const;

export function mrzCharValue(ch: string): number {
  const code = ch.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 90) return code - 55;
  if (ch === '<') return 0;
  throw new RangeError(`not an MRZ character: ${JSON.stringify(ch)}`);
}

export function computeCheckDigit(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum += mrzCharValue(text[i] as string) * (WEIGHTS[i % 3] as number);
  return sum % 10;
}

/**
 * True when `digit` is the check digit of `text`. A filler '<' stands for 0 only where ICAO allows an
 * empty optional field to carry a filler instead of a digit, so callers opt in with `fillerMeansZero`.
 */
export function checkDigitMatches(text: string, digit: string, fillerMeansZero = false): boolean {
  if (digit === '<') return fillerMeansZero && computeCheckDigit(text) === 0;
  if (!/^[0-9]$/.test(digit)) return false;
  return computeCheckDigit(text) === Number(digit);
}
