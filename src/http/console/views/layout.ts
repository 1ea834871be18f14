import { can, type ConsoleUser } from '../../../domain/console/console-user.types.js';
import { html, type SafeHtml } from '../html.js';

export interface PageContext {
  user: ConsoleUser | null;
  csrf: string;
  /** Path of the current page, to mark the current nav entry. */
  path: string;
}

const NAV: { href: string; label: string; show: (u: ConsoleUser) => boolean }[] = [
  { href: '/console/sessions', label: 'Sessions', show: () => true },
  { href: '/console/reviews', label: 'Review queue', show: () => true },
  { href: '/console/pools', label: 'Pools', show: () => true },
  { href: '/console/apps', label: 'Apps', show: (u) => can(u, 'manageApps') },
  { href: '/console/users', label: 'Users', show: (u) => can(u, 'manageUsers') },
  { href: '/console/audit', label: 'Audit log', show: (u) => can(u, 'readAudit') },
  { href: '/console/try', label: 'Try it', show: (u) => can(u, 'tryIt') },
];

/** A hidden field carrying the session's CSRF token; every state-changing form includes it. */
export const csrfField = (ctx: PageContext) => html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;

export function page(ctx: PageContext, title: string, body: SafeHtml): string {
  const u = ctx.user;
  const nav = u
    ? html`<nav aria-label="Console"><ul>${NAV.filter((n) => n.show(u)).map(
        (n) =>
          html`<li><a href="${n.href}"${ctx.path.startsWith(n.href) ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
      )}</ul></nav>
      <div class="account"><span>${u.username} (${u.role})</span>
        <a href="/console/account/password">Password</a>
        <form method="post" action="/console/logout">${csrfField(ctx)}<button type="submit" class="link">Sign out</button></form></div>`
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · openidv console</title><link rel="stylesheet" href="/console/assets/console.css"><link rel="icon" href="data:,"></head>
<body><a class="skip" href="#main">Skip to content</a>
<header><a class="brand" href="/console/">openidv console</a>${nav}</header>
<main id="main" tabindex="-1"><h1>${title}</h1>${body}</main>
<footer><p>openidv operator console. Views of biometric data and every decision are recorded in the audit log.</p></footer>
</body></html>`.value;
}

export function notice(kind: 'info' | 'error' | 'success', text: string | SafeHtml): SafeHtml {
  return html`<p class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>`;
}
