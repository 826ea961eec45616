/**
 * @module Scope policies in Redis: one JSON value per scope (`<prefix>policy:<scope id>`), changed
 * under WATCH/MULTI on a connection of its own, and announced on the pub/sub channel
 * `<prefix>policy-changed` so every process drops its cached copy within milliseconds.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { silentLogger } from '../logger.ts';
import type { PolicyOverride } from './policy.ts';
import { sanitiseStoredOverride } from './policy-file.ts';
import type { PolicyChangeListener, PolicyStore } from './policy-store.ts';
import { redisCall, subscriberConnection } from './redis-connection.ts';

export interface RedisPolicyStoreOptions {
  /** The command connection (from `connectModerationRedis`); the caller closes it. */
  client: Redis;
  /** Prefix of every key and channel. @defaultValue `moodshift:` */
  keyPrefix?: string;
  /** Where ignored stored fields are reported. @defaultValue a silent logger */
  logger?: Logger;
}

const MAX_UPDATE_ATTEMPTS = 20;

export class RedisPolicyStore implements PolicyStore {
  readonly name = 'redis';
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #logger: Logger;
  /** Policy changes run WATCH … EXEC, which must not share a connection with other transactions. */
  #writer: Redis | undefined;
  #writes: Promise<unknown> = Promise.resolve();
  readonly #subscribers: Redis[] = [];

  constructor(options: RedisPolicyStoreOptions) {
    if (!options?.client) throw new TypeError('RedisPolicyStore needs options.client, a connected ioredis client.');
    this.#client = options.client;
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
    const raw = await redisCall('read policies', () => this.#client.mget(scopeIds.map((id) => this.#key(id))));
    return scopeIds.map((id, index) => this.#parse(id, raw[index] ?? null));
  }

  update(scopeId: string, change: (override: PolicyOverride) => void): Promise<PolicyOverride> {
    // One change at a time per process: WATCH state belongs to the connection.
    const result = this.#writes.then(() => this.#update(scopeId, change));
    this.#writes = result.catch(() => {});
    return result;
  }

  async #update(scopeId: string, change: (override: PolicyOverride) => void): Promise<PolicyOverride> {
    const writer = await this.#connectWriter();
    const key = this.#key(scopeId);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const written = await redisCall('change a policy', async () => {
        await writer.watch(key);
        const override = this.#parse(scopeId, await writer.get(key)) ?? {};
        change(override);
        const done = await writer.multi().set(key, JSON.stringify(override)).publish(this.#channel, scopeId).exec();
        return done ? override : undefined;
      });
      if (written) return written;
    }
    throw new Error(`RedisPolicyStore: the policy of ${scopeId} kept changing under us; gave up after ${MAX_UPDATE_ATTEMPTS} attempts.`);
  }

  async #connectWriter(): Promise<Redis> {
    if (!this.#writer) {
      this.#writer = this.#client.duplicate();
      this.#writer.on('error', () => {});
    }
    const writer = this.#writer;
    if (writer.status === 'wait' || writer.status === 'end') {
      await redisCall('connect to change a policy', () => writer.connect());
    }
    return writer;
  }

  async subscribe(onChange: PolicyChangeListener, onReset?: () => void): Promise<() => void> {
    const subscriber = subscriberConnection(this.#client);
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
    const timeoutMs = this.#client.options.commandTimeout ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await redisCall('listen for policy changes', () => Promise.race([subscriber.subscribe(this.#channel), timeout]));
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
    this.#writer?.disconnect();
    this.#writer = undefined;
  }
}
