import { describe, expect, it } from 'vitest';
import { checkDigitMatches, computeCheckDigit, mrzCharValue } from './check-digit.js';

describe('ICAO 9303 check digits', () => {
  it('values digits, letters and the filler as ICAO 9303-3 §4.9 says', () => {
    expect(mrzCharValue('7')).toBe(7);
    expect(mrzCharValue('A')).toBe(10);
    expect(mrzCharValue('Z')).toBe(35);
    expect(mrzCharValue('<')).toBe(0);
    expect(() => mrzCharValue('a')).toThrow();
  });

  it('reproduces the check digits of the ICAO TD3 specimen', () => {
    expect(computeCheckDigit('L898902C3')).toBe(6);
    expect(computeCheckDigit('740812')).toBe(2);
    expect(computeCheckDigit('120415')).toBe(9);
    expect(computeCheckDigit('ZE184226B<<<<<')).toBe(1);
    expect(computeCheckDigit('L898902C36' + '7408122' + '1204159ZE184226B<<<<<1')).toBe(0);
  });

  it('only lets a filler stand for zero where the caller allows it', () => {
    expect(checkDigitMatches('<<<<<<<<<<<<<<', '<', true)).toBe(true);
    expect(checkDigitMatches('<<<<<<<<<<<<<<', '<', false)).toBe(false);
    expect(checkDigitMatches('740812', 'Z')).toBe(false);
  });

  it('catches every single-digit substitution in a numeric field (weights are coprime to 10)', () => {
    const base = '740812';
    const digit = String(computeCheckDigit(base));
    for (let i = 0; i < base.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === base[i]) continue;
        const changed = base.slice(0, i) + d + base.slice(i + 1);
        expect(checkDigitMatches(changed, digit)).toBe(false);
      }
    }
  });

  it('cannot catch a letter read as the digit 10 or 20 values away (G/6, S/8, L/1): a documented limit', () => {
    expect(computeCheckDigit('AG1234567')).toBe(computeCheckDigit('A61234567'));
    expect(computeCheckDigit('S12345678')).toBe(computeCheckDigit('812345678'));
  });
});
