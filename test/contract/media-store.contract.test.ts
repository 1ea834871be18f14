import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaStore } from '../../src/domain/ports/media-store.port.js';
import { DiskMediaStore } from '../../src/infra/media/disk-media.store.js';
import { S3MediaStore, S3MediaStoreError } from '../../src/infra/media/s3-media.store.js';
import { startS3Server } from '../helpers/s3-server.js';

// One contract, every adapter: the disk store and the S3 store (against s3rver on loopback, with and without a
// key prefix) must behave the same.
//
// What a prefix means: the store is used with folder prefixes ending in '/' (`<app>/<session>/`,
// `<app>/applicants/<id>/`). A prefix always names a folder: `a/b` and `a/b/` both mean "everything under
// `a/b/`", never `a/bc/...`, so list and deletePrefix cannot reach a sibling whose id starts with the same
// characters.

const s3 = await startS3Server(['media-plain', 'media-prefixed', 'media-raw']);
afterAll(async () => {
  await s3?.stop();
});

interface Adapter {
  name: string;
  available: boolean;
  /** Objects that span several list pages / delete batches of this adapter. */
  manyObjects: number;
  create(): { store: MediaStore; cleanup(): void };
}

// s3rver stores about 150 objects a second, so the S3 adapters page by 100 here; one test below runs the real
// 1000-key pages once.
const S3_TEST_PAGE = 100;

function s3Store(
  bucket: string,
  prefix?: string,
  extra: Partial<ConstructorParameters<typeof S3MediaStore>[0]> = {},
): S3MediaStore {
  return new S3MediaStore({
    bucket,
    endpoint: s3!.endpoint,
    region: s3!.region,
    forcePathStyle: true,
    credentials: s3!.credentials,
    ...(prefix !== undefined ? { prefix } : {}),
    ...extra,
  });
}

const ADAPTERS: Adapter[] = [
  {
    name: 'disk',
    available: true,
    manyObjects: 1105,
    create() {
      const dir = mkdtempSync(join(tmpdir(), 'openidv-media-'));
      const root = join(dir, 'media');
      return { store: new DiskMediaStore(root), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 's3 (s3rver, path-style)',
    available: s3 !== null,
    manyObjects: 2 * S3_TEST_PAGE + 50,
    create() {
      const store = s3Store('media-plain', undefined, { pageSize: S3_TEST_PAGE });
      return { store, cleanup: () => store.close() };
    },
  },
  {
    name: 's3 (s3rver, path-style, key prefix)',
    available: s3 !== null,
    manyObjects: 2 * S3_TEST_PAGE + 50,
    create() {
      const store = s3Store('media-prefixed', 'deployments/eu-1', { pageSize: S3_TEST_PAGE });
      return { store, cleanup: () => store.close() };
    },
  },
];

/** Puts many objects with bounded concurrency. */
async function putAll(store: MediaStore, keys: string[], concurrency = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        await store.put(key, Buffer.from(key), 'text/plain');
      }
    }),
  );
}

