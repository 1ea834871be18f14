import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../../domain/ports/password-hasher.port.js';

/**
 * argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane): memory-hard, so a stolen table costs a GPU farm
 * as much per guess as it costs us per sign-in. The PHC string carries its parameters, so raising them later
 * keeps old hashes verifiable.
 */
export const ARGON2_OPTIONS = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export class Argon2PasswordHasher implements PasswordHasher {
  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  async verify(phc: string, password: string): Promise<boolean> {
    try {
      return await verify(phc, password);
    } catch {
      return false; // a malformed stored hash never signs anyone in
    }
  }
}
