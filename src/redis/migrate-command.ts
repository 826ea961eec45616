/**
 * @module `moodshift migrate-redis`: renames, once, the Redis keys a deployment of moodshift 0.1
 * wrote to the hash-tagged names of 0.2 (see `key-migration.ts`). Run it with every bot and worker
 * stopped, on the single Redis they used.
 */
import { loadConfig } from '../config.ts';
import { DEFAULT_KEY_PREFIX } from './keys.ts';
import { migrateRedisKeys } from './key-migration.ts';
import { RedisConnection } from './redis-connection.ts';

export async function runMigrateRedisCommand(
  argv: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const prefixIndex = argv.indexOf('--prefix');
  const keyPrefix = prefixIndex >= 0 ? argv[prefixIndex + 1] : DEFAULT_KEY_PREFIX;
  if (keyPrefix === undefined || keyPrefix === '') {
    io.stderr.write('moodshift migrate-redis [--prefix PREFIX]: --prefix needs a value such as moodshift:\n');
    return 2;
  }
  const { redisUrl } = loadConfig();
  if (!redisUrl) {
    io.stderr.write('moodshift migrate-redis needs REDIS_URL: the Redis server whose keys to rename.\n');
    return 2;
  }
  const connection = new RedisConnection({ url: redisUrl });
  try {
    const { renamed, kept } = await migrateRedisKeys(connection, keyPrefix);
    io.stdout.write(
      `Renamed ${renamed} key(s) to their 0.2 names.${kept ? ` ${kept} old key(s) kept: their new name already holds a value (look at them with redis-cli).` : ''}\n`,
    );
    return 0;
  } catch (error) {
    io.stderr.write(`Nothing more renamed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await connection.close();
  }
}
