import { resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import { MODEL_SET_ID_PATTERN } from '../domain/models/model-set.types.js';
import { LIVENESS_THRESHOLD } from './face-thresholds.js';
import { DEFAULT_FACE_INDEX_OPTIONS } from './face-index-options.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './image-limits.js';
import { FrameOriginError, parseFrameOrigins } from '../domain/apps/frame-origins.js';
import type { CaptureLimits } from '../domain/capture/capture-limits.js';
import type { SessionPolicy } from '../domain/sessions/session-policy.js';
import { type ConsoleConfig, consoleConfig } from './console-config.js';

// Configuration is parsed once from the environment (plus CLI overrides), validated, frozen and passed in.
// Nothing else reads process.env.

export interface Config {
  readonly host: string;
  readonly port: number;
  /** Embedded default: SQLite file and media folder live here. */
  readonly dataDir: string;
  /** `sqlite:<path>` (default, under dataDir) or `postgres://…`. */
  readonly databaseUrl: string;
  readonly media: MediaConfig;
  /** PostgreSQL connections per process. */
  readonly databasePoolSize: number;
  readonly logLevel: string;
  /** Largest upload body in bytes (multipart uploads, JSON bodies carrying a base64 image); 413 above it. */
  readonly bodyLimit: number;
  /** Largest body in bytes of every other route (session specifications, pools, small JSON); 413 above it. */
  readonly jsonBodyLimit: number;
  /** Longest time a client may take to send one whole request (headers and body); 408 after it. */
  readonly requestTimeoutMs: number;
  /** Proxies (addresses, CIDRs, named ranges) whose X-Forwarded-For is believed; empty = none. */
  readonly trustProxy: readonly string[];
  /** Reject a signed request whose nonce was already seen for the same app (on by default). */
  readonly nonceGuard: boolean;
  /** Node-style epoch-ms timestamps older than this are refused, and nonces are kept twice this; 0 = not read. */
  readonly nonceWindowSec: number;
  /** Optional clock-skew window in seconds for Node-style epoch-ms timestamps; 0 disables the check. */
  readonly maxClockSkewSec: number;
  /** Requests per minute per app (signed API) or per client session (capture API), per process; 0 = off. */
  readonly rateLimitPerMinute: number;
  /** Unauthenticated requests (failed or missing credentials) per minute per client address, per process; 0 = off. */
  readonly unauthenticatedRateLimitPerMinute: number;
  readonly sessions: SessionPolicy;
  readonly capture: CaptureLimits;
  readonly images: ImageConfig;
  readonly workers: WorkerConfig;
  readonly face: FaceConfig;
  readonly webhooks: WebhookConfig;
  readonly documents: { readonly deadlineMs: number };
  /** Base64 AES-256 key: face embeddings are encrypted at rest when set. */
  readonly embeddingKey: string | undefined;
  readonly metrics: MetricsConfig;
  readonly page: PageConfig;
  /** The operator console (/console): sign-in, review, audit. */
  readonly console: ConsoleConfig;
}

export interface MetricsConfig {
  /** Serve /healthz, /readyz and /metrics on this port too (operations only, never the API). */
  readonly port: number | undefined;
  /** Bearer token /metrics requires; with one, /metrics is also served on the API port. */
  readonly token: string | undefined;
}

/** The end-user capture page. */
export interface PageConfig {
  /** Origins that may frame the pages of apps that declare none of their own (empty: framing refused). */
  readonly frameAncestors: readonly string[];
  /** Lifetime of a desktop-to-phone hand-off link (capped by the session's token lifetime). */
  readonly handoffTtlSec: number;
}

export type MediaConfig =
  | { readonly kind: 'disk'; readonly dir: string }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly endpoint: string | undefined;
      readonly region: string;
      readonly forcePathStyle: boolean;
      readonly prefix: string;
    };

export interface ImageConfig {
  /** Checked on every image's header before anything is decoded, by every decoder. */
  readonly limits: DecodeLimits;
  /** Estimated decoding memory of all images being decoded at once in one process. */
  readonly decodeMemoryBytes: number;
  /** Images allowed to wait for decoding memory; beyond it 503 with Retry-After (jobs retry later). */
  readonly decodeQueue: number;
}

export interface WorkerConfig {
  /** Run job workers inside `serve`. */
  readonly inProcess: boolean;
  readonly concurrency: number;
  readonly leaseSec: number;
  readonly pollMs: number;
  /** How often a worker purges expired sessions and settles stale ones. */
  readonly maintenanceMs: number;
  /** On SIGTERM, how long running jobs may take before they go back to the queue. */
  readonly shutdownGraceMs: number;
}

