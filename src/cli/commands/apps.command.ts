import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { createContainer, type Container } from '../../runtime/container.js';
import { createLogger } from '../../runtime/logger.js';
import { configFrom, withDataOption } from '../options.js';

export async function withContainer<T>(opts: { data?: string }, fn: (c: Container) => Promise<T>): Promise<T> {
  const config = configFrom(opts);
  const container = await createContainer(config, createLogger('warn'));
  try {
    return await fn(container);
  } finally {
    await container.close();
  }
}

const FRAME_HELP =
  'origins allowed to show this app\'s capture pages in an iframe, separated by spaces or commas (https://shop.example, https://*.example.com), "none", or "default" (OPENIDV_FRAME_ANCESTORS)';

const framing = (origins: string[] | null) =>
  origins === null ? 'default' : origins.length ? origins.join(' ') : 'none';

function createCommand(): Command {
  return withDataOption(
    new Command('create')
      .description('Register a relying-party app; generates a key pair unless --public-key is given')
      .requiredOption('--name <name>', 'display name')
      .option('--public-key <file>', 'PEM RSA public key of an existing key pair')
      .option('--private-key-out <file>', 'where to write the generated private key (default <data>/keys/<sdk_id>.pem)')
      .option('--frame-ancestors <origins>', FRAME_HELP)
      .option('--json', 'print {"sdk_id", "private_key_path", "webhook_secret"} as JSON'),
  ).action(
    async (opts: {
      data?: string;
      name: string;
      publicKey?: string;
      privateKeyOut?: string;
      frameAncestors?: string;
      json?: boolean;
    }) => {
      if (opts.publicKey && opts.privateKeyOut)
        throw new Error('--public-key and --private-key-out exclude each other');
      const publicKey = opts.publicKey ? await readFile(opts.publicKey, 'utf8') : undefined;
      await withContainer(opts, async (c) => {
        const { app, privateKeyPem } = await c.apps.create(opts.name, publicKey, opts.frameAncestors);
        let keyPath: string | undefined;
        if (privateKeyPem) {
          keyPath = resolve(opts.privateKeyOut ?? join(c.config.dataDir, 'keys', `${app.sdkId}.pem`));
          await mkdir(dirname(keyPath), { recursive: true, mode: 0o700 });
          await writeFile(keyPath, privateKeyPem, { mode: 0o600 });
          await chmod(keyPath, 0o600);
        }
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ sdk_id: app.sdkId, ...(keyPath ? { private_key_path: keyPath } : {}), webhook_secret: app.webhookSecret })}\n`,
          );
        } else {
          process.stdout.write(
            `SDK id: ${app.sdkId}\n${keyPath ? `private key: ${keyPath}\n` : ''}webhook secret: ${app.webhookSecret}\n`,
          );
        }
      });
    },
  );
}

function listCommand(): Command {
  return withDataOption(new Command('list').description('List registered apps').option('--json', 'print JSON')).action(
    async (opts: { data?: string; json?: boolean }) => {
      await withContainer(opts, async (c) => {
        const apps = await c.apps.list();
        const rows = apps.map((a) => ({
          sdk_id: a.sdkId,
          name: a.name,
          created: new Date(a.createdAt).toISOString(),
          status: a.revokedAt ? `revoked ${new Date(a.revokedAt).toISOString()}` : 'active',
          frame_ancestors: framing(a.frameAncestors),
        }));
        if (opts.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
        else
          for (const r of rows)
            process.stdout.write(
              `${r.sdk_id}  ${r.status.padEnd(8)}  ${r.created}  ${r.name}  (framed by: ${r.frame_ancestors})\n`,
            );
      });
    },
  );
}

function updateCommand(): Command {
  return withDataOption(
    new Command('update')
      .description("Change an app's settings")
      .argument('<sdk_id>')
      .requiredOption('--frame-ancestors <origins>', FRAME_HELP),
  ).action(async (sdkId: string, opts: { data?: string; frameAncestors: string }) => {
    await withContainer(opts, async (c) => {
      const origins = await c.apps.setFrameAncestors(sdkId, opts.frameAncestors);
      process.stdout.write(`${sdkId}: capture pages may be framed by ${framing(origins)}\n`);
    });
  });
}

function revokeCommand(): Command {
  return withDataOption(
    new Command('revoke').description('Revoke an app: its signatures stop working at once').argument('<sdk_id>'),
  ).action(async (sdkId: string, opts: { data?: string }) => {
    await withContainer(opts, async (c) => {
      await c.apps.revoke(sdkId);
      process.stdout.write(`revoked ${sdkId}\n`);
    });
  });
}

export function appsCommand(): Command {
  return new Command('apps')
    .description('Manage relying-party apps (SDK ids and public keys)')
    .addCommand(createCommand())
    .addCommand(listCommand())
    .addCommand(updateCommand())
    .addCommand(revokeCommand());
}
