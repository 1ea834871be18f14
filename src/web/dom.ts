// Small DOM helpers. The page never parses HTML strings (the CSP requires Trusted Types for script sinks): every
// element is built with createElement and text goes in through textContent.

import { t } from './i18n/i18n.js';

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | number | undefined | ((event: Event) => void)>;

/** h('button', {class: 'primary', onclick: go}, 'Continue') */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Element, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

let screenCleanup: (() => void)[] = [];

/** Runs when the current screen is replaced (stops cameras, timers, object URLs). */
export function onLeave(cleanup: () => void): void {
  screenCleanup.push(cleanup);
}

/**
 * Replaces the page content with a new screen whose heading takes the focus, so keyboard and screen-reader users
 * start at the top of each step.
 */
export function screen(title: string, ...children: Child[]): HTMLElement {
  for (const cleanup of screenCleanup.splice(0)) {
    try {
      cleanup();
    } catch {
      // a failing cleanup must not block the next screen
    }
  }
  screenCleanup = [];
  const main = document.getElementById('main')!;
  main.replaceChildren();
  const heading = h('h1', { tabindex: -1 }, title);
  append(main, heading, ...children);
  document.title = t('page.titleSuffix', { title });
  heading.focus({ preventScroll: true });
  window.scrollTo(0, 0);
  return main;
}

/** Politely announces a message to screen readers (visible text changes elsewhere are announced by their own regions). */
export function announce(message: string): void {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  window.setTimeout(() => (region.textContent = message), 50);
}

export function button(
  label: string,
  onclick: () => void,
  kind: 'primary' | 'secondary' | 'link' = 'primary',
  attrs: Attrs = {},
): HTMLButtonElement {
  return h('button', { type: 'button', class: `btn btn-${kind}`, onclick, ...attrs }, label);
}

export function notice(kind: 'info' | 'warning' | 'error' | 'success', ...children: Child[]): HTMLElement {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => window.setTimeout(resolve, ms));
