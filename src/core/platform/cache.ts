/**
 * What one process keeps between requests of who is signed in (sessions, API keys) and of
 * the settings, so an authenticated request costs no extra database round trip.
 *
 * Correctness comes first: the cache is dropped whole on every change to users, keys,
 * sessions or settings. The process that makes a change drops it when the change commits
 * (afterCommit); every other process hears of it through PostgreSQL NOTIFY (a trigger on
 * those tables, migration 0004), and until it is listening, or after its listening
 * connection failed, it does not cache at all. Entries also expire after a short time.
 */
import type { Database } from '../../db/client.ts';

export const ACCESS_CHANNEL = 'throughline_access';

type Entry = { value: unknown; until: number };

export class AccessCache {
  private entries = new Map<string, Entry>();
  private generation = 0;
  /** False until change notifications are known to arrive; nothing is cached meanwhile. */
  listening = false;

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** Drops everything; a load that began before this call does not store its result. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  /** The cached value for key, else load()'s (stored unless undefined or a change happened meanwhile). */
  async get<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value as T;
    if (hit) this.entries.delete(key);
    const generation = this.generation;
    const value = await load();
    if (value !== undefined && this.listening && generation === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { value, until: now + this.ttlMs });
    }
    return value;
  }

  /** The cached value for key, without loading or storing anything. */
  peek<T>(key: string): T | undefined {
    const hit = this.entries.get(key);
    return hit && hit.until > Date.now() ? (hit.value as T) : undefined;
  }

  /** Replaces a cached value in place (a key's last_used_at), unless a change dropped it. */
  update(key: string, value: unknown): void {
    const hit = this.entries.get(key);
    if (hit) hit.value = value;
  }

  get size(): number {
    return this.entries.size;
  }
}

const caches = new WeakMap<Database, AccessCache>();

/**
 * The cache of a database handle, made on first use and listening for changes from then on
 * (a database that cannot notify gets a cache that never stores anything).
 */
export function accessCacheFor(database: Database): AccessCache {
  let cache = caches.get(database);
  if (cache) return cache;
  const made = new AccessCache();
  caches.set(database, made);
  if (database.listen) {
    database
      .listen(ACCESS_CHANNEL, {
        onMessage: () => made.invalidate(),
        onState: (up) => {
          made.invalidate();
          made.listening = up;
        },
      })
      .catch(() => {
        made.listening = false;
      });
  }
  cache = made;
  return cache;
}
