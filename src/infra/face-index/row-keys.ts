/** Rough V8 cost of one Map<number, number> entry (hash table slot, entry triple, load-factor slack). */
const MAP_ENTRY_BYTES = 40;

/**
 * The face keys of a pool index's rows 0..size-1 and the map back from key to row, shared by the exact and
 * scan pools. Removal moves the last row into the hole, so live rows stay contiguous and a scan needs no
 * tombstone checks; the pool moves its own row data the same way.
 */
export class RowKeys {
  private keys: Float64Array;
  private readonly rowOf = new Map<number, number>();
  private count = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get capacity(): number {
    return this.keys.length;
  }

  row(key: number): number | undefined {
    return this.rowOf.get(key);
  }

  keyAt(row: number): number {
    return this.keys[row]!;
  }

  /** The row of `key`, appended when new; the caller has made room (`resize`) beforehand. */
  rowFor(key: number): number {
    let row = this.rowOf.get(key);
    if (row === undefined) {
      row = this.count++;
      this.rowOf.set(key, row);
      this.keys[row] = key;
    }
    return row;
  }

  /** Forgets `key`; the caller then moves its data of row `last` to row `row` (nothing to do when equal). */
  remove(key: number): { row: number; last: number } | undefined {
    const row = this.rowOf.get(key);
    if (row === undefined) return undefined;
    this.rowOf.delete(key);
    const last = --this.count;
    if (row !== last) {
      const lastKey = this.keys[last]!;
      this.keys[row] = lastKey;
      this.rowOf.set(lastKey, row);
    }
    return { row, last };
  }

  resize(capacity: number): void {
    const keys = new Float64Array(capacity);
    keys.set(this.keys.subarray(0, this.count));
    this.keys = keys;
  }

  /** Keys in row order. */
  snapshot(): Float64Array {
    return this.keys.slice(0, this.count);
  }

  bytes(): number {
    return this.keys.byteLength + this.count * MAP_ENTRY_BYTES;
  }
}
