/**
 * @module The audit log: every refusal and every policy change, kept per home scope (the server
 * or group, or the chat where there is none). The `AuditLog` contract and its in-memory backend;
 * `redis-audit-log.ts` keeps it in Redis streams. Both are bounded in length and in age.
 */
import type { AuditEntry } from './moderation.ts';

/** What an operator exports. Entries come oldest first. */
export interface AuditQuery {
  /** Only this home scope (`discord:1234`, `telegram:-100987`, `global`). @defaultValue every scope */
  scope?: string;
  /** Only entries at or after this time, in milliseconds since the epoch. @defaultValue all kept */
  since?: number;
  /** At most this many entries (the first ones from `since`). @defaultValue no limit */
  limit?: number;
}

export interface AuditLog {
  readonly name: string;
  /** Appends an entry to the log of `entry.scope`. */
  append(entry: AuditEntry): Promise<void>;
  /** The latest `limit` entries of one scope, newest first. */
  latest(scope: string, limit: number): Promise<AuditEntry[]>;
  /** Entries oldest first, for export. */
  query(query: AuditQuery): AsyncIterable<AuditEntry>;
  close(): Promise<void>;
}

export interface AuditLogOptions {
  /** Most entries kept per scope; older ones are dropped first (Redis trims approximately). @defaultValue 10000 */
  maxEntriesPerScope?: number;
  /** Entries older than this are dropped, in days. @defaultValue 90 */
  retentionDays?: number;
  /** The clock, in milliseconds since the epoch. @defaultValue `Date.now` */
  now?: () => number;
}

export function resolveAuditOptions(owner: string, options: AuditLogOptions): Required<AuditLogOptions> {
  const resolved = {
    maxEntriesPerScope: options.maxEntriesPerScope ?? 10_000,
    retentionDays: options.retentionDays ?? 90,
    now: options.now ?? Date.now,
  };
  if (!Number.isInteger(resolved.maxEntriesPerScope) || resolved.maxEntriesPerScope < 1) {
    throw new TypeError(
      `${owner}: maxEntriesPerScope must be a whole number of at least 1; got ${resolved.maxEntriesPerScope}.`,
    );
  }
  if (!(resolved.retentionDays > 0)) {
    throw new TypeError(`${owner}: retentionDays must be a number of days above 0; got ${resolved.retentionDays}.`);
  }
  return resolved;
}

/** The audit log of this process only, lost when it stops. */
export class MemoryAuditLog implements AuditLog {
  readonly name = 'memory';
  readonly #options: Required<AuditLogOptions>;
  readonly #entries = new Map<string, AuditEntry[]>();

  constructor(options: AuditLogOptions = {}) {
    this.#options = resolveAuditOptions('MemoryAuditLog', options);
  }

  #kept(scope: string): AuditEntry[] {
    const cutoff = this.#options.now() - this.#options.retentionDays * 86_400_000;
    const entries = (this.#entries.get(scope) ?? []).filter((entry) => entry.at >= cutoff);
    if (entries.length) this.#entries.set(scope, entries);
    else this.#entries.delete(scope);
    return entries;
  }

  async append(entry: AuditEntry): Promise<void> {
    const entries = this.#kept(entry.scope);
    entries.push(structuredClone(entry));
    if (entries.length > this.#options.maxEntriesPerScope)
      entries.splice(0, entries.length - this.#options.maxEntriesPerScope);
    this.#entries.set(entry.scope, entries);
  }

  async latest(scope: string, limit: number): Promise<AuditEntry[]> {
    return this.#kept(scope)
      .slice(-limit)
      .reverse()
      .map((entry) => structuredClone(entry));
  }

  async *query(query: AuditQuery): AsyncIterable<AuditEntry> {
    const scopes = query.scope !== undefined ? [query.scope] : [...this.#entries.keys()];
    const since = query.since ?? 0;
    const all = scopes.flatMap((scope) => this.#kept(scope)).filter((entry) => entry.at >= since);
    all.sort((a, b) => a.at - b.at);
    yield* all.slice(0, query.limit ?? all.length).map((entry) => structuredClone(entry));
  }

  async close(): Promise<void> {}
}
