// Where media bytes live (local disk or S3-compatible object storage). Keys are `<app>/<session>/<media>`.
export interface MediaStore {
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  /** null when the object does not exist. */
  get(key: string): Promise<Buffer | null>;
  delete(key: string): Promise<void>;
  /** Erase every object under a prefix (a whole session on erasure). */
  deletePrefix(prefix: string): Promise<void>;
  /** Keys under a prefix (tests and erasure audits). */
  list(prefix: string): Promise<string[]>;
  /**
   * Removes what interrupted writes left behind (a process killed mid-write), older than `olderThanMs` so no
   * live write of another process is touched; the count removed. Stores whose writes are atomic omit it.
   */
  sweepTemporary?(olderThanMs: number): Promise<number>;
}
