/**
 * @module Checks that the Redis server is run as the render queue and the conversation state
 * need: `maxmemory-policy noeviction` (an evicting Redis silently drops queued jobs and
 * conversations) and the append-only file (a restart otherwise loses them).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

export async function redisSettingsWarnings(redis: Redis): Promise<string[]> {
  const warnings: string[] = [];
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy && policy !== 'noeviction')
      warnings.push(`Redis has maxmemory-policy ${policy}: set it to noeviction, or Redis may drop queued renders and conversations under memory pressure.`);
    const [, appendonly] = (await redis.config('GET', 'appendonly')) as [string, string];
    if (appendonly === 'no')
      warnings.push('Redis runs without the append-only file (appendonly no): set appendonly yes, or a restart loses queued renders and conversations.');
  } catch {
    // CONFIG is disabled on some managed services; nothing to check then.
  }
  return warnings;
}

export async function warnAboutRedisSettings(redis: Redis, logger: Logger): Promise<void> {
  for (const warning of await redisSettingsWarnings(redis)) logger.warn(warning);
}
