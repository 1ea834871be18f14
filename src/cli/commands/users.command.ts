import { Command } from 'commander';
import { oneTimePassword } from '../../domain/console/console-user.service.js';
import { ROLES, type Role } from '../../domain/console/console-user.types.js';
import { withDataOption } from '../options.js';
import { withContainer } from './apps.command.js';

const CLI_ACTOR = { name: 'cli', ip: null };

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function createCommand(): Command {
  return withDataOption(
    new Command('create')
      .description('Add a console user; prints a one-time password unless --password-stdin is given')
      .requiredOption('--username <name>', 'sign-in name (for single sign-on users: their email)')
      .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
      .option('--apps <ids>', 'comma-separated SDK ids the user may see (admins see every app)')
      .option('--all-apps', 'the user sees every app')
      .option('--password-stdin', 'read the password from standard input (kept, not one-time)')
      .option('--sso-only', 'no password: the user signs in only with single sign-on')
      .option('--json', 'print {"username", "role", "password"} as JSON'),
  ).action(
    async (opts: {
      data?: string;
      username: string;
      role: string;
      apps?: string;
      allApps?: boolean;
      passwordStdin?: boolean;
      ssoOnly?: boolean;
      json?: boolean;
    }) => {
      if (!(ROLES as readonly string[]).includes(opts.role))
        throw new Error(`--role must be one of ${ROLES.join(', ')}`);
      const given = opts.passwordStdin ? await readStdin() : undefined;
      const password = opts.ssoOnly ? undefined : (given ?? oneTimePassword());
      await withContainer(opts, async (c) => {
        const user = await c.console.users.create({
          username: opts.username,
          role: opts.role as Role,
          ...(password !== undefined ? { password } : {}),
          appIds: opts.apps
            ? opts.apps
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : [],
          allApps: Boolean(opts.allApps),
          temporary: password !== undefined && given === undefined,
        });
        await c.console.audit.record(CLI_ACTOR, 'user.create', {
          target: user.username,
          detail: { role: user.role, apps: user.allApps ? 'all' : user.appIds },
        });
        const shown = given === undefined ? password : undefined;
        if (opts.json)
          process.stdout.write(
            `${JSON.stringify({ username: user.username, role: user.role, ...(shown ? { password: shown } : {}) })}\n`,
          );
        else
          process.stdout.write(
            `added ${user.username} (${user.role})${shown ? `\none-time password: ${shown}` : ''}\n`,
          );
      });
    },
  );
}

function listCommand(): Command {
  return withDataOption(new Command('list').description('List console users').option('--json', 'print JSON')).action(
    async (opts: { data?: string; json?: boolean }) => {
      await withContainer(opts, async (c) => {
        const rows = (await c.console.users.list()).map((u) => ({
          username: u.username,
          role: u.role,
          apps: u.allApps ? 'all' : u.appIds.join(','),
          status: u.disabledAt ? 'disabled' : u.lockedUntil && u.lockedUntil > Date.now() ? 'locked' : 'active',
          sso: Boolean(u.oidcSubject),
          last_sign_in: u.lastLoginAt ? new Date(u.lastLoginAt).toISOString() : null,
        }));
        if (opts.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
        else
          for (const r of rows)
            process.stdout.write(
              `${r.username.padEnd(24)} ${r.role.padEnd(8)} ${r.status.padEnd(8)} apps: ${r.apps || 'none'}\n`,
            );
      });
    },
  );
}

function disableCommand(disable: boolean): Command {
  const name = disable ? 'disable' : 'enable';
  return withDataOption(
    new Command(name)
      .description(disable ? 'Disable a console user: their sessions end at once' : 'Enable a disabled console user')
      .argument('<username>'),
  ).action(async (username: string, opts: { data?: string }) => {
    await withContainer(opts, async (c) => {
      const user = await c.console.users.require(username);
      await c.console.users.setDisabled(user, disable);
      if (disable) await c.console.signIns.endAll(user.id);
      await c.console.audit.record(CLI_ACTOR, `user.${name}`, { target: user.username });
      process.stdout.write(`${name}d ${user.username}\n`);
    });
  });
}

export function usersCommand(): Command {
  return new Command('users')
    .description('Manage operator console users (roles: admin, reviewer, viewer)')
    .addCommand(createCommand())
    .addCommand(listCommand())
    .addCommand(disableCommand(true))
    .addCommand(disableCommand(false));
}
