import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { MediaStore } from '../../domain/ports/media-store.port.js';

/** Temporary files live here, outside the key space: a crash never leaves one where media are looked up. */
const TEMP_DIR = '.tmp';

// Media on local disk: one file per key. Writes go to a temporary file (in the store's own `.tmp` folder, on the
// same file system so the rename is atomic) that is fsynced and renamed, so a crash never leaves a half-written
// image behind a committed media row, nor a stray file among a session's media.
export class DiskMediaStore implements MediaStore {
  private readonly root: string;
  private readonly temp: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.temp = join(this.root, TEMP_DIR);
  }

  private path(key: string): string {
    const full = resolve(this.root, key);
    if (!full.startsWith(this.root + sep)) throw new Error('media key escapes the store');
    if (full === this.temp || full.startsWith(this.temp + sep)) throw new Error('media key names the temporary folder');
    return full;
  }

  async put(key: string, data: Buffer): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    await mkdir(this.temp, { recursive: true, mode: 0o700 });
    const tmp = join(this.temp, `${randomUUID()}.tmp`);
    try {
      const handle = await open(tmp, 'w', 0o600);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.path(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (!prefix.replace(/\/+$/, '')) throw new Error('refusing to delete the whole media store');
    const target = this.path(prefix.replace(/\/+$/, ''));
    await rm(target, { recursive: true, force: true });
  }

  async list(prefix: string): Promise<string[]> {
    const trimmed = prefix.replace(/\/+$/, '');
    const base = trimmed ? this.path(trimmed) : this.root;
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (p === this.temp) continue;
        if (e.isDirectory()) await walk(p);
        // Releases before the .tmp folder wrote temporary files beside their target; never media.
        else if (!e.name.endsWith('.tmp')) out.push(relative(this.root, p).split(sep).join('/'));
      }
    };
    await walk(base);
    return out.sort();
  }

  async sweepTemporary(olderThanMs: number): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.temp);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let removed = 0;
    const cutoff = Date.now() - olderThanMs;
    for (const name of names) {
      const p = join(this.temp, name);
      const info = await stat(p).catch(() => null);
      if (info && info.mtimeMs < cutoff) {
        await rm(p, { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }
}