export interface FaceConfig {
  readonly modelsDir: string | undefined;
  /** Pins the active model set (an installed one, or the shipped one); default: the store's active set. */
  readonly modelSet: string | undefined;
  /** Faces re-embedded per job when moving to another model set (a killed worker redoes at most one batch). */
  readonly migrationBatch: number;
  /** A calibration file from `openidv eval faces --calibration-out` (default: the shipped lfw-dev one). */
  readonly calibrationFile: string | undefined;
  /** Passive liveness score at or above which liveness_auth passes (advisory; see docs/accuracy.md). */
  readonly livenessThreshold: number;
  /** Lifetime of a capture challenge. */
  readonly challengeTtlMs: number;
  /** Days a decided liveness capture's frame hashes stay in its tenant's replay ledger. */
  readonly frameLedgerDays: number;
  readonly threads: number;
  readonly maxQueue: number;
  /** Pools up to this many faces are searched exactly; larger ones by the scan index. */
  readonly indexExactLimit: number;
  /** Candidates a scan search re-ranks exactly: recall against latency for pools past the exact limit. */
  readonly indexRerank: number;
  /** Candidates of a scan search's half-code first pass completed before the re-rank. */
  readonly indexShortlist: number;
  /** Threads sharing one scan search (the searching thread included). */
  readonly indexThreads: number;
}

export interface WebhookConfig {
  /** Allow webhook endpoints on loopback/private networks (SSRF guard off). */
  readonly allowPrivateEndpoints: boolean;
  /** Allow plain-http webhook endpoints (default: as allowPrivateEndpoints; https only otherwise). */
  readonly allowHttp: boolean;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

const MiB = 1024 * 1024;

export interface ConfigOverrides {
  port?: number;
  host?: string;
  dataDir?: string;
  workers?: boolean;
}

function modelSetId(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!MODEL_SET_ID_PATTERN.test(raw))
    throw new ConfigError(`OPENIDV_FACE_MODEL_SET must be a model set id (letters, digits, . _ / -), got "${raw}"`);
  return raw;
}

