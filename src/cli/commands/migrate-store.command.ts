import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../config/config.js';
import type { MediaStore } from '../../domain/ports/media-store.port.js';
import { type Database, openDatabase } from '../../infra/db/database.js';
import { migrateStore, StoreMigrationError } from '../../tools/store-migration/store-migration.js';
import { DiskMediaStore } from '../../infra/media/disk-media.store.js';
import { S3MediaStore } from '../../infra/media/s3-media.store.js';

interface Options {
  from: string;
  to: string;
  mediaFrom?: string;
  mediaTo?: string;
  batchSize: number;
  json?: boolean;
}

const isUrl = (v: string) => /^(sqlite:|postgres(ql)?:\/\/)/.test(v);

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('not a positive integer');
  return n;
};

/** A data folder or a URL; a SQLite source must exist (opening a missing file would create an empty store). */
function sourceUrl(from: string): string {
  const url = isUrl(from) ? from : `sqlite:${join(resolve(from), 'openidv.db')}`;
  if (url.startsWith('sqlite:') && !existsSync(url.slice('sqlite:'.length)))
    throw new StoreMigrationError(`no SQLite database at ${url.slice('sqlite:'.length)}`);
  return url;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/** `s3`: the bucket the servers will use (OPENIDV_S3_* and AWS_* variables), or a folder for a disk store. */
function targetMedia(value: string): { store: MediaStore; label: string } {
  if (value !== 's3') return { store: new DiskMediaStore(resolve(value)), label: resolve(value) };
  const media = loadConfig({ ...process.env, OPENIDV_MEDIA_STORE: 's3' }).media;
  if (media.kind !== 's3') throw new StoreMigrationError('OPENIDV_S3_BUCKET is required for --media-to s3');
  const { bucket, endpoint, region, forcePathStyle, prefix } = media;
  return {
    store: new S3MediaStore({ bucket, endpoint, region, forcePathStyle, prefix }),
    label: `s3://${bucket}/${prefix}`,
  };
}

export function migrateStoreCommand(): Command {
  return new Command('migrate-store')
    .description(
      'Copy an install (every table, and the media with --media-to) into an empty database and media store, e.g. the embedded ' +
        'SQLite + disk default to PostgreSQL + S3. Stop every openidv process on the source first.',
    )
    .requiredOption('--from <dir|url>', 'source: a data folder (its openidv.db and media/) or a DATABASE_URL')
    .requiredOption('--to <url>', 'target DATABASE_URL (postgres://… or sqlite:<file>); it must hold no rows')
    .option('--media-from <dir>', 'source media folder (default: <from>/media when --from is a folder)')
    .option(
      '--media-to <s3|dir>',
      'copy the media: "s3" (the bucket of the OPENIDV_S3_* variables) or a folder; without it media stay where they are',
    )
    .option('--batch-size <n>', 'rows per read and insert', positive, 500)
    .option('--json', 'print the report as JSON')
    .action(async (opts: Options) => {
      if (!isUrl(opts.to))
        throw new InvalidArgumentError('--to must be a DATABASE_URL (postgres://… or sqlite:<file>)');
      const fromUrl = sourceUrl(opts.from);
      if (fromUrl === opts.to) throw new StoreMigrationError('--from and --to name the same database');
      let media: { from: MediaStore; to: MediaStore } | undefined;
      let mediaLabel = 'not copied (processes keep using the current media store)';
      if (opts.mediaTo) {
        const fromDir = opts.mediaFrom
          ? resolve(opts.mediaFrom)
          : isUrl(opts.from)
            ? undefined
            : join(resolve(opts.from), 'media');
        if (!fromDir)
          throw new StoreMigrationError('--media-from <dir> is required with --media-to when --from is a URL');
        // An install that never stored an image has no media folder yet; a folder named explicitly must exist.
        if (opts.mediaFrom && (!existsSync(fromDir) || !statSync(fromDir).isDirectory()))
          throw new StoreMigrationError(`no media folder at ${fromDir}`);
        const to = targetMedia(opts.mediaTo);
        if (to.label === fromDir) throw new StoreMigrationError('--media-to names the source media folder');
        media = { from: new DiskMediaStore(fromDir), to: to.store };
        mediaLabel = `${fromDir} -> ${to.label}`;
      }
      const log = (m: string) => {
        if (!opts.json) process.stdout.write(`${m}\n`);
      };
      log(`openidv migrate-store\n  database: ${redact(fromUrl)} -> ${redact(opts.to)}\n  media:    ${mediaLabel}`);

      let source: Database | undefined;
      let target: Database | undefined;
      try {
        source = openDatabase(fromUrl, { poolSize: 2 });
        target = openDatabase(opts.to, { poolSize: 2 });
        const report = await migrateStore({
          source,
          target,
          ...(media ? { media } : {}),
          batchSize: opts.batchSize,
          onProgress: log,
        });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        } else {
          const width = Math.max(...Object.keys(report.tables).map((t) => t.length));
          log('\nrows copied (verified equal in source and target):');
          for (const [table, n] of Object.entries(report.tables)) log(`  ${table.padEnd(width)}  ${n}`);
          for (const [column, next] of Object.entries(report.nextKeys)) log(`  next ${column}: ${next}`);
          if (report.media) {
            log(`media objects copied: ${report.media.objects} (${report.media.bytes} bytes)`);
            if (report.media.missing.length)
              log(
                `  ${report.media.missing.length} objects named by rows were already absent from the source (first: ${report.media.missing[0]})`,
              );
          }
          log(
            `done in ${(report.durationMs / 1000).toFixed(1)} s. Start the processes with DATABASE_URL set to the target` +
              `${media && opts.mediaTo === 's3' ? ' and the same OPENIDV_S3_* variables' : ''}, and the same OPENIDV_EMBEDDING_KEY as before (if any).`,
          );
        }
      } finally {
        await source?.close();
        await target?.close();
        (media?.to as { close?: () => void } | undefined)?.close?.();
      }
    });
}
