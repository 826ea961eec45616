/**
 * @module What the bot and the GPU workers share about the render queue: its name, the job's
 * data (references only, never picture bytes) and result, and how Redis connections are made.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { OutputFormat } from '../image/image.ts';
import type { EditPlan } from '../planner/planner.ts';

/** The BullMQ queue every bot and worker of one deployment uses. */
export const RENDER_QUEUE_NAME = 'render';
/** Key prefix of the queue in Redis. @defaultValue `moodshift` */
export const QUEUE_PREFIX = 'moodshift';

/** A render job: references to the original picture in the store's blobs, and the edit. */
export interface RenderJobData {
  /** Content hash of the original picture in the conversation store. */
  imageHash: string;
  plan: EditPlan;
  intensity: number;
  seed: number;
  /** `platform:user`, for the per-person limit. */
  owner?: string;
}

/** What a worker returns: the hash of the rendered picture, written back to the store with a time to live. */
export interface RenderJobResult {
  hash: string;
  format: OutputFormat;
  width: number;
  height: number;
}

/** BullMQ forbids ':' in custom job ids; the edit's key is made safe and stays deterministic. */
export function renderJobId(jobKey: string): string {
  return Buffer.from(jobKey).toString('base64url');
}

export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * A client for commands that must fail fast when Redis is down (the person should hear
 * "temporarily unavailable" within 2 s): no offline queue, one try per command, and
 * reconnection in the background with a capped backoff.
 */
export function createFailFastRedis(url: string): Redis {
  const client = new Redis({
    ...redisOptionsFromUrl(url),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1500,
    retryStrategy: (times) => Math.min(200 * times, 2000),
    lazyConnect: false,
  });
  client.on('error', () => {}); // reported through the failing commands; reconnects by itself
  return client;
}

/**
 * Options for the connections BullMQ keeps open itself (blocking reads of the worker and of
 * queue events): they must retry forever (`maxRetriesPerRequest: null`) and reconnect by themselves.
 */
export function blockingRedisOptions(url: string): RedisOptions {
  return {
    ...redisOptionsFromUrl(url),
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  };
}

/** Resolves with `value` after `ms` milliseconds, without keeping the process alive (for deadlines raced against Redis). */
export function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}
