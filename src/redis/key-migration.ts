/**
 * @module The one-off migration of a running deployment's Redis keys to the hash-tagged names of
 * `keys.ts` (moodshift 0.2): conversations, message links, pictures and their budget, and the
 * render queue. Run it once with every bot and worker stopped:
 *
 * ```
 * REDIS_URL=redis://… moodshift migrate-redis
 * ```
 *
 * Each key is renamed only when its new name is free (`RENAME` keeps its time to live), so the
 * migration is safe to run twice and never overwrites; a key whose new name is taken is left as it
 * is and counted as `kept`. It runs on a single Redis (where a rename may cross hash slots); to
 * move to a cluster afterwards, import the migrated keys (`redis-cli --cluster import`).
 * Policies, audit streams and rate limits keep their names (rate limits start a fresh window).
 */
import { Cluster, type Redis } from 'ioredis';
import { DEFAULT_KEY_PREFIX, LEGACY_QUEUE_PREFIX, currentKeyName } from './keys.ts';

/**
 * What the migration needs of a `RedisConnection` (written out here, so that this module, which the
 * connection calls at start-up, does not import it back).
 */
export interface MigratableConnection {
  readonly client: Redis | Cluster;
  ready(what: string, timeoutMs: number): Promise<unknown>;
}

/** Renames KEYS[1] to KEYS[2] unless KEYS[2] exists. Returns 1 when renamed. */
const RENAME_IF_FREE = `
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
return 1
`;

export interface KeyMigrationResult {
  /** Keys renamed to their new names. */
  renamed: number;
  /** Old keys left in place because their new name already held a value. */
  kept: number;
}

/** Renames the old keys under `keyPrefix` (and the old render queue's) to their hash-tagged names. */
export async function migrateRedisKeys(
  connection: MigratableConnection,
  keyPrefix: string = DEFAULT_KEY_PREFIX,
): Promise<KeyMigrationResult> {
  if (connection.client instanceof Cluster) {
    throw new Error(
      'migrate-redis runs on the single Redis the old keys are in; move them to the cluster afterwards (redis-cli --cluster import).',
    );
  }
  const client = connection.client;
  await connection.ready('migrate the Redis keys', 10_000);
  const result: KeyMigrationResult = { renamed: 0, kept: 0 };
  for (const pattern of [`${escapeGlob(keyPrefix)}*`, `${escapeGlob(LEGACY_QUEUE_PREFIX)}:render:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const target = currentKeyName(key, keyPrefix);
        if (target === undefined || target === key) continue;
        const renamed = (await client.eval(RENAME_IF_FREE, 2, key, target)) as number;
        if (renamed === 1) result.renamed += 1;
        else if ((await client.exists(key)) === 1) result.kept += 1;
      }
    } while (cursor !== '0');
  }
  return result;
}

/** Whether old (untagged) keys are still there: the one cheap look done at start-up. */
export async function hasUnmigratedKeys(
  connection: Pick<MigratableConnection, 'client'>,
  keyPrefix: string = DEFAULT_KEY_PREFIX,
): Promise<boolean> {
  if (connection.client instanceof Cluster) return false;
  const client = connection.client;
  const [budget, queue] = await Promise.all([
    client.exists(`${keyPrefix}imgs:bytes`),
    client.exists(`${LEGACY_QUEUE_PREFIX}:render:meta`, `${LEGACY_QUEUE_PREFIX}:render:id`),
  ]);
  return budget + queue > 0;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}
