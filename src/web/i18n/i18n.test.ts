import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUES, chooseLocale } from './i18n.js';

// Every language has every key of the English catalogue and no other, with the same {placeholders}; and every
// key is used by the page (directly, or through one of the families whose last part comes from data).

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const { en, ...others } = CATALOGUES;
const keys = Object.keys(en).sort();

describe('message catalogues', () => {
  for (const [name, catalogue] of Object.entries(others)) {
    it(`${name} has exactly the English keys, each with the same placeholders`, () => {
      expect(Object.keys(catalogue).sort()).toEqual(keys);
      for (const key of keys) {
        const text = (catalogue as Record<string, string>)[key]!;
        expect(placeholders(text), `${name} ${key}`).toEqual(placeholders((en as Record<string, string>)[key]!));
        expect(text.trim(), `${name} ${key}`).toBe(text);
        expect(text.length, `${name} ${key}`).toBeGreaterThan(0);
      }
    });
  }

  it('translates (a language shares only the few words that are the same in it, such as "Selfie")', () => {
    for (const [name, catalogue] of Object.entries(others)) {
      const same = keys.filter((k) => (catalogue as Record<string, string>)[k] === (en as Record<string, string>)[k]);
      expect(same.length, `${name}: ${same.join(', ')}`).toBeLessThanOrEqual(3);
    }
  });

  it('has no key the page never uses', () => {
    const dir = join(import.meta.dirname, '..');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !f.startsWith('i18n'),
    );
    const source = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    const families = [
      'camera.',
      'face.',
      'docName.',
      'docInSentence.',
      'document.front.',
      'document.back.',
      'welcome.documents.',
      'selfie.triesLeft.',
      'handoff.once.',
      'poaName.',
      'poaInSentence.',
      'docRead.triesLeft.',
      'docRead.reason.',
    ];
    const unused = keys.filter((k) => !source.includes(`'${k}'`) && !families.some((f) => k.startsWith(f)));
    expect(unused).toEqual([]);
  });

  it('chooses the first language the page speaks, from sdk_config.locale then the browser, else English', () => {
    expect(chooseLocale(['es-ES', 'de'])).toBe('es');
    expect(chooseLocale(['it-IT', 'fr_CA', 'de'])).toBe('fr');
    expect(chooseLocale([null, undefined, 'DE-at'])).toBe('de');
    expect(chooseLocale(['pt-BR', 'ja'])).toBe('en');
    expect(chooseLocale(['__proto__', 'constructor'])).toBe('en');
    expect(chooseLocale([])).toBe('en');
  });
});
