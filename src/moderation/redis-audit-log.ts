/**
 * @module The audit log in Redis: one stream per home scope (`<prefix>audit:<scope>`), appended
 * with `XADD … MAXLEN ~ N`, trimmed by age with `XTRIM MINID ~`, and expiring as a whole after the
 * retention period without activity. A set (`<prefix>audit-scopes`) lists the scopes for export.
 */
import type { Redis } from 'ioredis';
import type { AuditEntry } from './moderation.ts';
import { resolveAuditOptions, type AuditLog, type AuditLogOptions, type AuditQuery } from './audit-log.ts';
import { redisCall } from './redis-connection.ts';

export interface RedisAuditLogOptions extends AuditLogOptions {
  /** The command connection (from `connectModerationRedis`); the caller closes it. */
  client: Redis;
  /** Prefix of every key. @defaultValue `moodshift:` */
  keyPrefix?: string;
}

const PAGE = 500;

function decode(fields: string[]): AuditEntry | undefined {
  const index = fields.indexOf('entry');
  if (index < 0) return undefined;
  try {
    return JSON.parse(fields[index + 1]!) as AuditEntry;
  } catch {
    return undefined;
  }
}

export class RedisAuditLog implements AuditLog {
  readonly name = 'redis';
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #options: Required<AuditLogOptions>;

  constructor(options: RedisAuditLogOptions) {
    if (!options?.client) throw new TypeError('RedisAuditLog needs options.client, a connected ioredis client.');
    this.#client = options.client;
    this.#prefix = options.keyPrefix ?? 'moodshift:';
    this.#options = resolveAuditOptions('RedisAuditLog', options);
  }

  #key(scope: string): string {
    return `${this.#prefix}audit:${scope}`;
  }

  get #retentionMs(): number {
    return Math.round(this.#options.retentionDays * 86_400_000);
  }

  async append(entry: AuditEntry): Promise<void> {
    const key = this.#key(entry.scope);
    const cutoff = Math.max(0, this.#options.now() - this.#retentionMs);
    await redisCall('write the audit log', () =>
      this.#client
        .multi()
        .xadd(key, 'MAXLEN', '~', this.#options.maxEntriesPerScope, '*', 'entry', JSON.stringify(entry))
        .xtrim(key, 'MINID', '~', cutoff)
        .pexpire(key, this.#retentionMs)
        .sadd(`${this.#prefix}audit-scopes`, entry.scope)
        .exec(),
    );
  }

  async latest(scope: string, limit: number): Promise<AuditEntry[]> {
    const cutoff = this.#options.now() - this.#retentionMs;
    const rows = await redisCall('read the audit log', () => this.#client.xrevrange(this.#key(scope), '+', '-', 'COUNT', limit));
    return rows.map(([, fields]) => decode(fields)).filter((entry): entry is AuditEntry => !!entry && entry.at >= cutoff);
  }

  /** One scope's entries from `since`, oldest first, read a page at a time. */
  async *#stream(scope: string, since: number): AsyncGenerator<AuditEntry> {
    let start = since > 0 ? String(since) : '-';
    for (;;) {
      const from = start;
      const rows = await redisCall('read the audit log', () => this.#client.xrange(this.#key(scope), from, '+', 'COUNT', PAGE));
      for (const [, fields] of rows) {
        const entry = decode(fields);
        if (entry && entry.at >= since) yield entry;
      }
      if (rows.length < PAGE) return;
      start = `(${rows[rows.length - 1]![0]}`;
    }
  }

  async *query(query: AuditQuery): AsyncIterable<AuditEntry> {
    const since = Math.max(query.since ?? 0, this.#options.now() - this.#retentionMs);
    const scopes =
      query.scope !== undefined
        ? [query.scope]
        : (await redisCall('list audit scopes', () => this.#client.smembers(`${this.#prefix}audit-scopes`))).sort();
    // Merge the scopes' streams by time, holding one page of each at most.
    const heads: Array<{ iterator: AsyncGenerator<AuditEntry>; entry: AuditEntry }> = [];
    for (const scope of scopes) {
      const iterator = this.#stream(scope, since);
      const first = await iterator.next();
      if (!first.done) heads.push({ iterator, entry: first.value });
    }
    let remaining = query.limit ?? Number.POSITIVE_INFINITY;
    while (heads.length && remaining > 0) {
      let earliest = 0;
      for (let i = 1; i < heads.length; i++) if (heads[i]!.entry.at < heads[earliest]!.entry.at) earliest = i;
      const head = heads[earliest]!;
      yield head.entry;
      remaining--;
      const next = await head.iterator.next();
      if (next.done) heads.splice(earliest, 1);
      else head.entry = next.value;
    }
    for (const head of heads) await head.iterator.return(undefined);
  }

  async close(): Promise<void> {}
}
