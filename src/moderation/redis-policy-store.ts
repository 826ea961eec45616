/**
 * @module Scope policies in Redis: one JSON value per scope (`<prefix>policy:<scope id>`), changed
 * by compare-and-set (a Lua script that writes only if the value is still the one read, and
 * publishes the change in the same step), and announced on the pub/sub channel
 * `<prefix>policy-changed` so every process drops its cached copy within milliseconds. One key per
 * script: it works the same on a Redis Cluster (whose PUBLISH reaches every node).
 */
import type { Logger } from '../logger.ts';
import { RedisConnection, type RedisClient } from '../redis/redis-connection.ts';
import { silentLogger } from '../logger.ts';
import type { PolicyOverride } from './policy.ts';
import { sanitiseStoredOverride } from './policy-file.ts';
import type { PolicyChangeListener, PolicyStore } from './policy-store.ts';
import type { ModerationRedis } from './redis-connection.ts';

export interface RedisPolicyStoreOptions {
  /** The connection (from `openModerationRedis`), or an ioredis client; the caller closes it. */
  client: ModerationRedis;
  /** Prefix of every key and channel. @defaultValue `moodshift:` */
  keyPrefix?: string;
  /** Where ignored stored fields are reported. @defaultValue a silent logger */
  logger?: Logger;
}

const MAX_UPDATE_ATTEMPTS = 20;

/**
 * KEYS[1]: the policy. ARGV: the value read ('' when there was none), the new value, the channel,
 * the scope id. Writes and publishes only when the stored value is still the one read; returns 1
 * then, 0 when someone else changed it first.
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`;

export class RedisPolicyStore implements PolicyStore {
  readonly name = 'redis';
  readonly #redis: RedisConnection;
  readonly #prefix: string;
  readonly #logger: Logger;
  #writes: Promise<unknown> = Promise.resolve();
  readonly #subscribers: RedisClient[] = [];

  constructor(options: RedisPolicyStoreOptions) {
    if (!options?.client) throw new TypeError('RedisPolicyStore needs options.client, a connected ioredis client.');
    this.#redis = RedisConnection.wrap(options.client);
    this.#prefix = options.keyPrefix ?? 'moodshift:';
    this.#logger = options.logger ?? silentLogger;
  }

  get #channel(): string {
    return `${this.#prefix}policy-changed`;
  }

  #key(scopeId: string): string {
    return `${this.#prefix}policy:${scopeId}`;
  }

  #parse(scopeId: string, raw: string | null): PolicyOverride | undefined {
    if (raw === null) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      this.#logger.warn({ scopeId }, 'moderation: a stored policy is not JSON; ignoring it');
      return undefined;
    }
    return sanitiseStoredOverride(data, (message) => this.#logger.warn({ scopeId }, `moderation: ${message}`));
  }

  async getMany(scopeIds: string[]): Promise<Array<PolicyOverride | undefined>> {
    if (scopeIds.length === 0) return [];
    const keys = scopeIds.map((id) => this.#key(id));
    // One MGET on one server; on a cluster the scopes sit in different slots: one GET each, pipelined.
    const raw = await this.#redis.run('read policies', (client) =>
      this.#redis.isCluster ? Promise.all(keys.map((key) => client.get(key))) : client.mget(keys),
    );
    return scopeIds.map((id, index) => this.#parse(id, raw[index] ?? null));
  }

  update(scopeId: string, change: (override: PolicyOverride) => void): Promise<PolicyOverride> {
    // One change at a time per process: changes of one process never compete with each other.
    const result = this.#writes.then(() => this.#update(scopeId, change));
    this.#writes = result.catch(() => {});
    return result;
  }

  async #update(scopeId: string, change: (override: PolicyOverride) => void): Promise<PolicyOverride> {
    const key = this.#key(scopeId);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const raw = await this.#redis.run('read a policy', (client) => client.get(key));
      const override = this.#parse(scopeId, raw) ?? {};
      change(override);
      const written = await this.#redis.run('change a policy', (client) =>
        client.eval(COMPARE_AND_SET, 1, key, raw ?? '', JSON.stringify(override), this.#channel, scopeId),
      );
      if (written === 1) return override;
    }
    throw new Error(
      `RedisPolicyStore: the policy of ${scopeId} kept changing under us; gave up after ${MAX_UPDATE_ATTEMPTS} attempts.`,
    );
  }

  async subscribe(onChange: PolicyChangeListener, onReset?: () => void): Promise<() => void> {
    const subscriber = this.#redis.subscriber();
    this.#subscribers.push(subscriber);
    let connectedOnce = false;
    subscriber.on('ready', () => {
      // After a reconnection, changes made meanwhile were never heard: forget every cached policy.
      if (connectedOnce) onReset?.();
      connectedOnce = true;
    });
    subscriber.on('message', (channel: string, scopeId: string) => {
      if (channel === this.#channel) onChange(scopeId);
    });
    // A SUBSCRIBE queued while Redis is away would wait forever: give up after the command
    // timeout (the subscription still completes by itself once Redis is back).
    const timeoutMs = this.#redis.options.commandTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await this.#redis.run(
        'listen for policy changes',
        () => Promise.race([subscriber.subscribe(this.#channel), timeout]),
        {
          deadlineMs: timeoutMs,
        },
      );
    } finally {
      clearTimeout(timer);
    }
    connectedOnce = true;
    return () => {
      subscriber.disconnect();
    };
  }

  async close(): Promise<void> {
    await this.#writes;
    for (const subscriber of this.#subscribers.splice(0)) subscriber.disconnect();
  }
}
