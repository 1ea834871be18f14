import type { SdkConfig } from './api.js';

// sdk_config colours become CSS variables. Text on primary-coloured buttons is black or white, whichever
// contrasts more, so any brand colour stays readable.

const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

function rgb(hex: string): [number, number, number] {
  const full = hex.length === 4 ? `#${hex[1]}${hex[1]}${hex[2]}${hex[2]}${hex[3]}${hex[3]}` : hex;
  const n = parseInt(full.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** WCAG relative luminance. */
function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const contrast = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

export function readableOn(background: string): string {
  const l = luminance(background);
  return contrast(l, 1) >= contrast(l, 0) ? '#ffffff' : '#000000';
}

export function applyTheme(sdk: SdkConfig): void {
  const root = document.documentElement.style;
  const set = (name: string, value: string | null | undefined) => {
    if (value && HEX.test(value)) root.setProperty(name, value);
  };
  set('--primary', sdk.primary_colour);
  set('--secondary', sdk.secondary_colour);
  set('--text', sdk.font_colour);
  if (sdk.primary_colour && HEX.test(sdk.primary_colour))
    root.setProperty('--on-primary', readableOn(sdk.primary_colour));
  if (sdk.secondary_colour && HEX.test(sdk.secondary_colour))
    root.setProperty('--on-secondary', readableOn(sdk.secondary_colour));
}
