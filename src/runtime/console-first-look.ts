import { oneTimePassword } from '../domain/console/console-user.service.js';
import type { Container } from './container.js';

/**
 * First start: with no console user yet, an `admin` with a one-time password (the console asks for a new one at
 * first sign-in), so a newcomer can look at the console at once. Returns what to print once the address is known.
 */
export async function prepareConsoleAdmin(c: Container): Promise<((address: string) => string) | null> {
  if (!c.config.console.enabled) return null;
  if ((await c.console.users.count()) > 0) return (address) => `openidv console: ${address}/console\n`;
  const password = oneTimePassword();
  try {
    await c.console.users.create({ username: 'admin', role: 'admin', password, temporary: true });
  } catch (err) {
    // Several processes starting on one empty database: another one created the admin first.
    if ((await c.console.users.count()) === 0) throw err;
    return (address) => `openidv console: ${address}/console\n`;
  }
  await c.console.audit.record({ name: 'system', ip: null }, 'user.create', {
    target: 'admin',
    detail: { role: 'admin', first_start: true },
  });
  return (address) =>
    `\nopenidv console: ${address}/console\n  user:     admin\n  password: ${password}   (one-time: you choose your own at first sign-in)\n` +
    `  More users: openidv users create --username NAME --role reviewer|viewer|admin\n\n`;
}
