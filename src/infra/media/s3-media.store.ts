import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { MediaStore } from '../../domain/ports/media-store.port.js';

export interface S3MediaStoreOptions {
  bucket: string;
  /** S3-compatible endpoint (MinIO, Ceph, s3rver…); AWS when absent. */
  endpoint?: string | undefined;
  region: string;
  /** `endpoint/bucket/key` instead of `bucket.endpoint/key`: needed by most self-hosted servers and IP endpoints. */
  forcePathStyle?: boolean;
  /** Folder inside the bucket that holds every key of this store (normalised to end with '/'). */
  prefix?: string;
  /** Tests only: production takes credentials from the AWS SDK's default chain. */
  credentials?: S3ClientConfig['credentials'];
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxAttempts?: number;
  /** Keys per ListObjectsV2 page and DeleteObjects batch: 1000, the S3 maximum (tests use less). */
  pageSize?: number;
}

/**
 * An S3 failure reduced to what an operator needs: the SDK's error objects carry the raw response and, for
 * signature errors, the access key id and string-to-sign; none of that may reach a log line.
 */
export class S3MediaStoreError extends Error {
  constructor(
    readonly operation: string,
    readonly code: string,
    readonly status: number | undefined,
    readonly requestId: string | undefined,
  ) {
    super(
      `S3 media store: ${operation} failed (${code}${status ? `, HTTP ${status}` : ''}${requestId ? `, request id ${requestId}` : ''})`,
    );
    this.name = 'S3MediaStoreError';
  }
}

interface SdkError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** The object is absent; a missing bucket (also a 404) is a configuration error and must not read as "no media". */
const missingObject = (err: unknown): boolean => {
  const e = (err ?? {}) as SdkError;
  return e.name === 'NoSuchKey' || (e.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket');
};

function sanitize(operation: string, err: unknown): S3MediaStoreError {
  const e = (err ?? {}) as SdkError;
  const code = typeof e.name === 'string' && /^[\w.-]{1,64}$/.test(e.name) ? e.name : 'Error';
  return new S3MediaStoreError(operation, code, e.$metadata?.httpStatusCode, e.$metadata?.requestId);
}

// Keys are `<app>/<session>/<media>` or `<app>/applicants/<applicant>/<face>`. Refusing dot segments, empty
// segments and control characters keeps one tenant's key from naming another's object through a server or
// proxy that normalises paths, and keeps the S3 and disk stores accepting the same keys.
function checkKey(key: string): void {
  if (
    !key ||
    key.length > 900 ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a key may not hold
    /[\u0000-\u001f\u007f\\]/.test(key) ||
    key.split('/').some((s) => s === '' || s === '.' || s === '..')
  ) {
    throw new Error('invalid media key');
  }
}

/** A prefix names a folder: `a/b` and `a/b/` both mean everything under `a/b/`, never `a/bc`. */
function folder(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  if (!trimmed) return '';
  checkKey(trimmed);
  return `${trimmed}/`;
}

// Media on S3-compatible object storage. Objects are private (no ACLs are set); the bucket's own default
// encryption applies. Erasure deletes current objects: the bucket must not keep versions (see deployment docs).
export class S3MediaStore implements MediaStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly root: string;
  private readonly pageSize: number;

  constructor(options: S3MediaStoreOptions) {
    this.bucket = options.bucket;
    this.pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 1000));
    try {
      this.root = folder((options.prefix ?? '').replace(/^\/+/, ''));
    } catch {
      throw new Error('invalid S3 key prefix: use folder names separated by "/", without "." or ".." segments');
    }
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Standard retry mode: throttling, 5xx and timeouts are retried with jittered back-off.
      retryMode: 'standard',
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: {
        connectionTimeout: options.connectionTimeoutMs ?? 5_000,
        requestTimeout: options.requestTimeoutMs ?? 60_000,
        throwOnRequestTimeout: true,
      },
      // Self-hosted S3 servers often reject or mishandle the SDK's newer default checksum headers; the media
      // rows hold a SHA-256 of every object anyway.
      ...(options.endpoint
        ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
        : {}),
    });
  }

  private objectKey(key: string): string {
    checkKey(key);
    return this.root + key;
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: data,
          ContentLength: data.length,
          ContentType: contentType || 'application/octet-stream',
        }),
      );
    } catch (err) {
      throw sanitize('PutObject', err);
    }
  }

  async get(key: string): Promise<Buffer | null> {
    const Key = this.objectKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      if (!res.Body) return Buffer.alloc(0);
      const bytes = await res.Body.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      if (missingObject(err)) return null;
      throw sanitize('GetObject', err);
    }
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (err) {
      // S3 answers 204 for a missing key; some compatible servers answer 404 NoSuchKey.
      if (missingObject(err)) return;
      throw sanitize('DeleteObject', err);
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    const under = folder(prefix);
    if (!under) throw new Error('refusing to delete the whole media store');
    // Each listed page (at most 1000 keys, the DeleteObjects limit too) is deleted before the next is read.
    for await (const keys of this.pages(this.root + under, 'deletePrefix')) {
      if (!keys.length) continue;
      let res;
      try {
        res = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }),
        );
      } catch (err) {
        throw sanitize('DeleteObjects', err);
      }
      const failed = res.Errors?.filter((e) => e.Code !== 'NoSuchKey') ?? [];
      if (failed.length)
        throw new S3MediaStoreError(
          'DeleteObjects',
          `${failed[0]?.Code ?? 'Error'} on ${failed.length} object(s)`,
          undefined,
          res.$metadata.requestId,
        );
    }
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    for await (const keys of this.pages(this.root + folder(prefix), 'ListObjectsV2')) {
      for (const k of keys) out.push(k.slice(this.root.length));
    }
    return out.sort();
  }

  private async *pages(prefix: string, operation: string): AsyncGenerator<string[]> {
    let token: string | undefined;
    do {
      let res;
      try {
        res = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            MaxKeys: this.pageSize,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
      } catch (err) {
        throw sanitize(operation, err);
      }
      yield (res.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  }

  /** Closes pooled connections (the port has no close; the container may call this when it has one). */
  close(): void {
    this.client.destroy();
  }
}