for (const adapter of ADAPTERS) {
  describe.skipIf(!adapter.available)(`MediaStore on ${adapter.name}`, () => {
    let store: MediaStore;
    let cleanup: () => void;
    // Every test works under an app id of its own, as the server does.
    let app: string;

    beforeAll(() => {
      ({ store, cleanup } = adapter.create());
    });
    afterAll(() => cleanup?.());
    const fresh = () => (app = randomUUID());

    it('round-trips binary data byte for byte: every byte value, empty, and several MB', async () => {
      fresh();
      const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const large = randomBytes(5 * 1024 * 1024 + 3);
      await store.put(`${app}/s/every-byte`, everyByte, 'application/octet-stream');
      await store.put(`${app}/s/empty`, Buffer.alloc(0), 'application/octet-stream');
      await store.put(`${app}/s/large`, large, 'image/jpeg');
      expect((await store.get(`${app}/s/every-byte`))!.equals(everyByte)).toBe(true);
      expect((await store.get(`${app}/s/empty`))!.length).toBe(0);
      const back = await store.get(`${app}/s/large`);
      expect(back!.length).toBe(large.length);
      expect(back!.equals(large)).toBe(true);
    });

    it('reads a missing key as null', async () => {
      fresh();
      await store.put(`${app}/s/present`, Buffer.from('x'), 'text/plain');
      expect(await store.get(`${app}/s/absent`)).toBeNull();
      expect(await store.get(`${app}/other/absent`)).toBeNull();
      expect(await store.get(`${randomUUID()}/${randomUUID()}/${randomUUID()}`)).toBeNull();
    });

    it('overwrites a key in place', async () => {
      fresh();
      await store.put(`${app}/s/m`, Buffer.from('first version, longer'), 'text/plain');
      await store.put(`${app}/s/m`, Buffer.from('second'), 'text/plain');
      expect((await store.get(`${app}/s/m`))!.toString()).toBe('second');
      expect(await store.list(`${app}/`)).toEqual([`${app}/s/m`]);
    });

    it('deletes one key, idempotently, and nothing beside it', async () => {
      fresh();
      await store.put(`${app}/s/a`, Buffer.from('a'), 'text/plain');
      await store.put(`${app}/s/ab`, Buffer.from('ab'), 'text/plain');
      await store.delete(`${app}/s/a`);
      expect(await store.get(`${app}/s/a`)).toBeNull();
      await store.delete(`${app}/s/a`);
      await store.delete(`${app}/never/existed`);
      expect((await store.get(`${app}/s/ab`))!.toString()).toBe('ab');
    });

    it('deletePrefix erases a folder and nothing else; similar prefixes never collide', async () => {
      fresh();
      const keep = [`${app}/a/bc/1`, `${app}/a/b-c/1`, `${app}/a/b.c/1`, `${app}/a/bcd/1`, `${app}/ab/1`];
      await putAll(store, [`${app}/a/b/1`, `${app}/a/b/2`, `${app}/a/b/deeper/3`, ...keep]);
      await store.deletePrefix(`${app}/a/b/`);
      expect(await store.list(`${app}/`)).toEqual([...keep].sort());
      expect(await store.get(`${app}/a/b/1`)).toBeNull();
      // Without the trailing '/', a prefix still names the folder: a/bc takes a/bc/… but not a/bcd/….
      await store.deletePrefix(`${app}/a/bc`);
      expect(await store.list(`${app}/`)).toEqual([
        `${app}/a/b-c/1`,
        `${app}/a/b.c/1`,
        `${app}/a/bcd/1`,
        `${app}/ab/1`,
      ]);
      await store.deletePrefix(`${app}/nothing/here/`);
      await store.deletePrefix(`${app}/`);
      expect(await store.list(`${app}/`)).toEqual([]);
    });

    it(`deletePrefix and list page through many objects (${adapter.manyObjects})`, async () => {
      fresh();
      const keys = Array.from({ length: adapter.manyObjects }, (_, i) => `${app}/s/${String(i).padStart(5, '0')}`);
      await putAll(store, [...keys, `${app}/t/keep`]);
      const listed = await store.list(`${app}/s/`);
      expect(listed).toHaveLength(adapter.manyObjects);
      expect(listed).toEqual(keys);
      await store.deletePrefix(`${app}/s/`);
      expect(await store.list(`${app}/`)).toEqual([`${app}/t/keep`]);
    });

    it('lists keys under a prefix, sorted, as full keys', async () => {
      fresh();
      await putAll(store, [`${app}/s2/m`, `${app}/s1/b`, `${app}/s1/a`, `${app}/s10/a`]);
      expect(await store.list(`${app}/s1/`)).toEqual([`${app}/s1/a`, `${app}/s1/b`]);
      expect(await store.list(`${app}/s1`)).toEqual([`${app}/s1/a`, `${app}/s1/b`]);
      expect(await store.list(`${app}/`)).toEqual([`${app}/s1/a`, `${app}/s1/b`, `${app}/s10/a`, `${app}/s2/m`]);
      expect(await store.list(`${app}/none/`)).toEqual([]);
      expect(await store.list(`${randomUUID()}/`)).toEqual([]);
      const everything = await store.list('');
      expect(everything).toEqual(expect.arrayContaining([`${app}/s1/a`, `${app}/s10/a`]));
    });

    it('accepts the keys the server makes: uuids and slashes, sessions and applicants', async () => {
      fresh();
      const session = randomUUID();
      const applicant = randomUUID();
      const keys = [
        `${app}/${session}/${randomUUID()}`,
        `${app}/${session}/${randomUUID()}`,
        `${app}/applicants/${applicant}/${randomUUID()}`,
      ];
      for (const [i, key] of keys.entries()) await store.put(key, Buffer.from([i]), 'image/png');
      for (const [i, key] of keys.entries()) expect([...(await store.get(key))!]).toEqual([i]);
      expect(await store.list(`${app}/${session}/`)).toEqual(keys.slice(0, 2).sort());
      await store.deletePrefix(`${app}/${session}/`);
      expect(await store.list(`${app}/`)).toEqual([keys[2]]);
      await store.deletePrefix(`${app}/applicants/${applicant}/`);
      expect(await store.list(`${app}/`)).toEqual([]);
    });

    it('refuses keys and prefixes that escape the store, and never erases the whole store', async () => {
      fresh();
      await store.put(`${app}/s/m`, Buffer.from('x'), 'text/plain');
      for (const key of ['../escape', '../../etc/passwd', '/etc/passwd', `${app}/../../escape`, '']) {
        await expect(store.put(key, Buffer.from('x'), 'text/plain'), key).rejects.toThrow();
        await expect(store.get(key), key).rejects.toThrow();
        await expect(store.delete(key), key).rejects.toThrow();
      }
      for (const prefix of ['../', '../../', `${app}/../../`]) {
        await expect(store.deletePrefix(prefix), prefix).rejects.toThrow();
        await expect(store.list(prefix), prefix).rejects.toThrow();
      }
      for (const prefix of ['', '/', '//'])
        await expect(store.deletePrefix(prefix), JSON.stringify(prefix)).rejects.toThrow();
      expect(await store.list(`${app}/`)).toEqual([`${app}/s/m`]);
    });
  });
}

