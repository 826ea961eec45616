/**
 * @module The one place that builds Redis clients (after BullMQ's `RedisConnection`): it connects,
 * checks the server, turns "Redis is away" into `UnavailableError`, and closes. The conversation
 * store, moderation, the render queue and observability all use it; nothing else calls
 * `new Redis` or `new Cluster`.
 *
 * The policy, the same for every part:
 *
 * - **Retries.** A command is sent once (`maxRetriesPerRequest: 0`) and never queued while the
 *   connection is down (`enableOfflineQueue: false`): the person hears "temporarily unavailable"
 *   at once instead of waiting on a dead connection. The connection itself reconnects for ever in
 *   the background, `min(50 ms * 2^attempt, maxReconnectDelayMs)` apart.
 * - **Time-outs.** An operation waits at most `unavailableAfterMs` for the connection to be
 *   (re)established, then each command at most `commandTimeoutMs`.
 * - **Temporarily unavailable.** A refused, dropped or timed-out connection, and the replies that
 *   mean "not now" (`LOADING`, `BUSY`, `MASTERDOWN`, `TRYAGAIN`, `CLUSTERDOWN`, `READONLY`), become
 *   `UnavailableError(…, 'redis')`. Any other error reply is a bug and is rethrown as it is.
 * - **Readiness.** `ping()` says whether Redis answers now (for `/readyz`); `checkServer()` logs,
 *   once, the settings that lose work or memory (see `redis-settings.ts`), and keys of the old
 *   layout still waiting for `moodshift migrate-redis` (see `key-migration.ts`).
 * - **Shutdown.** `close()` sends QUIT when connected and waits at most `closeTimeoutMs` for it,
 *   then cuts the connection; it is idempotent. A part handed a connection never closes it: the
 *   one who opened it does.
 * - **BullMQ** is the one exception: its own connections (the worker's and the queue events'
 *   blocking reads) must retry for ever, `maxRetriesPerRequest: null`, as BullMQ requires. They
 *   come from {@link RedisConnection.bullmqConnection}, with the same reconnection back-off.
 *
 * A Redis Cluster is chosen by the URL (`redis+cluster://host1:7000,host2:7000`, see
 * `redis-url.ts`): the same policy then applies to ioredis' `Cluster` client. Every multi-key
 * script and transaction of moodshift keeps its keys in one hash slot (`{…}` hash tags).
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { UnavailableError } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { hasUnmigratedKeys } from './key-migration.ts';
import { parseRedisUrl, redactRedisUrl, type RedisAddress } from './redis-url.ts';
import { redisServerWarnings } from './redis-settings.ts';

/** An ioredis client: one server or a cluster. */
export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  /** `REDIS_URL`: `redis://`, `rediss://`, `redis+cluster://` or `rediss+cluster://`. */
  url: string;
  /**
   * How long an operation waits for the connection to be (re)established before it fails with
   * `UnavailableError`, in milliseconds.
   * @defaultValue 1000
   */
  unavailableAfterMs?: number;
  /** The longest a single command may go unanswered (a Redis that accepts but hangs), in ms. @defaultValue 2000 */
  commandTimeoutMs?: number;
  /** Longest wait between two reconnection attempts, in ms. @defaultValue 2000 */
  maxReconnectDelayMs?: number;
  /** How long `close()` waits for QUIT before cutting the connection, in ms. @defaultValue 1000 */
  closeTimeoutMs?: number;
  /** Connect only when first used, instead of at once. @defaultValue false */
  lazyConnect?: boolean;
  /** Where `checkServer()` writes its warnings. @defaultValue a silent logger */
  logger?: Logger;
}

type ResolvedOptions = Required<Omit<RedisConnectionOptions, 'logger'>> & { logger: Logger };

export const REDIS_CONNECTION_DEFAULTS = {
  unavailableAfterMs: 1000,
  commandTimeoutMs: 2000,
  maxReconnectDelayMs: 2000,
  closeTimeoutMs: 1000,
} as const;

/** Reply errors that mean "Redis is not ready right now" rather than "this command is wrong". */
export const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY)\b/;

