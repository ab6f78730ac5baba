/**
 * A bounded cache that keeps the most recently used entries: for what is costly to build, cheap to build again, and
 * too large to keep for every key of a run (the position index of each of 10,000 files a finding points into).
 */
export class RecentlyUsed<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  /** The value for `key`, built by `build` when it is not kept; the least recently used entry goes beyond capacity. */
  get(key: K, build: () => V): V {
    const kept = this.entries.get(key);
    if (kept !== undefined) {
      // Map keeps insertion order: re-inserting makes the entry the most recent.
      this.entries.delete(key);
      this.entries.set(key, kept);
      return kept;
    }
    const value = build();
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    return value;
  }
}