describe('DiskMediaStore beyond the contract', () => {
  it('writes nothing outside its root for an escaping key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openidv-media-'));
    try {
      const store: MediaStore = new DiskMediaStore(join(dir, 'root'));
      await expect(store.put('../outside', Buffer.from('x'), 'text/plain')).rejects.toThrow('escapes');
      await expect(store.put('../root-sibling/x', Buffer.from('x'), 'text/plain')).rejects.toThrow('escapes');
      expect(existsSync(join(dir, 'outside'))).toBe(false);
      expect(existsSync(join(dir, 'root-sibling'))).toBe(false);
      expect(existsSync(dirname(join(dir, 'root-sibling', 'x')))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(s3 === null)('S3MediaStore beyond the contract', () => {
  const raw = () =>
    new S3Client({ endpoint: s3!.endpoint, region: s3!.region, forcePathStyle: true, credentials: s3!.credentials });

  it('sets the content type on the object and keeps every key under its prefix', async () => {
    const store = s3Store('media-raw', 'tenant-a/');
    const client = raw();
    try {
      const key = `${randomUUID()}/${randomUUID()}/${randomUUID()}`;
      await store.put(key, Buffer.from([0xff, 0xd8, 0xff]), 'image/jpeg');
      const head = await client.send(new HeadObjectCommand({ Bucket: 'media-raw', Key: `tenant-a/${key}` }));
      expect(head.ContentType).toBe('image/jpeg');
      expect(head.ContentLength).toBe(3);
      const all = await client.send(new ListObjectsV2Command({ Bucket: 'media-raw' }));
      expect(all.Contents?.map((o) => o.Key)).toEqual([`tenant-a/${key}`]);
    } finally {
      store.close();
      client.destroy();
    }
  });

  it('erases more than 1000 objects under a prefix with full-size pages and batches', async () => {
    const store = s3Store('media-raw', 'paging');
    try {
      const app = randomUUID();
      const keys = Array.from({ length: 1001 }, (_, i) => `${app}/s/${String(i).padStart(5, '0')}`);
      await putAll(store, [...keys, `${app}/t/keep`], 32);
      expect(await store.list(`${app}/s/`)).toEqual(keys);
      await store.deletePrefix(`${app}/s/`);
      expect(await store.list(`${app}/`)).toEqual([`${app}/t/keep`]);
    } finally {
      store.close();
    }
  });

  it('keeps two prefixes in one bucket apart: neither lists nor erases the other', async () => {
    const a = s3Store('media-raw', 'iso-a');
    const b = s3Store('media-raw', 'iso-ab');
    try {
      const app = randomUUID();
      await a.put(`${app}/s/1`, Buffer.from('a'), 'text/plain');
      await b.put(`${app}/s/1`, Buffer.from('b'), 'text/plain');
      expect(await b.list('')).toEqual([`${app}/s/1`]);
      await b.deletePrefix(`${app}/`);
      expect((await a.get(`${app}/s/1`))!.toString()).toBe('a');
      expect(await b.get(`${app}/s/1`)).toBeNull();
    } finally {
      a.close();
      b.close();
    }
  });

  it('is what the configuration builds for OPENIDV_MEDIA_STORE=s3, with credentials from the default chain', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = s3!.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3!.credentials.secretAccessKey;
    const { loadConfig } = await import('../../src/config/config.js');
    const { createMediaStore } = await import('../../src/runtime/container.js');
    const config = loadConfig({
      OPENIDV_S3_BUCKET: 'media-raw',
      OPENIDV_S3_ENDPOINT: s3!.endpoint,
      OPENIDV_S3_PREFIX: '/from-config/',
    });
    const store = createMediaStore(config);
    try {
      expect(store).toBeInstanceOf(S3MediaStore);
      const key = `${randomUUID()}/${randomUUID()}/${randomUUID()}`;
      await store.put(key, Buffer.from('configured'), 'text/plain');
      expect((await s3Store('media-raw', 'from-config').get(key))!.toString()).toBe('configured');
      await store.deletePrefix(key.split('/')[0]!);
      expect(await store.list('')).toEqual([]);
    } finally {
      (store as S3MediaStore).close();
      for (const [name, value] of [
        ['AWS_ACCESS_KEY_ID', saved.id],
        ['AWS_SECRET_ACCESS_KEY', saved.secret],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('refuses a key prefix that is not a plain folder path', () => {
    for (const prefix of ['a/../b', 'a//b', '..'])
      expect(() => s3Store('media-raw', prefix), prefix).toThrow('invalid S3 key prefix');
  });

  it('reports a missing bucket as an error, not as missing media', async () => {
    const store = s3Store('no-such-bucket');
    try {
      await expect(store.get('a/b/c')).rejects.toBeInstanceOf(S3MediaStoreError);
      await expect(store.delete('a/b/c')).rejects.toBeInstanceOf(S3MediaStoreError);
      await expect(store.list('a/')).rejects.toBeInstanceOf(S3MediaStoreError);
    } finally {
      store.close();
    }
  });

  it('never puts credentials or signing material into its errors', async () => {
    const accessKeyId = 'AKIAOPENIDVTESTKEY01';
    const secretAccessKey = 'openidv-test-secret-do-not-log';
    const store = s3Store('media-raw', undefined, { credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
    try {
      const err = await store.put('a/b/c', Buffer.from('x'), 'text/plain').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(S3MediaStoreError);
      const e = err as S3MediaStoreError;
      expect(e.status).toBe(403);
      const everything = [
        e.message,
        e.stack ?? '',
        JSON.stringify(e),
        JSON.stringify(Object.getOwnPropertyDescriptors(e)),
      ].join('\n');
      for (const secret of [accessKeyId, secretAccessKey, 'StringToSign', 'Credential=', 'Signature='])
        expect(everything).not.toContain(secret);
    } finally {
      store.close();
    }
  });

  it('gives up on an unreachable endpoint within bounded time, with a clean error', async () => {
    const store = new S3MediaStore({
      bucket: 'media',
      endpoint: 'http://127.0.0.1:9', // discard port: nothing listens
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: s3!.credentials,
      connectionTimeoutMs: 1000,
    });
    const started = Date.now();
    try {
      await expect(store.get('a/b/c')).rejects.toBeInstanceOf(S3MediaStoreError);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      store.close();
    }
  });
});