/** The reconnection back-off of every moodshift connection. */
export function reconnectDelay(
  attempt: number,
  maxDelayMs: number = REDIS_CONNECTION_DEFAULTS.maxReconnectDelayMs,
): number {
  return Math.min(50 * 2 ** Math.min(attempt, 10), maxDelayMs);
}

/** Whether a command failed because the connection did: ioredis's errors for a closed, refused, dropped or hung connection. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // A command caught by a dropped connection fails once retried (`maxRetriesPerRequest`), even when the client is ready again by then.
  if (error.name === 'MaxRetriesPerRequestError') return true;
  return /ECONNREFUSED|ECONNRESET|Connection is closed|Stream isn't writeable|enableOfflineQueue|EPIPE|ETIMEDOUT|EHOSTUNREACH|Command timed out|Failed to refresh slots cache|None of startup nodes is available|Cluster isn't ready/i.test(
    error.message,
  );
}

/** Whether an error is a reply from Redis (as opposed to a connection that failed). */
export function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

/**
 * The policy's rule for "temporarily unavailable": a connection problem or a transient reply
 * becomes `UnavailableError(…, 'redis')`; other errors come back unchanged.
 */
export function toUnavailable(what: string, error: unknown): unknown {
  if (error instanceof UnavailableError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isReplyError(error) && !TRANSIENT_REPLY.test(message)) return error;
  if (!(error instanceof Error)) return error;
  if (error.name === 'UserError' || error.name === 'ConfigError' || error.name === 'TypeError') return error;
  return new UnavailableError(`Redis did not answer while trying to ${what}: ${message}`, 'redis', { cause: error });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Shared state of the connections wrapped around one client handed in from outside. */
const wrapped = new WeakMap<RedisClient, RedisConnection>();

export class RedisConnection {
  /** The command client. Use {@link run} for anything a person waits on. */
  readonly client: RedisClient;
  /** Whether the client is ioredis' `Cluster`. */
  readonly isCluster: boolean;
  readonly options: ResolvedOptions;
  readonly #address: RedisAddress | undefined;
  readonly #owns: boolean;
  readonly #extra: RedisClient[] = [];
  #lastError: Error | undefined;
  #readyWaiter: Promise<void> | undefined;
  #closed = false;
  #checked: Promise<string[]> | undefined;

  /** Opens a connection to `options.url` (in the background unless `lazyConnect`). Throws `ConfigError` for a bad URL. */
  constructor(options: RedisConnectionOptions);
  /** Wraps a client someone else owns (it is never closed here); its own retry and time-out settings apply. */
  constructor(options: Omit<RedisConnectionOptions, 'url'> & { url?: undefined }, client: RedisClient);
  constructor(
    options: RedisConnectionOptions | (Omit<RedisConnectionOptions, 'url'> & { url?: undefined }),
    client?: RedisClient,
  ) {
    this.options = {
      ...REDIS_CONNECTION_DEFAULTS,
      lazyConnect: false,
      logger: silentLogger,
      url: '',
      ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
    } as ResolvedOptions;
    for (const name of ['unavailableAfterMs', 'commandTimeoutMs', 'maxReconnectDelayMs', 'closeTimeoutMs'] as const) {
      const value = this.options[name];
      if (!Number.isInteger(value) || value < 1)
        throw new TypeError(
          `RedisConnection: ${name} must be a whole number of milliseconds, at least 1; got ${String(value)}.`,
        );
    }
    if (client) {
      this.client = client;
      this.#owns = false;
      this.isCluster = client instanceof Cluster;
    } else {
      this.#address = parseRedisUrl(this.options.url);
      this.isCluster = this.#address.cluster;
      this.client = this.#build('commands');
      this.#owns = true;
      // A part handed this client later (`wrap`) shares this connection and its policy.
      wrapped.set(this.client, this);
    }
    this.client.on('error', (error: Error) => {
      this.#lastError = error;
    });
  }

  /** The connection for a client handed in from outside, shared by every part given that client. */
  static wrap(
    client: RedisClient | RedisConnection,
    options: Omit<RedisConnectionOptions, 'url'> = {},
  ): RedisConnection {
    if (client instanceof RedisConnection) return client;
    let connection = wrapped.get(client);
    if (!connection) {
      connection = new RedisConnection({ ...options, url: undefined }, client);
      wrapped.set(client, connection);
    }
    return connection;
  }

  /** The URL without its password, for logs and messages. */
  get redactedUrl(): string {
    return this.options.url ? redactRedisUrl(this.options.url) : 'the Redis client given';
  }

  /** Whether the client is connected and ready for commands now. */
  get isReady(): boolean {
    return this.client.status === 'ready';
  }

  #redisOptions(role: 'commands' | 'subscriber' | 'blocking'): RedisOptions {
    const address = this.#address!;
    const { unavailableAfterMs, commandTimeoutMs, maxReconnectDelayMs, lazyConnect } = this.options;
    return {
      username: address.username,
      password: address.password,
      ...(address.db === undefined ? {} : { db: address.db }),
      ...(address.tls ? { tls: {} } : {}),
      connectTimeout: Math.max(unavailableAfterMs, 500),
      lazyConnect: role === 'commands' ? lazyConnect : false,
      retryStrategy: (attempt: number) => reconnectDelay(attempt, maxReconnectDelayMs),
      ...(role === 'commands'
        ? { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: commandTimeoutMs }
        : role === 'subscriber'
          ? // A subscription is queued while Redis is away and renewed after each reconnection.
            { enableOfflineQueue: true, maxRetriesPerRequest: 0 }
          : { enableOfflineQueue: true, maxRetriesPerRequest: null }),
    };
  }

  #build(role: 'commands' | 'subscriber' | 'blocking'): RedisClient {
    const address = this.#address!;
    const redisOptions = this.#redisOptions(role);
    if (!address.cluster) {
      const node = address.nodes[0]!;
      return new Redis({ ...redisOptions, host: node.host, port: node.port });
    }
    const { retryStrategy, enableOfflineQueue, lazyConnect, ...nodeOptions } = redisOptions;
    const clusterOptions: ClusterOptions = {
      redisOptions: nodeOptions,
      enableOfflineQueue,
      lazyConnect,
      clusterRetryStrategy: (attempt: number) => reconnectDelay(attempt, this.options.maxReconnectDelayMs),
      // A slot moving between primaries answers TRYAGAIN or CLUSTERDOWN for a moment: retry within the command time-out.
      retryDelayOnTryAgain: 100,
      retryDelayOnClusterDown: 100,
      slotsRefreshTimeout: Math.max(this.options.unavailableAfterMs, 1000),
      ...(address.tls ? { dnsLookup: (host, callback) => callback(null, host) } : {}),
    };
    void retryStrategy;
    return new Cluster(address.nodes, clusterOptions);
  }

  /**
   * A second client on the same server with the same policy, for what cannot share the command
   * connection: `subscriber` (pub/sub; its SUBSCRIBE waits for the connection and is renewed after
   * a reconnection). Closed with this connection.
   */
  subscriber(): RedisClient {
    let client: RedisClient;
    if (this.#address) {
      client = this.#build('subscriber');
    } else {
      client =
        this.client instanceof Cluster
          ? this.client.duplicate()
          : this.client.duplicate({ enableOfflineQueue: true, lazyConnect: false, commandTimeout: undefined });
    }
    client.on('error', () => {});
    this.#extra.push(client);
    return client;
  }

  /**
   * What BullMQ's `connection` option takes for its own connections: for one server, the options
   * (BullMQ creates and closes the client); for a cluster, a `Cluster` client, closed with this
   * connection. Both retry for ever (`maxRetriesPerRequest: null`), as BullMQ requires.
   */
  bullmqConnection(): RedisOptions | Cluster {
    if (!this.#address) throw new TypeError('RedisConnection.bullmqConnection needs a connection opened from a URL.');
    if (!this.#address.cluster) {
      const node = this.#address.nodes[0]!;
      return { ...this.#redisOptions('blocking'), host: node.host, port: node.port };
    }
    const cluster = this.#build('blocking') as Cluster;
    cluster.on('error', () => {});
    this.#extra.push(cluster);
    return cluster;
  }

  /** Resolves once the client is ready, or fails with `UnavailableError` after `unavailableAfterMs`. */
  async ready(what = 'reach Redis', waitMs = this.options.unavailableAfterMs): Promise<void> {
    if (this.#closed) throw new Error(`RedisConnection: closed; cannot ${what}. Create a new one to keep using Redis.`);
    if (this.client.status === 'ready') return;
    if (this.client.status === 'end' && !this.#owns) {
      throw new UnavailableError(`Cannot ${what}: the Redis connection was closed and will not reconnect.`, 'redis');
    }
    if (this.client.status === 'wait' || this.client.status === 'end') this.client.connect().catch(() => undefined);
    this.#readyWaiter ??= new Promise<void>((resolve) => {
      this.client.once('ready', () => {
        this.#readyWaiter = undefined;
        resolve();
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const reason = this.#lastError ? `: ${this.#lastError.message}` : '';
        reject(new UnavailableError(`Cannot ${what}: Redis is not reachable${reason}.`, 'redis'));
      }, waitMs);
      // A deadline never keeps the process alive by itself (the reconnecting client does, while open).
      timer.unref();
    });
    try {
      await Promise.race([this.#readyWaiter, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs `operation` once the client is ready; a connection problem or a transient reply becomes
   * `UnavailableError`. With `deadlineMs` the whole operation (waiting included) must finish in that
   * time, for operations made of several commands (BullMQ's).
   */
  async run<T>(
    what: string,
    operation: (client: RedisClient) => Promise<T>,
    options: { deadlineMs?: number } = {},
  ): Promise<T> {
    const attempt = async () => {
      await this.ready(what, options.deadlineMs ?? this.options.unavailableAfterMs);
      try {
        return await operation(this.client);
      } catch (error) {
        // An error that is neither Redis's nor the connection's, while connected, is the caller's own.
        if (!isReplyError(error) && !isConnectionError(error) && this.isReady) throw error;
        throw toUnavailable(what, error);
      }
    };
    if (options.deadlineMs === undefined) return attempt();
    let timer: NodeJS.Timeout | undefined;
    const running = attempt();
    running.catch(() => {});
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new UnavailableError(`Redis did not answer in time while trying to ${what}`, 'redis')),
        options.deadlineMs,
      );
    });
    try {
      return await Promise.race([running, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether Redis answers PING now (every primary of a cluster). */
  async ping(): Promise<boolean> {
    if (this.#closed) return false;
    const clients: Array<{ ping(): Promise<string> }> =
      this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
    if (clients.length === 0) return false;
    const replies = await Promise.all(clients.map((client) => client.ping().catch(() => '')));
    return replies.every((reply) => reply === 'PONG');
  }

  /**
   * The server settings that lose queued work or memory, looked at once per connection (on every
   * primary of a cluster) and written to the logger as warnings. Waits up to `waitMs` for Redis;
   * when it is not reachable by then, says so and resolves.
   */
  checkServer(waitMs = 3000): Promise<string[]> {
    this.#checked ??= (async () => {
      try {
        await this.ready('check the Redis settings', waitMs);
      } catch {
        this.options.logger.warn(
          `Redis at ${this.redactedUrl} is not reachable yet; it will be tried again in the background.`,
        );
        this.#checked = undefined;
        return [];
      }
      const servers = this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
      const warnings = [...new Set((await Promise.all(servers.map((server) => redisServerWarnings(server)))).flat())];
      if (await hasUnmigratedKeys(this).catch(() => false)) {
        warnings.push(
          'Redis holds conversations, pictures or queued renders under the key names of moodshift 0.1: stop every bot and worker and run `moodshift migrate-redis` once (see README), or they are not found.',
        );
      }
      for (const warning of warnings) this.options.logger.warn(warning);
      return warnings;
    })();
    return this.#checked;
  }

  /** QUIT within `closeTimeoutMs`, then cut. Idempotent; a wrapped client is left open, only the extras are closed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const clients = [...this.#extra.splice(0), ...(this.#owns ? [this.client] : [])];
    await Promise.all(
      clients.map(async (client) => {
        if (client.status === 'ready') {
          const quit = client.quit().then(
            () => true,
            () => false,
          );
          if (await Promise.race([quit, sleep(this.options.closeTimeoutMs).then(() => false)])) return;
        }
        client.disconnect();
      }),
    );
  }
}
