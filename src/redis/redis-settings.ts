/**
 * @module Checks that the Redis server is run as the render queue, the conversation state and
 * moderation need (run once per connection by `RedisConnection.checkServer`, on every primary of
 * a cluster): a version BullMQ supports, `maxmemory-policy noeviction` (an evicting Redis silently
 * drops queued jobs and conversations) and the append-only file (a restart otherwise loses them).
 */
import type { Redis } from 'ioredis';

/** The oldest Redis BullMQ runs on. */
export const MINIMUM_REDIS_VERSION = '5.0.0';

export async function redisSettingsWarnings(redis: Redis): Promise<string[]> {
  const warnings: string[] = [];
  const version = /^redis_version:([\d.]+)/m.exec(await redis.info('server').catch(() => ''))?.[1];
  if (version && isOlderVersion(version, MINIMUM_REDIS_VERSION))
    warnings.push(
      `Redis ${version} is older than ${MINIMUM_REDIS_VERSION}, which the render queue (BullMQ) needs: upgrade Redis.`,
    );
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy && policy !== 'noeviction')
      warnings.push(
        `Redis has maxmemory-policy ${policy}: set it to noeviction, or Redis may drop queued renders and conversations under memory pressure.`,
      );
    const [, appendonly] = (await redis.config('GET', 'appendonly')) as [string, string];
    if (appendonly === 'no')
      warnings.push(
        'Redis runs without the append-only file (appendonly no): set appendonly yes, or a restart loses queued renders and conversations.',
      );
  } catch {
    // CONFIG is disabled on some managed services; nothing to check then.
  }
  return warnings;
}

/**
 * A warning when Redis has no `maxmemory`: under `noeviction` Redis then grows until the host runs
 * out of memory. Kept apart from {@link redisSettingsWarnings}, which is about losing queued work.
 */
export async function redisMemoryWarnings(redis: Redis): Promise<string[]> {
  try {
    const [, maxmemory] = (await redis.config('GET', 'maxmemory')) as [string, string];
    if (maxmemory === '0')
      return [
        "Redis has no maxmemory: set one (for example --maxmemory 1gb) well above MOODSHIFT_PICTURE_BUDGET_MB, or Redis can take all of the host's memory.",
      ];
  } catch {
    // CONFIG is disabled on some managed services; nothing to check then.
  }
  return [];
}

/** Every warning about one server: {@link redisSettingsWarnings}, then {@link redisMemoryWarnings}. */
export async function redisServerWarnings(redis: Redis): Promise<string[]> {
  return [...(await redisSettingsWarnings(redis)), ...(await redisMemoryWarnings(redis))];
}

/** Whether dotted version `version` (such as `7.0.15`) is older than `minimum`. */
export function isOlderVersion(version: string, minimum: string): boolean {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference < 0;
  }
  return false;
}
