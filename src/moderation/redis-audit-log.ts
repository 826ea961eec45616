/**
 * @module The audit log in Redis: one stream per home scope (`<prefix>audit:<scope>`), appended
 * with `XADD … MAXLEN ~ N`, trimmed by age with `XTRIM MINID ~`, and expiring as a whole after the
 * retention period without activity. A set (`<prefix>audit-scopes`) lists the scopes for export.
 * Each key is written on its own (the stream in one transaction, the set before it), so a Redis
 * Cluster may keep them in different slots; a scope listed without a stream is harmless.
 */
import { RedisConnection } from '../redis/redis-connection.ts';
import type { AuditEntry } from './moderation.ts';
import { resolveAuditOptions, type AuditLog, type AuditLogOptions, type AuditQuery } from './audit-log.ts';
import type { ModerationRedis } from './redis-connection.ts';

export interface RedisAuditLogOptions extends AuditLogOptions {
  /** The connection (from `openModerationRedis`), or an ioredis client; the caller closes it. */
  client: ModerationRedis;
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
  readonly #redis: RedisConnection;
  readonly #prefix: string;
  readonly #options: Required<AuditLogOptions>;

  constructor(options: RedisAuditLogOptions) {
    if (!options?.client) throw new TypeError('RedisAuditLog needs options.client, a connected ioredis client.');
    this.#redis = RedisConnection.wrap(options.client);
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
    await this.#redis.run('write the audit log', async (client) => {
      await client.sadd(`${this.#prefix}audit-scopes`, entry.scope);
      await client
        .multi()
        .xadd(key, 'MAXLEN', '~', this.#options.maxEntriesPerScope, '*', 'entry', JSON.stringify(entry))
        .xtrim(key, 'MINID', '~', cutoff)
        .pexpire(key, this.#retentionMs)
        .exec();
    });
  }

  async latest(scope: string, limit: number): Promise<AuditEntry[]> {
    const cutoff = this.#options.now() - this.#retentionMs;
    const rows = await this.#redis.run('read the audit log', (client) =>
      client.xrevrange(this.#key(scope), '+', '-', 'COUNT', limit),
    );
    return rows
      .map(([, fields]) => decode(fields))
      .filter((entry): entry is AuditEntry => !!entry && entry.at >= cutoff);
  }

  /** One scope's entries from `since`, oldest first, read a page at a time. */
  async *#stream(scope: string, since: number): AsyncGenerator<AuditEntry> {
    let start = since > 0 ? String(since) : '-';
    for (;;) {
      const from = start;
      const rows = await this.#redis.run('read the audit log', (client) =>
        client.xrange(this.#key(scope), from, '+', 'COUNT', PAGE),
      );
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
        : (
            await this.#redis.run('list audit scopes', (client) => client.smembers(`${this.#prefix}audit-scopes`))
          ).sort();
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
