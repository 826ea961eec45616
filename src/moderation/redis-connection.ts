/**
 * @module The Redis connection the moderation backends share: it fails fast when Redis is down
 * (commands are not queued while disconnected; an `UnavailableError` comes back at once) and
 * reconnects by itself in the background.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { UnavailableError } from '../errors.ts';

export interface ModerationRedisOptions {
  /** How long to wait for a connection, and for each command, in milliseconds. @defaultValue 2000 */
  timeoutMs?: number;
  /** Longest wait between two reconnection attempts, in milliseconds. @defaultValue 2000 */
  maxReconnectDelayMs?: number;
}

function clientOptions(options: ModerationRedisOptions): RedisOptions {
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  return {
    lazyConnect: true,
    // Refuse at once instead of queueing while disconnected: the person hears "try again later"
    // in milliseconds, not after a long hang.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), maxDelay),
  };
}

/** Opens a connection to `url`; throws `UnavailableError` when Redis does not answer in time. */
export async function connectModerationRedis(url: string, options: ModerationRedisOptions = {}): Promise<Redis> {
  const client = new Redis(url, clientOptions(options));
  // Errors surface through the commands that fail; the connection itself keeps retrying.
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.disconnect();
    throw new UnavailableError(`Redis at ${redactUrl(url)} is not answering: ${(error as Error).message}`, 'redis', {
      cause: error,
    });
  }
}

/**
 * A second connection for pub/sub (a subscribed connection can run nothing else). Unlike the
 * command connection it queues its SUBSCRIBE while disconnected and re-subscribes after a
 * reconnection by itself.
 */
export function subscriberConnection(client: Redis): Redis {
  const subscriber = client.duplicate({ enableOfflineQueue: true, lazyConnect: false, commandTimeout: undefined });
  subscriber.on('error', () => {});
  return subscriber;
}

/** Hides the password of a Redis URL for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}

/** Runs a Redis call; a connection problem becomes `UnavailableError`, anything else is rethrown. */
export async function redisCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && error.name === 'ReplyError') throw error;
    throw new UnavailableError(`Redis is not answering (${what}): ${(error as Error).message}`, 'redis', { cause: error });
  }
}
