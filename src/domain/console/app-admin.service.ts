import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import type { AppAdminRepository } from '../ports/console-repository.port.js';

// Key and webhook-secret rotation from the console. A new key pair replaces the old public key at once (the old
// private key stops working); the private key is shown once and never stored.

export class AppAdminService {
  constructor(private readonly apps: AppAdminRepository) {}

  async rotateKey(sdkId: string): Promise<string> {
    const pair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    if (!(await this.apps.setPublicKey(sdkId, pair.publicKey)))
      throw new AppError('NOT_FOUND', 'No active app with this SDK id');
    return pair.privateKey;
  }

  async rotateWebhookSecret(sdkId: string): Promise<string> {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    if (!(await this.apps.setWebhookSecret(sdkId, secret)))
      throw new AppError('NOT_FOUND', 'No active app with this SDK id');
    return secret;
  }
}
