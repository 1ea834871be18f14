import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { AppError, validationError } from '../errors.js';
import type { AppRecord, AppRepository } from '../ports/repositories.port.js';
import { FrameOriginError, parseFrameOrigins } from './frame-origins.js';

// The registry of relying-party apps: an SDK id and the RSA public key its requests are signed with.

export interface CreatedApp {
  app: AppRecord;
  /** Present when openidv generated the key pair; shown once, never stored. */
  privateKeyPem?: string;
}

function normalisePublicKey(pem: string): string {
  let key;
  try {
    key = createPublicKey(pem);
  } catch {
    throw validationError([{ property: 'public_key', message: 'is not a PEM public key' }]);
  }
  if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw validationError([{ property: 'public_key', message: 'must be an RSA key of at least 2048 bits' }]);
  }
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/** `default` (the server's OPENIDV_FRAME_ANCESTORS), `none`, or a list of origins. */
function frameAncestors(raw: string): string[] | null {
  if (raw.trim().toLowerCase() === 'default') return null;
  try {
    return parseFrameOrigins(raw);
  } catch (err) {
    if (err instanceof FrameOriginError) throw validationError([{ property: 'frame_ancestors', message: err.message }]);
    throw err;
  }
}

export class AppService {
  constructor(
    private readonly apps: AppRepository,
    private readonly now: () => number,
  ) {}

  async create(name: string, publicKeyPem?: string, frameOrigins?: string): Promise<CreatedApp> {
    if (!name.trim()) throw validationError([{ property: 'name', message: 'is required' }]);
    let privateKeyPem: string | undefined;
    if (!publicKeyPem) {
      const pair = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      publicKeyPem = pair.publicKey;
      privateKeyPem = pair.privateKey;
    }
    const app: AppRecord = {
      sdkId: randomUUID(),
      name: name.trim(),
      publicKeyPem: normalisePublicKey(publicKeyPem),
      webhookSecret: `whsec_${randomBytes(32).toString('base64')}`,
      createdAt: this.now(),
      revokedAt: null,
      frameAncestors: frameOrigins === undefined ? null : frameAncestors(frameOrigins),
    };
    await this.apps.create(app);
    return privateKeyPem ? { app, privateKeyPem } : { app };
  }

  list(): Promise<AppRecord[]> {
    return this.apps.list();
  }

  /** Which origins may frame the app's capture pages; answers the list now in force for the app. */
  async setFrameAncestors(sdkId: string, raw: string): Promise<string[] | null> {
    const origins = frameAncestors(raw);
    if (!(await this.apps.setFrameAncestors(sdkId, origins)))
      throw new AppError('NOT_FOUND', `No app with SDK id ${sdkId}`);
    return origins;
  }

  async revoke(sdkId: string): Promise<void> {
    if (!(await this.apps.revoke(sdkId, this.now())))
      throw new AppError('NOT_FOUND', `No active app with SDK id ${sdkId}`);
  }
}
