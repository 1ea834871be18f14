// Server-rendered HTML with escaping by default: every interpolated value is escaped unless it is already
// SafeHtml (built by this same tag). Attribute values are always quoted by the templates, and the escape covers
// both quote characters, so a value cannot leave its attribute.

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => (out += render(v) + strings[i + 1]!));
  return new SafeHtml(out);
}

/** Trusted markup produced by a library (the QR code's SVG), never user input. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

export const iso = (ms: number | null | undefined): string =>
  ms
    ? new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')
    : '';

export const percent = (x: number): string =>
  x >= 0.001 || x === 0 ? `${(x * 100).toFixed(x >= 0.1 ? 0 : 1)}%` : x.toExponential(1);