function int(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function num(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max)
    throw new ConfigError(`${name} must be a number in [${min}, ${max}], got "${raw}"`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function frameOrigins(env: Env, name: string): string[] {
  try {
    return parseFrameOrigins(env[name] ?? '');
  } catch (err) {
    if (err instanceof FrameOriginError) throw new ConfigError(`${name}: ${err.message}`);
    throw err;
  }
}

const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * OPENIDV_TRUST_PROXY: unset (or `false`) trusts no proxy, so the connection's address is the client's;
 * otherwise a comma-separated list of proxy addresses, CIDRs or the ranges `loopback`, `linklocal`,
 * `uniquelocal`. `true` and hop counts are refused: both believe X-Forwarded-For from any sender, letting every
 * client choose its own address.
 */
function trustProxy(env: Env): readonly string[] {
  const raw = env.OPENIDV_TRUST_PROXY?.trim() ?? '';
  if (raw === '' || raw.toLowerCase() === 'false') return [];
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const address = ipaddr.IPv4.isValidFourPartDecimal(entry) || ipaddr.IPv6.isValid(entry);
    const cidr = ipaddr.IPv4.isValidCIDRFourPartDecimal(entry) || ipaddr.IPv6.isValidCIDR(entry);
    if (!PROXY_RANGES.includes(entry) && !address && !cidr) {
      throw new ConfigError(
        `OPENIDV_TRUST_PROXY: "${entry}" is not a proxy address, a CIDR or one of ${PROXY_RANGES.join(', ')}`,
      );
    }
  }
  return entries;
}

function mediaConfig(env: Env, dataDir: string): MediaConfig {
  const kind = env.OPENIDV_MEDIA_STORE ?? (env.OPENIDV_S3_BUCKET ? 's3' : 'disk');
  if (kind === 'disk') return { kind, dir: resolve(env.OPENIDV_MEDIA_DIR ?? resolve(dataDir, 'media')) };
  if (kind !== 's3') throw new ConfigError(`OPENIDV_MEDIA_STORE must be disk or s3, got "${kind}"`);
  const bucket = env.OPENIDV_S3_BUCKET;
  if (!bucket) throw new ConfigError('OPENIDV_S3_BUCKET is required when OPENIDV_MEDIA_STORE=s3');
  return {
    kind,
    bucket,
    endpoint: env.OPENIDV_S3_ENDPOINT || undefined,
    region: env.OPENIDV_S3_REGION ?? env.AWS_REGION ?? 'us-east-1',
    forcePathStyle: bool(env, 'OPENIDV_S3_FORCE_PATH_STYLE', Boolean(env.OPENIDV_S3_ENDPOINT)),
    prefix: env.OPENIDV_S3_PREFIX ?? '',
  };
}

function metricsConfig(env: Env): MetricsConfig {
  const token = env.OPENIDV_METRICS_TOKEN || undefined;
  if (token !== undefined && token.length < 16)
    throw new ConfigError('OPENIDV_METRICS_TOKEN must be at least 16 characters');
  const port = env.OPENIDV_METRICS_PORT ? int(env, 'OPENIDV_METRICS_PORT', 0) : undefined;
  if (port !== undefined && port > 65535) throw new ConfigError('OPENIDV_METRICS_PORT must be a port number');
  return { port, token };
}

export function loadConfig(env: Env, overrides: ConfigOverrides = {}): Config {
  const dataDir = resolve(overrides.dataDir ?? env.OPENIDV_DATA_DIR ?? './data');
  const databaseUrl = env.DATABASE_URL || `sqlite:${resolve(dataDir, 'openidv.db')}`;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with sqlite: or postgres://');
  }
  const minTokenTtlSec = int(env, 'OPENIDV_MIN_TOKEN_TTL', 300, 1);
  const config: Config = {
    host: overrides.host ?? env.OPENIDV_HOST ?? '127.0.0.1',
    port: overrides.port ?? int(env, 'OPENIDV_PORT', int(env, 'PORT', 8080)),
    dataDir,
    databaseUrl,
    media: mediaConfig(env, dataDir),
    databasePoolSize: int(env, 'OPENIDV_DATABASE_POOL_SIZE', 10, 1),
    logLevel: env.OPENIDV_LOG_LEVEL ?? 'info',
    bodyLimit: int(env, 'OPENIDV_BODY_LIMIT', 15 * 1024 * 1024, 1024),
    // The largest session specification the SDK builds (10 required documents, each restricting all 5 document
    // types to all 250 countries one by one, 2 KB URLs) measured 91 KB.
    jsonBodyLimit: int(env, 'OPENIDV_JSON_BODY_LIMIT', 256 * 1024, 1024),
    // Without it a client trickling a body holds its buffer for ever (Fastify turns Node's 300 s default off).
    requestTimeoutMs: int(env, 'OPENIDV_REQUEST_TIMEOUT_MS', 120_000, 1000),
    trustProxy: trustProxy(env),
    nonceGuard: bool(env, 'OPENIDV_NONCE_GUARD', true),
    nonceWindowSec: int(env, 'OPENIDV_NONCE_WINDOW', 86400),
    maxClockSkewSec: int(env, 'OPENIDV_MAX_CLOCK_SKEW', 0),
    rateLimitPerMinute: int(env, 'OPENIDV_RATE_LIMIT', 0),
    unauthenticatedRateLimitPerMinute: int(env, 'OPENIDV_UNAUTHENTICATED_RATE_LIMIT', 120),
    sessions: {
      minTokenTtlSec,
      maxTokenTtlSec: int(env, 'OPENIDV_MAX_TOKEN_TTL', 30 * 86400, minTokenTtlSec),
      defaultTokenTtlSec: int(env, 'OPENIDV_DEFAULT_TOKEN_TTL', 900, minTokenTtlSec),
      minResourcesMarginSec: int(env, 'OPENIDV_MIN_RESOURCES_MARGIN', 86400),
      maxResourcesTtlSec: int(env, 'OPENIDV_MAX_RESOURCES_TTL', 365 * 86400, 1),
      defaultResourcesTtlSec: int(env, 'OPENIDV_DEFAULT_RESOURCES_TTL', 7 * 86400, 1),
    },
    capture: {
      maxUploads: int(env, 'OPENIDV_SESSION_MAX_UPLOADS', 110, 1),
      maxUploadBytes: int(env, 'OPENIDV_SESSION_MAX_UPLOAD_MB', 64, 1) * MiB,
      maxEvents: int(env, 'OPENIDV_SESSION_MAX_EVENTS', 200, 1),
      maxAnalyses: int(env, 'OPENIDV_SESSION_MAX_ANALYSES', 300, 1),
      analysesPerMinute: int(env, 'OPENIDV_ANALYSES_PER_MINUTE', 60, 1),
      maxLivenessFrames: int(env, 'OPENIDV_SESSION_MAX_LIVENESS_FRAMES', 1000, 1),
    },
    images: {
      limits: {
        maxPixels: int(env, 'OPENIDV_MAX_IMAGE_PIXELS', DEFAULT_DECODE_LIMITS.maxPixels, 1),
        maxSide: DEFAULT_DECODE_LIMITS.maxSide,
        maxDecodeBytes: int(env, 'OPENIDV_MAX_DECODE_MB', DEFAULT_DECODE_LIMITS.maxDecodeBytes / MiB, 1) * MiB,
      },
      decodeMemoryBytes: int(env, 'OPENIDV_DECODE_MEMORY_MB', 256, 1) * MiB,
      decodeQueue: int(env, 'OPENIDV_DECODE_QUEUE', 32, 0),
    },
    workers: {
      inProcess: overrides.workers ?? bool(env, 'OPENIDV_WORKERS', true),
      concurrency: int(env, 'OPENIDV_WORKER_CONCURRENCY', 4, 1),
      leaseSec: int(env, 'OPENIDV_JOB_LEASE', 60, 1),
      pollMs: int(env, 'OPENIDV_JOB_POLL_MS', 250, 10),
      maintenanceMs: int(env, 'OPENIDV_MAINTENANCE_INTERVAL_MS', 30_000, 100),
      shutdownGraceMs: int(env, 'OPENIDV_SHUTDOWN_GRACE_MS', 30_000, 0),
    },
    face: {
      modelsDir: env.OPENIDV_MODELS_DIR || undefined,
      modelSet: modelSetId(env.OPENIDV_FACE_MODEL_SET),
      migrationBatch: int(env, 'OPENIDV_FACE_MIGRATION_BATCH', 16, 1),
      calibrationFile: env.OPENIDV_FACE_CALIBRATION || undefined,
      livenessThreshold: num(env, 'OPENIDV_LIVENESS_THRESHOLD', LIVENESS_THRESHOLD, 0, 1),
      challengeTtlMs: int(env, 'OPENIDV_CHALLENGE_TTL', 300, 1) * 1000,
      frameLedgerDays: int(env, 'OPENIDV_FRAME_LEDGER_DAYS', 30, 1),
      threads: int(env, 'OPENIDV_FACE_THREADS', 0),
      maxQueue: int(env, 'OPENIDV_FACE_MAX_QUEUE', 64, 1),
      indexExactLimit: int(env, 'OPENIDV_FACE_INDEX_EXACT_LIMIT', DEFAULT_FACE_INDEX_OPTIONS.exactLimit, 0),
      indexRerank: int(env, 'OPENIDV_FACE_INDEX_RERANK', DEFAULT_FACE_INDEX_OPTIONS.rerank, 1),
      indexShortlist: int(env, 'OPENIDV_FACE_INDEX_SHORTLIST', DEFAULT_FACE_INDEX_OPTIONS.shortlist, 1),
      indexThreads: int(env, 'OPENIDV_FACE_INDEX_THREADS', DEFAULT_FACE_INDEX_OPTIONS.searchThreads, 1),
    },
    embeddingKey: env.OPENIDV_EMBEDDING_KEY || undefined,
    metrics: metricsConfig(env),
    page: {
      frameAncestors: frameOrigins(env, 'OPENIDV_FRAME_ANCESTORS'),
      handoffTtlSec: int(env, 'OPENIDV_HANDOFF_TTL', 600, 60),
    },
    documents: { deadlineMs: int(env, 'OPENIDV_DOCUMENT_DEADLINE_MS', 8000, 500) },
    webhooks: {
      allowPrivateEndpoints: bool(env, 'OPENIDV_WEBHOOK_ALLOW_PRIVATE', false),
      allowHttp: bool(env, 'OPENIDV_WEBHOOK_ALLOW_HTTP', bool(env, 'OPENIDV_WEBHOOK_ALLOW_PRIVATE', false)),
      maxAttempts: int(env, 'OPENIDV_WEBHOOK_MAX_ATTEMPTS', 8, 1),
      timeoutMs: int(env, 'OPENIDV_WEBHOOK_TIMEOUT_MS', 10_000, 100),
    },
    console: consoleConfig(env, { int: (n, f, m) => int(env, n, f, m), bool: (n, f) => bool(env, n, f) }, (m) => {
      throw new ConfigError(m);
    }),
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
