import type { MediaStore } from '../../src/domain/ports/media-store.port.js';

/** Media bytes in a map, for the unit tier. */
export class MemoryMediaStore implements MediaStore {
  readonly objects = new Map<string, { data: Buffer; contentType: string }>();

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    this.objects.set(key, { data: Buffer.from(data), contentType });
  }
  async get(key: string): Promise<Buffer | null> {
    return this.objects.get(key)?.data ?? null;
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  async deletePrefix(prefix: string): Promise<void> {
    for (const key of this.objects.keys()) if (key.startsWith(prefix)) this.objects.delete(key);
  }
  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix));
  }
}
