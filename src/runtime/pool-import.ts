import { createHash, randomUUID } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { AppError } from '../domain/errors.js';
import { FaceEngineError } from '../domain/ports/face-engine.port.js';
import type { Container } from './container.js';

// Bulk enrolment from a folder: one applicant per image file, or per sub-folder (several faces of one
// person). Resumable: a journal records each entry's chosen applicant id before enrolling it and the outcome
// after, so a restart skips finished entries and settles an interrupted one without creating a duplicate.

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

export interface ImportEntry {
  name: string;
  files: string[];
}

export interface ImportProgress {
  done: number;
  total: number;
  enrolled: number;
  refused: number;
  skipped: number;
}

export interface ImportSummary extends ImportProgress {
  /** Entries refused whole, and single images left out of an otherwise enrolled sub-folder. */
  refusals: { name: string; code: string; message: string }[];
  seconds: number;
  journal: string;
}

type JournalLine = {
  entry: string;
  applicant: string;
  status: 'pending' | 'enrolled' | 'refused';
  code?: string;
  message?: string;
};

/** One journal per (pool, source folder), in the data folder. */
export function journalPath(dataDir: string, poolId: string, dir: string): string {
  return join(
    dataDir,
    'imports',
    `${poolId}-${createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 12)}.jsonl`,
  );
}

export async function listEntries(dir: string): Promise<ImportEntry[]> {
  const entries: ImportEntry[] = [];
  for (const item of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const isDir = item.isDirectory() || (item.isSymbolicLink() && (await stat(join(dir, item.name))).isDirectory());
    if (isDir) {
      const files = (await readdir(join(dir, item.name)))
        .filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()))
        .sort()
        .map((f) => join(dir, item.name, f));
      if (files.length) entries.push({ name: item.name, files });
    } else if (IMAGE_EXTENSIONS.has(extname(item.name).toLowerCase())) {
      entries.push({ name: item.name, files: [join(dir, item.name)] });
    }
  }
  return entries;
}

async function readJournal(path: string): Promise<Map<string, JournalLine>> {
  const state = new Map<string, JournalLine>();
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return state;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = JSON.parse(line) as JournalLine;
      state.set(parsed.entry, parsed);
    } catch {
      // A torn last line from a crash: ignore it; the entry is settled again.
    }
  }
  return state;
}

export async function importPool(
  c: Container,
  opts: { appId: string; poolId: string; dir: string; concurrency: number; onProgress?: (p: ImportProgress) => void },
): Promise<ImportSummary> {
  const started = Date.now();
  const dir = resolve(opts.dir);
  const journal = journalPath(c.config.dataDir, opts.poolId, dir);
  await mkdir(dirname(journal), { recursive: true });
  const state = await readJournal(journal);
  const write = (line: JournalLine) => {
    state.set(line.entry, line);
    return appendFile(journal, `${JSON.stringify(line)}\n`);
  };

  const entries = await listEntries(dir);
  const progress: ImportProgress = { done: 0, total: entries.length, enrolled: 0, refused: 0, skipped: 0 };
  const refusals: ImportSummary['refusals'] = [];

  const settle = async (entry: ImportEntry) => {
    const previous = state.get(entry.name);
    if (previous?.status === 'enrolled' || previous?.status === 'refused') {
      progress.skipped++;
      return;
    }
    // An interrupted entry whose applicant exists was enrolled: finish its membership instead of duplicating it.
    if (previous?.status === 'pending' && (await c.poolRepo.getApplicant(opts.appId, previous.applicant))) {
      await c.pools.addMember(opts.appId, opts.poolId, previous.applicant);
      await write({ ...previous, status: 'enrolled' });
      progress.enrolled++;
      return;
    }
    const applicant = previous?.applicant ?? randomUUID();
    await write({ entry: entry.name, applicant, status: 'pending' });
    try {
      const faces = await Promise.all(entry.files.map(async (f) => ({ bytes: await readFile(f) })));
      const { refused } = await c.pools.createApplicantWithFaces(opts.appId, faces, applicant, true);
      for (const r of refused)
        refusals.push({
          name: `${entry.name}/${basename(entry.files[r.index]!)}`,
          code: r.error.code,
          message: r.error.message,
        });
      await c.pools.addMember(opts.appId, opts.poolId, applicant);
      await write({ entry: entry.name, applicant, status: 'enrolled' });
      progress.enrolled++;
    } catch (err) {
      const refusal =
        err instanceof AppError
          ? { code: err.code, message: err.message }
          : err instanceof FaceEngineError && err.code !== 'ENGINE_OVERLOADED' && err.code !== 'ENGINE_UNAVAILABLE'
            ? { code: err.code, message: err.message }
            : null;
      if (!refusal) throw err;
      await write({ entry: entry.name, applicant, status: 'refused', ...refusal });
      refusals.push({ name: entry.name, ...refusal });
      progress.refused++;
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const entry = entries[next++]!;
      await settle(entry);
      progress.done++;
      opts.onProgress?.(progress);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  for (const line of state.values()) {
    if (line.status === 'refused' && !refusals.some((r) => r.name === line.entry)) {
      refusals.push({ name: line.entry, code: line.code ?? 'REFUSED', message: line.message ?? '' });
    }
  }
  return { ...progress, refusals, seconds: (Date.now() - started) / 1000, journal };
}
