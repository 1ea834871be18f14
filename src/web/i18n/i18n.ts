// The page's language: sdk_config.locale when the page speaks it, else the browser's preferences in order,
// else English. Texts come from the catalogues only (never built from pieces of English).

import { de } from './de.js';
import { type Catalogue, en, type MessageKey } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';

export const CATALOGUES = { en, es, fr, de } as const satisfies Record<string, Catalogue>;
export type Locale = keyof typeof CATALOGUES;
export type { MessageKey };

type Params = Record<string, string | number>;

let current: Locale = 'en';

const isLocale = (tag: string): tag is Locale => Object.hasOwn(CATALOGUES, tag);

/** The first of the candidate language tags (en-GB, es_ES, fr…) that the page speaks, else English. */
export function chooseLocale(candidates: readonly (string | null | undefined)[]): Locale {
  for (const tag of candidates) {
    const primary = tag?.split(/[-_]/)[0]?.toLowerCase();
    if (primary && isLocale(primary)) return primary;
  }
  return 'en';
}

export function setLocale(locale: Locale): void {
  current = locale;
  document.documentElement.lang = locale;
}

export function locale(): Locale {
  return current;
}

/** Number formatting follows the language (1 234 in French, 1.234 in German). */
const format = (value: string | number) => (typeof value === 'number' ? value.toLocaleString(current) : value);

export function t(key: MessageKey, params: Params = {}): string {
  const text: string = CATALOGUES[current][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? format(params[name]!) : whole));
}

/** A plural message: `base.one`, `base.other`… chosen by the language's plural rules for `count`. */
export function plural(
  base: 'welcome.documents' | 'selfie.triesLeft' | 'docRead.triesLeft' | 'handoff.once',
  count: number,
  params: Params = {},
): string {
  const category = new Intl.PluralRules(current).select(count);
  const key = (`${base}.${category}` in en ? `${base}.${category}` : `${base}.other`) as MessageKey;
  return t(key, { count, ...params });
}

/** "a, b or c" in the page's language. */
export function orList(items: string[]): string {
  try {
    return new Intl.ListFormat(current, { type: 'disjunction' }).format(items);
  } catch {
    return items.join(', ');
  }
}

/**
 * A message with one element inside it ("Read … in the {link}."): the text around the placeholder, and the
 * element in its place, so translations may put the link wherever their grammar wants it.
 */
export function withElement(key: MessageKey, name: string, element: Node): (string | Node)[] {
  const [before, after = ''] = t(key).split(`{${name}}`);
  return [before ?? '', element, after];
}
