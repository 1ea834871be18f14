import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DiskMediaStore } from './disk-media.store.js';

// Temporary files of interrupted writes: outside the key space (never listed, never addressable), and swept
// once old enough that no live write can own them.

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'openidv-disk-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

it('writes through a temporary file outside the session folder and leaves only the media', async () => {
  const store = new DiskMediaStore(root);
  await store.put('app/session/media', Buffer.from('image bytes'));
  expect(readdirSync(join(root, 'app', 'session'))).toEqual(['media']);
  expect(readdirSync(join(root, '.tmp'))).toEqual([]);
  expect(await store.list('')).toEqual(['app/session/media']);
});

it('never lists or addresses the temporary folder, and sweeps only stale files in it', async () => {
  const store = new DiskMediaStore(root);
  await store.put('app/session/media', Buffer.from('image bytes'));
  const stale = join(root, '.tmp', 'killed-mid-write.tmp');
  const live = join(root, '.tmp', 'being-written.tmp');
  writeFileSync(stale, 'half an image');
  writeFileSync(live, 'half an image');
  const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
  utimesSync(stale, tenMinutesAgo, tenMinutesAgo);

  expect(await store.list('')).toEqual(['app/session/media']);
  await expect(store.get('.tmp/killed-mid-write.tmp')).rejects.toThrow(/temporary/);
  await expect(store.deletePrefix('.tmp/')).rejects.toThrow(/temporary/);

  expect(await store.sweepTemporary(5 * 60_000)).toBe(1);
  expect(readdirSync(join(root, '.tmp'))).toEqual(['being-written.tmp']);
  expect(await store.get('app/session/media')).toEqual(Buffer.from('image bytes'));
});

it('sweeps nothing when no write ever ran', async () => {
  mkdirSync(root, { recursive: true });
  expect(await new DiskMediaStore(root).sweepTemporary(0)).toBe(0);
});
